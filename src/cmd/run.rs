//! `obsgate run`: scenario → plan → target (own stub child or `--target`) → load, phase by
//! phase with the phase's fault profile → report (json, md, junit) → summary and exit code.
//! The flow is split into [`prepare`], [`start_target`], [`drive`] and [`finish`] so
//! observation (scrapes, traces, logs, alerts) can hook in between; the load's whole result is
//! one [`LoadOutcome`] value.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::check::signals::facts::RunFacts;
use crate::cli::{OutputFormat, RunArgs};
use crate::cmd::run_signals::{Expectations, LogFeed, Receiver, Scrapes, metric_and_trace_checks};
use crate::cmd::run_stack::{RunStack, StackResults};
use crate::evidence::LoadOutcome;
use crate::evidence::LoadReport;
use crate::exit::{AppError, AppResult, Outcome};
use crate::load::{ExecOptions, StubChild, StubDriver, StubOptions};
use crate::report::model::{Report, SCHEMA_VERSION};
use crate::scenario::{Plan, load_scenario};
use crate::verdict::Kind;
use crate::verdict::{Check, Status, Verdict};

/// Wall time to wait for in-flight jobs after Ctrl-C.
const INTERRUPT_GRACE: Duration = Duration::from_secs(5);
/// Wall time a probe of `--target` may take before the target counts as unreachable.
const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// Everything decided before anything runs.
#[derive(Debug)]
pub struct Prepared {
    pub args: RunArgs,
    pub plan: Plan,
    pub report_dir: PathBuf,
    pub started_at: chrono::DateTime<chrono::Utc>,
    /// Ways this run deviates from the scenario as written (e.g. a `--time-scale` override).
    pub deviations: Vec<String>,
}

/// What the load is driven against.
#[derive(Debug)]
pub struct Target {
    /// `http://host:port`, no trailing slash.
    pub base_url: String,
    /// The stub child, when obsgate started one (its stdout can be taken for log capture).
    pub stub: Option<StubChild>,
}

/// Entry point of `obsgate run`.
pub async fn run(args: RunArgs) -> AppResult {
    let prep = prepare(args)?;
    let exps = Expectations::load(&prep.plan.expectations)?;
    let phase_names: Vec<&str> = prep.plan.phases.iter().map(|p| p.name.as_str()).collect();
    for (_, a) in &exps.alerts {
        a.validate_phases(&phase_names)?;
    }
    // The receiver must exist before the stub starts: the stub is told where to export. With
    // --jaeger-url the traces are read back from Jaeger instead, and a started stub exports
    // where the OTEL_* environment says (Jaeger's collector).
    let receiver = match (&prep.args.target, &prep.args.jaeger_url) {
        (None, None) => Some(Receiver::start().await?),
        _ => None,
    };
    let mut target = start_target(&prep, receiver.as_ref().map(|r| r.endpoint.clone())).await?;
    let mut stack = match RunStack::open(&prep, &exps, &target.base_url).await {
        Ok(s) => s,
        Err(e) => {
            stop_target(&mut target).await;
            return Err(e);
        }
    };
    let stdout = target.stub.as_mut().and_then(|s| s.take_stdout());
    let scrapes = Scrapes::start(&target.base_url);
    let (stop_tx, stop_rx) = watch::channel(false);
    let ctrl_c = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!(
                "\nobsgate: interrupted; stopping the schedule and waiting for in-flight jobs"
            );
            let _ = stop_tx.send(true);
        }
    });
    let mut feed = LogFeed::new(&exps);
    let (logs_done_tx, logs_done_rx) = tokio::sync::oneshot::channel::<()>();
    // Logs are read in this task, beside the load: the checker streams them (bounded memory)
    // and borrows the expectations, so it cannot move into a spawned task.
    let logs = crate::cmd::run_signals::capture_logs(
        stdout,
        prep.args.logs.as_deref(),
        &mut feed,
        logs_done_rx,
    );
    let main = async {
        let outcome = drive(&prep, &mut target, stop_rx).await;
        // Judged while the target still runs: alerts must see it recover.
        let stack_results = match &outcome {
            Ok(o) => {
                let windows = crate::cmd::run_stack::phase_windows(&prep, o);
                let start_ms = i64::try_from(o.started_unix_nano / 1_000_000).unwrap_or(0);
                stack
                    .after_load(
                        &prep,
                        &exps,
                        &target.base_url,
                        &windows,
                        start_ms,
                        o.interrupted,
                    )
                    .await
            }
            Err(_) => StackResults::default(),
        };
        stack.stop().await;
        let scrape_log = scrapes.finish().await;
        // Stopping the stub flushes its last trace batches and closes its stdout.
        stop_target(&mut target).await;
        let _ = logs_done_tx.send(());
        (outcome, scrape_log, stack_results)
    };
    let (logs_result, (outcome, scrape_log, stack_results)) = tokio::join!(logs, main);
    ctrl_c.abort();
    let outcome = outcome?;
    let mut spans = match receiver {
        Some(r) => r.finish().await,
        None => Vec::new(),
    };
    let mut trace_checks = Vec::new();
    if let Some(j) = &prep.args.jaeger_url {
        let (s, c) = crate::cmd::run_signals::jaeger_spans(j, &outcome.jobs).await;
        spans = s;
        trace_checks.extend(c);
    }
    let end_ns = crate::util::unix_nanos_now();
    let phase_faults: Vec<(String, crate::stub::faults::FaultProfile)> = prep
        .plan
        .phases
        .iter()
        .map(|p| (p.name.clone(), p.faults.clone()))
        .collect();
    let mut facts = RunFacts::from_jobs(
        &outcome.jobs,
        &phase_faults,
        outcome.started_unix_nano,
        end_ns,
        prep.args.target.is_none() && prep.args.stub_defects.is_empty(),
    );
    facts.jobs_complete = outcome.jobs_not_kept == 0;
    facts.time_scale = prep.plan.time_scale;
    let mut checks = crate::check::signals::load::load_checks(&prep.plan, &outcome);
    if let Err(e) = logs_result {
        checks.push(Check::error("logs.capture", Kind::Logs, e));
    }
    checks.extend(feed.finish(&facts));
    checks.extend(metric_and_trace_checks(&exps, &scrape_log, &spans, &facts));
    checks.extend(trace_checks);
    checks.extend(stack_results.checks);
    if !exps.alerts.is_empty() && stack.session.prometheus_url().is_none() {
        // Skipped alert checks must not let a scenario that expects alerts pass.
        checks.push(Check::error(
            "alerts.stack",
            Kind::Alerts,
            "the scenario expects alerts but no Prometheus/Alertmanager was observed (--stack none or binaries missing): alert expectations were not checked",
        ));
    }
    let mut report = build_report(&prep, &target, &outcome, checks);
    report.alerts = stack_results.alerts;
    report.deviations.extend(stack_results.deviations);
    crate::report::criteria::apply(
        &mut report,
        exps.acceptance.as_ref().map(|(_, a)| a),
        outcome.interrupted,
    );
    finish(&prep, &report)
}

/// Read and validate the scenario and the flags (exit 2 on any problem; nothing runs).
pub fn prepare(args: RunArgs) -> Result<Prepared, AppError> {
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
    if let Some(t) = &args.target {
        check_target_url(t, args.allow_remote)?;
    }
    let started_at = chrono::Utc::now();
    let report_dir = args.report_dir.clone().unwrap_or_else(|| {
        PathBuf::from("reports").join(format!(
            "{}-{}",
            plan.name,
            started_at.format("%Y%m%dT%H%M%SZ")
        ))
    });
    Ok(Prepared {
        args,
        plan,
        report_dir,
        started_at,
        deviations,
    })
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

/// Start the stub child, or probe `--target` (exit 3 quickly when it does not answer).
pub async fn start_target(
    prep: &Prepared,
    otlp_endpoint: Option<String>,
) -> Result<Target, AppError> {
    if let Some(url) = &prep.args.target {
        let base = url.trim_end_matches('/').to_string();
        probe(&base).await?;
        return Ok(Target {
            base_url: base,
            stub: None,
        });
    }
    let opts = StubOptions {
        time_scale: prep.plan.time_scale,
        defects: prep.args.stub_defects.clone(),
        seed: prep.plan.seed,
        otlp_endpoint,
        ..StubOptions::default()
    };
    let stub = tokio::task::spawn_blocking(move || StubChild::spawn(&opts))
        .await
        .map_err(|e| AppError::harness(format!("cannot start the stub: {e}")))??;
    Ok(Target {
        base_url: stub.base_url().to_string(),
        stub: Some(stub),
    })
}

/// Any HTTP answer proves the target is there; a refused or silent connection does not.
async fn probe(base: &str) -> Result<(), AppError> {
    let client = reqwest::Client::builder()
        .timeout(PROBE_TIMEOUT)
        .build()
        .map_err(|e| AppError::harness(format!("cannot build the HTTP client: {e}")))?;
    let url = format!("{base}/admin/faults");
    match client.get(&url).send().await {
        Ok(_) => Ok(()),
        Err(e) => Err(AppError::harness(format!(
            "target {base} is unreachable ({}: {e}); start it (`obsgate stub --listen ...`) or omit --target to let obsgate start its own",
            crate::load::driver::reason_of(&e)
        ))),
    }
}

/// Run the plan's load against the target until it ends or `stop` turns true.
pub async fn drive(
    prep: &Prepared,
    target: &mut Target,
    stop: watch::Receiver<bool>,
) -> Result<LoadOutcome, AppError> {
    if let Some(stub) = &mut target.stub {
        stub.drain_untaken_stdout();
    }
    let driver =
        StubDriver::new(&target.base_url, prep.plan.max_in_flight).map_err(AppError::harness)?;
    let opts = ExecOptions {
        grace: INTERRUPT_GRACE,
        progress: !prep.args.quiet && std::io::stderr().is_terminal(),
        ..ExecOptions::default()
    };
    Ok(crate::load::execute(&prep.plan, Arc::new(driver), stop, opts).await)
}

/// Stop the stub child (if any), gracefully.
pub async fn stop_target(target: &mut Target) {
    if let Some(mut stub) = target.stub.take() {
        let _ = tokio::task::spawn_blocking(move || stub.shutdown(Duration::from_secs(12))).await;
    }
}

/// The report of a run from its load outcome and every check.
pub fn build_report(
    prep: &Prepared,
    target: &Target,
    outcome: &LoadOutcome,
    checks: Vec<Check>,
) -> Report {
    let verdict = if outcome.interrupted {
        Verdict::Incomplete
    } else if checks
        .iter()
        .any(|c| matches!(c.status, Status::Fail | Status::Error))
    {
        Verdict::Fail
    } else {
        Verdict::Pass
    };
    let mut deviations = prep.deviations.clone();
    if outcome.jobs_not_kept > 0 {
        deviations.push(format!(
            "{} job records beyond the cap were counted but not kept for telemetry comparison",
            outcome.jobs_not_kept
        ));
    }
    Report {
        schema_version: SCHEMA_VERSION,
        scenario: prep.plan.name.clone(),
        verdict,
        started_at: prep
            .started_at
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        finished_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        obsgate_version: env!("CARGO_PKG_VERSION").to_string(),
        time_scale: prep.plan.time_scale,
        deviations,
        load: LoadReport {
            target: target.base_url.clone(),
            phases: outcome.phases.clone(),
            timeline: outcome.timeline.clone(),
        },
        checks,
        alerts: Vec::new(),
        criteria: Vec::new(),
    }
}

/// Write the report files, print the summary and the report path, and pick the exit code.
pub fn finish(prep: &Prepared, report: &Report) -> AppResult {
    crate::report::write_report(&prep.report_dir, report).map_err(|e| {
        AppError::harness(format!(
            "cannot write the report into {}: {e}",
            prep.report_dir.display()
        ))
    })?;
    match prep.args.output {
        OutputFormat::Json => match crate::report::json::render_json(report) {
            Ok(s) => print!("{s}"),
            Err(e) => return Err(AppError::harness(format!("cannot render the report: {e}"))),
        },
        OutputFormat::Human => print!("{}", summary(report)),
    }
    println!("report: {}", prep.report_dir.display());
    Ok(match report.verdict {
        Verdict::Pass => Outcome::Pass,
        Verdict::Fail | Verdict::Incomplete => Outcome::Fail,
    })
}

/// A few lines for the terminal.
pub fn summary(r: &Report) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    let _ = writeln!(o, "scenario {}: {:?}", r.scenario, r.verdict);
    for p in &r.load.phases {
        let _ = writeln!(
            o,
            "  {:<16} target {:>9.3}/s achieved {:>9.3}/s  sent {:>7} ok {:>7} failed {:>6} dropped {:>5} late {:>5}  p99 {:>8.1} ms  job p99 {:>7.1} s",
            p.name,
            p.target_rate,
            p.achieved_rate,
            p.sent,
            p.succeeded,
            p.failed,
            p.dropped,
            p.late,
            p.latency_ms.p99,
            p.job_time_s.p99
        );
    }
    let failing = r.failing();
    let _ = writeln!(
        o,
        "  checks: {} total, {} failing",
        r.checks.len(),
        failing.len()
    );
    for c in failing {
        let _ = writeln!(o, "  FAIL {}: {}", c.id, c.message);
    }
    o
}
