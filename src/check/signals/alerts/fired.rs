//! `alerts.fired.<A>`: the alert fires within `within` of the fault's phase start.

use super::timeline::{fmt_s, secs};
use super::{AspectCtx, KIND, within_limit};
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
    let (e, a) = (ctx.e, ctx.alert());
    let start = ctx.phase.start_unix_ms;
    let id = ctx.id(ID);
    out.push(match ctx.fired_at {
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
    });
}
