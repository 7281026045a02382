//! Label, annotation and inhibition checks of one expected alert (pure).

use super::KIND;
use super::timeline::got_any;
use crate::evidence::{AlertObservations, AlertState};
use crate::expect::alerts::AlertExpectation;
use crate::verdict::Check;

/// `alerts.labels.<A>` (partial, anchored regexes) and `alerts.inhibited.<A>` when asked for.
pub(super) fn labels_and_inhibition(
    e: &AlertExpectation,
    obs: &AlertObservations,
    out: &mut Vec<Check>,
) {
    let a = e.alert.as_str();
    // Labels and annotations (partial, anchored regexes).
    if !e.labels.is_empty() || !e.annotations.is_empty() {
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
        let id = format!("alerts.labels.{a}");
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

    if let Some(b) = &e.inhibited_by {
        let id = format!("alerts.inhibited.{a}");
        let inhibited = obs
            .changes
            .iter()
            .any(|c| c.alertname == a && c.state == AlertState::Inhibited);
        let b_fired = obs
            .changes
            .iter()
            .any(|c| &c.alertname == b && c.state == AlertState::Firing);
        out.push(Check::from_bool(
            id,
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
}
