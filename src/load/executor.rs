//! The executor: up to `max_in_flight` connection workers ([`super::workers`]) fed by
//! the schedule ([`super::feed`]) on absolute deadlines (drift cannot accumulate; a late job is
//! sent at once and counts as late), with the timer ([`super::timer`]) applying the overload
//! policy, measuring into [`PhaseStats`]. Stops on request (Ctrl-C), waits a grace period for
//! in-flight jobs, and still returns everything it measured.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use parking_lot::Mutex;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::driver::Driver;
use super::feed::{Feed, wall};
use super::progress;
use super::records::{JobTap, Kept, RecordNames};
use super::stats::PhaseStats;
use super::timeline::Timeline;
use super::timer::TimerClock;
use super::workers::Engine;
use crate::evidence::LoadOutcome;
use crate::scenario::Plan;

/// Default most job records kept per run (later ones are counted, not kept).
pub const DEFAULT_RECORD_CAP: usize = 200_000;

/// How the executor behaves beyond the plan.
#[derive(Debug, Clone)]
pub struct ExecOptions {
    /// Wait this long for in-flight jobs after a stop request.
    pub grace: Duration,
    /// Most job records kept, for the checks that compare jobs with their log lines and spans;
    /// 0 keeps none (a run with no such check holds no per-job state beyond the jobs in
    /// flight).
    pub record_cap: usize,
    /// Where every job's record goes as the job ends (see [`JobTap`]), apart from the cap.
    pub job_tap: Option<JobTap>,
    /// Print a progress line on stderr every second.
    pub progress: bool,
    /// Run the timer on its own thread, waking within tens of microseconds of each deadline.
    /// Off, it is a runtime task on tokio's millisecond timer, which follows a paused test
    /// clock.
    pub precise_timer: bool,
}

impl Default for ExecOptions {
    fn default() -> Self {
        Self {
            grace: Duration::from_secs(5),
            record_cap: DEFAULT_RECORD_CAP,
            job_tap: None,
            progress: false,
            precise_timer: true,
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
    pub(crate) tap: Option<JobTap>,
    pub(crate) names: RecordNames,
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
    /// Hand `rec` to the job tap, if there is one.
    pub(crate) fn stream(&self, rec: &Kept) {
        if let Some(t) = &self.tap {
            t.send(rec.to_record(&self.names, self.run_id));
        }
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

/// Run `plan` with `driver` until the schedule ends (then drain) or `stop` becomes true.
pub async fn execute<D: Driver>(
    plan: &Plan,
    driver: Arc<D>,
    mut stop: watch::Receiver<bool>,
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
    let clock = if opts.precise_timer {
        TimerClock::thread()
    } else {
        TimerClock::runtime()
    };
    let feed = Feed::new(plan, shared.run_start, ids);
    let engine = Arc::new(Engine::new(plan, driver, shared.clone(), feed, clock));
    let timer_done = start_timer(engine.clone(), first_faults, opts.precise_timer);
    let interrupted = tokio::select! {
        _ = timer_done => false,
        _ = stop_requested(&mut stop) => true,
    };
    let (interrupted, stopped_at) = drain(plan, &engine, &mut stop, interrupted, opts.grace).await;
    if let Some(t) = progress_task {
        t.abort();
        progress::clear_line();
    }
    let notes = std::mem::take(&mut engine.feed.lock().notes);
    super::outcome::snapshot(plan, &shared, notes, interrupted, stopped_at)
}

/// Start the timer (its own thread, or a runtime task); the receiver resolves when it ends.
fn start_timer<D: Driver>(
    engine: Arc<Engine<D>>,
    first_faults: Option<String>,
    own_thread: bool,
) -> oneshot::Receiver<()> {
    let (tx, rx) = oneshot::channel();
    let walk = async move {
        super::timer::run(engine, first_faults).await;
        let _ = tx.send(());
    };
    if own_thread {
        let handle = tokio::runtime::Handle::current();
        // The thread only waits and hands out jobs; the fault PUTs it sends run on the
        // runtime's I/O driver through the handle.
        let spawned = std::thread::Builder::new()
            .name("obsgate-timer".into())
            .spawn(move || handle.block_on(walk));
        if let Err(e) = spawned {
            eprintln!("obsgate: cannot start the timer thread ({e}); the load is not sent");
        }
    } else {
        tokio::spawn(walk);
    }
    rx
}

/// Wait for the schedule's end, then for in-flight jobs; returns whether the run was
/// interrupted and when sending stopped.
async fn drain<D: Driver>(
    plan: &Plan,
    engine: &Engine<D>,
    stop: &mut watch::Receiver<bool>,
    mut interrupted: bool,
    grace: Duration,
) -> (bool, Instant) {
    let end_of_schedule = engine.shared.run_start + wall(plan, plan.total_s());
    if !interrupted && !wait_until(end_of_schedule, stop).await {
        interrupted = true;
    }
    if interrupted {
        engine.close();
    }
    let stopped_at = Instant::now().min(end_of_schedule);
    // The feed is over or closed: no worker starts any more.
    let mut workers = std::mem::take(&mut *engine.tasks.lock());
    // Drain: every job has its own deadline (job timeout), so this ends; the margin covers the
    // last long-poll. A stop request shortens it to the grace period.
    let drain_for = if interrupted {
        grace
    } else {
        plan.job_timeout_wall() + Duration::from_secs(10)
    };
    let stopped_now = tokio::select! {
        _ = tokio::time::timeout(drain_for, join_all(&mut workers)) => false,
        _ = stop_requested(stop), if !interrupted => true,
    };
    if stopped_now {
        interrupted = true;
        engine.close();
        let _ = tokio::time::timeout(grace, join_all(&mut workers)).await;
    }
    // Jobs still running past the drain are reported in flight.
    workers.abort_all();
    (interrupted, stopped_at)
}

async fn join_all(workers: &mut JoinSet<()>) {
    while workers.join_next().await.is_some() {}
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
            tap: opts.job_tap.clone(),
            names: RecordNames::of(plan),
            late_threshold: Duration::from_secs_f64(plan.tolerances.late_threshold_ms / 1000.0),
        }
    }
}
