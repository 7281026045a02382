//! SLO checks of a run (pure): each tier listed in a `kind: slo` file must fire in its phase
//! within its theoretical time to detect at the burn the phase really had, stay silent before
//! it, reach its receivers, and be inhibited while a page of its SLO fires; SLO alerts the file
//! does not list must stay silent. The alert aspects are the alert checks' own, judged on
//! expectations derived here; what is SLO-specific lives beside them in this file.

use std::collections::BTreeMap;

use regex::Regex;

use super::slo_inhibition;
use crate::check::registry::CheckInfo;
use crate::evidence::{
    AlertObservations, AlertState, AlertTiming, SloPhaseBudget, SloPhaseCounts, SloReport,
    SloTierTiming,
};
use crate::expect::alerts::{AlertExpectation, AlertExpectations, UnexpectedPolicy};
use crate::expect::slo::{SloExpectations, TierExpectation};
use crate::verdict::{Check, Kind};

const KIND: Kind = Kind::Slo;
pub const BURN: &str = "slo.burn";
pub const DETECT: &str = "slo.detect";
pub const UNEXPECTED: &str = "slo.unexpected";
pub const COUNTS: &str = "slo.counts";

/// Seconds of two watcher polls (3 scenario seconds each): the watcher sees a change up to one
/// poll late, and the phase start is known to the poll.
const POLLS_S: f64 = 6.0;

/// One phase of the run, in scenario seconds.
#[derive(Debug, Clone)]
pub struct PhaseSpan {
    pub name: String,
    pub duration_s: f64,
}

/// Everything the SLO checks read.
pub struct SloInput<'a> {
    pub exp: &'a SloExpectations,
    pub counts: &'a [SloPhaseCounts],
    /// The plan's phases in order.
    pub phases: &'a [PhaseSpan],
    /// Scrape + evaluation interval of the stack, scenario seconds.
    pub stack_delay_s: f64,
}

/// The budget each phase spent of each SLO.
pub fn budgets(input: &SloInput<'_>) -> Vec<SloPhaseBudget> {
    let mut out = Vec::new();
    for c in input.counts {
        let Some(slo) = input.exp.set.slos.iter().find(|s| s.name == c.slo) else {
            continue;
        };
        let dur = input
            .phases
            .iter()
            .find(|p| p.name == c.phase)
            .map_or(0.0, |p| p.duration_s);
        let ratio = c.error_ratio();
        out.push(SloPhaseBudget {
            slo: c.slo.clone(),
            phase: c.phase.clone(),
            total: c.total,
            error_ratio: ratio,
            burn: ratio.map(|r| r / slo.budget()),
            budget_consumed: ratio.map(|r| r * dur / (slo.budget() * slo.window_s)),
        });
    }
    out
}

/// The tier's timing before the alerts are judged: theory from the phase's burn.
fn tier_timing(t: &TierExpectation, budgets: &[SloPhaseBudget], delay_s: f64) -> SloTierTiming {
    let burn = budgets
        .iter()
        .find(|b| b.slo == t.slo.name && b.phase == t.fires_in)
        .and_then(|b| b.burn);
    SloTierTiming {
        alert: t.alert.clone(),
        slo: t.slo.name.clone(),
        tier: t.tier.severity.as_str().into(),
        window: crate::slo::generate::canonical_window(t.tier.long_s),
        phase: t.fires_in.clone(),
        factor: t.tier.factor,
        burn,
        theory_s: burn.and_then(|b| t.tier.detection_s(t.slo.window_s, b)),
        allowance_s: t.tier.for_s + delay_s + POLLS_S,
        detected_s: None,
    }
}

fn exact(v: &str) -> Regex {
    Regex::new(&format!("^{}$", regex::escape(v)))
        .unwrap_or_else(|_| Regex::new("^$").unwrap_or_else(|e| panic!("{e}")))
}

/// The alert expectation a tier amounts to: fire in its phase within theory + allowance,
/// silent in every phase before it, with the generated labels and runbook.
fn alert_expectation(
    t: &TierExpectation,
    timing: &SloTierTiming,
    phases: &[PhaseSpan],
) -> AlertExpectation {
    let before: Vec<String> = phases
        .iter()
        .take_while(|p| p.name != t.fires_in)
        .map(|p| p.name.clone())
        .collect();
    let labels = crate::slo::generate::alert_labels(&t.slo, &t.tier)
        .into_iter()
        .map(|(k, v)| (k, exact(&v)))
        .collect();
    // Without a theory (the phase burned too slowly for this tier) there is no bound: the
    // alert checks then judge only firing at all, and `slo.burn` says why the bound is absent.
    let within = timing
        .theory_s
        .map_or(t.slo.window_s, |th| th + timing.allowance_s);
    AlertExpectation {
        alert: t.alert.clone(),
        fires_in: t.fires_in.clone(),
        fires_in_at: t.fires_in_at.clone(),
        within_s: within,
        silent_in: Some(before),
        resolves_within_s: None,
        receivers: t.receivers.clone(),
        labels,
        annotations: BTreeMap::from([("runbook_url".to_string(), exact(&t.slo.runbook_url))]),
        inhibited_by: t.inhibited_by.clone(),
    }
}

/// The alert expectations of the file (unexpected alerts are judged by [`unexpected`], over
/// the SLO alerts only), and each tier's timing so far.
pub fn derive(
    input: &SloInput<'_>,
) -> (AlertExpectations, Vec<SloTierTiming>, Vec<SloPhaseBudget>) {
    let budgets = budgets(input);
    let timings: Vec<SloTierTiming> = input
        .exp
        .tiers
        .iter()
        .map(|t| tier_timing(t, &budgets, input.stack_delay_s))
        .collect();
    let alerts = input
        .exp
        .tiers
        .iter()
        .zip(&timings)
        .map(|(t, tm)| alert_expectation(t, tm, input.phases))
        .collect();
    let exps = AlertExpectations {
        source: input.exp.source.clone(),
        unexpected_alerts: UnexpectedPolicy::Ignore,
        ignore_alerts: Vec::new(),
        alerts,
    };
    (exps, timings, budgets)
}

/// `slo.burn.<alert>`: the phase burned faster than the tier's factor, so the tier can fire.
fn burn_check(t: &SloTierTiming) -> Check {
    let id = format!("{BURN}.{}", t.alert);
    match t.burn {
        None => Check::error(
            id,
            KIND,
            format!(
                "no events of SLO `{}` were counted in phase `{}`",
                t.slo, t.phase
            ),
        ),
        Some(b) if b > t.factor => Check::pass(
            id,
            KIND,
            format!(
                "phase `{}` burned {} at {:.2}x, above the tier's {}x",
                t.phase,
                t.slo,
                b,
                crate::slo::generate::number(t.factor)
            ),
        ),
        Some(b) => Check::fail(
            id,
            KIND,
            format!(
                "phase `{}` burned {} at {:.2}x, not above the tier's factor {}x: {} can never fire there (drive more failures)",
                t.phase,
                t.slo,
                b,
                crate::slo::generate::number(t.factor),
                t.alert
            ),
        ),
    }
}

/// `slo.detect.<alert>`: the measured time to detect beside the theory.
fn detect_check(t: &SloTierTiming) -> Check {
    let id = format!("{DETECT}.{}", t.alert);
    let fmt = |s: f64| crate::config::duration::format_prom_duration(s.max(0.0));
    let (Some(th), Some(d)) = (t.theory_s, t.detected_s) else {
        let why = if t.theory_s.is_none() {
            "no theoretical time (see slo.burn)"
        } else {
            "it never fired in its phase"
        };
        return Check::fail(
            id,
            KIND,
            format!("{} in phase `{}`: {why}", t.alert, t.phase),
        );
    };
    let bound = th + t.allowance_s;
    let msg = format!(
        "{} fired {} after `{}` started; theory {} at {:.2}x + {} of stack delays = {}",
        t.alert,
        fmt(d),
        t.phase,
        fmt(th),
        t.burn.unwrap_or(0.0),
        fmt(t.allowance_s),
        fmt(bound)
    );
    Check::from_bool(id, KIND, d <= bound, msg)
}

/// `slo.unexpected`: SLO alerts the file does not list that fired.
fn unexpected(exp: &SloExpectations, obs: &AlertObservations) -> Check {
    let listed: Vec<&str> = exp.tiers.iter().map(|t| t.alert.as_str()).collect();
    let mut fired: Vec<String> = exp
        .all_alerts()
        .into_iter()
        .filter(|a| !listed.contains(&a.as_str()))
        .filter(|a| {
            obs.changes
                .iter()
                .any(|c| &c.alertname == a && c.state == AlertState::Firing)
        })
        .collect();
    fired.dedup();
    if fired.is_empty() {
        Check::pass(
            UNEXPECTED,
            KIND,
            "no SLO alert outside the listed tiers fired",
        )
    } else {
        Check::fail(
            UNEXPECTED,
            KIND,
            format!(
                "SLO alerts that must stay silent fired: {}",
                fired.join(", ")
            ),
        )
        .with_evidence(fired)
    }
}

/// Every SLO check once the alerts are judged: `timings` are the alert checks' timings of the
/// derived expectations (for the measured times to detect).
pub fn finish(
    exp: &SloExpectations,
    obs: &AlertObservations,
    mut tiers: Vec<SloTierTiming>,
    budgets: Vec<SloPhaseBudget>,
    timings: &[AlertTiming],
    stack_delay_s: f64,
) -> (Vec<Check>, SloReport) {
    for t in &mut tiers {
        t.detected_s = timings
            .iter()
            .find(|a| a.alert == t.alert)
            .and_then(|a| a.firing_after_s);
    }
    let mut checks: Vec<Check> = tiers
        .iter()
        .flat_map(|t| [burn_check(t), detect_check(t)])
        .collect();
    checks.push(unexpected(exp, obs));
    let grace_ms = ((POLLS_S + stack_delay_s) * 1000.0) as i64;
    checks.extend(slo_inhibition::check(exp, obs, grace_ms));
    let report = SloReport {
        source: exp.source.clone(),
        tiers,
        phases: budgets,
    };
    (checks, report)
}

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

/// The checks this module emits (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[
    CheckInfo {
        id: "slo.burn.<alert>",
        kind: KIND,
        proves: "the tier's phase burned the budget faster than the tier's factor",
        failure: "the scenario did not drive enough failures for this tier to be able to fire",
        explain: "Burn = the phase's error ratio (Prometheus's count of the SLI over the phase) \
                  ÷ the error budget.\n\
                  Example failure: phase `burn-6x` burned job-success at 5.10x, not above the \
                  tier's factor 6x",
    },
    CheckInfo {
        id: "slo.detect.<alert>",
        kind: KIND,
        proves: "the tier fired within its theoretical time to detect at the phase's burn",
        failure: "the burn-rate alert is too slow (wrong factor or window) or never fired",
        explain: "Theory: budget fraction × SLO window ÷ burn (the SRE workbook), plus scrape and \
                  evaluation interval, `for` and two watcher polls.\n\
                  Example failure: JobSuccessBudgetBurn1h fired 1h2m after `burn-14x` started; \
                  theory 50m at 17.28x + 36s of stack delays = 50m36s",
    },
    CheckInfo {
        id: UNEXPECTED,
        kind: KIND,
        proves: "no SLO alert outside the listed tiers fired",
        failure: "a tier fired at a burn it should not see (factor too low, window too short)",
        explain: "Every alert the SLO file generates and the expectations do not list must stay \
                  silent for the whole run.\n\
                  Example failure: SLO alerts that must stay silent fired: JobLatencyBudgetBurn1h",
    },
    CheckInfo {
        id: COUNTS,
        kind: KIND,
        proves: "Prometheus answered for the SLIs' events of every phase",
        failure: "the burn of the phases is unknown, so no tier could be judged",
        explain: "Example error: no Prometheus to count the SLOs' events on (--stack none)",
    },
];

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
    let stack_delay_s = match &seen.alerts {
        crate::evidence::AlertsSeen::Watched {
            timing: Some(t), ..
        } => t.scrape_interval_s + t.evaluation_interval_s,
        _ => 0.0,
    };
    let stack_delay_s = stack_delay_s + exp.event_lag_s;
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
    let (more, report) = finish(exp, &obs, tiers, budgets, &timings, stack_delay_s);
    checks.extend(more);
    (checks, timings, Some(report))
}
