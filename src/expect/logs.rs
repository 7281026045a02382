//! Log expectation files (`kind: logs`): required fields with types and formats, correlation
//! rules and per-level rate limits. Raw serde model and resolved form.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_saphyr::Spanned;

use super::error::{Collector, Pos};
use super::matchers::{NumMatcher, StrMatcher, StrMatcherRaw};

/// The `kind` value of this file type (for the JSON Schema; the loader reads `kind` first).
#[derive(JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
enum LogsKind {
    Logs,
}

/// A logs expectation file.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LogsFileRaw {
    /// Always `logs`.
    #[schemars(with = "LogsKind")]
    pub kind: String,
    /// Field that carries the level (default `level`).
    #[serde(default = "default_level_field")]
    pub level_field: String,
    /// Fields of every JSON line.
    pub fields: Vec<FieldRaw>,
    /// Correlation with what the harness drove.
    #[serde(default)]
    pub correlation: CorrelationRaw,
    /// Most lines per scenario second per level, averaged over the run.
    #[serde(default)]
    pub rate_limits: Vec<RateLimitRaw>,
}

fn default_level_field() -> String {
    "level".to_string()
}

/// JSON type of a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    String,
    Number,
    Integer,
    Bool,
    Object,
    Array,
}

/// A well-known string format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// RFC 3339 date-time.
    Rfc3339,
    /// RFC 3339 date-time in UTC (`Z` or `+00:00`).
    Rfc3339Utc,
    /// 32 lowercase hex digits, not all zero (W3C trace id).
    Hex32,
    /// 16 lowercase hex digits, not all zero (W3C span id).
    Hex16,
}

/// One field.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldRaw {
    /// JSON key (dots are part of the key: `logging.googleapis.com/trace`).
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// Whether every line must carry it (default true). See `when_present`.
    #[serde(default = "yes")]
    pub required: bool,
    /// Required only on lines that carry this other field (e.g. `preset` when `job_id` is present).
    #[serde(default)]
    pub when_present: Option<String>,
    /// JSON type (default: any).
    #[serde(default, rename = "type")]
    pub ftype: Option<FieldType>,
    /// String format.
    #[serde(default)]
    pub format: Option<Format>,
    /// Allowed string values.
    #[serde(default)]
    pub value: Option<StrMatcherRaw>,
    /// The value must equal this other field's value (`severity` equals `level`).
    #[serde(default)]
    pub equals_field: Option<String>,
    /// The value must equal this template with `{field}` replaced by other fields' values
    /// (`projects/obsgate/traces/{trace_id}`).
    #[serde(default)]
    pub template: Option<String>,
}

fn yes() -> bool {
    true
}

/// Correlation rules.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct CorrelationRaw {
    /// Field carrying the request's `X-Correlation-ID` (default `correlation_id`).
    pub correlation_field: String,
    /// Field carrying the job id (default `job_id`).
    pub job_field: String,
    /// Field carrying the trace id (default `trace_id`).
    pub trace_field: String,
    /// Every job that reached the target has its correlation id in some line, and lines naming
    /// a job carry that job's correlation id (default true).
    pub every_job_correlated: bool,
    /// Every line's trace id is a trace the run produced (default true).
    pub trace_ids_known: bool,
    /// Levels that mean "this job failed" (default ERROR, CRITICAL).
    pub error_levels: Vec<String>,
    /// Error-level lines per failed job (default exactly 1); succeeded jobs have none.
    pub errors_per_failed_job: NumMatcher,
    /// Most error-level lines that may name no job over the whole run (default 0).
    pub max_errors_without_job: u64,
}

impl Default for CorrelationRaw {
    fn default() -> Self {
        Self {
            correlation_field: "correlation_id".into(),
            job_field: "job_id".into(),
            trace_field: "trace_id".into(),
            every_job_correlated: true,
            trace_ids_known: true,
            error_levels: vec!["ERROR".into(), "CRITICAL".into()],
            errors_per_failed_job: NumMatcher::exactly(1.0),
            max_errors_without_job: 0,
        }
    }
}

/// A per-level rate limit.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RateLimitRaw {
    /// Level value, as written in the lines.
    #[schemars(with = "String")]
    pub level: Spanned<String>,
    /// Most lines per scenario second of the run, on average (a time-scaled run emits faster).
    pub max_lines_per_second: f64,
}

/// One field, resolved.
#[derive(Debug, Clone)]
pub struct FieldExpectation {
    pub name: String,
    pub required: bool,
    pub when_present: Option<String>,
    pub ftype: Option<FieldType>,
    pub format: Option<Format>,
    pub value: Option<StrMatcher>,
    pub equals_field: Option<String>,
    /// Template split into literal text and field references.
    pub template: Option<Vec<TemplatePart>>,
}

/// A piece of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplatePart {
    Lit(String),
    Field(String),
}

/// Resolved logs expectations.
#[derive(Debug, Clone)]
pub struct LogsExpectations {
    pub level_field: String,
    pub fields: Vec<FieldExpectation>,
    pub correlation_field: String,
    pub job_field: String,
    pub trace_field: String,
    pub every_job_correlated: bool,
    pub trace_ids_known: bool,
    pub error_levels: Vec<String>,
    pub errors_per_failed_job: NumMatcher,
    /// Error-level lines without a job id allowed over the run.
    pub max_errors_without_job: u64,
    /// (level, max lines per scenario second).
    pub rate_limits: Vec<(String, f64)>,
}

fn parse_template(t: &str) -> Result<Vec<TemplatePart>, String> {
    let mut parts = Vec::new();
    let mut rest = t;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            parts.push(TemplatePart::Lit(rest[..open].to_string()));
        }
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| format!("template `{t}`: `{{` without `}}`"))?;
        let name = &after[..close];
        if name.is_empty() {
            return Err(format!("template `{t}`: empty `{{}}`"));
        }
        parts.push(TemplatePart::Field(name.to_string()));
        rest = &after[close + 1..];
    }
    if !rest.is_empty() {
        parts.push(TemplatePart::Lit(rest.to_string()));
    }
    Ok(parts)
}

impl LogsFileRaw {
    /// Validate and resolve, recording every problem.
    pub fn resolve(&self, errs: &mut Collector) -> LogsExpectations {
        let mut seen = BTreeMap::new();
        let mut fields = Vec::new();
        for f in &self.fields {
            if seen.insert(f.name.value.clone(), ()).is_some() {
                errs.push(
                    Pos::of(&f.name),
                    format!("field `{}` is listed twice", f.name.value),
                );
            }
            fields.push(f.resolve(errs));
        }
        self.check_field_refs(&fields, &seen, errs);
        let c = &self.correlation;
        c.errors_per_failed_job
            .validate(Pos::default(), "correlation.errors_per_failed_job", errs);
        LogsExpectations {
            level_field: self.level_field.clone(),
            fields,
            correlation_field: c.correlation_field.clone(),
            job_field: c.job_field.clone(),
            trace_field: c.trace_field.clone(),
            every_job_correlated: c.every_job_correlated,
            trace_ids_known: c.trace_ids_known,
            error_levels: c.error_levels.clone(),
            errors_per_failed_job: c.errors_per_failed_job,
            max_errors_without_job: c.max_errors_without_job,
            rate_limits: self.resolve_rate_limits(errs),
        }
    }

    /// References to other fields must name listed fields (a typo would silently never match).
    fn check_field_refs(
        &self,
        fields: &[FieldExpectation],
        seen: &BTreeMap<String, ()>,
        errs: &mut Collector,
    ) {
        for (f, raw) in fields.iter().zip(&self.fields) {
            let refs = f
                .when_present
                .iter()
                .chain(f.equals_field.iter())
                .cloned()
                .chain(f.template.iter().flatten().filter_map(|p| match p {
                    TemplatePart::Field(n) => Some(n.clone()),
                    TemplatePart::Lit(_) => None,
                }));
            for r in refs {
                if !seen.contains_key(&r) {
                    let hint = crate::util::nearest(&r, seen.keys().map(String::as_str))
                        .map(|n| format!("; did you mean `{n}`?"))
                        .unwrap_or_default();
                    errs.push(
                        Pos::of(&raw.name),
                        format!(
                            "field `{}` refers to `{r}`, which is not a listed field{hint}",
                            f.name
                        ),
                    );
                }
            }
        }
    }

    /// Per-level line-rate limits; a negative or NaN limit is recorded as a problem.
    fn resolve_rate_limits(&self, errs: &mut Collector) -> Vec<(String, f64)> {
        let mut rate_limits = Vec::new();
        for r in &self.rate_limits {
            if r.max_lines_per_second.is_nan() || r.max_lines_per_second < 0.0 {
                errs.push(
                    Pos::of(&r.level),
                    format!(
                        "rate limit for `{}`: max_lines_per_second {} must be ≥ 0",
                        r.level.value, r.max_lines_per_second
                    ),
                );
            }
            rate_limits.push((r.level.value.clone(), r.max_lines_per_second));
        }
        rate_limits
    }
}

impl FieldRaw {
    /// One field's expectation; option combinations that cannot apply are recorded.
    fn resolve(&self, errs: &mut Collector) -> FieldExpectation {
        let pos = Pos::of(&self.name);
        let name = &self.name.value;
        if self.when_present.is_some() && !self.required {
            errs.push(
                pos,
                format!("field `{name}`: `when_present` needs `required: true`"),
            );
        }
        if self.format.is_some() && !matches!(self.ftype, None | Some(FieldType::String)) {
            errs.push(
                pos,
                format!("field `{name}`: `format` applies to strings only"),
            );
        }
        let template = self
            .template
            .as_ref()
            .and_then(|t| match parse_template(t) {
                Ok(p) => Some(p),
                Err(m) => {
                    errs.push(pos, format!("field `{name}`: {m}"));
                    None
                }
            });
        FieldExpectation {
            name: name.clone(),
            required: self.required,
            when_present: self.when_present.clone(),
            ftype: self.ftype,
            format: self.format,
            value: self
                .value
                .as_ref()
                .map(|v| v.resolve(pos, &format!("field `{name}`"), errs)),
            equals_field: self.equals_field.clone(),
            template,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates() {
        assert_eq!(
            parse_template("projects/obsgate/traces/{trace_id}").unwrap(),
            vec![
                TemplatePart::Lit("projects/obsgate/traces/".into()),
                TemplatePart::Field("trace_id".into())
            ]
        );
        assert!(parse_template("a{b").is_err());
        assert!(parse_template("a{}").is_err());
    }
}
