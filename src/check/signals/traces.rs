//! Trace checks: spans received at all, context propagation from the harness's client span, the
//! span tree of each job, completeness, orphans, and span durations against the job's
//! end-to-end time seen by the harness.

use std::collections::{BTreeMap, HashSet};

use crate::check::registry::CheckInfo;
use crate::evidence::{AttrValue, JobOutcome, SpanRecord, SpanStatus};
use crate::expect::traces::{ErrorStatus, Required, SpanExpectation, TracesExpectations};
use crate::verdict::Check;

use super::TRACES;
use super::facts::RunFacts;
use super::trace_checks::{Problems, durations, orphans};
use super::trace_tree::{SpanIndex, finished, show};

/// Every trace check.
pub fn check(exp: &TracesExpectations, spans: &[SpanRecord], facts: &RunFacts<'_>) -> Vec<Check> {
    let idx = SpanIndex::new(spans, &exp.service_name);
    let received = received_check(exp, spans, &idx);
    let ok = received.status == crate::verdict::Status::Pass;
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
    out.push(propagation(exp, &idx, facts));
    out.push(tree(exp, &idx, facts));
    out.push(completeness(exp, &idx, facts));
    out.push(orphans(&idx, facts));
    out.push(durations(exp, &idx, facts));
    out
}

fn received_check(exp: &TracesExpectations, spans: &[SpanRecord], idx: &SpanIndex<'_>) -> Check {
    if spans.is_empty() {
        return Check::fail(
            "traces.received",
            TRACES,
            "no spans received: is trace export on?",
        );
    }
    if idx.is_empty() {
        let services: std::collections::BTreeSet<&str> =
            spans.iter().map(|s| s.service_name.as_str()).collect();
        let hint = crate::util::nearest(&exp.service_name, services.iter().copied())
            .map(|n| format!("; did you mean `{n}`?"))
            .unwrap_or_default();
        return Check::fail(
            "traces.received",
            TRACES,
            format!(
                "{} spans received, none from service `{}`{hint} (services seen: {})",
                spans.len(),
                exp.service_name,
                services.into_iter().collect::<Vec<_>>().join(", ")
            ),
        );
    }
    Check::pass(
        "traces.received",
        TRACES,
        format!(
            "{} spans received from `{}` in {} traces",
            idx.len(),
            exp.service_name,
            idx.by_trace.len()
        ),
    )
}

fn propagation(exp: &TracesExpectations, idx: &SpanIndex<'_>, facts: &RunFacts<'_>) -> Check {
    let root = exp.root_name();
    let mut p = Problems::default();
    let mut n = 0;
    for j in finished(facts.jobs) {
        n += 1;
        let job = j.job_id.as_deref().unwrap_or("(no id)");
        if let Some(r) = &j.returned_trace_id
            && *r != j.trace_id
        {
            p.add(format!(
                "job {job}: sent trace {} (client span {}), the target answered trace {r}: `traceparent` not honoured",
                j.trace_id, j.client_span_id
            ));
            continue;
        }
        let Some(spans) = idx.by_trace.get(j.trace_id.as_str()) else {
            p.add(format!(
                "job {job}: no span of the target carries the job's trace id {}",
                j.trace_id
            ));
            continue;
        };
        let roots: Vec<&&SpanRecord> = spans.iter().filter(|s| s.name == root).collect();
        if roots.is_empty() {
            p.add(format!(
                "job {job}: trace {} has no `{root}` span",
                j.trace_id
            ));
        } else if !roots
            .iter()
            .any(|s| s.parent_span_id.as_deref() == Some(j.client_span_id.as_str()))
        {
            let found = roots
                .first()
                .and_then(|s| s.parent_span_id.clone())
                .unwrap_or_else(|| "none".into());
            p.add(format!(
                "job {job}: `{root}` has parent {found}, expected the harness's client span {}",
                j.client_span_id
            ));
        }
    }
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
        .with_evidence(p.samples)
    }
}

fn attr_text(v: &AttrValue) -> String {
    match v {
        AttrValue::Bool(b) => b.to_string(),
        AttrValue::Int(i) => i.to_string(),
        AttrValue::Double(d) => d.to_string(),
        AttrValue::Str(s) | AttrValue::Other(s) => s.clone(),
    }
}

/// What is wrong with one span against its expectation: kind, parent, attributes, status.
fn span_issues(
    s: &SpanRecord,
    e: &SpanExpectation,
    idx: &SpanIndex<'_>,
    job_failed: bool,
) -> Vec<String> {
    let mut issues = Vec::new();
    if s.kind != e.kind {
        issues.push(format!("kind {:?}, expected {:?}", s.kind, e.kind).to_lowercase());
    }
    if let Some(want) = &e.parent {
        let got = idx.parent(s).map(|x| x.name.as_str());
        if got != Some(want.as_str()) {
            issues.push(format!(
                "parent `{}`, expected `{want}`",
                got.unwrap_or("(not in the trace)")
            ));
        }
    }
    for (k, m) in &e.attributes {
        match s.attributes.get(k) {
            None => {
                let hint = crate::util::nearest(k, s.attributes.keys().map(String::as_str))
                    .map(|n| format!(" (did you mean `{n}`?)"))
                    .unwrap_or_default();
                issues.push(format!("attribute `{k}` missing{hint}"));
            }
            Some(v) if !m.matches(&attr_text(v)) => {
                issues.push(format!(
                    "attribute `{k}`=`{}` is not {}",
                    attr_text(v),
                    m.describe()
                ));
            }
            Some(_) => {}
        }
    }
    let is_err = s.status == SpanStatus::Error;
    match e.error_status {
        ErrorStatus::Allowed => {}
        ErrorStatus::Never if is_err => issues.push("error status, expected none".into()),
        ErrorStatus::WhenJobFailed if job_failed && !is_err => {
            issues.push("job failed but the span has no error status".into());
        }
        ErrorStatus::WhenJobFailed if !job_failed && is_err => {
            issues.push(format!(
                "job succeeded but the span has error status ({})",
                s.status_message
            ));
        }
        _ => {}
    }
    issues
}

fn tree(exp: &TracesExpectations, idx: &SpanIndex<'_>, facts: &RunFacts<'_>) -> Check {
    let mut p = Problems::default();
    let mut judged = 0u64;
    let mut seen_traces = HashSet::new();
    for j in finished(facts.jobs) {
        let Some((tid, spans)) = idx.job_trace(j) else {
            continue;
        };
        if !seen_traces.insert(tid) {
            continue;
        }
        let failed = j.outcome == JobOutcome::Failed;
        for s in spans {
            let Some(e) = exp.span(&s.name) else { continue };
            judged += 1;
            let issues = span_issues(s, e, idx, failed);
            if !issues.is_empty() {
                p.add(format!("{}: {}", show(s), issues.join("; ")));
            }
        }
    }
    if p.count == 0 {
        Check::pass(
            "traces.tree",
            TRACES,
            format!(
                "{judged} spans in {} job traces have the expected kinds, parents, attributes and status",
                seen_traces.len()
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
        .with_evidence(p.samples)
    }
}

fn completeness(exp: &TracesExpectations, idx: &SpanIndex<'_>, facts: &RunFacts<'_>) -> Check {
    let mut p = Problems::default();
    let mut total = 0u64;
    for j in finished(facts.jobs) {
        total += 1;
        let job = j.job_id.as_deref().unwrap_or("(no id)");
        let Some((tid, spans)) = idx.job_trace(j) else {
            p.add(format!("job {job}: no trace (trace id {})", j.trace_id));
            continue;
        };
        let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
        for s in spans {
            *counts.entry(s.name.as_str()).or_default() += 1;
        }
        let mut missing = Vec::new();
        for e in &exp.spans {
            if e.required == Required::OnSuccess && j.outcome != JobOutcome::Succeeded {
                continue;
            }
            let n = counts.get(e.name.as_str()).copied().unwrap_or(0);
            if !e.count.matches(n as f64) {
                missing.push(format!(
                    "`{}` ×{n}, expected {}",
                    e.name,
                    e.count.describe()
                ));
            }
        }
        if !missing.is_empty() {
            p.add(
                format!(
                    "job {job} ({:?}) trace {tid}: {}",
                    j.outcome,
                    missing.join(", ")
                )
                .replace("Succeeded", "succeeded")
                .replace("Failed", "failed"),
            );
        }
    }
    if total == 0 {
        return Check::skip("traces.completeness", TRACES, "no finished jobs to judge");
    }
    let complete = total - p.count;
    let ratio = complete as f64 / total as f64;
    let ok = ratio >= exp.completeness_min_ratio;
    let msg = format!(
        "{complete} of {total} finished jobs have a complete trace ({:.1}%, at least {:.1}% expected)",
        ratio * 100.0,
        exp.completeness_min_ratio * 100.0
    );
    if ok {
        Check::pass("traces.completeness", TRACES, msg)
    } else {
        Check::fail(
            "traces.completeness",
            TRACES,
            format!("{msg}: {}", p.first()),
        )
        .with_evidence(p.samples)
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
