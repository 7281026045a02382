//! `obsgate run`: arguments → validated plan and environment → [`crate::run::execute`] →
//! report files, the summary on stdout and the exit code. Everything between is `src/run/`.

use tokio::sync::watch;

use crate::cli::RunArgs;
use crate::exit::AppResult;
use crate::expect::ExpectationSet;
use crate::report::model::Report;
use crate::run::RunEnv;

/// Entry point of `obsgate run`.
pub async fn run(args: RunArgs) -> AppResult {
    let (plan, mut env) = crate::run::prepare(&args)?;
    let mut exps = ExpectationSet::load(&plan.expectations)?;
    let phase_names: Vec<&str> = plan.phases.iter().map(|p| p.name.as_str()).collect();
    exps.validate_phases(&phase_names)?;
    if let Some(d) = crate::run::shard::leave_stack_to_shard_zero(&plan, &mut exps, &mut env) {
        env.deviations.push(d);
    }
    let (stop_tx, stop_rx) = watch::channel(false);
    let (abandon_tx, abandon_rx) = tokio::sync::oneshot::channel::<()>();
    let signals = tokio::spawn(interrupts(stop_tx, abandon_tx));
    let report = tokio::select! {
        r = crate::run::execute(&plan, &exps, &env, stop_rx) => r,
        // Dropping the run's future stops what it started (children are killed on drop).
        Ok(()) = abandon_rx => Ok(abandoned(&plan, &env)),
    };
    signals.abort();
    finish(&args, &env, &report?)
}

/// The first Ctrl-C stops the schedule (in-flight jobs get a grace, then the run is observed
/// and judged as usual, `incomplete`); a second one abandons the run at once. One SIGINT
/// stream serves both, so a second signal arriving while the first is handled is not lost.
async fn interrupts(stop: watch::Sender<bool>, abandon: tokio::sync::oneshot::Sender<()>) {
    use tokio::signal::unix::{SignalKind, signal};
    let Ok(mut sigint) = signal(SignalKind::interrupt()) else {
        return;
    };
    if sigint.recv().await.is_none() {
        return;
    }
    eprintln!(
        "\nobsgate: interrupted; stopping the schedule and waiting for in-flight jobs (Ctrl-C again to abandon)"
    );
    let _ = stop.send(true);
    if sigint.recv().await.is_some() {
        eprintln!("\nobsgate: interrupted again; abandoning the run and writing what it has");
        let _ = abandon.send(());
    }
}

/// The report of a run abandoned by a second Ctrl-C: `incomplete`, with the scenario and why,
/// and no verdict on anything, since nothing was collected.
fn abandoned(plan: &crate::scenario::Plan, env: &RunEnv) -> Report {
    let mut deviations = env.deviations.clone();
    deviations.push(
        "interrupted twice: the run was abandoned before its observations were collected; no check was judged"
            .to_string(),
    );
    let summary = crate::report::model::RunSummary {
        scenario: plan.name.clone(),
        started_at: env.started_at,
        time_scale: plan.time_scale,
        clock: Default::default(),
        deviations,
        load: Default::default(),
        interrupted: true,
        component_down: None,
    };
    let mut report = Report::from_run(summary, Default::default(), None);
    // A managed stack's state (its configs redacted once it was ready) stays for inspection.
    let data = env.report_dir.join(crate::stack::managed::RUN_DIR_NAME);
    if data.is_dir() {
        report.kept_stack_data = Some(data.display().to_string());
    }
    report
}

/// Write the report files, print the summary and the report path, and pick the exit code.
fn finish(args: &RunArgs, env: &RunEnv, report: &Report) -> AppResult {
    super::publish(&env.report_dir, report, args.output)
}
