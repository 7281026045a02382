//! Alert checks (pure): expectations × observed alert timeline × phase times → checks
//! (`alerts.fired.<A>`, `alerts.routing.<A>`, `alerts.resolved.<A>`, `alerts.silent.<A>`,
//! `alerts.labels.<A>`, `alerts.inhibited.<A>`, `alerts.unexpected`) and one [`AlertTiming`]
//! per alert (times from the fault's phase start / end, beside the theoretical bound).

use std::collections::{BTreeMap, BTreeSet};

use crate::expect::alerts::{AlertExpectation, AlertExpectations, UnexpectedPolicy};
use crate::observe::alert_watch::{AlertObservations, AlertState};
use crate::observe::receivers::{Notification, NotificationStatus};
use crate::report::model::{AlertTiming, Check};
use crate::stack::timing::StackTiming;

mod shape;
mod timeline;
use shape::labels_and_inhibition;
use timeline::{all_clear_times, events, first, fmt_s, for_alert, secs, set, split};

const KIND: &str = "alerts";

/// One scenario phase on the wall clock.
#[derive(Debug, Clone, PartialEq)]
pub struct PhaseWindow {
    /// Phase name.
    pub name: String,
    /// Wall start, Unix milliseconds.
    pub start_unix_ms: i64,
    /// Wall end, Unix milliseconds.
    pub end_unix_ms: i64,
}

/// Where routing evidence comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoutingEvidence {
    /// obsgate's fake receivers (managed stack): names, Slack channels, PagerDuty routing keys.
    Notifications,
    /// Alertmanager's `/api/v2/alerts` `receivers` (external stack): names only.
    AlertmanagerApi,
}

/// Everything the alert checks read.
#[derive(Debug, Clone, Copy)]
pub struct AlertCheckInput<'a> {
    pub expectations: &'a AlertExpectations,
    pub observations: &'a AlertObservations,
    pub phases: &'a [PhaseWindow],
    /// The stack's timing (for bounds); None when unknown (external stack).
    pub timing: Option<&'a StackTiming>,
    /// Wall start of the run, Unix milliseconds (events are relative to it).
    pub run_start_unix_ms: i64,
    pub routing: RoutingEvidence,
}

fn check_one(
    e: &AlertExpectation,
    input: &AlertCheckInput<'_>,
    out: &mut Vec<Check>,
) -> AlertTiming {
    let obs = input.observations;
    let a = e.alert.as_str();
    let mut timing = AlertTiming {
        alert: a.to_string(),
        ..AlertTiming::default()
    };
    let Some(phase) = input.phases.iter().find(|p| p.name == e.fires_in) else {
        out.push(Check::error(
            format!("alerts.fired.{a}"),
            KIND,
            format!("{}: phase `{}` did not run", e.fires_in_at, e.fires_in),
        ));
        return timing;
    };
    let start = phase.start_unix_ms;
    let fired_at = first(obs, a, AlertState::Firing, start);
    let pending_at = first(obs, a, AlertState::Pending, start);
    let deadline = start + (e.within_s * 1000.0) as i64;
    timing.fired = fired_at.is_some();
    timing.pending_after_s = pending_at.map(|t| secs(t - start));
    timing.firing_after_s = fired_at.map(|t| secs(t - start));
    let id = format!("alerts.fired.{a}");
    out.push(match fired_at {
        Some(t) if t <= deadline => Check::pass(
            id,
            KIND,
            format!(
                "{a} fired {} after `{}` started (limit {})",
                fmt_s(secs(t - start)),
                e.fires_in,
                fmt_s(e.within_s)
            ),
        ),
        Some(t) => Check::fail(
            id,
            KIND,
            format!(
                "{a} fired {} after `{}` started, later than the expected {}",
                fmt_s(secs(t - start)),
                e.fires_in,
                fmt_s(e.within_s)
            ),
        ),
        None => {
            let p = pending_at
                .map(|t| {
                    format!(
                        " (pending {} after the start, never firing)",
                        fmt_s(secs(t - start))
                    )
                })
                .unwrap_or_default();
            Check::fail(
                id,
                KIND,
                format!(
                    "{a} never fired after `{}` started (expected within {}){p}",
                    e.fires_in,
                    fmt_s(e.within_s)
                ),
            )
        }
    });

    // Routing.
    let notes: Vec<&Notification> = for_alert(&obs.notifications, a)
        .filter(|n| n.status == NotificationStatus::Firing && n.at_unix_ms >= start)
        .collect();
    timing.notified_after_s = notes
        .iter()
        .map(|n| n.at_unix_ms)
        .min()
        .map(|t| secs(t - start));
    let (exp_names, exp_dest) = split(e.receivers.iter().cloned());
    let (names, dests): (BTreeSet<String>, BTreeSet<String>) = match input.routing {
        RoutingEvidence::Notifications => (
            notes.iter().map(|n| n.receiver.clone()).collect(),
            notes.iter().map(|n| n.destination()).collect(),
        ),
        RoutingEvidence::AlertmanagerApi => (
            obs.am_receivers.get(a).cloned().unwrap_or_default(),
            BTreeSet::new(),
        ),
    };
    timing.receivers = names.iter().chain(dests.iter()).cloned().collect();
    let rcv_names: Vec<String> = names.iter().cloned().collect();
    let id = format!("alerts.routing.{a}");
    if e.receivers.is_empty() {
        out.push(Check::skip(id, KIND, format!("{a}: no receivers expected")));
    } else {
        let mut problems = Vec::new();
        if !exp_names.is_empty() && exp_names != names {
            problems.push(format!(
                "receivers {} (expected {})",
                set(&names),
                set(&exp_names)
            ));
        }
        let dest_checked = input.routing == RoutingEvidence::Notifications;
        if dest_checked && !exp_dest.is_empty() && exp_dest != dests {
            problems.push(format!(
                "destinations {} (expected {})",
                set(&dests),
                set(&exp_dest)
            ));
        }
        let how = if dest_checked {
            "notifications"
        } else {
            "Alertmanager's routing (channels and routing keys not observable on an external stack)"
        };
        out.push(if problems.is_empty() {
            Check::pass(
                id,
                KIND,
                format!(
                    "{a} delivered to {} ({how})",
                    set(&names
                        .union(if dest_checked { &dests } else { &exp_names })
                        .cloned()
                        .collect())
                ),
            )
        } else {
            Check::fail(id, KIND, format!("{a} went to {}", problems.join("; "))).with_evidence(
                notes.iter().map(|n| {
                    format!(
                        "{} {} {:?} {:?}",
                        n.at_unix_ms,
                        n.destination(),
                        n.receiver,
                        n.alertnames
                    )
                }),
            )
        });
    }

    // Resolution, measured from the fault's end (the phase end).
    let end = phase.end_unix_ms;
    let clear = all_clear_times(obs, a)
        .into_iter()
        .find(|t| fired_at.is_some_and(|f| *t > f));
    let resolved_note = for_alert(&obs.notifications, a)
        .filter(|n| {
            n.status == NotificationStatus::Resolved && fired_at.is_some_and(|f| n.at_unix_ms > f)
        })
        .map(|n| n.at_unix_ms)
        .min();
    timing.resolved_after_s = resolved_note.or(clear).map(|t| secs(t - end));
    if let Some(rw) = e.resolves_within_s {
        let id = format!("alerts.resolved.{a}");
        let limit = end + (rw * 1000.0) as i64;
        out.push(match clear {
            Some(t) if t <= limit => Check::pass(id, KIND, format!("{a} resolved {} after `{}` ended (limit {})", fmt_s(secs(t - end)), e.fires_in, fmt_s(rw))),
            Some(t) => Check::fail(id, KIND, format!("{a} resolved {} after `{}` ended, later than the expected {}", fmt_s(secs(t - end)), e.fires_in, fmt_s(rw))),
            None if fired_at.is_none() => Check::fail(id, KIND, format!("{a} never fired, so it never resolved")),
            None => Check::fail(id, KIND, format!("{a} still active at the end of the run (expected resolved within {} after `{}` ended)", fmt_s(rw), e.fires_in)),
        });
    }

    // Silence elsewhere: no firing starts in the listed phases. Pending alone notifies nobody,
    // so it is only counted in the message.
    let silent: Vec<&PhaseWindow> = match &e.silent_in {
        Some(names) => input
            .phases
            .iter()
            .filter(|p| names.contains(&p.name))
            .collect(),
        None => input
            .phases
            .iter()
            .filter(|p| p.name != e.fires_in)
            .collect(),
    };
    let in_silent = |t: i64| {
        silent
            .iter()
            .any(|p| t >= p.start_unix_ms && t < p.end_unix_ms)
    };
    let pending_only = obs
        .changes
        .iter()
        .filter(|c| c.alertname == a && c.state == AlertState::Pending && in_silent(c.at_unix_ms))
        .count();
    let noisy: Vec<String> = obs
        .changes
        .iter()
        .filter(|c| c.alertname == a && c.state == AlertState::Firing)
        .filter_map(|c| {
            silent
                .iter()
                .find(|p| c.at_unix_ms >= p.start_unix_ms && c.at_unix_ms < p.end_unix_ms)
                .map(|p| {
                    format!(
                        "firing {} into `{}` {:?}",
                        fmt_s(secs(c.at_unix_ms - p.start_unix_ms)),
                        p.name,
                        c.labels
                    )
                })
        })
        .collect();
    let silent_names: Vec<&str> = silent.iter().map(|p| p.name.as_str()).collect();
    out.push(if noisy.is_empty() {
        Check::pass(
            format!("alerts.silent.{a}"),
            KIND,
            format!(
                "{a} did not fire in {}{}",
                if silent_names.is_empty() {
                    "no other phase".to_string()
                } else {
                    silent_names.join(", ")
                },
                if pending_only > 0 {
                    format!(" (pending {pending_only} time(s) there, never long enough to fire)")
                } else {
                    String::new()
                }
            ),
        )
    } else {
        Check::fail(
            format!("alerts.silent.{a}"),
            KIND,
            format!(
                "{a} started firing {} time(s) in phases where it must stay silent",
                noisy.len()
            ),
        )
        .with_evidence(noisy)
    });

    labels_and_inhibition(e, obs, out);

    timing.bound_s = input.timing.and_then(|t| t.bound_s(a, &rcv_names));
    timing.events = events(obs, a, input.run_start_unix_ms);
    timing
}

/// Judge the observations against the expectations.
pub fn check_alerts(input: &AlertCheckInput<'_>) -> (Vec<Check>, Vec<AlertTiming>) {
    let mut checks = Vec::new();
    let mut timings: Vec<AlertTiming> = input
        .expectations
        .alerts
        .iter()
        .map(|e| check_one(e, input, &mut checks))
        .collect();
    let expected: BTreeSet<&str> = input
        .expectations
        .alerts
        .iter()
        .map(|e| e.alert.as_str())
        .collect();
    let mut unexpected: BTreeMap<String, i64> = BTreeMap::new();
    for c in &input.observations.changes {
        if c.state == AlertState::Firing && !expected.contains(c.alertname.as_str()) {
            unexpected
                .entry(c.alertname.clone())
                .or_insert(c.at_unix_ms);
        }
    }
    for name in unexpected.keys() {
        timings.push(AlertTiming {
            alert: name.clone(),
            fired: true,
            events: events(input.observations, name, input.run_start_unix_ms),
            ..AlertTiming::default()
        });
    }
    let ev = unexpected.iter().map(|(n, t)| {
        let phase = input
            .phases
            .iter()
            .find(|p| *t >= p.start_unix_ms && *t < p.end_unix_ms)
            .map_or("-", |p| p.name.as_str());
        format!(
            "{n} fired {}s into the run (phase `{phase}`)",
            secs(t - input.run_start_unix_ms)
        )
    });
    let ev: Vec<String> = ev.collect();
    checks.push(
        match (unexpected.is_empty(), input.expectations.unexpected_alerts) {
            (true, _) => Check::pass(
                "alerts.unexpected",
                KIND,
                "no alert fired without being expected",
            ),
            (false, UnexpectedPolicy::Ignore) => Check::pass(
                "alerts.unexpected",
                KIND,
                format!(
                    "{} unexpected alert(s) fired (ignored by `unexpected_alerts: ignore`)",
                    unexpected.len()
                ),
            )
            .with_evidence(ev),
            (false, UnexpectedPolicy::Fail) => Check::fail(
                "alerts.unexpected",
                KIND,
                format!(
                    "alert(s) fired without being expected: {}",
                    unexpected.keys().cloned().collect::<Vec<_>>().join(", ")
                ),
            )
            .with_evidence(ev),
        },
    );
    if !input.observations.poll_errors.is_empty() {
        checks.push(
            Check::error(
                "alerts.observation",
                KIND,
                format!(
                    "{} poll error(s) while watching alerts",
                    input.observations.poll_errors.len()
                ),
            )
            .with_evidence(input.observations.poll_errors.iter().cloned()),
        );
    }
    (checks, timings)
}

/// Every alert check as `skip` with `reason` (e.g. `--stack none`).
pub fn skipped(exp: &AlertExpectations, reason: &str) -> Vec<Check> {
    let mut out = Vec::new();
    for e in &exp.alerts {
        for what in ["fired", "routing", "resolved", "silent", "labels"] {
            out.push(Check::skip(
                format!("alerts.{what}.{}", e.alert),
                KIND,
                reason,
            ));
        }
    }
    out.push(Check::skip("alerts.unexpected", KIND, reason));
    out
}

#[cfg(test)]
mod tests;
