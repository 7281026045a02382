//! The one result model every writer formats. `report.json` is this, serialised: treat every
//! field name as a contract (`schema_version` changes when a name does).

use serde::{Deserialize, Serialize};

/// Version of the `report.json` contract.
pub const SCHEMA_VERSION: u32 = 1;

/// Outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The expectation held.
    Pass,
    /// The expectation did not hold.
    Fail,
    /// Not evaluated, with the reason in the message (e.g. no stack).
    Skip,
    /// Could not be evaluated because evidence is missing or broken.
    Error,
}

/// One verdict. `id` is stable and readable (`metrics.type.pipeline_duration_seconds`);
/// `kind` groups checks (`load`, `metrics`, `logs`, `traces`, `alerts`, `rules`, `routes`,
/// `dashboards`, `compose`, `docs`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Check {
    /// Stable, dotted identifier.
    pub id: String,
    /// Which signal or artefact this check is about.
    pub kind: String,
    /// pass / fail / skip / error.
    pub status: Status,
    /// Expected vs found, in one sentence a human can act on.
    pub message: String,
    /// A bounded list of offending samples, lines, spans or files (at most [`MAX_EVIDENCE`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
}

/// Most evidence lines kept per check: enough to act on, bounded for long runs.
pub const MAX_EVIDENCE: usize = 10;

impl Check {
    /// A passing check.
    pub fn pass(id: impl Into<String>, kind: &str, message: impl Into<String>) -> Self {
        Self::new(id, kind, Status::Pass, message)
    }
    /// A failing check.
    pub fn fail(id: impl Into<String>, kind: &str, message: impl Into<String>) -> Self {
        Self::new(id, kind, Status::Fail, message)
    }
    /// A skipped check (the message says why).
    pub fn skip(id: impl Into<String>, kind: &str, message: impl Into<String>) -> Self {
        Self::new(id, kind, Status::Skip, message)
    }
    /// A check that could not be evaluated.
    pub fn error(id: impl Into<String>, kind: &str, message: impl Into<String>) -> Self {
        Self::new(id, kind, Status::Error, message)
    }
    /// A check with the given status.
    pub fn new(
        id: impl Into<String>,
        kind: &str,
        status: Status,
        message: impl Into<String>,
    ) -> Self {
        Self {
            id: id.into(),
            kind: kind.to_string(),
            status,
            message: message.into(),
            evidence: Vec::new(),
        }
    }
    /// Attach evidence, keeping at most [`MAX_EVIDENCE`] items.
    pub fn with_evidence<I, S>(mut self, items: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.evidence
            .extend(items.into_iter().take(MAX_EVIDENCE).map(Into::into));
        self
    }
    /// A pass when `ok`, else a fail, with the same message.
    pub fn from_bool(
        id: impl Into<String>,
        kind: &str,
        ok: bool,
        message: impl Into<String>,
    ) -> Self {
        Self::new(
            id,
            kind,
            if ok { Status::Pass } else { Status::Fail },
            message,
        )
    }
}

/// Overall verdict of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Every check passed (skips allowed only where no expectation needed them).
    Pass,
    /// At least one check failed or errored.
    Fail,
    /// The run was interrupted (Ctrl-C, stack crash): what was measured is reported, no pass.
    Incomplete,
}

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

/// Load results.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LoadReport {
    /// Base URL of the target that was driven.
    pub target: String,
    /// One entry per phase, in order.
    pub phases: Vec<PhaseReport>,
    /// Time series for charts: at most a few hundred points, evenly bucketed over the run.
    #[serde(default)]
    pub timeline: Vec<TimelinePoint>,
}

/// Latency percentiles in milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LatencyMs {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
}

/// Job time percentiles in seconds (scenario seconds).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct JobTimeS {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
}

/// Results of one phase. Accounting: `scheduled = sent + dropped`,
/// `sent = succeeded + failed + in_flight`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PhaseReport {
    pub name: String,
    /// Scenario seconds.
    pub duration_s: f64,
    /// Mean target rate, jobs per scenario second.
    pub target_rate: f64,
    /// Achieved send rate, jobs per scenario second.
    pub achieved_rate: f64,
    pub scheduled: u64,
    pub sent: u64,
    pub succeeded: u64,
    pub failed: u64,
    pub dropped: u64,
    pub late: u64,
    /// Jobs still running when an interrupted run ended.
    #[serde(default)]
    pub in_flight: u64,
    /// Failures by reason (`http_503`, `job_failed`, `timeout`, `connect`, ...).
    #[serde(default)]
    pub failed_by_reason: std::collections::BTreeMap<String, u64>,
    /// HTTP latency from the intended start (no coordinated omission).
    pub latency_ms: LatencyMs,
    /// HTTP latency from the actual send.
    #[serde(default)]
    pub latency_from_send_ms: LatencyMs,
    /// End-to-end job time.
    pub job_time_s: JobTimeS,
    /// Scheduler lag percentiles (actual send - intended start).
    #[serde(default)]
    pub scheduler_lag_ms: LatencyMs,
    /// Most jobs in flight at once.
    #[serde(default)]
    pub peak_in_flight: u64,
    /// Per-preset latency and counts, keyed by preset name.
    #[serde(default)]
    pub presets: std::collections::BTreeMap<String, PresetReport>,
}

/// Per-preset slice of a phase.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PresetReport {
    pub sent: u64,
    pub succeeded: u64,
    pub failed: u64,
    pub latency_ms: LatencyMs,
    pub job_time_s: JobTimeS,
}

/// One bucket of the run's time series.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TimelinePoint {
    /// Scenario seconds since the run start (bucket start).
    pub t_s: f64,
    /// Phase name at this time.
    pub phase: String,
    /// Target rate, jobs per scenario second.
    pub target_rate: f64,
    /// Sends per scenario second in this bucket.
    pub achieved_rate: f64,
    /// HTTP latency from the intended start, this bucket.
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Failures in this bucket.
    pub errors: u64,
}

/// Timing of one alert in a run (seconds from the fault's phase start / end).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AlertTiming {
    pub alert: String,
    /// Whether it fired at all.
    pub fired: bool,
    /// Receivers that got a notification (`slack:#critical`, `pagerduty:<routing_key>`, or receiver names).
    pub receivers: Vec<String>,
    pub pending_after_s: Option<f64>,
    pub firing_after_s: Option<f64>,
    pub notified_after_s: Option<f64>,
    pub resolved_after_s: Option<f64>,
    /// Theoretical lower bound: scrape + evaluation interval + `for` + `group_wait`.
    pub bound_s: Option<f64>,
    /// Every state change, in order: (`pending`/`firing`/`notified`/`resolved`, seconds since run start).
    #[serde(default)]
    pub events: Vec<AlertEvent>,
}

/// One alert state change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AlertEvent {
    /// `pending`, `firing`, `notified`, `resolved`, `inhibited`.
    pub state: String,
    /// Seconds since the run start (wall).
    pub at_s: f64,
    /// Receiver, for `notified`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receiver: Option<String>,
}

/// One acceptance criterion and the checks that prove it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Criterion {
    /// `AC1`..`AC10`.
    pub id: String,
    pub title: String,
    pub status: Status,
    /// Ids of the checks that decide it.
    pub checks: Vec<String>,
    /// Why it is not a pass (failing check ids, patterns that matched nothing); empty on a pass.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
}
