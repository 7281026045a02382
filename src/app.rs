//! Dispatch of subcommands. Each subcommand lives in [`crate::cmd`]; this file only builds the
//! runtime, calls it and turns errors into exit codes.

use crate::cli::{Cli, Command};
use crate::exit::Outcome;

/// Run the parsed command line and return the outcome that becomes the exit code.
pub fn main(cli: Cli) -> Outcome {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("obsgate: cannot start the async runtime: {e}");
            return Outcome::Harness;
        }
    };
    let result = rt.block_on(async move {
        match cli.command {
            Command::Run(args) => crate::cmd::run::run(args).await,
            Command::Stub(args) => crate::cmd::stub::run(args).await,
            Command::Check(args) => crate::cmd::check::run(args).await,
            Command::Health(args) => crate::cmd::health::run(args).await,
            Command::Report(args) => crate::cmd::report::run(args).await,
            Command::Checks(args) => crate::cmd::checks::run(args).await,
            Command::Slo(args) => crate::cmd::slo::run(args).await,
        }
    });
    match result {
        Ok(outcome) => outcome,
        Err(e) => {
            eprintln!("obsgate: {e}");
            e.outcome
        }
    }
}
