//! The one result model every writer formats. `report.json` is this, serialised: treat every
//! field name as a contract (`schema_version` changes when a name does).

use crate::evidence::{AlertTiming, LoadReport};
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
}

impl Report {
    /// The checks that failed or errored, in report order.
    pub fn failing(&self) -> Vec<&Check> {
        self.checks
            .iter()
            .filter(|c| matches!(c.status, Status::Fail | Status::Error))
            .collect()
    }
}
