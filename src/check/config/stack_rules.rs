//! [`super::CHECKS`] entries for `prometheus.yml` and the rule files.

use crate::check::config::CheckCtx;
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
    cfg.rule_files
        .iter()
        .flat_map(|f| {
            check_rule_file(&f.file(), &f.parsed, &policy)
                .into_iter()
                .map(|c| c.about_file(f.file()))
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
