//! `routes.lint.inhibit`: inhibit rules that silence more than anyone means. Rules mute each
//! other when they form a circle in which every source alert of one is a target of the next
//! (its target matchers follow from the first's source matchers): `critical` mutes `warning`
//! and `warning` mutes `critical`, so while both fire neither notifies. Each circle is
//! confirmed with source alerts built from the matchers under Alertmanager's inhibition
//! semantics (`equal` labels, the two-sided exception). A rule with empty source matchers lets
//! any alert inhibit; one whose target takes every `severity="critical"` alert and has no
//! `equal` lets a single source alert silence every page.

use crate::check::config::routes::RoutingModel;
use crate::check::config::routes_matchers::{LabelSet, Matcher};
use crate::check::config::routes_sat::{implied, show, trivially_true, witness};
use crate::check::config::routes_tree::{Inhibition, inhibited_by};
use crate::check::registry::CheckInfo;
use crate::verdict::{Check, Kind};

const ID: &str = "routes.lint.inhibit";

/// `routes.lint.inhibit` of one parsed config.
pub fn inhibit_check(file: &str, model: &RoutingModel) -> Check {
    let rules = &model.inhibitions;
    let mut problems = Vec::new();
    for r in rules {
        if let Some(p) = too_broad(file, r) {
            problems.push(p);
        }
    }
    for circle in circles(rules) {
        if let Some(alerts) = confirm(rules, &circle) {
            problems.push(circle_message(file, rules, &circle, &alerts));
        }
    }
    if problems.is_empty() {
        return Check::pass(
            ID,
            Kind::Routes,
            format!(
                "{file}: none of the {} inhibit rule(s) mutes another's source, lets any alert \
                 inhibit or lets one alert inhibit every page",
                rules.len()
            ),
        );
    }
    let head = format!(
        "{} inhibit rule problem(s); first: {}",
        problems.len(),
        problems[0]
    );
    Check::fail(ID, Kind::Routes, head).with_all_evidence(problems)
}

fn fmt(l: &LabelSet) -> String {
    let inner: Vec<String> = l.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
    format!("{{{}}}", inner.join(", "))
}

/// A rule whose source is empty (or only `=~".*"`), or whose target is every page with no
/// `equal` to bound it.
fn too_broad(file: &str, r: &Inhibition) -> Option<String> {
    let equal = if r.equal.is_empty() {
        String::new()
    } else {
        format!(" with the same {}", r.equal.join(", "))
    };
    if r.source.iter().all(trivially_true) {
        return Some(format!(
            "{} ({file}:{}): its source matchers are empty (or match everything): any firing \
             alert{equal} inhibits every alert matching {}; give it source matchers",
            r.path,
            r.line,
            show(&r.target)
        ));
    }
    let page: LabelSet = [("severity".to_string(), "critical".to_string())].into();
    let every_page = r
        .target
        .iter()
        .all(|m| trivially_true(m) || (m.name == "severity" && m.matches(&page)));
    if every_page && r.equal.is_empty() && witness(&r.source).is_some() {
        return Some(format!(
            "{} ({file}:{}): an alert matching {} inhibits every page (target {} takes every \
             severity=\"critical\" alert, and no `equal` limits it to related ones); add `equal` \
             labels or narrow the target",
            r.path,
            r.line,
            show(&r.source),
            show(&r.target)
        ));
    }
    None
}

/// Rule `j` inhibits every source alert of rule `i`: each of `j`'s target matchers is implied
/// by `i`'s source matchers.
fn feeds(i: &Inhibition, j: &Inhibition) -> bool {
    !std::ptr::eq(i, j) && j.target.iter().all(|m| implied(m, &i.source))
}

/// The circles of rules, each muting the sources of the one before it (`feeds`), shortest
/// first and each once (starting from its lowest index), as rule indices.
fn circles(rules: &[Inhibition]) -> Vec<Vec<usize>> {
    let n = rules.len();
    let mut out = Vec::new();
    for start in 0..n {
        let mut stack = vec![vec![start]];
        while let Some(path) = stack.pop() {
            let last = path[path.len() - 1];
            for next in start..n {
                if !feeds(&rules[last], &rules[next]) {
                    continue;
                }
                if next == start && path.len() > 1 {
                    out.push(path.clone());
                } else if next > start && !path.contains(&next) && path.len() < 6 {
                    let mut p = path.clone();
                    p.push(next);
                    stack.push(p);
                }
            }
        }
    }
    out.sort_by_key(Vec::len);
    out
}

/// One source alert per rule of `circle`, each muted by the next one's, when they can be built
/// from the matchers and Alertmanager's semantics confirm every step.
fn confirm(rules: &[Inhibition], circle: &[usize]) -> Option<Vec<LabelSet>> {
    let k = circle.len();
    let mut alerts = Vec::with_capacity(k);
    for (n, &i) in circle.iter().enumerate() {
        let next = &rules[circle[(n + 1) % k]];
        let mut conj: Vec<Matcher> = rules[i].source.clone();
        conj.extend(next.target.iter().cloned());
        let mut a = witness(&conj)?;
        if alerts.contains(&a) {
            a.insert("obsgate_other".into(), n.to_string());
        }
        alerts.push(a);
    }
    let all = (0..k).all(|n| {
        let (x, y) = (&alerts[n], &alerts[(n + 1) % k]);
        let rule = std::slice::from_ref(&rules[circle[(n + 1) % k]]);
        inhibited_by(x, std::slice::from_ref(y), rule).is_some()
    });
    all.then_some(alerts)
}

fn circle_message(
    file: &str,
    rules: &[Inhibition],
    circle: &[usize],
    alerts: &[LabelSet],
) -> String {
    let named: Vec<String> = circle
        .iter()
        .map(|&i| format!("{} ({file}:{})", rules[i].path, rules[i].line))
        .collect();
    let steps: Vec<String> = circle
        .iter()
        .enumerate()
        .map(|(n, &i)| {
            let next = &rules[circle[(n + 1) % circle.len()]];
            format!(
                "every source alert of {} ({}) is a target of {}",
                rules[i].path,
                show(&rules[i].source),
                next.path
            )
        })
        .collect();
    let shown: Vec<String> = alerts.iter().map(fmt).collect();
    format!(
        "{} mute each other: {}; when their sources fire together (e.g. {}), none of them \
         notifies. Narrow a target so it cannot take the other rule's sources",
        named.join(" and "),
        steps.join(", "),
        shown.join(" and ")
    )
}
/// The checks this module emits (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[CheckInfo {
    id: ID,
    kind: Kind::Routes,
    proves: "no two inhibit rules mute each other, and no rule lets any alert, or one alert, \
             silence every page",
    failure: "inhibit rules that can silence pages nobody meant to silence: see the rules named",
    explain: "Inhibit rules forming a circle, in which every source alert of one rule is a \
              target of the next (its target matchers follow from the source matchers: \
              `severity=\"critical\"` -> `warning` and `warning` -> `critical`), mute each other: \
              while their sources fire together none notifies. Each circle (up to six rules) is \
              confirmed with source alerts built from the matchers under Alertmanager's \
              semantics (`equal` labels, the two-sided exception). A rule with empty source \
              matchers (any alert inhibits) fails, and so does a rule whose target takes every \
              severity=\"critical\" alert with no `equal` labels (one source alert silences \
              every page).\n\
              Example failure: inhibit_rules[1] (alertmanager.yml:40): an alert matching \
              {alertname=\"Maintenance\"} inhibits every page (target {severity=\"critical\"} \
              takes every severity=\"critical\" alert, and no `equal` limits it)",
}];
