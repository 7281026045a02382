//! Unit tests of the metric catalog and of label existence: each case (matcher, by, without,
//! on, ignoring, group_left, `$labels` in a template, a recording-rule chain) passes and fails.

use std::collections::BTreeSet;

use crate::check::config::catalog::Catalog;
use crate::check::config::promql_labels::label_flow;
use crate::check::config::rules::{RulesPolicy, check_rule_file};
use crate::check::config::rules_labels_exist::template_labels;
use crate::config::parse_yaml;
use crate::config::rules_file::RuleFile;
use crate::evidence::{CatalogEntry, CatalogSource};
use crate::verdict::{Check, Status};

fn set(v: &[&str]) -> BTreeSet<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// The contract plus `node_up{node}` and `node_info{node, os}` seen in an exposition.
fn catalog() -> Catalog {
    let mut c = Catalog::contract_plus(Vec::<String>::new());
    let series = |name: &str, labels: &[&str]| CatalogEntry::Series {
        name: name.into(),
        labels: Some(set(labels)),
    };
    c.add_source(&CatalogSource {
        origin: "test.prom".into(),
        scraped: true,
        entries: vec![
            series("node_up", &["node"]),
            series("node_info", &["node", "os"]),
        ],
    });
    c
}

fn findings(q: &str) -> Vec<String> {
    let e = crate::config::promql::parse(q).expect("test query parses");
    label_flow(&e, &catalog()).findings
}

fn output(q: &str) -> Option<BTreeSet<String>> {
    let e = crate::config::promql::parse(q).expect("test query parses");
    label_flow(&e, &catalog()).output
}

fn one_finding(q: &str, label: &str) -> String {
    let f = findings(q);
    assert_eq!(f.len(), 1, "{q}: {f:?}");
    assert!(f[0].contains(&format!("`{label}`")), "{q}: {}", f[0]);
    f[0].clone()
}

#[test]
fn the_contract_defect_names_the_label_and_what_exists() {
    let f = one_finding(
        "sum by (stage) (increase(render_failures_total[10m]))",
        "stage",
    );
    for l in [
        "preset",
        "reason",
        "job",
        "instance",
        "render_failures_total",
    ] {
        assert!(f.contains(&format!("`{l}`")), "{f}");
    }
    assert!(findings("sum by (reason) (increase(render_failures_total[10m]))").is_empty());
}

#[test]
fn matchers() {
    one_finding("render_failures_total{stage=\"render\"}", "stage");
    one_finding("render_failures_total{stage=~\".+\"}", "stage");
    one_finding("rate(render_failures_total{stage!=\"\"}[5m])", "stage");
    // Matchers a missing label satisfies are harmless.
    for ok in [
        "render_failures_total{stage=\"\"}",
        "render_failures_total{stage!~\".+\"}",
        "render_failures_total{stage!=\"x\"}",
        "render_failures_total{preset=\"short\", job=\"stub\"}",
        "pipeline_duration_seconds_bucket{le=\"300\"}",
        "unknown_metric{whatever=\"x\"}",
        "{__name__=~\"render.*\", stage=\"x\"}",
    ] {
        assert!(findings(ok).is_empty(), "{ok}: {:?}", findings(ok));
    }
}

#[test]
fn by_and_without() {
    one_finding("sum without (stage) (render_failures_total)", "stage");
    one_finding(
        "max by (le, stage) (pipeline_duration_seconds_bucket)",
        "stage",
    );
    assert!(findings("sum without (reason) (render_failures_total)").is_empty());
    assert_eq!(
        output("sum without (reason) (render_failures_total)"),
        Some(set(&["instance", "job", "preset"]))
    );
    assert_eq!(output("sum(render_failures_total)"), Some(set(&[])));
    assert_eq!(
        output("count_values(\"v\", sum by (preset) (render_failures_total))"),
        Some(set(&["v"]))
    );
    // topk keeps its input's series.
    assert_eq!(
        output("topk by (preset) (1, user_jobs_completed_total)"),
        Some(set(&["instance", "job", "preset"]))
    );
    // Labels of an unknown metric are unknown: nothing is judged.
    assert!(findings("sum by (anything) (nope_total)").is_empty());
    assert_eq!(output("sum by (a) (nope_total)"), Some(set(&["a"])));
}

#[test]
fn on_ignoring_and_group_left() {
    one_finding("node_up * on (instance, os) node_info", "os");
    assert!(findings("node_up * on (node) node_info").is_empty());
    assert_eq!(
        output("node_up * on (node) node_info"),
        Some(set(&["node"]))
    );
    one_finding("node_up / ignoring (stage) node_info", "stage");
    assert!(findings("node_info / ignoring (os) node_up").is_empty());
    let f = one_finding(
        "node_up * on (node) group_left (kernel) node_info",
        "kernel",
    );
    assert!(f.contains("group_left"), "{f}");
    assert!(findings("node_up * on (node) group_left (os) node_info").is_empty());
    assert_eq!(
        output("node_up * on (node) group_left (os) node_info"),
        Some(set(&["instance", "job", "node", "os"]))
    );
    one_finding(
        "node_info * on (node) group_right (kernel) node_up",
        "kernel",
    );
    // Set operators and scalars.
    assert_eq!(
        output("node_up or pipeline_active_jobs"),
        Some(set(&["instance", "job", "node"]))
    );
    assert_eq!(
        output("node_up > 1"),
        Some(set(&["instance", "job", "node"]))
    );
}

#[test]
fn functions_move_labels() {
    assert_eq!(
        output("label_replace(sum(node_up), \"host\", \"$1\", \"node\", \"(.*)\")"),
        Some(set(&["host"]))
    );
    assert_eq!(
        output("absent(node_up{node=\"a\", job=~\"x\"})"),
        Some(set(&["node"]))
    );
    assert_eq!(
        output(
            "histogram_quantile(0.95, sum by (le, preset) (rate(pipeline_duration_seconds_bucket[5m])))"
        ),
        Some(set(&["preset"]))
    );
    assert_eq!(output("vector(1)"), Some(set(&[])));
    assert!(output("info(node_up)").is_none());
}

#[test]
fn template_labels_are_read_inside_actions_only() {
    assert_eq!(
        template_labels("{{ $labels.preset }} / {{ .Labels.reason }} / $labels.nope"),
        set(&["preset", "reason"])
    );
    assert_eq!(
        template_labels("{{ index $labels \"a\" }} {{ with $labels.b }}{{ . }}{{ end }}"),
        set(&["a", "b"])
    );
    // `range` rebinds `.`: `.Labels` then is a query result's.
    assert_eq!(
        template_labels("{{ range query \"up\" }}{{ .Labels.instance }}{{ end }}"),
        set(&[])
    );
}

const RULES: &str = r#"groups:
  - name: g
    rules:
      - record: preset:render_failures:rate5m
        expr: sum by (preset) (rate(render_failures_total[5m]))
        labels: {team: video}
      - alert: ByPreset
        expr: preset:render_failures:rate5m{team="video"} > 0
        labels: {severity: warning}
        annotations:
          summary: "{{ $labels.preset }} fails ({{ $labels.team }})"
      - alert: ByReason
        expr: preset:render_failures:rate5m{reason="oom"} > 0
        annotations:
          summary: "{{ $labels.preset }}"
      - alert: TemplateEmpty
        expr: sum(rate(render_failures_total[5m])) > 0
        annotations:
          summary: "render failures for {{ $labels.preset }}"
      - alert: Chained
        expr: level2:x > 0
        annotations:
          summary: "{{ $labels.reason }}"
      - record: level2:x
        expr: sum by (preset, team) (preset:render_failures:rate5m)
"#;

fn rule_checks() -> Vec<Check> {
    let parsed = parse_yaml::<RuleFile>("r.yaml", RULES);
    let policy = RulesPolicy::shipped(catalog(), None);
    check_rule_file("r.yaml", &parsed, &policy)
}

fn status_of<'a>(checks: &'a [Check], id: &str) -> &'a Check {
    checks
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no {id}"))
}

#[test]
fn rules_follow_recording_chains_and_templates() {
    let checks = rule_checks();
    for ok in ["preset:render_failures:rate5m", "ByPreset", "level2:x"] {
        let c = status_of(&checks, &format!("rules.label_exists.{ok}"));
        assert_eq!(c.status, Status::Pass, "{ok}: {}", c.message);
    }
    let by_reason = status_of(&checks, "rules.label_exists.ByReason");
    assert_eq!(by_reason.status, Status::Fail);
    assert!(
        by_reason.message.contains("`reason`"),
        "{}",
        by_reason.message
    );
    assert!(
        by_reason.message.contains("r.yaml:13:15"),
        "{}",
        by_reason.message
    );
    let empty = status_of(&checks, "rules.label_exists.TemplateEmpty");
    assert_eq!(empty.status, Status::Fail);
    assert!(
        empty.message.contains("`$labels.preset`") && empty.message.contains("renders empty"),
        "{}",
        empty.message
    );
    // A later recording rule of the same file is resolved first.
    let chained = status_of(&checks, "rules.label_exists.Chained");
    assert_eq!(chained.status, Status::Fail, "{}", chained.message);
    assert!(
        chained.message.contains("`$labels.reason`"),
        "{}",
        chained.message
    );
}

#[test]
fn no_catalog_means_no_metric_findings() {
    let parsed = parse_yaml::<RuleFile>("r.yaml", RULES);
    let policy = RulesPolicy::shipped(Catalog::new(Some(BTreeSet::new())), None);
    let checks = check_rule_file("r.yaml", &parsed, &policy);
    assert!(checks.iter().all(|c| !c.id.starts_with("rules.metric.")));
    // What an expression itself fixes is still judged: `sum()` keeps no label.
    let empty = status_of(&checks, "rules.label_exists.TemplateEmpty");
    assert_eq!(empty.status, Status::Fail);
    // So is a recorded series whose `by` fixes its labels.
    let by_reason = status_of(&checks, "rules.label_exists.ByReason");
    assert_eq!(by_reason.status, Status::Fail, "{}", by_reason.message);
    // A bare unknown metric is not.
    let parsed = parse_yaml::<RuleFile>(
        "s.yaml",
        "groups: [{name: g, rules: [{alert: A, expr: 'nope{x=\"1\"} > 0', annotations: {s: '{{ $labels.y }}'}}]}]\n",
    );
    let checks = check_rule_file("s.yaml", &parsed, &policy);
    assert_eq!(
        status_of(&checks, "rules.label_exists.A").status,
        Status::Pass
    );
}

#[test]
fn suggestions_only_name_what_exists() {
    let c = catalog();
    assert_eq!(
        c.suggest("render_failure_total").as_deref(),
        Some("render_failures_total")
    );
    // A counter has no `_count` series: no invented `…_total_count`.
    assert_ne!(
        c.suggest("render_failures_total_count").as_deref(),
        Some("render_failures_total_count")
    );
    assert!(!c.knows("render_failures_total_count"));
    assert!(c.knows("pipeline_cost_dollars_sum"));
    assert_eq!(
        c.labels("pipeline_cost_dollars_bucket"),
        Some(set(&["backend", "instance", "job", "le", "preset"]))
    );
    assert_eq!(c.labels("up"), Some(set(&["instance", "job"])));
    assert!(c.is_given());
    assert!(!Catalog::new(None).is_given());
    assert_eq!(Catalog::new(None).labels("up"), None);
}
