//! `alerts.heartbeat.<alert>`: an always-firing alert (the Watchdog) keeps reaching its
//! receiver (the dead-man's switch) for the whole observation. Its notifications prove the
//! alerting path (Prometheus evaluating, Alertmanager routing and sending) was up.
//!
//! - No notification at all: `fail`, the config is broken (the rule, the route or the receiver).
//! - The first one later than the evaluation interval + the receiver's `group_wait` after the
//!   watcher started: `fail` (something holds the heartbeat back).
//! - Two consecutive ones (or the last one and the end of the observation) further apart than
//!   the interval + the receiver's `group_interval` (Alertmanager sends a repeat at a
//!   group_interval tick only): `error`. The path was down for a while, so nothing the run
//!   saw in that window is proof of anything: the run is incomplete, and no alert is blamed.
//!
//! Times are on the stack's clock (scenario seconds for a managed stack), with a margin of
//! [`MARGIN_WALL_S`] wall seconds for scheduling; messages give the wall times in UTC. Pure.

use super::timeline::fmt_s;
use super::{AlertCheckInput, KIND};
use crate::check::registry::CheckInfo;
use crate::expect::heartbeat::Heartbeat;
use crate::verdict::Check;

pub const ID: &str = "alerts.heartbeat";

/// Wall seconds allowed on top of every bound: process scheduling, HTTP, the receivers.
pub const MARGIN_WALL_S: f64 = 2.0;

/// The heartbeat check, when the file expects one.
pub(super) fn check(input: &AlertCheckInput<'_>) -> Option<Check> {
    let hb = input.expectations.heartbeat.as_ref()?;
    Some(judge(hb, input))
}

/// A stack-clock instant as the wall time it was, in UTC.
fn utc(input: &AlertCheckInput<'_>, t: i64) -> String {
    let start = input.run_start_unix_ms;
    let wall = start + ((t - start) as f64 / input.clock_scale.max(1e-9)).round() as i64;
    chrono::DateTime::from_timestamp_millis(wall).map_or_else(
        || format!("{wall} ms"),
        |d| d.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    )
}

fn judge(hb: &Heartbeat, input: &AlertCheckInput<'_>) -> Check {
    let id = format!("{ID}.{}", hb.alert);
    let obs = input.observations;
    let beats: Vec<i64> = obs
        .notifications
        .iter()
        .filter(|n| n.receiver == hb.receiver && n.alertnames.contains(&hb.alert))
        .map(|n| n.at_unix_ms)
        .collect();
    let Some(&first) = beats.first() else {
        return Check::fail(
            id,
            KIND,
            format!(
                "{} never reached receiver {}: the heartbeat's rule, route or receiver is broken \
                 ({} notification(s) to other receivers or of other alerts)",
                hb.alert,
                hb.receiver,
                obs.notifications.len()
            ),
        );
    };
    let timing = input.timing;
    let margin = MARGIN_WALL_S * input.clock_scale;
    let group_interval = timing
        .and_then(|t| t.group_interval_by_receiver_s.get(&hb.receiver).copied())
        .unwrap_or(0.0);
    let limit_s = hb.interval_s + group_interval + margin;
    let started = obs.watched_from_unix_ms.unwrap_or(input.run_start_unix_ms);
    let first_bound_s = timing.map_or(limit_s, |t| {
        let gw = t.group_wait_by_receiver_s.get(&hb.receiver);
        t.evaluation_interval_s + gw.copied().unwrap_or(t.group_wait_s) + margin
    });
    let first_after_s = (first - started) as f64 / 1000.0;
    if first_after_s > first_bound_s {
        return Check::fail(
            id,
            KIND,
            format!(
                "the first {} reached receiver {} {} after the stack was watched, later than the \
                 {} the evaluation interval and group_wait allow",
                hb.alert,
                hb.receiver,
                fmt_s(first_after_s),
                fmt_s(first_bound_s)
            ),
        );
    }
    let end = obs.watched_until_unix_ms.unwrap_or(first).max(first);
    let gaps = gaps(&beats, end, limit_s);
    let evidence = gaps.iter().map(|&(a, b)| {
        format!(
            "no heartbeat between {} and {} ({:.0} s)",
            utc(input, a),
            utc(input, b),
            (b - a) as f64 / 1000.0
        )
    });
    let evidence: Vec<String> = evidence.collect();
    let Some(&(a, b)) = gaps.first() else {
        return Check::pass(
            id,
            KIND,
            format!(
                "{} heartbeat(s) to receiver {}, never more than {} apart (interval {} + group_interval {} + margin {})",
                beats.len(),
                hb.receiver,
                fmt_s(limit_s),
                fmt_s(hb.interval_s),
                fmt_s(group_interval),
                fmt_s(margin)
            ),
        );
    };
    Check::error(
        id,
        KIND,
        format!(
            "no heartbeat between {} and {} ({:.0} s, interval {:.0} s, allowed {:.0} s with \
             group_interval and margin): the alerting path was down, so the run is incomplete",
            utc(input, a),
            utc(input, b),
            (b - a) as f64 / 1000.0,
            hb.interval_s,
            limit_s
        ),
    )
    .with_all_evidence(evidence)
}

/// Every pair of consecutive beats (and the last beat with `end`) further apart than `limit_s`.
fn gaps(beats: &[i64], end: i64, limit_s: f64) -> Vec<(i64, i64)> {
    let limit_ms = (limit_s * 1000.0) as i64;
    beats
        .iter()
        .copied()
        .zip(beats.iter().skip(1).copied().chain([end]))
        .filter(|(a, b)| b - a > limit_ms)
        .collect()
}

/// The check this module emits (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[CheckInfo {
    id: "alerts.heartbeat.<alert>",
    kind: KIND,
    proves: "the always-firing heartbeat alert kept reaching its receiver (the dead-man's \
             switch) for the whole observation: the alerting path was up",
    failure: "fail: it never arrived or came late (the heartbeat's rule, route or receiver is \
              broken); error: a gap longer than the interval, so the run is incomplete",
    explain: "From the first heartbeat notification to the end of the observation, consecutive \
              notifications of the `heartbeat:` alert to its receiver must never be further \
              apart than the interval, plus the receiver's group_interval (Alertmanager repeats \
              at a group_interval tick) and a margin of 2 wall seconds; the first must arrive \
              within the evaluation interval + group_wait of the stack being watched. A gap is \
              an error, not a failure: the alerting path was down, so what the run saw then \
              proves nothing, and no alert is blamed.\n\
              Example error: no heartbeat between 2026-01-01T10:00:03.000Z and \
              2026-01-01T10:00:13.000Z (300 s, interval 60 s, allowed 180 s with group_interval \
              and margin): the alerting path was down, so the run is incomplete",
}];

#[cfg(test)]
#[path = "heartbeat_tests.rs"]
mod tests;
