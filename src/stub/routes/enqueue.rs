//! Queueing an accepted job submission: the job and its record, the capacity check, the
//! `pubsub.publish` span, the acceptance log line and the `202` answer.

use super::unavailable;
use crate::stub::http::{JobLogInfo, RequestCtx};
use crate::stub::logs::{Level, LogCtx};
use crate::stub::model::Preset;
use crate::stub::state::{JobEntry, JobStatus, JobView, QueuedJob, Shared, StubState};
use crate::stub::traces::{SpanBatch, SpanSpec, hex, kv, new_span_id, now_ns};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use serde::Serialize;
use std::sync::Arc;
use std::sync::atomic::Ordering;

/// Body of the 202 answer. Fields in alphabetical order: the order the `serde_json::Value`
/// object this replaces was written in.
#[derive(Serialize)]
struct Accepted<'a> {
    correlation_id: &'a str,
    job_id: &'a str,
    trace_id: &'a str,
}

/// A valid job submission with the trace context it was accepted under.
pub(super) struct Submission<'a> {
    pub trace_id: [u8; 16],
    pub trace_state: &'a str,
    pub server_span_id: [u8; 8],
    pub accepted_ns: u64,
    pub user_id: String,
    pub preset: Preset,
}

/// Queue an accepted submission: `202` with the job's ids, or `503` when the queue is full.
pub(super) fn enqueue(
    state: &StubState,
    ctx: &RequestCtx,
    sub: Submission<'_>,
    spans: &mut SpanBatch,
) -> Response {
    let shared = &state.0;
    let seq = shared.seq.fetch_add(1, Ordering::Relaxed);
    let job = QueuedJob {
        seq,
        job_id: format!("job-{}", hex(&new_span_id())),
        preset: sub.preset,
        user_id: sub.user_id,
        correlation_id: ctx.correlation_id.clone(),
        trace_id: sub.trace_id,
        trace_state: sub.trace_state.to_string(),
        run_span_id: new_span_id(),
        server_span_id: sub.server_span_id,
        accepted_ns: sub.accepted_ns,
    };
    let view = queued_view(&job);
    let publish_span = new_span_id();
    if let Some(full) = admit(shared, &job, view) {
        return full;
    }
    crate::stub::pipeline::dispatch(shared);
    if shared.tracer.enabled() {
        spans.push(&SpanSpec {
            trace_id: job.trace_id,
            span_id: publish_span,
            parent: Some(job.run_span_id),
            trace_state: sub.trace_state,
            name: "pubsub.publish",
            kind: SpanKind::Producer,
            start_ns: job.accepted_ns,
            end_ns: now_ns(),
            attributes: vec![
                kv("messaging.system", "gcp_pubsub"),
                kv("messaging.destination.name", crate::stub::metrics::TOPIC),
                kv("messaging.operation.type", "send"),
                kv("messaging.message.id", job.job_id.as_str()),
            ],
            error: None,
        });
    }
    accepted(shared, &job)
}

/// The job record as clients first see it: queued, nothing spent yet.
fn queued_view(job: &QueuedJob) -> JobView {
    JobView {
        job_id: job.job_id.clone(),
        status: JobStatus::Queued,
        stage: "queued",
        preset: job.preset.as_str(),
        user_id: job.user_id.clone(),
        trace_id: hex(&job.trace_id),
        correlation_id: job.correlation_id.clone(),
        cost_dollars: 0.0,
        duration_s: None,
        qa_result: None,
        manual_review: false,
        video_size_bytes: None,
        agent_calls: 0,
        render_attempts: 0,
        error: None,
    }
}

/// Record the job and queue it, under the scheduler lock so the capacity check holds; the
/// `503` answer when the queue is full.
fn admit(shared: &Shared, job: &QueuedJob, view: JobView) -> Option<Response> {
    let mut s = shared.sched.lock();
    if s.queued.len() >= shared.config.queue_capacity {
        return Some(unavailable(
            "queue_full",
            &format!(
                "the job queue is full ({} jobs); retry later",
                shared.config.queue_capacity
            ),
        ));
    }
    shared.jobs.lock().map.insert(
        job.job_id.clone(),
        JobEntry {
            view,
            done: Arc::new(tokio::sync::Notify::new()),
        },
    );
    s.queued.push_back(job.clone());
    None
}

/// Log the acceptance and answer `202` with the ids a client needs to follow the job.
fn accepted(shared: &Shared, job: &QueuedJob) -> Response {
    let lc = LogCtx {
        correlation_id: job.correlation_id.clone(),
        trace_id: hex(&job.trace_id),
        span_id: hex(&job.server_span_id),
        user_id: job.user_id.clone(),
        job_id: job.job_id.clone(),
        preset: job.preset.as_str().into(),
        stage: "queued".into(),
    };
    shared.logger.log(Level::Info, "job accepted", &lc, &[]);
    let body = Accepted {
        correlation_id: &job.correlation_id,
        job_id: &job.job_id,
        trace_id: &lc.trace_id,
    };
    let mut res = (StatusCode::ACCEPTED, axum::Json(body)).into_response();
    res.extensions_mut().insert(JobLogInfo {
        trace_id: lc.trace_id,
        span_id: lc.span_id,
        job_id: lc.job_id,
        preset: lc.preset,
        user_id: lc.user_id,
    });
    res
}
