//! `alerts.fired.<A>`: the alert fires within `within` of the fault's phase start.

use super::timeline::{fmt_s, secs};
use super::{AspectCtx, KIND, within_limit};
use crate::check::registry::CheckInfo;
use crate::evidence::AlertState;
use crate::expect::alerts::AlertExpectation;
use crate::verdict::Check;

pub const ID: &str = "alerts.fired";

/// The fault's phase never ran, so no aspect of the alert can be judged.
pub(super) fn phase_missing(e: &AlertExpectation) -> Check {
    Check::error(
        format!("{ID}.{}", e.alert),
        KIND,
        format!("{}: phase `{}` did not run", e.fires_in_at, e.fires_in),
    )
}

pub(super) fn check(ctx: &AspectCtx<'_>, out: &mut Vec<Check>) {
    let mut c = judged(ctx);
    if c.status != crate::verdict::Status::Pass
        && let Some(note) = already_firing(ctx)
    {
        c.message.push_str(&note);
    }
    out.push(c);
}

/// When the alert was still firing from before its phase started (a threshold crossed too
/// early, an inverted comparison): where it had started, which the failure must name.
fn already_firing(ctx: &AspectCtx<'_>) -> Option<String> {
    let start = ctx.phase.start_unix_ms;
    // Each instance (label set) firing at the start, with when it began.
    let mut firing = std::collections::BTreeMap::new();
    let changes = ctx.obs().changes.iter();
    for c in changes.filter(|c| c.alertname == ctx.alert() && c.at_unix_ms < start) {
        match c.state {
            AlertState::Firing => {
                firing.entry(&c.labels).or_insert(c.at_unix_ms);
            }
            AlertState::Resolved => {
                firing.remove(&c.labels);
            }
            _ => {}
        }
    }
    let t = firing.into_values().min()?;
    let phase = ctx
        .input
        .phases
        .iter()
        .find(|p| p.start_unix_ms <= t && t < p.end_unix_ms)
        .map_or(String::new(), |p| format!(" in `{}`", p.name));
    Some(format!(
        "; it was already firing when `{}` started, since {} into the run{phase}",
        ctx.e.fires_in,
        fmt_s(secs(t - ctx.input.run_start_unix_ms))
    ))
}

/// The verdict on the first firing at or after the phase start.
fn judged(ctx: &AspectCtx<'_>) -> Check {
    let (e, a) = (ctx.e, ctx.alert());
    let start = ctx.phase.start_unix_ms;
    let id = ctx.id(ID);
    match ctx.fired_at {
        Some(t) => within_limit(
            id,
            &format!("{a} fired"),
            t,
            start,
            &format!("`{}` started", e.fires_in),
            e.within_s,
        ),
        None => {
            let p = ctx
                .pending_at
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
    }
}

/// The checks this module emits (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[CheckInfo {
    id: "alerts.fired.<alert>",
    kind: KIND,
    proves: "the alert fired within `within` of the start of the fault's phase",
    failure: "the alert never fired or fired late: see its rule's expr, `for:` and the timings",
    explain: "Watches the alert's state from the start of its `fires_in` phase; the report's \
              alert table gives pending/firing times beside the theoretical bound (scrape and \
              evaluation intervals, `for:`). Fails also when the phase did not run.\n\
              Example failure: RenderFailures never fired after `storm` started (expected within \
              2m) (pending 10s after the start, never firing)",
}];
