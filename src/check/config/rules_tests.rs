//! Unit tests of the rule-file checks: parse errors with file:line, unknown metrics with
//! "did you mean", required labels/annotations, runbook resolution.

use std::collections::BTreeSet;

use crate::check::config::rules::{RulesPolicy, check_rule_file, runbook_file};
use crate::check::config::rules_metrics::KnownMetrics;
use crate::config::parse_yaml;
use crate::config::rules_file::RuleFile;
use crate::verdict::Status;

const GOOD: &str = r#"groups:
  - name: g
    rules:
      - record: job:render_failures:rate5m
        expr: sum(rate(render_failures_total[5m]))
      - alert: RenderFailures
        expr: job:render_failures:rate5m > 1
        for: 1m
        labels: {severity: critical}
        annotations:
          summary: s
          description: d
          runbook_url: https://github.com/o/r/blob/main/docs/runbooks/RenderFailures.md#top
      - alert: Always
        expr: 1
"#;

fn policy() -> RulesPolicy {
    RulesPolicy::shipped(
        KnownMetrics::contract_plus(Vec::<String>::new()),
        Some(BTreeSet::from(["RenderFailures.md".to_string()])),
    )
}

#[test]
fn good_rules_pass_and_recorded_series_are_known() {
    let parsed = parse_yaml::<RuleFile>("r.yaml", GOOD);
    let checks = check_rule_file("r.yaml", &parsed, &policy());
    let get = |id: &str| checks.iter().find(|c| c.id == id).expect("check present");
    assert_eq!(get("rules.parse.r.yaml").status, Status::Pass);
    assert_eq!(get("rules.metric.RenderFailures").status, Status::Pass);
    assert_eq!(get("rules.labels.RenderFailures").status, Status::Pass);
    assert_eq!(get("rules.runbook.RenderFailures").status, Status::Pass);
    // `expr: 1` parses; the alert lacks its labels and runbook: advice, not a failure.
    assert_eq!(get("rules.labels.Always").status, Status::Warn);
    assert!(
        get("rules.labels.Always")
            .message
            .contains("label `severity`")
    );
    assert_eq!(get("rules.runbook.Always").status, Status::Warn);
}

#[test]
fn misspelled_metric_and_bad_expr_are_named_with_their_line() {
    let text = "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: rate(render_failure_total[5m]) > 1\n      - alert: B\n        expr: sum(rate(up[5m])\n";
    let parsed = parse_yaml::<RuleFile>("bad.yaml", text);
    let checks = check_rule_file("bad.yaml", &parsed, &policy());
    let get = |id: &str| checks.iter().find(|c| c.id == id).expect("check present");
    let m = get("rules.metric.A");
    assert_eq!(m.status, Status::Fail);
    assert!(m.message.contains("bad.yaml:5"), "{}", m.message);
    assert!(
        m.message.contains("did you mean `render_failures_total`"),
        "{}",
        m.message
    );
    let p = get("rules.parse.bad.yaml");
    assert_eq!(p.status, Status::Fail);
    assert!(p.message.contains("bad.yaml:7: rule `B`"), "{}", p.message);
}

#[test]
fn yaml_errors_and_unknown_keys_fail_with_a_location() {
    let parsed = parse_yaml::<RuleFile>(
        "x.yaml",
        "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        fr: 5m\n",
    );
    let checks = check_rule_file("x.yaml", &parsed, &policy());
    assert_eq!(checks.len(), 1);
    assert_eq!(checks[0].status, Status::Fail);
    assert!(
        checks[0].message.contains("x.yaml:6"),
        "{}",
        checks[0].message
    );
    assert!(checks[0].message.contains("fr"), "{}", checks[0].message);
}

#[test]
fn runbook_urls_resolve_to_the_runbooks_folder() {
    assert_eq!(runbook_file("docs/runbooks/A.md").as_deref(), Some("A.md"));
    assert_eq!(
        runbook_file("https://x/blob/main/docs/runbooks/A.md?plain=1").as_deref(),
        Some("A.md")
    );
    assert_eq!(runbook_file("https://wiki/A"), None);
}
