//! Thin entry point: parse the command line, hand over to [`obsgate::app::run`], map the
//! outcome to the process exit code (see `obsgate::exit`).
use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = obsgate::cli::Cli::parse();
    obsgate::app::main(cli).into()
}
