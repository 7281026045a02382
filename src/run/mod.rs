//! `obsgate run` as values. A scenario's [`Plan`] and its [`ExpectationSet`] open a
//! [`Session`] (target, stack, observers); observing it gives one [`Evidence`];
//! [`crate::check::judge`] turns that into checks; [`Report::from_run`] into the report.
//! See `docs/ARCHITECTURE.md` for the walk through the files.
//!
//! - [`env`]: the validated arguments ([`RunEnv`]), made at the edge;
//! - [`target`]: the stub child or `--target`, and driving the load against it;
//! - [`stack`]: Prometheus/Alertmanager for the run, observed after the load;
//! - [`observers`]: the OTLP receiver, scrapes, log capture, the Jaeger read-back;
//! - [`coverage`]: the stack's files and recorded series, for the coverage section;
//! - [`session`]: all of the above, opened and observed together;
//! - [`shard`]: `--shard I/N`, its slice of the plan and the partial report's section.

pub mod coverage;
pub mod env;
pub mod observers;
pub mod session;
pub mod shard;
pub mod stack;
pub mod target;

use tokio::sync::watch;

pub use env::{RunEnv, prepare};
pub use session::Session;

use crate::check::signals::log_feed::LogFeed;
use crate::check::signals::trace_feed::TraceFeed;
use crate::evidence::{AlertsSeen, ClockReport, Evidence, LoadReport};
use crate::exit::AppError;
use crate::expect::ExpectationSet;
use crate::report::model::{Report, RunSummary};
use crate::scenario::Plan;

/// How long an ended job waits for its last lines when they are tailed from `--logs FILE`:
/// another process writes that file, perhaps through a buffer or a shipper, so its lines can
/// come seconds after the job's end, where the stub's own pipe delivers them at once.
const LOG_FILE_SETTLE: std::time::Duration = std::time::Duration::from_secs(30);
/// How long a job's end waits for its last spans from a `--target`: an OpenTelemetry SDK's
/// batch span processor exports every 5 s by default, and retries a failed export, where the
/// stub posts a batch at most 200 ms after its oldest span.
const TARGET_SPAN_SETTLE: std::time::Duration = std::time::Duration::from_secs(15);

/// Run `plan` against its expectations and return the report. `shutdown` turning true stops
/// the schedule (in-flight jobs get a grace), and the report is then `incomplete`.
pub async fn execute(
    plan: &Plan,
    exps: &ExpectationSet,
    env: &RunEnv,
    shutdown: watch::Receiver<bool>,
) -> Result<Report, AppError> {
    let session = Session::open(plan, exps, env).await?;
    let mut logs = LogFeed::new(exps, plan.job_timeout_wall());
    if env.logs.is_some() {
        logs = logs.with_settle(LOG_FILE_SETTLE);
    }
    let mut traces = TraceFeed::new(exps, plan.job_timeout_wall(), session.trace_source(env));
    if env.target.is_some() {
        traces = traces.with_settle(TARGET_SPAN_SETTLE);
    }
    let evidence = session
        .observe(plan, exps, env, &mut logs, &mut traces, shutdown)
        .await?;
    let mut judgement = crate::check::judge(plan, exps, &evidence, logs, traces);
    if let Some(s) = &plan.shard {
        let once = crate::check::signals::shard::on_shard(s.index, s.count);
        judgement.checks.push(once);
    }
    let summary = RunSummary {
        scenario: plan.name.clone(),
        started_at: env.started_at,
        time_scale: plan.time_scale,
        clock: clock_report(plan, &evidence),
        deviations: deviations(env, &evidence),
        load: LoadReport {
            target: evidence.context.target_url.clone(),
            phases: evidence.outcome.phases.clone(),
            timeline: evidence.outcome.timeline.clone(),
        },
        interrupted: evidence.outcome.interrupted || evidence.death.is_some(),
        component_down: evidence.death.as_ref().map(|d| {
            let phases = crate::check::judge::phase_windows(plan, &evidence.outcome);
            crate::check::signals::death::cause(d, &phases, plan.time_scale)
        }),
    };
    let mut report = Report::from_run(summary, judgement, exps.acceptance.as_ref().map(|(_, a)| a));
    report.shard = shard::section(plan, &evidence.outcome);
    if let Some(dir) = &evidence.stack.run_dir {
        keep_or_remove(dir, &mut report);
    }
    Ok(report)
}

/// A passing run leaves no stack state behind; any other keeps it, named in the report, for
/// whoever debugs it (Prometheus's TSDB holds every series the run produced).
fn keep_or_remove(dir: &std::path::Path, report: &mut Report) {
    if report.verdict == crate::verdict::Verdict::Pass {
        if let Err(e) = std::fs::remove_dir_all(dir) {
            report.deviations.push(format!(
                "the stack's state folder {} could not be removed: {e}",
                dir.display()
            ));
        }
    } else {
        // Its configs were redacted when the stack became ready (`ManagedStack::start`).
        report.kept_stack_data = Some(dir.display().to_string());
    }
}

/// The report's clock section: K, the wall and scenario durations, which clock the alerts were
/// judged on, and the managed stack's rewritten rules.
fn clock_report(plan: &Plan, ev: &Evidence) -> ClockReport {
    let started_ms = (ev.outcome.started_unix_nano / 1_000_000) as i64;
    let now_ms = chrono::Utc::now().timestamp_millis();
    let slo_seen = ev.stack.slo.iter().map(|s| &s.alerts);
    let alert_clock = ev
        .stack
        .alerts
        .iter()
        .chain(slo_seen)
        .find_map(|a| match a {
            AlertsSeen::Watched { clock_scale, .. } if *clock_scale == plan.time_scale => {
                Some("scenario")
            }
            AlertsSeen::Watched { .. } => Some("wall"),
            AlertsSeen::NotWatched(_) => None,
        });
    let stack = ev.stack.clock.as_ref();
    ClockReport {
        time_scale: plan.time_scale,
        wall_duration_s: (now_ms - started_ms).max(0) as f64 / 1000.0,
        scenario_duration_s: plan.total_s(),
        alert_clock: alert_clock.unwrap_or("none").to_string(),
        largest_time_scale: stack.and_then(|c| c.largest_time_scale),
        rules: stack.map(|c| c.rewrites.clone()).unwrap_or_default(),
    }
}

/// Every way the run deviated from the scenario and the shipped config.
fn deviations(env: &RunEnv, ev: &Evidence) -> Vec<String> {
    let mut out = env.deviations.clone();
    if ev.outcome.jobs_not_kept > 0 {
        out.push(format!(
            "{} job records beyond the cap were counted but not kept for telemetry comparison",
            ev.outcome.jobs_not_kept
        ));
    }
    if ev.outcome.jobs_not_streamed > 0 {
        out.push(format!(
            "{} job ends could not be handed to the log and trace checks (they fell behind): \
             those jobs' lines and traces were not compared with their outcome, and job ids in \
             the logs unknown to the harness were not judged",
            ev.outcome.jobs_not_streamed
        ));
    }
    out.extend(ev.stack.deviations.iter().cloned());
    out.extend(ev.outage_gaps.iter().cloned());
    out
}
