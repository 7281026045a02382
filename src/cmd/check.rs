//! `obsgate check`: read the stack's config files ([`StackConfig::load`]), run promtool/amtool
//! when present ([`StackTools::gather`]), judge them with the pure checks of
//! [`crate::check::config`], print a table (or report.json) and exit:
//! - 0: no failure (warnings are advice, unless `--fail-on warn`);
//! - 1: a finding failed, syntax errors of the checked files included;
//! - 2: a usage error or a broken input of obsgate's own (a missing folder, expectations that
//!   do not parse); nothing was judged;
//! - 3: a check could not run (a validator crashed), or the report cannot be written.

use std::path::{Path, PathBuf};

use crate::check::config::{JudgeOptions, judge_static};
use crate::cli::{CheckArgs, FailOn, OutputFormat};
use crate::config::policy::{Policy, load_policy};
use crate::config::stack::{NamedInputs, StackPaths};
use crate::evidence::LoadReport;
use crate::exit::{AppError, AppResult, Outcome};
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
    /// The policy file's exceptions.
    pub policy: Policy,
}

impl StaticOptions {
    /// The options of `args`, with the policy file read (`--policy`, else `obsgate.yaml` in
    /// the config folder, else in the working folder). A broken policy file is a usage error.
    fn from_args(args: &CheckArgs, paths: &StackPaths) -> Result<Self, AppError> {
        let found = args.policy.clone().or_else(|| {
            let beside = paths
                .named
                .is_none()
                .then(|| paths.config_dir.join(POLICY_FILE));
            beside
                .into_iter()
                .chain([PathBuf::from(POLICY_FILE)])
                .find(|p| p.is_file())
        });
        let policy = match found {
            None => Policy::default(),
            Some(p) => load_policy(&p).map_err(|errs| {
                let lines: Vec<String> = errs.iter().map(ToString::to_string).collect();
                AppError::usage(lines.join("\n"))
            })?,
        };
        Ok(Self {
            no_tools: args.no_tools,
            known_metrics: args.known_metrics.clone(),
            policy,
        })
    }
}

/// The policy file looked for when `--policy` is not given.
const POLICY_FILE: &str = "obsgate.yaml";

/// The folder of the stack's layout when none is given.
const DEFAULT_CONFIG_DIR: &str = "config";
/// The expectations folder read when it exists and no files are named.
const DEFAULT_EXPECT_DIR: &str = "expectations";

/// Turn the arguments into the files to read: the stack's layout under `--config-dir`, or only
/// the named files; the contract checks with an expectations folder. Usage errors: a folder
/// that does not exist, or both forms at once.
pub fn stack_paths(args: &CheckArgs) -> Result<StackPaths, AppError> {
    let named =
        (!args.rules.is_empty() || !args.dashboards.is_empty() || args.alertmanager.is_some())
            .then(|| NamedInputs {
                rules: args.rules.clone(),
                dashboards: args.dashboards.clone(),
                alertmanager: args.alertmanager.clone(),
            });
    if let (Some(_), Some(dir)) = (&named, &args.config_dir) {
        return Err(AppError::usage(format!(
            "--config-dir `{}` and --rules/--dashboards/--alertmanager exclude each other: \
             check a stack's layout, or the files named",
            dir.display()
        )));
    }
    let config_dir = args
        .config_dir
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_CONFIG_DIR));
    if named.is_none() && !config_dir.is_dir() {
        return Err(AppError::usage(format!(
            "config folder `{}` does not exist (use --config-dir, or name files with --rules \
             and --dashboards)",
            config_dir.display()
        )));
    }
    if let Some(am) = args.alertmanager.as_ref().filter(|p| !p.is_file()) {
        return Err(AppError::usage(format!(
            "--alertmanager `{}` is not a file",
            am.display()
        )));
    }
    let (expect_dir, contract) = match &args.expect_dir {
        Some(d) if !d.is_dir() => {
            return Err(AppError::usage(format!(
                "expectations folder `{}` does not exist (--expect-dir)",
                d.display()
            )));
        }
        Some(d) => (d.clone(), true),
        None => {
            let d = PathBuf::from(DEFAULT_EXPECT_DIR);
            let contract = named.is_none() && d.is_dir();
            (d, contract)
        }
    };
    Ok(StackPaths {
        config_dir,
        expect_dir,
        compose: args.compose.clone(),
        docs_dir: args.docs_dir.clone(),
        named,
        contract,
    })
}

/// Entry point of `obsgate check`.
pub async fn run(args: CheckArgs) -> AppResult {
    let paths = stack_paths(&args)?;
    let opts = StaticOptions::from_args(&args, &paths)?;
    let (checks, bad_input) = static_checks(&paths, &opts).await?;
    finish(&args, checks, bad_input)
}

/// Every static check of `obsgate check` (rules, routes, dashboards, compose, docs), off the
/// async workers: `obsgate run` adds them to a run's report when its acceptance file asks.
/// Returns the checks and obsgate's own inputs that were broken.
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
        policy: opts.policy.clone(),
    };
    judge_static(&inputs, &judge_opts)
}

fn finish(args: &CheckArgs, checks: Vec<Check>, bad_input: Vec<String>) -> AppResult {
    if !bad_input.is_empty() {
        // Nothing can be judged against broken expectations: no report, exit 2.
        return Err(AppError::usage(bad_input.join("\n")));
    }
    let report = static_report(checks, args.fail_on);
    let text = match args.output {
        // Exactly report.json: the same contract, the same bytes.
        OutputFormat::Json => crate::report::json::render_json(&report)
            .map_err(|e| AppError::harness(format!("cannot render the report: {e}")))?,
        OutputFormat::Human => table(&report.checks),
    };
    // A closed pipe (`obsgate check | head`) is not an error of the checks.
    let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes());
    let dir = args.report_dir.clone().unwrap_or_else(|| {
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
        PathBuf::from("reports").join(format!("check-{stamp}"))
    });
    write_report(&dir, &report)?;
    Ok(match report.verdict {
        Verdict::Pass => Outcome::Pass,
        Verdict::Fail => Outcome::Fail,
        Verdict::Incomplete => Outcome::Harness,
    })
}

/// Evidence lines the human table shows per check; report.md and report.json have them all.
const SHOWN_EVIDENCE: usize = 5;

/// The human table: id, status, message, the first evidence lines; then a count line.
pub fn table(checks: &[Check]) -> String {
    let w = checks.iter().map(|c| c.id.len()).max().unwrap_or(2).max(2);
    let mut s = format!("{:<w$}  {:<6}  message\n", "id", "status");
    for c in checks {
        let status = serde_json::to_value(c.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        s.push_str(&format!("{:<w$}  {:<6}  {}\n", c.id, status, c.message));
        if c.status == Status::Pass {
            continue;
        }
        for e in c.evidence.iter().take(SHOWN_EVIDENCE) {
            s.push_str(&format!("{:<w$}  {:<6}    {e}\n", "", ""));
        }
        if c.evidence.len() > SHOWN_EVIDENCE {
            let more = c.evidence.len() - SHOWN_EVIDENCE;
            s.push_str(&format!(
                "{:<w$}  {:<6}    … and {more} more (report.md)\n",
                "", ""
            ));
        }
    }
    let count = |st: Status| checks.iter().filter(|c| c.status == st).count();
    s.push_str(&format!(
        "checks: {} pass, {} fail, {} warn, {} error, {} skip\n",
        count(Status::Pass),
        count(Status::Fail),
        count(Status::Warn),
        count(Status::Error),
        count(Status::Skip)
    ));
    s
}

/// The report of the static checks: the same constructor, and so the same verdict rule, as a
/// run's, with no load. With `--fail-on warn`, a warning fails the verdict too.
fn static_report(checks: Vec<Check>, fail_on: FailOn) -> Report {
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
    let warned = checks.iter().any(|c| c.status == Status::Warn);
    let judgement = crate::check::Judgement {
        checks,
        ..crate::check::Judgement::default()
    };
    let mut report = Report::from_run(summary, judgement, None);
    if fail_on == FailOn::Warn && warned && report.verdict == Verdict::Pass {
        report.verdict = Verdict::Fail;
    }
    report
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
