//! Notification checks that always run on a managed stack, whatever the expectations say, over
//! every notification obsgate's fake receivers got, one check per alert seen in them:
//! `notifications.rendering.<A>` (no `<no value>`, `%!` or `{{` in a rendered field),
//! `notifications.runbook.<A>` (every page carries a runbook link) and
//! `notifications.resolved.<A>` (a receiver with `send_resolved: true` got the resolved
//! message). Pure: the link files that exist were gathered by the run
//! (`AlertObservations::link_files`).

use std::collections::BTreeSet;

use crate::check::registry::CheckInfo;
use crate::config::timing::StackTiming;
use crate::evidence::{AlertObservations, Notification, RoutingEvidence};
use crate::verdict::{Check, Kind};

mod rendering;
mod resolved;
pub mod runbook;

const KIND: Kind = Kind::Alerts;
/// The id of the one skip said when there are no fake receivers.
pub const SKIP_ID: &str = "notifications";

/// What the notification checks read (times on the stack's clock, keys already hidden).
#[derive(Debug, Clone, Copy)]
pub struct NotificationInput<'a> {
    pub observations: &'a AlertObservations,
    /// Where routing evidence came from: only the fake receivers see notifications.
    pub routing: RoutingEvidence,
    /// The stack's timing (group intervals, send_resolved); None when unknown.
    pub timing: Option<&'a StackTiming>,
    /// Added to a receiver's `group_interval` before a resolved message is demanded, seconds
    /// on the stack's clock (Prometheus's evaluation and the watcher's polling).
    pub margin_s: f64,
}

/// Alerts that both the watcher saw and some notification names (a default template's title
/// also lists group label values such as `critical`: those are not alerts).
fn alerts_seen(obs: &AlertObservations) -> BTreeSet<&str> {
    let known: BTreeSet<&str> = obs
        .labels
        .keys()
        .map(String::as_str)
        .chain(obs.changes.iter().map(|c| c.alertname.as_str()))
        .collect();
    obs.notifications
        .iter()
        .flat_map(|n| n.alertnames.iter().map(String::as_str))
        .filter(|a| known.contains(a))
        .collect()
}

/// `alert`'s notifications.
fn of<'a>(obs: &'a AlertObservations, alert: &'a str) -> Vec<&'a Notification> {
    crate::check::signals::alerts::timeline::for_alert(&obs.notifications, alert).collect()
}

/// `receiver (kind, status)`, naming a notification in messages.
fn who(n: &Notification) -> String {
    format!(
        "receiver `{}` ({}, {})",
        n.receiver,
        n.destination(),
        if n.status == crate::evidence::NotificationStatus::Firing {
            "firing"
        } else {
            "resolved"
        }
    )
}

/// Every notification check of the run.
pub fn check_notifications(input: &NotificationInput<'_>) -> Vec<Check> {
    if input.routing != RoutingEvidence::Notifications {
        return vec![skipped(
            "an external stack's notifications go to its real receivers, which obsgate does not see",
        )];
    }
    let obs = input.observations;
    let mut out = Vec::new();
    for a in alerts_seen(obs) {
        let notes = of(obs, a);
        out.push(rendering::check(a, &notes));
        out.push(runbook::check(a, &notes, obs));
        out.push(resolved::check(a, &notes, input));
    }
    let mut lost = obs.receivers_lost.clone();
    if obs.truncated {
        lost.push("the alert watcher dropped state changes beyond its bound".into());
    }
    if !lost.is_empty() {
        super::unobserved::mark_kind(&mut out, KIND, &lost.join("; "));
        if out.is_empty() {
            out.push(Check::error(SKIP_ID, KIND, lost.join("; ")));
        }
    }
    out
}

/// The one skip said instead of the notification checks.
pub fn skipped(reason: &str) -> Check {
    Check::skip(
        SKIP_ID,
        KIND,
        format!("notification checks not run: {reason}"),
    )
}

/// At most `n` chars either side of byte `at` in `t`, on char boundaries.
fn around(t: &str, at: usize, len: usize) -> String {
    const N: usize = 40;
    let start = t[..at]
        .char_indices()
        .rev()
        .nth(N - 1)
        .map_or(0, |(i, _)| i);
    let end = t[at + len..]
        .char_indices()
        .nth(N)
        .map_or(t.len(), |(i, _)| at + len + i);
    let pre = if start > 0 { "…" } else { "" };
    let post = if end < t.len() { "…" } else { "" };
    format!("{pre}{}{post}", &t[start..end]).replace('\n', "\\n")
}

/// The checks this module emits (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[
    CheckInfo {
        id: SKIP_ID,
        kind: KIND,
        proves: "(only ever a skip or an error) the notification checks could not run: \
                 no fake receivers (external stack), or the receivers lost notifications",
        failure: "see the message: the notifications were not observed",
        explain: "The notification checks read what obsgate's fake receivers got, which \
                  only exist on a managed stack; an external stack says so once here.\n\
                  Example: notification checks not run: an external stack's notifications \
                  go to its real receivers, which obsgate does not see",
    },
    rendering::INFO,
    runbook::INFO,
    resolved::INFO,
];

#[cfg(test)]
mod tests;
