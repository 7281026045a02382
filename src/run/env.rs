//! [`RunEnv`]: the validated circumstances of one `obsgate run`, made from its arguments at the
//! edge (bad values are exit 2 and nothing starts). Everything past this point trusts it.

use std::path::PathBuf;

use crate::cli::{RunArgs, StackMode};
use crate::config::stack::StackPaths;
use crate::exit::AppError;
use crate::scenario::{Plan, load_scenario};

/// How and against what a plan runs.
#[derive(Debug, Clone)]
pub struct RunEnv {
    /// Drive a running stub at this base URL (no trailing slash) instead of starting one.
    pub target: Option<String>,
    /// Defect switches for the started stub.
    pub stub_defects: Vec<String>,
    /// Show the progress line on stderr.
    pub progress: bool,
    /// `--stack`; None picks a mode from the expectations and PATH.
    pub stack: Option<StackMode>,
    /// `--prometheus-url` (external stack).
    pub prometheus_url: Option<String>,
    /// `--alertmanager-url` (external stack).
    pub alertmanager_url: Option<String>,
    /// `--grafana-url`: check its health and that every dashboard is loaded.
    pub grafana_url: Option<String>,
    /// `--jaeger-url`: read the traces back from Jaeger instead of obsgate's receiver.
    pub jaeger_url: Option<String>,
    /// `--logs FILE`: tail the target's JSON logs from this file.
    pub logs: Option<PathBuf>,
    /// `--scrape-interval` for the managed stack, e.g. `5s`.
    pub scrape_interval: Option<String>,
    /// `--allow-clock-skew`: an external stack on wall time may judge alerts of a compressed run.
    pub allow_clock_skew: bool,
    /// `--outage-limit`: how long a component obsgate did not start may fail every probe.
    pub outage_limit: std::time::Duration,
    /// The stack's files: overlays for the managed stack and the static checks.
    pub paths: StackPaths,
    /// Where the report and the managed stack's files go.
    pub report_dir: PathBuf,
    /// When the run started (the report's `started_at`).
    pub started_at: chrono::DateTime<chrono::Utc>,
    /// Ways this run deviates from the scenario as written (e.g. a `--time-scale` override).
    pub deviations: Vec<String>,
}

/// Read and validate the scenario and the flags (exit 2 on any problem; nothing runs).
pub fn prepare(args: &RunArgs) -> Result<(Plan, RunEnv), AppError> {
    let mut plan = load_scenario(&args.scenario)?;
    let mut deviations = Vec::new();
    if let Some(k) = args.time_scale {
        let written = plan.time_scale;
        plan.set_time_scale(k)
            .map_err(|e| AppError::usage(format!("--time-scale: {e}")))?;
        if k != written {
            deviations.push(format!(
                "time scale {k} from --time-scale (the scenario says {written})"
            ));
        }
    }
    if let Some(s) = &args.shard {
        let (index, count) = super::shard::parse_shard(s)?;
        super::shard::apply(&mut plan, index, count);
        deviations.push(format!(
            "shard {index} of {count}: this run sends one job in {count} of the schedule (jobs {index}, {}, {}, … of the whole run); merge the shards' reports with `obsgate report merge`",
            index + count,
            index + 2 * count
        ));
    }
    if let Some(t) = &args.target {
        check_target_url(t, args.allow_remote)?;
    }
    let outage_limit = crate::config::duration::parse_prom_duration(&args.outage_limit)
        .ok()
        .filter(|s| *s >= 1.0)
        .and_then(|s| std::time::Duration::try_from_secs_f64(s).ok())
        .ok_or_else(|| {
            AppError::usage(format!(
                "--outage-limit: expected a duration of at least 1s like `10s` or `1m`, got `{}`",
                args.outage_limit
            ))
        })?;
    let started_at = chrono::Utc::now();
    let report_dir = args.report_dir.clone().unwrap_or_else(|| {
        PathBuf::from("reports").join(format!(
            "{}-{}",
            plan.name,
            started_at.format("%Y%m%dT%H%M%SZ")
        ))
    });
    let env = RunEnv {
        target: args
            .target
            .as_deref()
            .map(|t| t.trim_end_matches('/').to_string()),
        stub_defects: args.stub_defects.clone(),
        progress: !args.quiet && std::io::IsTerminal::is_terminal(&std::io::stderr()),
        stack: args.stack,
        prometheus_url: args.prometheus_url.clone(),
        alertmanager_url: args.alertmanager_url.clone(),
        grafana_url: args.grafana_url.clone(),
        jaeger_url: args.jaeger_url.clone(),
        logs: args.logs.clone(),
        scrape_interval: args.scrape_interval.clone(),
        allow_clock_skew: args.allow_clock_skew,
        outage_limit,
        paths: StackPaths {
            config_dir: args.config_dir.clone(),
            expect_dir: args.expect_dir.clone(),
            compose: args.compose.clone(),
            docs_dir: args.docs_dir.clone(),
            named: None,
            contract: true,
        },
        report_dir,
        started_at,
        deviations,
    };
    Ok((plan, env))
}

/// Refuse anything but an http(s) URL on loopback unless `allow_remote`.
pub fn check_target_url(url: &str, allow_remote: bool) -> Result<(), AppError> {
    let parsed = reqwest::Url::parse(url).map_err(|e| {
        AppError::usage(format!(
            "--target: expected a URL like http://127.0.0.1:8000, got `{url}` ({e})"
        ))
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(AppError::usage(format!(
            "--target: expected an http or https URL, got `{url}`"
        )));
    }
    let host = parsed.host_str().unwrap_or("");
    if !allow_remote && !crate::util::is_loopback_host(host) {
        return Err(AppError::usage(format!(
            "--target: `{host}` is not a loopback address; load only goes to loopback unless --allow-remote is given"
        )));
    }
    Ok(())
}
