//! Trace checks that look at spans one by one: orphans (a parent never received) and span
//! durations against the job's end-to-end time seen by the harness, as tallied by the
//! [`super::trace_ledger`]; and the bounded problem list every trace and log check keeps.

use crate::check::registry::CheckInfo;
use crate::expect::traces::TracesExpectations;
use crate::verdict::{Check, MAX_EVIDENCE};

use super::TRACES;
use super::trace_ledger::TraceTallies;

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

/// `traces.orphans` from the tally of every trace judged.
pub fn orphans(t: &TraceTallies) -> Check {
    let p = &t.orphans;
    if p.count == 0 {
        Check::pass(
            "traces.orphans",
            TRACES,
            format!("no orphan among {} spans", t.orphan_spans),
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
        .with_evidence(p.samples.clone())
    }
}

/// `traces.duration` from the tally of every job judged.
pub fn durations(exp: &TracesExpectations, t: &TraceTallies) -> Check {
    if exp.duration_spans.is_empty() {
        return Check::skip("traces.duration", TRACES, "no `duration_spans` listed");
    }
    let (p, judged) = (&t.durations, t.duration_spans);
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
        .with_evidence(p.samples.clone())
    }
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
