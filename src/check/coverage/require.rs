//! The acceptance file's coverage requirements as checks, one per required dimension
//! (`coverage.routes`, …): pass when the covered share reaches the requirement; fail listing
//! every item not covered; error when the dimension was not observed (no stack, no watcher, no
//! Prometheus) or when what is missing may have been lost (truncated states, dropped
//! notifications, a query that got no answer). Without a requirement the section is only
//! informational and no check is emitted.

use crate::check::registry::CheckInfo;
use crate::evidence::coverage::{
    AlertRuleStatus, Coverage, Dimension, MetricStatus, PanelStatus, RecordingRuleStatus,
};
use crate::expect::coverage::{CoverageRequirements, Required};
use crate::verdict::{Check, Kind};

/// One countable item: covered, not covered (what it is and why), or unknown (not evaluated).
enum Item {
    Covered,
    Missed(String),
    Unknown(String),
}

/// Most uncovered items named in a check's message (all are in its evidence).
const NAMED_IN_MESSAGE: usize = 3;

/// The check of one required dimension over its countable items.
fn judge<T>(id: &str, what: &str, req: Required, dim: &Dimension<T>, items: Vec<Item>) -> Check {
    if let Some(why) = &dim.not_observed {
        return Check::error(
            id,
            Kind::Coverage,
            format!("{what} coverage ({req} required) was not observed: {why}"),
        );
    }
    let total = items.len();
    let covered = items.iter().filter(|i| matches!(i, Item::Covered)).count();
    let summary = format!("{covered} of {total} {what} covered ({req} required)");
    if covered * 100 >= usize::from(req.min_percent) * total {
        return Check::pass(id, Kind::Coverage, summary);
    }
    let missed: Vec<&str> = items
        .iter()
        .filter_map(|i| match i {
            Item::Missed(s) | Item::Unknown(s) => Some(s.as_str()),
            Item::Covered => None,
        })
        .collect();
    let mut named = missed
        .iter()
        .take(NAMED_IN_MESSAGE)
        .copied()
        .collect::<Vec<_>>()
        .join("; ");
    if missed.len() > NAMED_IN_MESSAGE {
        named.push_str(&format!("; and {} more", missed.len() - NAMED_IN_MESSAGE));
    }
    let unknown = items.iter().any(|i| matches!(i, Item::Unknown(_)));
    let evidence = missed.iter().map(|s| s.to_string());
    if unknown || !dim.lost.is_empty() {
        let lost = dim.lost.join("; ");
        let lost = if lost.is_empty() {
            String::new()
        } else {
            format!("{lost}; ")
        };
        return Check::error(
            id,
            Kind::Coverage,
            format!("not fully observed: {lost}as seen: {summary}: {named}"),
        )
        .with_all_evidence(evidence);
    }
    Check::fail(id, Kind::Coverage, format!("{summary}: {named}")).with_all_evidence(evidence)
}

/// Every required dimension's check, in a fixed order.
pub fn checks(cov: &Coverage, req: &CoverageRequirements) -> Vec<Check> {
    let mut out = Vec::new();
    if let Some(r) = req.alerts {
        out.push(judge(
            ALERTS,
            "alerting rules",
            r,
            &cov.alert_rules,
            alert_items(cov),
        ));
    }
    if let Some(r) = req.recording_rules {
        let items = cov.recording_rules.items.iter().map(|i| {
            let labels: Vec<String> = i.labels.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
            let name = format!(
                "recording rule {}{{{}}} ({})",
                i.record,
                labels.join(", "),
                i.file
            );
            match i.status {
                RecordingRuleStatus::NonEmpty => Item::Covered,
                RecordingRuleStatus::Empty => {
                    Item::Missed(format!("{name} had no series during the run"))
                }
                RecordingRuleStatus::NotEvaluated => Item::Unknown(format!(
                    "{name} was not evaluated: {}",
                    i.detail.as_deref().unwrap_or("no answer")
                )),
            }
        });
        out.push(judge(
            RECORDING,
            "recording rules",
            r,
            &cov.recording_rules,
            items.collect(),
        ));
    }
    out.extend(alertmanager_checks(cov, req));
    out.extend(signal_checks(cov, req));
    out
}

fn alertmanager_checks(cov: &Coverage, req: &CoverageRequirements) -> Vec<Check> {
    let mut out = Vec::new();
    if let Some(r) = req.routes {
        let items = cov.routes.items.iter().map(|i| match i.matched {
            0 => Item::Missed(format!(
                "route {} ({}) matched no notification",
                i.path,
                if i.matchers.is_empty() {
                    "no matchers".to_string()
                } else {
                    i.matchers.join(", ")
                }
            )),
            _ => Item::Covered,
        });
        out.push(judge(ROUTES, "routes", r, &cov.routes, items.collect()));
    }
    if let Some(r) = req.receivers {
        let items = cov
            .receivers
            .items
            .iter()
            .filter(|i| !i.unobservable)
            .map(|i| match i.notifications {
                0 => Item::Missed(format!(
                    "integration {}{} got no notification",
                    i.integration,
                    i.channel
                        .as_ref()
                        .map(|c| format!(" ({c})"))
                        .unwrap_or_default()
                )),
                _ => Item::Covered,
            });
        out.push(judge(
            RECEIVERS,
            "receiver integrations",
            r,
            &cov.receivers,
            items.collect(),
        ));
    }
    if let Some(r) = req.inhibit_rules {
        let items = cov.inhibit_rules.items.iter().map(|i| match i.suppressed {
            0 => Item::Missed(format!(
                "inhibit_rules[{}] (source {}; target {}{}) suppressed nothing",
                i.index,
                i.source.join(", "),
                i.target.join(", "),
                if i.equal.is_empty() {
                    String::new()
                } else {
                    format!("; equal {}", i.equal.join(", "))
                }
            )),
            _ => Item::Covered,
        });
        out.push(judge(
            INHIBIT,
            "inhibition rules",
            r,
            &cov.inhibit_rules,
            items.collect(),
        ));
    }
    out
}

fn alert_items(cov: &Coverage) -> Vec<Item> {
    cov.alert_rules
        .items
        .iter()
        .filter(|i| !i.ignored)
        .map(|i| {
            let name = format!("alert {} ({}, group {})", i.alert, i.file, i.group);
            match i.status {
                AlertRuleStatus::Fired => Item::Covered,
                AlertRuleStatus::PendingOnly => {
                    Item::Missed(format!("{name} was pending but never fired"))
                }
                AlertRuleStatus::NeverActive => Item::Missed(format!("{name} never became active")),
            }
        })
        .collect()
}

fn signal_checks(cov: &Coverage, req: &CoverageRequirements) -> Vec<Check> {
    let mut out = Vec::new();
    if let Some(r) = req.panels {
        let items = cov.panels.items.iter().filter(|i| !i.hidden).map(|i| {
            let name = format!(
                "panel target {} / {:?} / {}",
                i.dashboard, i.panel, i.ref_id
            );
            match i.status {
                PanelStatus::Data => Item::Covered,
                PanelStatus::Empty => Item::Missed(format!("{name} drew no data")),
                PanelStatus::NotEvaluated => Item::Unknown(format!(
                    "{name} was not evaluated: {}",
                    i.detail.as_deref().unwrap_or("no answer")
                )),
            }
        });
        out.push(judge(
            PANELS,
            "panel targets",
            r,
            &cov.panels,
            items.collect(),
        ));
    }
    if let Some(r) = req.metrics {
        let items = cov.metrics.items.iter().map(|i| match i.status {
            MetricStatus::Changing => Item::Covered,
            MetricStatus::Constant => Item::Missed(format!(
                "metric family {} never changed in {} scrapes",
                i.family, i.scrapes_seen
            )),
            MetricStatus::NeverSeen => {
                Item::Missed(format!("metric family {} was never seen", i.family))
            }
        });
        out.push(judge(
            METRICS,
            "metric families",
            r,
            &cov.metrics,
            items.collect(),
        ));
    }
    out
}

pub const ALERTS: &str = "coverage.alerts";
pub const RECORDING: &str = "coverage.recording_rules";
pub const ROUTES: &str = "coverage.routes";
pub const RECEIVERS: &str = "coverage.receivers";
pub const INHIBIT: &str = "coverage.inhibit_rules";
pub const PANELS: &str = "coverage.panels";
pub const METRICS: &str = "coverage.metrics";

/// The checks this module emits (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[
    CheckInfo {
        id: ALERTS,
        kind: Kind::Coverage,
        proves: "the run made (the required share of) the stack's alerting rules fire, `ignore_alerts` aside",
        failure: "an alerting rule never fired in the run: the message names it, its file and group",
        explain: "Counts every alerting rule of the rule files Prometheus loads, except those matched by an alert expectation's `ignore_alerts`.\nExample failure: 9 of 10 alerting rules covered (all required): alert PubSubQueueDepth (config/alert-rules.yaml, group pipeline-infra) never became active",
    },
    CheckInfo {
        id: RECORDING,
        kind: Kind::Coverage,
        proves: "the recording rules' series existed during the run",
        failure: "a recording rule produced no series during the run: the message names it with its labels",
        explain: "Each recorded series is asked of the run's Prometheus after the load (`last_over_time` over the run).\nExample failure: 27 of 28 recording rules covered (all required): recording rule slo:objective:ratio{slo=\"JobSuccess\"} (config/slo-rules.yaml) had no series during the run",
    },
    CheckInfo {
        id: ROUTES,
        kind: Kind::Coverage,
        proves: "every (required share of) route of the routing tree was matched by a notified alert",
        failure: "a route matched no notified alert: the message gives its path and matchers",
        explain: "The labels of every notified alert instance go through the routing model, `continue` honoured.\nExample failure: 3 of 4 routes covered (all required): route root.routes[2] (severity=\"warning\") matched no notification",
    },
    CheckInfo {
        id: RECEIVERS,
        kind: Kind::Coverage,
        proves: "every (required share of) receiver integration got a notification",
        failure: "an integration got no notification: the message names it (`sla/slack[0]`)",
        explain: "Integrations obsgate has no fake for (e-mail, OpsGenie, …) are listed but not counted.\nExample failure: 3 of 4 receiver integrations covered (all required): integration sla/slack[0] (#sla) got no notification",
    },
    CheckInfo {
        id: INHIBIT,
        kind: Kind::Coverage,
        proves: "every (required share of) inhibition rule suppressed an alert during the run",
        failure: "an inhibition rule suppressed nothing: the message gives its index and matchers",
        explain: "A rule suppressed something when the watcher saw an alert inhibited that matches its target while a source with the equal labels fired.\nExample failure: 1 of 3 inhibition rules covered (all required): inhibit_rules[1] (source severity=\"critical\"; target severity=\"warning\"; equal alertname) suppressed nothing",
    },
    CheckInfo {
        id: PANELS,
        kind: Kind::Coverage,
        proves: "every (required share of) visible panel target drew data after the load",
        failure: "a panel target drew no data: the message names dashboard, panel and refId",
        explain: "Read from the live dashboard queries (`dashboards.live.*`); hidden targets are not counted.\nExample failure: 11 of 12 panel targets covered (all required): panel target pipeline-overview / \"Cost per hour\" / A drew no data",
    },
    CheckInfo {
        id: METRICS,
        kind: Kind::Coverage,
        proves: "every (required share of) metric family of the contract changed during the run",
        failure: "a family was constant or never seen across the run's scrapes: the message names it",
        explain: "Compares every sample (name, labels, value) of the family across the scrapes.\nExample failure: 11 of 12 metric families covered (all required): metric family pubsub_queue_depth never changed in 40 scrapes",
    },
];
