//! Streaming log checks: feed captured lines and the ends of the jobs as they come, then
//! `finish` with the run's facts. Memory stays bounded: counters, at most `MAX_EVIDENCE`
//! offender samples per check, and the [`LogLedger`] that joins lines with jobs, which holds
//! the jobs in flight and the last seconds of ended ones, never the whole run.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use crate::evidence::{JobRecord, LogLine};
use crate::expect::logs::LogsExpectations;
use crate::verdict::{Check, MAX_EVIDENCE};

use super::LOGS;
use super::facts::RunFacts;
use super::log_fields::{Offenders, check_field, json_kind};
use super::log_ledger::{LineFacts, LogLedger};

/// Streaming log checker.
#[derive(Debug)]
pub struct LogChecker<'e> {
    exp: &'e LogsExpectations,
    lines: u64,
    non_json: Offenders,
    fields: Vec<Offenders>,
    levels: BTreeMap<String, u64>,
    ledger: LogLedger,
    errors_without_job: Offenders,
}

fn str_field<'a>(o: &'a Map<String, Value>, k: &str) -> Option<&'a str> {
    o.get(k).and_then(Value::as_str)
}

impl<'e> LogChecker<'e> {
    /// A checker for `exp`; a job's lines are awaited up to `job_timeout` (wall time).
    pub fn new(exp: &'e LogsExpectations, job_timeout: Duration) -> Self {
        Self {
            exp,
            lines: 0,
            non_json: Offenders::default(),
            fields: vec![Offenders::default(); exp.fields.len()],
            levels: BTreeMap::new(),
            ledger: LogLedger::new(exp, job_timeout),
            errors_without_job: Offenders::default(),
        }
    }

    /// Wait `settle` for an ended job's last lines (see [`LogLedger::with_settle`]).
    pub fn with_settle(mut self, settle: Duration) -> Self {
        self.ledger = self.ledger.with_settle(settle);
        self
    }

    /// Take one captured line, read at `now`.
    pub fn feed(&mut self, line: &LogLine, now: Instant) {
        self.lines += 1;
        let obj = match serde_json::from_str::<Value>(&line.text) {
            Ok(Value::Object(o)) => o,
            Ok(other) => {
                self.non_json.add(
                    &format!("a JSON {}, not an object", json_kind(&other)),
                    line,
                );
                return;
            }
            Err(e) => {
                self.non_json.add(&format!("not JSON: {e}"), line);
                return;
            }
        };
        for (f, off) in self.exp.fields.iter().zip(self.fields.iter_mut()) {
            if let Some(p) = check_field(&obj, f) {
                if p.missing {
                    off.missing += 1;
                }
                off.add(&p.message, line);
            }
        }
        let level = str_field(&obj, &self.exp.level_field).unwrap_or("");
        if let Some(n) = self.levels.get_mut(level) {
            *n += 1;
        } else {
            self.levels.insert(level.to_string(), 1);
        }
        let is_error = self.exp.error_levels.iter().any(|l| l == level);
        let job = str_field(&obj, &self.exp.job_field);
        if job.is_none() && is_error {
            self.errors_without_job
                .add("error line without a job", line);
        }
        // Only job lines must name their job's trace: request lines of other clients
        // (Prometheus's scrapes, health probes) start traces of their own.
        let facts = LineFacts {
            line: line.line,
            job,
            correlation: str_field(&obj, &self.exp.correlation_field),
            trace: job.and(str_field(&obj, &self.exp.trace_field)),
            is_error,
        };
        self.ledger.line(facts, now);
    }

    /// The load engine reports that `rec`'s job ended (or was dropped, or was still in flight
    /// when the run stopped), at `now`.
    pub fn job_ended(&mut self, rec: JobRecord, now: Instant) {
        self.ledger.job_ended(rec, now);
    }

    /// Most entries the job join held at once.
    pub fn peak_entries(&self) -> usize {
        self.ledger.peak_entries
    }

    /// Every log check, judged against the run's facts.
    pub fn finish(mut self, facts: &RunFacts<'_>) -> Vec<Check> {
        self.ledger.finish();
        let mut out = Vec::new();
        out.push(self.json_check());
        for (f, off) in self.exp.fields.iter().zip(&self.fields) {
            let id = format!("logs.field.{}", f.name);
            out.push(if off.count == 0 {
                Check::pass(
                    id,
                    LOGS,
                    format!("`{}` is well-formed on all {} lines", f.name, self.lines),
                )
            } else {
                let missing = if off.missing > 0 {
                    format!(" ({} missing it)", off.missing)
                } else {
                    String::new()
                };
                Check::fail(
                    id,
                    LOGS,
                    format!(
                        "{} of {} lines break the `{}` rule{missing}: {}",
                        off.count,
                        self.lines,
                        f.name,
                        off.first.clone().unwrap_or_default()
                    ),
                )
                .with_evidence(off.samples.clone())
            });
        }
        if self.exp.every_job_correlated {
            out.push(self.correlation_check());
        }
        if self.exp.trace_ids_known {
            out.push(self.trace_ids_check());
        }
        out.push(self.errors_check(facts));
        let levels = self.exp.error_levels.join("/");
        out.push(super::log_budgets::unattributed_check(
            &self.errors_without_job,
            self.exp.max_errors_without_job,
            &levels,
        ));
        out.extend(super::log_budgets::rate_checks(
            &self.levels,
            &self.exp.rate_limits,
            facts,
        ));
        out
    }

    fn json_check(&self) -> Check {
        if self.lines == 0 {
            return Check::fail(
                "logs.json",
                LOGS,
                "no log lines captured: is the target logging to stdout?",
            );
        }
        if self.non_json.count == 0 {
            return Check::pass(
                "logs.json",
                LOGS,
                format!("all {} lines are JSON objects", self.lines),
            );
        }
        Check::fail(
            "logs.json",
            LOGS,
            format!(
                "{} of {} lines are not JSON objects: {}",
                self.non_json.count,
                self.lines,
                self.non_json.first.clone().unwrap_or_default()
            ),
        )
        .with_evidence(self.non_json.samples.clone())
    }

    fn correlation_check(&self) -> Check {
        let field = &self.exp.correlation_field;
        let t = &self.ledger.tallies;
        let (reached, p) = (t.reached, &t.correlation);
        if p.count == 0 {
            Check::pass(
                "logs.correlation",
                LOGS,
                format!("all {reached} requests' `{field}` appear in their log lines"),
            )
        } else {
            Check::fail(
                "logs.correlation",
                LOGS,
                format!(
                    "{} of {reached} requests are not correlated by `{field}` in the logs",
                    p.count
                ),
            )
            .with_evidence(p.samples.clone())
        }
    }

    fn trace_ids_check(&self) -> Check {
        let t = &self.ledger.tallies;
        let (n, p) = (t.traced_jobs, &t.trace_ids);
        if p.count == 0 {
            return Check::pass(
                "logs.trace_ids",
                LOGS,
                format!("the lines of all {n} jobs with a trace id name the job's own trace"),
            );
        }
        Check::fail(
            "logs.trace_ids",
            LOGS,
            format!(
                "the lines of {} of {n} jobs name a trace that is not the job's: {}",
                p.count,
                p.first()
            ),
        )
        .with_evidence(p.samples.clone())
    }

    fn errors_check(&self, facts: &RunFacts<'_>) -> Check {
        let m = &self.exp.errors_per_failed_job;
        let levels = self.exp.error_levels.join("/");
        let t = &self.ledger.tallies;
        let (mut count, mut samples) = (t.errors.count, t.errors.samples.clone());
        // Job ids no job end claimed are judged only when the engine missed no job's end:
        // otherwise they may be jobs whose end was not reported.
        if facts.jobs_streamed {
            count += t.unknown_jobs.count;
            samples.extend(t.unknown_jobs.samples.iter().cloned());
            samples.truncate(MAX_EVIDENCE);
        }
        let failed = t.failed;
        if count == 0 {
            Check::pass(
                "logs.errors_match_failures",
                LOGS,
                format!(
                    "{levels} lines match the {failed} failed jobs ({} each) and no succeeded job",
                    m.describe()
                ),
            )
        } else {
            Check::fail(
                "logs.errors_match_failures",
                LOGS,
                format!("{} jobs' {levels} lines do not match their outcome ({failed} failed jobs, {} each expected; none for succeeded ones)", count, m.describe()),
            )
            .with_evidence(samples)
        }
    }
}
