//! Logs are judged while they stream, so a long run never holds its log lines nor its jobs:
//! one [`LogChecker`] per logs expectation file is fed every captured line and every job's end
//! as the load engine reports it, and finished against the run's facts once the load is over.

use std::time::{Duration, Instant};

use super::facts::RunFacts;
use super::logs::LogChecker;
use crate::evidence::{JobRecord, LogLine};
use crate::expect::ExpectationSet;
use crate::verdict::Check;

/// Feed every captured log line to one checker per logs expectation file.
pub struct LogFeed<'e> {
    checkers: Vec<LogChecker<'e>>,
    /// Lines seen (also when no logs expectation exists).
    pub lines: u64,
    /// Levels and fields seen, for the coverage section.
    seen: crate::check::coverage::logs::LogSeen,
}

impl<'e> LogFeed<'e> {
    /// One checker per logs expectation file of the set; a job's lines are awaited up to
    /// `job_timeout` (wall time).
    pub fn new(exps: &'e ExpectationSet, job_timeout: Duration) -> Self {
        Self {
            checkers: exps
                .logs
                .iter()
                .map(|(_, l)| LogChecker::new(l, job_timeout))
                .collect(),
            lines: 0,
            seen: Default::default(),
        }
    }

    /// Wait `settle` for an ended job's last lines (see
    /// [`super::log_ledger::LogLedger::with_settle`]).
    pub fn with_settle(mut self, settle: Duration) -> Self {
        self.checkers = self
            .checkers
            .into_iter()
            .map(|c| c.with_settle(settle))
            .collect();
        self
    }

    /// Hand one line, read at `now`, to every checker.
    pub fn feed(&mut self, line: LogLine, now: Instant) {
        self.lines += 1;
        self.seen.feed(&line);
        for c in &mut self.checkers {
            c.feed(&line, now);
        }
    }

    /// Hand the end of one job, reported at `now`, to every checker.
    pub fn job_ended(&mut self, rec: JobRecord, now: Instant) {
        if let Some((last, rest)) = self.checkers.split_last_mut() {
            for c in rest {
                c.job_ended(rec.clone(), now);
            }
            last.job_ended(rec, now);
        }
    }

    /// True when a checker waits for job ends (the load engine must report them).
    pub fn wants_jobs(&self) -> bool {
        !self.checkers.is_empty()
    }

    /// Most entries any checker's job join held at once.
    pub fn peak_entries(&self) -> usize {
        self.checkers
            .iter()
            .map(LogChecker::peak_entries)
            .max()
            .unwrap_or(0)
    }

    /// The log levels and fields seen so far.
    pub fn coverage(&self) -> crate::evidence::coverage::LogCoverage {
        self.seen.coverage()
    }

    /// The checks of every checker, against what the harness knows of the run.
    pub fn finish(self, facts: &RunFacts<'_>) -> Vec<Check> {
        self.checkers
            .into_iter()
            .flat_map(|c| c.finish(facts))
            .collect()
    }
}
