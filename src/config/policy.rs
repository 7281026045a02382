//! The check policy file (`obsgate.yaml`, or `obsgate check --policy FILE`): exceptions that
//! turn a check off or change its severity, for every file or for files matching globs. Each
//! exception must say why (`reason`), as pint's and dashboard-linter's exclusions do; the report
//! shows the reason on every check it changed. Schema: `schemas/policy.schema.json`.

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::config::{ConfigError, line_of, parse_yaml, read_text};

/// The whole file.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    /// Exceptions, applied in order; the last one matching a check decides.
    #[serde(default)]
    pub exceptions: Vec<RawException>,
}

/// One exception.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawException {
    /// Check id or id pattern: `*` matches any characters (`dashboards.model.*`,
    /// `rules.runbook.*`, `rules.labels.KubeAPIDown`).
    #[schemars(with = "String")]
    pub check: Spanned<String>,
    /// File globs (`dashboards/legacy/*.json`, `**/vendor/**`) the exception is limited to, matched
    /// against the file a check is about; absent: every file.
    #[serde(default)]
    pub files: Vec<String>,
    /// What the matching checks become: `off` (not reported as a finding), `warn` or `fail`.
    #[schemars(with = "Severity")]
    pub severity: Spanned<Severity>,
    /// Why: required, shown on every check the exception changes.
    #[schemars(with = "String")]
    pub reason: Spanned<String>,
}

/// What an exception makes of a check that is not a pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Disabled: the check is reported as `skip`, with the reason.
    Off,
    /// Advice.
    Warn,
    /// A bug.
    Fail,
}

/// A validated exception.
#[derive(Debug, Clone)]
pub struct Exception {
    /// The id pattern.
    pub check: String,
    /// File globs; empty: every file.
    pub files: Vec<glob::Pattern>,
    /// The new severity.
    pub severity: Severity,
    /// Why.
    pub reason: String,
    /// `file:line` of the exception, for the report.
    pub origin: String,
}

/// The validated policy.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// Exceptions in file order.
    pub exceptions: Vec<Exception>,
}

/// Read and validate a policy file; every problem at once, each with file:line:column.
pub fn load_policy(path: &std::path::Path) -> Result<Policy, Vec<ConfigError>> {
    let file = path.display().to_string();
    let text = read_text(path).map_err(|e| vec![e])?;
    let raw: RawPolicy = parse_yaml(&file, &text).map_err(|e| vec![e])?;
    resolve(&file, raw)
}

fn resolve(file: &str, raw: RawPolicy) -> Result<Policy, Vec<ConfigError>> {
    let mut errors = Vec::new();
    let mut out = Policy::default();
    for e in raw.exceptions {
        let at = |s: &serde_saphyr::Location, message: String| ConfigError {
            file: file.to_string(),
            line: Some(s.line()),
            column: Some(s.column()),
            message,
        };
        if e.reason.value.trim().is_empty() {
            errors.push(at(
                &e.reason.referenced,
                "`reason` is empty: say why the check is changed".into(),
            ));
        }
        if e.check.value.trim().is_empty() {
            errors.push(at(
                &e.check.referenced,
                "`check` is empty: give a check id or pattern such as `dashboards.model.*`".into(),
            ));
        }
        let mut files = Vec::new();
        for f in &e.files {
            match glob::Pattern::new(f) {
                Ok(p) => files.push(p),
                Err(err) => errors.push(at(
                    &e.check.referenced,
                    format!("`files` entry `{f}` is not a valid glob: {err}"),
                )),
            }
        }
        out.exceptions.push(Exception {
            origin: format!("{file}:{}", line_of(&e.check)),
            check: e.check.value.trim().to_string(),
            files,
            severity: e.severity.value,
            reason: e.reason.value.trim().to_string(),
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The policy's JSON Schema, pretty-printed with a trailing newline.
pub fn policy_schema_json() -> String {
    let schema = schemars::schema_for!(RawPolicy);
    let mut s = serde_json::to_string_pretty(&schema).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
#[path = "policy_tests.rs"]
mod tests;
