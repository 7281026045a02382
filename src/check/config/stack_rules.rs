//! [`super::CHECKS`] entries for `prometheus.yml` and the rule files.

use crate::check::config::CheckCtx;
use crate::check::config::rules::{RulesPolicy, check_rule_file};
use crate::check::config::rules_tool::tool_check;
use crate::config::stack::StackConfig;
use crate::evidence::StackTools;
use crate::verdict::{Check, Kind};

/// `prometheus.parse`: an error when `prometheus.yml` cannot be read (the stack cannot be
/// judged without it), else a pass naming the file.
pub(super) fn prometheus_parse(cfg: &StackConfig, _: &StackTools, _: &CheckCtx) -> Vec<Check> {
    let id = "prometheus.parse";
    vec![match &cfg.prometheus.parsed {
        Ok(_) => Check::pass(id, Kind::Rules, format!("{} parses", cfg.prometheus.file())),
        Err(e) => Check::error(id, Kind::Rules, format!("cannot parse: {e}")),
    }]
}

/// Every check of every rule file, under the shipped policy.
pub(super) fn rule_files(cfg: &StackConfig, _: &StackTools, ctx: &CheckCtx) -> Vec<Check> {
    let policy = RulesPolicy::shipped(
        ctx.known.clone(),
        Some(cfg.runbooks.keys().cloned().collect()),
    );
    cfg.rule_files
        .iter()
        .flat_map(|f| check_rule_file(&f.file(), &f.parsed, &policy))
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
