//! The JSON Schema of scenario files, generated from the raw types so it cannot drift (a test
//! compares it with the committed `schemas/scenario.schema.json`).

/// The scenario JSON Schema, pretty-printed with a trailing newline.
pub fn scenario_schema_json() -> String {
    let schema = schemars::schema_for!(super::raw::RawScenario);
    let mut s = serde_json::to_string_pretty(&schema).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regenerate with `OBSGATE_WRITE_SCHEMA=1 cargo test --lib scenario::schema`.
    #[test]
    fn committed_schema_is_current() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/scenario.schema.json");
        let fresh = scenario_schema_json();
        if std::env::var_os("OBSGATE_WRITE_SCHEMA").is_some() {
            crate::util::write_atomic(&path, fresh.as_bytes()).expect("write schema");
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == fresh,
            "{} is stale; regenerate it with OBSGATE_WRITE_SCHEMA=1 cargo test --lib scenario::schema",
            path.display()
        );
    }

    #[test]
    fn schema_names_fields() {
        let s = scenario_schema_json();
        for f in [
            "phases",
            "max_in_flight",
            "job_timeout",
            "rate_error_pct",
            "job_failure_ratio",
        ] {
            assert!(s.contains(f), "schema lacks {f}");
        }
    }
}
