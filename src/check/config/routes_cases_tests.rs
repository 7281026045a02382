//! Unit tests of the routing cases: receivers, time intervals at an instant (mute and active,
//! weekdays, negative days of the month, locations obsgate cannot evaluate), inhibition with
//! `equal:` and the amtool cross-check; and the loader's errors.

use std::collections::BTreeMap;

use crate::check::config::routes::RoutingModel;
use crate::check::config::routes_cases::case_checks;
use crate::check::config::routes_intervals::parse_intervals;
use crate::config::alertmanager::AlertmanagerConfig;
use crate::config::parse_yaml;
use crate::evidence::ToolRun;
use crate::expect::routes::parse;
use crate::verdict::{Check, Status};

const AM: &str = r#"
route:
  receiver: default
  routes:
    - matchers: ['severity="critical"']
      receiver: pager
      mute_time_intervals: [maintenance]
      continue: true
    - matchers: ['severity="critical"']
      receiver: chat
      active_time_intervals: [office]
    - matchers: ['team="finance"']
      receiver: chat
      active_time_intervals: [berlin]
time_intervals:
  - name: office
    time_intervals:
      - weekdays: ['monday:friday']
        times: [{start_time: '09:00', end_time: '17:00'}]
  - name: maintenance
    time_intervals:
      - days_of_month: ['-1']
  - name: berlin
    time_intervals:
      - times: [{start_time: '09:00', end_time: '17:00'}]
        location: Europe/Berlin
inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
    equal: [alertname, cluster]
receivers:
  - name: default
  - name: pager
  - name: chat
"#;

fn run(cases: &str, amtool: &[(&str, ToolRun)]) -> Vec<Check> {
    let am: AlertmanagerConfig = parse_yaml("am.yml", AM).expect("config parses");
    let model = RoutingModel::new(&am);
    let mut bad = Vec::new();
    let intervals = parse_intervals(&am.time_intervals, &mut bad);
    assert!(bad.is_empty(), "{bad:?}");
    let exp = parse("routes.yaml", cases).unwrap_or_else(|e| panic!("{e}"));
    let runs: BTreeMap<String, ToolRun> = amtool
        .iter()
        .map(|(k, r)| (k.to_string(), r.clone()))
        .collect();
    case_checks(&model, &intervals, &exp.cases, &runs)
}

fn ran(stdout: &str) -> ToolRun {
    ToolRun::Ran {
        success: true,
        stdout: stdout.into(),
        stderr: String::new(),
    }
}

#[test]
fn receivers_at_an_instant_follow_mute_and_active_intervals() {
    let checks = run(
        r#"
cases:
  # Tuesday 10:00 UTC, not the last day: both routes notify.
  - name: office-hours
    labels: {alertname: Down, severity: critical}
    receivers: [pager, chat]
    at: 2026-03-03T10:00:00Z
  # Saturday: the chat route is not active.
  - labels: {alertname: Down, severity: critical}
    receivers: [pager]
    at: 2026-03-07T10:00:00+00:00
  # 31 March, a Tuesday, 18:30 in +02:00 = 16:30 UTC: the page is muted, chat active.
  - name: last-day
    labels: {alertname: Down, severity: critical}
    receivers: [pager, chat]
    at: 2026-03-31T18:30:00+02:00
"#,
        &[],
    );
    assert_eq!(checks[0].id, "routes.case.office-hours");
    assert_eq!(checks[0].status, Status::Pass, "{}", checks[0].message);
    assert_eq!(checks[1].id, "routes.case.2");
    assert_eq!(checks[1].status, Status::Pass, "{}", checks[1].message);
    let c = &checks[2];
    assert_eq!(c.status, Status::Fail);
    assert!(
        c.message
            .contains("notifies [chat], expected exactly [pager, chat]"),
        "{}",
        c.message
    );
    let ev = c.evidence.join("\n");
    assert!(
        ev.contains(
            "route.routes[0] (receiver `pager`, line 6): muted by mute_time_intervals `maintenance`"
        ),
        "{ev}"
    );
    assert!(
        ev.contains("active: active_time_intervals `office`"),
        "{ev}"
    );
    assert!(ev.contains("amtool cannot evaluate time intervals"), "{ev}");
}

#[test]
fn a_location_obsgate_cannot_evaluate_is_a_warning_not_a_verdict() {
    let checks = run(
        r#"
cases:
  - labels: {alertname: Bill, team: finance}
    receivers: [chat]
    at: 2026-03-03T10:00:00Z
"#,
        &[],
    );
    assert_eq!(checks[0].status, Status::Warn, "{}", checks[0].message);
    assert!(
        checks[0].message.contains("location `Europe/Berlin`"),
        "{}",
        checks[0].message
    );
}

#[test]
fn inhibition_names_the_rule_and_why_it_does_not_apply() {
    let checks = run(
        r#"
cases:
  - name: warn
    labels: {alertname: Disk, severity: warning}
    receivers: [default]
    inhibited_by:
      # No `cluster` on either side: a missing label equals a missing label.
      - {alertname: Disk, severity: critical}
      - {alertname: Disk, severity: critical, cluster: eu}
    not_inhibited_by:
      - {alertname: Cpu, severity: critical}
"#,
        &[("warn", ran("default\n"))],
    );
    let c = &checks[0];
    assert_eq!(c.status, Status::Fail);
    assert!(
        c.message.contains(
            "not inhibited by {alertname=\"Disk\", cluster=\"eu\", severity=\"critical\"}: \
             inhibit_rules[0] (line 28; source severity=\"critical\"; target \
             severity=\"warning\"; equal [alertname, cluster]) does not apply: equal label \
             `cluster` differs: the source alert has \"eu\", the alert missing"
        ),
        "{}",
        c.message
    );
    let ev = c.evidence.join("\n");
    assert!(
        ev.contains("inhibited by {alertname=\"Disk\", severity=\"critical\"} as expected"),
        "{ev}"
    );
    assert!(ev.contains("not inhibited by {alertname=\"Cpu\""), "{ev}");
    assert!(ev.contains("amtool config routes test agrees"), "{ev}");
    assert!(ev.contains("amtool cannot evaluate inhibition"), "{ev}");
}

#[test]
fn amtool_disagreeing_or_missing_is_said() {
    let checks = run(
        r#"
cases:
  - {name: a, labels: {severity: critical}, receivers: [pager, chat]}
  - {name: b, labels: {severity: info}, receivers: [pager]}
"#,
        &[
            ("a", ran("pager\n")),
            (
                "b",
                ToolRun::Missing {
                    tool: "amtool".into(),
                },
            ),
        ],
    );
    assert_eq!(checks[0].status, Status::Fail);
    assert!(
        checks[0].message.contains(
            "amtool config routes test reaches [pager], obsgate's routing tree [pager, chat]"
        ),
        "{}",
        checks[0].message
    );
    assert_eq!(checks[1].status, Status::Fail);
    assert!(
        checks[1]
            .message
            .contains("notifies [default], expected exactly [pager]"),
        "{}",
        checks[1].message
    );
    assert!(
        checks[1]
            .evidence
            .iter()
            .any(|e| e == "amtool is not on PATH: routing not cross-checked"),
        "{:?}",
        checks[1].evidence
    );
}

#[test]
fn the_loader_reports_every_bad_value_with_its_position() {
    let e = parse(
        "routes.yaml",
        r#"cases:
  - name: 1st
    labels: {alertname: A, bad-name: x}
    receivers: [a, a]
    at: 2026-02-30T10:00:00Z
  - name: 1st
    labels: {}
    receivers: []
    inhibited_by: [{alertname: B}]
    not_inhibited_by: [{alertname: B}]
"#,
    )
    .unwrap_err()
    .to_string();
    let lines: Vec<&str> = e.lines().collect();
    for want in [
        "routes.yaml:2:11: case name `1st` is not allowed",
        "routes.yaml:3:13: cases[0].labels: label name `bad-name` is not valid",
        "routes.yaml:4:20: cases[0].receivers: `a` is listed twice",
        "routes.yaml:5:9: cases[0].at: `2026-02-30T10:00:00Z` is not an RFC 3339 timestamp",
        "routes.yaml:6:11: case name `1st` is used twice (first at line 2)",
        "routes.yaml:7:13: cases[1]: `labels` is empty",
        "routes.yaml:10:24: cases[1].not_inhibited_by: {alertname=\"B\"} is also in `inhibited_by`",
    ] {
        assert!(lines.iter().any(|l| l.starts_with(want)), "{want}\n{e}");
    }
    let e = parse(
        "routes.yaml",
        "cases:\n  - labels: {a: b}\n    receivers: []\n    when: x\n",
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.starts_with("routes.yaml:4:5: unknown field `when`"),
        "{e}"
    );
}
