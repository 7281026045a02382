//! Alert checks (pure): expectations × observed alert timeline × phase times → checks
//! (`alerts.fired.<A>`, `alerts.routing.<A>`, `alerts.resolved.<A>`, `alerts.silent.<A>`,
//! `alerts.labels.<A>`, `alerts.inhibited.<A>`, `alerts.unexpected`) and one [`AlertTiming`]
//! per alert (times from the fault's phase start / end, beside the theoretical bound).
//!
//! Each aspect of an expected alert lives in its own module and is listed once in
//! [`ASPECTS`]; the live checks and [`skipped`] both walk that list, so an aspect cannot be
//! judged without also being reported as skipped when there is nothing to observe.

use crate::check::registry::CheckInfo;
use crate::config::timing::StackTiming;
use crate::evidence::AlertTiming;
use crate::evidence::{AlertObservations, AlertState, PhaseWindow, RoutingEvidence};
use crate::expect::alerts::{AlertExpectation, AlertExpectations};
use crate::verdict::Check;

mod fired;
mod heartbeat;
mod inhibition;
mod labels;
mod notification;
mod resolution;
mod routing;
mod silence;
pub(crate) mod timeline;
mod unexpected;
/// The id of the unexpected-alerts check.
pub const UNEXPECTED: &str = unexpected::ID;
use crate::verdict::Kind;
use timeline::{events, first, fmt_s, secs};

const KIND: Kind = Kind::Alerts;

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
    /// Stack seconds per wall second: the observations' and phases' times are on the stack's
    /// clock, `run_start + (wall - run_start) × clock_scale`.
    pub clock_scale: f64,
    pub routing: RoutingEvidence,
}

/// What the aspects of one expected alert read: the expectation, the input, and what is
/// computed once for all of them once the fault's phase is known.
struct AspectCtx<'a> {
    e: &'a AlertExpectation,
    input: &'a AlertCheckInput<'a>,
    /// The phase the alert is expected to fire in (the fault).
    phase: &'a PhaseWindow,
    /// First firing / pending at or after the phase start, Unix ms.
    fired_at: Option<i64>,
    pending_at: Option<i64>,
    /// First time every instance was resolved after `fired_at`, Unix ms.
    cleared_at: Option<i64>,
    /// Who got the alert, as far as `input.routing` can tell.
    seen: routing::Seen<'a>,
}

impl<'a> AspectCtx<'a> {
    fn new(
        e: &'a AlertExpectation,
        input: &'a AlertCheckInput<'a>,
        phase: &'a PhaseWindow,
    ) -> Self {
        let obs = input.observations;
        let a = e.alert.as_str();
        let start = phase.start_unix_ms;
        let fired_at = first(obs, a, AlertState::Firing, start);
        Self {
            e,
            input,
            phase,
            fired_at,
            pending_at: first(obs, a, AlertState::Pending, start),
            cleared_at: resolution::cleared_at(obs, a, fired_at),
            seen: routing::seen(e, input, start),
        }
    }

    fn alert(&self) -> &'a str {
        self.e.alert.as_str()
    }

    fn obs(&self) -> &'a AlertObservations {
        self.input.observations
    }

    /// The check id `<prefix>.<alert>`.
    fn id(&self, prefix: &str) -> String {
        format!("{prefix}.{}", self.e.alert)
    }
}

/// `<subject> <elapsed> after <edge>` (elapsed from `from` to `t`, Unix ms): a pass within
/// `limit_s`, else a fail naming the limit. Firing and resolution share this wording.
fn within_limit(id: String, subject: &str, t: i64, from: i64, edge: &str, limit_s: f64) -> Check {
    let took = fmt_s(secs(t - from));
    let limit = fmt_s(limit_s);
    if t <= from + (limit_s * 1000.0) as i64 {
        Check::pass(
            id,
            KIND,
            format!("{subject} {took} after {edge} (limit {limit})"),
        )
    } else {
        Check::fail(
            id,
            KIND,
            format!("{subject} {took} after {edge}, later than the expected {limit}"),
        )
    }
}

/// One aspect of an expected alert.
struct Aspect {
    /// Check id prefix; the check is `<id>.<alert>`.
    id: &'static str,
    /// Whether the aspect belongs to this expectation (checked live, listed when skipped).
    applies: fn(&AlertExpectation) -> bool,
    /// Push the aspect's check(s); may push none when the expectation asks for nothing.
    check: fn(&AspectCtx<'_>, &mut Vec<Check>),
}

/// Resolution and labels apply to every alert: their checks push nothing when the
/// expectation sets no `resolves_within` / labels, but skipped reports have always listed
/// them, and still do.
fn always(_: &AlertExpectation) -> bool {
    true
}

/// Every aspect, in the order its checks appear in the report.
const ASPECTS: &[Aspect] = &[
    Aspect {
        id: fired::ID,
        applies: always,
        check: fired::check,
    },
    Aspect {
        id: routing::ID,
        applies: always,
        check: routing::check,
    },
    Aspect {
        id: resolution::ID,
        applies: always,
        check: resolution::check,
    },
    Aspect {
        id: silence::ID,
        applies: always,
        check: silence::check,
    },
    Aspect {
        id: labels::ID,
        applies: always,
        check: labels::check,
    },
    Aspect {
        id: inhibition::ID,
        applies: |e| e.inhibited_by.is_some(),
        check: inhibition::check,
    },
    Aspect {
        id: notification::ID,
        applies: |e| e.notification.is_some(),
        check: notification::check,
    },
];

/// The aspects that belong to `e`.
fn aspects_of(e: &AlertExpectation) -> impl Iterator<Item = &'static Aspect> + '_ {
    ASPECTS.iter().filter(move |x| (x.applies)(e))
}

fn check_one(
    e: &AlertExpectation,
    input: &AlertCheckInput<'_>,
    out: &mut Vec<Check>,
) -> AlertTiming {
    let Some(phase) = input.phases.iter().find(|p| p.name == e.fires_in) else {
        out.push(fired::phase_missing(e));
        return AlertTiming {
            alert: e.alert.clone(),
            ..AlertTiming::default()
        };
    };
    let ctx = AspectCtx::new(e, input, phase);
    for aspect in aspects_of(e) {
        (aspect.check)(&ctx, out);
    }
    timing(&ctx)
}

/// The alert's times, from the fault's phase start (resolution: from its end).
fn timing(ctx: &AspectCtx<'_>) -> AlertTiming {
    let a = ctx.alert();
    let start = ctx.phase.start_unix_ms;
    let seen = &ctx.seen;
    let rcv_names: Vec<String> = seen.names.iter().cloned().collect();
    AlertTiming {
        alert: a.to_string(),
        fired: ctx.fired_at.is_some(),
        receivers: seen
            .names
            .iter()
            .chain(seen.dests.iter())
            .cloned()
            .collect(),
        pending_after_s: ctx.pending_at.map(|t| secs(t - start)),
        firing_after_s: ctx.fired_at.map(|t| secs(t - start)),
        notified_after_s: seen.first_at().map(|t| secs(t - start)),
        resolved_after_s: resolution::resolved_after_s(ctx),
        bound_s: ctx.input.timing.and_then(|t| t.bound_s(a, &rcv_names)),
        events: events(ctx.obs(), a, ctx.input.run_start_unix_ms),
        notifications: timeline::for_alert(&ctx.obs().notifications, a)
            .cloned()
            .collect(),
    }
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
    checks.extend(heartbeat::check(input));
    let unexpected = unexpected::first_firings(input);
    timings.extend(unexpected::timings(input, &unexpected));
    checks.push(unexpected::check(input, &unexpected));
    if let Some(c) = observation_check(input.observations, &mut checks) {
        checks.push(c);
    }
    (checks, timings)
}

/// `alerts.observation` (only ever an error) when the watcher lost something: poll errors, or
/// state changes beyond its bound, in which case every alert check read a partial view and is
/// an error too.
fn observation_check(obs: &AlertObservations, checks: &mut [Check]) -> Option<Check> {
    let mut lost = obs.receivers_lost.clone();
    if obs.truncated {
        lost.push(format!(
            "the alert watcher kept its first {} state changes and dropped later ones",
            obs.changes.len()
        ));
    }
    if !lost.is_empty() {
        super::unobserved::mark_kind(checks, KIND, &lost.join("; "));
    }
    let mut what = lost;
    if !obs.poll_errors.is_empty() {
        what.push(format!(
            "{} poll error(s) while watching alerts",
            obs.poll_errors.len()
        ));
    }
    (!what.is_empty()).then(|| {
        Check::error("alerts.observation", KIND, what.join("; "))
            .with_evidence(obs.poll_errors.iter().cloned())
    })
}

/// A PagerDuty routing key is a secret: in checks, timings and the report (the field and the
/// body's `routing_key` / `service_key`) it is shown only when
/// `exp` names it (`pagerduty:<key>` in some alert's receivers, so it is in the user's files
/// already), and otherwise as the fingerprint the redacted config copies show.
pub fn hide_unnamed_keys(obs: &mut AlertObservations, exp: &AlertExpectations) {
    hide_keys_except(obs, &named_keys(std::slice::from_ref(exp)));
}

/// The PagerDuty routing keys the expectation files name (`pagerduty:<key>` receivers).
pub fn named_keys(exps: &[AlertExpectations]) -> std::collections::BTreeSet<String> {
    exps.iter()
        .flat_map(|x| &x.alerts)
        .flat_map(|e| &e.receivers)
        .filter_map(|r| r.strip_prefix("pagerduty:"))
        .map(String::from)
        .collect()
}

/// Replace every routing / service key not in `named` by its fingerprint ([`hide_unnamed_keys`]).
pub fn hide_keys_except(obs: &mut AlertObservations, named: &std::collections::BTreeSet<String>) {
    let hide = |k: &mut String| {
        if !named.contains(k.as_str()) {
            *k = crate::config::secrets::fingerprint(k);
        }
    };
    for n in &mut obs.notifications {
        if let Some(k) = &mut n.routing_key {
            hide(k);
        }
        // The body as sent carries the key too: v2 `routing_key`, v1 `service_key`.
        for field in ["routing_key", "service_key"] {
            if let Some(serde_json::Value::String(k)) = n.body.get_mut(field) {
                hide(k);
            }
        }
    }
}

/// Every alert check as `skip` with `reason` (e.g. `--stack none`).
pub fn skipped(exp: &AlertExpectations, reason: &str) -> Vec<Check> {
    let mut out: Vec<Check> = exp
        .alerts
        .iter()
        .flat_map(|e| {
            aspects_of(e).map(move |x| Check::skip(format!("{}.{}", x.id, e.alert), KIND, reason))
        })
        .collect();
    out.extend(
        exp.heartbeat
            .iter()
            .map(|h| Check::skip(format!("{}.{}", heartbeat::ID, h.alert), KIND, reason)),
    );
    out.push(Check::skip(unexpected::ID, KIND, reason));
    out
}

/// The checks this module emits itself (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[CheckInfo {
    id: "alerts.observation",
    kind: KIND,
    proves: "(only ever an error) the alert watcher could not poll Prometheus/Alertmanager, \
             or dropped state changes beyond its bound",
    failure: "alert timings may be incomplete: the evidence lists the poll errors",
    explain: "Polling errors while watching alerts are reported once, with the errors as \
              evidence. When the watcher dropped state changes, every alert check read a \
              partial view and is an error as well.\n\
              Example failure: 3 poll error(s) while watching alerts",
}];

/// Every alert check declaration: this module's and each aspect's.
pub const CHECK_LISTS: &[&[CheckInfo]] = &[
    CHECKS,
    fired::CHECKS,
    heartbeat::CHECKS,
    routing::CHECKS,
    resolution::CHECKS,
    silence::CHECKS,
    labels::CHECKS,
    inhibition::CHECKS,
    notification::CHECKS,
    unexpected::CHECKS,
];

#[cfg(test)]
mod tests;
