//! `alerts.resolved.<A>`: the alert resolves within `resolves_within` of the fault's end
//! (the phase end).

use super::timeline::{all_clear_times, fmt_s, for_alert, secs};
use super::{AspectCtx, KIND, within_limit};
use crate::check::registry::CheckInfo;
use crate::evidence::AlertObservations;
use crate::evidence::NotificationStatus;
use crate::verdict::Check;

pub const ID: &str = "alerts.resolved";

/// First time (ms) every instance of `a` was resolved after it fired.
pub(super) fn cleared_at(obs: &AlertObservations, a: &str, fired_at: Option<i64>) -> Option<i64> {
    all_clear_times(obs, a)
        .into_iter()
        .find(|t| fired_at.is_some_and(|f| *t > f))
}

/// Seconds from the fault's end to the first resolved notification, else to the all-clear.
pub(super) fn resolved_after_s(ctx: &AspectCtx<'_>) -> Option<f64> {
    let resolved_note = for_alert(&ctx.obs().notifications, ctx.alert())
        .filter(|n| {
            n.status == NotificationStatus::Resolved
                && ctx.fired_at.is_some_and(|f| n.at_unix_ms > f)
        })
        .map(|n| n.at_unix_ms)
        .min();
    resolved_note
        .or(ctx.cleared_at)
        .map(|t| secs(t - ctx.phase.end_unix_ms))
}

/// Judged only when the expectation sets `resolves_within`.
pub(super) fn check(ctx: &AspectCtx<'_>, out: &mut Vec<Check>) {
    let Some(rw) = ctx.e.resolves_within_s else {
        return;
    };
    let (a, fires_in) = (ctx.alert(), &ctx.e.fires_in);
    let end = ctx.phase.end_unix_ms;
    let id = ctx.id(ID);
    out.push(match ctx.cleared_at {
        Some(t) => within_limit(
            id,
            &format!("{a} resolved"),
            t,
            end,
            &format!("`{fires_in}` ended"),
            rw,
        ),
        None if ctx.fired_at.is_none() => Check::fail(
            id,
            KIND,
            format!("{a} never fired, so it never resolved"),
        ),
        None => Check::fail(
            id,
            KIND,
            format!(
                "{a} still active at the end of the run (expected resolved within {} after `{fires_in}` ended)",
                fmt_s(rw)
            ),
        ),
    });
}

/// The checks this module emits (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[CheckInfo {
    id: "alerts.resolved.<alert>",
    kind: KIND,
    proves: "the alert resolved within `resolves_within` of the end of the fault's phase",
    failure: "the alert stays active after the fault (or never fired): see its rule's window",
    explain: "Judged only when the expectation sets resolves_within: from the fault phase's \
              end to the first resolved notification, else to every instance being resolved.\n\
              Example failure: RenderFailures still active at the end of the run (expected \
              resolved within 1m after `storm` ended)",
}];
