//! One trace's spans, indexed for the checks that judge it: parent look-ups by span id, and how
//! a span is shown in evidence.

use std::collections::HashMap;

use crate::evidence::{JobOutcome, JobRecord, SpanRecord};

/// Below this many spans a parent is found by a scan: cheaper than building a map.
const SCAN_UP_TO: usize = 32;

/// The spans of one trace (of the target's service), in arrival order.
#[derive(Debug)]
pub struct TraceView<'a> {
    pub spans: &'a [SpanRecord],
    /// Span id → span, for big traces only.
    by_id: Option<HashMap<&'a str, &'a SpanRecord>>,
}

impl<'a> TraceView<'a> {
    /// Index `spans`, which all belong to one trace.
    pub fn new(spans: &'a [SpanRecord]) -> Self {
        let by_id = (spans.len() > SCAN_UP_TO)
            .then(|| spans.iter().map(|s| (s.span_id.as_str(), s)).collect());
        Self { spans, by_id }
    }
    /// The span of this trace with id `id`.
    pub fn get(&self, id: &str) -> Option<&'a SpanRecord> {
        match &self.by_id {
            Some(m) => m.get(id).copied(),
            None => self.spans.iter().find(|s| s.span_id == id),
        }
    }
    /// The parent of `s` within the trace.
    pub fn parent(&self, s: &SpanRecord) -> Option<&'a SpanRecord> {
        self.get(s.parent_span_id.as_deref()?)
    }
}

/// True when the target finished the job (succeeded or failed): the jobs whose traces are
/// judged for propagation, tree, completeness and durations.
pub fn is_finished(j: &JobRecord) -> bool {
    matches!(j.outcome, JobOutcome::Succeeded | JobOutcome::Failed)
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
