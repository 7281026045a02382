//! [`super::CHECKS`] entries for the compose file and the documentation.

use crate::check::config::CheckCtx;
use crate::check::config::compose::{ComposeInput, check_compose};
use crate::check::config::docs::{check_readme, check_runbooks};
use crate::config::stack::StackConfig;
use crate::evidence::StackTools;
use crate::verdict::{Check, Kind};

/// Every compose check, or `compose.parse` when the compose file cannot be read.
pub(super) fn compose(cfg: &StackConfig, _: &StackTools, _: &CheckCtx) -> Vec<Check> {
    match &cfg.compose.parsed {
        Ok(c) => check_compose(&ComposeInput {
            file: &cfg.compose.file(),
            compose: c,
            mount_exists: &cfg.mount_exists,
            prometheus: cfg.prometheus.ok(),
        }),
        Err(e) => vec![Check::fail("compose.parse", Kind::Compose, e.to_string())],
    }
}

/// `docs.readme`.
pub(super) fn readme(cfg: &StackConfig, _: &StackTools, _: &CheckCtx) -> Vec<Check> {
    vec![check_readme(cfg.readme.as_deref())]
}

/// `docs.runbook.<alert>` for every alert of the rule files.
pub(super) fn runbooks(cfg: &StackConfig, _: &StackTools, ctx: &CheckCtx) -> Vec<Check> {
    check_runbooks(&ctx.runbook_urls, &cfg.runbooks)
}
