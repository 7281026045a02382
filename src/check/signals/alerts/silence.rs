//! `alerts.silent.<A>`: no firing starts in the phases where the alert must stay silent
//! (`silent_in`, or every phase but the fault's). Pending alone notifies nobody, so it is
//! only counted in the message.

use super::timeline::{fmt_s, secs};
use super::{AspectCtx, KIND};
use crate::check::registry::CheckInfo;
use crate::evidence::AlertState;
use crate::evidence::PhaseWindow;
use crate::verdict::Check;

pub const ID: &str = "alerts.silent";

/// The phases in which the alert must not start firing.
fn silent_phases<'a>(ctx: &AspectCtx<'a>) -> Vec<&'a PhaseWindow> {
    let phases = ctx.input.phases;
    match &ctx.e.silent_in {
        Some(names) => phases.iter().filter(|p| names.contains(&p.name)).collect(),
        None => phases.iter().filter(|p| p.name != ctx.e.fires_in).collect(),
    }
}

fn phase_at<'p>(silent: &[&'p PhaseWindow], t: i64) -> Option<&'p PhaseWindow> {
    silent
        .iter()
        .copied()
        .find(|p| t >= p.start_unix_ms && t < p.end_unix_ms)
}

pub(super) fn check(ctx: &AspectCtx<'_>, out: &mut Vec<Check>) {
    let a = ctx.alert();
    let silent = silent_phases(ctx);
    let changes = || ctx.obs().changes.iter().filter(|c| c.alertname == a);
    let pending_only = changes()
        .filter(|c| c.state == AlertState::Pending && phase_at(&silent, c.at_unix_ms).is_some())
        .count();
    let mut where_: Vec<&str> = Vec::new();
    let noisy: Vec<String> = changes()
        .filter(|c| c.state == AlertState::Firing)
        .filter_map(|c| {
            phase_at(&silent, c.at_unix_ms).map(|p| {
                if !where_.contains(&p.name.as_str()) {
                    where_.push(p.name.as_str());
                }
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
            ctx.id(ID),
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
            ctx.id(ID),
            KIND,
            format!(
                "{a} started firing {} time(s) in phases where it must stay silent: {} (first {})",
                noisy.len(),
                where_.join(", "),
                noisy.first().map_or("", String::as_str)
            ),
        )
        .with_evidence(noisy)
    });
}

/// The checks this module emits (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[CheckInfo {
    id: "alerts.silent.<alert>",
    kind: KIND,
    proves: "the alert did not start firing in the phases where it must stay silent",
    failure: "the alert is noisy (fires on healthy traffic): see its threshold and `for:`",
    explain: "Silent phases are `silent_in`, or every phase but the fault's; pending alone \
              notifies nobody and is only counted in the message.\n\
              Example failure: RenderFailures started firing 1 time(s) in phases where it must \
              stay silent",
}];
