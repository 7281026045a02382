//! `alerts.unexpected`: alerts that fired although no expectation names them.

use std::collections::{BTreeMap, BTreeSet};

use super::timeline::{events, secs};
use super::{AlertCheckInput, KIND};
use crate::check::registry::CheckInfo;
use crate::evidence::AlertState;
use crate::evidence::AlertTiming;
use crate::expect::alerts::UnexpectedPolicy;
use crate::verdict::Check;

pub const ID: &str = "alerts.unexpected";

/// Each unexpected alert with its first firing time, Unix ms.
pub(super) fn first_firings(input: &AlertCheckInput<'_>) -> BTreeMap<String, i64> {
    let expected: BTreeSet<&str> = input
        .expectations
        .alerts
        .iter()
        .map(|e| e.alert.as_str())
        .chain(
            input
                .expectations
                .heartbeat
                .iter()
                .map(|h| h.alert.as_str()),
        )
        .collect();
    let ignored = |a: &str| {
        input
            .expectations
            .ignore_alerts
            .iter()
            .any(|r| r.is_match(a))
    };
    let mut unexpected: BTreeMap<String, i64> = BTreeMap::new();
    for c in &input.observations.changes {
        let judged = !expected.contains(c.alertname.as_str()) && !ignored(&c.alertname);
        if c.state == AlertState::Firing && judged {
            unexpected
                .entry(c.alertname.clone())
                .or_insert(c.at_unix_ms);
        }
    }
    unexpected
}

/// One timing per unexpected alert (only its events are known).
pub(super) fn timings(
    input: &AlertCheckInput<'_>,
    unexpected: &BTreeMap<String, i64>,
) -> Vec<AlertTiming> {
    unexpected
        .keys()
        .map(|name| AlertTiming {
            alert: name.clone(),
            fired: true,
            events: events(input.observations, name, input.run_start_unix_ms),
            ..AlertTiming::default()
        })
        .collect()
}

pub(super) fn check(input: &AlertCheckInput<'_>, unexpected: &BTreeMap<String, i64>) -> Check {
    let ev: Vec<String> = unexpected
        .iter()
        .map(|(n, t)| {
            let phase = input
                .phases
                .iter()
                .find(|p| *t >= p.start_unix_ms && *t < p.end_unix_ms)
                .map_or("-", |p| p.name.as_str());
            format!(
                "{n} fired {}s into the run (phase `{phase}`)",
                secs(t - input.run_start_unix_ms)
            )
        })
        .collect();
    match (unexpected.is_empty(), input.expectations.unexpected_alerts) {
        (true, _) => Check::pass(ID, KIND, "no alert fired without being expected"),
        (false, UnexpectedPolicy::Ignore) => Check::pass(
            ID,
            KIND,
            format!(
                "{} unexpected alert(s) fired (ignored by `unexpected_alerts: ignore`)",
                unexpected.len()
            ),
        )
        .with_evidence(ev),
        (false, UnexpectedPolicy::Fail) => Check::fail(
            ID,
            KIND,
            format!(
                "alert(s) fired without being expected: {}",
                unexpected.keys().cloned().collect::<Vec<_>>().join(", ")
            ),
        )
        .with_evidence(ev),
    }
}

/// The checks this module emits (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[CheckInfo {
    id: "alerts.unexpected",
    kind: KIND,
    proves: "no alert fired that no expectation names (or such alerts are ignored by policy)",
    failure: "an alert fired that nobody expects: a noisy rule or a missing expectation",
    explain: "Every alert that started firing during the run is compared with the expected \
              ones; `unexpected_alerts: ignore` turns a failure into a pass with evidence.\n\
              Example failure: alert(s) fired without being expected: QueueBacklog",
}];
