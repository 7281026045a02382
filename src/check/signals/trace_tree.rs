//! Indexes received spans by trace and span id, and finds each job's trace: the one carrying the
//! harness's trace id, or (when the target ignored `traceparent`) the trace id it answered with.

use std::collections::HashMap;

use crate::evidence::{JobOutcome, JobRecord, SpanRecord};

/// Spans of one service, indexed.
#[derive(Debug, Default)]
pub struct SpanIndex<'a> {
    /// Trace id → spans in arrival order.
    pub by_trace: HashMap<&'a str, Vec<&'a SpanRecord>>,
    /// (trace id, span id) → span.
    pub by_id: HashMap<(&'a str, &'a str), &'a SpanRecord>,
}

impl<'a> SpanIndex<'a> {
    /// Index the spans of `service` among `spans`.
    pub fn new(spans: &'a [SpanRecord], service: &str) -> Self {
        let mut idx = SpanIndex::default();
        for s in spans.iter().filter(|s| s.service_name == service) {
            idx.by_trace.entry(s.trace_id.as_str()).or_default().push(s);
            idx.by_id
                .insert((s.trace_id.as_str(), s.span_id.as_str()), s);
        }
        idx
    }
    /// Number of indexed spans.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }
    /// True when no span is indexed.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
    /// The parent of `s` within its trace.
    pub fn parent(&self, s: &SpanRecord) -> Option<&'a SpanRecord> {
        let p = s.parent_span_id.as_deref()?;
        self.by_id.get(&(s.trace_id.as_str(), p)).copied()
    }
    /// The spans of the job's trace: by its trace id, else by the trace id the target answered.
    pub fn job_trace(&self, j: &JobRecord) -> Option<(&'a str, &[&'a SpanRecord])> {
        let ids = std::iter::once(j.trace_id.as_str()).chain(j.returned_trace_id.as_deref());
        for id in ids {
            if let Some((k, v)) = self.by_trace.get_key_value(id) {
                return Some((*k, v.as_slice()));
            }
        }
        None
    }
}

/// Jobs the target finished (succeeded or failed): the ones whose traces are judged.
pub fn finished(jobs: &[JobRecord]) -> impl Iterator<Item = &JobRecord> {
    jobs.iter()
        .filter(|j| matches!(j.outcome, JobOutcome::Succeeded | JobOutcome::Failed))
}

/// A span, for evidence.
pub fn show(s: &SpanRecord) -> String {
    format!(
        "trace {} span {} `{}` ({}, parent {})",
        s.trace_id,
        s.span_id,
        s.name,
        format!("{:?}", s.kind).to_lowercase(),
        s.parent_span_id.as_deref().unwrap_or("none")
    )
}
