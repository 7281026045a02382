//! The connection workers: up to `max_in_flight` tasks, each sending one job at a time. The
//! timer ([`super::timer`]) starts one when a job is due and no worker is idle, so a run has
//! as many as its peak concurrency needs, never more, and none is ever stopped before the end.
//! A worker that finishes a job takes the next due one itself, so at full load no hand-off
//! crosses threads; when nothing is due it waits in the feed's idle list and the timer hands
//! it the next job at its deadline.

use std::sync::Arc;

use parking_lot::Mutex;
use tokio::sync::Notify;
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::accounting::{job_request, on_end, on_send};
use super::driver::Driver;
use super::executor::Shared;
use super::feed::{Claimed, Feed, Take};
use super::timer::TimerClock;
use crate::scenario::Plan;

/// What a waiting worker is handed.
enum SlotState {
    Empty,
    Job(Claimed),
    Closed,
}

/// A worker's mailbox: the timer puts a job (or the end) in it and wakes the worker.
pub(crate) struct Slot {
    state: Mutex<SlotState>,
    notify: Notify,
}

impl Slot {
    fn new() -> Self {
        Self {
            state: Mutex::new(SlotState::Empty),
            notify: Notify::new(),
        }
    }

    /// Give the worker `c` to send.
    pub(crate) fn hand(&self, c: Claimed) {
        *self.state.lock() = SlotState::Job(c);
        self.notify.notify_one();
    }

    /// Tell the worker to end.
    pub(crate) fn close(&self) {
        *self.state.lock() = SlotState::Closed;
        self.notify.notify_one();
    }

    /// The next job handed over, or `None` once closed.
    async fn wait(&self) -> Option<Claimed> {
        loop {
            {
                let mut s = self.state.lock();
                match std::mem::replace(&mut *s, SlotState::Empty) {
                    SlotState::Job(c) => return Some(c),
                    SlotState::Closed => {
                        *s = SlotState::Closed;
                        return None;
                    }
                    SlotState::Empty => {}
                }
            }
            // `notify_one` keeps a permit when nobody waits, so a hand-off between the check
            // above and this await is not lost.
            self.notify.notified().await;
        }
    }
}

/// What the workers and the timer share.
pub(crate) struct Engine<D: Driver> {
    pub(crate) plan: Plan,
    pub(crate) driver: Arc<D>,
    pub(crate) shared: Arc<Shared>,
    pub(crate) feed: Mutex<Feed>,
    /// One mailbox per possible worker (`max_in_flight`).
    pub(crate) slots: Vec<Slot>,
    /// The workers started so far (started by the timer, joined by the executor's drain).
    pub(crate) tasks: Mutex<JoinSet<()>>,
    pub(crate) clock: TimerClock,
    /// Shared by every job of a preset: one name allocation per preset, not per job.
    preset_names: Vec<Arc<str>>,
}

impl<D: Driver> Engine<D> {
    pub(crate) fn new(
        plan: &Plan,
        driver: Arc<D>,
        shared: Arc<Shared>,
        feed: Feed,
        clock: TimerClock,
    ) -> Self {
        Self {
            plan: plan.clone(),
            driver,
            shared,
            feed: Mutex::new(feed),
            slots: (0..plan.max_in_flight.max(1))
                .map(|_| Slot::new())
                .collect(),
            tasks: Mutex::new(JoinSet::new()),
            clock,
            preset_names: plan
                .presets
                .iter()
                .map(|p| Arc::from(p.name.as_str()))
                .collect(),
        }
    }

    /// End the feed: idle workers end now, busy ones after their job; the timer wakes to end.
    pub(crate) fn close(&self) {
        let mut f = self.feed.lock();
        f.closed = true;
        for w in f.idle.drain(..) {
            self.slots[w].close();
        }
        drop(f);
        self.clock.wake();
    }

    /// Send one job and measure it.
    async fn send(&self, c: Claimed) {
        let req = job_request(
            &self.preset_names,
            &self.plan,
            &c.job,
            c.ids,
            self.shared.run_id,
            c.seq,
        );
        let sent_at = Instant::now();
        on_send(
            &self.shared,
            c.pi,
            &c.job,
            c.ids,
            c.seq,
            c.deadline,
            sent_at,
        );
        let result = self.driver.run_job(req).await;
        let (preset, intended_s) = (c.job.preset, c.job.intended_s);
        on_end(
            &self.shared,
            c.pi,
            preset,
            intended_s,
            c.seq,
            c.deadline,
            sent_at,
            result,
        );
    }

    /// The next job for worker `me`: a due one at once, else wait to be handed one.
    async fn next_job(&self, me: usize) -> Option<Claimed> {
        {
            let mut f = self.feed.lock();
            match f.take_due(Instant::now()) {
                Take::Due(c) => {
                    // Past due with every worker started and busy: no slot was free at its
                    // deadline (unless the timer already counted it).
                    let all_busy = f.workers >= self.slots.len();
                    if all_busy && f.cap_hit_seq != Some(c.seq) && c.deadline < Instant::now() {
                        f.count_cap_hit(c.pi, c.seq);
                    }
                    return Some(c);
                }
                Take::End => {
                    // The timer may wait for an idle worker that no job will need now.
                    if std::mem::take(&mut f.timer_wants_idle) {
                        self.clock.wake();
                    }
                    return None;
                }
                Take::Wait => {
                    f.idle.push(me);
                    if std::mem::take(&mut f.timer_wants_idle) {
                        self.clock.wake();
                    }
                }
            }
        }
        self.slots[me].wait().await
    }
}

/// Worker `me`: send `first`, then jobs until the feed ends.
pub(crate) async fn worker<D: Driver>(engine: Arc<Engine<D>>, me: usize, first: Claimed) {
    engine.send(first).await;
    while let Some(c) = engine.next_job(me).await {
        engine.send(c).await;
    }
}
