//! The join of received spans with the jobs the harness drove, kept while the run goes and
//! bounded by the jobs in flight, not by the run's length.
//!
//! Spans of the target's service wait in an entry per trace id. When the load engine reports a
//! job's end, its record waits [`SETTLE`] for the job's last spans (the stub exports a batch
//! every 200 ms), then the job's trace is claimed, judged with the job and forgotten; its id is
//! remembered for another [`SETTLE`], so a span that comes after the judgement is counted as
//! late instead of starting a trace no job claims. A trace that no job end claims within the job
//! timeout (plus [`SETTLE`]) belongs to no job of this run: it is judged for orphans alone and
//! dropped. So every job of a run of any length is judged, while the state holds only the
//! traces of jobs in flight and of the last few seconds.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::time::{Duration, Instant};

use crate::evidence::{JobRecord, SpanRecord};
use crate::expect::traces::TracesExpectations;

use super::trace_checks::Problems;
use super::trace_tree::{TraceView, is_finished};

/// How long an ended job's record waits for the job's last spans before it is judged.
pub const SETTLE: Duration = Duration::from_secs(5);
/// Most spans held at once; beyond it spans are counted as dropped (and the checks marked
/// incomplete), so a target that never ends its traces cannot grow memory without bound.
pub const MAX_HELD_SPANS: usize = 2_000_000;
/// Most service names remembered for the `traces.received` message.
pub(super) const MAX_SERVICES: usize = 16;
/// Expired entries are looked for at most this often (a scan of the maps).
const SWEEP_EVERY: Duration = Duration::from_secs(1);

/// The spans of one trace, as received so far.
#[derive(Debug)]
struct TraceSeen {
    spans: Vec<SpanRecord>,
    last_seen: Instant,
}

/// The judged results so far, one tally per check.
#[derive(Debug, Default)]
pub struct TraceTallies {
    /// Every span received, of any service.
    pub spans_total: u64,
    /// Spans of the expected service.
    pub spans_of_service: u64,
    /// Traces of the expected service (entries opened).
    pub traces_of_service: u64,
    /// Service names seen (at most a few).
    pub services: BTreeSet<String>,
    /// Finished jobs judged for propagation.
    pub propagation_jobs: u64,
    pub propagation: Problems,
    /// Spans with an expectation judged for the tree, and the traces they were in.
    pub tree_spans: u64,
    pub tree_traces: u64,
    pub tree: Problems,
    /// Finished jobs judged for completeness.
    pub finished_jobs: u64,
    pub completeness: Problems,
    /// Spans judged for orphans.
    pub orphan_spans: u64,
    pub orphans: Problems,
    /// Spans judged for their duration.
    pub duration_spans: u64,
    pub durations: Problems,
    /// Spans that came after their job was judged (not judged themselves).
    pub late_spans: u64,
    /// Spans not held because [`MAX_HELD_SPANS`] were held already.
    pub dropped_spans: u64,
    /// What the judged jobs are a sample of, when they are one.
    pub sample: Option<String>,
}

/// The streaming join of spans with job ends, for one traces expectation file.
#[derive(Debug)]
pub struct TraceLedger<'e> {
    pub(super) exp: &'e TracesExpectations,
    traces: HashMap<Box<str>, TraceSeen>,
    /// Trace ids judged with their job, and when (kept `settle`): late spans are only counted.
    judged: HashMap<Box<str>, Instant>,
    /// Ended jobs waiting `settle`, in arrival order.
    pending: VecDeque<(Instant, JobRecord)>,
    held_spans: usize,
    max_held_spans: usize,
    settle: Duration,
    job_timeout: Duration,
    /// How long an unclaimed trace is kept: the job timeout plus `settle`.
    horizon: Duration,
    last_sweep: Option<Instant>,
    /// Most entries held at once (for the report's account of the state).
    pub peak_entries: usize,
    pub tallies: TraceTallies,
}

impl<'e> TraceLedger<'e> {
    /// A ledger for `exp` whose unclaimed traces live `job_timeout` plus [`SETTLE`].
    pub fn new(exp: &'e TracesExpectations, job_timeout: Duration) -> Self {
        Self {
            exp,
            traces: HashMap::new(),
            judged: HashMap::new(),
            pending: VecDeque::new(),
            held_spans: 0,
            max_held_spans: MAX_HELD_SPANS,
            settle: SETTLE,
            job_timeout,
            horizon: job_timeout.saturating_add(SETTLE),
            last_sweep: None,
            peak_entries: 0,
            tallies: TraceTallies::default(),
        }
    }

    /// Wait `settle` for an ended job's last spans instead of [`SETTLE`].
    pub fn with_settle(mut self, settle: Duration) -> Self {
        self.settle = settle;
        self.horizon = self.job_timeout.saturating_add(settle);
        self
    }

    /// Hold at most `n` spans at once instead of [`MAX_HELD_SPANS`].
    pub fn with_max_held_spans(mut self, n: usize) -> Self {
        self.max_held_spans = n;
        self
    }

    /// Entries held now: traces, judged trace ids and ended jobs waiting.
    pub fn entries(&self) -> usize {
        self.traces.len() + self.judged.len() + self.pending.len()
    }

    /// True when `s` is of the service this ledger judges.
    pub fn wants(&self, s: &SpanRecord) -> bool {
        s.service_name == self.exp.service_name
    }

    /// Count `n` spans of other services, named `services`.
    pub fn others(&mut self, n: u64, services: impl Iterator<Item = String>) {
        self.tallies.spans_total += n;
        for s in services {
            if self.tallies.services.len() < MAX_SERVICES {
                self.tallies.services.insert(s);
            }
        }
    }

    /// Hold spans of the expected service, read at `now` on the feed's clock (see
    /// [`TraceLedger::advance`]). Jobs whose settle time passed before they came are judged
    /// first: the spans came too late for them.
    pub fn spans(&mut self, spans: Vec<SpanRecord>, now: Instant) {
        self.sweep(now);
        for s in spans {
            self.span(s, now);
        }
        self.note_size();
    }

    fn span(&mut self, s: SpanRecord, now: Instant) {
        let t = &mut self.tallies;
        t.spans_total += 1;
        t.spans_of_service += 1;
        if t.services.len() < MAX_SERVICES {
            t.services.insert(s.service_name.clone());
        }
        if self.judged.contains_key(s.trace_id.as_str()) {
            t.late_spans += 1;
            return;
        }
        if self.held_spans >= self.max_held_spans {
            t.dropped_spans += 1;
            return;
        }
        self.held_spans += 1;
        let s = slim(s, self.exp);
        let seen = match self.traces.get_mut(s.trace_id.as_str()) {
            Some(seen) => seen,
            None => {
                t.traces_of_service += 1;
                let entry = TraceSeen {
                    spans: Vec::new(),
                    last_seen: now,
                };
                self.traces
                    .entry(s.trace_id.as_str().into())
                    .or_insert(entry)
            }
        };
        seen.last_seen = now;
        seen.spans.push(s);
    }

    /// The load engine reports that `rec`'s job ended (or was still in flight when the run
    /// stopped), at `now` on the wall clock. The job is judged once the feed's clock passes
    /// `now` plus the settle time, not as the wall clock does: ends come on their own queue,
    /// and a span queue read behind them must not make a job look traceless.
    pub fn job_ended(&mut self, rec: JobRecord, now: Instant) {
        self.pending.push_back((now, rec));
        self.note_size();
    }

    /// Move the feed's clock to `now`: every span received before `now` has been read. Jobs
    /// whose settle time has passed on it are judged.
    pub fn advance(&mut self, now: Instant) {
        self.sweep(now);
        self.note_size();
    }

    /// Judge every job still waiting and every unclaimed trace: the streams have ended.
    pub fn finish(&mut self, now: Instant) {
        while let Some((_, rec)) = self.pending.pop_front() {
            self.judge(&rec, now);
        }
        let left: Vec<TraceSeen> = self.traces.drain().map(|(_, t)| t).collect();
        for seen in left {
            self.unclaimed(&seen.spans);
        }
        self.held_spans = 0;
        self.judged.clear();
    }

    fn note_size(&mut self) {
        self.peak_entries = self.peak_entries.max(self.entries());
    }

    /// Judge the records whose settle time has passed, and, once a second, drop what is past
    /// their time: judged trace ids after `settle`, traces no job claimed after the horizon
    /// (judged for orphans).
    fn sweep(&mut self, now: Instant) {
        while let Some((at, _)) = self.pending.front() {
            if now.saturating_duration_since(*at) < self.settle {
                break;
            }
            if let Some((_, rec)) = self.pending.pop_front() {
                self.judge(&rec, now);
            }
        }
        if self
            .last_sweep
            .is_some_and(|t| now.saturating_duration_since(t) < SWEEP_EVERY)
        {
            return;
        }
        self.last_sweep = Some(now);
        let (horizon, settle) = (self.horizon, self.settle);
        self.judged
            .retain(|_, t| now.saturating_duration_since(*t) < settle);
        let old = |t: &Instant| now.saturating_duration_since(*t) >= horizon;
        let expired: Vec<Box<str>> = self
            .traces
            .iter()
            .filter(|(_, s)| old(&s.last_seen))
            .map(|(k, _)| k.clone())
            .collect();
        for id in expired {
            if let Some(seen) = self.traces.remove(&id) {
                self.held_spans = self.held_spans.saturating_sub(seen.spans.len());
                self.unclaimed(&seen.spans);
            }
        }
    }

    /// Take the job's trace (by its trace id, else the one the target answered), judge it with
    /// the job, and remember its id until the horizon.
    fn judge(&mut self, rec: &JobRecord, now: Instant) {
        if !is_finished(rec) {
            // The target may still be running a job the harness gave up on (a timeout), so
            // its trace may still grow: it is left to expire unclaimed, judged for orphans
            // once no span of it came for the horizon, instead of now, when a parent still to
            // come would look missing.
            return;
        }
        let ids = std::iter::once(rec.trace_id.as_str()).chain(rec.returned_trace_id.as_deref());
        let mut claimed = None;
        for id in ids {
            if let Some(seen) = self.traces.remove(id) {
                self.held_spans = self.held_spans.saturating_sub(seen.spans.len());
                self.judged.insert(id.into(), now);
                claimed = Some((id.to_string(), seen.spans));
                break;
            }
        }
        if claimed.is_none() {
            // Spans that come for it later are late, not a trace no job claims.
            self.judged.insert(rec.trace_id.as_str().into(), now);
        }
        let (tid, spans) = claimed.unwrap_or_default();
        let view = TraceView::new(&spans);
        self.propagation(rec, (tid == rec.trace_id).then_some(&view));
        self.tree(rec, &view);
        self.completeness(rec, &tid, &view);
        self.durations(rec, &view);
        self.orphans(&view, Some(rec.client_span_id.as_str()));
    }

    /// A trace no job claimed: only its orphans can be judged.
    fn unclaimed(&mut self, spans: &[SpanRecord]) {
        self.orphans(&TraceView::new(spans), None);
    }
}

/// `s` with what no check reads dropped, so a held span costs its ids and name: the service
/// name (the ledger holds one service's spans) and the attributes no expectation names for a
/// span of this name. All attributes stay when an expected one is missing: the finding then
/// suggests the nearest key the span has.
fn slim(mut s: SpanRecord, exp: &TracesExpectations) -> SpanRecord {
    s.service_name = String::new();
    let wanted = exp
        .span(&s.name)
        .map(|e| e.attributes.as_slice())
        .unwrap_or(&[]);
    if wanted.iter().all(|(k, _)| s.attributes.contains_key(k)) {
        s.attributes
            .retain(|k, _| wanted.iter().any(|(w, _)| w == k));
    }
    s
}

#[path = "trace_ledger_judge.rs"]
mod judge;
