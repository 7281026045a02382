//! Loader tests: the shipped files load, and bad files report every problem with file:line:col.

use super::*;

fn shipped(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("expectations")
        .join(name)
}

#[test]
fn shipped_files_load() {
    let m = load_metrics(&shipped("metrics.yaml")).unwrap();
    assert_eq!(m.families.len(), 12);
    assert!(
        m.relations
            .iter()
            .any(|r| r.name == "jobs_completed_match_succeeded")
    );
    let l = load_logs(&shipped("logs.yaml")).unwrap();
    assert!(
        l.fields
            .iter()
            .any(|f| f.name == "logging.googleapis.com/trace")
    );
    let t = load_traces(&shipped("traces.yaml")).unwrap();
    assert_eq!(t.root_name(), "POST /v1/jobs");
    assert_eq!(
        t.span("db.insert").and_then(|s| s.parent.as_deref()),
        Some("pipeline.run")
    );
    let e = load_logs(&shipped("metrics.yaml")).unwrap_err().to_string();
    assert!(
        e.contains("expected a `kind: logs` file, found `kind: metrics`"),
        "{e}"
    );
}

#[test]
fn unknown_field_has_line_and_column() {
    let text = "kind: metrics\nfamilies:\n  - name: a_total\n    type: counter\n    lables: {}\n";
    let e = parse_str("m.yaml", text).unwrap_err();
    assert_eq!(e.0.len(), 1);
    let first = &e.0[0];
    assert_eq!((first.line, first.file.as_str()), (5, "m.yaml"), "{e}");
    assert!(first.message.contains("lables"), "{e}");
    assert!(e.to_string().starts_with("m.yaml:5:"), "{e}");
}

#[test]
fn bad_type_names_what_is_allowed() {
    let text = "kind: metrics\nfamilies:\n  - name: a_total\n    type: countr\n";
    let e = parse_str("m.yaml", text).unwrap_err().to_string();
    assert!(e.contains("m.yaml:4:"), "{e}");
    assert!(e.contains("countr"), "{e}");
    assert!(e.contains("expected one of counter, gauge"), "{e}");
    assert!(!e.contains("at line"), "position said once: {e}");
}

#[test]
fn every_semantic_error_at_once() {
    let text = r#"kind: metrics
families:
  - name: a_total
    type: counter
    buckets: [1, 2]
    labels:
      x: { values: { regex: "(" } }
  - name: a_total
    type: histogram
    buckets: [2, 1]
relations:
  - name: r1
    left: sum(a_total) +
    op: "=="
    right: facts.succeded
    when: facts.failed
"#;
    let e = parse_str("m.yaml", text).unwrap_err();
    let s = e.to_string();
    let lines: Vec<&str> = s.lines().collect();
    assert!(lines.len() >= 7, "{s}");
    assert!(
        s.contains("m.yaml:5:14: family `a_total`: `buckets` only applies to histograms"),
        "{s}"
    );
    assert!(
        s.contains("m.yaml:3:11: a_total.labels.x: invalid regex `(`"),
        "{s}"
    );
    assert!(
        s.contains("m.yaml:8:11: family `a_total` is listed twice"),
        "{s}"
    );
    assert!(
        s.contains(
            "m.yaml:10:14: family `a_total`: bucket bounds [2.0, 1.0] must be strictly increasing"
        ),
        "{s}"
    );
    assert!(
        s.contains("m.yaml:13:11: relation `r1`: `sum(a_total) +`"),
        "{s}"
    );
    assert!(s.contains("m.yaml:15:12: relation `r1`: `facts.succeded`: unknown fact; did you mean `facts.succeeded`?"), "{s}");
    assert!(
        s.contains("m.yaml:16:11: relation `r1`: when `facts.failed`: expected a comparison"),
        "{s}"
    );
}

#[test]
fn logs_and_traces_semantic_errors() {
    let text = r#"kind: logs
fields:
  - name: a
    when_present: jb_id
  - name: jb_idd
  - name: a
    template: "x/{trace_id"
"#;
    let s = parse_str("l.yaml", text).unwrap_err().to_string();
    assert!(s.contains("l.yaml:6:11: field `a` is listed twice"), "{s}");
    assert!(s.contains("template `x/{trace_id`"), "{s}");
    assert!(
        s.contains("refers to `jb_id`, which is not a listed field; did you mean `jb_idd`?"),
        "{s}"
    );
    let text = r#"kind: traces
service_name: s
completeness_min_ratio: 2
duration_spans: [rendr]
root:
  name: a
  kind: server
  children:
    - name: render
      kind: internal
      count: { at_least: 3, at_most: 1 }
    - name: a
      kind: client
"#;
    let s = parse_str("t.yaml", text).unwrap_err().to_string();
    assert!(s.contains("t.yaml:12:13: span `a` appears twice"), "{s}");
    assert!(
        s.contains("t.yaml:9:13: span `render` count: at_least 3 is greater than at_most 1"),
        "{s}"
    );
    assert!(
        s.contains("completeness_min_ratio 2 must be within 0..=1"),
        "{s}"
    );
    assert!(
        s.contains(
            "duration_spans names `rendr`, which is not in the tree; did you mean `render`?"
        ),
        "{s}"
    );
}

#[test]
fn unknown_or_missing_kind() {
    let s = parse_str("x.yaml", "kind: metric\n")
        .unwrap_err()
        .to_string();
    assert!(s.contains("x.yaml:1:7: unknown kind `metric`"), "{s}");
    assert!(s.contains("did you mean `metrics`?"), "{s}");
    let s = parse_str("x.yaml", "families: []\n")
        .unwrap_err()
        .to_string();
    assert!(s.contains("missing top-level `kind`"), "{s}");
}

/// Found with the `expectations` fuzz target (`fuzz/regressions/expectations/deep-parens.yaml`):
/// 20,000 nested brackets overflowed the stack of the recursive parser.
#[test]
fn nesting_and_size_are_bounded() {
    let nested = |open: &str, close: &str, n| format!("{}1{}", open.repeat(n), close.repeat(n));
    for (open, close) in [("(", ")"), ("-", ""), ("sqrt(", ")"), ("abs(-", ")")] {
        assert!(
            expr::parse_expr(&nested(open, close, expr_parser::MAX_NESTING / 2)).is_ok(),
            "{open}"
        );
        let e = expr::parse_expr(&nested(open, close, 20_000)).unwrap_err();
        assert!(e.message.contains("nested more than 64"), "{open}: {e:?}");
    }
    let chain = |n: usize| vec!["1"; n + 1].join(" + ");
    assert!(expr::parse_expr(&chain(expr_parser::MAX_OPERATORS)).is_ok());
    let e = expr::parse_expr(&chain(expr_parser::MAX_OPERATORS + 1)).unwrap_err();
    assert!(e.message.contains("more than 1000 operators"), "{e:?}");
    let half = chain(expr_parser::MAX_OPERATORS / 2);
    let e = expr::parse_condition(&format!("{half} == {half} + 1")).unwrap_err();
    assert!(e.message.contains("more than 1000 operators"), "{e:?}");
    // Through the loader: the error names the relation's position.
    let deep = format!("{}1{}", "(".repeat(20_000), ")".repeat(20_000));
    let text = std::fs::read_to_string(shipped("metrics.yaml")).unwrap();
    let text = text.replacen(
        "left: sum(user_jobs_completed_total)",
        &format!("left: {deep}"),
        1,
    );
    let e = parse_str("deep.yaml", &text).unwrap_err().to_string();
    assert!(e.contains("nested more than 64"), "{e}");
}
