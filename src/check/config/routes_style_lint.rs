//! Advice on how `alertmanager.yml` is written, never a failure (Alertmanager loads it and
//! routes as written):
//! - `routes.lint.deprecated`: `match:` / `match_re:` on routes and `source_match[_re]:` /
//!   `target_match[_re]:` on inhibit rules, deprecated since Alertmanager 0.22 in favour of
//!   `matchers:` / `source_matchers:` / `target_matchers:`;
//! - `routes.lint.continue`: `continue: true` on the last child of a route, where there is no
//!   later sibling to continue to, so it changes nothing (and suggests an intent that is not
//!   met).

use crate::check::config::routes::RoutingModel;
use crate::check::config::routes_tree::RouteNode;
use crate::check::registry::CheckInfo;
use crate::config::alertmanager::{AlertmanagerConfig, Route};
use crate::config::line_of;
use crate::verdict::{Check, Kind};

const DEPRECATED: &str = "routes.lint.deprecated";
const CONTINUE: &str = "routes.lint.continue";

/// Both advice checks of one parsed config.
pub fn style_checks(file: &str, am: &AlertmanagerConfig, model: &RoutingModel) -> Vec<Check> {
    let mut deprecated = Vec::new();
    let mut useless = Vec::new();
    if let Some(root) = &am.route {
        visit(root, &model.tree, file, &mut deprecated, &mut useless);
    }
    for (i, rule) in am.inhibit_rules.iter().enumerate() {
        let r = &rule.value;
        let old = used(&[
            ("source_match", r.source_match.is_empty()),
            ("source_match_re", r.source_match_re.is_empty()),
            ("target_match", r.target_match.is_empty()),
            ("target_match_re", r.target_match_re.is_empty()),
        ]);
        if !old.is_empty() {
            deprecated.push(format!(
                "{file}:{}: inhibit_rules[{i}] uses {}: write source_matchers/target_matchers",
                line_of(rule),
                old.join(", ")
            ));
        }
    }
    vec![
        advice(
            DEPRECATED,
            format!("{file}: matchers written in the current syntax"),
            deprecated,
        ),
        advice(
            CONTINUE,
            format!("{file}: every `continue: true` has a later sibling to continue to"),
            useless,
        ),
    ]
}

fn advice(id: &str, ok: String, found: Vec<String>) -> Check {
    match found.first() {
        None => Check::pass(id, Kind::Routes, ok),
        Some(first) => Check::warn(
            id,
            Kind::Routes,
            format!("{} advice; first: {first}", found.len()),
        )
        .with_all_evidence(found),
    }
}

/// The keys of `(key, empty)` pairs that are set.
fn used<'a>(keys: &[(&'a str, bool)]) -> Vec<&'a str> {
    keys.iter()
        .filter(|(_, empty)| !empty)
        .map(|(k, _)| *k)
        .collect()
}

/// The raw route beside its resolved node (same shape: one node per route, in order).
fn visit(
    raw: &Route,
    node: &RouteNode,
    file: &str,
    deprecated: &mut Vec<String>,
    useless: &mut Vec<String>,
) {
    let old = used(&[
        ("match", raw.match_eq.is_empty()),
        ("match_re", raw.match_re.is_empty()),
    ]);
    if !old.is_empty() {
        deprecated.push(format!(
            "{file}:{}: {} uses {}: write `matchers:`",
            node.line,
            node.path,
            old.join(", ")
        ));
    }
    if let (Some(last), Some(last_node)) = (raw.routes.last(), node.children.last())
        && last.continue_matching
    {
        useless.push(format!(
            "{file}:{}: {} is the last child of {} and has `continue: true`: there is no later \
             sibling to continue to, so it changes nothing",
            last_node.line, last_node.path, node.path
        ));
    }
    for (child, child_node) in raw.routes.iter().zip(&node.children) {
        visit(child, child_node, file, deprecated, useless);
    }
}

/// The checks this module emits (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[
    CheckInfo {
        id: DEPRECATED,
        kind: Kind::Routes,
        proves: "routes and inhibit rules use `matchers:`, not the forms deprecated in 0.22",
        failure: "advice (warn): `match:`/`match_re:`/`source_match:`/`target_match:` in use",
        explain: "Alertmanager still reads the deprecated maps, but their values are literal \
                  (no quoting, no escapes) and they are due to be removed; `matchers:` says the \
                  same in the syntax Alertmanager documents.\n\
                  Example warning: 1 advice; first: alertmanager.yml:12: route.routes[0] uses \
                  match_re: write `matchers:`",
    },
    CheckInfo {
        id: CONTINUE,
        kind: Kind::Routes,
        proves: "no `continue: true` sits on the last child of a route, where it does nothing",
        failure: "advice (warn): a `continue: true` with no later sibling to continue to",
        explain: "`continue: true` makes Alertmanager try the later siblings of a route that \
                  matched. On the last child there are none, and the parent does not match \
                  again, so the flag changes nothing: either a route meant to follow it is \
                  missing, or the flag can go.\n\
                  Example warning: 1 advice; first: alertmanager.yml:31: route.routes[2] is \
                  the last child of route and has `continue: true`",
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_yaml;
    use crate::verdict::Status;

    fn checks(yaml: &str) -> Vec<Check> {
        let cfg: AlertmanagerConfig = parse_yaml("am.yml", yaml).expect("test config parses");
        style_checks("am.yml", &cfg, &RoutingModel::new(&cfg))
    }

    const RECEIVERS: &str = "receivers:\n  - name: slack\n    slack_configs: [{channel: '#ops'}]\n  - name: pager\n    pagerduty_configs: [{routing_key: k}]\n";

    #[test]
    fn current_syntax_and_a_continue_with_a_sibling_pass() {
        let yaml = format!(
            "route:\n  receiver: slack\n  routes:\n    - matchers: ['severity=\"critical\"']\n      receiver: pager\n      continue: true\n    - receiver: slack\n{RECEIVERS}"
        );
        for c in checks(&yaml) {
            assert_eq!(c.status, Status::Pass, "{c:?}");
        }
    }

    #[test]
    fn deprecated_maps_and_a_last_child_continue_are_advice_naming_the_route() {
        let yaml = format!(
            "route:\n  receiver: slack\n  routes:\n    - receiver: slack\n      match: {{team: db}}\n    - receiver: pager\n      match_re:\n        severity: critical|page\n      continue: true\ninhibit_rules:\n  - source_match: {{severity: critical}}\n    target_matchers: ['severity=\"warning\"']\n{RECEIVERS}"
        );
        let got = checks(&yaml);
        let dep = got.iter().find(|c| c.id == DEPRECATED).expect("present");
        assert_eq!(dep.status, Status::Warn);
        assert_eq!(dep.evidence.len(), 3, "{:?}", dep.evidence);
        assert!(
            dep.evidence[0].contains("am.yml:4: route.routes[0] uses match"),
            "{:?}",
            dep.evidence
        );
        assert!(
            dep.evidence[1].contains("route.routes[1] uses match_re"),
            "{:?}",
            dep.evidence
        );
        assert!(
            dep.evidence[2].contains("inhibit_rules[0] uses source_match"),
            "{:?}",
            dep.evidence
        );
        let cont = got.iter().find(|c| c.id == CONTINUE).expect("present");
        assert_eq!(cont.status, Status::Warn);
        assert!(
            cont.message
                .contains("am.yml:6: route.routes[1] is the last child of route"),
            "{}",
            cont.message
        );
    }
}
