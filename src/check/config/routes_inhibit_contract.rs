//! `routes.lint.inhibit_expected`: every inhibition the rule files and inhibit rules decide
//! must be one the routes expectations list. For each ordered pair of alerts of the rules, S
//! suppresses T under an inhibit rule when its source matches S's labels, its target T's, and
//! every `equal` label is set equal by both or by neither (the series then decide, and an
//! equal value is possible). Labels come from the rule (plus the expectation's `labels:` for
//! that alert); a matcher on a label neither sets is undecided and the pair is skipped, so
//! only inhibitions the files prove are reported.

use std::collections::BTreeSet;

use crate::check::config::routes::{RoutingModel, RuleLabels, alert_labels};
use crate::check::config::routes_matchers::{LabelSet, Matcher};
use crate::check::config::routes_tree::Inhibition;
use crate::check::registry::CheckInfo;
use crate::expect::routes::RoutesExpectations;
use crate::verdict::{Check, Kind};

const ID: &str = "routes.lint.inhibit_expected";

/// Whether all of `ms` match `l`, as far as `l` decides it: `false` when a matcher on a label
/// `l` sets fails, `true` when `l` sets every label they read and all match, else unknown.
fn decided(ms: &[Matcher], l: &LabelSet) -> Option<bool> {
    let mut known = true;
    for m in ms {
        match l.contains_key(&m.name) {
            true if !m.matches(l) => return Some(false),
            true => {}
            false => known = false,
        }
    }
    known.then_some(true)
}

/// Whether `rule` provably lets a firing `s` mute `t`.
fn suppresses(rule: &Inhibition, s: &LabelSet, t: &LabelSet) -> bool {
    if decided(&rule.source, s) != Some(true) || decided(&rule.target, t) != Some(true) {
        return false;
    }
    let equal = rule.equal.iter().all(|l| match (s.get(l), t.get(l)) {
        (Some(a), Some(b)) => a == b,
        (None, None) => true,
        _ => false,
    });
    // Alertmanager spares a target matching both sides from a source that does too.
    let two_sided = match (decided(&rule.source, t), decided(&rule.target, s)) {
        (Some(false), _) | (_, Some(false)) => false,
        (Some(true), Some(true)) => true,
        _ => return false,
    };
    equal && !two_sided
}

/// `routes.lint.inhibit_expected`; nothing without routes expectations or alert rules.
pub fn inhibit_contract_check(
    file: &str,
    model: &RoutingModel,
    exp: &RoutesExpectations,
    rules: &RuleLabels,
) -> Option<Check> {
    if exp.alerts.is_empty() || rules.is_empty() {
        return None;
    }
    let extra = |a: &str| {
        exp.alerts
            .iter()
            .find(|e| e.alert == a)
            .map(|e| e.labels.clone())
            .unwrap_or_default()
    };
    let labels: Vec<(&String, LabelSet)> = rules
        .keys()
        .map(|a| (a, alert_labels(a, &extra(a), rules)))
        .collect();
    let mut problems = Vec::new();
    let mut proved = 0;
    for t_exp in &exp.alerts {
        let Some((_, t)) = labels.iter().find(|(a, _)| **a == t_exp.alert) else {
            continue;
        };
        let listed: BTreeSet<&str> = t_exp
            .inhibited_by
            .iter()
            .map(|i| i.alert.as_str())
            .collect();
        for (s_name, s) in labels.iter().filter(|(a, _)| **a != t_exp.alert) {
            let Some(rule) = model.inhibitions.iter().find(|r| suppresses(r, s, t)) else {
                continue;
            };
            proved += 1;
            if !listed.contains(s_name.as_str()) {
                problems.push(format!(
                    "{s_name} inhibits {} under {} ({file}:{}), but the routes expectations of \
                     {} do not list {s_name} in `inhibited_by`: add it there, or narrow the rule \
                     if {} must keep notifying while {s_name} fires",
                    t_exp.alert, rule.path, rule.line, t_exp.alert, t_exp.alert
                ));
            }
        }
    }
    Some(if problems.is_empty() {
        Check::pass(
            ID,
            Kind::Routes,
            format!(
                "{file}: each of the {proved} inhibition(s) the rule labels decide is listed in \
                 the routes expectations"
            ),
        )
    } else {
        let head = format!(
            "{} inhibition(s) not in the routes expectations; first: {}",
            problems.len(),
            problems[0]
        );
        Check::fail(ID, Kind::Routes, head).with_all_evidence(problems)
    })
}

/// The checks this module emits (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[CheckInfo {
    id: ID,
    kind: Kind::Routes,
    proves: "every inhibition the rule labels and inhibit rules decide is listed in the routes \
             expectations",
    failure: "an alert silences another without the expectations saying so: list it in \
              `inhibited_by` or narrow the inhibit rule",
    explain: "Only with routes expectations. For each ordered pair (S, T) of the rules' alerts \
              (T having a routes expectation), an inhibit rule suppresses T while S fires when \
              its source matchers match S's labels (alertname, the rule's labels, the \
              expectation's `labels:`), its target matchers T's, and every `equal` label is set \
              to the same value by both or by neither; a matcher on a label the files do not \
              set leaves the pair undecided and unreported. A suppression T's `inhibited_by` \
              does not list fails.\n\
              Example failure: PipelineDown inhibits SLABreach under inhibit_rules[0] \
              (alertmanager.yml:35), but the routes expectations of SLABreach do not list \
              PipelineDown in `inhibited_by`",
}];
