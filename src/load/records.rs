//! Job records as the executor keeps them during a run: ids as numbers and names as indices
//! into the plan ([`Kept`], about 100 bytes), turned into [`JobRecord`]s (eight strings each)
//! only once, when the outcome is built. At the default cap of 200,000 kept jobs this is the
//! difference between ~20 MB and ~150 MB of resident memory, and it keeps string formatting
//! off the per-job path.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::mpsc;

use crate::evidence::{JobOutcome, JobRecord};
use crate::scenario::Plan;

/// Hands the record of every job that reached the target to a consumer as the job ends, so
/// checks that join jobs with their log lines run while the run goes, instead of over records
/// held for the whole run. The queue is bounded: when the consumer falls behind, a record that
/// does not fit is counted in [`JobTap::missed`] (and the report says so), never waited for,
/// so a slow consumer cannot slow the schedule.
#[derive(Debug, Clone)]
pub struct JobTap {
    tx: mpsc::Sender<JobRecord>,
    missed: Arc<AtomicU64>,
}

impl JobTap {
    /// A tap and the receiving end of its queue of `capacity` records.
    pub fn channel(capacity: usize) -> (Self, mpsc::Receiver<JobRecord>) {
        let (tx, rx) = mpsc::channel(capacity.max(1));
        let missed = Arc::new(AtomicU64::new(0));
        (Self { tx, missed }, rx)
    }
    /// Queue `rec`, or count it as missed.
    pub(crate) fn send(&self, rec: JobRecord) {
        if self.tx.try_send(rec).is_err() {
            self.missed.fetch_add(1, Ordering::Relaxed);
        }
    }
    /// Records that did not fit in the queue (or found its consumer gone).
    pub fn missed(&self) -> u64 {
        self.missed.load(Ordering::Relaxed)
    }
}

/// The plan's preset and phase names, which records refer to by index.
#[derive(Debug, Clone, Default)]
pub(crate) struct RecordNames {
    presets: Vec<String>,
    phases: Vec<String>,
}

impl RecordNames {
    pub(crate) fn of(plan: &Plan) -> Self {
        Self {
            presets: plan.presets.iter().map(|p| p.name.clone()).collect(),
            phases: plan.phases.iter().map(|p| p.name.clone()).collect(),
        }
    }
}

/// The harness client span's ids of one job.
#[derive(Debug, Clone, Copy)]
pub(crate) struct JobIds {
    /// Trace id (never 0: W3C forbids an all-zero id).
    pub(crate) trace: u128,
    /// Span id (never 0).
    pub(crate) span: u64,
}

impl JobIds {
    pub(crate) fn trace_hex(&self) -> String {
        format!("{:032x}", self.trace)
    }
    pub(crate) fn span_hex(&self) -> String {
        format!("{:016x}", self.span)
    }
}

/// `og-<run id, 8 hex>-<sequence>`: unique per run, readable in logs.
pub(crate) fn correlation_id(run_id: u32, seq: u64) -> String {
    format!("og-{run_id:08x}-{seq}")
}

/// `u-<n>`: the user a job runs as.
pub(crate) fn user_id(user: u64) -> String {
    format!("u-{user}")
}

/// One kept job record in compact form.
#[derive(Debug, Clone)]
pub(crate) struct Kept {
    pub(crate) seq: u64,
    pub(crate) ids: JobIds,
    pub(crate) user: u64,
    /// Index into the plan's presets.
    pub(crate) preset: usize,
    /// Index into the plan's phases.
    pub(crate) phase: usize,
    pub(crate) outcome: JobOutcome,
    pub(crate) http_status: Option<u16>,
    pub(crate) sent_unix_nano: u64,
    pub(crate) end_unix_nano: Option<u64>,
    /// Strings the target answered with (absent for most bench targets).
    pub(crate) job_id: Option<Box<str>>,
    pub(crate) returned_trace_id: Option<Box<str>>,
    /// Kept for the outcome's job records (under the cap); a record that is only streamed to
    /// a [`JobTap`] is not.
    pub(crate) keep: bool,
}

impl Kept {
    /// The full record, with the same strings the driver was given for this job.
    pub(crate) fn to_record(&self, names: &RecordNames, run_id: u32) -> JobRecord {
        JobRecord {
            job_id: self.job_id.as_deref().map(str::to_string),
            correlation_id: correlation_id(run_id, self.seq),
            trace_id: self.ids.trace_hex(),
            client_span_id: self.ids.span_hex(),
            returned_trace_id: self.returned_trace_id.as_deref().map(str::to_string),
            preset: names.presets.get(self.preset).cloned().unwrap_or_default(),
            user_id: user_id(self.user),
            phase: names.phases.get(self.phase).cloned().unwrap_or_default(),
            outcome: self.outcome,
            http_status: self.http_status,
            sent_unix_nano: self.sent_unix_nano,
            end_unix_nano: self.end_unix_nano,
        }
    }
}
