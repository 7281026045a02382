//! What one job does, behind a trait so the executor can drive the stub (POST then follow the
//! job) or a bare endpoint (benchmarks). The HTTP driver for the stub lives here too.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use crate::observe::model::JobOutcome;
use crate::scenario::PhasePlan;

/// Everything a driver needs to start one job.
#[derive(Debug, Clone)]
pub struct JobRequest {
    pub preset: String,
    pub user_id: String,
    /// 32 hex: the harness client span's trace id.
    pub trace_id: String,
    /// 16 hex: the harness client span's id.
    pub span_id: String,
    pub correlation_id: String,
    /// How long to follow the job (wall).
    pub follow_for: Duration,
}

/// What happened to one job.
#[derive(Debug, Clone)]
pub struct JobResult {
    pub outcome: JobOutcome,
    /// Failure reason key (`http_503`, `job_failed`, `timeout`, `connect`, ...).
    pub reason: Option<String>,
    pub http_status: Option<u16>,
    pub job_id: Option<String>,
    pub returned_trace_id: Option<String>,
    /// When the POST's answer arrived.
    pub responded: Option<Instant>,
    /// When the job's end was observed.
    pub ended: Option<Instant>,
}

impl JobResult {
    /// A job that failed before any answer.
    pub fn failed_early(outcome: JobOutcome, reason: impl Into<String>) -> Self {
        Self {
            outcome,
            reason: Some(reason.into()),
            http_status: None,
            job_id: None,
            returned_trace_id: None,
            responded: None,
            ended: None,
        }
    }
}

/// One kind of job.
pub trait Driver: Send + Sync + 'static {
    /// Called at each phase start (the stub driver sends the phase's fault profile).
    /// An error is reported as a failed check; the phase still runs.
    fn begin_phase(&self, phase: &PhasePlan) -> impl Future<Output = Result<(), String>> + Send;
    /// Run one job to its end.
    fn run_job(&self, job: JobRequest) -> impl Future<Output = JobResult> + Send;
}

/// Short reason key of a reqwest error.
pub fn reason_of(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connect"
    } else if e.is_decode() || e.is_body() {
        "bad_response"
    } else {
        "http_error"
    }
}
