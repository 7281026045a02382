//! What each fault knob does to each alert's signal, measured on the pipeline model: draws
//! 40 000 job plans (mix 50/35/15, evenly spread faults) under the knobs given as
//! `name=value` arguments and prints the ten signals at a load of `RATE` jobs per scenario
//! second (default 0.3). The tables of docs/stub.md and the boundary scenario come from it:
//!
//!   cargo run --release --example knob_signals -- cost_multiplier=17 db_latency_ms=55
//!
//! Quantiles are interpolated in the stub's histogram buckets, as `histogram_quantile` does.

use obsgate::stub::faults::FaultProfile;
use obsgate::stub::model::{AgentOutcome, EvenDraws, Preset, StepKind, plan_job};
use rand::{Rng, SeedableRng};

const DB_BOUNDS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5,
];
const DURATION_BOUNDS: &[f64] = &[
    5.0, 10.0, 20.0, 30.0, 60.0, 90.0, 120.0, 180.0, 240.0, 300.0, 450.0, 600.0, 900.0, 1800.0,
];

/// The q-quantile of `obs` the way Prometheus estimates it from bucket counts.
fn bucket_quantile(q: f64, obs: &[f64], bounds: &[f64]) -> f64 {
    let rank = q * obs.len() as f64;
    let (mut lo, mut below) = (0.0, 0.0);
    for &b in bounds {
        let count = obs.iter().filter(|&&x| x <= b).count() as f64;
        if count >= rank {
            return lo + (b - lo) * (rank - below) / (count - below).max(1e-9);
        }
        (lo, below) = (b, count);
    }
    f64::INFINITY
}

fn profile(args: &[String]) -> Result<FaultProfile, String> {
    let mut f = FaultProfile::default();
    for a in args {
        let (k, v) = a
            .split_once('=')
            .ok_or(format!("`{a}`: expected name=value"))?;
        let v: f64 = v.parse().map_err(|e| format!("`{a}`: {e}"))?;
        let field = match k {
            "job_failure_ratio" => &mut f.job_failure_ratio,
            "cost_multiplier" => &mut f.cost_multiplier,
            "render_slowdown" => &mut f.render_slowdown,
            "agent_timeout_ratio" => &mut f.agent_timeout_ratio,
            "qa_reject_ratio" => &mut f.qa_reject_ratio,
            "render_failure_ratio" => &mut f.render_failure_ratio,
            "db_latency_ms" => &mut f.db_latency_ms,
            "hold_s" => &mut f.hold_s,
            _ => return Err(format!("`{k}` is not a knob this example knows")),
        };
        *field = v;
    }
    Ok(f)
}

fn main() -> Result<(), String> {
    let f = profile(&std::env::args().skip(1).collect::<Vec<_>>())?;
    let rate: f64 = std::env::var("RATE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.3);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let mut even = EvenDraws::default();
    let n = 40_000;
    let (mut cost, mut held_s, mut failed) = (0.0, 0.0, 0.0);
    let (mut timeouts, mut render_failures, mut qa, mut rejected) = (0.0, 0.0, 0.0, 0.0);
    let (mut durations, mut db) = (Vec::new(), Vec::new());
    for _ in 0..n {
        let u: f64 = rng.random();
        let preset = match u {
            u if u < 0.5 => Preset::Short,
            u if u < 0.85 => Preset::Standard,
            _ => Preset::Premium,
        };
        let plan = plan_job(preset, &f, &mut rng, Some(&mut even));
        cost += plan.cost_dollars();
        held_s += plan.duration_s() + plan.hold_s;
        failed += f64::from(u8::from(plan.steps.iter().any(|s| s.fails_job.is_some())));
        durations.push(plan.duration_s());
        for s in &plan.steps {
            match s.kind {
                StepKind::Agent {
                    outcome: AgentOutcome::Timeout,
                    ..
                } => timeouts += 1.0,
                StepKind::Render {
                    failure: Some(_), ..
                } => render_failures += 1.0,
                StepKind::Qa { accepted } => {
                    qa += 1.0;
                    rejected += f64::from(u8::from(!accepted));
                }
                StepKind::DbInsert | StepKind::DbUpdate => db.push(s.duration_s),
                _ => {}
            }
        }
    }
    let per_job = |x: f64| x / f64::from(n);
    println!("at {rate} jobs per scenario second:");
    println!(
        "  PipelineHighErrorRate  failed ratio     {:.4}",
        per_job(failed)
    );
    println!(
        "  PipelineCostThreshold  $ per hour       {:.1}",
        per_job(cost) * rate * 3600.0
    );
    println!(
        "  SLABreach              P95 duration s   {:.1}",
        bucket_quantile(0.95, &durations, DURATION_BOUNDS)
    );
    println!(
        "  AIAgentTimeouts        per minute       {:.2}",
        per_job(timeouts) * rate * 60.0
    );
    println!(
        "  QAGateRejection        rejected ratio   {:.4}",
        rejected / qa
    );
    println!(
        "  RenderFailures         per 10 minutes   {:.2}",
        per_job(render_failures) * rate * 600.0
    );
    println!(
        "  DatabaseLatency        P95 s            {:.4}",
        bucket_quantile(0.95, &db, DB_BOUNDS)
    );
    println!(
        "  ActiveJobsSpike        active jobs      {:.1}",
        per_job(held_s) * rate
    );
    Ok(())
}
