//! Judging one ended job against what its lines said, and an entry no job claimed.

use super::{JobSeen, LogLedger};
use crate::evidence::{JobOutcome, JobRecord};

impl LogLedger {
    /// Judge `rec` against its entries, then forget them.
    pub(super) fn judge(&mut self, rec: &JobRecord) {
        let seen = rec.job_id.as_deref().and_then(|id| self.by_job.remove(id));
        let corr_seen = self
            .by_correlation
            .remove(rec.correlation_id.as_str())
            .is_some();
        if rec.http_status.is_some() {
            self.correlation(rec, seen.as_ref(), corr_seen);
        }
        if let Some(s) = &seen {
            self.trace_ids(rec, s);
        }
        if rec.job_id.is_some() {
            self.errors(rec, seen.as_ref());
        }
    }

    /// The job's correlation id is in its lines, and its lines carry no other.
    fn correlation(&mut self, rec: &JobRecord, seen: Option<&JobSeen>, corr_seen: bool) {
        let t = &mut self.tallies;
        t.reached += 1;
        let job = rec.job_id.as_deref().unwrap_or("(none)");
        let in_job_lines =
            seen.is_some_and(|s| s.correlation_ids.iter().any(|c| **c == *rec.correlation_id));
        if !corr_seen && !in_job_lines {
            t.correlation.add(format!(
                "correlation id {} of job {job} appears in no line",
                rec.correlation_id
            ));
        } else if let Some(other) = seen.and_then(|s| {
            s.correlation_ids
                .iter()
                .find(|c| ***c != *rec.correlation_id)
        }) {
            t.correlation.add(format!(
                "job {job} was sent with {} {} but its lines carry {other}",
                self.field, rec.correlation_id
            ));
        }
    }

    /// Every trace id the job's lines carry is the job's: the harness's, or the one the target
    /// answered with.
    fn trace_ids(&mut self, rec: &JobRecord, seen: &JobSeen) {
        if seen.trace_ids.is_empty() {
            return;
        }
        let t = &mut self.tallies;
        t.traced_jobs += 1;
        let own = |id: &str| id == rec.trace_id || rec.returned_trace_id.as_deref() == Some(id);
        if let Some((id, line)) = seen.trace_ids.iter().find(|(id, _)| !own(id)) {
            t.trace_ids.add(format!(
                "line {line}: trace_id {id} of job {}, whose trace is {}",
                rec.job_id.as_deref().unwrap_or("(none)"),
                rec.trace_id
            ));
        }
    }

    /// A failed job has the expected error lines, a succeeded one none.
    fn errors(&mut self, rec: &JobRecord, seen: Option<&JobSeen>) {
        let id = rec.job_id.as_deref().unwrap_or("");
        let n = seen.map_or(0, |s| s.error_lines);
        let levels = &self.levels;
        let m = &self.per_failed_job;
        let t = &mut self.tallies;
        let p = match rec.outcome {
            JobOutcome::Failed => {
                t.failed += 1;
                (!m.matches(n as f64)).then(|| {
                    format!(
                        "failed job {id}: {n} {levels} lines, expected {}",
                        m.describe()
                    )
                })
            }
            JobOutcome::Succeeded if n > 0 => Some(format!(
                "succeeded job {id}: {n} {levels} lines (first at line {})",
                seen.map_or(0, |s| s.first_error_line)
            )),
            _ => None,
        };
        if let Some(p) = p {
            t.errors.add(p);
        }
    }

    /// An entry no job end claimed: its error lines belong to a job the harness never knew.
    pub(super) fn unclaimed(&mut self, id: &str, seen: &JobSeen) {
        if seen.error_lines > 0 {
            self.tallies.unknown_jobs.add(format!(
                "job {id} unknown to the harness: {} {} lines (first at line {})",
                seen.error_lines, self.levels, seen.first_error_line
            ));
        }
    }
}
