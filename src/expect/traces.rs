//! Trace expectation files (`kind: traces`): the span tree of one job, completeness, duration
//! sanity. Raw serde model and resolved form.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_saphyr::Spanned;

use super::error::{Collector, Pos};
use super::matchers::{NumMatcher, StrMatcher, StrMatcherRaw};
use crate::evidence::SpanKind;

/// The `kind` value of this file type (for the JSON Schema; the loader reads `kind` first).
#[derive(JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
enum TracesKind {
    Traces,
}

/// A traces expectation file.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TracesFileRaw {
    /// Always `traces`.
    #[schemars(with = "TracesKind")]
    pub kind: String,
    /// `service.name` of the target's spans (spans of other services are ignored).
    pub service_name: String,
    /// The target's first span of a job (its parent is the harness's client span).
    pub root: SpanSpecRaw,
    /// Least fraction (0..=1) of finished jobs with a complete trace (default 1).
    #[serde(default = "one")]
    pub completeness_min_ratio: f64,
    /// Spans whose duration must fit within the job's end-to-end time seen by the harness.
    #[serde(default)]
    pub duration_spans: Vec<String>,
    /// Slack added to the job's end-to-end time, in milliseconds (default 100).
    #[serde(default = "default_slack")]
    pub duration_slack_ms: u64,
}

fn one() -> f64 {
    1.0
}
fn default_slack() -> u64 {
    100
}

/// Span kind as written in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum KindRaw {
    Internal,
    Server,
    Client,
    Producer,
    Consumer,
}

impl KindRaw {
    fn kind(self) -> SpanKind {
        match self {
            KindRaw::Internal => SpanKind::Internal,
            KindRaw::Server => SpanKind::Server,
            KindRaw::Client => SpanKind::Client,
            KindRaw::Producer => SpanKind::Producer,
            KindRaw::Consumer => SpanKind::Consumer,
        }
    }
}

/// For which jobs a span must exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Required {
    /// Every finished job (default).
    #[default]
    Always,
    /// Only jobs that succeeded (a failed job may stop before this stage).
    OnSuccess,
}

/// When a span may carry error status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorStatus {
    /// Either status (retried attempts; default).
    #[default]
    Allowed,
    /// Never error.
    Never,
    /// Error exactly when the job failed.
    WhenJobFailed,
}

/// One span of the tree.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SpanSpecRaw {
    /// Span name (unique within the tree).
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// Span kind.
    pub kind: KindRaw,
    /// How many spans of this name per job (default exactly 1).
    #[serde(default)]
    pub count: Option<NumMatcher>,
    /// For which jobs it must exist (default always).
    #[serde(default)]
    pub required: Required,
    /// When error status is allowed (default allowed).
    #[serde(default)]
    pub error_status: ErrorStatus,
    /// Attributes it must carry, with allowed values (rendered as text).
    #[serde(default)]
    pub attributes: BTreeMap<String, StrMatcherRaw>,
    /// Child spans (their parent is this span).
    #[serde(default)]
    pub children: Vec<SpanSpecRaw>,
}

/// One span of the tree, resolved and flattened (`parent` names the parent span, `None` for the root).
#[derive(Debug, Clone)]
pub struct SpanExpectation {
    pub name: String,
    pub kind: SpanKind,
    pub parent: Option<String>,
    pub count: NumMatcher,
    pub required: Required,
    pub error_status: ErrorStatus,
    pub attributes: Vec<(String, StrMatcher)>,
}

/// Resolved traces expectations.
#[derive(Debug, Clone)]
pub struct TracesExpectations {
    pub service_name: String,
    /// Root first, then depth-first.
    pub spans: Vec<SpanExpectation>,
    pub completeness_min_ratio: f64,
    pub duration_spans: Vec<String>,
    pub duration_slack_ms: u64,
}

impl TracesExpectations {
    /// The expectation for spans named `name`.
    pub fn span(&self, name: &str) -> Option<&SpanExpectation> {
        self.spans.iter().find(|s| s.name == name)
    }
    /// The root span's name.
    pub fn root_name(&self) -> &str {
        self.spans.first().map(|s| s.name.as_str()).unwrap_or("")
    }
}

fn flatten(
    s: &SpanSpecRaw,
    parent: Option<&str>,
    seen: &mut BTreeMap<String, ()>,
    out: &mut Vec<SpanExpectation>,
    errs: &mut Collector,
) {
    let pos = Pos::of(&s.name);
    let name = &s.name.value;
    if seen.insert(name.clone(), ()).is_some() {
        errs.push(
            pos,
            format!("span `{name}` appears twice in the tree; names must be unique"),
        );
    }
    let count = s.count.unwrap_or(NumMatcher::exactly(1.0));
    count.validate(pos, &format!("span `{name}` count"), errs);
    let attributes = s
        .attributes
        .iter()
        .map(|(k, m)| {
            (
                k.clone(),
                m.resolve(pos, &format!("span `{name}` attribute `{k}`"), errs),
            )
        })
        .collect();
    out.push(SpanExpectation {
        name: name.clone(),
        kind: s.kind.kind(),
        parent: parent.map(str::to_string),
        count,
        required: s.required,
        error_status: s.error_status,
        attributes,
    });
    for c in &s.children {
        flatten(c, Some(name), seen, out, errs);
    }
}

impl TracesFileRaw {
    /// Validate and resolve, recording every problem.
    pub fn resolve(&self, errs: &mut Collector) -> TracesExpectations {
        let mut spans = Vec::new();
        let mut seen = BTreeMap::new();
        flatten(&self.root, None, &mut seen, &mut spans, errs);
        let root_pos = Pos::of(&self.root.name);
        if !(0.0..=1.0).contains(&self.completeness_min_ratio) {
            errs.push(
                root_pos,
                format!(
                    "completeness_min_ratio {} must be within 0..=1",
                    self.completeness_min_ratio
                ),
            );
        }
        for d in &self.duration_spans {
            if !seen.contains_key(d) {
                let hint = crate::util::nearest(d, seen.keys().map(String::as_str))
                    .map(|n| format!("; did you mean `{n}`?"))
                    .unwrap_or_default();
                errs.push(
                    root_pos,
                    format!("duration_spans names `{d}`, which is not in the tree{hint}"),
                );
            }
        }
        TracesExpectations {
            service_name: self.service_name.clone(),
            spans,
            completeness_min_ratio: self.completeness_min_ratio,
            duration_spans: self.duration_spans.clone(),
            duration_slack_ms: self.duration_slack_ms,
        }
    }
}
