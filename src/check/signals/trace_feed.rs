//! Traces are judged while they stream, so a long run never holds its spans nor its jobs: one
//! [`TraceLedger`] per traces expectation file is fed every span obsgate's OTLP receiver takes
//! and every job's end as the load engine reports it.
//!
//! Traces read back from Jaeger cannot stream: they are asked for once the load is over, by
//! trace id. Then the feed keeps the first [`JAEGER_SAMPLE`] finished jobs' ends (and counts
//! the rest), and [`TraceFeed::replay`] hands the ledgers those traces' spans and then those
//! ends; the report says how many jobs the sample covers.

use std::time::{Duration, Instant};

use super::trace_ledger::{MAX_SERVICES, TraceLedger};
use super::trace_tree::is_finished;
use crate::evidence::{JobRecord, SpanRecord};
use crate::expect::ExpectationSet;
use crate::verdict::Check;

/// Most jobs whose traces are read back from Jaeger (one request each): enough to judge
/// propagation and completeness, bounded in time.
pub const JAEGER_SAMPLE: usize = 2_000;

/// Where the run's spans come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraceSource {
    /// obsgate's own OTLP receiver, while the run goes.
    Receiver,
    /// A read-back from Jaeger after the load.
    Jaeger,
    /// Nowhere: no span is observed (the trace checks then say none was received).
    Unobserved,
}

/// The job ends kept for a Jaeger read-back.
#[derive(Debug, Default)]
struct Sample {
    kept: Vec<JobRecord>,
    finished: u64,
}

/// Feed every received span and every job end to one ledger per traces expectation file.
pub struct TraceFeed<'e> {
    ledgers: Vec<TraceLedger<'e>>,
    source: TraceSource,
    sample: Sample,
}

impl<'e> TraceFeed<'e> {
    /// One ledger per traces expectation file of the set; an unclaimed trace is kept up to
    /// `job_timeout` (wall time) plus the settle time.
    pub fn new(exps: &'e ExpectationSet, job_timeout: Duration, source: TraceSource) -> Self {
        Self {
            ledgers: exps
                .traces
                .iter()
                .map(|(_, t)| TraceLedger::new(t, job_timeout))
                .collect(),
            source,
            sample: Sample::default(),
        }
    }

    /// Wait `settle` for an ended job's last spans instead of the ledgers' default.
    pub fn with_settle(mut self, settle: Duration) -> Self {
        self.ledgers = self
            .ledgers
            .into_iter()
            .map(|l| l.with_settle(settle))
            .collect();
        self
    }

    /// True when a ledger waits for job ends (the load engine must report them).
    pub fn wants_jobs(&self) -> bool {
        !self.ledgers.is_empty() && self.source != TraceSource::Unobserved
    }

    /// Hand spans received at `now` to every ledger: each holds those of its service.
    pub fn spans(&mut self, spans: Vec<SpanRecord>, now: Instant) {
        let Some((last, rest)) = self.ledgers.split_last_mut() else {
            return;
        };
        for l in rest {
            hand(l, spans.iter().cloned(), now);
        }
        hand(last, spans.into_iter(), now);
    }

    /// Every span received before `now` has been read: judge the jobs settled by then.
    pub fn advance(&mut self, now: Instant) {
        for l in &mut self.ledgers {
            l.advance(now);
        }
    }

    /// Hand the end of one job, reported at `now`, to every ledger (or keep it for the
    /// read-back).
    pub fn job_ended(&mut self, rec: JobRecord, now: Instant) {
        match self.source {
            TraceSource::Receiver => self.end_in_ledgers(rec, now),
            TraceSource::Jaeger if is_finished(&rec) => {
                self.sample.finished += 1;
                if self.sample.kept.len() < JAEGER_SAMPLE {
                    self.sample.kept.push(rec);
                }
            }
            _ => {}
        }
    }

    fn end_in_ledgers(&mut self, rec: JobRecord, now: Instant) {
        if let Some((last, rest)) = self.ledgers.split_last_mut() {
            for l in rest {
                l.job_ended(rec.clone(), now);
            }
            last.job_ended(rec, now);
        }
    }

    /// The trace ids to read back from Jaeger: those of the sampled jobs.
    pub fn sampled_trace_ids(&self) -> Vec<String> {
        self.sample
            .kept
            .iter()
            .map(|j| j.trace_id.clone())
            .collect()
    }

    /// Judge the sampled jobs against the spans read back for them.
    pub fn replay(&mut self, spans: Vec<SpanRecord>) {
        let now = Instant::now();
        self.spans(spans, now);
        let kept = std::mem::take(&mut self.sample.kept);
        let n = kept.len();
        for rec in kept {
            self.end_in_ledgers(rec, now);
        }
        if self.sample.finished > n as u64 {
            let note = format!(
                "traces read back from Jaeger for the first {n} of {} finished jobs",
                self.sample.finished
            );
            for l in &mut self.ledgers {
                l.tallies.sample = Some(note.clone());
            }
        }
    }

    /// Spans the ledgers did not hold because they were full.
    pub fn dropped_spans(&self) -> u64 {
        self.ledgers
            .iter()
            .map(|l| l.tallies.dropped_spans)
            .max()
            .unwrap_or(0)
    }

    /// Judge what is still waiting, and every ledger's checks.
    pub fn finish(self) -> Vec<Check> {
        let now = Instant::now();
        self.ledgers
            .into_iter()
            .flat_map(|mut l| {
                l.finish(now);
                super::traces::checks(l.exp, &l.tallies)
            })
            .collect()
    }
}

/// Hand `spans` to `l`: the ones of its service are held, the others only counted.
pub(super) fn hand(l: &mut TraceLedger<'_>, spans: impl Iterator<Item = SpanRecord>, now: Instant) {
    let mut mine = Vec::new();
    let mut others = 0u64;
    let mut names = Vec::new();
    for s in spans {
        if l.wants(&s) {
            mine.push(s);
        } else {
            others += 1;
            if names.len() < MAX_SERVICES && !names.contains(&s.service_name) {
                names.push(s.service_name);
            }
        }
    }
    l.others(others, names.into_iter());
    l.spans(mine, now);
}
