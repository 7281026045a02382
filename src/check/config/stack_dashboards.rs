//! [`super::CHECKS`] entries for Grafana's provisioning files and dashboards.

use crate::check::config::CheckCtx;
use crate::check::config::dashboards::{DashboardPolicy, check_dashboard, check_unique_uids};
use crate::check::config::dashboards_provider::{check_datasource_urls, check_provider};
use crate::check::config::rules::file_key;
use crate::config::dashboard::Dashboard;
use crate::config::stack::StackConfig;
use crate::evidence::StackTools;
use crate::verdict::{Check, Kind};

/// Where the shipped compose file mounts the dashboard provisioning folder from.
const JSON_DIR: &str = "./config/grafana/provisioning/dashboards";

/// `dashboards.provider`, once per provider file.
pub(super) fn providers(cfg: &StackConfig, _: &StackTools, _: &CheckCtx) -> Vec<Check> {
    cfg.dashboard_providers
        .iter()
        .map(|f| match &f.parsed {
            Ok(d) => check_provider(d, cfg.compose_ok(), JSON_DIR),
            Err(e) => Check::fail("dashboards.provider", Kind::Dashboards, e.to_string()),
        })
        .collect()
}

/// `dashboards.provisioning.<file>` for each datasource file that does not parse.
pub(super) fn datasource_files(cfg: &StackConfig, _: &StackTools, _: &CheckCtx) -> Vec<Check> {
    cfg.datasource_files
        .iter()
        .filter_map(|f| f.err())
        .map(|e| {
            Check::fail(
                format!("dashboards.provisioning.{}", file_key(&e.file)),
                Kind::Dashboards,
                e.to_string(),
            )
        })
        .collect()
}

/// `dashboards.datasources`: a Prometheus datasource with a uid is provisioned (the stack's
/// layout only).
pub(super) fn datasources(cfg: &StackConfig, _: &StackTools, ctx: &CheckCtx) -> Vec<Check> {
    if cfg.paths.named.is_some() {
        return Vec::new();
    }
    let ds = &ctx.datasources;
    vec![Check::from_bool(
        "dashboards.datasources",
        Kind::Dashboards,
        ds.iter().any(|d| d.kind == "prometheus" && d.uid.is_some()),
        format!(
            "{} provisioned datasource(s); a Prometheus one with a uid is required",
            ds.len()
        ),
    )]
}

/// The datasources' URLs name compose services (when the compose file parses).
pub(super) fn datasource_urls(cfg: &StackConfig, _: &StackTools, ctx: &CheckCtx) -> Vec<Check> {
    cfg.compose_ok()
        .map(|c| check_datasource_urls(&ctx.datasources, c))
        .into_iter()
        .collect()
}

/// `dashboards.files`: a failure when no dashboard JSON is provisioned (the stack's layout;
/// named arguments that match nothing are `inputs.unmatched`).
pub(super) fn files(cfg: &StackConfig, _: &StackTools, _: &CheckCtx) -> Vec<Check> {
    if !cfg.dashboards.is_empty() || cfg.paths.named.is_some() {
        return Vec::new();
    }
    vec![Check::fail(
        "dashboards.files",
        Kind::Dashboards,
        format!(
            "no dashboard JSON in {}",
            cfg.paths.dashboards_dir().display()
        ),
    )]
}

/// Every check of every dashboard, or `dashboards.parse.<file>` for one that does not parse.
pub(super) fn dashboards(cfg: &StackConfig, _: &StackTools, ctx: &CheckCtx) -> Vec<Check> {
    let policy = DashboardPolicy {
        provisioned: cfg.paths.named.is_none(),
        ..DashboardPolicy::default()
    };
    cfg.dashboards
        .iter()
        .flat_map(|f| {
            let checks = match &f.parsed {
                Ok(d) => check_dashboard(d, &ctx.datasources, &ctx.known, &policy),
                Err(e) => vec![Check::fail(
                    format!("dashboards.parse.{}", file_key(&e.file)),
                    Kind::Dashboards,
                    e.to_string(),
                )],
            };
            checks.into_iter().map(|c| c.about_file(f.file()))
        })
        .collect()
}

/// `dashboards.uids`: across the dashboards that parse, when there are any.
pub(super) fn uids(cfg: &StackConfig, _: &StackTools, _: &CheckCtx) -> Vec<Check> {
    let parsed: Vec<Dashboard> = cfg
        .dashboards
        .iter()
        .filter_map(|f| f.ok().cloned())
        .collect();
    if parsed.is_empty() {
        return Vec::new();
    }
    vec![check_unique_uids(&parsed)]
}
