//! `obsgate check`: read the stack's config files ([`StackConfig::load`]), run promtool/amtool
//! when present ([`StackTools::gather`]), judge them with the pure checks of
//! [`crate::check::config`], print a table (or JSON) and exit 0 (all pass), 1 (a check
//! failed), 2 (a required file is missing or unparseable) or 3 (the report cannot be written).

use std::path::{Path, PathBuf};

use crate::check::config::{JudgeOptions, judge_static};
use crate::cli::{CheckArgs, OutputFormat};
use crate::config::stack::StackPaths;
use crate::evidence::LoadReport;
use crate::exit::{AppError, AppResult, Outcome};
use crate::observe::metric_sources;
use crate::report::model::{Report, RunSummary};
use crate::verdict::Verdict;
use crate::verdict::{Check, Status};

/// How the static checks run, besides where the files are.
#[derive(Debug, Clone, Default)]
pub struct StaticOptions {
    /// Do not run promtool/amtool even when they are on PATH.
    pub no_tools: bool,
    /// Metric names rules and dashboards may read besides the contract's.
    pub known_metrics: Vec<String>,
    /// Catalog sources read before the checks (`--metrics-from`).
    pub metric_sources: Vec<crate::evidence::CatalogSource>,
}

impl From<&CheckArgs> for StackPaths {
    fn from(args: &CheckArgs) -> Self {
        Self {
            config_dir: args.config_dir.clone(),
            expect_dir: args.expect_dir.clone(),
            compose: args.compose.clone(),
            docs_dir: args.docs_dir.clone(),
        }
    }
}

impl From<&CheckArgs> for StaticOptions {
    fn from(args: &CheckArgs) -> Self {
        Self {
            no_tools: args.no_tools,
            known_metrics: args.known_metrics.clone(),
            metric_sources: Vec::new(),
        }
    }
}

/// Entry point of `obsgate check`.
pub async fn run(args: CheckArgs) -> AppResult {
    if !args.config_dir.is_dir() {
        return Err(AppError::usage(format!(
            "config folder `{}` does not exist (use --config-dir)",
            args.config_dir.display()
        )));
    }
    let mut opts = StaticOptions::from(&args);
    opts.known_metrics =
        metric_sources::known_metric_names(&args.known_metrics).map_err(AppError::usage)?;
    opts.metric_sources = metric_sources::load_sources(&args.metrics_from, args.allow_remote)
        .await
        .map_err(AppError::usage)?;
    let (checks, bad_input) = static_checks(&StackPaths::from(&args), &opts).await?;
    finish(&args, checks, bad_input)
}

/// Every static check of `obsgate check` (rules, routes, dashboards, compose, docs), off the
/// async workers: `obsgate run` adds them to a run's report when its acceptance file asks.
/// Returns the checks and the required inputs that were missing or unparseable.
pub async fn static_checks(
    paths: &StackPaths,
    opts: &StaticOptions,
) -> Result<(Vec<Check>, Vec<String>), AppError> {
    let (paths, opts) = (paths.clone(), opts.clone());
    // File reads and promtool/amtool runs block: keep them off the async workers.
    tokio::task::spawn_blocking(move || check_stack(&paths, &opts))
        .await
        .map_err(|e| AppError::harness(format!("check task failed: {e}")))
}

/// Load the stack's files, run the validators on them, then judge: all I/O happens before
/// [`judge`], which only reads values.
pub fn check_stack(paths: &StackPaths, opts: &StaticOptions) -> (Vec<Check>, Vec<String>) {
    let inputs = crate::run::stack::gather_static(paths, !opts.no_tools);
    let judge_opts = JudgeOptions {
        known_metrics: opts.known_metrics.clone(),
        metric_sources: opts.metric_sources.clone(),
    };
    judge_static(&inputs, &judge_opts)
}

fn finish(args: &CheckArgs, checks: Vec<Check>, bad_input: Vec<String>) -> AppResult {
    let text = match args.output {
        OutputFormat::Json => {
            let body = serde_json::json!({ "checks": checks });
            format!(
                "{}\n",
                serde_json::to_string_pretty(&body).unwrap_or_default()
            )
        }
        OutputFormat::Human => table(&checks),
    };
    // A closed pipe (`obsgate check | head`) is not an error of the checks.
    let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes());
    for b in &bad_input {
        eprintln!("obsgate check: {b}");
    }
    let report = static_report(checks);
    // A broken required input is a usage error (exit 2) whatever the checks say.
    let outcome = match (bad_input.is_empty(), report.verdict) {
        (false, _) => Outcome::Usage,
        (true, Verdict::Pass) => Outcome::Pass,
        (true, _) => Outcome::Fail,
    };
    let dir = args.report_dir.clone().unwrap_or_else(|| {
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
        PathBuf::from("reports").join(format!("check-{stamp}"))
    });
    write_report(&dir, &report)?;
    Ok(outcome)
}

/// The human table: id, status, message; then a count line.
pub fn table(checks: &[Check]) -> String {
    let w = checks.iter().map(|c| c.id.len()).max().unwrap_or(2).max(2);
    let mut s = format!("{:<w$}  {:<6}  message\n", "id", "status");
    for c in checks {
        let status = serde_json::to_value(c.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        s.push_str(&format!("{:<w$}  {:<6}  {}\n", c.id, status, c.message));
        for e in c.evidence.iter().skip(1).take(4) {
            s.push_str(&format!("{:<w$}  {:<6}    {e}\n", "", ""));
        }
    }
    let count = |st: Status| checks.iter().filter(|c| c.status == st).count();
    s.push_str(&format!(
        "checks: {} pass, {} fail, {} error, {} skip\n",
        count(Status::Pass),
        count(Status::Fail),
        count(Status::Error),
        count(Status::Skip)
    ));
    s
}

/// The report of the static checks: the same constructor, and so the same verdict rule, as a
/// run's, with no load.
fn static_report(checks: Vec<Check>) -> Report {
    let summary = RunSummary {
        scenario: "check".into(),
        started_at: chrono::Utc::now(),
        time_scale: 1.0,
        clock: Default::default(),
        deviations: Vec::new(),
        load: LoadReport::default(),
        interrupted: false,
        component_down: None,
    };
    let judgement = crate::check::Judgement {
        checks,
        ..crate::check::Judgement::default()
    };
    Report::from_run(summary, judgement, None)
}

fn write_report(dir: &Path, report: &Report) -> Result<(), AppError> {
    // The same writers as `obsgate run`: report.json, report.md, junit.xml, report.html.
    crate::report::write_report(dir, report).map_err(|e| {
        AppError::harness(format!(
            "cannot write the report into {}: {e}",
            dir.display()
        ))
    })
}
