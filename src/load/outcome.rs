//! The load's result as one value ([`LoadOutcome`]): per-phase reports, notes the checks need,
//! the timeline and the bounded list of job records that later checks compare telemetry with.

use tokio::time::Instant;

use super::executor::Shared;
use super::records::{JobTap, Kept};
use crate::evidence::{JobOutcome, LoadOutcome, PhaseNotes};
use crate::scenario::Plan;

/// Freeze what `shared` measured. `stopped_at` is when the schedule ended (normally or not).
pub(crate) fn snapshot(
    plan: &Plan,
    shared: &Shared,
    mut notes: Vec<PhaseNotes>,
    interrupted: bool,
    stopped_at: Instant,
) -> LoadOutcome {
    let until_s = shared.scenario_s(stopped_at);
    let names: Vec<String> = plan.presets.iter().map(|p| p.name.clone()).collect();
    let st = shared.state.lock();
    // A shard sends its share of every rate: its target is that share, so its own rate check
    // and the merge (which adds the shards' rates) compare like with like.
    let share = plan.rate_share();
    let mut phases = Vec::new();
    for ((p, s), n) in plan.phases.iter().zip(&st.phases).zip(&mut notes) {
        let window = (until_s - p.start_s).clamp(0.0, p.duration_s);
        let window = if interrupted { window } else { p.duration_s };
        n.scheduled_rate = if window > 0.0 {
            s.scheduled as f64 / window
        } else {
            0.0
        };
        phases.push(s.to_report(
            &p.name,
            p.rate.mean(p.duration_s) * share,
            p.start_s,
            window,
            &names,
        ));
    }
    let mut live: Vec<&Kept> = st.live.values().collect();
    live.sort_by_key(|r| r.sent_unix_nano);
    let record_names = &shared.names;
    let mut jobs = Vec::with_capacity(st.records.len() + live.len());
    jobs.extend(
        st.records
            .iter()
            .map(|r| r.to_record(record_names, shared.run_id)),
    );
    for r in live {
        let mut rec = r.to_record(record_names, shared.run_id);
        rec.outcome = JobOutcome::InFlight;
        // Jobs still in flight reached the target too: the log checks judge them.
        if let Some(t) = &shared.tap {
            t.send(rec.clone());
        }
        if r.keep {
            jobs.push(rec);
        }
    }
    let mut timeline = st
        .timeline
        .points(plan, if interrupted { until_s } else { plan.total_s() });
    timeline.iter_mut().for_each(|t| t.target_rate *= share);
    let histograms = match plan.shard {
        Some(_) => st.phases.iter().map(|s| s.histograms(&names)).collect(),
        None => Vec::new(),
    };
    LoadOutcome {
        phases,
        notes,
        timeline,
        histograms,
        jobs,
        jobs_not_kept: st.not_kept,
        jobs_not_streamed: shared.tap.as_ref().map_or(0, JobTap::missed),
        interrupted,
        started_unix_nano: shared.unix_ns_start(),
        wall_elapsed_s: shared.elapsed_s(),
    }
}
