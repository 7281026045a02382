//! Unit tests of `routes.lint.inhibit_expected`: inhibitions the rule labels decide against the
//! routes expectations' `inhibited_by` lists.

use std::collections::BTreeMap;

use crate::check::config::routes::RuleLabels;
use crate::check::config::routes_inhibit_contract::inhibit_contract_check;
use crate::check::config::routes_tests::model;
use crate::config::parse_yaml;
use crate::expect::routes::RoutesExpectations;
use crate::verdict::Status;

const AM: &str = r#"
route: {receiver: r}
receivers: [{name: r, webhook_configs: [{url: 'http://x'}]}]
inhibit_rules:
  - source_matchers: ['alertname="ServiceDown"', 'job="api"']
    target_matchers: ['service="api"']
  - source_matchers: ['tier="page"']
    target_matchers: ['tier="ticket"']
    equal: [slo]
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
    equal: [instance]
"#;

fn rules() -> RuleLabels {
    let l = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    [
        ("ServiceDown", l(&[("severity", "critical")])),
        (
            "ApiErrors",
            l(&[("severity", "critical"), ("service", "api")]),
        ),
        // Set by one rule only: `instance` comes from the series, undecided.
        (
            "ApiSlow",
            l(&[("severity", "warning"), ("instance", "a:1")]),
        ),
        (
            "BurnPage",
            l(&[("tier", "page"), ("slo", "avail"), ("severity", "critical")]),
        ),
        (
            "BurnTicket",
            l(&[("tier", "ticket"), ("slo", "avail"), ("severity", "info")]),
        ),
        (
            "OtherTicket",
            l(&[("tier", "ticket"), ("slo", "latency"), ("severity", "info")]),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

fn exp(burn_ticket_inhibitors: &str) -> RoutesExpectations {
    let text = format!(
        r#"
alerts:
  - alert: ServiceDown
    labels: {{job: api}}
    receivers: {{r: {{}}}}
  - alert: ApiErrors
    receivers: {{r: {{}}}}
    inhibited_by: [{{alert: ServiceDown, labels: {{job: api}}}}]
  - alert: ApiSlow
    receivers: {{r: {{}}}}
  - alert: BurnTicket
    receivers: {{r: {{}}}}
    inhibited_by: [{burn_ticket_inhibitors}]
  - alert: OtherTicket
    receivers: {{r: {{}}}}
"#
    );
    parse_yaml("exp.yml", &text).expect("expectations parse")
}

#[test]
fn listed_inhibitions_pass() {
    let c = inhibit_contract_check("am.yml", &model(AM), &exp("{alert: BurnPage}"), &rules())
        .expect("checked with expectations");
    assert_eq!(c.status, Status::Pass, "{}", c.message);
    assert!(
        c.message.contains("each of the 2 inhibition(s)"),
        "{}",
        c.message
    );
}

#[test]
fn an_inhibition_the_expectations_miss_fails_naming_both_alerts_and_the_rule() {
    let c = inhibit_contract_check("am.yml", &model(AM), &exp(""), &rules())
        .expect("checked with expectations");
    assert_eq!(c.status, Status::Fail);
    assert!(
        c.message.contains(
            "BurnPage inhibits BurnTicket under inhibit_rules[1] (am.yml:7), but the routes \
             expectations of BurnTicket do not list BurnPage"
        ),
        "{}",
        c.message
    );
    assert!(c.message.starts_with("1 inhibition(s)"), "{}", c.message);
}

#[test]
fn no_expectations_no_check() {
    let none = RoutesExpectations::default();
    assert!(inhibit_contract_check("am.yml", &model(AM), &none, &rules()).is_none());
}
