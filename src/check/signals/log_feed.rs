//! Logs are judged while they stream, so a long run never holds its log lines: one
//! [`LogChecker`] per logs expectation file is fed every captured line, and finished against the
//! run's facts once the load is over.

use super::facts::RunFacts;
use super::logs::LogChecker;
use crate::evidence::LogLine;
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
    /// One checker per logs expectation file of the set.
    pub fn new(exps: &'e ExpectationSet) -> Self {
        Self {
            checkers: exps.logs.iter().map(|(_, l)| LogChecker::new(l)).collect(),
            lines: 0,
            seen: Default::default(),
        }
    }

    /// Hand one line to every checker.
    pub fn feed(&mut self, line: LogLine) {
        self.lines += 1;
        self.seen.feed(&line);
        for c in &mut self.checkers {
            c.feed(&line);
        }
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
