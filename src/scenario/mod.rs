//! Scenario files: raw serde model ([`raw`]), resolution and validation into a [`Plan`]
//! ([`resolve`]), unit parsing ([`units`]) and the published JSON Schema ([`schema`]).
//! Nothing here runs load; a bad file yields every error at once.

pub mod error;
pub mod faults;
pub mod plan;
pub mod raw;
pub mod resolve;
mod resolve_phase;
pub mod schema;
pub mod units;

use std::path::Path;

pub use error::{ScenarioError, ScenarioErrors};
pub use plan::{
    Arrivals, OverloadPolicy, PhasePlan, Plan, PresetWeight, RateCurve, ShardSlice, Tolerances,
};

/// Read, parse and validate a scenario file.
pub fn load_scenario(path: &Path) -> Result<Plan, ScenarioErrors> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        ScenarioErrors(vec![ScenarioError {
            file: path.to_path_buf(),
            line: 0,
            column: 0,
            field: "file".to_string(),
            message: format!("cannot read the scenario: {e}"),
        }])
    })?;
    parse_scenario(&text, path)
}

/// Parse and validate scenario text; `path` names the file in messages and anchors the
/// relative expectation paths.
pub fn parse_scenario(text: &str, path: &Path) -> Result<Plan, ScenarioErrors> {
    let raw: raw::RawScenario = serde_saphyr::from_str(text).map_err(|e| {
        let (line, column) = e
            .location()
            .map(|l| (l.line(), l.column()))
            .unwrap_or((0, 0));
        ScenarioErrors(vec![ScenarioError {
            file: path.to_path_buf(),
            line,
            column,
            field: "yaml".to_string(),
            message: first_line(&e.to_string()),
        }])
    })?;
    resolve::resolve(raw, path)
}

/// The first meaningful line of a parser message (the rest is a rendered source snippet that
/// repeats the location we already print).
fn first_line(s: &str) -> String {
    let line = s
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("invalid YAML");
    // "error: line 6 column 5: msg" repeats what our own prefix says.
    let msg = line.strip_prefix("error: ").unwrap_or(line);
    let msg = match msg.strip_prefix("line ") {
        Some(rest) => rest.split_once(": ").map_or(msg, |(_, m)| m),
        None => msg,
    };
    if msg.starts_with("a rate like") {
        format!("expected {msg}")
    } else {
        msg.to_string()
    }
}
