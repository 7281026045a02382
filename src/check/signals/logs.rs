//! Streaming log checks: feed captured lines one at a time, then `finish` with the run's facts.
//! Memory stays bounded: counters, at most `MAX_EVIDENCE` offender samples per check, and maps
//! keyed by job / correlation / trace id (sized by the number of jobs, not of lines).

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::{Map, Value};

use crate::evidence::{JobOutcome, LogLine};
use crate::expect::logs::LogsExpectations;
use crate::verdict::{Check, MAX_EVIDENCE};

use super::LOGS;
use super::facts::RunFacts;
use super::log_fields::{Offenders, check_field, json_kind};

/// What the lines said about one job id.
#[derive(Debug, Default, Clone)]
struct JobSeen {
    correlation_ids: Vec<String>,
    error_lines: u64,
    first_error_line: u64,
}

/// Streaming log checker.
#[derive(Debug)]
pub struct LogChecker<'e> {
    exp: &'e LogsExpectations,
    lines: u64,
    non_json: Offenders,
    fields: Vec<Offenders>,
    levels: BTreeMap<String, u64>,
    correlation_ids: HashSet<String>,
    jobs: HashMap<String, JobSeen>,
    /// Trace id → first line that carried it.
    trace_ids: HashMap<String, u64>,
    errors_without_job: Offenders,
}

fn str_field<'a>(o: &'a Map<String, Value>, k: &str) -> Option<&'a str> {
    o.get(k).and_then(Value::as_str)
}

impl<'e> LogChecker<'e> {
    /// A checker for `exp`.
    pub fn new(exp: &'e LogsExpectations) -> Self {
        Self {
            exp,
            lines: 0,
            non_json: Offenders::default(),
            fields: vec![Offenders::default(); exp.fields.len()],
            levels: BTreeMap::new(),
            correlation_ids: HashSet::new(),
            jobs: HashMap::new(),
            trace_ids: HashMap::new(),
            errors_without_job: Offenders::default(),
        }
    }

    /// Take one captured line.
    pub fn feed(&mut self, line: &LogLine) {
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
        let corr = str_field(&obj, &self.exp.correlation_field);
        if let Some(c) = corr
            && !self.correlation_ids.contains(c)
        {
            self.correlation_ids.insert(c.to_string());
        }
        match str_field(&obj, &self.exp.job_field) {
            Some(job) => {
                // Only job lines must name a trace of this run: request lines of other
                // clients (Prometheus's scrapes, health probes) start traces of their own.
                if let Some(t) = str_field(&obj, &self.exp.trace_field) {
                    self.trace_ids.entry(t.to_string()).or_insert(line.line);
                }
                let seen = self.jobs.entry(job.to_string()).or_default();
                if let Some(c) = corr
                    && !seen.correlation_ids.iter().any(|x| x == c)
                    && seen.correlation_ids.len() < 4
                {
                    seen.correlation_ids.push(c.to_string());
                }
                if is_error {
                    seen.error_lines += 1;
                    if seen.first_error_line == 0 {
                        seen.first_error_line = line.line;
                    }
                }
            }
            None if is_error => self
                .errors_without_job
                .add("error line without a job", line),
            None => {}
        }
    }

    /// Every log check, judged against the run's facts.
    pub fn finish(self, facts: &RunFacts<'_>) -> Vec<Check> {
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
            out.push(self.correlation_check(facts));
        }
        if self.exp.trace_ids_known {
            out.push(self.trace_ids_check(facts));
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

    fn correlation_check(&self, facts: &RunFacts<'_>) -> Check {
        let field = &self.exp.correlation_field;
        let mut reached = 0u64;
        let mut problems = 0u64;
        let mut evidence = Vec::new();
        for j in facts.jobs.iter().filter(|j| j.http_status.is_some()) {
            reached += 1;
            let mut p = None;
            if !self.correlation_ids.contains(&j.correlation_id) {
                p = Some(format!(
                    "correlation id {} of job {} appears in no line",
                    j.correlation_id,
                    j.job_id.as_deref().unwrap_or("(none)")
                ));
            } else if let Some(seen) = j.job_id.as_ref().and_then(|id| self.jobs.get(id))
                && let Some(other) = seen
                    .correlation_ids
                    .iter()
                    .find(|c| **c != j.correlation_id)
            {
                p = Some(format!(
                    "job {} was sent with {field} {} but its lines carry {other}",
                    j.job_id.as_deref().unwrap_or(""),
                    j.correlation_id
                ));
            }
            if let Some(p) = p {
                problems += 1;
                if evidence.len() < MAX_EVIDENCE {
                    evidence.push(p);
                }
            }
        }
        if problems == 0 {
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
                    "{problems} of {reached} requests are not correlated by `{field}` in the logs"
                ),
            )
            .with_evidence(evidence)
        }
    }

    fn trace_ids_check(&self, facts: &RunFacts<'_>) -> Check {
        let known = facts.trace_ids();
        let mut unknown: Vec<(&String, &u64)> = self
            .trace_ids
            .iter()
            .filter(|(t, _)| !known.contains(t.as_str()))
            .collect();
        unknown.sort_by_key(|(_, l)| **l);
        if unknown.is_empty() {
            return Check::pass(
                "logs.trace_ids",
                LOGS,
                format!(
                    "all {} trace ids in the logs belong to the run's traces",
                    self.trace_ids.len()
                ),
            );
        }
        if !facts.jobs_complete {
            return Check::skip(
                "logs.trace_ids",
                LOGS,
                format!(
                    "{} trace ids not in the kept job records, which are incomplete for this run",
                    unknown.len()
                ),
            );
        }
        Check::fail(
            "logs.trace_ids",
            LOGS,
            format!(
                "{} of {} trace ids in the logs belong to no trace the run produced",
                unknown.len(),
                self.trace_ids.len()
            ),
        )
        .with_evidence(
            unknown
                .iter()
                .map(|(t, l)| format!("line {l}: trace_id {t}")),
        )
    }

    fn errors_check(&self, facts: &RunFacts<'_>) -> Check {
        let m = &self.exp.errors_per_failed_job;
        let levels = self.exp.error_levels.join("/");
        let mut problems = Vec::new();
        let mut bad = 0u64;
        let mut failed = 0u64;
        let mut known = HashSet::new();
        for j in facts.jobs {
            let Some(id) = &j.job_id else { continue };
            known.insert(id.as_str());
            let seen = self.jobs.get(id);
            let n = seen.map(|s| s.error_lines).unwrap_or(0);
            let p = match j.outcome {
                JobOutcome::Failed => {
                    failed += 1;
                    (!m.matches(n as f64)).then(|| {
                        format!(
                            "failed job {id}: {n} {levels} lines, expected {}",
                            m.describe()
                        )
                    })
                }
                JobOutcome::Succeeded if n > 0 => Some(format!(
                    "succeeded job {id}: {n} {levels} lines (first at line {})",
                    seen.map(|s| s.first_error_line).unwrap_or(0)
                )),
                _ => None,
            };
            if let Some(p) = p {
                bad += 1;
                if problems.len() < MAX_EVIDENCE {
                    problems.push(p);
                }
            }
        }
        if facts.jobs_complete {
            for (id, s) in &self.jobs {
                if s.error_lines > 0 && !known.contains(id.as_str()) {
                    bad += 1;
                    if problems.len() < MAX_EVIDENCE {
                        problems.push(format!(
                            "job {id} unknown to the harness: {} {levels} lines (first at line {})",
                            s.error_lines, s.first_error_line
                        ));
                    }
                }
            }
        }
        if bad == 0 {
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
                format!("{bad} jobs' {levels} lines do not match their outcome ({failed} failed jobs, {} each expected; none for succeeded ones)", m.describe()),
            )
            .with_evidence(problems)
        }
    }
}
