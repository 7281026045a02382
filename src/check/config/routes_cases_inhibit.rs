//! The inhibition half of a routing case (`inhibited_by`, `not_inhibited_by`): whether each
//! source alert, firing, inhibits the case's alert under the config's `inhibit_rules`
//! ([`inhibited_by`], Alertmanager's semantics: target and source matchers, `equal:` labels
//! compared as values with a missing label equal to a missing or empty one, an alert matching
//! both sides not muted by another such alert), and for each rule why it does or does not
//! apply.

use crate::check::config::routes::RoutingModel;
use crate::check::config::routes_matchers::{LabelSet, Matcher};
use crate::check::config::routes_tree::{Inhibition, inhibited_by};
use crate::expect::route_cases::{RouteCase, fmt_set};

/// `inhibit_rules[1] (line 40; source severity="critical"; target severity="warning"; equal
/// [alertname])`.
pub fn describe_rule(rule: &Inhibition) -> String {
    let list = |ms: &[Matcher]| {
        if ms.is_empty() {
            "(none)".to_string()
        } else {
            ms.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    let equal = if rule.equal.is_empty() {
        String::new()
    } else {
        format!("; equal [{}]", rule.equal.join(", "))
    };
    format!(
        "{} (line {}; source {}; target {}{equal})",
        rule.path,
        rule.line,
        list(&rule.source),
        list(&rule.target)
    )
}

fn value_of<'a>(l: &'a LabelSet, name: &str) -> &'a str {
    l.get(name).map(String::as_str).unwrap_or("")
}

fn shown(l: &LabelSet, name: &str) -> String {
    match l.get(name) {
        Some(v) => format!("{v:?}"),
        None => "missing".to_string(),
    }
}

/// Why `rule` does not let `source` inhibit `target`; `None` when it does.
pub fn why_not(rule: &Inhibition, target: &LabelSet, source: &LabelSet) -> Option<String> {
    if let Some(m) = rule.target.iter().find(|m| !m.matches(target)) {
        return Some(format!(
            "target matcher {m} does not match the alert ({} is {})",
            m.name,
            shown(target, &m.name)
        ));
    }
    if source == target {
        return Some("an alert does not inhibit itself".into());
    }
    if let Some(m) = rule.source.iter().find(|m| !m.matches(source)) {
        return Some(format!(
            "source matcher {m} does not match the source alert ({} is {})",
            m.name,
            shown(source, &m.name)
        ));
    }
    let both = |l: &LabelSet| {
        rule.source.iter().all(|m| m.matches(l)) && rule.target.iter().all(|m| m.matches(l))
    };
    if both(target) && both(source) {
        return Some(
            "both alerts match its source and target matchers: Alertmanager does not let such \
             alerts inhibit each other"
                .into(),
        );
    }
    rule.equal
        .iter()
        .find(|l| value_of(source, l) != value_of(target, l))
        .map(|l| {
            format!(
                "equal label `{l}` differs: the source alert has {}, the alert {}",
                shown(source, l),
                shown(target, l)
            )
        })
}

fn why_no_rule(model: &RoutingModel, target: &LabelSet, source: &LabelSet) -> String {
    if model.inhibitions.is_empty() {
        return "alertmanager.yml has no inhibit_rules".into();
    }
    let reasons: Vec<String> = model
        .inhibitions
        .iter()
        .map(|r| {
            let why = why_not(r, target, source).unwrap_or_else(|| "applies".into());
            format!("{} does not apply: {why}", describe_rule(r))
        })
        .collect();
    reasons.join("; ")
}

/// The inhibition assertions of `case`: failures go to `problems`, what held to `evidence`.
pub fn inhibition_findings(
    model: &RoutingModel,
    case: &RouteCase,
    problems: &mut Vec<String>,
    evidence: &mut Vec<String>,
) {
    let target = &case.labels.value;
    for src in &case.inhibited_by {
        let source = &src.value;
        match inhibited_by(target, std::slice::from_ref(source), &model.inhibitions) {
            Some((rule, _)) => evidence.push(format!(
                "inhibited by {} as expected, under {}",
                fmt_set(source),
                describe_rule(rule)
            )),
            None => problems.push(format!(
                "not inhibited by {}: {}",
                fmt_set(source),
                why_no_rule(model, target, source)
            )),
        }
    }
    for src in &case.not_inhibited_by {
        let source = &src.value;
        match inhibited_by(target, std::slice::from_ref(source), &model.inhibitions) {
            Some((rule, _)) => problems.push(format!(
                "inhibited by {}, expected not to be, under {}",
                fmt_set(source),
                describe_rule(rule)
            )),
            None => evidence.push(format!(
                "not inhibited by {} as expected: {}",
                fmt_set(source),
                why_no_rule(model, target, source)
            )),
        }
    }
}
