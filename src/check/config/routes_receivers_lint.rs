//! `routes.lint.receivers`: where routes send. An empty receiver (no `*_configs`) is the
//! usual deliberate black hole (kube-prometheus ships `null`), so routing to one is only
//! advice (a warning), except for a page: when an alert with `severity="critical"` that a
//! route is written for reaches only empty receivers, nobody is paged, and that fails.
//! Receivers no route names are spares many configs keep: a warning too.

use std::collections::BTreeSet;

use crate::check::config::routes::RoutingModel;
use crate::check::config::routes_matchers::{Matcher, parse_matchers};
use crate::check::config::routes_sat::{contradiction, show, witness};
use crate::check::config::routes_tree::{RouteNode, matching_routes, walk};
use crate::check::registry::CheckInfo;
use crate::config::alertmanager::AlertmanagerConfig;
use crate::verdict::{Check, Kind, Status};

const ID: &str = "routes.lint.receivers";

/// `routes.lint.receivers` of one parsed config.
pub fn receivers_check(file: &str, am: &AlertmanagerConfig, model: &RoutingModel) -> Check {
    let empty: BTreeSet<&str> = am
        .receivers
        .iter()
        .filter(|r| r.integrations() == 0)
        .map(|r| r.name.value.as_str())
        .collect();
    let mut nodes = Vec::new();
    walk(&model.tree, &mut nodes);
    let used: BTreeSet<&str> = nodes.iter().map(|n| n.receiver.as_str()).collect();
    let mut fails = Vec::new();
    let mut paged = BTreeSet::new();
    page_routes(
        &model.tree,
        &[],
        model,
        &empty,
        &mut (&mut fails, &mut paged),
    );
    let mut notes = Vec::new();
    let empty_used: Vec<String> = empty
        .iter()
        .filter(|r| used.contains(*r) && !paged.contains(**r))
        .map(|r| format!("`{r}`"))
        .collect();
    if !empty_used.is_empty() {
        notes.push(format!(
            "routed to but without integration (alerts there notify nobody; fine for a \
             deliberate black hole): {}",
            empty_used.join(", ")
        ));
    }
    let unused: Vec<String> = am
        .receivers
        .iter()
        .map(|r| r.name.value.as_str())
        .filter(|r| !used.contains(r))
        .map(|r| format!("`{r}`"))
        .collect();
    if !unused.is_empty() {
        notes.push(format!("no route sends to: {}", unused.join(", ")));
    }
    let advice = if notes.is_empty() {
        String::new()
    } else {
        format!("; advice: {}", notes.join("; "))
    };
    if fails.is_empty() {
        let status = if notes.is_empty() {
            Status::Pass
        } else {
            Status::Warn
        };
        let msg = format!(
            "{file}: every page reaches a receiver with an integration ({} receiver(s), {} \
             routed to){advice}",
            am.receivers.len(),
            used.len()
        );
        return Check::new(ID, Kind::Routes, status, msg);
    }
    let head = format!(
        "{file}: {} route(s) send pages to receivers that notify nobody; first: {}{advice}",
        fails.len(),
        fails[0]
    );
    Check::fail(ID, Kind::Routes, head).with_all_evidence(fails)
}

/// The routes written for pages (their matchers, with their parents', require a `severity`
/// that `critical` satisfies) whose page reaches only empty receivers.
fn page_routes(
    node: &RouteNode,
    above: &[Matcher],
    model: &RoutingModel,
    empty: &BTreeSet<&str>,
    out: &mut (&mut Vec<String>, &mut BTreeSet<String>),
) {
    let mut conj: Vec<Matcher> = above.to_vec();
    conj.extend(node.matchers.iter().cloned());
    if contradiction(&conj).is_some() {
        return;
    }
    let sev: Vec<&Matcher> = conj.iter().filter(|m| m.name == "severity").collect();
    let critical = parse_matchers(r#"severity="critical""#).unwrap_or_default();
    let pages = !sev.is_empty() && sev.iter().all(|m| m.matches(&critical_set()));
    if pages {
        let mut with_page = conj.clone();
        with_page.extend(critical);
        if let Some(labels) = witness(&with_page) {
            let reached = matching_routes(&model.tree, &labels);
            let here = reached.iter().any(|r| std::ptr::eq(*r, node));
            let receivers: BTreeSet<&str> = reached.iter().map(|r| r.receiver.as_str()).collect();
            if here && receivers.iter().all(|r| empty.contains(r)) {
                let names: Vec<String> = receivers.iter().map(|r| format!("`{r}`")).collect();
                out.1.extend(receivers.iter().map(|r| r.to_string()));
                out.0.push(format!(
                    "route `{}` (line {}) takes pages {}: such an alert reaches only receiver(s) \
                     {}, which have no integration (no `*_configs`), so critical alerts page \
                     nobody; configure the receiver or route pages elsewhere",
                    node.path,
                    node.line,
                    show(&conj),
                    names.join(", ")
                ));
            }
        }
    }
    for c in &node.children {
        page_routes(c, &conj, model, empty, out);
    }
}

fn critical_set() -> crate::check::config::routes_matchers::LabelSet {
    [("severity".to_string(), "critical".to_string())].into()
}

/// The checks this module emits (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[CheckInfo {
    id: ID,
    kind: Kind::Routes,
    proves: "every route written for pages (severity=critical) reaches a receiver that notifies; \
             warns of empty receivers routed to and of receivers no route uses",
    failure: "a page would reach only receivers without integration: nobody is paged",
    explain: "A receiver without any `*_configs` notifies nobody. That is the usual deliberate \
              black hole (kube-prometheus ships `null`), so routing to one, and keeping \
              receivers no route uses, are a warning naming them. A route whose \
              matchers (with its parents') require a severity that `critical` satisfies is a \
              page route: an alert built from its matchers with severity=\"critical\" is routed \
              through the whole tree, and when every receiver it reaches is empty, the check \
              fails.\n\
              Example failure: alertmanager.yml: 1 route(s) send pages to receivers that notify \
              nobody; first: route `route.routes[2]` (line 40) takes pages {severity=\"critical\"}: \
              such an alert reaches only receiver(s) `Critical`, which have no integration",
}];
