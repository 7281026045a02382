//! The join of log lines with the jobs the harness drove, kept while the run goes and bounded
//! by the jobs in flight, not by the run's length.
//!
//! Lines leave what they say about a job (its correlation ids, trace ids, error lines) in an
//! entry keyed by job id, and the correlation ids they carry in a second map. When the load
//! engine reports a job's end, its record waits [`SETTLE`] for the job's last lines (the stub
//! writes them before it answers the final poll, so they are already in the pipe), is judged,
//! and its entries are removed. Entries that no job end claims within the job timeout (plus
//! [`SETTLE`]) belong to no job of this run: their error lines are judged as a job unknown to
//! the harness, and the rest is forgotten. So every job of a run of any length is judged,
//! while the state holds only the jobs in flight and the last few seconds of ended ones.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use crate::evidence::JobRecord;
use crate::expect::logs::LogsExpectations;
use crate::expect::matchers::NumMatcher;

use super::trace_checks::Problems;

/// How long an ended job's record waits for the job's last lines before it is judged, by
/// default (a pipe from the stub; see [`LogLedger::with_settle`]).
pub const SETTLE: Duration = Duration::from_secs(5);
/// Most distinct correlation or trace ids kept per job (a job has one of each).
const IDS_PER_JOB: usize = 4;
/// Expired entries are looked for at most this often (a scan of both maps).
const SWEEP_EVERY: Duration = Duration::from_secs(1);

/// What one line said, as the ledger needs it.
#[derive(Debug, Clone, Copy)]
pub struct LineFacts<'a> {
    pub line: u64,
    pub job: Option<&'a str>,
    pub correlation: Option<&'a str>,
    pub trace: Option<&'a str>,
    pub is_error: bool,
}

/// What the lines said about one job id.
#[derive(Debug)]
struct JobSeen {
    correlation_ids: Vec<Box<str>>,
    /// Trace ids and the first line that carried each.
    trace_ids: Vec<(Box<str>, u64)>,
    error_lines: u64,
    first_error_line: u64,
    last_seen: Instant,
}

/// The judged results so far, one tally per check.
#[derive(Debug, Default)]
pub struct Tallies {
    /// Jobs that reached the target (a POST answer came back).
    pub reached: u64,
    pub correlation: Problems,
    /// Jobs whose lines carried a trace id.
    pub traced_jobs: u64,
    pub trace_ids: Problems,
    pub failed: u64,
    pub errors: Problems,
    /// Job ids with error lines that no job end claimed (judged only when no end was missed).
    pub unknown_jobs: Problems,
}

/// The streaming join of lines with job ends.
#[derive(Debug)]
pub struct LogLedger {
    by_job: HashMap<Box<str>, JobSeen>,
    /// Correlation id → last time a line carried it.
    by_correlation: HashMap<Box<str>, Instant>,
    /// Ended jobs waiting `settle`, in arrival order.
    pending: VecDeque<(Instant, JobRecord)>,
    /// How long an ended job waits for its last lines.
    settle: Duration,
    job_timeout: Duration,
    /// How long an unclaimed entry lives: the job timeout plus `settle`.
    horizon: Duration,
    /// The error levels, joined with `/` for messages.
    levels: String,
    /// Error lines expected per failed job.
    per_failed_job: NumMatcher,
    /// The correlation field's name, for messages.
    field: String,
    last_sweep: Option<Instant>,
    /// Most entries held at once (for the report's account of the state).
    pub peak_entries: usize,
    pub tallies: Tallies,
}

impl LogLedger {
    /// A ledger for `exp` whose unclaimed entries live `job_timeout` plus [`SETTLE`].
    pub fn new(exp: &LogsExpectations, job_timeout: Duration) -> Self {
        Self {
            levels: exp.error_levels.join("/"),
            per_failed_job: exp.errors_per_failed_job,
            field: exp.correlation_field.clone(),
            by_job: HashMap::new(),
            by_correlation: HashMap::new(),
            pending: VecDeque::new(),
            settle: SETTLE,
            job_timeout,
            horizon: job_timeout.saturating_add(SETTLE),
            last_sweep: None,
            peak_entries: 0,
            tallies: Tallies::default(),
        }
    }

    /// Wait `settle` for an ended job's last lines instead of [`SETTLE`]: for lines that
    /// reach obsgate later than the stub's pipe does.
    pub fn with_settle(mut self, settle: Duration) -> Self {
        self.settle = settle;
        self.horizon = self.job_timeout.saturating_add(settle);
        self
    }

    /// Record what one line says, at `now`. Jobs whose settle time passed before it are
    /// judged first: the line came too late for them.
    pub fn line(&mut self, f: LineFacts<'_>, now: Instant) {
        self.sweep(now);
        if let Some(c) = f.correlation {
            match self.by_correlation.get_mut(c) {
                Some(t) => *t = now,
                None => {
                    self.by_correlation.insert(c.into(), now);
                }
            }
        }
        if let Some(job) = f.job {
            let seen = match self.by_job.get_mut(job) {
                Some(s) => s,
                None => self.by_job.entry(job.into()).or_insert(JobSeen {
                    correlation_ids: Vec::new(),
                    trace_ids: Vec::new(),
                    error_lines: 0,
                    first_error_line: 0,
                    last_seen: now,
                }),
            };
            seen.last_seen = now;
            if let Some(c) = f.correlation
                && seen.correlation_ids.len() < IDS_PER_JOB
                && !seen.correlation_ids.iter().any(|x| &**x == c)
            {
                seen.correlation_ids.push(c.into());
            }
            if let Some(t) = f.trace
                && seen.trace_ids.len() < IDS_PER_JOB
                && !seen.trace_ids.iter().any(|(x, _)| &**x == t)
            {
                seen.trace_ids.push((t.into(), f.line));
            }
            if f.is_error {
                seen.error_lines += 1;
                if seen.first_error_line == 0 {
                    seen.first_error_line = f.line;
                }
            }
        }
        self.note_size();
    }

    /// The load engine reports that `rec`'s job ended (or was dropped, or was still in flight
    /// when the run stopped), at `now`. The job is judged once a line read `settle` after `now` comes (or at the end), not
    /// as the wall clock passes: the line reader may be behind the ends' queue.
    pub fn job_ended(&mut self, rec: JobRecord, now: Instant) {
        self.pending.push_back((now, rec));
        self.note_size();
    }

    /// Judge every job still waiting and every unclaimed entry: the stream has ended.
    pub fn finish(&mut self) {
        while let Some((_, rec)) = self.pending.pop_front() {
            self.judge(&rec);
        }
        let left: Vec<(Box<str>, JobSeen)> = self.by_job.drain().collect();
        for (id, seen) in left {
            self.unclaimed(&id, &seen);
        }
        self.by_correlation.clear();
    }

    fn note_size(&mut self) {
        let n = self.by_job.len() + self.by_correlation.len() + self.pending.len();
        self.peak_entries = self.peak_entries.max(n);
    }

    /// Judge the records whose settle time has passed, and, once a second, drop the entries
    /// no job end claimed within the horizon.
    fn sweep(&mut self, now: Instant) {
        while let Some((at, _)) = self.pending.front() {
            if now.saturating_duration_since(*at) < self.settle {
                break;
            }
            if let Some((_, rec)) = self.pending.pop_front() {
                self.judge(&rec);
            }
        }
        if self
            .last_sweep
            .is_some_and(|t| now.saturating_duration_since(t) < SWEEP_EVERY)
        {
            return;
        }
        self.last_sweep = Some(now);
        let horizon = self.horizon;
        let old = |t: &Instant| now.saturating_duration_since(*t) >= horizon;
        self.by_correlation.retain(|_, t| !old(t));
        let expired: Vec<Box<str>> = self
            .by_job
            .iter()
            .filter(|(_, s)| old(&s.last_seen))
            .map(|(k, _)| k.clone())
            .collect();
        for id in expired {
            if let Some(seen) = self.by_job.remove(&id) {
                self.unclaimed(&id, &seen);
            }
        }
    }
}

#[path = "log_ledger_judge.rs"]
mod judge;
