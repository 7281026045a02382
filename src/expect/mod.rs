//! Expectation files: what the target promised, read from `expectations/*.yaml`.
//!
//! Every file has a top-level `kind` (`metrics`, `logs`, `traces`; other kinds are added beside
//! these as their own files here) that selects its strict model (`deny_unknown_fields`). Loading
//! is two steps: serde into the raw model (a syntax or shape error stops there, with its
//! `file:line:column`), then resolution (regexes, expressions, references) that reports every
//! problem at once. This module reads files; `check` never does.

pub mod acceptance;
pub mod alerts;
mod alerts_notification;
pub mod coverage;
pub mod dashboards;
pub mod error;
pub mod expr;
pub mod expr_parser;
pub mod heartbeat;
pub mod logs;
pub mod matchers;
pub mod metrics;
pub mod route_cases;
pub mod routes;
pub mod set;
pub mod slo;
pub mod traces;

use std::path::Path;

use serde::Deserialize;
use serde_saphyr::Spanned;

pub use error::{ExpectError, ExpectErrors};
pub use logs::LogsExpectations;
pub use metrics::MetricsExpectations;
pub use set::ExpectationSet;
pub use traces::TracesExpectations;

use error::{Collector, Pos};

/// A loaded expectation file, by kind.
#[derive(Debug, Clone)]
pub enum ExpectationFile {
    Metrics(MetricsExpectations),
    Logs(LogsExpectations),
    Traces(TracesExpectations),
}

impl ExpectationFile {
    /// The file's `kind`.
    pub fn kind(&self) -> &'static str {
        match self {
            ExpectationFile::Metrics(_) => "metrics",
            ExpectationFile::Logs(_) => "logs",
            ExpectationFile::Traces(_) => "traces",
        }
    }
}

/// The kinds this module reads.
pub const KINDS: [&str; 3] = ["metrics", "logs", "traces"];

#[derive(Deserialize)]
struct Probe {
    kind: Option<Spanned<String>>,
}

fn serde_error(file: &str, e: &serde_saphyr::Error) -> ExpectErrors {
    let (line, column) = e
        .location()
        .map(|l| (l.line(), l.column()))
        .unwrap_or((0, 0));
    let mut message = e.without_snippet().to_string();
    // The position is already in front of the message; do not repeat it.
    if let Some(i) = message.rfind(" at line ") {
        message.truncate(i);
    }
    ExpectErrors(vec![ExpectError {
        file: file.to_string(),
        line,
        column,
        message,
    }])
}

fn io_error(file: &str, e: &std::io::Error) -> ExpectErrors {
    ExpectErrors(vec![ExpectError {
        file: file.to_string(),
        line: 0,
        column: 0,
        message: format!("cannot read: {e}"),
    }])
}

/// Parse expectation YAML `text`; `file` names it in errors.
pub fn parse_str(file: &str, text: &str) -> Result<ExpectationFile, ExpectErrors> {
    let probe: Probe = serde_saphyr::from_str(text).map_err(|e| serde_error(file, &e))?;
    let Some(kind) = probe.kind else {
        return Err(ExpectErrors(vec![ExpectError {
            file: file.to_string(),
            line: 1,
            column: 1,
            message: format!("missing top-level `kind` (one of {})", KINDS.join(", ")),
        }]));
    };
    let mut errs = Collector::new(file);
    match kind.value.as_str() {
        "metrics" => {
            let raw: metrics::MetricsFileRaw =
                serde_saphyr::from_str(text).map_err(|e| serde_error(file, &e))?;
            let r = raw.resolve(&mut errs);
            errs.finish(ExpectationFile::Metrics(r))
        }
        "logs" => {
            let raw: logs::LogsFileRaw =
                serde_saphyr::from_str(text).map_err(|e| serde_error(file, &e))?;
            let r = raw.resolve(&mut errs);
            errs.finish(ExpectationFile::Logs(r))
        }
        "traces" => {
            let raw: traces::TracesFileRaw =
                serde_saphyr::from_str(text).map_err(|e| serde_error(file, &e))?;
            let r = raw.resolve(&mut errs);
            errs.finish(ExpectationFile::Traces(r))
        }
        other => {
            let hint = crate::util::nearest(other, KINDS)
                .map(|n| format!("; did you mean `{n}`?"))
                .unwrap_or_default();
            errs.push(
                Pos::of(&kind),
                format!(
                    "unknown kind `{other}` (expected one of {}){hint}",
                    KINDS.join(", ")
                ),
            );
            errs.finish(ExpectationFile::Metrics(MetricsExpectations::default()))
        }
    }
}

/// Read and parse one expectation file.
pub fn load_file(path: &Path) -> Result<ExpectationFile, ExpectErrors> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| io_error(&file, &e))?;
    parse_str(&file, &text)
}

fn wrong_kind(path: &Path, want: &str, got: &ExpectationFile) -> ExpectErrors {
    ExpectErrors(vec![ExpectError {
        file: path.display().to_string(),
        line: 1,
        column: 1,
        message: format!(
            "expected a `kind: {want}` file, found `kind: {}`",
            got.kind()
        ),
    }])
}

/// Read a `kind: metrics` file.
pub fn load_metrics(path: &Path) -> Result<MetricsExpectations, ExpectErrors> {
    match load_file(path)? {
        ExpectationFile::Metrics(m) => Ok(m),
        other => Err(wrong_kind(path, "metrics", &other)),
    }
}

/// Read a `kind: logs` file.
pub fn load_logs(path: &Path) -> Result<LogsExpectations, ExpectErrors> {
    match load_file(path)? {
        ExpectationFile::Logs(m) => Ok(m),
        other => Err(wrong_kind(path, "logs", &other)),
    }
}

/// Read a `kind: traces` file.
pub fn load_traces(path: &Path) -> Result<TracesExpectations, ExpectErrors> {
    match load_file(path)? {
        ExpectationFile::Traces(m) => Ok(m),
        other => Err(wrong_kind(path, "traces", &other)),
    }
}

/// Any expectation file this module reads (the JSON Schema's root: one of the kinds).
#[derive(schemars::JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum AnyExpectationFile {
    Metrics(metrics::MetricsFileRaw),
    Logs(logs::LogsFileRaw),
    Traces(traces::TracesFileRaw),
}

/// The JSON Schema of expectation files, as shipped in `schemas/expectations.schema.json`.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(AnyExpectationFile);
    let mut s = serde_json::to_string_pretty(&schema).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests;
