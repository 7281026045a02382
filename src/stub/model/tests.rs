//! Tests of the pipeline model: reproducibility, baselines and what each knob moves.

use super::*;
use crate::stub::faults::FaultProfile;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn mean_of(preset: Preset, faults: &FaultProfile, f: impl Fn(&JobPlan) -> f64) -> f64 {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let n = 4000;
    (0..n)
        .map(|_| f(&plan_job(preset, faults, &mut rng, None)))
        .sum::<f64>()
        / n as f64
}

#[test]
fn same_seed_same_plan() {
    let f = FaultProfile::default();
    let a = plan_job(Preset::Premium, &f, &mut ChaCha8Rng::seed_from_u64(3), None);
    let b = plan_job(Preset::Premium, &f, &mut ChaCha8Rng::seed_from_u64(3), None);
    let c = plan_job(Preset::Premium, &f, &mut ChaCha8Rng::seed_from_u64(4), None);
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn baseline_durations_and_cost_match_the_design() {
    let f = FaultProfile::default();
    let short = mean_of(Preset::Short, &f, JobPlan::duration_s);
    let standard = mean_of(Preset::Standard, &f, JobPlan::duration_s);
    let premium = mean_of(Preset::Premium, &f, JobPlan::duration_s);
    assert!((17.0..23.0).contains(&short), "short {short}");
    assert!((31.0..39.0).contains(&standard), "standard {standard}");
    assert!((82.0..98.0).contains(&premium), "premium {premium}");
    let cost = 0.5 * mean_of(Preset::Short, &f, JobPlan::cost_dollars)
        + 0.35 * mean_of(Preset::Standard, &f, JobPlan::cost_dollars)
        + 0.15 * mean_of(Preset::Premium, &f, JobPlan::cost_dollars);
    assert!((0.017..0.023).contains(&cost), "mixed cost {cost}");
}

#[test]
fn render_slowdown_moves_duration_not_cost() {
    let slow = FaultProfile {
        render_slowdown: 6.0,
        ..FaultProfile::default()
    };
    let base = FaultProfile::default();
    let d = mean_of(Preset::Premium, &slow, JobPlan::duration_s);
    assert!(d > 350.0, "premium under slowdown {d}");
    let c0 = mean_of(Preset::Premium, &base, JobPlan::cost_dollars);
    let c1 = mean_of(Preset::Premium, &slow, JobPlan::cost_dollars);
    assert!((c0 - c1).abs() < 1e-9, "{c0} vs {c1}");
}

#[test]
fn retries_keep_jobs_alive_but_exhaustion_fails_them() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let some = FaultProfile {
        render_failure_ratio: 0.3,
        agent_timeout_ratio: 0.3,
        ..FaultProfile::default()
    };
    let plans: Vec<_> = (0..500)
        .map(|_| plan_job(Preset::Short, &some, &mut rng, None))
        .collect();
    let failed = plans.iter().filter(|p| p.failure().is_some()).count();
    assert!(failed < 50, "{failed} of 500 failed");
    let all = FaultProfile {
        render_failure_ratio: 1.0,
        ..FaultProfile::default()
    };
    let p = plan_job(Preset::Short, &all, &mut rng, None);
    assert!(
        p.failure().is_some_and(|m| m.starts_with("render")),
        "{p:?}"
    );
    let renders = p.steps.iter().filter(|s| s.stage() == "render").count();
    assert_eq!(renders, MAX_ATTEMPTS as usize);
}

#[test]
fn injected_failure_fails_every_job() {
    let f = FaultProfile {
        job_failure_ratio: 1.0,
        ..FaultProfile::default()
    };
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    for _ in 0..50 {
        let p = plan_job(Preset::Standard, &f, &mut rng, None);
        let msg = p.failure().unwrap_or_default().to_string();
        assert!(msg.contains("injected"), "{p:?}");
        assert!(p.steps.last().is_some_and(|s| s.fails_job.is_some()));
    }
}

#[test]
fn even_spread_gives_exact_shares_and_keeps_the_random_stream() {
    let f = FaultProfile {
        render_failure_ratio: 0.05,
        qa_reject_ratio: 0.1,
        ..FaultProfile::default()
    };
    let mut even = EvenDraws::default();
    let (mut renders, mut failed, mut qa, mut rejected) = (0, 0, 0, 0);
    for seq in 0..2000u64 {
        let mut rng = ChaCha8Rng::seed_from_u64(seq);
        let e = plan_job(Preset::Short, &f, &mut rng, Some(&mut even));
        let r = plan_job(Preset::Short, &f, &mut ChaCha8Rng::seed_from_u64(seq), None);
        // The durations come from the same stream either way.
        assert_eq!(e.steps[0].duration_s, r.steps[0].duration_s);
        for s in &e.steps {
            match s.kind {
                StepKind::Render { failure, .. } => {
                    renders += 1;
                    failed += usize::from(failure.is_some());
                }
                StepKind::Qa { accepted } => {
                    qa += 1;
                    rejected += usize::from(!accepted);
                }
                _ => {}
            }
        }
    }
    let want = (renders as f64 * 0.05).round() as i64;
    assert!((failed as i64 - want).abs() <= 1, "{failed} of {renders}");
    let reject_p = 1.0 - (1.0 - BASE_QA_REJECT) * 0.9;
    let want = (qa as f64 * reject_p).round() as i64;
    assert!((rejected as i64 - want).abs() <= 1, "{rejected} of {qa}");
}
