//! Job records as the executor keeps them during a run: ids as numbers and names as indices
//! into the plan ([`Kept`], about 100 bytes), turned into [`JobRecord`]s (eight strings each)
//! only once, when the outcome is built. At the default cap of 200,000 kept jobs this is the
//! difference between ~20 MB and ~150 MB of resident memory, and it keeps string formatting
//! off the per-job path.

use crate::evidence::{JobOutcome, JobRecord};
use crate::scenario::Plan;

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
}

impl Kept {
    /// The full record, with the same strings the driver was given for this job.
    pub(crate) fn to_record(&self, plan: &Plan, run_id: u32) -> JobRecord {
        JobRecord {
            job_id: self.job_id.as_deref().map(str::to_string),
            correlation_id: correlation_id(run_id, self.seq),
            trace_id: self.ids.trace_hex(),
            client_span_id: self.ids.span_hex(),
            returned_trace_id: self.returned_trace_id.as_deref().map(str::to_string),
            preset: plan
                .presets
                .get(self.preset)
                .map_or_else(String::new, |p| p.name.clone()),
            user_id: user_id(self.user),
            phase: plan
                .phases
                .get(self.phase)
                .map_or_else(String::new, |p| p.name.clone()),
            outcome: self.outcome,
            http_status: self.http_status,
            sent_unix_nano: self.sent_unix_nano,
            end_unix_nano: self.end_unix_nano,
        }
    }
}
