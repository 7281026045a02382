use super::*;

#[test]
fn a_valid_policy_resolves() {
    let raw: RawPolicy = parse_yaml(
        "obsgate.yaml",
        "exceptions:\n  - check: dashboards.model.*\n    files: [\"legacy/*.json\"]\n    severity: off\n    reason: migrating\n",
    )
    .expect("parses");
    let p = resolve("obsgate.yaml", raw).expect("valid");
    assert_eq!(p.exceptions.len(), 1);
    assert_eq!(p.exceptions[0].origin, "obsgate.yaml:2");
    assert_eq!(p.exceptions[0].severity, Severity::Off);
}

#[test]
fn every_problem_is_reported_with_its_place() {
    let text = "exceptions:\n  - check: a\n    severity: warn\n    reason: \"\"\n  - check: b\n    files: [\"[\"]\n    severity: off\n    reason: x\n";
    let raw: RawPolicy = parse_yaml("p.yaml", text).expect("parses");
    let errs = resolve("p.yaml", raw).expect_err("two problems");
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert_eq!(errs[0].line, Some(4));
    assert!(errs[0].message.contains("reason"));
    assert!(errs[1].message.contains("not a valid glob"));
    let bad = parse_yaml::<RawPolicy>(
        "p.yaml",
        "exceptions:\n  - check: a\n    severity: never\n    reason: x\n",
    )
    .expect_err("bad severity");
    assert_eq!(bad.line, Some(3), "{bad}");
    let missing =
        parse_yaml::<RawPolicy>("p.yaml", "exceptions:\n  - check: a\n    severity: off\n")
            .expect_err("no reason");
    assert!(missing.message.contains("reason"), "{missing}");
}

/// Regenerate with `OBSGATE_WRITE_SCHEMA=1 cargo test --lib config::policy`.
#[test]
fn committed_schema_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/policy.schema.json");
    let fresh = policy_schema_json();
    if std::env::var_os("OBSGATE_WRITE_SCHEMA").is_some() {
        crate::util::write_atomic(&path, fresh.as_bytes()).expect("write schema");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "{} is stale; regenerate it with OBSGATE_WRITE_SCHEMA=1 cargo test --lib config::policy",
        path.display()
    );
}
