//! What a run exercised of the stack (report.json's `coverage` section): which rules became
//! active, which routes, receivers and inhibition rules the notified alerts went through, which
//! panel targets drew data, which contract metric families moved, which log levels and fields
//! appeared. Computed by `check::coverage` from the evidence and the stack's config; the
//! recorded series' answers ([`RecordedAnswers`]) are the one observation made for it alone.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::QueryAnswer;

/// Everything a run exercised, one list per dimension. Items are in config order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Coverage {
    /// Every alerting rule of the stack's rule files, by the watcher's state changes.
    pub alert_rules: Dimension<AlertRuleCoverage>,
    /// Every recording rule of the stack's rule files, by its series on the run's Prometheus.
    pub recording_rules: Dimension<RecordingRuleCoverage>,
    /// Every node of Alertmanager's routing tree, by the notified alerts routed through it.
    pub routes: Dimension<RouteCoverage>,
    /// Every integration of every receiver, by the notifications the fake receivers got.
    pub receivers: Dimension<ReceiverCoverage>,
    /// Every inhibition rule, by the inhibited alerts the watcher saw.
    pub inhibit_rules: Dimension<InhibitCoverage>,
    /// Every panel target of the dashboards expectations, by Prometheus's answer.
    pub panels: Dimension<PanelCoverage>,
    /// Every family of the metrics expectations, across the run's scrapes.
    pub metrics: Dimension<MetricCoverage>,
    /// Log levels and fields seen in the target's log lines.
    pub logs: LogCoverage,
}

/// One dimension: its items, or why it could not be observed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Dimension<T> {
    /// Why this dimension was not observed (no stack, no watcher, no Prometheus); absent when
    /// it was. The items are then listed with the status they would start from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_observed: Option<String>,
    /// Observations behind this dimension that were lost (truncated alert states, dropped
    /// notifications): an item not covered may have been covered unseen.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lost: Vec<String>,
    /// The items, in config order.
    pub items: Vec<T>,
}

impl<T> Default for Dimension<T> {
    fn default() -> Self {
        Self {
            not_observed: None,
            lost: Vec::new(),
            items: Vec::new(),
        }
    }
}

impl<T> Dimension<T> {
    /// A dimension that was not observed, with its reason.
    pub fn unobserved(reason: impl Into<String>, items: Vec<T>) -> Self {
        Self {
            not_observed: Some(reason.into()),
            lost: Vec::new(),
            items,
        }
    }

    /// An observed dimension.
    pub fn observed(items: Vec<T>) -> Self {
        Self {
            items,
            ..Self::default()
        }
    }
}

/// How far an alerting rule got during the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlertRuleStatus {
    /// At least one instance reached `firing`.
    Fired,
    /// Instances went `pending`, none reached `firing`.
    PendingOnly,
    /// No instance was ever pending or firing.
    NeverActive,
}

/// One alerting rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AlertRuleCoverage {
    /// The `alert` name.
    pub alert: String,
    /// The rule file, as read.
    pub file: String,
    /// The rule group's name.
    pub group: String,
    /// fired / pending_only / never_active.
    pub status: AlertRuleStatus,
    /// Matched by an alert expectation's `ignore_alerts` pattern: listed, not counted by a
    /// coverage requirement.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ignored: bool,
}

/// Whether a recording rule's series existed during the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecordingRuleStatus {
    /// At least one series with the rule's name and labels had a sample during the run.
    NonEmpty,
    /// Prometheus answered: no such series during the run.
    Empty,
    /// Not asked or no answer (no Prometheus, a query error, beyond the query bound).
    NotEvaluated,
}

/// One recording rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RecordingRuleCoverage {
    /// The `record` name.
    pub record: String,
    /// The rule's (and its group's) static labels, which tell same-named rules apart.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// The rule file, as read.
    pub file: String,
    /// The rule group's name.
    pub group: String,
    /// non_empty / empty / not_evaluated.
    pub status: RecordingRuleStatus,
    /// Series seen during the run (0 unless non_empty).
    pub series: usize,
    /// Why it was not evaluated, when it was not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// One node of the routing tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RouteCoverage {
    /// `root`, `root.routes[0]`, `root.routes[1].routes[0]`.
    pub path: String,
    /// Its own matchers, as Alertmanager reads them (`severity="critical"`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub matchers: Vec<String>,
    /// Its effective receiver.
    pub receiver: String,
    /// `continue: true`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub continue_matching: bool,
    /// Notified alert instances whose labels the dispatch matched at this node.
    pub matched: usize,
    /// Of those, the ones this node delivered itself (no child took them).
    pub handled: usize,
    /// Alert names that matched it (at most [`MAX_NAMES`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alerts: Vec<String>,
}

/// One integration of one receiver.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ReceiverCoverage {
    /// `critical/slack[0]`, `critical/pagerduty[0]`: receiver, integration, index.
    pub integration: String,
    /// The receiver's name.
    pub receiver: String,
    /// `slack`, `pagerduty`, `webhook`, `email`, … (the `<kind>_configs` key).
    pub kind: String,
    /// The Slack channel, when it has one (never a URL or a key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Notifications it got, firing and resolved.
    pub notifications: usize,
    /// obsgate has no fake for this kind: it cannot be observed, and a requirement does not
    /// count it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unobservable: bool,
}

/// One inhibition rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct InhibitCoverage {
    /// Its index in `inhibit_rules`.
    pub index: usize,
    /// Source matchers.
    pub source: Vec<String>,
    /// Target matchers.
    pub target: Vec<String>,
    /// Labels that must be equal on both.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub equal: Vec<String>,
    /// Inhibited alert instances it explains (a target it matches, a firing source with the
    /// equal labels at that moment).
    pub suppressed: usize,
    /// Alert names it suppressed (at most [`MAX_NAMES`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alerts: Vec<String>,
}

/// What a panel target drew.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PanelStatus {
    /// Prometheus answered with at least one series.
    Data,
    /// Prometheus answered with none.
    Empty,
    /// Not asked (hidden target, no Prometheus) or no answer (a query error).
    NotEvaluated,
}

/// One panel target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PanelCoverage {
    /// Dashboard uid (or title when it has none).
    pub dashboard: String,
    /// Panel title.
    pub panel: String,
    /// Target `refId`.
    pub ref_id: String,
    /// data / empty / not_evaluated.
    pub status: PanelStatus,
    /// Series in the answer.
    pub series: usize,
    /// A hidden target is not drawn: not asked, and not counted by a requirement.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hidden: bool,
    /// Why it was not evaluated, when it was not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// How a metric family behaved across the scrapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MetricStatus {
    /// Its samples (series or values) differed between two scrapes.
    Changing,
    /// Present with samples, identical in every scrape.
    Constant,
    /// No scrape held a sample of it.
    NeverSeen,
}

/// One family of the metrics expectations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MetricCoverage {
    /// Family name.
    pub family: String,
    /// changing / constant / never_seen.
    pub status: MetricStatus,
    /// Scrapes that held a sample of it.
    pub scrapes_seen: usize,
}

/// Log levels and top-level fields seen, as sets bounded at [`MAX_LOG_NAMES`] each.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LogCoverage {
    /// Lines captured.
    pub lines: u64,
    /// Lines that were JSON objects.
    pub json_lines: u64,
    /// Each `level` value (else `severity`) and the lines that carried it.
    pub levels: BTreeMap<String, u64>,
    /// Each top-level field name and the lines that carried it.
    pub fields: BTreeMap<String, u64>,
    /// Distinct levels or fields beyond the bound were not kept.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
    /// Why log capture stopped early, if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_observed: Option<String>,
}

/// Most alert names listed per route or inhibition rule.
pub const MAX_NAMES: usize = 20;

/// Most distinct levels and fields kept (each).
pub const MAX_LOG_NAMES: usize = 64;

/// A recording rule to ask Prometheus about: its name and static labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedSeries {
    /// The rule file.
    pub file: String,
    /// The group's name.
    pub group: String,
    /// The `record` name.
    pub record: String,
    /// The rule's and group's static labels.
    pub labels: BTreeMap<String, String>,
}

/// What Prometheus answered for each recording rule at the end of the run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecordedAnswers {
    /// Each rule asked, with its answer, in config order.
    pub answers: Vec<(RecordedSeries, QueryAnswer)>,
    /// Why nothing was asked (no Prometheus), when nothing was.
    pub not_evaluated: Option<String>,
    /// Rules not asked because the count or time bound was reached.
    pub not_asked: Vec<RecordedSeries>,
}
