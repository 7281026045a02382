//! The clock a run ran on: its time scale, how the stack's clock relates to the scenario's,
//! and every rule the compressed stack evaluates beside the rule as written.

use serde::{Deserialize, Serialize};

/// One rule as written and as the compressed stack runs it (for the report).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RuleRewrite {
    /// The rule file as given.
    pub file: String,
    /// 1-based line of the rule's expression.
    pub line: u64,
    /// Alert or record name.
    pub rule: String,
    /// The expression as written.
    pub original: String,
    /// The expression the compressed stack evaluates.
    pub rewritten: String,
    /// `for` as written and compressed, when the rule has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub for_duration: Option<(String, String)>,
    /// `keep_firing_for` as written and compressed, when the rule has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_firing_for: Option<(String, String)>,
}

/// The managed stack's clock: K, the Prometheus flags it needs, every rule as written beside
/// its rewrite, and the largest K the config allows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StackClock {
    /// Scenario seconds per wall second, for the stub, Prometheus and Alertmanager alike.
    pub time_scale: f64,
    /// Extra Prometheus flags (compressed lookback, `for` grace period, resend delay).
    pub prometheus_flags: Vec<String>,
    /// Every rule, original beside rewrite (empty at K = 1).
    pub rewrites: Vec<RuleRewrite>,
    /// The largest K the config's timers allow (the 100 ms floor).
    pub largest_time_scale: Option<f64>,
}

/// The clock section of a report: the time scale, the two durations, which clock the alert
/// timings are on, and every rule the compressed stack evaluated beside the rule as written.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ClockReport {
    /// Scenario seconds per wall second.
    pub time_scale: f64,
    /// How long the run took on the wall clock, seconds (start of the load to the report).
    pub wall_duration_s: f64,
    /// How long the scenario's phases last, scenario seconds.
    pub scenario_duration_s: f64,
    /// The clock of the alert timings, `within` and `resolves_within`: `scenario` (a managed
    /// stack on the scenario's clock) or `wall` (an external stack); `none` without alerts.
    pub alert_clock: String,
    /// The largest time scale the managed stack's config allows (its shortest timer over the
    /// 100 ms floor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub largest_time_scale: Option<f64>,
    /// Every rule of the managed stack as written and as evaluated (empty at time scale 1).
    #[serde(default)]
    pub rules: Vec<RuleRewrite>,
}
