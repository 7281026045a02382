//! Lint of the routing tree itself, needing no expectations: routes no alert can ever reach.
//! A route is unreachable when its matchers, with those of the routes above it (an alert only
//! reaches a child through its parent), contradict each other, or when an earlier sibling
//! without `continue: true` matches every alert it would match. Only what the matchers prove
//! is reported (see `routes_sat`): an earlier sibling with no matchers, or whose every matcher
//! is one of the route's own (or accepts the value the route fixes for that label).

use crate::check::config::routes::RoutingModel;
use crate::check::config::routes_matchers::Matcher;
use crate::check::config::routes_sat::{contradiction, implied, show};
use crate::check::config::routes_tree::RouteNode;
use crate::check::registry::CheckInfo;
use crate::verdict::{Check, Kind};

const ID: &str = "routes.lint.shadowed";

/// `routes.lint.shadowed`: every route of the tree can be reached by some alert.
pub fn shadowed_check(file: &str, model: &RoutingModel) -> Check {
    let mut problems = Vec::new();
    let mut routes = 0;
    visit(&model.tree, &[], &mut problems, &mut routes);
    if problems.is_empty() {
        return Check::pass(
            ID,
            Kind::Routes,
            format!("{file}: each of the {routes} routes can be reached by some alert"),
        );
    }
    let n = problems.len();
    let head = format!("{file}: {n} unreachable route(s); first: {}", problems[0]);
    Check::fail(ID, Kind::Routes, head)
        .with_all_evidence(problems.iter().map(|p| format!("{file}: {p}")))
}

/// `node` with the matchers of the routes above it; its unreachable children are reported
/// (a child under an unreachable route is not: fixing the route is the one action).
fn visit(node: &RouteNode, above: &[Matcher], problems: &mut Vec<String>, routes: &mut usize) {
    *routes += 1;
    let mut conj: Vec<Matcher> = above.to_vec();
    conj.extend(node.matchers.iter().cloned());
    if let Some((a, b)) = contradiction(&conj) {
        let whose = if contradiction(&node.matchers).is_some() {
            "its own matchers"
        } else {
            "its matchers with those of the routes above it"
        };
        problems.push(format!(
            "{} (line {}, receiver `{}`) can never match: {whose} require {a} and {b} together; \
             fix or remove one of them",
            node.path, node.line, node.receiver
        ));
        return;
    }
    for (i, child) in node.children.iter().enumerate() {
        let mut child_conj = conj.clone();
        child_conj.extend(child.matchers.iter().cloned());
        let catcher = node.children[..i].iter().find(|earlier| {
            !earlier.continue_matching
                && contradiction(&earlier.matchers).is_none()
                && earlier.matchers.iter().all(|m| implied(m, &child_conj))
        });
        match catcher {
            Some(e) if contradiction(&child_conj).is_none() => {
                *routes += count(child);
                problems.push(shadow_message(child, e));
            }
            _ => visit(child, &conj, problems, routes),
        }
    }
}

fn shadow_message(child: &RouteNode, earlier: &RouteNode) -> String {
    let why = if earlier.matchers.is_empty() {
        "has no matchers and catches every alert".to_string()
    } else {
        format!(
            "matches {} and so every alert this route matches ({})",
            show(&earlier.matchers),
            show(&child.matchers)
        )
    };
    format!(
        "{} (line {}, receiver `{}`) is never reached: the earlier sibling {} (line {}, \
         receiver `{}`) {why} and has no `continue: true`; move this route above it, narrow \
         the earlier one or give it `continue: true`",
        child.path, child.line, child.receiver, earlier.path, earlier.line, earlier.receiver
    )
}

/// Routes in the subtree of `node`, itself included.
fn count(node: &RouteNode) -> usize {
    1 + node.children.iter().map(count).sum::<usize>()
}

/// The checks this module emits (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[CheckInfo {
    id: ID,
    kind: Kind::Routes,
    proves: "every route of alertmanager.yml can be reached by some alert",
    failure: "a route's matchers contradict, or an earlier sibling catches all its alerts",
    explain: "Alertmanager tries child routes in order and stops at the first that matches \
              unless it has `continue: true`, and only tries a child when its parent matched. A \
              route is reported when that makes it unreachable, as proved from the matchers \
              alone: matchers (its own, or with its parents') that no alert satisfies together \
              (`a=\"x\"` with `a=\"y\"` or `a!=\"x\"`, a regex with its identical negation), or \
              an earlier sibling without `continue` that has no matchers, or whose every matcher \
              is one of the route's (or accepts the value the route fixes for that label).\n\
              Example failure: config/alertmanager.yml: route.routes[1] (line 25, receiver \
              `pager`) is never reached: the earlier sibling route.routes[0] (line 22, receiver \
              `slack`) has no matchers and catches every alert and has no `continue: true`",
}];
