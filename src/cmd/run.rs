//! `obsgate run`: arguments → validated plan and environment → [`crate::run::execute`] →
//! report files, the summary on stdout and the exit code. Everything between is `src/run/`.

use tokio::sync::watch;

use crate::cli::{OutputFormat, RunArgs};
use crate::exit::{AppError, AppResult, Outcome};
use crate::expect::ExpectationSet;
use crate::report::model::Report;
use crate::run::RunEnv;
use crate::verdict::Verdict;

/// Entry point of `obsgate run`.
pub async fn run(args: RunArgs) -> AppResult {
    let (plan, env) = crate::run::prepare(&args)?;
    let exps = ExpectationSet::load(&plan.expectations)?;
    let phase_names: Vec<&str> = plan.phases.iter().map(|p| p.name.as_str()).collect();
    exps.validate_phases(&phase_names)?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let ctrl_c = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!(
                "\nobsgate: interrupted; stopping the schedule and waiting for in-flight jobs"
            );
            let _ = stop_tx.send(true);
        }
    });
    let report = crate::run::execute(&plan, &exps, &env, stop_rx).await;
    ctrl_c.abort();
    finish(&args, &env, &report?)
}

/// Write the report files, print the summary and the report path, and pick the exit code.
fn finish(args: &RunArgs, env: &RunEnv, report: &Report) -> AppResult {
    let dir = &env.report_dir;
    crate::report::write_report(dir, report).map_err(|e| {
        AppError::harness(format!(
            "cannot write the report into {}: {e}",
            dir.display()
        ))
    })?;
    match args.output {
        OutputFormat::Json => match crate::report::json::render_json(report) {
            Ok(s) => print!("{s}"),
            Err(e) => return Err(AppError::harness(format!("cannot render the report: {e}"))),
        },
        OutputFormat::Human => print!("{}", crate::report::summary::summary(report)),
    }
    println!("report: {}", dir.display());
    Ok(match report.verdict {
        Verdict::Pass => Outcome::Pass,
        Verdict::Fail => Outcome::Fail,
        // No verdict on the thing under test (interrupted, a dead component, a lost
        // observation): the harness's or the stack's problem, not the target's.
        Verdict::Incomplete => Outcome::Harness,
    })
}
