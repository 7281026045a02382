//! `notifications.resolved.<A>`: every receiver integration with `send_resolved: true` that
//! got the alert firing also got its resolved message, once the alert resolved (in the
//! watcher's state changes) at least that receiver's `group_interval` plus a margin before the
//! observation ended; resolved later (or never), the message was not due: a skip saying so.

use std::collections::BTreeSet;

use super::{KIND, NotificationInput};
use crate::check::registry::CheckInfo;
use crate::check::signals::alerts::timeline::{all_clear_times, fmt_s, secs};
use crate::evidence::{AlertObservations, AlertState, Notification, NotificationStatus};
use crate::verdict::{Check, Status};

pub const ID: &str = "notifications.resolved";

/// When `alert` last became all clear, if it stayed so to the end of the observation.
fn final_clear(obs: &AlertObservations, alert: &str) -> Option<i64> {
    let last = *all_clear_times(obs, alert).last()?;
    let again = obs.changes.iter().any(|c| {
        c.alertname == alert
            && c.at_unix_ms > last
            && matches!(c.state, AlertState::Firing | AlertState::Pending)
    });
    (!again).then_some(last)
}

/// The end of the observation: as recorded, else the last stamp seen.
fn until(obs: &AlertObservations) -> i64 {
    obs.until_unix_ms.unwrap_or_else(|| {
        obs.changes
            .iter()
            .map(|c| c.at_unix_ms)
            .chain(obs.notifications.iter().map(|n| n.at_unix_ms))
            .max()
            .unwrap_or(0)
    })
}

fn kind_name(n: &Notification) -> &'static str {
    match n.kind {
        crate::evidence::NotificationKind::Slack => "slack",
        crate::evidence::NotificationKind::Pagerduty => "pagerduty",
        crate::evidence::NotificationKind::Webhook => "webhook",
    }
}

/// One receiver integration's verdict: Pass / Fail / Skip with its sentence.
fn one(
    alert: &str,
    (receiver, kind): (&str, &str),
    notes: &[&Notification],
    input: &NotificationInput<'_>,
    gi_s: f64,
) -> (Status, String) {
    let obs = input.observations;
    let at = |n: &&&Notification| n.receiver == receiver && kind_name(n) == kind;
    let last_firing = notes
        .iter()
        .filter(at)
        .filter(|n| n.status == NotificationStatus::Firing)
        .map(|n| n.at_unix_ms)
        .max()
        .unwrap_or(i64::MIN);
    let what = format!("receiver `{receiver}` ({kind}, send_resolved: true)");
    let Some(cleared) = final_clear(obs, alert) else {
        return (
            Status::Skip,
            format!(
                "{what}: {alert} was still active when the observation ended: its resolved message was not due"
            ),
        );
    };
    let left_s = secs(until(obs) - cleared);
    let need_s = gi_s + input.margin_s;
    let got = notes
        .iter()
        .filter(at)
        .any(|n| n.status == NotificationStatus::Resolved && n.at_unix_ms >= last_firing);
    match (got, left_s >= need_s) {
        (true, _) => (Status::Pass, format!("{what} got the resolved message")),
        (false, false) => (
            Status::Skip,
            format!(
                "{what}: {alert} resolved {} before the observation ended, less than its group_interval {} plus {} margin: not observable",
                fmt_s(left_s),
                fmt_s(gi_s),
                fmt_s(input.margin_s)
            ),
        ),
        (false, true) => (
            Status::Fail,
            format!(
                "{alert}: {what} got it firing but never its resolved message, {} after {alert} resolved (group_interval {})",
                fmt_s(left_s),
                fmt_s(gi_s)
            ),
        ),
    }
}

pub(super) fn check(alert: &str, notes: &[&Notification], input: &NotificationInput<'_>) -> Check {
    let id = format!("{ID}.{alert}");
    let Some(t) = input.timing else {
        return Check::skip(
            id,
            KIND,
            format!("{alert}: the receivers' send_resolved settings are unknown"),
        );
    };
    let targets: BTreeSet<(&str, &str)> = notes
        .iter()
        .filter(|n| n.status == NotificationStatus::Firing)
        .map(|n| (n.receiver.as_str(), kind_name(n)))
        .filter(|(r, k)| t.send_resolved.get(*r).is_some_and(|s| s.contains(*k)))
        .collect();
    if targets.is_empty() {
        return Check::skip(
            id,
            KIND,
            format!("{alert}: no receiver that got it firing has send_resolved: true"),
        );
    }
    let results: Vec<(Status, String)> = targets
        .iter()
        .map(|&(r, k)| {
            let gi = t
                .group_interval_by_receiver_s
                .get(r)
                .copied()
                .unwrap_or(t.group_interval_s);
            one(alert, (r, k), notes, input, gi)
        })
        .collect();
    let lines = results.iter().map(|(_, m)| m.clone());
    let of = |s: Status| {
        results
            .iter()
            .filter(|(x, _)| *x == s)
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
    };
    let (fails, passes) = (of(Status::Fail), of(Status::Pass));
    if let Some(f) = fails.first() {
        Check::fail(
            id,
            KIND,
            format!(
                "{f} ({} of {} receiver integration(s))",
                fails.len(),
                results.len()
            ),
        )
        .with_evidence(lines)
    } else if passes.len() == results.len() {
        Check::pass(id, KIND, format!("{alert}: {}", passes.join("; ")))
    } else {
        // Some not observable: never a pass on a partial view.
        let skips = of(Status::Skip);
        Check::skip(id, KIND, skips.join("; ")).with_evidence(lines)
    }
}

pub(super) const INFO: CheckInfo = CheckInfo {
    id: "notifications.resolved.<alert>",
    kind: KIND,
    proves: "every receiver integration with send_resolved: true that got the alert firing \
             also got its resolved message",
    failure: "the on-call person is never told the alert cleared: see the receiver's resolved \
              template (one that fails to render drops the message) and its routes",
    explain: "Demanded only when the alert resolved, in the watcher's state changes, at least \
              the receiver's group_interval plus a margin (Prometheus's evaluation interval \
              and two wall seconds, on the run's clock) before the observation ended; \
              otherwise the check is a skip saying it was not observable. send_resolved is \
              read per receiver and integration from the Alertmanager config (Slack's default \
              is off, PagerDuty's on).\n\
              Example failure: RenderFailures: receiver `critical` (slack, send_resolved: \
              true) got it firing but never its resolved message, 5m0s after RenderFailures \
              resolved (group_interval 2m0s)",
};
