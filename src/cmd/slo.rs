//! `obsgate slo generate`: read an SLO file, write its rule file (`--check`: compare instead).
//! The rules come from `crate::slo::generate`; this file only reads, writes and reports.

use std::path::{Path, PathBuf};

use crate::cli::{SloArgs, SloCommand, SloGenerateArgs};
use crate::exit::{AppError, AppResult, Outcome};
use crate::slo::generate;

/// Entry point of `obsgate slo`.
pub async fn run(args: SloArgs) -> AppResult {
    match args.command {
        SloCommand::Generate(g) => generate_cmd(&g),
    }
}

/// The rule file an SLO file generates by default: `slo-rules.yaml` beside it.
pub fn default_out(slos: &Path) -> PathBuf {
    slos.with_file_name("slo-rules.yaml")
}

fn generate_cmd(args: &SloGenerateArgs) -> AppResult {
    let set = crate::slo::load(&args.slos)?;
    let out = args.out.clone().unwrap_or_else(|| default_out(&args.slos));
    let name = args.slos.file_name().map_or_else(
        || args.slos.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let text = generate::rules_file(&set, &name);
    let current = std::fs::read_to_string(&out).ok();
    if args.check {
        return Ok(if current.as_deref() == Some(text.as_str()) {
            println!(
                "{} is up to date with {}",
                out.display(),
                args.slos.display()
            );
            Outcome::Pass
        } else {
            eprintln!(
                "{} is out of date with {}: run `obsgate slo generate --slos {}`",
                out.display(),
                args.slos.display(),
                args.slos.display()
            );
            Outcome::Fail
        });
    }
    if current.as_deref() != Some(text.as_str()) {
        crate::util::write_atomic(&out, text.as_bytes())
            .map_err(|e| AppError::harness(format!("{}: {e}", out.display())))?;
    }
    let alerts: usize = set.slos.iter().map(|s| s.tiers.len()).sum();
    println!(
        "{}: {} SLOs, {alerts} burn-rate alerts (a page suppresses the tickets of its SLO with this inhibit rule in alertmanager.yml:\n{})",
        out.display(),
        set.slos.len(),
        generate::INHIBIT_RULE.trim_end()
    );
    Ok(Outcome::Pass)
}
