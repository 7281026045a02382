//! [`super::CHECKS`] entries for `prometheus.yml` and the rule files.

use std::collections::BTreeMap;

use crate::check::config::CheckCtx;
use crate::check::config::routes::{RoutingModel, alert_labels};
use crate::check::config::routes_tree::matching_routes;
use crate::check::config::rules::{RulesPolicy, check_rule_file};
use crate::check::config::rules_tool::tool_check;
use crate::config::stack::StackConfig;
use crate::evidence::StackTools;
use crate::verdict::{Check, Kind};

/// `prometheus.parse`: a failure when `prometheus.yml` cannot be read or parsed (Prometheus
/// would not start), else a pass naming the file; nothing when only named files are checked.
pub(super) fn prometheus_parse(cfg: &StackConfig, _: &StackTools, _: &CheckCtx) -> Vec<Check> {
    let id = "prometheus.parse";
    let Some(prom) = &cfg.prometheus else {
        return Vec::new();
    };
    vec![match &prom.parsed {
        Ok(_) => Check::pass(id, Kind::Rules, format!("{} parses", prom.file())),
        Err(e) => Check::fail(id, Kind::Rules, format!("cannot parse: {e}")),
    }]
}

/// Every check of every rule file, under the shipped policy.
pub(super) fn rule_files(cfg: &StackConfig, _: &StackTools, ctx: &CheckCtx) -> Vec<Check> {
    // The repository's runbooks folder judges links into it, when it was read.
    let runbooks = (!cfg.runbooks.is_empty()).then(|| cfg.runbooks.keys().cloned().collect());
    let mut policy = RulesPolicy::shipped(ctx.known.clone(), runbooks);
    policy.local_links = cfg.local_links.clone();
    policy.unroutable = unroutable(cfg, ctx);
    cfg.rule_files
        .iter()
        .flat_map(|f| {
            check_rule_file(&f.file(), &f.parsed, &policy)
                .into_iter()
                .map(|c| c.about_file(f.file()))
        })
        .collect()
}

/// Alerts without a `severity` that no route below the root matches, when the root's
/// receiver has no integration: the routing tree cannot deliver them. A route that sends an
/// alert to an empty receiver on purpose (a `Watchdog` to `null`) is a choice, not judged here.
fn unroutable(cfg: &StackConfig, ctx: &CheckCtx) -> BTreeMap<String, String> {
    let Some(am) = cfg.alertmanager_ok() else {
        return BTreeMap::new();
    };
    let model = RoutingModel::new(am);
    let root_empty = am
        .receivers
        .iter()
        .any(|r| r.name.value == model.tree.receiver && r.integrations() == 0);
    if !root_empty {
        return BTreeMap::new();
    }
    ctx.rule_labels
        .iter()
        .filter(|(_, labels)| labels.get("severity").is_none_or(|v| v.trim().is_empty()))
        .filter(|(name, _)| {
            let labels = alert_labels(name, &BTreeMap::new(), &ctx.rule_labels);
            let matched = matching_routes(&model.tree, &labels);
            !matched.is_empty() && matched.iter().all(|n| std::ptr::eq(*n, &model.tree))
        })
        .map(|(name, _)| {
            let why = format!(
                "only the root route matches it, whose receiver `{}` has no integration",
                model.tree.receiver
            );
            (name.clone(), why)
        })
        .collect()
}

/// `rules.files` / `dashboards.files`: a failure for each `rule_files` entry or named argument
/// that matches no file (Prometheus would silently load no rules from it).
pub(super) fn unmatched(cfg: &StackConfig, _: &StackTools, _: &CheckCtx) -> Vec<Check> {
    cfg.unmatched
        .iter()
        .map(|u| {
            let (id, kind) = if u.origin == "--dashboards" {
                ("dashboards.files", Kind::Dashboards)
            } else {
                ("rules.files", Kind::Rules)
            };
            Check::fail(
                id,
                kind,
                format!("{} `{}` matches no file", u.origin, u.pattern),
            )
        })
        .collect()
}

/// `rules.promtool`: what `promtool check rules` said.
pub(super) fn promtool(_: &StackConfig, tools: &StackTools, _: &CheckCtx) -> Vec<Check> {
    vec![tool_check(
        "rules.promtool",
        Kind::Rules,
        "promtool check rules",
        &tools.promtool_rules,
    )]
}
