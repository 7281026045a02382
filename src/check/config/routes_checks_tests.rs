//! Unit tests of the routing checks against expectations: wrong receivers, typos, undefined
//! receivers, inhibitions, the amtool cross-check, coverage and rule label values.

use std::collections::BTreeMap;

use crate::check::config::routes::check_routes;
use crate::check::config::routes_tests::model;
use crate::config::parse_yaml;
use crate::expect::routes::RoutesExpectations;
use crate::verdict::Status;

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
    // An expected alert without a rule is said to be missing, not to be misrouted.
    let missing = checks
        .iter()
        .find(|c| c.id == "routes.RenderFailure")
        .expect("route check");
    assert_eq!(missing.status, Status::Fail);
    assert!(
        missing.message.contains("has no alerting rule") && !missing.message.contains("reaches"),
        "{}",
        missing.message
    );
    assert_eq!(
        checks
            .iter()
            .find(|c| c.id == "routes.SLABreach")
            .map(|c| c.status),
        Some(Status::Pass)
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

#[test]
fn a_routing_key_the_expectations_do_not_name_is_shown_as_a_fingerprint() {
    let m = model(
        r#"
route:
  receiver: pager
receivers:
  - name: pager
    pagerduty_configs: [{routing_key: SEKRET-real-key}]
"#,
    );
    let exp: RoutesExpectations = parse_yaml(
        "exp.yml",
        r#"
alerts:
  - alert: Boom
    labels: {severity: critical}
    receivers:
      pager: {pagerduty_routing_keys: [expected-key]}
"#,
    )
    .expect("expectations parse");
    let checks = check_routes("am.yml", &m, &exp, &BTreeMap::new());
    let r = checks
        .iter()
        .find(|c| c.id == "routes.Boom")
        .expect("check present");
    assert_eq!(r.status, Status::Fail);
    assert!(!r.message.contains("SEKRET"), "{}", r.message);
    let shown = crate::config::secrets::fingerprint("SEKRET-real-key");
    assert!(
        r.message.contains(&format!(
            "has PagerDuty routing key {shown}; expected expected-key"
        )),
        "{}",
        r.message
    );
}
