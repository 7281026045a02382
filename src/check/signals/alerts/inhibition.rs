//! `alerts.inhibited.<A>`: the alert named in `inhibited_by` fired and inhibited this one.

use super::{AspectCtx, KIND};
use crate::check::registry::CheckInfo;
use crate::evidence::AlertState;
use crate::verdict::Check;

pub const ID: &str = "alerts.inhibited";

pub(super) fn check(ctx: &AspectCtx<'_>, out: &mut Vec<Check>) {
    let Some(b) = &ctx.e.inhibited_by else {
        return;
    };
    let (obs, a) = (ctx.obs(), ctx.alert());
    let inhibited = obs
        .changes
        .iter()
        .any(|c| c.alertname == a && c.state == AlertState::Inhibited);
    let b_fired = obs
        .changes
        .iter()
        .any(|c| &c.alertname == b && c.state == AlertState::Firing);
    out.push(Check::from_bool(
        ctx.id(ID),
        KIND,
        inhibited && b_fired,
        if inhibited && b_fired {
            format!("{a} was inhibited while {b} fired")
        } else {
            format!(
                "{a} was never inhibited by {b} ({b} {})",
                if b_fired { "fired" } else { "never fired" }
            )
        },
    ));
}

/// The checks this module emits (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[CheckInfo {
    id: "alerts.inhibited.<alert>",
    kind: KIND,
    proves: "the alert was inhibited while the alert named in `inhibited_by` fired",
    failure: "both alerts notify: see `inhibit_rules` in alertmanager.yml",
    explain: "Only for expectations with inhibited_by: the inhibiting alert must fire and this \
              one be reported inhibited by Alertmanager meanwhile.\n\
              Example failure: PipelineDegraded was never inhibited by PipelineDown \
              (PipelineDown fired)",
}];
