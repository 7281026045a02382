//! Timeline helpers of the alert checks (pure): first transitions, all-clear times, the
//! notifications that mention an alert, receiver sets, and the per-alert event list.

use std::collections::BTreeSet;

use crate::config::duration::format_prom_duration;
use crate::evidence::AlertEvent;
use crate::evidence::{AlertObservations, AlertState};
use crate::evidence::{Notification, NotificationStatus};

pub(crate) fn secs(ms: i64) -> f64 {
    ms as f64 / 1000.0
}

pub(crate) fn fmt_s(s: f64) -> String {
    format_prom_duration(s.max(0.0))
}

pub(crate) fn for_alert<'a>(
    n: &'a [Notification],
    alert: &'a str,
) -> impl Iterator<Item = &'a Notification> {
    n.iter()
        .filter(move |x| x.alertnames.iter().any(|a| a == alert))
}

/// Times (ms) at which every instance of `alert` was resolved, after being active.
pub(crate) fn all_clear_times(obs: &AlertObservations, alert: &str) -> Vec<i64> {
    let mut active = BTreeSet::new();
    let mut out = Vec::new();
    for c in obs.changes.iter().filter(|c| c.alertname == alert) {
        let k = format!("{:?}", c.labels);
        match c.state {
            AlertState::Pending | AlertState::Firing => {
                active.insert(k);
            }
            AlertState::Resolved if active.remove(&k) && active.is_empty() => {
                out.push(c.at_unix_ms);
            }
            _ => {}
        }
    }
    out
}

pub(super) fn first(
    obs: &AlertObservations,
    alert: &str,
    state: AlertState,
    from_ms: i64,
) -> Option<i64> {
    obs.changes
        .iter()
        .find(|c| c.alertname == alert && c.state == state && c.at_unix_ms >= from_ms)
        .map(|c| c.at_unix_ms)
}

/// Split expected receivers into names and destinations (`kind:...`).
pub(super) fn split(rs: impl IntoIterator<Item = String>) -> (BTreeSet<String>, BTreeSet<String>) {
    rs.into_iter().partition(|r| !r.contains(':'))
}

pub(super) fn set(s: &BTreeSet<String>) -> String {
    if s.is_empty() {
        "none".into()
    } else {
        s.iter().cloned().collect::<Vec<_>>().join(", ")
    }
}

pub(super) fn got_any(obs: &AlertObservations, a: &str) -> bool {
    obs.labels.contains_key(a)
}

pub(super) fn events(obs: &AlertObservations, a: &str, run_start: i64) -> Vec<AlertEvent> {
    let mut ev: Vec<AlertEvent> = obs
        .changes
        .iter()
        .filter(|c| c.alertname == a)
        .map(|c| AlertEvent {
            state: format!("{:?}", c.state).to_lowercase(),
            at_s: secs(c.at_unix_ms - run_start),
            receiver: None,
        })
        .chain(for_alert(&obs.notifications, a).map(|n| AlertEvent {
            state: if n.status == NotificationStatus::Resolved {
                "notified_resolved".into()
            } else {
                "notified".into()
            },
            at_s: secs(n.at_unix_ms - run_start),
            receiver: Some(n.destination()),
        }))
        .collect();
    ev.sort_by(|x, y| x.at_s.total_cmp(&y.at_s));
    ev.truncate(200);
    ev
}
