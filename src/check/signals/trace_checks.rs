//! Trace checks that look at spans one by one: orphans (a parent never received) and span
//! durations against the job's end-to-end time seen by the harness; and the bounded problem
//! list every trace check keeps.

use std::collections::HashSet;

use crate::check::registry::CheckInfo;
use crate::evidence::{JobRecord, SpanKind, SpanRecord};
use crate::expect::traces::TracesExpectations;
use crate::verdict::{Check, MAX_EVIDENCE};

use super::TRACES;
use super::facts::RunFacts;
use super::trace_tree::{SpanIndex, finished, show};

/// Problems with a bounded sample.
#[derive(Debug, Default)]
pub struct Problems {
    /// How many.
    pub count: u64,
    /// At most `MAX_EVIDENCE` of them.
    pub samples: Vec<String>,
}

impl Problems {
    /// Count one problem.
    pub fn add(&mut self, p: String) {
        self.count += 1;
        if self.samples.len() < MAX_EVIDENCE {
            self.samples.push(p);
        }
    }
    /// The first problem, for the message.
    pub fn first(&self) -> &str {
        self.samples.first().map(String::as_str).unwrap_or("")
    }
}

/// A span whose parent id names no received span of its trace and no harness client span.
/// Entry spans (server, consumer) are exempt: their parent is remote by design (a caller's span
/// that is never exported here), which `traces.propagation` judges for jobs.
pub fn orphans(idx: &SpanIndex<'_>, facts: &RunFacts<'_>) -> Check {
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

/// Spans listed in `duration_spans` last no longer than their job end to end (+ slack).
pub fn durations(exp: &TracesExpectations, idx: &SpanIndex<'_>, facts: &RunFacts<'_>) -> Check {
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

/// The checks this module emits (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[
    CheckInfo {
        id: "traces.orphans",
        kind: TRACES,
        proves: "no span names a parent that was never received (entry spans exempt)",
        failure: "spans are lost or parent ids are wrong: the evidence shows the orphans",
        explain: "A span whose parent is neither in its trace nor a harness client span is an \
                  orphan; server and consumer spans have remote parents by design.\n\
                  Example failure: 5 orphan spans (parent never received): render ...: parent \
                  b7ad6b7169203331 is neither in the trace nor a harness client span",
    },
    CheckInfo {
        id: "traces.duration",
        kind: TRACES,
        proves: "listed spans last no longer than their job end to end (plus slack)",
        failure: "span timing is wrong (clock, units, unended spans): see the evidence",
        explain: "Spans in duration_spans are compared with the job's end-to-end time measured \
                  by the harness, plus duration_slack_ms; skipped when none are listed.\n\
                  Example failure: 2 of 300 spans last longer than their job as seen by the \
                  harness (+50 ms slack), or end before they start: job j3: `pipeline.run` \
                  lasted 9000.0 ms, the job took 120.0 ms end to end",
    },
];
