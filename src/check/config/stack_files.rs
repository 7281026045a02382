//! [`super::CHECKS`] entries for the compose file and the documentation.

use crate::check::config::CheckCtx;
use crate::check::config::compose::{ComposeInput, check_compose};
use crate::check::config::docs::{check_readme, check_runbooks};
use crate::config::stack::StackConfig;
use crate::evidence::StackTools;
use crate::verdict::{Check, Kind};

/// Every compose check, or `compose.parse` when the compose file cannot be read.
pub(super) fn compose(cfg: &StackConfig, _: &StackTools, _: &CheckCtx) -> Vec<Check> {
    let Some(compose) = &cfg.compose else {
        return Vec::new();
    };
    match &compose.parsed {
        Ok(c) => check_compose(&ComposeInput {
            file: &compose.file(),
            compose: c,
            mount_exists: &cfg.mount_exists,
            prometheus: cfg.prometheus_ok(),
            alertmanager: cfg.alertmanager_ok(),
            min_retention: min_retention(cfg),
        }),
        Err(e) => vec![Check::fail("compose.parse", Kind::Compose, e.to_string())],
    }
}

/// Whether the repository's own documentation is held to the contract: the stack's layout
/// with an expectations folder (a runbook per alert, linked from the README).
fn docs_contract(cfg: &StackConfig) -> bool {
    cfg.paths.named.is_none() && cfg.paths.contract
}

/// `docs.readme`.
pub(super) fn readme(cfg: &StackConfig, _: &StackTools, _: &CheckCtx) -> Vec<Check> {
    if !docs_contract(cfg) {
        return Vec::new();
    }
    vec![check_readme(cfg.readme.as_deref())]
}

/// `docs.runbook.<alert>` for every alert of the rule files.
pub(super) fn runbooks(cfg: &StackConfig, _: &StackTools, ctx: &CheckCtx) -> Vec<Check> {
    if !docs_contract(cfg) {
        return Vec::new();
    }
    check_runbooks(&ctx.runbook_urls, &cfg.runbooks)
}

/// The `slo.*` checks, when the config folder has `slos.yaml`.
pub(super) fn slos(cfg: &StackConfig, _: &StackTools, _: &CheckCtx) -> Vec<Check> {
    let Some(slos) = &cfg.slos else {
        return Vec::new();
    };
    crate::check::config::slo::check_slos(&crate::check::config::slo::SloCheckInput {
        slos,
        loaded: slos.loaded_by(cfg.rule_files.iter().map(|f| f.path.as_path())),
        alertmanager: cfg.alertmanager_ok(),
    })
}

/// The retention the stack needs: the seed's 15 days, or the longest SLO window if longer.
fn min_retention(cfg: &StackConfig) -> (f64, String) {
    let seed = (
        crate::check::config::compose::SEED_RETENTION_S,
        "the seed's 15 days of metrics".to_string(),
    );
    let Some(Ok(set)) = cfg.slos.as_ref().map(|s| &s.parsed) else {
        return seed;
    };
    set.slos
        .iter()
        .filter(|s| s.window_s > seed.0)
        .max_by(|a, b| a.window_s.total_cmp(&b.window_s))
        .map_or(seed.clone(), |s| {
            (
                s.window_s,
                format!("the {} window of SLO `{}`", s.window, s.name),
            )
        })
}
