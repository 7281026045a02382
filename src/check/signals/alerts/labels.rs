//! `alerts.labels.<A>`: the alert carries the expected labels and annotations (partial,
//! anchored regexes; unlisted ones are not checked).

use super::timeline::got_any;
use super::{AspectCtx, KIND};
use crate::check::registry::CheckInfo;
use crate::evidence::AlertObservations;
use crate::expect::alerts::AlertExpectation;
use crate::verdict::Check;

pub const ID: &str = "alerts.labels";

/// Every expected label or annotation that is missing or does not match.
fn mismatches(e: &AlertExpectation, obs: &AlertObservations) -> Vec<String> {
    let a = e.alert.as_str();
    let mut bad = Vec::new();
    for (what, exp, got) in [
        ("label", &e.labels, obs.labels.get(a)),
        ("annotation", &e.annotations, obs.annotations.get(a)),
    ] {
        for (k, re) in exp {
            match got.and_then(|g| g.get(k)) {
                Some(v) if re.is_match(v) => {}
                Some(v) => bad.push(format!(
                    "{what} `{k}` is `{v}`, expected to match `{}`",
                    re.as_str()
                )),
                None => bad.push(format!("{what} `{k}` missing")),
            }
        }
    }
    bad
}

/// Judged only when the expectation lists labels or annotations.
pub(super) fn check(ctx: &AspectCtx<'_>, out: &mut Vec<Check>) {
    let (e, obs, a) = (ctx.e, ctx.obs(), ctx.alert());
    if e.labels.is_empty() && e.annotations.is_empty() {
        return;
    }
    let bad = mismatches(e, obs);
    let id = ctx.id(ID);
    out.push(if got_any(obs, a) && bad.is_empty() {
        Check::pass(
            id,
            KIND,
            format!("{a} carries the expected labels and annotations"),
        )
    } else if !got_any(obs, a) {
        Check::fail(
            id,
            KIND,
            format!("{a} never became active: labels and annotations unseen"),
        )
    } else {
        Check::fail(id, KIND, format!("{a}: {}", bad.join("; ")))
    });
}

/// The checks this module emits (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[CheckInfo {
    id: "alerts.labels.<alert>",
    kind: KIND,
    proves: "the active alert carried the expected labels and annotations",
    failure: "routing or the notification text would be wrong: see the rule's labels",
    explain: "Judged only when the expectation lists labels or annotations: each must be \
              present and match its anchored regex; unlisted ones are not checked.\n\
              Example failure: RenderFailures: label `severity` is `warning`, expected to match \
              `critical`",
}];
