//! Trace checks: spans received at all, context propagation from the harness's client span, the
//! span tree of each job, completeness, orphans, and span durations against the job's
//! end-to-end time seen by the harness. The [`super::trace_ledger`] judges each job's trace as
//! the run goes; this file turns its tallies into checks, and judges recorded spans and jobs
//! in one go ([`check`]) the same way.

use std::time::{Duration, Instant};

use crate::check::registry::CheckInfo;
use crate::evidence::SpanRecord;
use crate::verdict::{Check, Status};

use super::TRACES;
use super::facts::RunFacts;
use super::trace_checks::{durations, orphans};
use super::trace_ledger::{TraceLedger, TraceTallies};
use crate::expect::traces::TracesExpectations;

/// Every trace check over recorded spans and the jobs of `facts`: the spans are handed to a
/// ledger first, then every job's end, so each job is judged with all of its spans.
pub fn check(exp: &TracesExpectations, spans: &[SpanRecord], facts: &RunFacts<'_>) -> Vec<Check> {
    let now = Instant::now();
    let mut ledger = TraceLedger::new(exp, Duration::ZERO);
    super::trace_feed::hand(&mut ledger, spans.iter().cloned(), now);
    for j in facts.jobs {
        ledger.job_ended(j.clone(), now);
    }
    ledger.finish(now);
    checks(exp, &ledger.tallies)
}

/// Every trace check, from what a ledger judged.
pub fn checks(exp: &TracesExpectations, t: &TraceTallies) -> Vec<Check> {
    let received = received_check(exp, t);
    let ok = received.status == Status::Pass;
    let mut out = vec![received];
    let ids = [
        "traces.propagation",
        "traces.tree",
        "traces.completeness",
        "traces.orphans",
        "traces.duration",
    ];
    if !ok {
        out.extend(ids.iter().map(|id| {
            Check::skip(
                *id,
                TRACES,
                "no spans of the target to judge (see traces.received)",
            )
        }));
        return out;
    }
    out.push(propagation(exp, t));
    out.push(tree(t));
    out.push(completeness(exp, t));
    out.push(orphans(t));
    out.push(durations(exp, t));
    out
}

fn received_check(exp: &TracesExpectations, t: &TraceTallies) -> Check {
    if t.spans_total == 0 {
        return Check::fail(
            "traces.received",
            TRACES,
            "no spans received: is trace export on?",
        );
    }
    if t.spans_of_service == 0 {
        let hint = crate::util::nearest(&exp.service_name, t.services.iter().map(String::as_str))
            .map(|n| format!("; did you mean `{n}`?"))
            .unwrap_or_default();
        let services: Vec<&str> = t.services.iter().map(String::as_str).collect();
        return Check::fail(
            "traces.received",
            TRACES,
            format!(
                "{} spans received, none from service `{}`{hint} (services seen: {})",
                t.spans_total,
                exp.service_name,
                services.join(", ")
            ),
        );
    }
    let sample = t
        .sample
        .as_ref()
        .map(|s| format!(" ({s})"))
        .unwrap_or_default();
    Check::pass(
        "traces.received",
        TRACES,
        format!(
            "{} spans received from `{}` in {} traces{sample}",
            t.spans_of_service, exp.service_name, t.traces_of_service
        ),
    )
}

fn propagation(exp: &TracesExpectations, t: &TraceTallies) -> Check {
    let (p, n, root) = (&t.propagation, t.propagation_jobs, exp.root_name());
    if p.count == 0 {
        Check::pass(
            "traces.propagation",
            TRACES,
            format!(
                "all {n} jobs: `{root}` is a child of the harness's client span, in the client's trace"
            ),
        )
    } else {
        Check::fail(
            "traces.propagation",
            TRACES,
            format!(
                "context not propagated for {} of {n} jobs: {}",
                p.count,
                p.first()
            ),
        )
        .with_evidence(p.samples.clone())
    }
}

fn tree(t: &TraceTallies) -> Check {
    let (p, judged) = (&t.tree, t.tree_spans);
    if p.count == 0 {
        Check::pass(
            "traces.tree",
            TRACES,
            format!(
                "{judged} spans in {} job traces have the expected kinds, parents, attributes and status",
                t.tree_traces
            ),
        )
    } else {
        Check::fail(
            "traces.tree",
            TRACES,
            format!(
                "{} of {judged} spans break the span tree: {}",
                p.count,
                p.first()
            ),
        )
        .with_evidence(p.samples.clone())
    }
}

fn completeness(exp: &TracesExpectations, t: &TraceTallies) -> Check {
    let (p, total) = (&t.completeness, t.finished_jobs);
    if total == 0 {
        return Check::skip("traces.completeness", TRACES, "no finished jobs to judge");
    }
    let complete = total - p.count;
    let ratio = complete as f64 / total as f64;
    let ok = ratio >= exp.completeness_min_ratio;
    let mut msg = format!(
        "{complete} of {total} finished jobs have a complete trace ({:.1}%, at least {:.1}% expected)",
        ratio * 100.0,
        exp.completeness_min_ratio * 100.0
    );
    if t.late_spans > 0 {
        msg.push_str(&format!(
            "; {} spans came after their job had been judged, and were not counted",
            t.late_spans
        ));
    }
    if ok {
        Check::pass("traces.completeness", TRACES, msg)
    } else {
        Check::fail(
            "traces.completeness",
            TRACES,
            format!("{msg}: {}", p.first()),
        )
        .with_evidence(p.samples.clone())
    }
}

/// The checks this module emits (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[
    CheckInfo {
        id: "traces.received",
        kind: TRACES,
        proves: "spans of the target's service were received",
        failure: "trace export is off or goes elsewhere: check the OTLP endpoint",
        explain: "Spans reach obsgate's OTLP receiver (or are read back from Jaeger); some must \
                  come from the expected service.\n\
                  Example failure: no spans received: is trace export on?",
    },
    CheckInfo {
        id: "traces.propagation",
        kind: TRACES,
        proves: "each job's entry span is a child of the harness's client span, in its trace",
        failure: "the target ignores `traceparent`: traces do not join the caller's",
        explain: "For every job the target's root span must be in the trace the harness sent \
                  and have the harness's client span as its parent.\n\
                  Example failure: context not propagated for 300 of 300 jobs: job j1: sent trace \
                  4bf9... (client span 00f0...), the target answered trace 9a1c...: `traceparent` \
                  not honoured",
    },
    CheckInfo {
        id: "traces.tree",
        kind: TRACES,
        proves: "job spans have the expected kinds, parents, attributes and error status",
        failure: "the span tree differs from expectations/traces.yaml: see the evidence",
        explain: "Each expected span name is checked for its kind, its parent span, required \
                  attributes and values, and error status consistent with the job's outcome.\n\
                  Example failure: 3 of 2400 spans break the span tree: render (…): attribute \
                  `preset` missing",
    },
    CheckInfo {
        id: "traces.completeness",
        kind: TRACES,
        proves: "enough finished jobs have a complete trace (every expected span, right count)",
        failure: "spans are lost (sampling, export drops, crashes): see the incomplete jobs",
        explain: "The share of finished jobs whose trace has every expected span must reach \
                  completeness_min_ratio.\n\
                  Example failure: 250 of 300 finished jobs have a complete trace (83.3%, at least \
                  99.0% expected): job j7 (failed) trace 4bf9...: `qa.gate` ×0, expected 1",
    },
];
