//! Shared state of a running stub: configuration, fault profile, telemetry handles, the job
//! queue with its worker accounting, and the bounded store of job records that
//! `GET /v1/jobs/{id}` (with its long-poll) reads.

use super::config::{Defect, StubConfig};
use super::faults::FaultProfile;
use super::logs::{Logger, Target};
use super::metrics::Metrics;
use super::model::{EvenDraws, Preset};
use super::traces::Tracer;
use parking_lot::{Mutex, RwLock};
use serde::Serialize;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64};
use tokio::sync::{Notify, watch};

/// Status of a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JobStatus {
    Queued,
    Running,
    Succeeded,
    Failed,
}

impl JobStatus {
    pub fn is_done(self) -> bool {
        matches!(self, JobStatus::Succeeded | JobStatus::Failed)
    }
}

/// What the API shows of a job.
#[derive(Debug, Clone, Serialize)]
pub struct JobView {
    pub job_id: String,
    pub status: JobStatus,
    /// Current (or failing / last) stage.
    pub stage: &'static str,
    pub preset: &'static str,
    pub user_id: String,
    pub trace_id: String,
    pub correlation_id: String,
    /// Dollars spent so far.
    pub cost_dollars: f64,
    /// Processing time in scenario seconds (from worker pickup), once finished.
    pub duration_s: Option<f64>,
    /// QA gate result once decided (`accepted` / `rejected`).
    pub qa_result: Option<&'static str>,
    /// True when QA rejected the output (flagged for manual review; the job still succeeds).
    pub manual_review: bool,
    pub video_size_bytes: Option<f64>,
    pub agent_calls: u32,
    pub render_attempts: u32,
    pub error: Option<String>,
}

/// A job record and the notify its long-pollers wait on.
#[derive(Debug)]
pub struct JobEntry {
    pub view: JobView,
    pub done: Arc<Notify>,
}

/// Job records: every live job plus the most recent finished ones.
#[derive(Debug, Default)]
pub struct JobStore {
    pub map: HashMap<String, JobEntry>,
    finished: VecDeque<String>,
}

impl JobStore {
    /// Mark a job finished and evict the oldest finished records beyond `retention`.
    pub fn retire(&mut self, job_id: &str, retention: usize) {
        self.finished.push_back(job_id.to_string());
        while self.finished.len() > retention {
            if let Some(old) = self.finished.pop_front() {
                self.map.remove(&old);
            }
        }
    }
}

/// Everything a worker needs to run a job, fixed at acceptance.
#[derive(Debug, Clone)]
pub struct QueuedJob {
    pub seq: u64,
    pub job_id: String,
    pub preset: Preset,
    pub user_id: String,
    pub correlation_id: String,
    pub trace_id: [u8; 16],
    pub trace_state: String,
    /// The `pipeline.run` span id (its parent is the server span).
    pub run_span_id: [u8; 8],
    pub server_span_id: [u8; 8],
    pub accepted_ns: u64,
}

/// The queue and the count of jobs held by workers, under one lock so the two gauges agree.
#[derive(Debug, Default)]
pub struct Sched {
    pub queued: VecDeque<QueuedJob>,
    pub active: usize,
}

/// The state behind [`StubState`].
#[derive(Debug)]
pub struct Shared {
    pub config: StubConfig,
    pub faults: RwLock<FaultProfile>,
    /// The remainders of evenly spread faults, shared by every job (`spread: even`).
    pub even: Mutex<EvenDraws>,
    pub metrics: Metrics,
    pub logger: Logger,
    pub tracer: Tracer,
    pub sched: Mutex<Sched>,
    pub jobs: Mutex<JobStore>,
    /// Signalled whenever a job finishes (shutdown waits on it).
    pub idle: Notify,
    pub seq: AtomicU64,
    /// Set when shutdown begins: no new jobs, long-polls return.
    pub closing: AtomicBool,
    pub closing_tx: watch::Sender<bool>,
    /// Set when the shutdown grace has passed: running jobs fail at once.
    pub abort_tx: watch::Sender<bool>,
}

/// Handle to a running stub's state (cheap to clone). Must be created inside a tokio runtime:
/// it starts the trace exporter when one is configured.
#[derive(Debug, Clone)]
pub struct StubState(pub Arc<Shared>);

impl StubState {
    /// State logging JSON lines to stdout.
    pub fn new(config: StubConfig) -> StubState {
        Self::with_log_target(config, Target::Stdout)
    }

    /// State logging to the given target.
    pub fn with_log_target(config: StubConfig, target: Target) -> StubState {
        let d = &config.defects;
        let logger = Logger::start(target, &config.service_name, d, config.debug_logs);
        let tracer = match &config.otlp_traces_url {
            Some(url) if !d.has(&Defect::NoTraceExport) => {
                Tracer::start(url.clone(), config.service_name.clone())
            }
            _ => Tracer::disabled(),
        };
        let metrics = Metrics::new(d.has(&Defect::UnboundedLabel));
        let shared = Arc::new(Shared {
            config,
            faults: RwLock::new(FaultProfile::default()),
            even: Mutex::new(EvenDraws::default()),
            metrics,
            logger,
            tracer,
            sched: Mutex::new(Sched::default()),
            jobs: Mutex::new(JobStore::default()),
            idle: Notify::new(),
            seq: AtomicU64::new(0),
            closing: AtomicBool::new(false),
            closing_tx: watch::channel(false).0,
            abort_tx: watch::channel(false).0,
        });
        StubState(shared)
    }

    /// Jobs held by workers and jobs queued, read together.
    pub fn load(&self) -> (usize, usize) {
        let s = self.0.sched.lock();
        (s.active, s.queued.len())
    }
}
