//! Relation evaluator tests: aggregations with partial label matching, facts, arithmetic, and
//! the errors that make a relation fail or error instead of passing silently.

use super::fixtures::*;
use crate::check::signals::relations::{check_relation, eval};
use crate::expect::expr::{CmpOp, parse_condition, parse_expr};
use crate::expect::metrics::Relation;
use crate::stub::faults::FaultProfile;
use crate::verdict::Status;

fn ev(src: &str) -> Result<f64, String> {
    let js = jobs();
    let expo = parse(&exposition_text(&js, Defect::None));
    let f = FaultProfile {
        job_failure_ratio: 0.25,
        ..FaultProfile::default()
    };
    eval(&parse_expr(src).unwrap(), &expo, &facts_with(&js, f))
}

#[test]
fn aggregations_and_partial_label_matching() {
    assert_eq!(ev("sum(user_jobs_completed_total)"), Ok(7.0));
    assert_eq!(
        ev(r#"sum(user_jobs_completed_total{preset="premium"})"#),
        Ok(1.0)
    );
    assert_eq!(
        ev(r#"sum(user_jobs_completed_total{preset=~"short|standard"})"#),
        Ok(6.0)
    );
    assert_eq!(
        ev(r#"sum(user_jobs_completed_total{preset!="short"})"#),
        Ok(4.0)
    );
    assert_eq!(
        ev(r#"sum(user_jobs_completed_total{preset!~"s.*"})"#),
        Ok(1.0)
    );
    assert_eq!(ev("count(user_jobs_completed_total)"), Ok(3.0));
    assert_eq!(ev("max(user_jobs_completed_total)"), Ok(3.0));
    assert_eq!(ev("min(user_jobs_completed_total)"), Ok(1.0));
    // Matching no series is zero, not an error: no failure yet is a count of 0.
    assert_eq!(
        ev(r#"sum(pipeline_duration_seconds_count{status="timeout"})"#),
        Ok(0.0)
    );
}

#[test]
fn facts_and_arithmetic() {
    assert_eq!(ev("facts.succeeded + facts.failed"), Ok(8.0));
    assert_eq!(ev("facts.finished - 2 * facts.failed"), Ok(6.0));
    assert_eq!(ev("facts.fault.job_failure_ratio"), Ok(0.25));
    assert_eq!(ev("facts.preset.premium.failed"), Ok(1.0));
    assert_eq!(ev("facts.phase.steady.sent"), Ok(8.0));
    assert_eq!(ev("facts.drained * facts.default_stub"), Ok(1.0));
    assert_eq!(ev("sqrt(16) + abs(-1)"), Ok(5.0));
    assert_eq!(ev("-(1 + 2) * 2"), Ok(-6.0));
}

#[test]
fn missing_samples_and_division_by_zero_are_errors() {
    let e = ev("sum(render_failure_total)").unwrap_err();
    assert!(e.contains("no sample named `render_failure_total` is exposed; did you mean `render_failures_total`?"), "{e}");
    let e = ev(r#"sum(user_jobs_completed_total) / sum(user_jobs_completed_total{preset="x"})"#)
        .unwrap_err();
    assert!(e.contains("division by zero"), "{e}");
    assert!(ev(r#"max(user_jobs_completed_total{preset="x"})"#).is_err());
}

fn relation(left: &str, op: CmpOp, right: &str, when: Option<&str>) -> Relation {
    Relation {
        name: "r".into(),
        description: None,
        left_src: left.into(),
        left: parse_expr(left).unwrap(),
        op,
        right_src: right.into(),
        right: parse_expr(right).unwrap(),
        tolerance: 0.0,
        tolerance_ratio: 0.0,
        tolerance_expr: None,
        when: when.map(|w| (w.to_string(), parse_condition(w).unwrap())),
    }
}

#[test]
fn relation_checks_pass_fail_skip_and_tolerate() {
    let js = jobs();
    let expo = parse(&exposition_text(&js, Defect::None));
    let f = facts(&js);
    let r = relation(
        "sum(user_jobs_completed_total)",
        CmpOp::Ge,
        "facts.succeeded",
        None,
    );
    assert_eq!(check_relation(&r, &expo, &f).status, Status::Pass);
    let r = relation(
        "sum(user_jobs_completed_total)",
        CmpOp::Gt,
        "facts.succeeded",
        None,
    );
    assert_eq!(check_relation(&r, &expo, &f).status, Status::Fail);
    let mut r = relation(
        "sum(user_jobs_completed_total)",
        CmpOp::Eq,
        "facts.finished",
        None,
    );
    assert_eq!(check_relation(&r, &expo, &f).status, Status::Fail);
    r.tolerance_ratio = 0.125;
    assert_eq!(
        check_relation(&r, &expo, &f).status,
        Status::Pass,
        "7 vs 8 within 12.5%"
    );
    let r = relation(
        "sum(user_jobs_completed_total)",
        CmpOp::Eq,
        "0",
        Some("facts.failed == 0"),
    );
    let c = check_relation(&r, &expo, &f);
    assert_eq!(c.status, Status::Skip);
    assert!(
        c.message
            .contains("not applicable: `facts.failed == 0` does not hold (1 == 0)"),
        "{}",
        c.message
    );
    let r = relation("sum(nope_total)", CmpOp::Eq, "0", None);
    let c = check_relation(&r, &expo, &f);
    assert_eq!(c.status, Status::Fail);
    assert!(
        c.message.contains("`sum(nope_total)` cannot be computed"),
        "{}",
        c.message
    );
}

/// A run longer than the job-record cap: the facts count every job from the engine's counters,
/// so a relation between the stub's counters and `facts.*` still holds. Counted from the kept
/// records alone (the defect this guards against), `facts.succeeded` was 3 of 7.
#[test]
fn facts_count_jobs_beyond_the_record_cap() {
    use crate::check::signals::facts::RunFacts;
    use crate::evidence::{LoadOutcome, Outcomes, PhaseReport, PresetReport};
    let all = jobs();
    let expo = parse(&exposition_text(&all, Defect::None));
    let mut phase = PhaseReport {
        name: "steady".into(),
        scheduled: 8,
        sent: 8,
        succeeded: 7,
        failed: 1,
        outcomes: Outcomes {
            succeeded: 7,
            pipeline_failed: 1,
            ..Outcomes::default()
        },
        ..PhaseReport::default()
    };
    for j in &all {
        let p: &mut PresetReport = phase.presets.entry(j.preset.clone()).or_default();
        p.sent += 1;
        if j.outcome == crate::evidence::JobOutcome::Failed {
            p.failed += 1;
            p.pipeline_failed += 1;
        } else {
            p.succeeded += 1;
        }
    }
    let outcome = LoadOutcome {
        phases: vec![phase],
        notes: Vec::new(),
        timeline: Vec::new(),
        histograms: Vec::new(),
        jobs: all[..3].to_vec(),
        jobs_not_kept: 5,
        jobs_not_streamed: 0,
        interrupted: false,
        started_unix_nano: START,
        wall_elapsed_s: 20.0,
    };
    let faults = [("steady".to_string(), FaultProfile::default())];
    let facts = RunFacts::from_outcome(&outcome, &faults, START, START + 20_000_000_000, true);
    assert!(!facts.jobs_complete);
    assert!(facts.drained);
    let fact = |src: &str| eval(&parse_expr(src).unwrap(), &expo, &facts);
    assert_eq!(fact("facts.succeeded"), Ok(7.0));
    assert_eq!(fact("facts.failed"), Ok(1.0));
    assert_eq!(fact("facts.phase.steady.sent"), Ok(8.0));
    let failed_preset = all[FAILED].preset.clone();
    assert_eq!(
        fact(&format!("facts.preset.{failed_preset}.failed")),
        Ok(1.0)
    );
    let holds = relation(
        "sum(user_jobs_completed_total)",
        CmpOp::Eq,
        "facts.succeeded",
        None,
    );
    let c = check_relation(&holds, &expo, &facts);
    assert_eq!(c.status, Status::Pass, "{}", c.message);
    // The same relation over the kept records only: the false failure of a long run.
    let kept_only = RunFacts::from_jobs(&outcome.jobs, &faults, START, START + 1, true);
    let c = check_relation(&holds, &expo, &kept_only);
    assert_eq!(c.status, Status::Fail, "{}", c.message);
}
