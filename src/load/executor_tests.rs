//! Executor and load-check tests on tokio's paused clock with in-process drivers (no network):
//! accounting, overload policies, interruption, and checks that pass and fail.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

use super::*;
use crate::check::signals::load::load_checks;
use crate::evidence::JobOutcome;
use crate::scenario::{PhasePlan, Plan, parse_scenario};
use crate::verdict::Status;

/// Answers after `answer`, ends the job after `job`; fails every `fail_every`-th job.
struct Fake {
    answer: Duration,
    job: Duration,
    fail_every: u64,
    n: AtomicU64,
    phases: parking_lot::Mutex<Vec<String>>,
}

impl Fake {
    fn new(answer_ms: u64, job_ms: u64, fail_every: u64) -> Arc<Self> {
        Arc::new(Self {
            answer: Duration::from_millis(answer_ms),
            job: Duration::from_millis(job_ms),
            fail_every,
            n: AtomicU64::new(0),
            phases: parking_lot::Mutex::new(Vec::new()),
        })
    }
}

impl Driver for Fake {
    async fn begin_phase(&self, phase: &PhasePlan) -> Result<(), String> {
        self.phases.lock().push(phase.name.clone());
        Ok(())
    }
    async fn run_job(&self, _job: JobRequest) -> JobResult {
        let n = self.n.fetch_add(1, Ordering::Relaxed) + 1;
        tokio::time::sleep(self.answer).await;
        let responded = Some(Instant::now());
        tokio::time::sleep(self.job).await;
        let fail = self.fail_every > 0 && n.is_multiple_of(self.fail_every);
        JobResult {
            outcome: if fail {
                JobOutcome::Failed
            } else {
                JobOutcome::Succeeded
            },
            reason: fail.then(|| "job_failed".to_string()),
            http_status: Some(202),
            job_id: Some(format!("j{n}")),
            returned_trace_id: None,
            responded,
            ended: Some(Instant::now()),
        }
    }
}

fn plan(head: &str, phases: &str) -> Plan {
    let text = format!("name: t\nseed: 5\n{head}phases:\n{phases}");
    parse_scenario(&text, std::path::Path::new("t.yaml")).expect("valid test scenario")
}

/// Options for tokio's paused clock: the timer is a runtime task.
fn paused() -> ExecOptions {
    ExecOptions {
        precise_timer: false,
        ..ExecOptions::default()
    }
}

fn no_stop() -> watch::Receiver<bool> {
    let (tx, rx) = watch::channel(false);
    std::mem::forget(tx);
    rx
}

#[tokio::test(start_paused = true)]
async fn every_job_accounted_and_checks_pass() {
    let p = plan(
        "time_scale: 10\n",
        "  - {name: a, duration: 100s, rate: 2/s}\n  - {name: b, duration: 50s, rate: {from: 1/s, to: 3/s}}\n",
    );
    let fake = Fake::new(5, 300, 10);
    let out = execute(&p, fake.clone(), no_stop(), paused()).await;
    assert!(!out.interrupted);
    assert_eq!(*fake.phases.lock(), vec!["a", "b"]);
    let a = &out.phases[0];
    assert_eq!((a.scheduled, a.sent, a.dropped, a.late), (200, 200, 0, 0));
    assert_eq!(a.succeeded + a.failed, a.sent);
    assert_eq!(a.failed, 20);
    assert_eq!(a.failed_by_reason.get("job_failed"), Some(&20));
    assert_eq!(out.phases[1].scheduled, 100);
    // 305 wall ms (answer + job) at time scale 10 is 3.05 scenario seconds.
    assert!(
        (a.job_time_s.p50 - 3.05).abs() < 0.01,
        "{:?} {:?} {:?}",
        a.job_time_s,
        a.latency_ms,
        a.latency_from_send_ms
    );
    assert!((a.latency_ms.p50 - 5.0).abs() < 0.1, "{:?}", a.latency_ms);
    assert!((a.achieved_rate - 2.0).abs() < 1e-9);
    assert_eq!(out.jobs.len(), 300);
    assert!(out.timeline.len() <= 300 && !out.timeline.is_empty());
    let checks = load_checks(&p, &out);
    assert!(
        checks.iter().all(|c| c.status == Status::Pass),
        "{checks:#?}"
    );
}

#[tokio::test(start_paused = true)]
async fn drop_policy_counts_and_fails_the_dropped_check() {
    let p = plan(
        "max_in_flight: 5\noverload: drop\n",
        "  - {name: burst, duration: 10s, rate: 10/s}\n",
    );
    let out = execute(&p, Fake::new(1, 60_000, 0), no_stop(), paused()).await;
    let b = &out.phases[0];
    assert_eq!((b.scheduled, b.sent, b.dropped), (100, 5, 95));
    assert_eq!(b.peak_in_flight, 5);
    let checks = load_checks(&p, &out);
    let dropped = checks
        .iter()
        .find(|c| c.id == "load.dropped.burst")
        .expect("check");
    assert_eq!(dropped.status, Status::Fail);
    assert!(dropped.message.contains("95 of 100"), "{}", dropped.message);
    let rate = checks
        .iter()
        .find(|c| c.id == "load.rate.burst")
        .expect("check");
    assert_eq!(rate.status, Status::Fail, "{}", rate.message);
}

#[tokio::test(start_paused = true)]
async fn queue_policy_makes_late_jobs_and_the_generator_check_says_why() {
    let p = plan(
        "max_in_flight: 2\n",
        "  - {name: q, duration: 10s, rate: 10/s}\n",
    );
    let out = execute(&p, Fake::new(1, 1000, 0), no_stop(), paused()).await;
    let q = &out.phases[0];
    assert_eq!((q.scheduled, q.sent, q.dropped), (100, 100, 0));
    assert!(q.late > 90, "late {}", q.late);
    // Latency from the intended start includes the wait for a slot.
    assert!(q.latency_ms.max > q.latency_from_send_ms.max * 100.0);
    let checks = load_checks(&p, &out);
    let g = checks
        .iter()
        .find(|c| c.id == "load.generator.q")
        .expect("check");
    assert_eq!(g.status, Status::Fail);
    assert!(
        g.message.contains("could not keep up") && g.message.contains("max_in_flight (2)"),
        "{}",
        g.message
    );
}

#[tokio::test(start_paused = true)]
async fn stop_interrupts_and_reports_in_flight() {
    let p = plan(
        "",
        "  - {name: a, duration: 100s, rate: 1/s}\n  - {name: b, duration: 10s, rate: 1/s}\n",
    );
    let (tx, rx) = watch::channel(false);
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(20_500)).await;
        let _ = tx.send(true);
    });
    let opts = ExecOptions {
        grace: Duration::from_secs(1),
        ..paused()
    };
    let out = execute(&p, Fake::new(1, 3_600_000, 0), rx, opts).await;
    assert!(out.interrupted);
    let a = &out.phases[0];
    assert_eq!(a.scheduled, 21);
    assert_eq!(a.in_flight, 21);
    assert_eq!(a.sent, a.succeeded + a.failed + a.in_flight);
    assert!((a.duration_s - 20.5).abs() < 0.01);
    assert!(out.jobs.iter().all(|j| j.outcome == JobOutcome::InFlight));
    let checks = load_checks(&p, &out);
    let b = checks
        .iter()
        .find(|c| c.id == "load.rate.b")
        .expect("check");
    assert_eq!(b.status, Status::Skip);
}

#[tokio::test(start_paused = true)]
async fn record_cap_bounds_memory() {
    let p = plan("", "  - {name: a, duration: 100s, rate: 10/s}\n");
    let opts = ExecOptions {
        record_cap: 50,
        ..paused()
    };
    let out = execute(&p, Fake::new(1, 1, 0), no_stop(), opts).await;
    assert_eq!(out.jobs.len(), 50);
    assert_eq!(out.jobs_not_kept, 950);
}

/// Records off: no job is kept and none is reported missing, while every count is whole.
#[tokio::test(start_paused = true)]
async fn a_record_cap_of_zero_keeps_nothing_and_misses_nothing() {
    let p = plan("", "  - {name: a, duration: 100s, rate: 10/s}\n");
    let opts = ExecOptions {
        record_cap: 0,
        ..paused()
    };
    let out = execute(&p, Fake::new(1, 1, 0), no_stop(), opts).await;
    assert!(out.jobs.is_empty());
    assert_eq!(out.jobs_not_kept, 0);
    let a = &out.phases[0];
    assert_eq!((a.scheduled, a.sent, a.succeeded), (1000, 1000, 1000));
    assert_eq!(a.outcomes.total(), 1000);
}

/// Workers start on demand: a large `max_in_flight` at a low concurrency neither makes the
/// first jobs late nor counts a cap hit (starting them all up front once did both).
#[tokio::test]
async fn a_large_max_in_flight_starts_workers_on_demand_without_cap_hits() {
    let p = plan(
        "max_in_flight: 20000\n",
        "  - {name: a, duration: 1s, rate: 200/s}\n",
    );
    let out = execute(&p, Fake::new(1, 5, 0), no_stop(), ExecOptions::default()).await;
    let a = &out.phases[0];
    assert_eq!((a.scheduled, a.sent, a.dropped), (200, 200, 0));
    assert_eq!(out.notes[0].cap_hits, 0);
    assert!(
        a.peak_in_flight < 100,
        "peak in flight {}",
        a.peak_in_flight
    );
    assert!(a.late < 5, "{} late", a.late);
}

/// The tap hands over every job's end whatever the record cap, and counts what did not fit.
#[tokio::test(start_paused = true)]
async fn the_job_tap_streams_every_ended_job_and_counts_what_did_not_fit() {
    let p = plan("", "  - {name: a, duration: 100s, rate: 10/s}\n");
    let (tap, mut rx) = crate::load::JobTap::channel(2_000);
    let opts = ExecOptions {
        record_cap: 0,
        job_tap: Some(tap),
        ..paused()
    };
    let out = execute(&p, Fake::new(1, 1, 0), no_stop(), opts).await;
    assert!(out.jobs.is_empty(), "the cap still holds");
    let mut ids = std::collections::HashSet::new();
    while let Ok(r) = rx.try_recv() {
        assert_eq!(r.outcome, JobOutcome::Succeeded);
        assert_eq!(r.phase, "a");
        ids.insert(r.correlation_id);
    }
    assert_eq!(ids.len(), 1000, "one record per job, each its own");
    assert_eq!(out.jobs_not_streamed, 0);

    // A queue that nobody reads: what does not fit is counted, and the run is not slowed.
    let (tap, _rx) = crate::load::JobTap::channel(10);
    let opts = ExecOptions {
        record_cap: 0,
        job_tap: Some(tap),
        ..paused()
    };
    let out = execute(&p, Fake::new(1, 1, 0), no_stop(), opts).await;
    assert_eq!(out.jobs_not_streamed, 990);
    assert_eq!(out.phases[0].succeeded, 1000);
}
