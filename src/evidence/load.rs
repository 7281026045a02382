//! Load results: what the engine measured per phase and over time.

use serde::{Deserialize, Serialize};

use super::JobRecord;

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

/// What the generator noticed about a phase beyond the counters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PhaseNotes {
    /// The phase's schedule started (false: interrupted before it).
    pub started: bool,
    /// Applying the phase's fault profile failed (the phase still ran).
    pub faults_error: Option<String>,
    /// Times a job found `max_in_flight` jobs running.
    pub cap_hits: u64,
    /// Jobs the schedule asked for per scenario second over the time it ran.
    pub scheduled_rate: f64,
}

/// The whole result of driving a plan.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadOutcome {
    /// One per plan phase, in order (phases never reached have zero counts).
    pub phases: Vec<PhaseReport>,
    /// Parallel to `phases`.
    pub notes: Vec<PhaseNotes>,
    /// At most a few hundred points.
    pub timeline: Vec<TimelinePoint>,
    /// Job records, at most the executor's record cap (dropped and in-flight jobs included).
    pub jobs: Vec<JobRecord>,
    /// Jobs beyond the cap, counted but not kept.
    pub jobs_not_kept: u64,
    /// A stop was requested (Ctrl-C): the run is incomplete.
    pub interrupted: bool,
    /// Wall-clock start of the run, ns since the epoch.
    pub started_unix_nano: u64,
    /// Wall seconds from the run start to the end of the drain.
    pub wall_elapsed_s: f64,
}

impl LoadOutcome {
    /// Jobs sent but not ended in all phases.
    pub fn in_flight(&self) -> u64 {
        self.phases.iter().map(|p| p.in_flight).sum()
    }
}
