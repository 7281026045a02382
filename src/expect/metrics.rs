//! Metrics expectation files (`kind: metrics`): raw serde model and its resolved form.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_saphyr::Spanned;

use super::error::{Collector, Pos};
use super::expr::{CmpOp, Condition, Expr, parse_condition, parse_expr};
use super::matchers::{StrMatcher, StrMatcherRaw};
use crate::evidence::MetricType;

/// The `kind` value of this file type (for the JSON Schema; the loader reads `kind` first).
#[derive(JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
enum MetricsKind {
    Metrics,
}

/// A metrics expectation file.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MetricsFileRaw {
    /// Always `metrics`.
    #[schemars(with = "MetricsKind")]
    pub kind: String,
    /// Families the target must expose.
    pub families: Vec<FamilyRaw>,
    /// Value relations between exposed samples and the harness's own counts.
    #[serde(default)]
    pub relations: Vec<RelationRaw>,
}

/// Declared type of a family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TypeRaw {
    Counter,
    Gauge,
    Histogram,
    Summary,
}

impl TypeRaw {
    /// The exposition type this maps to.
    pub fn metric_type(self) -> MetricType {
        match self {
            TypeRaw::Counter => MetricType::Counter,
            TypeRaw::Gauge => MetricType::Gauge,
            TypeRaw::Histogram => MetricType::Histogram,
            TypeRaw::Summary => MetricType::Summary,
        }
    }
}

/// One family's expectations.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FamilyRaw {
    /// Family name as in `# TYPE` (text 0.0.4 counters keep their `_total`).
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// Declared type.
    #[serde(rename = "type")]
    pub mtype: TypeRaw,
    /// Whether a non-empty `# HELP` line is required (default true).
    #[serde(default = "yes")]
    pub help_required: bool,
    /// Labels every series must carry (besides `le`/`quantile`), with allowed values when bounded.
    /// Labels not listed are allowed (partial matching); the cardinality budget bounds them.
    #[serde(default)]
    pub labels: BTreeMap<String, LabelRaw>,
    /// Histogram bucket upper bounds, in the family's unit, without `+Inf`.
    #[serde(default)]
    #[schemars(with = "Option<Vec<f64>>")]
    pub buckets: Option<Spanned<Vec<f64>>>,
    /// Bounds the histogram must have among others (e.g. an alert's threshold, so that
    /// `histogram_quantile` is exact there), in the family's unit.
    #[serde(default)]
    #[schemars(with = "Option<Vec<f64>>")]
    pub buckets_include: Option<Spanned<Vec<f64>>>,
    /// Most series (distinct label sets, ignoring `le`/`quantile`) the family may expose.
    #[serde(default)]
    pub max_series: Option<u64>,
    /// Most distinct values any one label may take in this family (catches a per-job or
    /// per-user label even in a short run).
    #[serde(default)]
    pub max_label_values: Option<u64>,
    /// The family must change during the run (`metrics.moves.<family>`): the sum of its samples
    /// at the final scrape differs from the first scrape's (0 when it was not exposed yet). A
    /// counter that never counted or a gauge stuck at one value fails. Default false.
    #[serde(default)]
    pub moves: bool,
}

fn yes() -> bool {
    true
}

/// One required label.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LabelRaw {
    /// Allowed values (any when absent).
    #[serde(default)]
    pub values: Option<StrMatcherRaw>,
}

/// A relation `left op right`, equality within a tolerance, evaluated on the final scrape.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RelationRaw {
    /// Check id suffix: `metrics.relation.<name>`.
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// What it proves, for the report.
    #[serde(default)]
    pub description: Option<String>,
    /// Left expression, e.g. `sum(user_jobs_completed_total)`.
    #[schemars(with = "String")]
    pub left: Spanned<String>,
    /// Comparison.
    pub op: CmpOp,
    /// Right expression, e.g. `facts.succeeded`.
    #[schemars(with = "String")]
    pub right: Spanned<String>,
    /// Allowed absolute deviation (default 0).
    #[serde(default)]
    pub tolerance: f64,
    /// Allowed deviation relative to |right| (default 0), added to `tolerance`.
    #[serde(default)]
    pub tolerance_ratio: f64,
    /// An expression added to the tolerance (e.g. three binomial standard deviations).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub tolerance_expr: Option<Spanned<String>>,
    /// Only evaluated when this condition holds (`facts.fault.job_failure_ratio > 0`); skipped otherwise.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub when: Option<Spanned<String>>,
}

/// Resolved metrics expectations.
#[derive(Debug, Clone, Default)]
pub struct MetricsExpectations {
    pub families: Vec<FamilyExpectation>,
    pub relations: Vec<Relation>,
}

/// One family, resolved.
#[derive(Debug, Clone)]
pub struct FamilyExpectation {
    pub name: String,
    pub mtype: MetricType,
    pub help_required: bool,
    /// Required labels and their allowed values.
    pub labels: Vec<(String, StrMatcher)>,
    /// Bucket upper bounds (without `+Inf`).
    pub buckets: Option<Vec<f64>>,
    /// Bounds that must be among the buckets.
    pub buckets_include: Vec<f64>,
    pub max_series: Option<u64>,
    pub max_label_values: Option<u64>,
    /// The family must change during the run.
    pub moves: bool,
}

/// One relation, parsed.
#[derive(Debug, Clone)]
pub struct Relation {
    pub name: String,
    pub description: Option<String>,
    pub left_src: String,
    pub left: Expr,
    pub op: CmpOp,
    pub right_src: String,
    pub right: Expr,
    pub tolerance: f64,
    pub tolerance_ratio: f64,
    pub tolerance_expr: Option<(String, Expr)>,
    pub when: Option<(String, Condition)>,
}

/// Parse `s` as an expression, recording an error (with the offset) at its position.
pub(super) fn expr_at(s: &Spanned<String>, what: &str, errs: &mut Collector) -> Option<Expr> {
    match parse_expr(&s.value) {
        Ok(e) => {
            let mut facts = Vec::new();
            e.facts(&mut facts);
            for f in facts {
                if let Err(m) = crate::check::signals::facts::validate_name(&f) {
                    errs.push(Pos::of(s), format!("{what}: `facts.{f}`: {m}"));
                }
            }
            Some(e)
        }
        Err(e) => {
            errs.push(
                Pos::of(s),
                format!(
                    "{what}: `{}`: {} (at character {})",
                    s.value,
                    e.message,
                    e.offset + 1
                ),
            );
            None
        }
    }
}

impl MetricsFileRaw {
    /// Validate and resolve, recording every problem.
    pub fn resolve(&self, errs: &mut Collector) -> MetricsExpectations {
        let mut out = MetricsExpectations::default();
        let mut seen = BTreeMap::new();
        for f in &self.families {
            let pos = Pos::of(&f.name);
            if seen.insert(f.name.value.clone(), pos).is_some() {
                errs.push(pos, format!("family `{}` is listed twice", f.name.value));
            }
            out.families.push(f.resolve(errs));
        }
        let mut names = BTreeMap::new();
        for r in &self.relations {
            let pos = Pos::of(&r.name);
            if names.insert(r.name.value.clone(), ()).is_some() {
                errs.push(pos, format!("relation `{}` is listed twice", r.name.value));
            }
            if let Some(relation) = r.resolve(errs) {
                out.relations.push(relation);
            }
        }
        out
    }
}

impl FamilyRaw {
    /// One family's expectation; problems with its name, labels and buckets are recorded.
    fn resolve(&self, errs: &mut Collector) -> FamilyExpectation {
        let pos = Pos::of(&self.name);
        if self.name.value.is_empty() {
            errs.push(pos, "family name is empty");
        }
        let labels = self
            .labels
            .iter()
            .map(|(k, l)| {
                let m = l
                    .values
                    .as_ref()
                    .map(|v| v.resolve(pos, &format!("{}.labels.{k}", self.name.value), errs))
                    .unwrap_or_default();
                (k.clone(), m)
            })
            .collect();
        self.check_buckets(errs);
        FamilyExpectation {
            name: self.name.value.clone(),
            mtype: self.mtype.metric_type(),
            help_required: self.help_required,
            labels,
            buckets: self.buckets.as_ref().map(|b| b.value.clone()),
            buckets_include: self
                .buckets_include
                .as_ref()
                .map(|b| b.value.clone())
                .unwrap_or_default(),
            max_series: self.max_series,
            max_label_values: self.max_label_values,
            moves: self.moves,
        }
    }

    /// `buckets` and `buckets_include` only make sense on histograms, and bounds must increase.
    fn check_buckets(&self, errs: &mut Collector) {
        if let Some(b) = &self.buckets {
            if self.mtype != TypeRaw::Histogram {
                errs.push(
                    Pos::of(b),
                    format!(
                        "family `{}`: `buckets` only applies to histograms",
                        self.name.value
                    ),
                );
            }
            if b.value
                .windows(2)
                .any(|w| w[0].partial_cmp(&w[1]) != Some(std::cmp::Ordering::Less))
            {
                errs.push(
                    Pos::of(b),
                    format!(
                        "family `{}`: bucket bounds {:?} must be strictly increasing",
                        self.name.value, b.value
                    ),
                );
            }
        }
        if let Some(b) = &self.buckets_include
            && self.mtype != TypeRaw::Histogram
        {
            errs.push(
                Pos::of(b),
                format!(
                    "family `{}`: `buckets_include` only applies to histograms",
                    self.name.value
                ),
            );
        }
    }
}

impl RelationRaw {
    /// One relation, or `None` when either side does not parse (the error is recorded).
    fn resolve(&self, errs: &mut Collector) -> Option<Relation> {
        if [self.tolerance, self.tolerance_ratio]
            .iter()
            .any(|t| t.is_nan() || *t < 0.0)
        {
            errs.push(
                Pos::of(&self.name),
                format!("relation `{}`: tolerances must be ≥ 0", self.name.value),
            );
        }
        let what = format!("relation `{}`", self.name.value);
        let left = expr_at(&self.left, &what, errs);
        let right = expr_at(&self.right, &what, errs);
        let tol = self
            .tolerance_expr
            .as_ref()
            .and_then(|t| expr_at(t, &what, errs).map(|e| (t.value.clone(), e)));
        let when = self.when.as_ref().and_then(|w| when_at(w, &what, errs));
        let (left, right) = (left?, right?);
        Some(Relation {
            name: self.name.value.clone(),
            description: self.description.clone(),
            left_src: self.left.value.clone(),
            left,
            op: self.op,
            right_src: self.right.value.clone(),
            right,
            tolerance: self.tolerance,
            tolerance_ratio: self.tolerance_ratio,
            tolerance_expr: tol,
            when,
        })
    }
}

/// Parse a relation's `when` condition, recording a parse error or an unknown fact name.
fn when_at(w: &Spanned<String>, what: &str, errs: &mut Collector) -> Option<(String, Condition)> {
    match parse_condition(&w.value) {
        Ok(c) => {
            let mut facts = Vec::new();
            c.left.facts(&mut facts);
            c.right.facts(&mut facts);
            for f in facts {
                if let Err(m) = crate::check::signals::facts::validate_name(&f) {
                    errs.push(Pos::of(w), format!("{what}: `facts.{f}`: {m}"));
                }
            }
            Some((w.value.clone(), c))
        }
        Err(e) => {
            errs.push(
                Pos::of(w),
                format!(
                    "{what}: when `{}`: {} (at character {})",
                    w.value,
                    e.message,
                    e.offset + 1
                ),
            );
            None
        }
    }
}
