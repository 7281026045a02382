//! The SLO run checks on hand-built timelines and counts.

use super::slo::{PhaseSpan, SloInput, derive, finish};
use crate::evidence::{
    AlertObservations, AlertState, AlertStateChange, AlertTiming, SloPhaseCounts,
};
use crate::expect::slo::{SloExpectations, TierExpectation};
use crate::verdict::{Check, Status};

const SLOS: &str = "tiers:\n  - {severity: page, budget_percent: 2, long_window: 6m, short_window: 1m}\n  - {severity: ticket, budget_percent: 10, long_window: 144m, short_window: 12m}\nslos:\n  - name: s\n    objective_percent: 99.5\n    window: 3d\n    sli: {good: 'j{status=\"ok\"}', total: j}\n    runbook_url: r\n";

fn exp() -> SloExpectations {
    let set = crate::slo::parse(SLOS, "slos.yaml").expect("slos");
    let slo = set.slos[0].clone();
    let tier = |i: usize, phase: &str| TierExpectation {
        alert: slo.alert_name(&slo.tiers[i]),
        slo: slo.clone(),
        tier: slo.tiers[i].clone(),
        fires_in: phase.into(),
        fires_in_at: "e.yaml:1:1".into(),
        receivers: Vec::new(),
        inhibited_by: None,
    };
    SloExpectations {
        source: "e.yaml".into(),
        rules_path: "slo-rules.yaml".into(),
        event_lag_s: 0.0,
        tiers: vec![tier(1, "slow"), tier(0, "fast")],
        set,
    }
}

fn phases() -> Vec<PhaseSpan> {
    [("control", 3600.0), ("slow", 7200.0), ("fast", 600.0)]
        .map(|(n, d)| PhaseSpan {
            name: n.into(),
            duration_s: d,
        })
        .to_vec()
}

/// Counts with the given error ratio per phase (1000 events each).
fn counts(ratios: [f64; 3]) -> Vec<SloPhaseCounts> {
    ["control", "slow", "fast"]
        .iter()
        .zip(ratios)
        .map(|(p, r)| SloPhaseCounts {
            slo: "s".into(),
            phase: (*p).into(),
            good: 1000.0 * (1.0 - r),
            total: 1000.0,
        })
        .collect()
}

fn change(name: &str, at_s: i64, state: AlertState) -> AlertStateChange {
    AlertStateChange {
        at_unix_ms: at_s * 1000,
        alertname: name.into(),
        labels: [("alertname".to_string(), name.to_string())].into(),
        state,
    }
}

fn judge(ratios: [f64; 3], obs: &AlertObservations, detected: &[(&str, f64)]) -> Vec<Check> {
    judge_with(&exp(), ratios, obs, detected)
}

fn judge_with(
    e: &SloExpectations,
    ratios: [f64; 3],
    obs: &AlertObservations,
    detected: &[(&str, f64)],
) -> Vec<Check> {
    let c = counts(ratios);
    let p = phases();
    let input = SloInput {
        exp: e,
        counts: &c,
        phases: &p,
        stack_delay_s: 30.0,
    };
    let (_, tiers, budgets) = derive(&input);
    let timings: Vec<AlertTiming> = detected
        .iter()
        .map(|(a, s)| AlertTiming {
            alert: (*a).into(),
            fired: true,
            firing_after_s: Some(*s),
            ..AlertTiming::default()
        })
        .collect();
    finish(&input, obs, (tiers, budgets), &timings, 0).0
}

fn get<'a>(c: &'a [Check], id: &str) -> &'a Check {
    c.iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no {id} in {c:?}"))
}

const FAST: &str = "SBudgetBurn6m";
const SLOW: &str = "SBudgetBurn144m";

#[test]
fn theory_comes_from_the_burn_the_phase_had() {
    let e = exp();
    let c = counts([0.0025, 0.024, 0.1152]);
    let p = phases();
    let (alerts, tiers, budgets) = derive(&SloInput {
        exp: &e,
        counts: &c,
        phases: &p,
        stack_delay_s: 30.0,
    });
    // 0.1152 / 0.005 = 23.04x; 2 % of 3 d at 23.04x = 225 s.
    let fast = tiers.iter().find(|t| t.alert == FAST).expect("fast");
    assert!((fast.burn.unwrap_or(0.0) - 23.04).abs() < 1e-9);
    assert!((fast.theory_s.unwrap_or(0.0) - 225.0).abs() < 1e-6);
    // Allowance: the 30 s of delays given (stack, polls, lag); silent in both earlier phases.
    let a = alerts
        .alerts
        .iter()
        .find(|a| a.alert == FAST)
        .expect("fast");
    assert!((a.within_s - 255.0).abs() < 1e-6, "{}", a.within_s);
    assert_eq!(
        a.silent_in.as_deref(),
        Some(&["control".to_string(), "slow".to_string()][..])
    );
    // The control spent 0.5 × 1 h / 72 h of the budget.
    let control = budgets
        .iter()
        .find(|b| b.phase == "control")
        .expect("control");
    assert!((control.budget_consumed.unwrap_or(0.0) - 0.5 / 72.0).abs() < 1e-9);
}

#[test]
fn detection_within_theory_passes_and_late_or_slow_burn_fails() {
    let obs = AlertObservations::default();
    let ratios = [0.0025, 0.024, 0.1152];
    let c = judge(ratios, &obs, &[(FAST, 200.0), (SLOW, 3000.0)]);
    assert_eq!(get(&c, &format!("slo.detect.{FAST}")).status, Status::Pass);
    let late = judge(ratios, &obs, &[(FAST, 400.0), (SLOW, 3000.0)]);
    let d = get(&late, &format!("slo.detect.{FAST}"));
    assert_eq!(d.status, Status::Fail);
    assert!(
        d.message.contains("fired 6m40s") && d.message.contains("theory 3m45s"),
        "{}",
        d.message
    );
    // The slow phase lasts 2 h: a firing after it (and its delays) answered a later burn.
    let after = judge(ratios, &obs, &[(FAST, 200.0), (SLOW, 7300.0)]);
    let d = get(&after, &format!("slo.detect.{SLOW}"));
    assert_eq!(d.status, Status::Fail);
    assert!(d.message.contains("after the phase ended"), "{}", d.message);
    // The slow phase at 2.4x cannot trip the 3x tier: its bound is meaningless, and it says so.
    let weak = judge([0.0025, 0.012, 0.1152], &obs, &[(FAST, 200.0)]);
    let b = get(&weak, &format!("slo.burn.{SLOW}"));
    assert_eq!(b.status, Status::Fail);
    assert!(
        b.message.contains("2.40x") && b.message.contains("3x"),
        "{}",
        b.message
    );
}

#[test]
fn an_unlisted_slo_alert_that_fires_fails() {
    // Only the fast tier is listed: the ticket tier of the same SLO must stay silent.
    let mut e = exp();
    e.tiers.retain(|t| t.alert == FAST);
    let mut obs = AlertObservations::default();
    obs.changes.push(change(FAST, 10, AlertState::Firing));
    obs.changes
        .push(change("NotAnSloAlert", 10, AlertState::Firing));
    let c = judge_with(&e, [0.0025, 0.024, 0.1152], &obs, &[]);
    assert_eq!(
        get(&c, "slo.unexpected").status,
        Status::Pass,
        "other alerts are not judged"
    );
    obs.changes.push(change(SLOW, 20, AlertState::Firing));
    let c = judge_with(&e, [0.0025, 0.024, 0.1152], &obs, &[]);
    let u = get(&c, "slo.unexpected");
    assert_eq!(u.status, Status::Fail);
    assert!(u.message.contains(SLOW), "{}", u.message);
}

#[test]
fn a_ticket_that_keeps_notifying_beside_its_page_fails() {
    let mut obs = AlertObservations::default();
    obs.changes.push(change(SLOW, 100, AlertState::Firing));
    let c = judge([0.0025, 0.024, 0.1152], &obs, &[]);
    assert_eq!(
        get(&c, "slo.inhibition.s").status,
        Status::Skip,
        "no page fired"
    );
    obs.changes.push(change(FAST, 200, AlertState::Firing));
    obs.changes.push(change(SLOW, 210, AlertState::Inhibited));
    let c = judge([0.0025, 0.024, 0.1152], &obs, &[]);
    assert_eq!(
        get(&c, "slo.inhibition.s").status,
        Status::Pass,
        "{:?}",
        get(&c, "slo.inhibition.s")
    );
    obs.changes.retain(|c| c.state != AlertState::Inhibited);
    let c = judge([0.0025, 0.024, 0.1152], &obs, &[]);
    let i = get(&c, "slo.inhibition.s");
    assert_eq!(i.status, Status::Fail);
    assert!(
        i.message.contains(SLOW) && i.message.contains(FAST),
        "{}",
        i.message
    );
    assert!(i.message.contains("3m50s into the run"), "{}", i.message);
}

#[test]
fn a_ticket_that_starts_beside_a_firing_page_gets_its_grace() {
    // The page fires first; the ticket starts later and is inhibited 5 s after (grace 30 s).
    let mut obs = AlertObservations::default();
    obs.changes.push(change(FAST, 100, AlertState::Firing));
    obs.changes.push(change(SLOW, 300, AlertState::Firing));
    obs.changes.push(change(SLOW, 305, AlertState::Inhibited));
    let c = judge([0.0025, 0.024, 0.1152], &obs, &[]);
    let i = get(&c, "slo.inhibition.s");
    assert_eq!(i.status, Status::Pass, "{}", i.message);
}
