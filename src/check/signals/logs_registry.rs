//! Declarations of the checks [`super::logs`] emits (see [`crate::check::registry`]). They
//! live beside it rather than in it so the log checker itself stays within the file-size
//! budget.

use super::LOGS;
use crate::check::registry::CheckInfo;

/// The checks `logs.rs` emits.
pub const CHECKS: &[CheckInfo] = &[
    CheckInfo {
        id: "logs.json",
        kind: LOGS,
        proves: "every captured log line is a JSON object",
        failure: "log pipelines would drop or mangle lines: the evidence shows the bad lines",
        explain: "The target's stdout (or --logs file) is read line by line; a line that is not \
                  a JSON object fails, and no line at all fails too.\n\
                  Example failure: 2 of 812 lines are not JSON objects: line 14: not JSON: \
                  expected value at line 1 column 1",
    },
    CheckInfo {
        id: "logs.field.<field>",
        kind: LOGS,
        proves: "the field is present and well-formed on every line that must carry it",
        failure: "a field is missing or malformed (format, allowed values): see the evidence",
        explain: "Per field of expectations/logs.yaml: presence (always or on job lines only), \
                  format (timestamp, hex trace/span ids) and allowed values.\n\
                  Example failure: 300 of 812 lines break the `correlation_id` rule (300 missing \
                  it): line 3: missing",
    },
    CheckInfo {
        id: "logs.rate.<level>",
        kind: LOGS,
        proves: "lines of this level stay within their promised rate per scenario second",
        failure: "the target logs too much at this level (a log storm): see the level's lines",
        explain: "The count of lines at the level over the run's duration in scenario seconds \
                  (a time-scaled run emits faster) is compared with the limit.\n\
                  Example failure: 9000 DEBUG lines over 60.0 scenario s = 150.00/s (limit 10/s)",
    },
    CheckInfo {
        id: "logs.correlation",
        kind: LOGS,
        proves: "every request's correlation id appears in its job's log lines",
        failure: "logs cannot be joined with requests: the id is dropped or overwritten",
        explain: "The correlation id the harness sent with each job must be found in the lines \
                  of that job, not replaced by another.\n\
                  Example failure: 300 of 300 requests are not correlated by `correlation_id` in \
                  the logs",
    },
    CheckInfo {
        id: "logs.trace_ids",
        kind: LOGS,
        proves: "the lines of every job name that job's own trace",
        failure: "logs point at traces that are not their job's: trace context is lost, \
                  invented or leaks from one job to the next",
        explain: "Each trace id on a job's lines is compared, when the job ends, with the \
                  harness's trace id for it (or the one the target answered with). Lines \
                  without a job id (other clients' requests start traces of their own) and \
                  job ids the harness never received are exempt.\n\
                  Example failure: the lines of 12 of 300 jobs name a trace that is not the \
                  job's: line 88: trace_id 4bf9… of job j-12, whose trace is 0af7…",
    },
    CheckInfo {
        id: "logs.errors_match_failures",
        kind: LOGS,
        proves: "error-level lines match the failed jobs, and no succeeded job logs an error",
        failure: "errors are logged for healthy jobs or missing for failed ones: see evidence",
        explain: "Per job, the number of lines at the error levels must match its outcome: the \
                  expected count for a failed job, none for a succeeded one.\n\
                  Example failure: 4 jobs' ERROR lines do not match their outcome (17 failed jobs, \
                  exactly 1 each expected; none for succeeded ones)",
    },
    CheckInfo {
        id: "logs.errors_without_job",
        kind: LOGS,
        proves: "error-level lines name their job, beyond the file's `max_errors_without_job` \
                 budget (default 0)",
        failure: "the target logs errors no request explains (a worker crash, a failing \
                  exporter): the evidence has the lines",
        explain: "Error-level lines without the job field cannot be matched to a job, so the \
                  per-job check never sees them; they are counted over the run instead.\n\
                  Example failure: 3 ERROR/CRITICAL lines name no job (allowed 0); first: line \
                  812: error line without a job",
    },
];
