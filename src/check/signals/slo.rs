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

pub(super) const KIND: Kind = Kind::Slo;
pub const BURN: &str = "slo.burn";
pub const DETECT: &str = "slo.detect";
pub const UNEXPECTED: &str = "slo.unexpected";
pub const COUNTS: &str = "slo.counts";

/// Two polls of the alert watcher, in the alerts' clock seconds: it polls every 3 of them,
/// bounded to 0.1–1 wall seconds (so at K = 100 a poll is 10 scenario seconds). A change is
/// seen up to one poll late, and the phase start is known to one poll.
pub fn two_polls_s(clock_scale: f64) -> f64 {
    let k = if clock_scale.is_finite() && clock_scale > 0.0 {
        clock_scale
    } else {
        1.0
    };
    2.0 * (3.0 / k).clamp(0.1, 1.0) * k
}

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
    /// Scrape + evaluation interval of the stack, two watcher polls and the SLI's event lag,
    /// in the alerts' clock seconds.
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
        allowance_s: t.tier.for_s + delay_s,
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
        notification: None,
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
        heartbeat: None,
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

/// `slo.detect.<alert>`: the measured time to detect beside the theory. A firing after the
/// phase (and its delays) ended answered a later phase's burn: it is no detection of this one.
fn detect_check(t: &SloTierTiming, phase_s: f64) -> Check {
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
    if d > phase_s + t.allowance_s {
        return Check::fail(
            id,
            KIND,
            format!(
                "{} fired {} after `{}` started, after the phase ended ({} long): that answers a later phase's burn; lengthen `{}` to at least its theory {} + {}",
                t.alert,
                fmt(d),
                t.phase,
                fmt(phase_s),
                t.phase,
                fmt(th),
                fmt(t.allowance_s)
            ),
        );
    }
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
    input: &SloInput<'_>,
    obs: &AlertObservations,
    (mut tiers, budgets): (Vec<SloTierTiming>, Vec<SloPhaseBudget>),
    timings: &[AlertTiming],
    run_start_ms: i64,
) -> (Vec<Check>, SloReport) {
    let exp = input.exp;
    for t in &mut tiers {
        t.detected_s = timings
            .iter()
            .find(|a| a.alert == t.alert)
            .and_then(|a| a.firing_after_s);
    }
    let phase_s = |name: &str| {
        input
            .phases
            .iter()
            .find(|p| p.name == name)
            .map_or(f64::INFINITY, |p| p.duration_s)
    };
    let mut checks: Vec<Check> = tiers
        .iter()
        .flat_map(|t| [burn_check(t), detect_check(t, phase_s(&t.phase))])
        .collect();
    checks.push(unexpected(exp, obs));
    let grace_ms = (input.stack_delay_s * 1000.0) as i64;
    checks.extend(slo_inhibition::check(exp, obs, grace_ms, run_start_ms));
    let report = SloReport {
        source: exp.source.clone(),
        tiers,
        phases: budgets,
    };
    (checks, report)
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
