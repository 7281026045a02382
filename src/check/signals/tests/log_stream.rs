//! The streaming join of log lines with job ends: jobs are judged while the run goes, the
//! state holds only the last seconds of jobs, and late or foreign lines are judged as such.

use std::time::{Duration, Instant};

use super::fixtures::*;
use crate::check::signals::log_ledger::SETTLE;
use crate::check::signals::logs::LogChecker;
use crate::evidence::{JobOutcome, JobRecord, LogLine};
use crate::verdict::Status;

const TIMEOUT: Duration = Duration::from_secs(60);

fn record(i: u64, outcome: JobOutcome) -> JobRecord {
    let mut r = jobs().remove(0);
    r.job_id = Some(format!("j{i}"));
    r.correlation_id = format!("c{i}");
    r.trace_id = format!("{:032x}", i + 1);
    r.returned_trace_id = Some(r.trace_id.clone());
    r.outcome = outcome;
    r
}

fn line(n: u64, level: &str, job: u64, trace: u64) -> LogLine {
    LogLine {
        line: n,
        text: format!(
            r#"{{"level":"{level}","message":"m","job_id":"j{job}","correlation_id":"c{job}","trace_id":"{trace:032x}"}}"#
        ),
    }
}

#[test]
fn every_job_of_a_long_run_is_judged_in_state_bounded_by_the_settle_time() {
    let exp = logs_exp();
    let mut c = LogChecker::new(&exp, TIMEOUT);
    let t0 = Instant::now();
    let n = 40_000u64;
    // One job per millisecond: its lines, then its end.
    for i in 0..n {
        let now = t0 + Duration::from_millis(i);
        c.feed(&line(2 * i, "INFO", i, i + 1), now);
        c.feed(&line(2 * i + 1, "INFO", i, i + 1), now);
        c.job_ended(record(i, JobOutcome::Succeeded), now);
    }
    // About SETTLE's worth of jobs waits at once (three entries each), not the whole run.
    let per_settle = SETTLE.as_millis() as usize;
    assert!(
        c.peak_entries() <= 3 * per_settle + 10,
        "peak {} entries for {n} jobs",
        c.peak_entries()
    );
    let checks = c.finish(&facts(&[]));
    let corr = find(&checks, "logs.correlation");
    assert_eq!(corr.status, Status::Pass, "{corr:?}");
    assert!(
        corr.message.contains("all 40000 requests"),
        "{}",
        corr.message
    );
    let traces = find(&checks, "logs.trace_ids");
    assert!(
        traces.message.contains("all 40000 jobs"),
        "{}",
        traces.message
    );
}

#[test]
fn a_job_whose_lines_come_later_than_the_settle_time_fails_its_correlation() {
    let exp = logs_exp();
    let mut c = LogChecker::new(&exp, TIMEOUT);
    let t0 = Instant::now();
    c.job_ended(record(1, JobOutcome::Succeeded), t0);
    c.job_ended(record(2, JobOutcome::Succeeded), t0);
    // Job 1's lines arrive within the settle time; job 2's only after it.
    c.feed(&line(1, "INFO", 1, 2), t0 + Duration::from_secs(1));
    c.feed(&line(2, "INFO", 2, 3), t0 + SETTLE + Duration::from_secs(1));
    let checks = c.finish(&facts(&[]));
    let corr = find(&checks, "logs.correlation");
    assert_eq!(corr.status, Status::Fail, "{corr:?}");
    assert!(
        corr.message.starts_with("1 of 2 requests"),
        "{}",
        corr.message
    );
    assert!(
        corr.evidence[0].contains("correlation id c2 of job j2 appears in no line"),
        "{:?}",
        corr.evidence
    );
}

/// Lines read from a backlog (stamped with the reader's clock, which has not moved) still
/// count for a job whose end came long before on the wall clock, and later ends do not judge
/// it early.
#[test]
fn a_job_is_judged_on_the_line_readers_clock_not_by_later_job_ends() {
    let exp = logs_exp();
    let mut c = LogChecker::new(&exp, TIMEOUT);
    let t0 = Instant::now();
    c.job_ended(record(1, JobOutcome::Succeeded), t0);
    c.job_ended(record(2, JobOutcome::Succeeded), t0 + 3 * SETTLE);
    c.feed(&line(1, "INFO", 1, 2), t0);
    c.feed(&line(2, "INFO", 2, 3), t0);
    let checks = c.finish(&facts(&[]));
    let corr = find(&checks, "logs.correlation");
    assert_eq!(corr.status, Status::Pass, "{corr:?}");
    assert!(corr.message.contains("all 2 requests"), "{}", corr.message);
}

#[test]
fn a_line_naming_another_jobs_trace_fails() {
    let exp = logs_exp();
    let mut c = LogChecker::new(&exp, TIMEOUT);
    let now = Instant::now();
    // Job 2's worker logs under job 3's trace: context leaked from one job to the next.
    // (Job i's trace is i + 1.)
    c.feed(&line(1, "INFO", 2, 4), now);
    c.feed(&line(2, "INFO", 3, 4), now);
    c.job_ended(record(2, JobOutcome::Succeeded), now);
    c.job_ended(record(3, JobOutcome::Succeeded), now);
    let checks = c.finish(&facts(&[]));
    let t = find(&checks, "logs.trace_ids");
    assert_eq!(t.status, Status::Fail, "{t:?}");
    assert!(
        t.message
            .starts_with("the lines of 1 of 2 jobs name a trace that is not the job's"),
        "{}",
        t.message
    );
    assert!(
        t.evidence[0].contains(&format!("trace_id {:032x} of job j2", 4)),
        "{:?}",
        t.evidence
    );
}

#[test]
fn error_lines_of_a_job_no_end_claims_fail_after_the_job_timeout() {
    let exp = logs_exp();
    let mut c = LogChecker::new(&exp, TIMEOUT);
    let t0 = Instant::now();
    c.feed(&line(1, "ERROR", 99, 100), t0);
    // Lines of ordinary jobs keep the clock moving past the horizon.
    for i in 0..3u64 {
        let now = t0 + TIMEOUT + SETTLE + Duration::from_secs(i + 1);
        c.feed(&line(10 + i, "INFO", i, i + 1), now);
        c.job_ended(record(i, JobOutcome::Succeeded), now);
    }
    assert!(c.peak_entries() < 12, "{}", c.peak_entries());
    let checks = c.finish(&facts(&[]));
    let e = find(&checks, "logs.errors_match_failures");
    assert_eq!(e.status, Status::Fail, "{e:?}");
    assert!(
        e.evidence[0].contains("job j99 unknown to the harness: 1 ERROR/CRITICAL lines"),
        "{:?}",
        e.evidence
    );
}

#[test]
fn unknown_jobs_are_not_judged_when_job_ends_were_missed() {
    let exp = logs_exp();
    let mut c = LogChecker::new(&exp, TIMEOUT);
    let now = Instant::now();
    c.feed(&line(1, "ERROR", 99, 100), now);
    let mut f = facts(&[]);
    f.jobs_streamed = false;
    let checks = c.finish(&f);
    let e = find(&checks, "logs.errors_match_failures");
    assert_eq!(e.status, Status::Pass, "{e:?}");
}

#[test]
fn a_failed_job_without_its_error_line_fails_when_judged_mid_run() {
    let exp = logs_exp();
    let mut c = LogChecker::new(&exp, TIMEOUT);
    let t0 = Instant::now();
    c.feed(&line(1, "INFO", 5, 6), t0);
    c.job_ended(record(5, JobOutcome::Failed), t0);
    // A later line moves the clock past the job's settle time: it is judged then, with the
    // lines it had.
    c.feed(&line(2, "INFO", 6, 7), t0 + SETTLE);
    let checks = c.finish(&facts(&[]));
    let e = find(&checks, "logs.errors_match_failures");
    assert_eq!(e.status, Status::Fail, "{e:?}");
    assert!(
        e.evidence[0].contains("failed job j5: 0 ERROR/CRITICAL lines, expected exactly 1"),
        "{:?}",
        e.evidence
    );
}

#[test]
fn a_longer_settle_time_waits_for_late_lines() {
    let exp = logs_exp();
    let late = SETTLE + Duration::from_secs(1);
    let mut c = LogChecker::new(&exp, TIMEOUT).with_settle(late + Duration::from_secs(1));
    let t0 = Instant::now();
    c.job_ended(record(2, JobOutcome::Succeeded), t0);
    c.feed(&line(1, "INFO", 2, 3), t0 + late);
    let checks = c.finish(&facts(&[]));
    let corr = find(&checks, "logs.correlation");
    assert_eq!(corr.status, Status::Pass, "{corr:?}");
}
