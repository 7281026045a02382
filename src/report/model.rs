//! The one result model every writer formats. `report.json` is this, serialised: treat every
//! field name as a contract (`schema_version` changes when a name does).

use crate::evidence::{AlertTiming, ClockReport, LoadReport};
use crate::verdict::{Check, Criterion, Status, Verdict};
use serde::{Deserialize, Serialize};

/// Version of the `report.json` contract.
pub const SCHEMA_VERSION: u32 = 1;

/// The whole result of `obsgate run` (and, with an empty `load`, of `obsgate check`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Report {
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Scenario name (or `check` for static checks).
    pub scenario: String,
    /// pass / fail / incomplete.
    pub verdict: Verdict,
    /// RFC 3339 UTC start time.
    pub started_at: String,
    /// RFC 3339 UTC end time.
    pub finished_at: String,
    /// obsgate version that wrote the report.
    pub obsgate_version: String,
    /// Time scale used (scenario seconds per wall second).
    pub time_scale: f64,
    /// The run's clock: durations, the unit of the alert timings, the rewritten rules.
    #[serde(default)]
    pub clock: ClockReport,
    /// Every way the run deviated from the shipped config (e.g. a shortened scrape interval).
    #[serde(default)]
    pub deviations: Vec<String>,
    /// Load results (empty phases for static checks).
    pub load: LoadReport,
    /// Every verdict.
    pub checks: Vec<Check>,
    /// Alert timings (empty without a stack).
    #[serde(default)]
    pub alerts: Vec<AlertTiming>,
    /// Acceptance criteria (empty when no acceptance file is checked).
    #[serde(default)]
    pub criteria: Vec<Criterion>,
    /// SLO burn-rate tiers (measured and theoretical time to detect) and the budget each phase
    /// spent, one per SLO expectation file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub slo: Vec<crate::evidence::SloReport>,
    /// What the run exercised of the stack: rules, routes, receivers, inhibition rules, panel
    /// targets, metric families, log levels and fields (absent for the static checks alone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<crate::evidence::coverage::Coverage>,
    /// A process the run started died during it: the cause of `incomplete` (exit 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component_down: Option<String>,
    /// The managed stack's state folder (Prometheus's TSDB, the generated configs), kept for
    /// inspection because the run did not pass; absent after a pass, when it is removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kept_stack_data: Option<String>,
    /// A partial report of `obsgate run --shard I/N`: the slice, the load rules and the
    /// serialized histograms `obsgate report merge` needs (absent for a whole run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<crate::evidence::shard::ShardReport>,
}

/// What a report says of the run besides its checks.
#[derive(Debug, Clone)]
pub struct RunSummary {
    /// Scenario name (`check` for the static checks).
    pub scenario: String,
    /// When the run started.
    pub started_at: chrono::DateTime<chrono::Utc>,
    /// Scenario seconds per wall second.
    pub time_scale: f64,
    /// The run's clock (default for the static checks).
    pub clock: ClockReport,
    /// Every way the run deviated from the scenario and the shipped config.
    pub deviations: Vec<String>,
    /// Load results (empty for the static checks).
    pub load: LoadReport,
    /// The run was interrupted: it is `incomplete`, never a pass.
    pub interrupted: bool,
    /// A process the run started died: why the run is incomplete (exit 3).
    pub component_down: Option<String>,
}

impl Report {
    /// The one constructor: the summary, the judged checks and alert timings, and the criteria
    /// of `acceptance` (when given), with the verdict decided from them by
    /// [`crate::verdict::decide`].
    pub fn from_run(
        summary: RunSummary,
        judgement: crate::check::Judgement,
        acceptance: Option<&crate::expect::acceptance::Acceptance>,
    ) -> Self {
        let stamp = |t: chrono::DateTime<chrono::Utc>| {
            t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        };
        let mut report = Report {
            schema_version: SCHEMA_VERSION,
            scenario: summary.scenario,
            verdict: Verdict::Incomplete,
            started_at: stamp(summary.started_at),
            finished_at: stamp(chrono::Utc::now()),
            obsgate_version: env!("CARGO_PKG_VERSION").to_string(),
            time_scale: summary.time_scale,
            clock: summary.clock,
            deviations: summary.deviations,
            load: summary.load,
            checks: judgement.checks,
            alerts: judgement.alerts,
            criteria: Vec::new(),
            slo: judgement.slo,
            coverage: judgement.coverage,
            kept_stack_data: None,
            shard: None,
            component_down: summary.component_down,
        };
        super::criteria::apply(&mut report, acceptance, summary.interrupted);
        report
    }

    /// The checks that failed or errored, in report order.
    pub fn failing(&self) -> Vec<&Check> {
        self.checks
            .iter()
            .filter(|c| matches!(c.status, Status::Fail | Status::Error))
            .collect()
    }
}
