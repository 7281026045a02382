//! `expectations/acceptance.yaml`: the ten acceptance criteria and the check-id patterns that
//! prove each one. Owns the strict serde model, loading with file:line:column errors, and
//! validation. Evaluating criteria against checks lives in `report::criteria` (pure, no I/O).

use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::BTreeMap;
use std::path::Path;

/// Where `obsgate run` and `obsgate check` find the acceptance file by default.
pub const DEFAULT_PATH: &str = "expectations/acceptance.yaml";

/// The seed's ten acceptance criteria, by id, in order. The shipped file must use these titles
/// (a test holds it to them); other files may reword them.
pub const SEED_CRITERIA: [(&str, &str); 10] = [
    ("AC1", "Prometheus + Grafana stack running locally"),
    ("AC2", "12 custom metrics defined and exposed"),
    ("AC3", "3 operational dashboards with sample data"),
    ("AC4", "10 alerting rules configured"),
    ("AC5", "AlertManager routing rules set"),
    ("AC6", "Structured logging implemented"),
    ("AC7", "Jaeger tracing infrastructure ready"),
    ("AC8", "Docker compose configuration complete"),
    ("AC9", "Health check script working"),
    ("AC10", "Documentation complete"),
];

/// Raw file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAcceptance {
    /// One entry per acceptance criterion.
    criteria: Vec<RawCriterion>,
    /// What a run must cover (`coverage.<dimension>` checks); absent: informational only.
    #[serde(default)]
    coverage: Option<super::coverage::RawCoverage>,
}

/// Raw criterion as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCriterion {
    /// `AC1`..`AC10`.
    id: Spanned<String>,
    /// Human title, shown at the top of every report.
    title: Spanned<String>,
    /// Check-id patterns: exact ids or globs (`*` any run of characters, `?` one character).
    checks: Vec<Spanned<String>>,
    /// Fewest matching checks (over all patterns) for the criterion to pass; default 1.
    #[serde(default)]
    min_matches: Option<Spanned<usize>>,
}

/// One validated criterion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptanceCriterion {
    /// `AC1`..`AC10`.
    pub id: String,
    /// Human title.
    pub title: String,
    /// Check-id patterns; each must match at least one check for the criterion to pass.
    pub patterns: Vec<String>,
    /// Fewest matching checks (over all patterns) for the criterion to pass; at least 1.
    pub min_matches: usize,
}

/// The validated acceptance file, criteria in file order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Acceptance {
    /// Criteria in file order.
    pub criteria: Vec<AcceptanceCriterion>,
    /// The coverage a run must reach (empty: the section is informational).
    pub coverage: super::coverage::CoverageRequirements,
}

/// Read and validate an acceptance file. Every problem is reported at once, one per line,
/// each prefixed with `file:line:column`.
pub fn load(path: &Path) -> Result<Acceptance, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read the acceptance file: {e}", path.display()))?;
    parse(&text, &path.display().to_string())
}

/// Parse and validate acceptance YAML; `origin` names the source in error messages.
pub fn parse(text: &str, origin: &str) -> Result<Acceptance, String> {
    let raw: RawAcceptance = serde_saphyr::from_str(text).map_err(|e| {
        let at = e
            .location()
            .map(|l| format!("{origin}:{}:{}", l.line(), l.column()))
            .unwrap_or_else(|| origin.to_string());
        format!("{at}: invalid acceptance file: {e}")
    })?;
    resolve(raw, origin)
}

/// `file:line:column` of a spanned value.
fn at<T>(origin: &str, s: &Spanned<T>) -> String {
    format!("{origin}:{}:{}", s.referenced.line(), s.referenced.column())
}

/// True when `p` is a usable check-id pattern: the characters check ids use, plus `*` and `?`.
fn valid_pattern(p: &str) -> bool {
    !p.is_empty()
        && p.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | ':' | '/' | '*' | '?')
        })
}

/// Validate the raw model into [`Acceptance`], collecting every error.
fn resolve(mut raw: RawAcceptance, origin: &str) -> Result<Acceptance, String> {
    let mut errors = Vec::new();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let mut criteria = Vec::new();
    if raw.criteria.is_empty() {
        errors.push(format!(
            "{origin}: `criteria` is empty; list the ten criteria AC1..AC10"
        ));
    }
    for c in std::mem::take(&mut raw.criteria) {
        let id = c.id.value.trim().to_string();
        let known = SEED_CRITERIA.iter().any(|(k, _)| *k == id);
        if !known {
            errors.push(format!(
                "{}: criterion id `{id}` is not one of AC1..AC10",
                at(origin, &c.id)
            ));
        } else if let Some(first) = seen.get(&id) {
            errors.push(format!(
                "{}: criterion id `{id}` is repeated (first at {first})",
                at(origin, &c.id)
            ));
        } else {
            seen.insert(id.clone(), at(origin, &c.id));
        }
        let title = c.title.value.trim().to_string();
        if title.is_empty() {
            errors.push(format!(
                "{}: `title` of {id} is empty",
                at(origin, &c.title)
            ));
        }
        if c.checks.is_empty() {
            errors.push(format!(
                "{}: {id} lists no `checks`; a criterion with nothing to prove it can never pass",
                at(origin, &c.id)
            ));
        }
        let mut patterns = Vec::new();
        for p in &c.checks {
            let v = p.value.trim();
            if valid_pattern(v) {
                patterns.push(v.to_string());
            } else {
                errors.push(format!(
                    "{}: check pattern `{}` of {id} is not valid (allowed: letters, digits, `._-:/`, and the globs `*` and `?`)",
                    at(origin, p),
                    p.value
                ));
            }
        }
        let min_matches = match &c.min_matches {
            Some(m) if m.value == 0 => {
                errors.push(format!(
                    "{}: `min_matches` of {id} is 0; it must be at least 1",
                    at(origin, m)
                ));
                1
            }
            Some(m) => m.value,
            None => 1,
        };
        criteria.push(AcceptanceCriterion {
            id,
            title,
            patterns,
            min_matches,
        });
    }
    for (id, _) in SEED_CRITERIA {
        if !seen.contains_key(id) && !criteria.is_empty() {
            errors.push(format!("{origin}: criterion {id} is missing"));
        }
    }
    let coverage = super::coverage::resolve(raw.coverage.unwrap_or_default(), origin, &mut errors);
    if errors.is_empty() {
        Ok(Acceptance { criteria, coverage })
    } else {
        Err(errors.join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full_file(extra: &str) -> String {
        let mut s = String::from("criteria:\n");
        for (id, title) in SEED_CRITERIA {
            s.push_str(&format!(
                "  - id: {id}\n    title: \"{title}\"\n    checks: [\"x.{id}.*\"]\n"
            ));
        }
        s.push_str(extra);
        s
    }

    #[test]
    fn shipped_file_has_the_seed_criteria() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("expectations/acceptance.yaml");
        let acc = load(&path).unwrap_or_else(|e| panic!("{e}"));
        let got: Vec<(&str, &str)> = acc
            .criteria
            .iter()
            .map(|c| (c.id.as_str(), c.title.as_str()))
            .collect();
        assert_eq!(got, SEED_CRITERIA.to_vec());
        assert!(acc.criteria.iter().all(|c| !c.patterns.is_empty()));
    }

    #[test]
    fn valid_file_parses_with_default_min_matches() {
        let acc = parse(&full_file(""), "a.yaml").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(acc.criteria.len(), 10);
        assert_eq!(acc.criteria[0].min_matches, 1);
        assert_eq!(acc.criteria[0].patterns, vec!["x.AC1.*".to_string()]);
    }

    #[test]
    fn unknown_field_is_rejected_with_line_and_column() {
        let text = "criteria:\n  - id: AC1\n    title: t\n    checks: [a]\n    min_match: 3\n";
        let err = parse(text, "a.yaml").err().unwrap_or_default();
        assert!(err.contains("a.yaml:5:"), "{err}");
        assert!(err.contains("min_match"), "{err}");
    }

    #[test]
    fn bad_ids_patterns_and_counts_are_all_reported() {
        let text = full_file(
            "  - id: AC11\n    title: extra\n    checks: [\"metrics.<x>\"]\n    min_matches: 0\n  - id: AC2\n    title: dup\n    checks: []\n",
        );
        let err = parse(&text, "a.yaml").err().unwrap_or_default();
        assert!(err.contains("`AC11` is not one of AC1..AC10"), "{err}");
        assert!(err.contains("`metrics.<x>` of AC11 is not valid"), "{err}");
        assert!(err.contains("`min_matches` of AC11 is 0"), "{err}");
        assert!(err.contains("`AC2` is repeated (first at a.yaml:"), "{err}");
        assert!(err.contains("AC2 lists no `checks`"), "{err}");
        assert!(err.contains("a.yaml:32:9: criterion id `AC11`"), "{err}");
    }

    #[test]
    fn missing_criterion_is_named() {
        let text = "criteria:\n  - id: AC1\n    title: t\n    checks: [a]\n";
        let err = parse(text, "a.yaml").err().unwrap_or_default();
        assert!(err.contains("criterion AC10 is missing"), "{err}");
        assert!(err.contains("criterion AC2 is missing"), "{err}");
    }
}
