//! Unit tests of routing-tree evaluation and inhibition, on cases from Alertmanager's docs
//! (`continue`, nested routes, `match`/`match_re`/`matchers`, inheritance, inhibition).

use std::collections::BTreeMap;

use crate::check::config::routes::{RoutingModel, check_routes};
use crate::check::config::routes_matchers::LabelSet;
use crate::check::config::routes_tree::inhibited_by;
use crate::config::alertmanager::AlertmanagerConfig;
use crate::config::parse_yaml;
use crate::expect::routes::RoutesExpectations;
use crate::verdict::Status;

fn model(yaml: &str) -> RoutingModel {
    let cfg: AlertmanagerConfig = parse_yaml("test.yml", yaml).expect("test config parses");
    RoutingModel::new(&cfg)
}

fn ls(pairs: &[(&str, &str)]) -> LabelSet {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

// The shape of Alertmanager's doc/examples/simple.yml, reduced.
const DOC: &str = r#"
route:
  receiver: team-X-mails
  group_by: ['alertname', 'cluster', 'service']
  routes:
    - matchers: [service=~"foo1|foo2|baz"]
      receiver: team-X-mails
      routes:
        - matchers: [severity="critical"]
          receiver: team-X-pager
    - matchers: [service="files"]
      receiver: team-Y-mails
      routes:
        - matchers: [severity="critical"]
          receiver: team-Y-pager
    - match_re:
        service: ^database.*$
      receiver: team-DB-pager
      group_by: [alertname, cluster, database]
      routes:
        - match: {owner: team-X}
          receiver: team-X-pager
          continue: true
        - match: {owner: team-Y}
          receiver: team-Y-pager
inhibit_rules:
  - source_matchers: [severity="critical"]
    target_matchers: [severity="warning"]
    equal: [alertname, cluster, service]
receivers:
  - name: team-X-mails
  - name: team-X-pager
  - name: team-Y-mails
  - name: team-Y-pager
  - name: team-DB-pager
"#;

#[test]
fn nested_routes_and_fallback_to_parent() {
    let m = model(DOC);
    assert_eq!(
        m.receivers_for(&ls(&[("service", "foo1"), ("severity", "critical")])),
        ["team-X-pager"]
    );
    // Matches the parent but no child: the parent handles it.
    assert_eq!(
        m.receivers_for(&ls(&[("service", "foo2"), ("severity", "warning")])),
        ["team-X-mails"]
    );
    // Regex is anchored: `foo11` is not `foo1`.
    assert_eq!(
        m.receivers_for(&ls(&[("service", "foo11")])),
        ["team-X-mails"],
        "root receiver"
    );
    assert_eq!(
        m.receivers_for(&ls(&[("service", "files"), ("severity", "critical")])),
        ["team-Y-pager"]
    );
    assert!(m.problems.is_empty(), "{:?}", m.problems);
}

#[test]
fn continue_keeps_matching_siblings() {
    let m = model(DOC);
    // owner=team-X has continue: true, so team-Y's sibling is still tried (and misses), and
    // the database route itself is not used because a child matched.
    assert_eq!(
        m.receivers_for(&ls(&[("service", "database-1"), ("owner", "team-X")])),
        ["team-X-pager"]
    );
    let m2 = model(
        r#"
route:
  receiver: default
  routes:
    - matchers: ['severity="critical"']
      receiver: slack
      continue: true
    - matchers: ['severity="critical"']
      receiver: pager
    - matchers: ['severity="critical"']
      receiver: never
receivers: [{name: default}, {name: slack}, {name: pager}, {name: never}]
"#,
    );
    assert_eq!(
        m2.receivers_for(&ls(&[("severity", "critical")])),
        ["slack", "pager"]
    );
    assert_eq!(m2.receivers_for(&ls(&[("severity", "info")])), ["default"]);
}

#[test]
fn receiver_and_group_by_are_inherited() {
    let m = model(
        r#"
route:
  receiver: root
  group_by: [alertname]
  routes:
    - matchers: ['team="a"']
      group_wait: 5s
      routes:
        - matchers: ['severity="critical"']
receivers: [{name: root}]
"#,
    );
    let routes = crate::check::config::routes_tree::matching_routes(
        &m.tree,
        &ls(&[("team", "a"), ("severity", "critical")]),
    );
    assert_eq!(routes.len(), 1);
    assert_eq!(routes[0].path, "route.routes[0].routes[0]");
    assert_eq!(routes[0].receiver, "root");
    assert_eq!(routes[0].group_by, ["alertname"]);
    assert_eq!(routes[0].group_wait, "5s");
}

#[test]
fn inhibition_with_equal_labels() {
    let m = model(DOC);
    let crit = ls(&[
        ("alertname", "A"),
        ("cluster", "c1"),
        ("service", "s"),
        ("severity", "critical"),
    ]);
    let warn_same = ls(&[
        ("alertname", "A"),
        ("cluster", "c1"),
        ("service", "s"),
        ("severity", "warning"),
    ]);
    let warn_other = ls(&[
        ("alertname", "A"),
        ("cluster", "c2"),
        ("service", "s"),
        ("severity", "warning"),
    ]);
    assert!(inhibited_by(&warn_same, std::slice::from_ref(&crit), &m.inhibitions).is_some());
    assert!(inhibited_by(&warn_other, std::slice::from_ref(&crit), &m.inhibitions).is_none());
    assert!(inhibited_by(&crit, std::slice::from_ref(&crit), &m.inhibitions).is_none());
}

#[test]
fn an_alert_matching_both_sides_is_not_muted_by_its_peer() {
    let m = model(
        r#"
route: {receiver: r}
receivers: [{name: r}]
inhibit_rules:
  - source_matchers: ['team="x"']
    target_matchers: ['team="x"']
"#,
    );
    let a = ls(&[("alertname", "A"), ("team", "x")]);
    let b = ls(&[("alertname", "B"), ("team", "x")]);
    assert!(inhibited_by(&a, &[b], &m.inhibitions).is_none());
}

#[test]
fn expectations_catch_wrong_receiver_and_typos() {
    let m = model(
        r#"
route:
  receiver: slack
  routes:
    - match: {severity: critial}
      receiver: pager
receivers:
  - name: slack
    slack_configs: [{channel: '#critical'}]
  - name: pager
    pagerduty_configs: [{routing_key: k}]
"#,
    );
    let exp: RoutesExpectations = parse_yaml(
        "exp.yml",
        r#"
label_values: {severity: [critical, warning]}
alerts:
  - alert: Boom
    labels: {severity: critical}
    receivers:
      pager: {pagerduty_routing_keys: [k]}
"#,
    )
    .expect("expectations parse");
    let checks = check_routes("am.yml", &m, &exp, &BTreeMap::new());
    let by_id = |id: &str| checks.iter().find(|c| c.id == id).expect("check present");
    let lv = by_id("routes.label_values");
    assert_eq!(lv.status, Status::Fail);
    assert!(
        lv.message
            .contains("severity=\"critial\" matches no expected value"),
        "{}",
        lv.message
    );
    assert!(
        lv.message.contains("did you mean `critical`"),
        "{}",
        lv.message
    );
    let r = by_id("routes.Boom");
    assert_eq!(r.status, Status::Fail);
    assert!(
        r.message.contains("reaches [slack (Slack #critical)]"),
        "{}",
        r.message
    );
    assert_eq!(by_id("routes.structure").status, Status::Pass);
}

#[test]
fn undefined_receiver_and_bad_matcher_are_reported() {
    let m = model(
        r#"
route:
  receiver: root
  routes:
    - matchers: ['severity=~"("']
      receiver: ghost
receivers: [{name: root}, {name: host}]
"#,
    );
    let checks = check_routes(
        "am.yml",
        &m,
        &RoutesExpectations::default(),
        &BTreeMap::new(),
    );
    let s = checks
        .iter()
        .find(|c| c.id == "routes.structure")
        .expect("check present");
    assert_eq!(s.status, Status::Fail);
    let all = s.evidence.join("\n");
    assert!(all.contains("invalid regex"), "{all}");
    assert!(
        all.contains("receiver `ghost`, which is not defined; did you mean `host`?"),
        "{all}"
    );
}

#[test]
fn missing_inhibition_and_amtool_disagreement_fail() {
    use crate::check::config::routes::{AmtoolCase, amtool_cross_check};
    use crate::evidence::ToolRun;
    let m = model(
        r#"
route: {receiver: r}
receivers: [{name: r}]
inhibit_rules:
  - source_matchers: ['alertname="PrometheusDown"', 'job="pipeline"']
    target_matchers: ['service="video-pipeline"']
"#,
    );
    let exp: RoutesExpectations = parse_yaml(
        "exp.yml",
        r#"
alerts:
  - alert: SLABreach
    labels: {service: video-pipeline}
    receivers: {r: {}}
    inhibited_by: [{alert: PrometheusDown, labels: {job: pipeline}}]
  - alert: DatabaseLatency
    labels: {service: database}
    receivers: {r: {}}
    inhibited_by: [{alert: PrometheusDown, labels: {job: pipeline}}]
"#,
    )
    .expect("expectations parse");
    let checks = check_routes("am.yml", &m, &exp, &BTreeMap::new());
    let get = |id: &str| checks.iter().find(|c| c.id == id).expect("check present");
    assert_eq!(get("routes.inhibit.SLABreach").status, Status::Pass);
    let bad = get("routes.inhibit.DatabaseLatency");
    assert_eq!(bad.status, Status::Fail);
    assert!(
        bad.message.contains("is not inhibited by PrometheusDown"),
        "{}",
        bad.message
    );

    let ran = |out: &str| ToolRun::Ran {
        success: true,
        stdout: out.into(),
        stderr: String::new(),
    };
    let agree = AmtoolCase {
        alert: "A".into(),
        ours: vec!["slack".into(), "pager".into()],
        run: ran("slack,pager\n"),
    };
    assert_eq!(
        amtool_cross_check(std::slice::from_ref(&agree)).status,
        Status::Pass
    );
    let differ = AmtoolCase {
        alert: "B".into(),
        ours: vec!["slack".into()],
        run: ran("pager"),
    };
    let c = amtool_cross_check(&[agree, differ]);
    assert_eq!(c.status, Status::Fail);
    assert!(c.message.starts_with("B: obsgate reaches"), "{}", c.message);
    let missing = AmtoolCase {
        alert: "C".into(),
        ours: vec![],
        run: ToolRun::Missing {
            tool: "amtool".into(),
        },
    };
    assert_eq!(amtool_cross_check(&[missing]).status, Status::Skip);
}

#[test]
fn coverage_compares_rules_and_expectations() {
    let m = model("route: {receiver: r}\nreceivers: [{name: r}]\n");
    let exp: RoutesExpectations = parse_yaml(
        "exp.yml",
        "alerts:\n  - {alert: RenderFailure, receivers: {r: {}}}\n  - {alert: SLABreach, receivers: {r: {}}}\n",
    )
    .expect("expectations parse");
    let mut rules = BTreeMap::new();
    rules.insert("SLABreach".to_string(), BTreeMap::new());
    rules.insert("RenderFailures".to_string(), BTreeMap::new());
    let checks = check_routes("am.yml", &m, &exp, &rules);
    let c = checks
        .iter()
        .find(|c| c.id == "routes.coverage")
        .expect("coverage check");
    assert_eq!(c.status, Status::Fail);
    assert!(
        c.message
            .contains("alert `RenderFailures` has no routing expectation"),
        "{}",
        c.message
    );
    assert!(
        c.message
            .contains("`RenderFailure` has no alerting rule; did you mean `RenderFailures`?"),
        "{}",
        c.message
    );
    rules.remove("RenderFailures");
    rules.insert("RenderFailure".to_string(), BTreeMap::new());
    let checks = check_routes("am.yml", &m, &exp, &rules);
    let c = checks
        .iter()
        .find(|c| c.id == "routes.coverage")
        .expect("coverage check");
    assert_eq!(c.status, Status::Pass, "{}", c.message);
}

#[test]
fn rule_label_values_are_checked_too() {
    let m = model("route: {receiver: r}\nreceivers: [{name: r}]\n");
    let exp: RoutesExpectations =
        parse_yaml("exp.yml", "label_values: {severity: [critical, warning]}\n")
            .expect("expectations parse");
    let mut rules = BTreeMap::new();
    rules.insert(
        "A".to_string(),
        BTreeMap::from([("severity".to_string(), "critial".to_string())]),
    );
    let checks = check_routes("am.yml", &m, &exp, &rules);
    let c = checks
        .iter()
        .find(|c| c.id == "routes.label_values")
        .expect("check present");
    assert_eq!(c.status, Status::Fail);
    assert!(
        c.message.contains("alert `A` sets severity=\"critial\""),
        "{}",
        c.message
    );
    assert!(
        c.message.contains("did you mean `critical`?"),
        "{}",
        c.message
    );
}
