//! Route handlers: job submission and status (with long-poll), metrics exposition, health,
//! readiness and the admin fault profile. Bad input gets a JSON error and changes nothing.

mod enqueue;

use super::config::Defect;
use super::expo::{Format, render};
use super::http::{
    ApiError, JobLogInfo, RequestCtx, body_error, json_error, ok_json, require_json,
};
use super::model::{PRESETS, Preset};
use super::state::StubState;
use super::traces::{SpanBatch, SpanSpec, hex, kv, kv_i64, new_span_id, new_trace_id, now_ns};
use axum::Extension;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use enqueue::{Submission, enqueue};
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use serde::Deserialize;
use serde_json::json;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// Longest `?wait=` honoured, in seconds.
pub const MAX_WAIT_S: f64 = 60.0;
/// `Retry-After` seconds sent with 503.
const RETRY_AFTER_S: &str = "1";

/// Body of `POST /v1/jobs`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SubmitBody {
    /// Who submits (may come from `X-User-ID` instead).
    user_id: Option<String>,
    /// `short`, `standard` or `premium`.
    preset: String,
}

fn unavailable(kind: &'static str, message: &str) -> Response {
    let mut r = ApiError::new(StatusCode::SERVICE_UNAVAILABLE, kind, message).into_response();
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_S));
    r
}

fn parse_submit(
    ctx: &RequestCtx,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(String, Preset), ApiError> {
    require_json(headers)?;
    let body = body.map_err(body_error)?;
    let b: SubmitBody = serde_json::from_slice(&body).map_err(json_error)?;
    let user_id = match b.user_id.or_else(|| ctx.user_id.clone()) {
        Some(u) if !u.is_empty() && u.len() <= 128 && !u.chars().any(char::is_control) => u,
        Some(u) => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_field",
                format!(
                    "user_id `{}` must be 1 to 128 printable characters",
                    u.escape_debug()
                ),
            )
            .with("field", "user_id"));
        }
        None => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_json",
                "missing field `user_id` (or an X-User-ID header)",
            )
            .with("field", "user_id"));
        }
    };
    let valid: Vec<&str> = PRESETS.iter().map(|p| p.as_str()).collect();
    let preset = Preset::parse(&b.preset).ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_field",
            format!(
                "unknown preset `{}`; valid presets: {}",
                b.preset.escape_debug(),
                valid.join(", ")
            ),
        )
        .with("field", "preset")
        .with("allowed", valid.clone())
    })?;
    Ok((user_id, preset))
}

/// `POST /v1/jobs`.
pub async fn submit(
    State(state): State<StubState>,
    Extension(ctx): Extension<RequestCtx>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let shared = &state.0;
    let start = now_ns();
    let drop_ctx = shared.config.defects.has(&Defect::DropTraceparent);
    let incoming = if drop_ctx { None } else { ctx.incoming.clone() };
    let trace_id = incoming
        .as_ref()
        .map(|i| i.trace_id)
        .unwrap_or_else(new_trace_id);
    let trace_state = if drop_ctx {
        String::new()
    } else {
        ctx.trace_state.clone()
    };
    let server_span_id = new_span_id();
    // The request's spans (pubsub.publish, then the server span) go out in one message.
    let mut spans = SpanBatch::with_capacity(1024);
    let result = match parse_submit(&ctx, &headers, body) {
        Err(e) => e.into_response(),
        Ok(_) if shared.closing.load(Ordering::SeqCst) => {
            unavailable("shutting_down", "the stub is shutting down")
        }
        Ok((user_id, preset)) => enqueue(
            &state,
            &ctx,
            Submission {
                trace_id,
                trace_state: &trace_state,
                server_span_id,
                accepted_ns: start,
                user_id,
                preset,
            },
            &mut spans,
        ),
    };
    let mut res = result;
    let status = res.status().as_u16();
    if shared.tracer.enabled() {
        let attrs = vec![
            kv("http.request.method", "POST"),
            kv("http.route", "/v1/jobs"),
            kv("url.path", "/v1/jobs"),
            kv_i64("http.response.status_code", i64::from(status)),
            kv("correlation.id", ctx.correlation_id.as_str()),
        ];
        spans.push(&SpanSpec {
            trace_id,
            span_id: server_span_id,
            parent: incoming.map(|i| i.parent_span_id),
            trace_state: &trace_state,
            name: "POST /v1/jobs",
            kind: SpanKind::Server,
            start_ns: start,
            end_ns: now_ns(),
            attributes: attrs,
            error: (status >= 500).then(|| format!("HTTP {status}")),
        });
        shared.tracer.export_batch(spans);
    }
    if res.extensions().get::<JobLogInfo>().is_none() {
        res.extensions_mut().insert(JobLogInfo {
            trace_id: hex(&trace_id),
            span_id: hex(&server_span_id),
            ..JobLogInfo::default()
        });
    }
    res
}

fn parse_wait(query: Option<&str>) -> Result<f64, ApiError> {
    let mut wait = 0.0;
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if k == "wait" {
            wait = v
                .parse::<f64>()
                .ok()
                .filter(|w| w.is_finite() && *w >= 0.0)
                .ok_or_else(|| {
                    ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "invalid_query",
                        format!(
                            "wait=`{v}` must be a number of seconds >= 0 (capped at {MAX_WAIT_S})"
                        ),
                    )
                    .with("field", "wait")
                })?;
        }
    }
    Ok(wait.min(MAX_WAIT_S))
}

/// `GET /v1/jobs/{job_id}[?wait=S]`.
pub async fn job_status(
    State(state): State<StubState>,
    Path(job_id): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let wait = match parse_wait(q.as_deref()) {
        Ok(w) => w,
        Err(e) => return e.into_response(),
    };
    let shared = &state.0;
    let lookup = |id: &str| {
        shared
            .jobs
            .lock()
            .map
            .get(id)
            .map(|e| (e.view.clone(), e.done.clone()))
    };
    let Some((view, done)) = lookup(&job_id) else {
        return ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no job `{}`", job_id.escape_debug()),
        )
        .into_response();
    };
    if wait > 0.0 && !view.status.is_done() {
        let notified = done.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let finished = lookup(&job_id).is_none_or(|(v, _)| v.status.is_done());
        if !finished {
            let mut closing = shared.closing_tx.subscribe();
            tokio::select! {
                _ = notified => {}
                _ = tokio::time::sleep(Duration::from_secs_f64(wait)) => {}
                _ = closing.wait_for(|c| *c) => {}
            }
        }
    }
    match lookup(&job_id) {
        Some((v, _)) => ok_json(json!(v)),
        None => ok_json(json!(view)),
    }
}

/// `GET /metrics`.
pub async fn metrics(State(state): State<StubState>, headers: HeaderMap) -> Response {
    let shared = &state.0;
    if shared.faults.read().metrics_unavailable {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "metrics unavailable (fault profile: metrics_unavailable)\n",
        )
            .into_response();
    }
    let format = Format::from_accept(headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()));
    let (active, depth) = state.load();
    let text = render(
        &shared.metrics.snapshot(active, depth),
        format,
        &shared.config.defects,
    );
    ([(header::CONTENT_TYPE, format.content_type())], text).into_response()
}

/// `GET /healthz`.
pub async fn healthz() -> Response {
    ok_json(json!({"status": "ok"}))
}

/// `GET /readyz`: 503 once shutdown began.
pub async fn readyz(State(state): State<StubState>) -> Response {
    let (active, depth) = state.load();
    let body = json!({"active_jobs": active, "queue_depth": depth, "queue_capacity": state.0.config.queue_capacity});
    if state.0.closing.load(Ordering::SeqCst) {
        return unavailable("shutting_down", "the stub is shutting down");
    }
    ok_json(json!({"status": "ready", "load": body}))
}
