//! The streaming join of spans with job ends: every job is judged while the run goes, the state
//! holds only the last seconds of traces, and late, foreign or unbounded spans are judged or
//! counted as such.

use std::time::{Duration, Instant};

use super::fixtures::*;
use super::telemetry::spans;
use crate::check::signals::trace_feed::{JAEGER_SAMPLE, TraceFeed, TraceSource};
use crate::check::signals::trace_ledger::{SETTLE, TraceLedger};
use crate::check::signals::traces::checks;
use crate::evidence::{JobOutcome, JobRecord, SpanRecord};
use crate::expect::ExpectationSet;
use crate::verdict::Status;

const TIMEOUT: Duration = Duration::from_secs(60);

/// Job `i`, with its own trace and client span.
fn record(i: u64) -> JobRecord {
    let mut r = jobs().remove(0);
    r.job_id = Some(format!("j{i}"));
    r.trace_id = format!("{:032x}", i + 1);
    r.returned_trace_id = Some(r.trace_id.clone());
    r.client_span_id = format!("{:016x}", 0xc000_0000 + i);
    r.outcome = JobOutcome::Succeeded;
    r
}

fn trace_of(r: &JobRecord) -> Vec<SpanRecord> {
    spans(std::slice::from_ref(r), Defect::None)
}

#[test]
fn every_job_of_a_long_run_is_judged_in_state_bounded_by_the_settle_time() {
    let exp = traces_exp();
    let mut l = TraceLedger::new(&exp, TIMEOUT);
    let t0 = Instant::now();
    let n = 30_000u64;
    // One job per millisecond: its spans, then its end.
    for i in 0..n {
        let now = t0 + Duration::from_millis(i);
        let r = record(i);
        l.spans(trace_of(&r), now);
        l.job_ended(r, now);
    }
    // About SETTLE's worth of jobs waits at once, with their traces and the judged ids of the
    // SETTLE before: not the whole run.
    let per_settle = SETTLE.as_millis() as usize;
    assert!(
        l.peak_entries <= 3 * per_settle + 1_000,
        "peak {} entries for {n} jobs",
        l.peak_entries
    );
    l.finish(t0 + Duration::from_millis(n));
    let cs = checks(&exp, &l.tallies);
    assert_eq!(failing(&cs), Vec::<String>::new(), "{cs:#?}");
    let c = find(&cs, "traces.completeness");
    assert!(
        c.message
            .starts_with("30000 of 30000 finished jobs have a complete trace"),
        "{}",
        c.message
    );
    assert!(
        find(&cs, "traces.propagation")
            .message
            .contains("all 30000 jobs")
    );
}

#[test]
fn spans_that_come_after_their_job_was_judged_fail_completeness_and_are_counted() {
    let exp = traces_exp();
    let mut l = TraceLedger::new(&exp, TIMEOUT);
    let t0 = Instant::now();
    let (early, late) = (record(1), record(2));
    // Job 1: half its spans before its end, the other half after the settle time.
    let mut sp = trace_of(&early);
    let rest = sp.split_off(4);
    let n_late = rest.len();
    l.spans(sp, t0);
    l.job_ended(early, t0);
    // Job 2: every span only after the settle time.
    l.job_ended(late.clone(), t0);
    let after = t0 + SETTLE + Duration::from_millis(10);
    l.spans(rest, after);
    // Job 2's spans are late too: it was judged traceless, and they are not taken for a
    // trace no job claims.
    let n_late = n_late + trace_of(&late).len();
    l.spans(trace_of(&late), after);
    l.finish(after);
    let cs = checks(&exp, &l.tallies);
    let c = find(&cs, "traces.completeness");
    assert_eq!(c.status, Status::Fail, "{c:?}");
    assert!(
        c.message
            .contains("0 of 2 finished jobs have a complete trace"),
        "{}",
        c.message
    );
    assert!(
        c.message.contains(&format!(
            "{n_late} spans came after their job had been judged"
        )),
        "{}",
        c.message
    );
    assert!(
        c.evidence.iter().any(|e| e.contains("job j2: no trace")),
        "{:?}",
        c.evidence
    );
    assert!(
        c.evidence
            .iter()
            .any(|e| e.starts_with("job j1 (succeeded)")),
        "{:?}",
        c.evidence
    );
}

#[test]
fn a_trace_no_job_claims_is_judged_for_orphans_and_dropped_after_the_horizon() {
    let exp = traces_exp();
    let mut l = TraceLedger::new(&exp, TIMEOUT);
    let t0 = Instant::now();
    let mut foreign = trace_of(&record(7));
    if let Some(s) = foreign.iter_mut().find(|s| s.name == "render") {
        s.parent_span_id = Some("0000000000000bad".into());
    }
    l.spans(foreign, t0);
    assert_eq!(l.entries(), 1);
    // A job of the run keeps the ledger going past the horizon.
    let r = record(8);
    let later = t0 + TIMEOUT + SETTLE + Duration::from_secs(1);
    l.spans(trace_of(&r), later);
    l.job_ended(r, later);
    assert_eq!(
        l.entries(),
        2,
        "the foreign trace is gone: the job's trace and end remain"
    );
    l.finish(later);
    let cs = checks(&exp, &l.tallies);
    assert_eq!(failing(&cs), vec!["traces.orphans"], "{cs:#?}");
    let c = find(&cs, "traces.orphans");
    assert!(
        c.evidence[0].contains("parent 0000000000000bad"),
        "{:?}",
        c.evidence
    );
    assert!(
        find(&cs, "traces.completeness")
            .message
            .starts_with("1 of 1")
    );
}

/// A job the harness gave up on may still run on the target: its root span, which comes after
/// the job's end has settled, is not missing from a trace judged too early, and a span whose
/// parent really never comes is still an orphan once the trace expires.
#[test]
fn a_timed_out_job_whose_spans_come_late_leaves_no_false_orphan() {
    let exp = traces_exp();
    let mut l = TraceLedger::new(&exp, TIMEOUT);
    let t0 = Instant::now();
    let mut r = record(3);
    r.outcome = JobOutcome::Timeout;
    let (late, early): (Vec<SpanRecord>, Vec<SpanRecord>) = trace_of(&r)
        .into_iter()
        .partition(|s| s.name == "pipeline.run");
    l.spans(early, t0);
    l.job_ended(r, t0);
    let after_settle = t0 + SETTLE + Duration::from_secs(1);
    l.spans(late, after_settle);
    l.finish(after_settle);
    assert_eq!(l.tallies.late_spans, 0);
    let cs = checks(&exp, &l.tallies);
    assert_eq!(find(&cs, "traces.orphans").status, Status::Pass, "{cs:#?}");
    // The same job, its root span never exported: its stages are orphans.
    let mut l = TraceLedger::new(&exp, TIMEOUT);
    let mut r = record(4);
    r.outcome = JobOutcome::Timeout;
    let rootless: Vec<SpanRecord> = trace_of(&r)
        .into_iter()
        .filter(|s| s.name != "pipeline.run")
        .collect();
    l.spans(rootless, t0);
    l.job_ended(r, t0);
    l.finish(after_settle);
    let cs = checks(&exp, &l.tallies);
    let c = find(&cs, "traces.orphans");
    assert_eq!(c.status, Status::Fail, "{cs:#?}");
    assert!(
        c.message.contains("orphan spans (parent never received)"),
        "{}",
        c.message
    );
}

/// Job ends come on their own queue and may be read ahead of a span queue the checker is
/// behind on: later ends do not judge a job, only the span feed's clock does, so spans read
/// from a backlog still count for their job.
#[test]
fn a_job_is_judged_on_the_span_feeds_clock_not_by_later_job_ends() {
    let exp = traces_exp();
    let mut l = TraceLedger::new(&exp, TIMEOUT);
    let t0 = Instant::now();
    let (a, b) = (record(1), record(2));
    l.job_ended(a.clone(), t0);
    l.job_ended(b.clone(), t0 + 3 * SETTLE);
    // The backlog is read: both traces, on a clock that has not moved since t0.
    l.spans(trace_of(&a), t0);
    l.spans(trace_of(&b), t0);
    assert_eq!(
        l.tallies.finished_jobs, 0,
        "no job judged before the feed caught up"
    );
    l.advance(t0 + 4 * SETTLE + Duration::from_secs(1));
    assert_eq!(l.tallies.finished_jobs, 2);
    assert_eq!(l.tallies.late_spans, 0);
    l.finish(t0 + 5 * SETTLE);
    let cs = checks(&exp, &l.tallies);
    assert_eq!(failing(&cs), Vec::<String>::new(), "{cs:#?}");
}

#[test]
fn spans_beyond_the_held_bound_are_counted_not_held() {
    let exp = traces_exp();
    let mut l = TraceLedger::new(&exp, TIMEOUT).with_max_held_spans(10);
    let t0 = Instant::now();
    let (a, b) = (record(1), record(2));
    let n = trace_of(&a).len() as u64;
    l.spans(trace_of(&a), t0);
    l.spans(trace_of(&b), t0);
    assert_eq!(l.tallies.dropped_spans, 2 * n - 10);
    // Once job 1 is judged its spans are let go, and job 3's fit again.
    l.job_ended(a, t0);
    let later = t0 + SETTLE;
    let c = record(3);
    l.spans(trace_of(&c), later);
    assert_eq!(l.tallies.dropped_spans, 2 * n - 10);
}

#[test]
fn a_jaeger_read_back_judges_a_stated_sample_of_the_jobs() {
    let exps = ExpectationSet {
        traces: vec![("traces.yaml".into(), traces_exp())],
        ..ExpectationSet::default()
    };
    let mut f = TraceFeed::new(&exps, TIMEOUT, TraceSource::Jaeger);
    assert!(f.wants_jobs());
    let now = Instant::now();
    let total = JAEGER_SAMPLE as u64 + 500;
    let mut dropped = record(0);
    dropped.outcome = JobOutcome::Dropped;
    f.job_ended(dropped, now);
    for i in 1..=total {
        f.job_ended(record(i), now);
    }
    let ids = f.sampled_trace_ids();
    assert_eq!(ids.len(), JAEGER_SAMPLE);
    assert_eq!(ids[0], record(1).trace_id);
    let read: Vec<SpanRecord> = (1..=JAEGER_SAMPLE as u64)
        .flat_map(|i| trace_of(&record(i)))
        .collect();
    f.replay(read);
    let cs = f.finish();
    assert_eq!(failing(&cs), Vec::<String>::new(), "{cs:#?}");
    let c = find(&cs, "traces.received");
    assert!(
        c.message.contains(&format!(
            "(traces read back from Jaeger for the first {JAEGER_SAMPLE} of {total} finished jobs)"
        )),
        "{}",
        c.message
    );
    assert!(
        find(&cs, "traces.completeness")
            .message
            .starts_with(&format!("{JAEGER_SAMPLE} of {JAEGER_SAMPLE}"))
    );
}

#[test]
fn without_a_span_source_no_job_end_is_asked_for() {
    let exps = ExpectationSet {
        traces: vec![("traces.yaml".into(), traces_exp())],
        ..ExpectationSet::default()
    };
    assert!(!TraceFeed::new(&exps, TIMEOUT, TraceSource::Unobserved).wants_jobs());
    assert!(TraceFeed::new(&exps, TIMEOUT, TraceSource::Receiver).wants_jobs());
    let none = ExpectationSet::default();
    assert!(!TraceFeed::new(&none, TIMEOUT, TraceSource::Receiver).wants_jobs());
}
