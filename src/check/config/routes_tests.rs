//! Unit tests of routing-tree evaluation and inhibition, on cases from Alertmanager's docs
//! (`continue`, nested routes, `match`/`match_re`/`matchers`, inheritance, inhibition).

use crate::check::config::routes::RoutingModel;
use crate::check::config::routes_matchers::LabelSet;
use crate::check::config::routes_tree::inhibited_by;
use crate::config::alertmanager::AlertmanagerConfig;
use crate::config::parse_yaml;

pub(super) fn model(yaml: &str) -> RoutingModel {
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
