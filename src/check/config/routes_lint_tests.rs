//! Unit tests of the routing-tree lint: unreachable routes, time intervals, receivers and
//! inhibit rules, each passing on a sound config and failing on a realistic seeded defect.

use crate::check::config::lint_checks;
use crate::check::config::routes::RoutingModel;
use crate::config::alertmanager::AlertmanagerConfig;
use crate::config::parse_yaml;
use crate::verdict::{Check, Status};

fn lint(yaml: &str) -> Vec<Check> {
    let cfg: AlertmanagerConfig = parse_yaml("am.yml", yaml).expect("test config parses");
    lint_checks("am.yml", &cfg, &RoutingModel::new(&cfg))
}

fn by_id<'a>(checks: &'a [Check], id: &str) -> &'a Check {
    checks.iter().find(|c| c.id == id).expect("check present")
}

fn all_text(c: &Check) -> String {
    format!("{}\n{}", c.message, c.evidence.join("\n"))
}

const SOUND: &str = r#"
route:
  receiver: slack
  routes:
    - matchers: ['severity="critical"']
      receiver: pager
      mute_time_intervals: [maintenance]
    - matchers: ['severity="warning"', 'team="infra"']
      receiver: slack
      active_time_intervals: [office]
    - matchers: ['severity="warning"']
      receiver: slack
time_intervals:
  - name: maintenance
    time_intervals:
      - weekdays: ['saturday']
        times: [{start_time: '02:00', end_time: '04:00'}]
  - name: office
    time_intervals:
      - weekdays: ['monday:friday']
        times: [{start_time: 09:00, end_time: 17:30}]
        days_of_month: ['1:-1']
        months: ['january:december', 3]
        years: ['2024:2030']
        location: Europe/Berlin
inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
    equal: [alertname]
receivers:
  - name: slack
    slack_configs: [{channel: '#ops'}]
  - name: pager
    pagerduty_configs: [{routing_key: k}]
"#;

#[test]
fn a_sound_config_passes_every_lint() {
    let checks = lint(SOUND);
    assert_eq!(checks.len(), 6);
    for c in &checks {
        assert_eq!(c.status, Status::Pass, "{}: {}", c.id, all_text(c));
    }
}

#[test]
fn a_route_after_a_catch_all_sibling_is_never_reached() {
    let checks = lint(
        r#"
route:
  receiver: slack
  routes:
    - receiver: slack
      group_wait: 10s
    - matchers: ['severity="critical"']
      receiver: pager
    - matchers: ['a="x"', 'a="y"']
      receiver: pager
receivers: [{name: slack, slack_configs: [{}]}, {name: pager, pagerduty_configs: [{routing_key: k}]}]
"#,
    );
    let c = by_id(&checks, "routes.lint.shadowed");
    assert_eq!(c.status, Status::Fail);
    let t = all_text(c);
    assert!(t.contains("2 unreachable route(s)"), "{t}");
    assert!(
        t.contains("route.routes[1] (line 8, receiver `pager`) is never reached: the earlier sibling route.routes[0]"),
        "{t}"
    );
    assert!(t.contains("has no matchers and catches every alert"), "{t}");
}

#[test]
fn subset_matchers_shadow_and_contradictions_are_found() {
    let checks = lint(
        r#"
route:
  receiver: r
  routes:
    - matchers: ['severity=~"critical|warning"']
      receiver: r
    - matchers: ['severity="critical"', 'team="db"']
      receiver: r
    - matchers: ['team="db"']
      receiver: r
      routes:
        - matchers: ['team!="db"']
          receiver: r
    - matchers: ['team="web"']
      receiver: r
      continue: true
    - matchers: ['team="web"', 'env="prod"']
      receiver: r
receivers: [{name: r, webhook_configs: [{url: 'http://x'}]}]
"#,
    );
    let t = all_text(by_id(&checks, "routes.lint.shadowed"));
    assert!(t.contains("2 unreachable route(s)"), "{t}");
    assert!(t.contains("route.routes[1] (line 8"), "{t}");
    assert!(
        t.contains("route.routes[2].routes[0]") && t.contains("with those of the routes above it"),
        "{t}"
    );
    assert!(
        !t.contains("route.routes[4]"),
        "continue: true does not shadow: {t}"
    );
}

#[test]
fn a_critical_route_muted_all_week_fails() {
    let checks = lint(
        r#"
route:
  receiver: slack
  routes:
    - matchers: ['severity="critical"']
      receiver: pager
      mute_time_intervals: [quiet-hours]
    - matchers: ['severity="warning"']
      receiver: slack
      mute_time_intervals: [empty-entry]
receivers: [{name: slack, slack_configs: [{}]}, {name: pager, pagerduty_configs: [{routing_key: k}]}]
time_intervals:
  - name: quiet-hours
    time_intervals:
      - weekdays: ['monday:friday', saturday, sunday]
        times: [{start_time: '00:00', end_time: '12:00'}, {start_time: '12:00', end_time: '24:00'}]
  - name: empty-entry
    time_intervals: [{}]
"#,
    );
    let c = by_id(&checks, "routes.lint.intervals");
    assert_eq!(c.status, Status::Fail);
    let t = all_text(c);
    assert!(
        t.contains("am.yml:7: route `route.routes[0]` (receiver `pager`) is muted all week by time interval `quiet-hours`"),
        "{t}"
    );
    assert!(
        t.contains("sets no field, which Alertmanager reads as always"),
        "{t}"
    );
}

#[test]
fn bad_interval_values_undefined_and_never_active_intervals_fail() {
    let checks = lint(
        r#"
route:
  receiver: r
  routes:
    - receiver: r
      matchers: ['team="a"']
      active_time_intervals: [leap, ofice]
    - receiver: r
      active_time_intervals: [feb-end]
receivers: [{name: r, webhook_configs: [{url: 'http://x'}]}]
time_intervals:
  - name: office
    time_intervals:
      - weekdays: ['funday', 'saturday:sunday']
        times: [{start_time: '9:00', end_time: '17:00'}, {start_time: '10:00', end_time: '10:00'}]
        days_of_month: ['0', '-3:2']
        months: ['jan', '13']
  - name: feb-end
    time_intervals:
      - months: [february]
        days_of_month: ['30:31']
  - name: leap
    time_intervals:
      - months: [2]
        days_of_month: [29]
        years: ['2025']
"#,
    );
    let t = all_text(by_id(&checks, "routes.lint.intervals"));
    for want in [
        "am.yml:14:20: time interval `office`: weekdays value `funday`",
        "`saturday:sunday`: the range ends before it starts",
        "start_time `9:00` is not a time of day",
        "times 10:00-10:00: start_time must be before end_time",
        "days_of_month value `0`: 0 is out of range",
        "`-3:2`: a range starting from the end",
        "`jan` is not a month",
        "month 13 is out of range",
    ] {
        assert!(t.contains(want), "{want}\n{t}");
    }
    assert!(t.contains("11 time interval problem(s)"), "{t}");
    assert_eq!(by_id(&checks, "routes.lint.intervals").evidence.len(), 11);
    let more = lint(
        r#"
route:
  receiver: r
  routes:
    - receiver: r
      active_time_intervals: [leap, ofice, feb-end]
receivers: [{name: r, webhook_configs: [{url: 'http://x'}]}]
time_intervals:
  - name: office
  - name: feb-end
    time_intervals: [{months: [february], days_of_month: ['30:31']}]
  - name: leap
    time_intervals: [{months: [2], days_of_month: [29], years: ['2025']}]
"#,
    );
    let t = all_text(by_id(&more, "routes.lint.intervals"));
    assert!(
        t.contains("names active time interval `ofice`, which is not defined")
            && t.contains("did you mean `office`?"),
        "{t}"
    );
    assert!(
        t.contains("is never active: its active time interval `feb-end`"),
        "{t}"
    );
    assert!(
        t.contains("is never active: its active time interval `leap`"),
        "{t}"
    );
}

#[test]
fn an_empty_receiver_taking_pages_fails_other_empty_receivers_are_advice() {
    let checks = lint(
        r#"
route:
  receiver: default
  routes:
    - matchers: ['alertname="Watchdog"']
      receiver: "null"
    - matchers: ['severity="critical"']
      receiver: Critical
receivers: [{name: default, email_configs: [{to: a@b.c}]}, {name: "null"}, {name: Critical}, {name: spare}]
"#,
    );
    let c = by_id(&checks, "routes.lint.receivers");
    assert_eq!(c.status, Status::Fail);
    let t = all_text(c);
    assert!(
        t.contains("route `route.routes[1]` (line 8) takes pages {severity=\"critical\"}: such an alert reaches only receiver(s) `Critical`"),
        "{t}"
    );
    assert!(t.contains("no route sends to: `spare`"), "{t}");
    let ok = lint(
        r#"
route:
  receiver: default
  routes:
    - matchers: ['alertname="Watchdog"']
      receiver: "null"
receivers: [{name: default, email_configs: [{to: a@b.c}]}, {name: "null"}, {name: spare, webhook_configs: []}]
"#,
    );
    let c = by_id(&ok, "routes.lint.receivers");
    assert_eq!(c.status, Status::Warn, "{}", c.message);
    assert!(
        c.message
            .contains("advice: routed to but without integration"),
        "{}",
        c.message
    );
    assert!(
        c.message.contains("`null`") && c.message.contains("`spare`"),
        "{}",
        c.message
    );
}

#[test]
fn one_alert_inhibiting_every_page_and_mutual_rules_fail() {
    let checks = lint(
        r#"
route: {receiver: r}
receivers: [{name: r, webhook_configs: [{url: 'http://x'}]}]
inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
    equal: [alertname]
  - source_matchers: ['alertname="Maintenance"']
    target_matchers: ['severity=~"critical|warning"']
  - source_matchers: ['severity="warning"']
    target_matchers: ['severity="critical"']
    equal: [alertname]
  - target_matchers: ['severity="info"']
"#,
    );
    let c = by_id(&checks, "routes.lint.inhibit");
    assert_eq!(c.status, Status::Fail);
    let t = all_text(c);
    assert!(
        t.contains("inhibit_rules[1] (am.yml:8): an alert matching {alertname=\"Maintenance\"} inhibits every page"),
        "{t}"
    );
    assert!(
        t.contains("inhibit_rules[0] (am.yml:5) and inhibit_rules[2] (am.yml:10) mute each other"),
        "{t}"
    );
    assert!(
        t.contains("inhibit_rules[3] (am.yml:13): its source matchers are empty"),
        "{t}"
    );
    assert!(t.contains("3 inhibit rule problem(s)"), "{t}");
}

#[test]
fn three_rules_muting_each_other_in_a_circle_fail_and_a_ladder_passes() {
    let circle = lint(
        r#"
route: {receiver: r}
receivers: [{name: r, webhook_configs: [{url: 'http://x'}]}]
inhibit_rules:
  - {source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: [cluster]}
  - {source_matchers: ['severity="warning"'], target_matchers: ['severity="info"'], equal: [cluster]}
  - {source_matchers: ['severity="info"'], target_matchers: ['severity="critical"'], equal: [cluster]}
"#,
    );
    let t = all_text(by_id(&circle, "routes.lint.inhibit"));
    assert!(
        t.contains("inhibit_rules[0] (am.yml:5) and inhibit_rules[2] (am.yml:7) and inhibit_rules[1] (am.yml:6) mute each other"),
        "{t}"
    );
    assert!(t.contains("1 inhibit rule problem(s)"), "{t}");
    // The kube-prometheus ladder: critical > warning > info, nothing back up.
    let ladder = lint(
        r#"
route: {receiver: r}
receivers: [{name: r, webhook_configs: [{url: 'http://x'}]}]
inhibit_rules:
  - {source_matchers: ['severity = critical'], target_matchers: ['severity =~ warning|info'], equal: [namespace, alertname]}
  - {source_matchers: ['severity = warning'], target_matchers: ['severity = info'], equal: [namespace, alertname]}
  - {source_matchers: ['alertname = InfoInhibitor'], target_matchers: ['severity = info'], equal: [namespace]}
"#,
    );
    let c = by_id(&ladder, "routes.lint.inhibit");
    assert_eq!(c.status, Status::Pass, "{}", all_text(c));
}
