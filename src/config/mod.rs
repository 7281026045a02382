//! Raw serde models of the stack's third-party config files (Prometheus rule files and
//! `prometheus.yml`, `alertmanager.yml`, Grafana provisioning and dashboard JSON, compose), and
//! their loading with file:line:column errors. No judging here: `crate::check` does that.
//!
//! Strictness follows upstream: Prometheus rule files and Alertmanager configs are read with
//! `deny_unknown_fields` because Prometheus and Alertmanager reject unknown keys too; compose,
//! `prometheus.yml` and Grafana files are read leniently (their specs have hundreds of keys the
//! checks never read, and the tools that own them validate those).

pub mod alertmanager;
pub mod alertmanager_fields;
pub mod compose;
pub mod dashboard;
pub mod duration;
pub mod files;
pub mod grafana;
pub mod inputs;
pub mod json_pos;
pub mod manifests;
pub mod policy;
pub mod prometheus;
pub mod promql;
pub mod rules_file;
pub mod secrets;
pub mod stack;
pub mod stack_named;
pub mod timing;

use std::fmt;

/// A config file that could not be read or parsed, with where and why.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigError {
    /// The file, as given by the caller.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<u64>,
    /// 1-based column, when known.
    pub column: Option<u64>,
    /// The parser's message.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{}:{l}:{c}: {}", self.file, self.message),
            (Some(l), None) => write!(f, "{}:{l}: {}", self.file, self.message),
            _ => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

/// Parse YAML text into `T`, keeping the location of the first error.
pub fn parse_yaml<T: serde::de::DeserializeOwned>(
    file: &str,
    text: &str,
) -> Result<T, ConfigError> {
    serde_saphyr::from_str::<T>(text).map_err(|e| {
        let loc = e.location();
        ConfigError {
            file: file.to_string(),
            line: loc.as_ref().map(|l| l.line()).filter(|l| *l > 0),
            column: loc.as_ref().map(|l| l.column()).filter(|c| *c > 0),
            message: first_line(&e.to_string()),
        }
    })
}

/// Parse JSON text into a `serde_json::Value`, keeping the error location.
pub fn parse_json(file: &str, text: &str) -> Result<serde_json::Value, ConfigError> {
    serde_json::from_str(text).map_err(|e| ConfigError {
        file: file.to_string(),
        line: Some(e.line() as u64),
        column: Some(e.column() as u64),
        message: e.to_string(),
    })
}

/// Read a file to a string, as a [`ConfigError`] when it cannot be read.
pub fn read_text(path: &std::path::Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|e| ConfigError {
        file: path.display().to_string(),
        line: None,
        column: None,
        message: format!("cannot read: {e}"),
    })
}

/// serde-saphyr's messages can carry a source excerpt after the first line: keep the sentence.
/// Its `error: line L column C: ` prefix repeats the location kept separately: drop it.
fn first_line(s: &str) -> String {
    let line = s.lines().next().unwrap_or(s).trim();
    let rest = line.strip_prefix("error: ").unwrap_or(line);
    match rest.strip_prefix("line ").and_then(|r| r.split_once(": ")) {
        Some((loc, msg)) if loc.contains("column") => msg.to_string(),
        _ => rest.to_string(),
    }
}

/// The 1-based line of a [`serde_saphyr::Spanned`] value (0 when unknown).
pub fn line_of<T>(s: &serde_saphyr::Spanned<T>) -> u64 {
    s.referenced.line()
}

/// Read and parse a YAML file.
pub fn load_yaml<T: serde::de::DeserializeOwned>(path: &std::path::Path) -> Result<T, ConfigError> {
    let text = read_text(path)?;
    parse_yaml(&path.display().to_string(), &text)
}

/// Read a dashboard JSON file and walk it.
pub fn load_dashboard(path: &std::path::Path) -> Result<dashboard::Dashboard, ConfigError> {
    let file = path.display().to_string();
    let text = read_text(path)?;
    let v = parse_json(&file, &text)?;
    let mut d = dashboard::walk(&file, &v);
    d.locate(&json_pos::positions(&text));
    Ok(d)
}
