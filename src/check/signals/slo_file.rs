//! One `kind: slo` file against a run: its events counted per phase, the alert expectations
//! derived from them judged like any alerts file, then the SLO checks of [`super::slo`].

use super::slo::{COUNTS, DETECT, KIND, PhaseSpan, SloInput, derive, finish, two_polls_s};
use crate::evidence::{AlertTiming, SloReport};
use crate::expect::slo::SloExpectations;
use crate::verdict::Check;

/// A file whose events could not be counted: every tier's checks are errors with the cause.
pub fn not_counted(exp: &SloExpectations, why: &str) -> Vec<Check> {
    let mut out = vec![Check::error(COUNTS, KIND, why.to_string())];
    for t in &exp.tiers {
        out.push(Check::error(
            format!("{DETECT}.{}", t.alert),
            KIND,
            format!("not observed: {why}"),
        ));
    }
    out
}

/// One SLO file against the run: the derived alert expectations judged like any alerts file,
/// then the SLO checks. Gives the checks, the alert timings and the report's SLO section.
pub fn judge_file(
    exp: &SloExpectations,
    seen: &crate::evidence::SloSeen,
    plan_phases: &[PhaseSpan],
    phases: &[crate::evidence::PhaseWindow],
    run_start_unix_ms: i64,
) -> (Vec<Check>, Vec<AlertTiming>, Option<SloReport>) {
    let counts = match &seen.counts {
        Ok(c) => c.as_slice(),
        Err(why) => return (not_counted(exp, why), Vec::new(), None),
    };
    let (stack_delay_s, clock_scale) = match &seen.alerts {
        crate::evidence::AlertsSeen::Watched {
            timing,
            clock_scale,
            ..
        } => (
            timing
                .as_ref()
                .map_or(0.0, |t| t.scrape_interval_s + t.evaluation_interval_s),
            *clock_scale,
        ),
        crate::evidence::AlertsSeen::NotWatched(_) => (0.0, 1.0),
    };
    let stack_delay_s = stack_delay_s + two_polls_s(clock_scale) + exp.event_lag_s;
    let input = SloInput {
        exp,
        counts,
        phases: plan_phases,
        stack_delay_s,
    };
    let (alert_exps, tiers, budgets) = derive(&input);
    let (mut checks, timings) =
        crate::check::judge::alerts(&alert_exps, &seen.alerts, phases, run_start_unix_ms);
    // Which SLO alerts may fire is `slo.unexpected`'s to judge, over the SLO file's alerts only.
    checks.retain(|c| c.id != crate::check::signals::alerts::UNEXPECTED);
    let timings: Vec<AlertTiming> = timings
        .into_iter()
        .filter(|t| alert_exps.alerts.iter().any(|e| e.alert == t.alert))
        .collect();
    let obs = match &seen.alerts {
        crate::evidence::AlertsSeen::Watched {
            observations,
            clock_scale,
            ..
        } => crate::check::alert_clock::AlertClock {
            start_unix_ms: run_start_unix_ms,
            scale: *clock_scale,
        }
        .observations(observations),
        crate::evidence::AlertsSeen::NotWatched(_) => return (checks, timings, None),
    };
    let (more, report) = finish(&input, &obs, (tiers, budgets), &timings, run_start_unix_ms);
    checks.extend(more);
    (checks, timings, Some(report))
}
