//! Log checks that count lines against a budget: error lines that name no job
//! (`logs.errors_without_job`) and lines per level per scenario second (`logs.rate.<level>`).
//! Pure: they read the counters the streaming [`super::logs::LogChecker`] kept.

use std::collections::BTreeMap;

use crate::verdict::Check;

use super::LOGS;
use super::facts::RunFacts;
use super::log_fields::Offenders;

/// `logs.errors_without_job`: error-level lines that name no job are failures nobody can trace
/// to a request (a crashed worker, a broken exporter); at most `max` of them are allowed.
pub fn unattributed_check(off: &Offenders, max: u64, levels: &str) -> Check {
    let id = "logs.errors_without_job";
    if off.count == 0 {
        return Check::pass(id, LOGS, format!("every {levels} line names its job"));
    }
    Check::from_bool(
        id,
        LOGS,
        off.count <= max,
        format!(
            "{} {levels} lines name no job (allowed {max}); first: {}",
            off.count,
            off.first.clone().unwrap_or_default()
        ),
    )
    .with_evidence(off.samples.clone())
}

/// `logs.rate.<level>` for each limit: average lines per scenario second over the run. Promised
/// rates are per scenario second, so a time-scaled run (which emits k times faster per wall
/// second) is held to the same numbers.
pub fn rate_checks(
    levels: &BTreeMap<String, u64>,
    limits: &[(String, f64)],
    facts: &RunFacts<'_>,
) -> Vec<Check> {
    let secs = facts.scenario_seconds();
    limits
        .iter()
        .map(|(level, max)| {
            let n = levels.get(level).copied().unwrap_or(0);
            let id = format!("logs.rate.{level}");
            if secs <= 0.0 {
                return Check::skip(id, LOGS, "run duration unknown: no rate computed");
            }
            let rate = n as f64 / secs;
            Check::from_bool(
                id,
                LOGS,
                rate <= *max,
                format!(
                    "{n} {level} lines over {secs:.1} scenario s = {rate:.2}/s (limit {max}/s)"
                ),
            )
        })
        .collect()
}
