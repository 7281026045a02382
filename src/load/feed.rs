//! The schedule as the workers take it: phase starts and jobs in order, one event ahead. Each
//! job gets its client span ids and sequence number when it is drawn, in schedule order, so
//! they depend only on the seed and the run start, never on which worker sends it or on what
//! was dropped. The feed also holds the idle workers, so "is a worker free at this deadline"
//! and "take the next due job" are answered under one lock.

use rand_chacha::ChaCha8Rng;
use tokio::time::Instant;

use super::accounting::next_ids;
use super::records::JobIds;
use super::schedule::{JobSpec, PhaseSchedule};
use crate::evidence::PhaseNotes;
use crate::scenario::Plan;

/// A job drawn from the schedule, with everything a worker needs to send it.
#[derive(Debug, Clone)]
pub(crate) struct Claimed {
    /// Its phase.
    pub(crate) pi: usize,
    pub(crate) job: JobSpec,
    pub(crate) ids: JobIds,
    /// Its sequence number in the run (over all phases).
    pub(crate) seq: u64,
    /// Its intended start on the wall clock.
    pub(crate) deadline: Instant,
}

/// The next thing the schedule holds.
#[derive(Debug)]
pub(crate) enum Event {
    /// Phase `pi` starts at `at`: its faults are sent before any of its jobs.
    PhaseStart {
        pi: usize,
        at: Instant,
    },
    Job(Claimed),
}

/// What a worker that is free gets from the feed.
pub(crate) enum Take {
    /// A job that is due now: send it.
    Due(Claimed),
    /// Nothing due yet (or its phase has not started): wait to be handed a job.
    Wait,
    /// The schedule is over or the run stopped: end.
    End,
}

/// The schedule, one event ahead, and the idle workers.
pub(crate) struct Feed {
    plan: Plan,
    run_start: Instant,
    ids: ChaCha8Rng,
    seq: u64,
    /// The phase `schedule` walks.
    pi: usize,
    schedule: Option<PhaseSchedule>,
    next: Option<Event>,
    /// Phases whose start has been handled; jobs of later phases are not due yet.
    pub(crate) opened: usize,
    /// Idle workers, most recently idle last (so busy connections stay warm).
    pub(crate) idle: Vec<usize>,
    /// Workers started so far (they are numbered `0..workers`).
    pub(crate) workers: usize,
    /// No more jobs will be taken (stop requested, or the schedule is over).
    pub(crate) closed: bool,
    /// The timer waits for a worker to become idle (a due job found none).
    pub(crate) timer_wants_idle: bool,
    /// Sequence number of the last job counted as finding no free worker.
    pub(crate) cap_hit_seq: Option<u64>,
    /// What each phase's walk noted (started, faults, cap hits).
    pub(crate) notes: Vec<PhaseNotes>,
}

/// Wall time of scenario second `s` of `plan`.
pub(crate) fn wall(plan: &Plan, s: f64) -> std::time::Duration {
    std::time::Duration::from_secs_f64((s / plan.time_scale).max(0.0))
}

impl Feed {
    /// The feed of `plan`, on a clock that started at `run_start`, with `ids` for span ids.
    pub(crate) fn new(plan: &Plan, run_start: Instant, ids: ChaCha8Rng) -> Self {
        let mut feed = Self {
            plan: plan.clone(),
            run_start,
            ids,
            seq: 0,
            pi: 0,
            schedule: None,
            next: None,
            opened: 0,
            idle: Vec::new(),
            workers: 0,
            closed: false,
            timer_wants_idle: false,
            cap_hit_seq: None,
            notes: vec![PhaseNotes::default(); plan.phases.len()],
        };
        feed.next = feed.draw();
        feed
    }

    /// The next event, without taking it.
    pub(crate) fn peek(&self) -> Option<&Event> {
        if self.closed {
            return None;
        }
        self.next.as_ref()
    }

    /// Take the next event.
    pub(crate) fn pop(&mut self) -> Option<Event> {
        if self.closed {
            return None;
        }
        let ev = self.next.take();
        self.next = self.draw();
        ev
    }

    /// For a free worker at `now`: the next job when it is due and its phase has started.
    pub(crate) fn take_due(&mut self, now: Instant) -> Take {
        match self.peek() {
            None => Take::End,
            Some(Event::Job(c)) if c.deadline <= now && c.pi < self.opened => match self.pop() {
                Some(Event::Job(c)) => Take::Due(c),
                _ => Take::End,
            },
            Some(_) => Take::Wait,
        }
    }

    /// Job `seq` of phase `pi` found no worker free at its deadline.
    pub(crate) fn count_cap_hit(&mut self, pi: usize, seq: u64) {
        if let Some(n) = self.notes.get_mut(pi) {
            n.cap_hits += 1;
        }
        self.cap_hit_seq = Some(seq);
    }

    /// The event after the current one: a job of the phase being walked, else the next
    /// phase's start.
    fn draw(&mut self) -> Option<Event> {
        if let Some(s) = &mut self.schedule {
            if let Some(job) = s.next() {
                return Some(Event::Job(self.claim(job)));
            }
            self.schedule = None;
            self.pi += 1;
        }
        let phase = self.plan.phases.get(self.pi)?;
        self.schedule = Some(PhaseSchedule::new(&self.plan, self.pi));
        let at = self.run_start + wall(&self.plan, phase.start_s);
        Some(Event::PhaseStart { pi: self.pi, at })
    }

    fn claim(&mut self, job: JobSpec) -> Claimed {
        let c = Claimed {
            pi: self.pi,
            deadline: self.run_start + wall(&self.plan, job.intended_s),
            ids: next_ids(&mut self.ids),
            seq: self.seq,
            job,
        };
        self.seq += 1;
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use std::path::Path;

    fn plan() -> Plan {
        let text = "name: t\nseed: 3\nphases:\n  - {name: a, duration: 1s, rate: 3/s}\n  - {name: b, duration: 1s, rate: 0/s}\n  - {name: c, duration: 1s, rate: 2/s}\n";
        crate::scenario::parse_scenario(text, Path::new("t.yaml")).expect("valid")
    }

    fn events(feed: &mut Feed) -> Vec<String> {
        std::iter::from_fn(|| feed.pop())
            .map(|e| match e {
                Event::PhaseStart { pi, .. } => format!("start {pi}"),
                Event::Job(c) => format!("job {} of {}", c.seq, c.pi),
            })
            .collect()
    }

    #[test]
    fn phase_starts_precede_their_jobs_and_empty_phases_still_start() {
        let mut feed = Feed::new(&plan(), Instant::now(), ChaCha8Rng::seed_from_u64(1));
        let want = [
            "start 0",
            "job 0 of 0",
            "job 1 of 0",
            "job 2 of 0",
            "start 1",
            "start 2",
            "job 3 of 2",
            "job 4 of 2",
        ];
        assert_eq!(events(&mut feed), want);
    }

    #[test]
    fn a_job_is_due_only_at_its_deadline_and_once_its_phase_started() {
        let start = Instant::now();
        let mut feed = Feed::new(&plan(), start, ChaCha8Rng::seed_from_u64(1));
        assert!(
            matches!(feed.take_due(start), Take::Wait),
            "the phase start comes first"
        );
        assert!(matches!(feed.pop(), Some(Event::PhaseStart { pi: 0, .. })));
        assert!(
            matches!(feed.take_due(start), Take::Wait),
            "phase 0 not opened yet"
        );
        feed.opened = 1;
        assert!(matches!(feed.take_due(start), Take::Due(c) if c.seq == 0));
        let second = start + std::time::Duration::from_millis(333);
        assert!(
            matches!(feed.take_due(second), Take::Wait),
            "job 1 is due at 1/3 s"
        );
        let later = start + std::time::Duration::from_millis(334);
        assert!(matches!(feed.take_due(later), Take::Due(c) if c.seq == 1));
        feed.closed = true;
        assert!(matches!(feed.take_due(later), Take::End));
    }

    #[test]
    fn ids_follow_the_schedule_whoever_takes_the_jobs() {
        let a: Vec<_> = {
            let mut f = Feed::new(&plan(), Instant::now(), ChaCha8Rng::seed_from_u64(9));
            std::iter::from_fn(|| f.pop())
                .filter_map(|e| match e {
                    Event::Job(c) => Some((c.seq, c.ids.trace, c.ids.span)),
                    Event::PhaseStart { .. } => None,
                })
                .collect()
        };
        let mut f = Feed::new(&plan(), Instant::now(), ChaCha8Rng::seed_from_u64(9));
        let mut b = Vec::new();
        while let Some(e) = f.pop() {
            if let Event::Job(c) = e {
                b.push((c.seq, c.ids.trace, c.ids.span));
            }
        }
        assert_eq!(a, b);
        assert_eq!(a.len(), 5);
    }
}
