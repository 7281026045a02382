//! The timer: walks the feed's events on the wall clock. At a phase start it sends the phase's
//! faults and opens the phase; at a job's deadline it hands the job to an idle worker, or
//! starts a new worker with it while fewer than `max_in_flight` run, or, when all run and are
//! busy, counts a cap hit and drops the job (`drop` policy) or leaves it to the first worker
//! that finishes (`queue`).
//!
//! In a run it has an OS thread of its own ([`TimerClock::thread`]): a condition variable's
//! timed wait wakes within tens of microseconds of a deadline, where the runtime's timer wheel
//! has millisecond ticks (a p99 scheduler lag of ≈ 1.4 ms). Tests on tokio's paused clock
//! use [`TimerClock::runtime`] instead, so simulated time still jumps.

use std::sync::Arc;

use parking_lot::{Condvar, Mutex};
use tokio::sync::Notify;
use tokio::time::Instant;

use super::accounting::drop_job;
use super::driver::Driver;
use super::feed::{Event, Feed};
use super::workers::Engine;
use crate::scenario::OverloadPolicy;

/// How the timer waits.
pub(crate) enum TimerClock {
    /// On its own thread: condition variable waits (precise).
    Thread(Arc<(Mutex<bool>, Condvar)>),
    /// As a runtime task: tokio's timer (follows a paused clock).
    Runtime(Arc<Notify>),
}

impl TimerClock {
    pub(crate) fn thread() -> Self {
        TimerClock::Thread(Arc::new((Mutex::new(false), Condvar::new())))
    }
    pub(crate) fn runtime() -> Self {
        TimerClock::Runtime(Arc::new(Notify::new()))
    }

    /// Wake the timer early (a stop, or an idle worker it waits for).
    pub(crate) fn wake(&self) {
        match self {
            TimerClock::Thread(pair) => {
                *pair.0.lock() = true;
                pair.1.notify_one();
            }
            TimerClock::Runtime(n) => n.notify_one(),
        }
    }

    /// Wait until `until` (or forever with `None`), or until woken.
    async fn wait(&self, until: Option<Instant>) {
        match self {
            TimerClock::Thread(pair) => {
                let mut woken = pair.0.lock();
                if !*woken {
                    match until {
                        Some(t) => {
                            let _ = pair.1.wait_until(&mut woken, t.into_std());
                        }
                        None => pair.1.wait(&mut woken),
                    }
                }
                *woken = false;
            }
            TimerClock::Runtime(n) => match until {
                Some(t) => {
                    tokio::select! {
                        _ = tokio::time::sleep_until(t) => {}
                        _ = n.notified() => {}
                    }
                }
                None => n.notified().await,
            },
        }
    }
}

/// What the timer does next.
enum Step {
    /// Look again at once.
    Again,
    /// Nothing to do until then.
    Sleep(Instant),
    /// A due job waits for a worker; sleep until one becomes idle.
    WaitIdle,
    /// Phase `pi` starts now.
    Open(usize),
    /// The feed is over (or closed).
    End,
}

/// Walk the feed until it ends. `first_faults` is what sending phase 0's faults (before the
/// clock started) gave.
pub(crate) async fn run<D: Driver>(engine: Arc<Engine<D>>, first_faults: Option<String>) {
    let mut first_faults = Some(first_faults);
    loop {
        let step = {
            let mut f = engine.feed.lock();
            step(&engine, &mut f, Instant::now())
        };
        match step {
            Step::Again => {}
            Step::Sleep(t) => engine.clock.wait(Some(t)).await,
            Step::WaitIdle => engine.clock.wait(None).await,
            Step::Open(pi) => {
                let faults_error = match (pi, first_faults.take()) {
                    (0, Some(e)) => e,
                    _ => match engine.plan.phases.get(pi) {
                        Some(p) => engine.driver.begin_phase(p).await.err(),
                        None => None,
                    },
                };
                let mut f = engine.feed.lock();
                if let Some(n) = f.notes.get_mut(pi) {
                    n.started = true;
                    n.faults_error = faults_error;
                }
                f.opened = pi + 1;
            }
            Step::End => break,
        }
    }
    engine.close();
}

fn step<D: Driver>(engine: &Arc<Engine<D>>, f: &mut Feed, now: Instant) -> Step {
    let (deadline, seq) = match f.peek() {
        None => return Step::End,
        Some(Event::PhaseStart { pi, at }) => {
            if *at > now {
                return Step::Sleep(*at);
            }
            let pi = *pi;
            f.pop();
            engine
                .shared
                .current_phase
                .store(pi, std::sync::atomic::Ordering::Relaxed);
            return Step::Open(pi);
        }
        Some(Event::Job(c)) => (c.deadline, c.seq),
    };
    if deadline > now {
        return Step::Sleep(deadline);
    }
    if f.idle.is_empty() && f.workers < engine.slots.len() {
        if let Some(Event::Job(c)) = f.pop() {
            // Started under the feed lock, so a closed feed never starts one.
            let me = f.workers;
            f.workers += 1;
            engine
                .tasks
                .lock()
                .spawn(super::workers::worker(engine.clone(), me, c));
        }
        return Step::Again;
    }
    if f.idle.is_empty() {
        // No worker free at the deadline.
        let pi = match f.peek() {
            Some(Event::Job(c)) => c.pi,
            _ => return Step::Again,
        };
        if f.cap_hit_seq != Some(seq) {
            f.count_cap_hit(pi, seq);
        }
        if engine.plan.overload == OverloadPolicy::Queue {
            // The job waits for the first worker that finishes.
            f.timer_wants_idle = true;
            return Step::WaitIdle;
        }
        if let Some(Event::Job(c)) = f.pop() {
            drop_job(&engine.shared, c.pi, &c.job, c.ids, c.seq);
        }
        return Step::Again;
    }
    if let (Some(w), Some(Event::Job(c))) = (f.idle.pop(), f.pop()) {
        engine.slots[w].hand(c);
    }
    Step::Again
}
