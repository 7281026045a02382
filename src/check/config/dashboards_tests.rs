//! Unit tests of the dashboard walker and the static dashboard checks: nested rows (collapsed
//! and expanded, old `rows[]`), variables, hidden targets, datasource forms, misspelled metrics.

use crate::check::config::dashboards::{DashboardPolicy, check_dashboard, panel_queries};
use crate::check::config::rules_metrics::KnownMetrics;
use crate::config::dashboard::walk;
use crate::config::grafana::ProvisionedDatasource;
use crate::verdict::Status;

fn prom() -> Vec<ProvisionedDatasource> {
    vec![ProvisionedDatasource {
        name: "Prometheus".into(),
        uid: Some("prometheus".into()),
        kind: "prometheus".into(),
        url: None,
        is_default: true,
    }]
}

const NESTED: &str = r#"{
  "uid": "d1", "title": "Nested", "schemaVersion": 39,
  "templating": {"list": [
    {"name": "preset", "type": "query", "current": {"value": ["$__all"]}, "allValue": ".*"},
    {"name": "budget", "type": "textbox", "query": "100"}
  ]},
  "panels": [
    {"type": "row", "title": "Collapsed", "collapsed": true, "panels": [
      {"type": "timeseries", "title": "Inside collapsed", "datasource": {"type": "prometheus", "uid": "prometheus"},
       "targets": [{"refId": "A", "expr": "sum(rate(pipeline_duration_seconds_count{preset=~\"$preset\"}[$__rate_interval]))"},
                   {"refId": "B", "expr": "sum(pipeline_active_jobs)", "hide": true}]}
    ]},
    {"type": "row", "title": "Expanded", "collapsed": false, "panels": []},
    {"type": "stat", "title": "After expanded", "datasource": "prometheus",
     "targets": [{"refId": "A", "expr": "100 * sum(increase(pipeline_cost_dollars_sum[24h])) / ${budget}"}]},
    {"type": "text", "title": "Notes"}
  ]
}"#;

#[test]
fn walker_sees_nested_rows_variables_and_hidden_targets() {
    let v: serde_json::Value = serde_json::from_str(NESTED).expect("fixture is JSON");
    let d = walk("nested.json", &v);
    assert!(d.uses_rows);
    let titles: Vec<&str> = d.panels.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(titles, ["Inside collapsed", "After expanded", "Notes"]);
    assert_eq!(d.panels[0].path, "panels[0].panels[0]");
    assert!(d.panels[0].in_collapsed_row);
    assert_eq!(d.panels[1].row.as_deref(), Some("Expanded"));
    let q = panel_queries(&d);
    assert_eq!(q.len(), 3);
    assert_eq!(
        q[0].expr_substituted,
        "sum(rate(pipeline_duration_seconds_count{preset=~\".*\"}[1m]))"
    );
    assert!(q[1].hidden);
    assert_eq!(
        q[2].expr_substituted,
        "100 * sum(increase(pipeline_cost_dollars_sum[24h])) / 100"
    );
    let checks = check_dashboard(
        &d,
        &prom(),
        &KnownMetrics::contract_plus(Vec::<String>::new()),
        &DashboardPolicy::default(),
    );
    // Every check passes but the advice, which is judged in `dashboards_lint` fixtures.
    for c in checks
        .iter()
        .filter(|c| !c.id.starts_with("dashboards.lint."))
    {
        assert_eq!(c.status, Status::Pass, "{c:?}");
    }
}

#[test]
fn old_rows_schema_is_walked() {
    let v: serde_json::Value = serde_json::from_str(
        r#"{"title": "Old", "schemaVersion": 12, "rows": [{"title": "r", "panels": [
            {"title": "p", "type": "graph", "datasource": "Prometheus", "targets": [{"refId": "A", "expr": "up"}]}]}]}"#,
    )
    .expect("JSON");
    let d = walk("old.json", &v);
    assert_eq!(d.panels.len(), 1);
    assert_eq!(d.panels[0].path, "rows[0].panels[0]");
    let checks = check_dashboard(
        &d,
        &prom(),
        &KnownMetrics::contract_plus(Vec::<String>::new()),
        &DashboardPolicy::default(),
    );
    let model = checks
        .iter()
        .find(|c| c.id == "dashboards.model.Old")
        .expect("model check");
    // Advice: Grafana loads it and migrates the old schema itself.
    assert_eq!(model.status, Status::Warn, "no uid and schemaVersion 12");
    assert!(
        model
            .evidence
            .iter()
            .any(|e| e.contains("Grafana migrates it")),
        "{:?}",
        model.evidence
    );
    let ds = checks
        .iter()
        .find(|c| c.id == "dashboards.datasource.Old")
        .expect("ds check");
    assert_eq!(ds.status, Status::Pass, "by name: {}", ds.message);
}

#[test]
fn misspelled_metric_unknown_variable_and_import_input_fail() {
    let v: serde_json::Value = serde_json::from_str(
        r#"{"uid": "bad", "title": "Bad", "schemaVersion": 39, "__inputs": [{"name": "DS_PROMETHEUS"}],
            "panels": [{"type": "row", "title": "r", "panels": []},
              {"title": "Rate", "type": "timeseries", "datasource": "${DS_PROMETHEUS}",
               "targets": [{"refId": "A", "expr": "sum(rate(render_failure_total{preset=\"$window\"}[5m]))"}]},
              {"title": "Broken", "type": "stat", "datasource": {"type": "prometheus", "uid": "prometheus"},
               "targets": [{"refId": "B", "expr": "sum(rate(up[5m])"}]}]}"#,
    )
    .expect("JSON");
    let d = walk("bad.json", &v);
    let checks = check_dashboard(
        &d,
        &prom(),
        &KnownMetrics::contract_plus(Vec::<String>::new()),
        &DashboardPolicy::default(),
    );
    let get = |id: &str| checks.iter().find(|c| c.id == id).expect("check present");
    let m = get("dashboards.metrics.bad");
    assert_eq!(m.status, Status::Fail);
    assert!(m.message.contains("panel \"Rate\""), "{}", m.message);
    assert!(
        m.message.contains("did you mean `render_failures_total`"),
        "{}",
        m.message
    );
    assert!(
        get("dashboards.variables.bad")
            .message
            .contains("`$window`")
    );
    assert!(
        get("dashboards.datasource.bad")
            .message
            .contains("import-time input")
    );
    assert!(
        get("dashboards.promql.bad")
            .message
            .contains("panel \"Broken\"")
    );
    assert!(get("dashboards.model.bad").message.contains("__inputs"));
}

#[test]
fn loki_and_builtin_targets_are_not_parsed_as_promql() {
    let v: serde_json::Value = serde_json::from_str(
        r#"{"uid": "l", "title": "L", "templating": {"list": [{"name": "logs", "type": "datasource", "query": "loki"}]},
            "panels": [{"title": "Logs", "type": "logs", "datasource": "$logs", "targets": [{"refId": "A", "expr": "{job=\"x\"} |= \"err\""}]},
                       {"title": "Ann", "type": "text", "datasource": "-- Grafana --", "targets": [{"refId": "A", "expr": "not promql"}]}]}"#,
    )
    .expect("JSON");
    let d = walk("l.json", &v);
    assert!(panel_queries(&d).is_empty());
    let checks = check_dashboard(
        &d,
        &prom(),
        &KnownMetrics::contract_plus(Vec::<String>::new()),
        &DashboardPolicy::default(),
    );
    let p = checks
        .iter()
        .find(|c| c.id == "dashboards.promql.l")
        .expect("promql check");
    assert_eq!(p.status, Status::Pass, "{}", p.message);
    let ds = checks
        .iter()
        .find(|c| c.id == "dashboards.datasource.l")
        .expect("ds check");
    assert!(
        ds.message
            .contains("no provisioned datasource of type `loki`"),
        "{}",
        ds.message
    );
}

#[test]
fn duplicate_uids_fail() {
    use crate::check::config::dashboards::check_unique_uids;
    let d = |file: &str, uid: &str| crate::config::dashboard::Dashboard {
        file: file.into(),
        uid: Some(uid.into()),
        ..Default::default()
    };
    assert_eq!(
        check_unique_uids(&[d("a.json", "x"), d("b.json", "y")]).status,
        Status::Pass
    );
    let c = check_unique_uids(&[d("a.json", "x"), d("b.json", "x")]);
    assert_eq!(c.status, Status::Fail);
    assert!(
        c.message.contains("uid `x` in a.json, b.json"),
        "{}",
        c.message
    );
}
