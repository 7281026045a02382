//! The load's result as one value ([`LoadOutcome`]): per-phase reports, notes the checks need,
//! the timeline and the bounded list of job records that later checks compare telemetry with.

use tokio::time::Instant;

use super::executor::Shared;
use super::records::Kept;
use crate::evidence::{JobOutcome, JobRecord};
use crate::evidence::{PhaseReport, TimelinePoint};
use crate::scenario::Plan;

/// What the generator noticed about a phase beyond the counters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PhaseNotes {
    /// The phase's schedule started (false: interrupted before it).
    pub started: bool,
    /// Applying the phase's fault profile failed (the phase still ran).
    pub faults_error: Option<String>,
    /// Times a job found `max_in_flight` jobs running.
    pub cap_hits: u64,
    /// Jobs the schedule asked for per scenario second over the time it ran.
    pub scheduled_rate: f64,
}

/// The whole result of driving a plan.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadOutcome {
    /// One per plan phase, in order (phases never reached have zero counts).
    pub phases: Vec<PhaseReport>,
    /// Parallel to `phases`.
    pub notes: Vec<PhaseNotes>,
    /// At most a few hundred points.
    pub timeline: Vec<TimelinePoint>,
    /// Job records, at most the executor's record cap (dropped and in-flight jobs included).
    pub jobs: Vec<JobRecord>,
    /// Jobs beyond the cap, counted but not kept.
    pub jobs_not_kept: u64,
    /// A stop was requested (Ctrl-C): the run is incomplete.
    pub interrupted: bool,
    /// Wall-clock start of the run, ns since the epoch.
    pub started_unix_nano: u64,
    /// Wall seconds from the run start to the end of the drain.
    pub wall_elapsed_s: f64,
}

impl LoadOutcome {
    /// Jobs sent but not ended in all phases.
    pub fn in_flight(&self) -> u64 {
        self.phases.iter().map(|p| p.in_flight).sum()
    }
}

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
            p.rate.mean(p.duration_s),
            p.start_s,
            window,
            &names,
        ));
    }
    let mut live: Vec<&Kept> = st.live.values().collect();
    live.sort_by_key(|r| r.sent_unix_nano);
    let mut jobs = Vec::with_capacity(st.records.len() + live.len());
    jobs.extend(st.records.iter().map(|r| r.to_record(plan, shared.run_id)));
    jobs.extend(live.into_iter().map(|r| {
        let mut rec = r.to_record(plan, shared.run_id);
        rec.outcome = JobOutcome::InFlight;
        rec
    }));
    LoadOutcome {
        phases,
        notes,
        timeline: st
            .timeline
            .points(plan, if interrupted { until_s } else { plan.total_s() }),
        jobs,
        jobs_not_kept: st.not_kept,
        interrupted,
        started_unix_nano: shared.unix_ns_start(),
        wall_elapsed_s: shared.elapsed_s(),
    }
}
