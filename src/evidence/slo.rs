//! What a run saw of its SLOs: the alert timeline (the run's one watcher) and, per phase, the
//! good and total events Prometheus counted, from which the burn each phase really had is known.

use super::AlertsSeen;

/// Good and total events of one SLO over one phase, as Prometheus counted them.
#[derive(Debug, Clone, PartialEq)]
pub struct SloPhaseCounts {
    pub slo: String,
    pub phase: String,
    /// `sum(increase(good[phase]))` at the phase end.
    pub good: f64,
    /// `sum(increase(total[phase]))` at the phase end.
    pub total: f64,
}

impl SloPhaseCounts {
    /// The error ratio of the phase, None without events.
    pub fn error_ratio(&self) -> Option<f64> {
        (self.total > 0.0).then(|| (1.0 - self.good / self.total).clamp(0.0, 1.0))
    }
}

/// One `kind: slo` file's evidence.
#[derive(Debug, Clone)]
pub struct SloSeen {
    pub alerts: AlertsSeen,
    /// Per SLO and phase; Err when Prometheus could not be asked (the reason).
    pub counts: Result<Vec<SloPhaseCounts>, String>,
}

/// One burn-rate tier of a run, for the report: what theory says and what was measured, in
/// the alerts' clock (scenario seconds on a managed stack).
#[derive(
    Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct SloTierTiming {
    pub alert: String,
    pub slo: String,
    /// `page` or `ticket`.
    pub tier: String,
    /// The tier's long window, e.g. `1h`.
    pub window: String,
    /// The phase whose burn it must detect.
    pub phase: String,
    /// Burn-rate factor of the tier (14.4 for 2 % of 30 d in 1 h).
    pub factor: f64,
    /// The burn the phase really had (error ratio ÷ budget); None when not counted.
    pub burn: Option<f64>,
    /// Budget fraction × SLO window ÷ burn: the time to detect from a clean window, seconds.
    pub theory_s: Option<f64>,
    /// Scrape + evaluation interval + `for` + two watcher polls + the SLI's event lag, seconds.
    pub allowance_s: f64,
    /// Phase start to first firing, seconds; None when it did not fire in its phase.
    pub detected_s: Option<f64>,
}

/// The budget one phase spent of one SLO.
#[derive(
    Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct SloPhaseBudget {
    pub slo: String,
    pub phase: String,
    /// Events counted in the phase.
    pub total: f64,
    /// Share of the events that were bad.
    pub error_ratio: Option<f64>,
    /// Error ratio ÷ budget (1 = spending exactly the budget over the SLO window).
    pub burn: Option<f64>,
    /// Share of the whole budget the phase spent (its duration is in scenario time).
    pub budget_consumed: Option<f64>,
}

/// The SLO section of a report.
#[derive(
    Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct SloReport {
    /// The SLO expectation file.
    pub source: String,
    pub tiers: Vec<SloTierTiming>,
    pub phases: Vec<SloPhaseBudget>,
}
