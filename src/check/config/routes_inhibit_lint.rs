//! `routes.lint.inhibit`: inhibit rules that silence more than anyone means. Two rules mute
//! each other when an alert matching the first's source and the second's target, and one
//! matching the second's source and the first's target, can fire with equal `equal` labels:
//! both are then muted and nobody hears of either (proved with two such alerts, built from the
//! matchers and checked by Alertmanager's inhibition semantics). A rule with empty source
//! matchers lets any alert inhibit; one whose target takes every `severity="critical"` alert
//! and has no `equal` lets a single source alert silence every page.

use crate::check::config::routes::RoutingModel;
use crate::check::config::routes_matchers::{LabelSet, Matcher};
use crate::check::config::routes_sat::{show, trivially_true, witness};
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
    for (i, a) in rules.iter().enumerate() {
        for b in &rules[i + 1..] {
            if let Some((x, y)) = mutual(a, b) {
                problems.push(format!(
                    "{} ({file}:{}) and {} ({file}:{}) mute each other: an alert {} inhibits \
                     {} under {}, which inhibits it back under {}; when both fire neither \
                     notifies. Narrow one rule's matchers so their source and target cannot \
                     overlap",
                    a.path,
                    a.line,
                    b.path,
                    b.line,
                    fmt(&x),
                    fmt(&y),
                    a.path,
                    b.path
                ));
            }
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
    Check::fail(ID, Kind::Routes, head).with_evidence(problems)
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

/// Two alerts `x` and `y` that rules `a` and `b` make mute each other, when such a pair can be
/// built from their matchers.
fn mutual(a: &Inhibition, b: &Inhibition) -> Option<(LabelSet, LabelSet)> {
    let mut x_conj: Vec<Matcher> = a.source.clone();
    x_conj.extend(b.target.iter().cloned());
    let mut y_conj: Vec<Matcher> = b.source.clone();
    y_conj.extend(a.target.iter().cloned());
    let mut x = witness(&x_conj)?;
    let mut y = witness(&y_conj)?;
    // Labels either rule wants equal: one value both sides accept.
    for l in a.equal.iter().chain(&b.equal) {
        let mut both: Vec<Matcher> = x_conj.iter().filter(|m| &m.name == l).cloned().collect();
        both.extend(y_conj.iter().filter(|m| &m.name == l).cloned());
        let w = witness(&both)?;
        match w.get(l) {
            Some(v) => {
                x.insert(l.clone(), v.clone());
                y.insert(l.clone(), v.clone());
            }
            None => {
                x.remove(l);
                y.remove(l);
            }
        }
    }
    if x == y {
        // One alert matching all four sides is not inhibited by itself; make them differ.
        y.insert("obsgate_other".into(), "1".into());
    }
    let a_mutes_y = inhibited_by(&y, std::slice::from_ref(&x), std::slice::from_ref(a)).is_some();
    let b_mutes_x = inhibited_by(&x, std::slice::from_ref(&y), std::slice::from_ref(b)).is_some();
    (a_mutes_y && b_mutes_x).then_some((x, y))
}

/// The checks this module emits (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[CheckInfo {
    id: ID,
    kind: Kind::Routes,
    proves: "no two inhibit rules mute each other, and no rule lets any alert, or one alert, \
             silence every page",
    failure: "inhibit rules that can silence pages nobody meant to silence: see the rules named",
    explain: "Each pair of inhibit rules A, B is tried with two alerts built from the matchers: \
              one matching A's source and B's target, one matching B's source and A's target, \
              with equal `equal` labels. When Alertmanager's semantics mute each by the other, \
              both rules are named: while both fire, neither notifies. A rule with empty source \
              matchers (any alert inhibits) fails, and so does a rule whose target takes every \
              severity=\"critical\" alert with no `equal` labels (one source alert silences \
              every page).\n\
              Example failure: inhibit_rules[1] (alertmanager.yml:40): an alert matching \
              {alertname=\"Maintenance\"} inhibits every page (target {severity=\"critical\"} \
              takes every severity=\"critical\" alert, and no `equal` limits it)",
}];
