//! The executor: walks the schedule with absolute deadlines (`sleep_until`, so drift cannot
//! accumulate; a late job fires at once and counts as late), runs one task per job under a
//! max-in-flight semaphore with an explicit overload policy, and measures into [`PhaseStats`].
//! Stops on request (Ctrl-C), waits a grace period for in-flight jobs, and still returns
//! everything it measured.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use parking_lot::Mutex;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::time::Instant;

use super::accounting::{drop_job, job_request, next_ids, on_end, on_send};
use super::driver::Driver;
use super::progress;
use super::records::Kept;
use super::schedule::{JobSpec, PhaseSchedule};
use super::stats::PhaseStats;
use super::timeline::Timeline;
use crate::evidence::{LoadOutcome, PhaseNotes};
use crate::scenario::{OverloadPolicy, Plan};

/// Default most job records kept per run (later ones are counted, not kept).
pub const DEFAULT_RECORD_CAP: usize = 200_000;

/// How the executor behaves beyond the plan.
#[derive(Debug, Clone)]
pub struct ExecOptions {
    /// Wait this long for in-flight jobs after a stop request.
    pub grace: Duration,
    /// Most job records kept.
    pub record_cap: usize,
    /// Print a progress line on stderr every second.
    pub progress: bool,
}

impl Default for ExecOptions {
    fn default() -> Self {
        Self {
            grace: Duration::from_secs(5),
            record_cap: DEFAULT_RECORD_CAP,
            progress: false,
        }
    }
}

/// Everything measured so far, behind one lock.
pub(crate) struct State {
    pub(crate) phases: Vec<PhaseStats>,
    pub(crate) timeline: Timeline,
    /// Ended and dropped jobs' records, compact until the outcome is built.
    pub(crate) records: Vec<Kept>,
    pub(crate) not_kept: u64,
    /// Records of jobs in flight, by sequence number (bounded by max in flight).
    pub(crate) live: HashMap<u64, Kept>,
}

pub(crate) struct Shared {
    pub(crate) state: Mutex<State>,
    pub(crate) in_flight: AtomicU64,
    pub(crate) current_phase: AtomicUsize,
    run_start: Instant,
    unix_start_ns: u64,
    /// Random per run: part of every correlation id.
    pub(crate) run_id: u32,
    pub(crate) time_scale: f64,
    pub(crate) record_cap: usize,
    pub(crate) late_threshold: Duration,
}

impl Shared {
    pub(crate) fn unix_ns(&self, at: Instant) -> u64 {
        self.unix_start_ns + u64::try_from((at - self.run_start).as_nanos()).unwrap_or(u64::MAX)
    }
    pub(crate) fn unix_ns_start(&self) -> u64 {
        self.unix_start_ns
    }
    pub(crate) fn elapsed_s(&self) -> f64 {
        self.run_start.elapsed().as_secs_f64()
    }
    /// Scenario seconds since the run start.
    pub(crate) fn scenario_s(&self, at: Instant) -> f64 {
        (at - self.run_start).as_secs_f64() * self.time_scale
    }
}

/// Resolves when a stop is requested (never, if the sender is gone).
async fn stop_requested(rx: &mut watch::Receiver<bool>) {
    if rx.wait_for(|v| *v).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Sleep until `deadline`; false when a stop was requested first.
async fn wait_until(deadline: Instant, stop: &mut watch::Receiver<bool>) -> bool {
    if *stop.borrow() {
        return false;
    }
    if Instant::now() >= deadline {
        // Behind schedule: fire at once, but let other tasks run now and then.
        tokio::task::consume_budget().await;
        return true;
    }
    tokio::select! {
        _ = tokio::time::sleep_until(deadline) => true,
        _ = stop_requested(stop) => false,
    }
}

fn wall(plan: &Plan, scenario_s: f64) -> Duration {
    Duration::from_secs_f64((scenario_s / plan.time_scale).max(0.0))
}

/// Run `plan` with `driver` until the schedule ends (then drain) or `stop` becomes true.
pub async fn execute<D: Driver>(
    plan: &Plan,
    driver: Arc<D>,
    stop: watch::Receiver<bool>,
    opts: ExecOptions,
) -> LoadOutcome {
    // The first phase's faults go out before the clock starts, so connection setup does not
    // make its first jobs late.
    let first_faults = match plan.phases.first() {
        Some(p) => driver.begin_phase(p).await.err(),
        None => None,
    };
    let unix_start_ns = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
    let mut ids = ChaCha8Rng::seed_from_u64(plan.seed ^ unix_start_ns);
    let run_id: u32 = ids.random();
    let shared = Arc::new(Shared::new(plan, &opts, unix_start_ns, run_id));
    let progress_task = opts
        .progress
        .then(|| tokio::spawn(progress::report_every_second(plan.clone(), shared.clone())));
    let mut runner = Runner {
        plan,
        driver,
        shared: shared.clone(),
        sem: Arc::new(Semaphore::new(plan.max_in_flight)),
        // Shared by every job of a preset: one name allocation per preset, not per job.
        preset_names: plan
            .presets
            .iter()
            .map(|p| Arc::from(p.name.as_str()))
            .collect(),
        ids,
        seq: 0,
        notes: vec![PhaseNotes::default(); plan.phases.len()],
        stop,
    };
    let interrupted = runner.run_phases(first_faults).await == Walk::Stopped;
    let (interrupted, stopped_at) = runner.drain(interrupted, opts.grace).await;
    if let Some(t) = progress_task {
        t.abort();
        progress::clear_line();
    }
    super::outcome::snapshot(plan, &shared, runner.notes, interrupted, stopped_at)
}

impl Shared {
    /// Empty measurements for `plan`, with the clock starting now.
    fn new(plan: &Plan, opts: &ExecOptions, unix_start_ns: u64, run_id: u32) -> Self {
        Shared {
            state: Mutex::new(State {
                phases: vec![PhaseStats::new(plan.presets.len()); plan.phases.len()],
                timeline: Timeline::new(plan.total_s(), plan.time_scale),
                records: Vec::new(),
                not_kept: 0,
                live: HashMap::new(),
            }),
            in_flight: AtomicU64::new(0),
            current_phase: AtomicUsize::new(0),
            run_start: Instant::now(),
            unix_start_ns,
            run_id,
            time_scale: plan.time_scale,
            record_cap: opts.record_cap,
            late_threshold: Duration::from_secs_f64(plan.tolerances.late_threshold_ms / 1000.0),
        }
    }
}

/// How the walk over the schedule ended.
#[derive(PartialEq)]
enum Walk {
    /// Every phase's jobs were sent.
    Completed,
    /// A stop was requested.
    Stopped,
    /// The in-flight semaphore closed: nothing more can be sent (not an interruption).
    Closed,
}

/// What became of a job's wait for an in-flight slot.
enum Slot {
    Got(OwnedSemaphorePermit),
    /// Dropped under the `drop` overload policy (already accounted).
    Dropped,
    End(Walk),
}

/// A run in progress: what every scheduled job needs to be sent and measured.
struct Runner<'a, D: Driver> {
    plan: &'a Plan,
    driver: Arc<D>,
    shared: Arc<Shared>,
    sem: Arc<Semaphore>,
    preset_names: Vec<Arc<str>>,
    ids: ChaCha8Rng,
    seq: u64,
    notes: Vec<PhaseNotes>,
    stop: watch::Receiver<bool>,
}

impl<D: Driver> Runner<'_, D> {
    /// Send every phase's jobs at their deadlines; the first phase's faults were sent already.
    async fn run_phases(&mut self, first_faults: Option<String>) -> Walk {
        let plan = self.plan;
        let run_start = self.shared.run_start;
        for (pi, phase) in plan.phases.iter().enumerate() {
            if !wait_until(run_start + wall(plan, phase.start_s), &mut self.stop).await {
                return Walk::Stopped;
            }
            self.shared.current_phase.store(pi, Ordering::Relaxed);
            self.notes[pi].started = true;
            self.notes[pi].faults_error = if pi == 0 {
                first_faults.clone()
            } else {
                self.driver.begin_phase(phase).await.err()
            };
            for job in PhaseSchedule::new(plan, pi) {
                let deadline = run_start + wall(plan, job.intended_s);
                if !wait_until(deadline, &mut self.stop).await {
                    return Walk::Stopped;
                }
                match self.slot(pi, &job).await {
                    Slot::Got(permit) => self.launch(pi, &job, deadline, permit),
                    Slot::Dropped => {}
                    Slot::End(walk) => return walk,
                }
            }
        }
        Walk::Completed
    }

    /// An in-flight slot for `job`: at once when one is free, else by the overload policy.
    async fn slot(&mut self, pi: usize, job: &JobSpec) -> Slot {
        if let Ok(p) = self.sem.clone().try_acquire_owned() {
            return Slot::Got(p);
        }
        self.notes[pi].cap_hits += 1;
        if self.plan.overload == OverloadPolicy::Drop {
            drop_job(&self.shared, pi, job, &mut self.ids, &mut self.seq);
            return Slot::Dropped;
        }
        tokio::select! {
            p = self.sem.clone().acquire_owned() => match p {
                Ok(p) => Slot::Got(p),
                Err(_) => Slot::End(Walk::Closed),
            },
            _ = stop_requested(&mut self.stop) => Slot::End(Walk::Stopped),
        }
    }

    /// Send `job` now on its own task, which measures its end and frees the slot.
    fn launch(
        &mut self,
        pi: usize,
        job: &JobSpec,
        deadline: Instant,
        permit: OwnedSemaphorePermit,
    ) {
        let job_ids = next_ids(&mut self.ids);
        let seq = self.seq;
        let req = job_request(
            &self.preset_names,
            self.plan,
            job,
            job_ids,
            self.shared.run_id,
            seq,
        );
        let sent_at = Instant::now();
        on_send(&self.shared, pi, job, job_ids, seq, deadline, sent_at);
        let (shared, driver) = (self.shared.clone(), self.driver.clone());
        let preset = job.preset;
        let intended_s = job.intended_s;
        tokio::spawn(async move {
            let result = driver.run_job(req).await;
            on_end(
                &shared, pi, preset, intended_s, seq, deadline, sent_at, result,
            );
            drop(permit);
        });
        self.seq += 1;
    }

    /// Wait for the schedule's end, then for in-flight jobs; returns whether the run was
    /// interrupted and when sending stopped.
    async fn drain(&mut self, mut interrupted: bool, grace: Duration) -> (bool, Instant) {
        let plan = self.plan;
        let end_of_schedule = self.shared.run_start + wall(plan, plan.total_s());
        if !interrupted && !wait_until(end_of_schedule, &mut self.stop).await {
            interrupted = true;
        }
        let stopped_at = Instant::now().min(end_of_schedule);
        // Drain: every job has its own deadline (job timeout), so this ends; the margin covers the
        // last long-poll. A stop request shortens it to the grace period.
        let all = u32::try_from(plan.max_in_flight).unwrap_or(u32::MAX);
        let drain_for = if interrupted {
            grace
        } else {
            plan.job_timeout_wall() + Duration::from_secs(10)
        };
        tokio::select! {
            _ = tokio::time::timeout(drain_for, self.sem.acquire_many(all)) => {}
            _ = stop_requested(&mut self.stop), if !interrupted => {
                interrupted = true;
                let _ = tokio::time::timeout(grace, self.sem.acquire_many(all)).await;
            }
        }
        (interrupted, stopped_at)
    }
}
