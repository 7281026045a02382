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
/// `sent = succeeded + failed + in_flight`, and `outcomes` splits every scheduled job into
/// exactly one ending.
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
    /// Every scheduled job in exactly one ending (the `load.accounting` identity).
    #[serde(default)]
    pub outcomes: Outcomes,
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
    /// Of `failed`, the jobs the target accepted and then reported failed by the pipeline (the
    /// rest failed at the HTTP level). Absent in reports written before it existed.
    #[serde(default)]
    pub pipeline_failed: u64,
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
    /// Job ends the engine could not hand to the streaming log checks (they fell behind
    /// and the hand-over queue was full); 0 when every job was judged.
    pub jobs_not_streamed: u64,
    /// A stop was requested (Ctrl-C): the run is incomplete.
    pub interrupted: bool,
    /// Wall-clock start of the run, ns since the epoch.
    pub started_unix_nano: u64,
    /// Wall seconds from the run start to the end of the drain.
    pub wall_elapsed_s: f64,
    /// With `--shard`: per phase, its histograms serialized for the partial report (empty
    /// otherwise: an unsharded run has no use for them).
    pub histograms: Vec<super::shard::PhaseHistograms>,
}

impl LoadOutcome {
    /// Jobs sent but not ended in all phases.
    pub fn in_flight(&self) -> u64 {
        self.phases.iter().map(|p| p.in_flight).sum()
    }
}

/// How the scheduled jobs of a phase ended, each job counted once. The sum of the fields is
/// the phase's `scheduled` count; `load.accounting.<phase>` fails when it is not.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Outcomes {
    /// Sent, accepted and reported succeeded by the target.
    pub succeeded: u64,
    /// Sent and accepted, then reported failed by the pipeline (a job outcome, not an error of
    /// the request).
    pub pipeline_failed: u64,
    /// Sent and failed at the HTTP level: a 4xx or 5xx other than a rejection, a refused or
    /// broken connection, an unreadable answer.
    pub http_failed: u64,
    /// Sent and turned away by the target's overload protection (503 or 429).
    pub rejected: u64,
    /// Sent and neither answered nor finished within the job timeout.
    pub timed_out: u64,
    /// Never sent: the generator dropped it (`max_in_flight` with the drop policy).
    pub dropped: u64,
    /// Sent and still running when an interrupted run ended.
    pub in_flight: u64,
}

impl Outcomes {
    /// Jobs that ended in an error of the request: HTTP failures, rejections and timeouts.
    pub fn errors(&self) -> u64 {
        self.http_failed + self.rejected + self.timed_out
    }
    /// Sent jobs that ended, whatever the ending.
    pub fn ended(&self) -> u64 {
        self.succeeded + self.pipeline_failed + self.errors()
    }
    /// The sum of every ending: equal to `scheduled` when the accounting holds.
    pub fn total(&self) -> u64 {
        self.ended() + self.dropped + self.in_flight
    }
    /// Column names of [`Self::columns`], for the reports' tables.
    pub const COLUMNS: [&'static str; 7] = [
        "succeeded",
        "pipeline failed",
        "HTTP failed",
        "rejected",
        "timed out",
        "dropped",
        "in flight",
    ];
    /// The endings in the order of [`Self::COLUMNS`].
    pub fn columns(&self) -> [u64; 7] {
        [
            self.succeeded,
            self.pipeline_failed,
            self.http_failed,
            self.rejected,
            self.timed_out,
            self.dropped,
            self.in_flight,
        ]
    }
}

/// The ending of one job that ended (not dropped, not in flight), from its outcome and HTTP
/// status: which [`Outcomes`] counter it goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    Succeeded,
    PipelineFailed,
    HttpFailed,
    Rejected,
    TimedOut,
}

impl Ending {
    /// Classify an ended job. 503 and 429 are the target's overload answers, so they count as
    /// rejections rather than failures.
    pub fn of(outcome: super::JobOutcome, http_status: Option<u16>) -> Self {
        use super::JobOutcome as O;
        match outcome {
            O::Succeeded => Self::Succeeded,
            O::Failed => Self::PipelineFailed,
            O::Timeout => Self::TimedOut,
            O::HttpError if matches!(http_status, Some(503 | 429)) => Self::Rejected,
            // Dropped and in-flight jobs never end; counted elsewhere, they cannot reach here.
            O::HttpError | O::Dropped | O::InFlight => Self::HttpFailed,
        }
    }
}
