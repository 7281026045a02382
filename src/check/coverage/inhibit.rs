//! Coverage of the inhibition rules: a rule is covered when it explains an inhibition the
//! watcher saw: the inhibited instance matches its target, and at that moment an instance
//! matching its source, with the `equal` labels, was firing (Alertmanager's semantics, through
//! `check::config::routes_tree::inhibited_by`).

use std::collections::{BTreeMap, BTreeSet};

use super::{AlertsView, NO_CONFIG, alerts_lost};
use crate::check::config::routes::RoutingModel;
use crate::check::config::routes_matchers::LabelSet;
use crate::check::config::routes_tree::inhibited_by;
use crate::config::stack::StackConfig;
use crate::evidence::coverage::{Dimension, InhibitCoverage, MAX_NAMES};
use crate::evidence::{AlertObservations, AlertState};

/// Per rule index: (inhibited instances explained, alert names).
type Hits = BTreeMap<usize, (usize, BTreeSet<String>)>;

/// Replay the state changes: each `inhibited` change is tried against every rule with the
/// instances firing at that moment.
fn replay(model: &RoutingModel, obs: &AlertObservations) -> Hits {
    let mut firing: Vec<LabelSet> = Vec::new();
    let mut hits = Hits::new();
    for c in &obs.changes {
        let mut labels = c.labels.clone();
        labels.insert("alertname".into(), c.alertname.clone());
        match c.state {
            AlertState::Firing => {
                if !firing.contains(&labels) {
                    firing.push(labels);
                }
            }
            AlertState::Resolved | AlertState::Pending => firing.retain(|l| *l != labels),
            AlertState::Uninhibited => {}
            AlertState::Inhibited => {
                for (i, rule) in model.inhibitions.iter().enumerate() {
                    let one = std::slice::from_ref(rule);
                    if inhibited_by(&labels, &firing, one).is_some() {
                        let h = hits.entry(i).or_default();
                        h.0 += 1;
                        h.1.insert(c.alertname.clone());
                    }
                }
            }
        }
    }
    hits
}

/// The inhibition rules dimension.
pub fn inhibit_rules(
    config: Option<&StackConfig>,
    alerts: AlertsView<'_>,
) -> Dimension<InhibitCoverage> {
    let am = config
        .and_then(|c| c.alertmanager.as_ref())
        .and_then(|l| l.ok());
    let Some(am) = am else {
        let why = if config.is_some() {
            "alertmanager.yml could not be read"
        } else {
            NO_CONFIG
        };
        return Dimension::unobserved(why, Vec::new());
    };
    let model = RoutingModel::new(am);
    let mut hits = match alerts {
        AlertsView::Watched(obs, _) => replay(&model, obs),
        AlertsView::NotWatched(_) => Hits::new(),
    };
    let items = model
        .inhibitions
        .iter()
        .enumerate()
        .map(|(index, r)| {
            let (suppressed, names) = hits.remove(&index).unwrap_or_default();
            InhibitCoverage {
                index,
                source: r.source.iter().map(ToString::to_string).collect(),
                target: r.target.iter().map(ToString::to_string).collect(),
                equal: r.equal.clone(),
                suppressed,
                alerts: names.into_iter().take(MAX_NAMES).collect(),
            }
        })
        .collect();
    match alerts {
        AlertsView::NotWatched(why) => Dimension::unobserved(why, items),
        AlertsView::Watched(obs, _) => Dimension {
            lost: alerts_lost(obs, false),
            ..Dimension::observed(items)
        },
    }
}
