//! `obsgate run --shard I/N` at the edge: the flag read and validated (exit 2 naming the bad
//! value), the plan cut to its slice ([`crate::load::schedule::shard_slice`]), the once-only
//! expectations taken from every shard but 0, and the partial report's `shard` section built
//! from the plan and what the load measured.

use crate::evidence::LoadOutcome;
use crate::evidence::shard::{LoadRules, PhaseRules, ShardPhase, ShardReport};
use crate::exit::AppError;
use crate::expect::ExpectationSet;
use crate::scenario::Plan;

use super::env::RunEnv;

/// Most shards: far beyond any sensible fleet, small enough that every shard still has jobs
/// to send in a scenario of a few thousand.
pub const MAX_SHARDS: u64 = 10_000;

/// Read `I/N` (0 ≤ I < N ≤ [`MAX_SHARDS`]).
pub fn parse_shard(text: &str) -> Result<(u64, u64), AppError> {
    let bad = |why: &str| {
        AppError::usage(format!(
            "--shard `{text}`: {why}; expected I/N with 0 ≤ I < N ≤ {MAX_SHARDS}, e.g. --shard 0/3 for the first of three shards"
        ))
    };
    let (i, n) = text
        .split_once('/')
        .ok_or_else(|| bad("no `/` between the shard index and the shard count"))?;
    let index: u64 = i
        .trim()
        .parse()
        .map_err(|_| bad(&format!("the index `{i}` is not a whole number ≥ 0")))?;
    let count: u64 = n
        .trim()
        .parse()
        .map_err(|_| bad(&format!("the count `{n}` is not a whole number ≥ 1")))?;
    if count == 0 || count > MAX_SHARDS {
        return Err(bad(&format!(
            "the count {count} is not from 1 to {MAX_SHARDS}"
        )));
    }
    if index >= count {
        return Err(bad(&format!(
            "the index {index} is not below the count {count} (shards are numbered 0 to {})",
            count - 1
        )));
    }
    Ok((index, count))
}

/// Cut `plan` to shard `index` of `count`.
pub fn apply(plan: &mut Plan, index: u64, count: u64) {
    plan.shard = Some(crate::load::schedule::shard_slice(plan, index, count));
}

/// On every shard but 0: drop the expectations only the stack can show (alerts, dashboards,
/// SLOs, acceptance) and the stack itself, so those are judged once, by shard 0. Returns the
/// deviation line to report, if anything was dropped.
pub fn leave_stack_to_shard_zero(
    plan: &Plan,
    exps: &mut ExpectationSet,
    env: &mut RunEnv,
) -> Option<String> {
    let s = plan.shard.as_ref().filter(|s| s.index != 0)?;
    let files: Vec<String> = exps
        .alerts
        .drain(..)
        .map(|(p, _)| p)
        .chain(exps.dashboards.drain(..).map(|(p, _)| p))
        .chain(exps.slo.drain(..).map(|(p, _)| p))
        .chain(exps.acceptance.take().map(|(p, _)| p))
        .map(|p| p.display().to_string())
        .collect();
    env.stack = Some(crate::cli::StackMode::None);
    env.prometheus_url = None;
    env.alertmanager_url = None;
    env.grafana_url = None;
    let what = if files.is_empty() {
        String::new()
    } else {
        format!(" (not read here: {})", files.join(", "))
    };
    Some(format!(
        "shard {} of {}: alert, dashboard and stack checks are left to shard 0{what}",
        s.index, s.count
    ))
}

/// The `shard` section of the partial report (None without `--shard`).
pub fn section(plan: &Plan, outcome: &LoadOutcome) -> Option<ShardReport> {
    let s = plan.shard.as_ref()?;
    let phases = outcome
        .notes
        .iter()
        .zip(&outcome.histograms)
        .map(|(n, h)| ShardPhase {
            started: n.started,
            faults_error: n.faults_error.clone(),
            cap_hits: n.cap_hits,
            scheduled_rate: n.scheduled_rate,
            histograms: h.clone(),
        })
        .collect();
    Some(ShardReport {
        index: s.index,
        count: s.count,
        seed: plan.seed,
        plan_digest: plan_digest(plan),
        interrupted: outcome.interrupted,
        rules: rules(plan),
        phases,
    })
}

fn rules(plan: &Plan) -> LoadRules {
    let t = &plan.tolerances;
    LoadRules {
        max_in_flight: u64::try_from(plan.max_in_flight).unwrap_or(u64::MAX),
        rate_error_pct: t.rate_error_pct,
        late_threshold_ms: t.late_threshold_ms,
        late_pct: t.late_pct,
        time_scale: plan.time_scale,
        phases: plan
            .phases
            .iter()
            .map(|p| PhaseRules {
                name: p.name.clone(),
                start_s: p.start_s,
                duration_s: p.duration_s,
                allow_dropped: p.allow_dropped,
                max_errors_pct: p.max_errors_pct,
            })
            .collect(),
    }
}

/// FNV-1a (64 bit) of everything that shapes the schedule and its checks, as hex. Paths are
/// left out: each shard may read the scenario from its own mount.
pub fn plan_digest(plan: &Plan) -> String {
    let text = format!(
        "{:?}|{}|{:?}|{}|{:?}|{:?}|{:?}|{:?}|{:?}|{}",
        plan.name,
        plan.seed,
        plan.time_scale,
        plan.max_in_flight,
        plan.overload,
        plan.users,
        plan.presets,
        plan.phases,
        plan.tolerances,
        plan.job_timeout_s
    );
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_flag_is_validated() {
        assert_eq!(parse_shard("0/3").ok().map(|_| ()), Some(()));
        assert!(matches!(parse_shard("2/3"), Ok((2, 3))));
        for (bad, says) in [
            ("3/3", "the index 3 is not below the count 3"),
            ("x", "no `/`"),
            ("x/3", "the index `x`"),
            ("1/0", "the count 0"),
            ("-1/3", "the index `-1`"),
            ("0/99999", "the count 99999"),
        ] {
            let e = parse_shard(bad)
                .err()
                .map(|e| e.message)
                .unwrap_or_default();
            assert!(e.contains(says) && e.contains(bad), "{bad}: {e}");
        }
    }

    #[test]
    fn digest_follows_the_schedule_not_the_path() {
        let text = "name: t\nseed: 3\nphases:\n  - {name: a, duration: 5s, rate: 2/s}\n";
        let a = crate::scenario::parse_scenario(text, std::path::Path::new("a/t.yaml"));
        let b = crate::scenario::parse_scenario(text, std::path::Path::new("b/t.yaml"));
        let (Ok(a), Ok(mut b)) = (a, b) else {
            panic!("valid scenarios");
        };
        assert_eq!(plan_digest(&a), plan_digest(&b));
        b.seed = 4;
        assert_ne!(plan_digest(&a), plan_digest(&b));
    }
}
