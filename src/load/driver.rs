//! What one job does, behind a trait so the executor can drive the stub (POST then follow the
//! job) or a bare endpoint (benchmarks).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use super::records;
use crate::evidence::JobOutcome;
use crate::scenario::PhasePlan;

/// Everything a driver needs to start one job. Ids are kept as numbers and formatted only by
/// the drivers that send them, so a driver that ignores them costs no allocation per job.
#[derive(Debug, Clone)]
pub struct JobRequest {
    /// Preset name (shared by all jobs of the preset).
    pub preset: Arc<str>,
    /// User number (see [`JobRequest::user_id`]).
    pub user: u64,
    /// The harness client span's trace id (never 0).
    pub trace: u128,
    /// The harness client span's id (never 0).
    pub span: u64,
    /// Random per run: part of the correlation id.
    pub run_id: u32,
    /// The job's sequence number in the run.
    pub seq: u64,
    /// How long to follow the job (wall).
    pub follow_for: Duration,
}

impl JobRequest {
    /// `u-<n>`.
    pub fn user_id(&self) -> String {
        records::user_id(self.user)
    }
    /// 32 hex: the harness client span's trace id.
    pub fn trace_id(&self) -> String {
        format!("{:032x}", self.trace)
    }
    /// 16 hex: the harness client span's id.
    pub fn span_id(&self) -> String {
        format!("{:016x}", self.span)
    }
    /// `og-<run id>-<seq>`.
    pub fn correlation_id(&self) -> String {
        records::correlation_id(self.run_id, self.seq)
    }
    /// W3C `traceparent` naming the client span as parent (sampled).
    pub fn traceparent(&self) -> String {
        format!("00-{:032x}-{:016x}-01", self.trace, self.span)
    }
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
