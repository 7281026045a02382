//! Coverage of the rule files: each alerting rule by the watcher's state changes (fired,
//! pending only, never active), each recording rule by its series on the run's Prometheus.

use regex::Regex;

use super::{AlertsView, NO_CONFIG, alerts_lost};
use crate::config::rules_file::{Rule, RuleGroup};
use crate::config::stack::StackConfig;
use crate::evidence::coverage::{
    AlertRuleCoverage, AlertRuleStatus, Dimension, RecordedAnswers, RecordedSeries,
    RecordingRuleCoverage, RecordingRuleStatus,
};
use crate::evidence::{AlertObservations, AlertState, QueryAnswer};

/// Every rule of every rule file that parsed: (file, group, rule), in file order.
fn each_rule(config: &StackConfig) -> impl Iterator<Item = (String, &RuleGroup, &Rule)> {
    config.rule_files.iter().flat_map(|f| {
        let file = f.file();
        f.ok()
            .into_iter()
            .flat_map(|rf| rf.groups.iter())
            .flat_map(move |g| {
                let file = file.clone();
                g.rules.iter().map(move |r| (file.clone(), g, r))
            })
    })
}

/// The recording rules to ask Prometheus about, in file order.
pub fn recorded_series(config: &StackConfig) -> Vec<RecordedSeries> {
    each_rule(config)
        .filter_map(|(file, g, r)| {
            let record = r.record.as_ref()?;
            let mut labels = g.labels.clone();
            labels.extend(r.labels.clone());
            Some(RecordedSeries {
                file,
                group: g.name.value.clone(),
                record: record.value.clone(),
                labels,
            })
        })
        .collect()
}

/// How far `alert` got in `obs`.
fn alert_status(obs: &AlertObservations, alert: &str) -> AlertRuleStatus {
    let states = obs.changes.iter().filter(|c| c.alertname == alert);
    let mut status = AlertRuleStatus::NeverActive;
    for c in states {
        match c.state {
            AlertState::Firing | AlertState::Inhibited | AlertState::Uninhibited => {
                return AlertRuleStatus::Fired;
            }
            AlertState::Pending => status = AlertRuleStatus::PendingOnly,
            AlertState::Resolved => {}
        }
    }
    status
}

/// Every alerting rule, with what the watcher saw of it.
pub fn alert_rules(
    config: Option<&StackConfig>,
    alerts: AlertsView<'_>,
    ignore: &[&Regex],
) -> Dimension<AlertRuleCoverage> {
    let Some(config) = config else {
        return Dimension::unobserved(NO_CONFIG, Vec::new());
    };
    let obs = match alerts {
        AlertsView::Watched(o, _) => Some(o),
        AlertsView::NotWatched(_) => None,
    };
    let items = each_rule(config)
        .filter_map(|(file, g, r)| {
            let alert = r.alert.as_ref()?.value.clone();
            Some(AlertRuleCoverage {
                status: obs.map_or(AlertRuleStatus::NeverActive, |o| alert_status(o, &alert)),
                ignored: ignore.iter().any(|re| re.is_match(&alert)),
                alert,
                file,
                group: g.name.value.clone(),
            })
        })
        .collect();
    match alerts {
        AlertsView::NotWatched(why) => Dimension::unobserved(why, items),
        AlertsView::Watched(o, _) => Dimension {
            lost: alerts_lost(o, false),
            ..Dimension::observed(items)
        },
    }
}

/// Every recording rule, with Prometheus's answer for its series.
pub fn recording_rules(
    config: Option<&StackConfig>,
    recorded: Option<&RecordedAnswers>,
) -> Dimension<RecordingRuleCoverage> {
    let Some(config) = config else {
        return Dimension::unobserved(NO_CONFIG, Vec::new());
    };
    let asked = recorded.filter(|r| r.not_evaluated.is_none());
    let items: Vec<RecordingRuleCoverage> = recorded_series(config)
        .into_iter()
        .map(|s| {
            let answer = asked.and_then(|r| r.answers.iter().find(|(a, _)| *a == s));
            let (status, series, detail) = match answer.map(|(_, a)| a) {
                Some(QueryAnswer::Series(n)) if *n > 0 => (RecordingRuleStatus::NonEmpty, *n, None),
                Some(QueryAnswer::Series(_)) => (RecordingRuleStatus::Empty, 0, None),
                Some(QueryAnswer::Error(e)) => {
                    (RecordingRuleStatus::NotEvaluated, 0, Some(e.clone()))
                }
                None => (
                    RecordingRuleStatus::NotEvaluated,
                    0,
                    asked.map(|_| "not asked: beyond the bound of recorded series per run".into()),
                ),
            };
            RecordingRuleCoverage {
                record: s.record,
                labels: s.labels,
                file: s.file,
                group: s.group,
                status,
                series,
                detail,
            }
        })
        .collect();
    match recorded {
        None => Dimension::unobserved("the recorded series were not asked", items),
        Some(RecordedAnswers {
            not_evaluated: Some(why),
            ..
        }) => Dimension::unobserved(why.clone(), items),
        Some(_) => Dimension::observed(items),
    }
}
