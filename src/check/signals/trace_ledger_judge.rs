//! Judging one job's trace: propagation from the harness's client span, the span tree,
//! completeness, durations against the job's end-to-end time, and orphans.

use std::collections::BTreeMap;

use super::TraceLedger;
use crate::evidence::{AttrValue, JobOutcome, JobRecord, SpanKind, SpanRecord, SpanStatus};
use crate::expect::traces::{ErrorStatus, Required, SpanExpectation};

use super::super::trace_tree::{TraceView, show};

fn job_name(j: &JobRecord) -> &str {
    j.job_id.as_deref().unwrap_or("(no id)")
}

impl TraceLedger<'_> {
    /// The target's root span is in the job's trace, a child of the harness's client span.
    /// `trace` is the trace carrying the harness's own trace id, if any.
    pub(super) fn propagation(&mut self, j: &JobRecord, trace: Option<&TraceView<'_>>) {
        let root = self.exp.root_name();
        let t = &mut self.tallies;
        t.propagation_jobs += 1;
        let job = job_name(j);
        if let Some(r) = &j.returned_trace_id
            && *r != j.trace_id
        {
            t.propagation.add(format!(
                "job {job}: sent trace {} (client span {}), the target answered trace {r}: `traceparent` not honoured",
                j.trace_id, j.client_span_id
            ));
            return;
        }
        let Some(trace) = trace else {
            t.propagation.add(format!(
                "job {job}: no span of the target carries the job's trace id {}",
                j.trace_id
            ));
            return;
        };
        let roots: Vec<&SpanRecord> = trace.spans.iter().filter(|s| s.name == root).collect();
        if roots.is_empty() {
            t.propagation.add(format!(
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
            t.propagation.add(format!(
                "job {job}: `{root}` has parent {found}, expected the harness's client span {}",
                j.client_span_id
            ));
        }
    }

    /// Each expected span of the job's trace has its kind, parent, attributes and status.
    pub(super) fn tree(&mut self, j: &JobRecord, trace: &TraceView<'_>) {
        if trace.spans.is_empty() {
            return;
        }
        let failed = j.outcome == JobOutcome::Failed;
        let t = &mut self.tallies;
        t.tree_traces += 1;
        for s in trace.spans {
            let Some(e) = self.exp.span(&s.name) else {
                continue;
            };
            t.tree_spans += 1;
            let issues = span_issues(s, e, trace, failed);
            if !issues.is_empty() {
                t.tree.add(format!("{}: {}", show(s), issues.join("; ")));
            }
        }
    }

    /// The job's trace has every expected span, as many times as expected.
    pub(super) fn completeness(&mut self, j: &JobRecord, tid: &str, trace: &TraceView<'_>) {
        let t = &mut self.tallies;
        t.finished_jobs += 1;
        let job = job_name(j);
        if trace.spans.is_empty() {
            t.completeness
                .add(format!("job {job}: no trace (trace id {})", j.trace_id));
            return;
        }
        let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
        for s in trace.spans {
            *counts.entry(s.name.as_str()).or_default() += 1;
        }
        let mut missing = Vec::new();
        for e in &self.exp.spans {
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
            let outcome = match j.outcome {
                JobOutcome::Succeeded => "succeeded",
                _ => "failed",
            };
            t.completeness.add(format!(
                "job {job} ({outcome}) trace {tid}: {}",
                missing.join(", ")
            ));
        }
    }

    /// Spans listed in `duration_spans` last no longer than their job end to end (+ slack).
    pub(super) fn durations(&mut self, j: &JobRecord, trace: &TraceView<'_>) {
        let Some(end) = j.end_unix_nano else { return };
        let e2e = end.saturating_sub(j.sent_unix_nano) as f64;
        let slack = self.exp.duration_slack_ms as f64 * 1e6;
        let t = &mut self.tallies;
        for s in trace
            .spans
            .iter()
            .filter(|s| self.exp.duration_spans.contains(&s.name))
        {
            t.duration_spans += 1;
            let d = s.end_unix_nano as f64 - s.start_unix_nano as f64;
            if d < 0.0 || d > e2e + slack {
                t.durations.add(format!(
                    "job {}: `{}` lasted {:.1} ms, the job took {:.1} ms end to end",
                    job_name(j),
                    s.name,
                    d / 1e6,
                    e2e / 1e6
                ));
            }
        }
    }

    /// Spans whose parent id names no span of their trace and not the harness's client span
    /// (`client`, for a job's trace). Entry spans (server, consumer) are exempt: their parent
    /// is remote by design (a caller's span that is never exported here), which
    /// `traces.propagation` judges for jobs.
    pub(super) fn orphans(&mut self, trace: &TraceView<'_>, client: Option<&str>) {
        let t = &mut self.tallies;
        for s in trace.spans {
            t.orphan_spans += 1;
            if let Some(parent) = s.parent_span_id.as_deref()
                && !matches!(s.kind, SpanKind::Server | SpanKind::Consumer)
                && trace.get(parent).is_none()
                && client != Some(parent)
            {
                t.orphans.add(format!(
                    "{}: parent {parent} is neither in the trace nor a harness client span",
                    show(s)
                ));
            }
        }
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
    trace: &TraceView<'_>,
    job_failed: bool,
) -> Vec<String> {
    let mut issues = Vec::new();
    if s.kind != e.kind {
        issues.push(format!("kind {:?}, expected {:?}", s.kind, e.kind).to_lowercase());
    }
    if let Some(want) = &e.parent {
        let got = trace.parent(s).map(|x| x.name.as_str());
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
