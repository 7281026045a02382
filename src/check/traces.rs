//! Trace checks: spans received at all, context propagation from the harness's client span, the
//! span tree of each job, completeness, orphans, and span durations against the job's
//! end-to-end time seen by the harness.

use std::collections::{BTreeMap, HashSet};

use crate::expect::traces::{ErrorStatus, Required, TracesExpectations};
use crate::observe::model::{AttrValue, JobOutcome, JobRecord, SpanKind, SpanRecord, SpanStatus};
use crate::report::model::{Check, MAX_EVIDENCE};

use super::TRACES;
use super::facts::RunFacts;
use super::trace_tree::{SpanIndex, finished, show};

/// Problems with a bounded sample.
#[derive(Default)]
struct Problems {
    count: u64,
    samples: Vec<String>,
}

impl Problems {
    fn add(&mut self, p: String) {
        self.count += 1;
        if self.samples.len() < MAX_EVIDENCE {
            self.samples.push(p);
        }
    }
    fn first(&self) -> &str {
        self.samples.first().map(String::as_str).unwrap_or("")
    }
}

/// Every trace check.
pub fn check(exp: &TracesExpectations, spans: &[SpanRecord], facts: &RunFacts<'_>) -> Vec<Check> {
    let idx = SpanIndex::new(spans, &exp.service_name);
    let received = received_check(exp, spans, &idx);
    let ok = received.status == crate::report::model::Status::Pass;
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
                ErrorStatus::WhenJobFailed if failed && !is_err => {
                    issues.push("job failed but the span has no error status".into());
                }
                ErrorStatus::WhenJobFailed if !failed && is_err => {
                    issues.push(format!(
                        "job succeeded but the span has error status ({})",
                        s.status_message
                    ));
                }
                _ => {}
            }
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

/// A span whose parent id names no received span of its trace and no harness client span.
/// Entry spans (server, consumer) are exempt: their parent is remote by design (a caller's span
/// that is never exported here), which `traces.propagation` judges for jobs.
fn orphans(idx: &SpanIndex<'_>, facts: &RunFacts<'_>) -> Check {
    let clients: HashSet<&str> = facts
        .jobs
        .iter()
        .map(|j| j.client_span_id.as_str())
        .collect();
    let mut p = Problems::default();
    for spans in idx.by_trace.values() {
        for s in spans {
            if let Some(parent) = s.parent_span_id.as_deref()
                && !matches!(s.kind, SpanKind::Server | SpanKind::Consumer)
                && idx.parent(s).is_none()
                && !clients.contains(parent)
            {
                p.add(format!(
                    "{}: parent {parent} is neither in the trace nor a harness client span",
                    show(s)
                ));
            }
        }
    }
    if p.count == 0 {
        Check::pass(
            "traces.orphans",
            TRACES,
            format!("no orphan among {} spans", idx.len()),
        )
    } else {
        Check::fail(
            "traces.orphans",
            TRACES,
            format!(
                "{} orphan spans (parent never received): {}",
                p.count,
                p.first()
            ),
        )
        .with_evidence(p.samples)
    }
}

fn durations(exp: &TracesExpectations, idx: &SpanIndex<'_>, facts: &RunFacts<'_>) -> Check {
    if exp.duration_spans.is_empty() {
        return Check::skip("traces.duration", TRACES, "no `duration_spans` listed");
    }
    let slack = exp.duration_slack_ms as f64 * 1e6;
    let mut p = Problems::default();
    let mut judged = 0;
    for j in finished(facts.jobs) {
        let (Some(end), Some((_, spans))) = (j.end_unix_nano, idx.job_trace(j)) else {
            continue;
        };
        let e2e = end.saturating_sub(j.sent_unix_nano) as f64;
        for s in spans
            .iter()
            .filter(|s| exp.duration_spans.contains(&s.name))
        {
            judged += 1;
            let d = s.end_unix_nano as f64 - s.start_unix_nano as f64;
            if d < 0.0 || d > e2e + slack {
                p.add(duration_problem(j, s, d, e2e));
            }
        }
    }
    if p.count == 0 {
        Check::pass(
            "traces.duration",
            TRACES,
            format!(
                "{judged} spans last no longer than their job's end-to-end time (+{} ms slack)",
                exp.duration_slack_ms
            ),
        )
    } else {
        Check::fail(
            "traces.duration",
            TRACES,
            format!("{} of {judged} spans last longer than their job as seen by the harness (+{} ms slack), or end before they start: {}", p.count, exp.duration_slack_ms, p.first()),
        )
        .with_evidence(p.samples)
    }
}

fn duration_problem(j: &JobRecord, s: &SpanRecord, d: f64, e2e: f64) -> String {
    format!(
        "job {}: `{}` lasted {:.1} ms, the job took {:.1} ms end to end",
        j.job_id.as_deref().unwrap_or("(no id)"),
        s.name,
        d / 1e6,
        e2e / 1e6
    )
}
