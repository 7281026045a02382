//! Raw model of a Prometheus rule file (`groups: [{name, rules: [...]}]`), strict like
//! Prometheus itself, with the line of every alert name and expression.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_saphyr::Spanned;

/// A rule file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    /// Rule groups, evaluated independently.
    #[serde(default)]
    pub groups: Vec<RuleGroup>,
    /// Read from a wrapper (several documents, a PrometheusRule, a ConfigMap) that promtool
    /// cannot read as a rule file.
    #[serde(skip)]
    pub wrapped: bool,
}

/// One rule group.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleGroup {
    /// Group name, unique in the file.
    pub name: Spanned<String>,
    /// Evaluation interval of this group (Prometheus duration, e.g. `1m`); default: global.
    #[serde(default)]
    pub interval: Option<String>,
    /// Most alerts or series a rule of this group may produce (0: no limit).
    #[serde(default)]
    pub limit: Option<u64>,
    /// Evaluation delay of this group (Prometheus duration).
    #[serde(default)]
    pub query_offset: Option<String>,
    /// Labels added to every rule of the group (newer Prometheus).
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// The rules.
    #[serde(default)]
    pub rules: Vec<Rule>,
    /// Lines of the file before the text this group was read from (a later document of a
    /// multi-document file, a rule file inside a ConfigMap): add it to a span's line.
    #[serde(skip)]
    pub line_offset: u64,
}

impl RuleGroup {
    /// The line, in the file as the user has it, of a span read from this group.
    pub fn line_of<T>(&self, s: &Spanned<T>) -> u64 {
        crate::config::line_of(s) + self.line_offset
    }
}

/// One alerting or recording rule.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Alert name (alerting rule).
    #[serde(default)]
    pub alert: Option<Spanned<String>>,
    /// Recorded series name (recording rule).
    #[serde(default)]
    pub record: Option<Spanned<String>>,
    /// The PromQL expression (a bare number in YAML is read as its text).
    pub expr: Spanned<ExprText>,
    /// How long the condition must hold before firing (Prometheus duration).
    #[serde(default, rename = "for")]
    pub for_duration: Option<String>,
    /// How long to keep firing after the condition stops (Prometheus duration).
    #[serde(default)]
    pub keep_firing_for: Option<String>,
    /// Labels added to the alert or series.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Annotations of the alert (templates).
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

impl Rule {
    /// The alert or record name, and whether it is an alert.
    pub fn name(&self) -> (&str, bool) {
        match (&self.alert, &self.record) {
            (Some(a), _) => (a.value.as_str(), true),
            (None, Some(r)) => (r.value.as_str(), false),
            (None, None) => ("<unnamed>", false),
        }
    }
}

/// A PromQL expression as YAML gives it: a string, or a bare number (`expr: 1`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ExprText {
    /// The usual form.
    Text(String),
    /// `expr: 1`.
    Int(i64),
    /// `expr: 0.5`.
    Float(f64),
}

impl ExprText {
    /// The expression as PromQL text.
    pub fn text(&self) -> String {
        match self {
            ExprText::Text(s) => s.clone(),
            ExprText::Int(i) => i.to_string(),
            ExprText::Float(f) => f.to_string(),
        }
    }
}
