//! One file per subcommand. Each exposes `async fn run(args) -> AppResult`. The files do not
//! import each other; what two of them share ([`publish`]) lives here.
pub mod check;
pub mod checks;
pub mod health;
pub mod report;
pub mod run;
pub mod slo;
pub mod stub;

use std::path::Path;

use crate::cli::OutputFormat;
use crate::exit::{AppError, AppResult, Outcome};
use crate::report::model::Report;
use crate::verdict::Verdict;

/// Write a run's (or a merge's) report files into `dir`, print the summary (or the JSON) and
/// the report path, and pick the exit code from the verdict.
pub(crate) fn publish(dir: &Path, report: &Report, output: OutputFormat) -> AppResult {
    crate::report::write_report(dir, report).map_err(|e| {
        AppError::harness(format!(
            "cannot write the report into {}: {e}",
            dir.display()
        ))
    })?;
    match output {
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
