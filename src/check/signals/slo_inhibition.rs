//! `slo.inhibition.<slo>`: while a page of an SLO fires, every firing ticket of the same SLO is
//! inhibited (after a grace for the page to reach Alertmanager and the watcher to see it).
//! Judged on the whole timeline, not on one moment: each instant at which a state changes, or
//! at which a page's grace ends, is looked at.

use std::collections::BTreeMap;

use crate::check::registry::CheckInfo;
use crate::evidence::{AlertObservations, AlertState};
use crate::expect::slo::SloExpectations;
use crate::slo::TierSeverity;
use crate::verdict::{Check, Kind};

pub const ID: &str = "slo.inhibition";

#[derive(Debug, Clone, Copy, Default)]
struct State {
    firing_since: Option<i64>,
    inhibited: bool,
}

fn apply(states: &mut BTreeMap<String, State>, name: &str, at: i64, s: AlertState) {
    let st = states.entry(name.to_string()).or_default();
    match s {
        AlertState::Firing => {
            st.firing_since.get_or_insert(at);
        }
        AlertState::Resolved => *st = State::default(),
        AlertState::Inhibited => st.inhibited = true,
        AlertState::Uninhibited => st.inhibited = false,
        AlertState::Pending => {}
    }
}

/// One check per SLO with listed tiers that has both pages and tickets.
/// `grace_ms` and `start_ms` (the run's start) are on the alerts' clock, like `obs`.
pub fn check(
    exp: &SloExpectations,
    obs: &AlertObservations,
    grace_ms: i64,
    start_ms: i64,
) -> Vec<Check> {
    exp.set
        .slos
        .iter()
        .filter(|slo| exp.tiers.iter().any(|t| t.slo.name == slo.name))
        .filter_map(|slo| {
            let names = |sev| -> Vec<String> {
                slo.tiers
                    .iter()
                    .filter(|t| t.severity == sev)
                    .map(|t| slo.alert_name(t))
                    .collect()
            };
            let (pages, tickets) = (names(TierSeverity::Page), names(TierSeverity::Ticket));
            (!pages.is_empty() && !tickets.is_empty())
                .then(|| one(&slo.name, &pages, &tickets, obs, (grace_ms, start_ms)))
        })
        .collect()
}

fn one(
    slo: &str,
    pages: &[String],
    tickets: &[String],
    obs: &AlertObservations,
    (grace_ms, start_ms): (i64, i64),
) -> Check {
    let id = format!("{ID}.{slo}");
    let mut changes: Vec<_> = obs
        .changes
        .iter()
        .filter(|c| pages.contains(&c.alertname) || tickets.contains(&c.alertname))
        .collect();
    changes.sort_by_key(|c| c.at_unix_ms);
    let mut instants: Vec<i64> = changes.iter().map(|c| c.at_unix_ms).collect();
    // A page's or a ticket's grace ends: Alertmanager must have both by then.
    instants.extend(
        changes
            .iter()
            .filter(|c| c.state == AlertState::Firing)
            .map(|c| c.at_unix_ms + grace_ms),
    );
    instants.sort_unstable();
    instants.dedup();
    let (mut states, mut next) = (BTreeMap::new(), 0);
    let (mut overlaps, mut violation) = (0usize, None);
    for t in instants {
        while next < changes.len() && changes[next].at_unix_ms <= t {
            let c = changes[next];
            apply(&mut states, &c.alertname, c.at_unix_ms, c.state);
            next += 1;
        }
        let page = pages.iter().find(|p| {
            states
                .get(*p)
                .and_then(|s: &State| s.firing_since)
                .is_some_and(|f| t - f >= grace_ms)
        });
        let Some(page) = page else { continue };
        for tk in tickets {
            let st = states.get(tk).copied().unwrap_or_default();
            if st.firing_since.is_some_and(|f| t - f >= grace_ms) {
                overlaps += 1;
                if !st.inhibited && violation.is_none() {
                    violation = Some((tk.clone(), page.clone(), t));
                }
            }
        }
    }
    match (violation, overlaps) {
        (Some((tk, page, t)), _) => Check::fail(
            id,
            KIND,
            format!(
                "{tk} was firing and not inhibited {} into the run while {page} fired: the page does not suppress the ticket of SLO `{slo}` (alertmanager.yml inhibit_rules)",
                crate::config::duration::format_prom_duration(
                    (t - start_ms).max(0) as f64 / 1000.0
                )
            ),
        ),
        (None, 0) => Check::skip(
            id,
            KIND,
            format!(
                "no page of SLO `{slo}` fired while one of its tickets did: inhibition not exercised"
            ),
        ),
        (None, n) => Check::pass(
            id,
            KIND,
            format!(
                "every ticket of SLO `{slo}` that fired beside a page was inhibited ({n} moments looked at)"
            ),
        ),
    }
}

const KIND: Kind = Kind::Slo;

/// The checks this module emits (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[CheckInfo {
    id: "slo.inhibition.<slo>",
    kind: KIND,
    proves: "while a page of the SLO fired, its firing tickets were inhibited by Alertmanager",
    failure: "the ticket notifies beside the page: see the tier inhibit rule in alertmanager.yml",
    explain: "Every change of the SLO's page and ticket alerts is replayed; from a grace (stack \
              delays and two watcher polls) after a page fires, a firing ticket of the same SLO \
              must be inhibited. Skipped when no ticket fired beside a page.\n\
              Example failure: JobSuccessBudgetBurn1d was firing and not inhibited 412s into \
              the run while JobSuccessBudgetBurn6h fired",
}];
