//! Unit tests of `report::diff` on the sample report with injected changes.

use super::*;
use crate::report::html_sample::sample_report;
use crate::verdict::Check;
use crate::verdict::Kind;

const TOL: Tolerances = Tolerances {
    latency_pct: 10.0,
    rate_pct: 1.0,
    alert_s: 30.0,
    latency_floor_ms: 1.0,
    budget_pts: 0.5,
};

fn outcome_of(d: &ReportDiff, subject: &str, metric: &str) -> Option<DiffOutcome> {
    d.rows
        .iter()
        .find(|r| r.subject == subject && r.metric == metric)
        .map(|r| r.outcome)
}

#[test]
fn identical_reports_have_no_regression() {
    let r = sample_report();
    let d = diff(&r, &r, &TOL).unwrap_or_else(|e| panic!("{e}"));
    assert!(!d.has_regression(), "{:?}", d.rows);
    assert_eq!(d.improvements, 0);
    assert_eq!(d.unchanged_statuses, r.checks.len() + r.criteria.len());
    assert_eq!(
        outcome_of(&d, "phase storm", "latency_ms.p99"),
        Some(DiffOutcome::WithinTolerance)
    );
}

#[test]
fn injected_latency_regression_is_flagged_and_small_change_is_not() {
    let old = sample_report();
    let mut new = old.clone();
    new.load.phases[1].latency_ms.p99 *= 1.25;
    new.load.phases[1].latency_ms.p50 *= 1.05;
    let d = diff(&old, &new, &TOL).unwrap_or_else(|e| panic!("{e}"));
    assert!(d.has_regression());
    assert_eq!(d.regressions, 1, "{:?}", d.rows);
    let first = &d.rows[0];
    assert_eq!(
        (first.subject.as_str(), first.metric.as_str()),
        ("phase storm", "latency_ms.p99")
    );
    assert_eq!(first.change, "+25.0%");
    assert_eq!(
        outcome_of(&d, "phase storm", "latency_ms.p50"),
        Some(DiffOutcome::WithinTolerance)
    );
}

#[test]
fn rate_drop_and_late_alert_are_regressions() {
    let old = sample_report();
    let mut new = old.clone();
    new.load.phases[0].achieved_rate *= 0.97;
    new.alerts[6].firing_after_s = new.alerts[6].firing_after_s.map(|s| s + 45.0);
    new.alerts[7].firing_after_s = new.alerts[7].firing_after_s.map(|s| s + 20.0);
    new.alerts[8].resolved_after_s = None;
    let d = diff(&old, &new, &TOL).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        outcome_of(&d, "phase warmup", "achieved_rate"),
        Some(DiffOutcome::Regression)
    );
    assert_eq!(
        outcome_of(&d, "alert RenderFailures", "firing_after_s"),
        Some(DiffOutcome::Regression)
    );
    assert_eq!(
        outcome_of(&d, "alert DatabaseLatency", "firing_after_s"),
        Some(DiffOutcome::WithinTolerance)
    );
    assert_eq!(
        outcome_of(&d, "alert PrometheusDown", "resolved_after_s"),
        Some(DiffOutcome::Regression)
    );
    assert_eq!(d.regressions, 3);
}

#[test]
fn improvements_are_not_regressions() {
    let old = sample_report();
    let mut new = old.clone();
    new.load.phases[1].job_time_s.p99 *= 0.5;
    for c in &mut new.checks {
        if c.status == Status::Fail {
            c.status = Status::Pass;
        }
    }
    new.alerts[0].notified_after_s = new.alerts[0].notified_after_s.map(|s| s - 60.0);
    let d = diff(&old, &new, &TOL).unwrap_or_else(|e| panic!("{e}"));
    assert!(!d.has_regression(), "{:?}", d.rows);
    assert_eq!(d.improvements, 3, "{:?}", d.rows);
    assert_eq!(
        outcome_of(&d, "check metrics.exposed.render_failures_total", "status"),
        Some(DiffOutcome::Improvement)
    );
}

#[test]
fn status_regressions_removed_checks_and_new_failures() {
    let old = sample_report();
    let mut new = old.clone();
    new.checks.retain(|c| c.id != "stack.prometheus.targets_up");
    if let Some(c) = new.checks.iter_mut().find(|c| c.id == "load.rate.storm") {
        c.status = Status::Skip;
    }
    new.checks
        .push(Check::fail("logs.field.trace_id", Kind::Logs, "missing"));
    new.checks
        .push(Check::pass("logs.field.span_id", Kind::Logs, "ok"));
    new.criteria[0].status = Status::Fail;
    new.alerts[3].fired = false;
    new.load.phases.pop();
    let d = diff(&old, &new, &TOL).unwrap_or_else(|e| panic!("{e}"));
    for (s, m) in [
        ("check stack.prometheus.targets_up", "status"),
        ("check load.rate.storm", "status"),
        ("check logs.field.trace_id", "status"),
        ("criterion AC1", "status"),
        ("alert PubSubQueueDepth", "fired"),
        ("phase recovery", "present"),
    ] {
        assert_eq!(outcome_of(&d, s, m), Some(DiffOutcome::Regression), "{s}");
    }
    assert_eq!(
        outcome_of(&d, "check logs.field.span_id", "status"),
        Some(DiffOutcome::Info)
    );
    assert!(
        d.rows[..d.regressions]
            .iter()
            .all(|r| r.outcome == DiffOutcome::Regression)
    );
}

#[test]
fn different_scenarios_are_refused() {
    let old = sample_report();
    let mut new = old.clone();
    new.scenario = "smoke".into();
    let err = diff(&old, &new, &TOL).err().unwrap_or_default();
    assert!(
        err.contains("`alert-storm`") && err.contains("`smoke`"),
        "{err}"
    );
}

#[test]
fn zero_baseline_is_not_a_relative_regression() {
    let mut old = sample_report();
    old.load.phases[0].latency_ms.p50 = 0.0;
    let new = sample_report();
    let d = diff(&old, &new, &TOL).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        outcome_of(&d, "phase warmup", "latency_ms.p50"),
        Some(DiffOutcome::Info)
    );
}

#[test]
fn sub_floor_latency_jitter_is_not_a_regression() {
    let mut old = sample_report();
    old.load.phases[0].latency_ms.p50 = 0.4;
    let mut new = old.clone();
    new.load.phases[0].latency_ms.p50 = 0.9;
    let d = diff(&old, &new, &TOL).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        outcome_of(&d, "phase warmup", "latency_ms.p50"),
        Some(DiffOutcome::WithinTolerance)
    );
    new.load.phases[0].latency_ms.p50 = 1.6;
    let d = diff(&old, &new, &TOL).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        outcome_of(&d, "phase warmup", "latency_ms.p50"),
        Some(DiffOutcome::Regression)
    );
}

#[test]
fn changed_target_compares_the_achieved_share() {
    let old = sample_report();
    let mut new = old.clone();
    new.load.phases[1].target_rate *= 2.0;
    new.load.phases[1].achieved_rate *= 2.0;
    let d = diff(&old, &new, &TOL).unwrap_or_else(|e| panic!("{e}"));
    assert!(!d.has_regression(), "{:?}", d.rows);
    new.load.phases[1].achieved_rate *= 0.9;
    let d = diff(&old, &new, &TOL).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        outcome_of(&d, "phase storm", "achieved_rate / target_rate"),
        Some(DiffOutcome::Regression)
    );
}

#[test]
fn alert_timings_on_different_clocks_are_not_compared() {
    let mut old = sample_report();
    old.clock.alert_clock = "wall".into();
    let mut new = sample_report();
    new.clock.alert_clock = "scenario".into();
    new.alerts[6].firing_after_s = new.alerts[6].firing_after_s.map(|s| s * 10.0);
    let d = diff(&old, &new, &TOL).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        outcome_of(&d, "alerts", "timing unit"),
        Some(DiffOutcome::Info)
    );
    assert_eq!(
        outcome_of(&d, "alert RenderFailures", "firing_after_s"),
        None
    );
    assert!(!d.has_regression(), "{:?}", d.rows);
}

fn with_slo(detected_s: f64, consumed: f64) -> crate::report::model::Report {
    let mut r = sample_report();
    r.slo = vec![crate::report::html_sample::sample_slo(detected_s, consumed)];
    r
}

#[test]
fn slower_detection_and_more_budget_spent_are_regressions() {
    let old = with_slo(150.0, 0.030);
    let d = diff(&old, &with_slo(160.0, 0.032), &TOL).unwrap_or_else(|e| panic!("{e}"));
    assert!(!d.has_regression(), "{:?}", d.rows);
    let subject = "slo tier JobSuccess3dBudgetBurn6m";
    // 150 s → 320 s: later by more than 30 s, and beyond theory + allowance (291 s).
    let d = diff(&old, &with_slo(320.0, 0.030), &TOL).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        outcome_of(&d, subject, "detected_s"),
        Some(DiffOutcome::Regression)
    );
    assert_eq!(
        outcome_of(&d, subject, "within_theory"),
        Some(DiffOutcome::Regression)
    );
    // 3.0 % → 4.0 % of the budget: one point more than the 0.5 allowed.
    let d = diff(&old, &with_slo(150.0, 0.040), &TOL).unwrap_or_else(|e| panic!("{e}"));
    let budget = outcome_of(
        &d,
        "slo job-success-3d phase burn-14x",
        "budget_consumed_pct",
    );
    assert_eq!(budget, Some(DiffOutcome::Regression), "{:?}", d.rows);
}
