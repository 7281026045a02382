//! `obsgate report merge`: the partial reports of one sharded run (`obsgate run --shard I/N`)
//! into one report. Refuses reports of different runs, a shard given twice and a missing
//! shard, naming which. The load is added exactly ([`crate::load::merge`]) and its checks are
//! judged again over the merged counts; each shard's metrics, logs and traces checks keep their
//! worst status; the alert, dashboard and stack checks are shard 0's
//! ([`crate::check::signals::shard`]). Pure: the command reads and writes the files.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::model::Report;
use crate::check::signals::shard as once;
use crate::evidence::shard::{LoadRules, ShardReport};
use crate::evidence::{LoadOutcome, LoadReport};
use crate::load::merge::{ShardLoad, merge_phases, merge_timelines};
use crate::scenario::{Arrivals, OverloadPolicy, PhasePlan, Plan, RateCurve, Tolerances};
use crate::verdict::Check;

/// One partial report and where it was read from (named in every error).
pub struct Partial {
    pub from: String,
    pub report: Report,
}

/// The merged report, or why these reports do not make one run.
pub fn merge(parts: Vec<Partial>) -> Result<Report, String> {
    let shards = validate(parts)?;
    let Some((s0, r0)) = shards.first().map(|(s, p)| (s, &p.report)) else {
        return Err("no report to merge: give every shard's report folder".into());
    };
    let label = |s: &ShardReport, from: &str| format!("shard {} ({from})", s.index);
    let loads: Vec<ShardLoad<'_>> = shards
        .iter()
        .map(|(s, p)| ShardLoad {
            label: label(s, &p.from),
            phases: &p.report.load.phases,
            notes: &s.phases,
        })
        .collect();
    let (phases, notes) = merge_phases(&loads)?;
    let timelines: Vec<&[_]> = shards
        .iter()
        .map(|(_, p)| p.report.load.timeline.as_slice())
        .collect();
    let interrupted = shards.iter().any(|(s, _)| s.interrupted);
    let outcome = LoadOutcome {
        phases,
        notes,
        timeline: merge_timelines(&timelines),
        histograms: Vec::new(),
        jobs: Vec::new(),
        jobs_not_kept: 0,
        jobs_not_streamed: 0,
        interrupted,
        started_unix_nano: 0,
        wall_elapsed_s: 0.0,
    };
    let plan = rules_plan(&r0.scenario, s0.seed, &s0.rules);
    let checks = merged_checks(&plan, &outcome, &shards);
    let mut out = r0.clone();
    out.load = LoadReport {
        target: distinct(shards.iter().map(|(_, p)| p.report.load.target.clone())),
        phases: outcome.phases,
        timeline: outcome.timeline,
    };
    out.checks = checks;
    out.shard = None;
    out.started_at = min_max(&shards, |r| &r.started_at).0;
    out.finished_at = min_max(&shards, |r| &r.finished_at).1;
    out.clock.wall_duration_s = shards
        .iter()
        .map(|(_, p)| p.report.clock.wall_duration_s)
        .fold(0.0, f64::max);
    out.deviations = deviations(&shards);
    out.component_down = shards.iter().find_map(|(s, p)| {
        let d = p.report.component_down.as_ref()?;
        Some(format!("{}: {d}", label(s, &p.from)))
    });
    let stopped = interrupted || out.component_down.is_some();
    out.verdict = crate::verdict::decide(&out.checks, &out.criteria, stopped);
    Ok(out)
}

/// Every report a shard of one run, each shard once, none missing; sorted by index.
fn validate(parts: Vec<Partial>) -> Result<Vec<(ShardReport, Partial)>, String> {
    let mut shards = Vec::with_capacity(parts.len());
    for mut p in parts {
        let Some(s) = p.report.shard.take() else {
            return Err(format!(
                "{}: not a shard's report (no `shard` section): merge the reports of `obsgate run --shard I/N`",
                p.from
            ));
        };
        shards.push((s, p));
    }
    let Some((s0, p0)) = shards.first() else {
        return Err("no report to merge: give every shard's report folder".into());
    };
    for (s, p) in &shards {
        same_run((s, p), (s0, p0))?;
    }
    let count = s0.count;
    let mut seen: BTreeMap<u64, &str> = BTreeMap::new();
    for (s, p) in &shards {
        if s.index >= count {
            return Err(format!(
                "{}: shard index {} is not below the count {count}",
                p.from, s.index
            ));
        }
        if let Some(first) = seen.insert(s.index, &p.from) {
            return Err(format!(
                "shard {} of {count} given twice: {first} and {}",
                s.index, p.from
            ));
        }
    }
    let missing: Vec<String> = (0..count)
        .filter(|i| !seen.contains_key(i))
        .map(|i| i.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "shard {} of {count} missing: give the report folder of every shard 0 to {}",
            missing.join(", "),
            count - 1
        ));
    }
    shards.sort_by_key(|(s, _)| s.index);
    Ok(shards)
}

/// Refuse `(s, p)` unless it is a shard of the same run as `(s0, p0)`, naming what differs.
fn same_run(
    (s, p): (&ShardReport, &Partial),
    (s0, p0): (&ShardReport, &Partial),
) -> Result<(), String> {
    let differs = |what: &str, a: String, b: String| {
        format!(
            "{}: {what} {a}, but {} has {what} {b}: only the shards of one run merge (same scenario, seed, plan and shard count)",
            p.from, p0.from
        )
    };
    if p.report.scenario != p0.report.scenario {
        return Err(differs(
            "scenario",
            format!("`{}`", p.report.scenario),
            format!("`{}`", p0.report.scenario),
        ));
    }
    if s.seed != s0.seed {
        return Err(differs("seed", s.seed.to_string(), s0.seed.to_string()));
    }
    if s.plan_digest != s0.plan_digest {
        return Err(differs(
            "plan digest",
            s.plan_digest.clone(),
            s0.plan_digest.clone(),
        ));
    }
    if s.rules.phases.len() != p.report.load.phases.len() {
        return Err(format!(
            "{}: {} phases in its load rules but {} in its load: not a report obsgate wrote",
            p.from,
            s.rules.phases.len(),
            p.report.load.phases.len()
        ));
    }
    if s.count != s0.count {
        return Err(differs(
            "shard count",
            s.count.to_string(),
            s0.count.to_string(),
        ));
    }
    Ok(())
}

/// The load checks over the merged counts, each shard's per-shard checks at their worst, shard
/// 0's once-only checks, and `shard.once`.
fn merged_checks(
    plan: &Plan,
    outcome: &LoadOutcome,
    shards: &[(ShardReport, Partial)],
) -> Vec<Check> {
    let all: Vec<(u64, &[Check])> = shards
        .iter()
        .map(|(s, p)| (s.index, p.report.checks.as_slice()))
        .collect();
    let mut checks = crate::check::signals::load::load_checks(plan, outcome);
    checks.extend(once::combine_per_shard(&all));
    let zero = all.first().map_or(&[][..], |(_, c)| c);
    checks.extend(
        zero.iter()
            .filter(|c| once::judged_once(c.kind) && c.id != "shard.once")
            .cloned(),
    );
    checks.push(once::merged(&all));
    checks
}

/// A plan carrying just what the load checks read: the phases' names and rules, the
/// tolerances, `max_in_flight`. Nothing is scheduled from it.
fn rules_plan(name: &str, seed: u64, r: &LoadRules) -> Plan {
    let k = if r.time_scale > 0.0 {
        r.time_scale
    } else {
        1.0
    };
    Plan {
        name: name.to_string(),
        description: String::new(),
        source: PathBuf::new(),
        seed,
        time_scale: k,
        max_in_flight: usize::try_from(r.max_in_flight).unwrap_or(usize::MAX),
        overload: OverloadPolicy::Queue,
        users: 1,
        presets: Vec::new(),
        phases: r
            .phases
            .iter()
            .map(|p| PhasePlan {
                name: p.name.clone(),
                duration_s: p.duration_s,
                start_s: p.start_s,
                wall_duration: std::time::Duration::try_from_secs_f64(p.duration_s / k)
                    .unwrap_or_default(),
                rate: RateCurve::Constant { per_s: 0.0 },
                arrivals: Arrivals::Uniform,
                faults: Default::default(),
                allow_dropped: p.allow_dropped,
                max_errors_pct: p.max_errors_pct,
            })
            .collect(),
        tolerances: Tolerances {
            rate_error_pct: r.rate_error_pct,
            late_threshold_ms: r.late_threshold_ms,
            late_pct: r.late_pct,
        },
        job_timeout_s: 0.0,
        expectations: Vec::new(),
        shard: None,
    }
}

/// The values, each once, joined by ", ".
fn distinct(values: impl Iterator<Item = String>) -> String {
    let mut out: Vec<String> = Vec::new();
    for v in values {
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out.join(", ")
}

/// The earliest and latest of an RFC 3339 UTC stamp (same format: text order is time order).
fn min_max(shards: &[(ShardReport, Partial)], f: impl Fn(&Report) -> &String) -> (String, String) {
    let stamps: Vec<&String> = shards.iter().map(|(_, p)| f(&p.report)).collect();
    let min = stamps
        .iter()
        .min()
        .map(|s| s.to_string())
        .unwrap_or_default();
    let max = stamps
        .iter()
        .max()
        .map(|s| s.to_string())
        .unwrap_or_default();
    (min, max)
}

/// Every shard's deviations once (each shard's own "shard I of N" line becomes one line
/// naming the merge).
fn deviations(shards: &[(ShardReport, Partial)]) -> Vec<String> {
    let count = shards.len();
    let mut out = vec![format!(
        "merged from {count} shard reports ({}): the load is added, its checks judged over the merged counts; alert, dashboard and stack checks are shard 0's",
        shards
            .iter()
            .map(|(_, p)| p.from.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    )];
    for (s, p) in shards {
        let own = format!("shard {} of {}:", s.index, s.count);
        for d in p.report.deviations.iter().filter(|d| !d.starts_with(&own)) {
            if !out.contains(d) {
                out.push(d.clone());
            }
        }
    }
    out
}

#[cfg(test)]
#[path = "merge_tests.rs"]
mod tests;
