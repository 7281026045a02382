//! Alertmanager's routing tree and inhibition, evaluated in obsgate: matchers, `continue`,
//! nested routes, inheritance of receiver and grouping from the parent, and inhibition by
//! source/target matchers with `equal` labels. Follows Alertmanager's dispatch semantics: a
//! route matches when its matchers do; its children are tried in order and the first matching
//! child stops the search unless it has `continue: true`; a matching route whose children all
//! miss handles the alert itself.

use crate::check::config::routes_matchers::{
    LabelSet, Matcher, all_match, from_maps, parse_matchers,
};
use crate::config::alertmanager::{InhibitRule, Route};
use crate::config::line_of;
use serde_saphyr::Spanned;

/// A route with its inherited settings resolved.
#[derive(Debug, Clone)]
pub struct RouteNode {
    /// Where it is: `route`, `route.routes[1].routes[0]`.
    pub path: String,
    /// Line of its receiver (or of its first matcher), 0 when unknown.
    pub line: u64,
    /// Effective receiver.
    pub receiver: String,
    /// Effective `group_by`.
    pub group_by: Vec<String>,
    /// Effective `group_wait`.
    pub group_wait: String,
    /// Its own matchers.
    pub matchers: Vec<Matcher>,
    /// `continue`.
    pub continue_matching: bool,
    /// Its own `mute_time_intervals` (not inherited), with their lines.
    pub mute_intervals: Vec<(String, u64)>,
    /// Its own `active_time_intervals` (not inherited), with their lines.
    pub active_intervals: Vec<(String, u64)>,
    /// Children, in order.
    pub children: Vec<RouteNode>,
}

/// Build the resolved tree. Problems (bad matchers, a root without receiver) are returned as
/// messages with the route path; the tree is still built from what could be read.
pub fn build_tree(root: &Route) -> (RouteNode, Vec<String>) {
    let mut errors = Vec::new();
    if root.receiver.is_none() {
        errors.push("route: the root route has no receiver".to_string());
    }
    let parent = RouteNode {
        path: String::new(),
        line: 0,
        receiver: String::new(),
        group_by: Vec::new(),
        // Alertmanager's defaults.
        group_wait: "30s".into(),
        matchers: Vec::new(),
        continue_matching: false,
        mute_intervals: Vec::new(),
        active_intervals: Vec::new(),
        children: Vec::new(),
    };
    let node = build(root, "route".into(), &parent, &mut errors);
    (node, errors)
}

fn build(r: &Route, path: String, parent: &RouteNode, errors: &mut Vec<String>) -> RouteNode {
    let mut matchers = match from_maps(&r.match_eq, &r.match_re) {
        Ok(m) => m,
        Err(e) => {
            errors.push(format!("{path}: {e}"));
            Vec::new()
        }
    };
    for m in &r.matchers {
        match parse_matchers(&m.value) {
            Ok(ms) => matchers.extend(ms),
            Err(e) => errors.push(format!("{path} (line {}): {e}", line_of(m))),
        }
    }
    let line = r
        .receiver
        .as_ref()
        .map(line_of)
        .or_else(|| r.matchers.first().map(line_of))
        .unwrap_or(0);
    let mut node = RouteNode {
        path: path.clone(),
        line,
        receiver: r
            .receiver
            .as_ref()
            .map(|s| s.value.clone())
            .unwrap_or_else(|| parent.receiver.clone()),
        group_by: r
            .group_by
            .clone()
            .unwrap_or_else(|| parent.group_by.clone()),
        group_wait: r
            .group_wait
            .clone()
            .unwrap_or_else(|| parent.group_wait.clone()),
        matchers,
        continue_matching: r.continue_matching,
        mute_intervals: names_with_lines(&r.mute_time_intervals),
        active_intervals: names_with_lines(&r.active_time_intervals),
        children: Vec::new(),
    };
    node.children = r
        .routes
        .iter()
        .enumerate()
        .map(|(i, c)| build(c, format!("{path}.routes[{i}]"), &node, errors))
        .collect();
    node
}

fn names_with_lines(list: &[Spanned<String>]) -> Vec<(String, u64)> {
    list.iter().map(|s| (s.value.clone(), line_of(s))).collect()
}

/// The routes that handle `labels`, in order (Alertmanager's `Route.Match`).
pub fn matching_routes<'a>(node: &'a RouteNode, labels: &LabelSet) -> Vec<&'a RouteNode> {
    if !all_match(&node.matchers, labels) {
        return Vec::new();
    }
    let mut all = Vec::new();
    for child in &node.children {
        let m = matching_routes(child, labels);
        let matched = !m.is_empty();
        all.extend(m);
        if matched && !child.continue_matching {
            break;
        }
    }
    if all.is_empty() {
        all.push(node);
    }
    all
}

/// Every route node, depth first (for checks over all matchers).
pub fn walk<'a>(node: &'a RouteNode, out: &mut Vec<&'a RouteNode>) {
    out.push(node);
    for c in &node.children {
        walk(c, out);
    }
}

/// A resolved inhibition rule.
#[derive(Debug, Clone)]
pub struct Inhibition {
    /// `inhibit_rules[i]`.
    pub path: String,
    /// Line where the rule starts, 0 when unknown.
    pub line: u64,
    /// Source matchers.
    pub source: Vec<Matcher>,
    /// Target matchers.
    pub target: Vec<Matcher>,
    /// Labels that must be equal on both.
    pub equal: Vec<String>,
}

/// Resolve inhibition rules; problems come back as messages.
pub fn build_inhibitions(rules: &[Spanned<InhibitRule>]) -> (Vec<Inhibition>, Vec<String>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, spanned) in rules.iter().enumerate() {
        let r = &spanned.value;
        let path = format!("inhibit_rules[{i}]");
        let mut side = |eq, re, list: &[Spanned<String>]| {
            let mut ms = from_maps(eq, re).unwrap_or_else(|e| {
                errors.push(format!("{path}: {e}"));
                Vec::new()
            });
            for m in list {
                match parse_matchers(&m.value) {
                    Ok(x) => ms.extend(x),
                    Err(e) => errors.push(format!("{path} (line {}): {e}", line_of(m))),
                }
            }
            ms
        };
        let source = side(&r.source_match, &r.source_match_re, &r.source_matchers);
        let target = side(&r.target_match, &r.target_match_re, &r.target_matchers);
        out.push(Inhibition {
            path,
            line: line_of(spanned),
            source,
            target,
            equal: r.equal.clone(),
        });
    }
    (out, errors)
}

/// The first rule under which a firing alert in `firing` inhibits `target`, if any.
/// As in Alertmanager, an alert matching both sides is not muted by another such alert.
pub fn inhibited_by<'a>(
    target: &LabelSet,
    firing: &[LabelSet],
    rules: &'a [Inhibition],
) -> Option<(&'a Inhibition, usize)> {
    for rule in rules {
        if !all_match(&rule.target, target) {
            continue;
        }
        let target_is_source_too = all_match(&rule.source, target);
        for (i, src) in firing.iter().enumerate() {
            if src == target || !all_match(&rule.source, src) {
                continue;
            }
            if target_is_source_too && all_match(&rule.target, src) {
                continue;
            }
            let equal = rule.equal.iter().all(|l| {
                src.get(l).map(String::as_str).unwrap_or("")
                    == target.get(l).map(String::as_str).unwrap_or("")
            });
            if equal {
                return Some((rule, i));
            }
        }
    }
    None
}
