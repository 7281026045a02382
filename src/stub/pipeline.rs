//! Execution of jobs: dispatch, which hands queued jobs to workers (honouring
//! `worker_count` and `consumer_stall`), one job's walk through its planned steps with the
//! matching metrics, spans and log lines, and the shutdown drain. Durations come from the model
//! in scenario seconds; workers sleep duration / time_scale.

mod step;

use super::faults::Spread;
use super::logs::{Level, LogCtx};
use super::model::{JobPlan, Step, StepKind, plan_job};
use super::state::{JobStatus, QueuedJob, Shared};
use super::traces::{SpanBatch, SpanSpec, hex, kv, kv_f64, new_span_id, now_ns};
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use step::FinishedStep;

/// Hand queued jobs to free workers unless consumers are stalled. Called where the answer can
/// change (a job queued, a job finished, the fault profile replaced), so no dispatcher task
/// sits between a request and its worker.
pub fn dispatch(shared: &Arc<Shared>) {
    let (limit, stalled) = {
        let f = shared.faults.read();
        (
            f.worker_count
                .map(|w| w as usize)
                .unwrap_or(shared.config.workers),
            f.consumer_stall,
        )
    };
    if stalled {
        return;
    }
    let mut s = shared.sched.lock();
    while s.active < limit {
        let Some(job) = s.queued.pop_front() else {
            break;
        };
        s.active += 1;
        tokio::spawn(run_job(shared.clone(), job));
    }
}

/// Shortest wall sleep worth a timer: tokio's timer has millisecond granularity, so shorter
/// stage sleeps are accumulated and slept together (at high time scales this keeps the job's
/// total wall time right without one timer per step).
const MIN_SLEEP_S: f64 = 0.001;

/// Paces one job: sleeps `scenario_s / time_scale` per step, carrying sub-millisecond debt.
struct Pacer {
    debt_s: f64,
}

impl Pacer {
    /// False when the shutdown deadline aborted the wait.
    async fn wait(&mut self, shared: &Shared, scenario_s: f64) -> bool {
        self.debt_s += (scenario_s / shared.config.time_scale).max(0.0);
        let mut abort = shared.abort_tx.subscribe();
        if *abort.borrow() {
            return false;
        }
        if self.debt_s < MIN_SLEEP_S {
            return true;
        }
        let wall = std::mem::take(&mut self.debt_s).min(86_400.0);
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs_f64(wall)) => true,
            _ = abort.wait_for(|a| *a) => false,
        }
    }
}

fn ctx(job: &QueuedJob, span_id: &[u8; 8], stage: &str) -> LogCtx {
    LogCtx {
        correlation_id: job.correlation_id.clone(),
        trace_id: hex(&job.trace_id),
        span_id: hex(span_id),
        user_id: job.user_id.clone(),
        job_id: job.job_id.clone(),
        preset: job.preset.as_str().to_string(),
        stage: stage.to_string(),
    }
}

/// Run one job to its end. The worker slot was taken by the dispatcher; it is given back here.
async fn run_job(shared: Arc<Shared>, job: QueuedJob) {
    let faults = shared.faults.read().clone();
    let seed = shared
        .config
        .seed
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(job.seq);
    let rng = &mut ChaCha8Rng::seed_from_u64(seed);
    // Only evenly spread faults share state between jobs: the lock is taken for them alone.
    let plan: JobPlan = match faults.spread {
        Spread::Even => plan_job(job.preset, &faults, rng, Some(&mut shared.even.lock())),
        Spread::Random => plan_job(job.preset, &faults, rng, None),
    };
    update(&shared, &job.job_id, |v| {
        v.status = JobStatus::Running;
        v.stage = "hold";
    });
    let mut progress = Progress::default();
    let mut pacer = Pacer { debt_s: 0.0 };
    let mut spans = SpanBatch::new();
    if plan.hold_s > 0.0 && !pacer.wait(&shared, plan.hold_s).await {
        progress.failure = Some((
            "aborted: shutdown deadline passed while holding".into(),
            "hold",
        ));
    }
    if progress.failure.is_none() {
        run_steps(&shared, &job, &plan, &mut pacer, &mut progress, &mut spans).await;
    }
    let Progress {
        duration,
        cost,
        failure,
    } = progress;
    finish(&shared, &job, duration, cost, failure, true, spans);
    dispatch(&shared);
    shared.idle.notify_waiters();
}

/// How far a job got: scenario seconds and dollars spent, and why it failed if it did.
#[derive(Default)]
struct Progress {
    duration: f64,
    cost: f64,
    failure: Option<(String, &'static str)>,
}

/// Walk the planned steps in order until one fails the job or the shutdown deadline aborts it.
async fn run_steps(
    shared: &Shared,
    job: &QueuedJob,
    plan: &JobPlan,
    pacer: &mut Pacer,
    progress: &mut Progress,
    spans: &mut SpanBatch,
) {
    for (i, step) in plan.steps.iter().enumerate() {
        let stage = step.stage();
        update(shared, &job.job_id, |v| v.stage = stage);
        let span_id = new_span_id();
        let log = &shared.logger;
        if log.enabled(Level::Debug) {
            log.log(
                Level::Debug,
                &format!("{stage} started"),
                &ctx(job, &span_id, stage),
                &[],
            );
        }
        let start = now_ns();
        if !pacer.wait(shared, step.duration_s).await {
            progress.failure = Some((
                format!("aborted: shutdown deadline passed during {stage}"),
                stage,
            ));
            return;
        }
        progress.duration += step.duration_s;
        progress.cost += step.cost_dollars;
        let retry_follows = plan.steps.get(i + 1).is_some_and(|n| n.stage() == stage);
        FinishedStep {
            shared,
            job,
            step,
            span_id,
            start,
            retry_follows,
        }
        .record(spans);
        note_step(shared, &job.job_id, step, progress.cost);
        if let Some(msg) = &step.fails_job {
            progress.failure = Some((msg.clone(), stage));
            return;
        }
    }
}

/// Show a finished step on the job record: cost so far, agent calls, render and QA results.
fn note_step(shared: &Shared, job_id: &str, step: &Step, cost: f64) {
    update(shared, job_id, |v| {
        v.cost_dollars = cost;
        match step.kind {
            StepKind::Agent { .. } => v.agent_calls += 1,
            StepKind::Render {
                size_bytes,
                failure,
                ..
            } => {
                v.render_attempts += 1;
                if failure.is_none() {
                    v.video_size_bytes = Some(size_bytes);
                }
            }
            StepKind::Qa { accepted } => {
                v.qa_result = Some(if accepted { "accepted" } else { "rejected" });
                v.manual_review = !accepted;
            }
            _ => {}
        }
    });
}

fn update(shared: &Shared, job_id: &str, f: impl FnOnce(&mut super::state::JobView)) {
    if let Some(e) = shared.jobs.lock().map.get_mut(job_id) {
        f(&mut e.view);
    }
}

/// Record a job's end: metrics (all at once), the worker slot (`held_worker`), the
/// `pipeline.run` span, the final log line, then the job record (waking long-polls) — in that
/// order, so a client that sees the job finished also sees its metrics.
pub fn finish(
    shared: &Shared,
    job: &QueuedJob,
    duration_s: f64,
    cost: f64,
    failure: Option<(String, &'static str)>,
    held_worker: bool,
    mut spans: SpanBatch,
) {
    let ok = failure.is_none();
    shared
        .metrics
        .job_finished(job.preset, ok, duration_s, cost, &job.job_id);
    if held_worker {
        let mut s = shared.sched.lock();
        s.active = s.active.saturating_sub(1);
    }
    if shared.tracer.enabled() {
        let attrs = vec![
            kv("job.id", job.job_id.as_str()),
            kv("job.preset", job.preset.as_str()),
            kv("user.id", job.user_id.as_str()),
            kv("messaging.destination.name", super::metrics::TOPIC),
            kv_f64("job.cost_dollars", cost),
            kv_f64("scenario.duration_s", duration_s),
        ];
        spans.push(&SpanSpec {
            trace_id: job.trace_id,
            span_id: job.run_span_id,
            parent: Some(job.server_span_id),
            trace_state: &job.trace_state,
            name: "pipeline.run",
            kind: SpanKind::Internal,
            start_ns: job.accepted_ns,
            end_ns: now_ns(),
            attributes: attrs,
            error: failure.as_ref().map(|(m, _)| m.clone()),
        });
        shared.tracer.export_batch(spans);
    }
    let stage = failure.as_ref().map(|(_, s)| *s).unwrap_or("done");
    let c = ctx(job, &job.run_span_id, stage);
    let extra = [
        ("duration_s", Value::from(duration_s)),
        ("cost_dollars", Value::from(cost)),
    ];
    match &failure {
        None => shared.logger.log(Level::Info, "job succeeded", &c, &extra),
        Some((msg, _)) => {
            let mut e = extra.to_vec();
            e.push(("error", Value::from(msg.as_str())));
            shared
                .logger
                .log(Level::Error, &format!("job failed: {msg}"), &c, &e);
        }
    }
    let mut store = shared.jobs.lock();
    if let Some(e) = store.map.get_mut(&job.job_id) {
        e.view.status = if ok {
            JobStatus::Succeeded
        } else {
            JobStatus::Failed
        };
        e.view.stage = stage;
        e.view.cost_dollars = cost;
        e.view.duration_s = Some(duration_s);
        e.view.error = failure.map(|(m, _)| m);
        e.done.notify_waiters();
    }
    store.retire(&job.job_id, shared.config.finished_retention);
}

/// Stop taking new jobs (POST answers 503, long-polls return).
pub fn begin_shutdown(shared: &Shared) {
    shared.closing.store(true, Ordering::SeqCst);
    shared.closing_tx.send_replace(true);
}

/// Let queued and running jobs finish within the grace, then fail what is left.
pub async fn drain(shared: &Arc<Shared>) {
    let grace = Duration::from_secs_f64(shared.config.shutdown_grace_s.min(86_400.0));
    if !wait_idle(shared, grace).await {
        shared.abort_tx.send_replace(true);
        let left: Vec<QueuedJob> = shared.sched.lock().queued.drain(..).collect();
        for job in &left {
            let msg = "aborted: shutdown deadline passed while queued".to_string();
            finish(
                shared,
                job,
                0.0,
                0.0,
                Some((msg, "queued")),
                false,
                SpanBatch::default(),
            );
        }
        wait_idle(shared, Duration::from_secs(5)).await;
    }
}

async fn wait_idle(shared: &Shared, within: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let idle = shared.idle.notified();
        tokio::pin!(idle);
        idle.as_mut().enable();
        {
            let s = shared.sched.lock();
            if s.active == 0 && s.queued.is_empty() {
                return true;
            }
        }
        if tokio::time::timeout_at(deadline, idle).await.is_err() {
            return false;
        }
    }
}
