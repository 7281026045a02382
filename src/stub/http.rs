//! The HTTP layer shared by every route: JSON error responses, the per-request context
//! (correlation id, W3C trace context, user id) and the middleware that sets it, echoes
//! `X-Correlation-ID`, times the request into `api_response_time_seconds` and writes the request
//! log line.

use super::logs::{Level, LogCtx};
use super::state::StubState;
use super::traces::{Incoming, hex, parse_traceparent};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::Rng;
use serde_json::Value;
use std::time::Instant;

/// Correlation header, read and echoed.
pub const CORRELATION_HEADER: &str = "x-correlation-id";
/// User header.
pub const USER_HEADER: &str = "x-user-id";

/// A JSON error: `{"error": kind, "message": text, ...details}`.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub kind: &'static str,
    pub message: String,
    pub details: Vec<(&'static str, Value)>,
}

impl ApiError {
    pub fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            kind,
            message: message.into(),
            details: Vec::new(),
        }
    }
    pub fn with(mut self, key: &'static str, v: impl Into<Value>) -> ApiError {
        self.details.push((key, v.into()));
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = serde_json::Map::new();
        body.insert("error".into(), Value::from(self.kind));
        body.insert("message".into(), Value::from(self.message));
        for (k, v) in self.details {
            body.insert(k.into(), v);
        }
        (self.status, axum::Json(Value::Object(body))).into_response()
    }
}

/// Context of one request, set by [`middleware`] as a request extension.
#[derive(Debug, Clone)]
pub struct RequestCtx {
    pub correlation_id: String,
    /// Incoming W3C context (None when absent or invalid).
    pub incoming: Option<Incoming>,
    pub trace_state: String,
    /// `X-User-ID` when given.
    pub user_id: Option<String>,
    /// Trace of this request for its log lines: the caller's, or (no traceparent) one this
    /// request starts, so every line can be correlated.
    pub trace_id: String,
    /// Span id for this request's log lines outside a job.
    pub span_id: String,
}

/// Job facts a handler hands back (response extension) for the request log line.
#[derive(Debug, Clone, Default)]
pub struct JobLogInfo {
    pub trace_id: String,
    pub span_id: String,
    pub job_id: String,
    pub preset: String,
    pub user_id: String,
}

fn valid_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= 128 && s.bytes().all(|b| b.is_ascii_graphic())
}

fn new_correlation_id() -> String {
    let b: [u8; 16] = rand::rng().random();
    let h = hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// The route template of a path, for bounded `route` labels.
pub fn route_template(path: &str) -> &'static str {
    match path {
        "/v1/jobs" => "/v1/jobs",
        "/metrics" => "/metrics",
        "/healthz" => "/healthz",
        "/readyz" => "/readyz",
        "/admin/faults" => "/admin/faults",
        p => match p.strip_prefix("/v1/jobs/") {
            Some(id) if !id.is_empty() && !id.contains('/') => "/v1/jobs/{job_id}",
            _ => "unmatched",
        },
    }
}

/// Sets [`RequestCtx`], echoes the correlation id, records the API metric and logs the request.
pub async fn middleware(State(state): State<StubState>, mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let h = req.headers();
    let correlation_id = header(h, CORRELATION_HEADER)
        .filter(|c| valid_id(c))
        .map(str::to_string)
        .unwrap_or_else(new_correlation_id);
    let incoming = header(h, "traceparent").and_then(parse_traceparent);
    let trace_state = header(h, "tracestate")
        .filter(|s| s.len() <= 512 && incoming.is_some())
        .unwrap_or_default()
        .to_string();
    let user_id = header(h, USER_HEADER)
        .filter(|u| valid_id(u))
        .map(str::to_string);
    let method = req.method().as_str().to_string();
    let path = req.uri().path().to_string();
    let route = route_template(&path);
    let request_trace_id = incoming
        .as_ref()
        .map(|i| hex(&i.trace_id))
        .unwrap_or_else(|| hex(&super::traces::new_trace_id()));
    let request_span_id = hex(&super::traces::new_span_id());
    let ctx = RequestCtx {
        correlation_id: correlation_id.clone(),
        incoming: incoming.clone(),
        trace_state,
        user_id: user_id.clone(),
        trace_id: request_trace_id.clone(),
        span_id: request_span_id.clone(),
    };
    req.extensions_mut().insert(ctx);
    let mut res = next.run(req).await;
    if let Ok(v) = HeaderValue::from_str(&correlation_id) {
        res.headers_mut().insert(CORRELATION_HEADER, v);
    }
    let status = res.status().as_u16();
    let secs = started.elapsed().as_secs_f64();
    let shared = &state.0;
    shared.metrics.api(&method, route, status, secs);
    // Taken, not cloned: this middleware is the outermost layer, nothing reads it after us.
    let info = res
        .extensions_mut()
        .remove::<JobLogInfo>()
        .unwrap_or_default();
    let log_ctx = LogCtx {
        correlation_id,
        trace_id: if info.trace_id.is_empty() {
            request_trace_id
        } else {
            info.trace_id
        },
        span_id: if info.span_id.is_empty() {
            request_span_id
        } else {
            info.span_id
        },
        user_id: if info.user_id.is_empty() {
            user_id.unwrap_or_default()
        } else {
            info.user_id
        },
        job_id: info.job_id,
        preset: info.preset,
        stage: "http".to_string(),
    };
    let extra = [
        ("http_method", Value::from(method)),
        ("http_path", Value::from(path)),
        ("http_route", Value::from(route)),
        ("http_status", Value::from(status)),
        ("latency_ms", Value::from(secs * 1000.0)),
    ];
    shared.logger.log(Level::Info, "request", &log_ctx, &extra);
    res
}

/// 404 for unknown routes.
pub async fn not_found(req: Request) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("no route for {}", req.uri().path()),
    )
}

/// 405 for a known route with the wrong method.
pub async fn method_not_allowed(req: Request) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!(
            "method {} is not allowed on {}",
            req.method(),
            req.uri().path()
        ),
    )
}

/// The body of a JSON request after the content-type and size checks.
pub fn require_json(headers: &HeaderMap) -> Result<(), ApiError> {
    let ct = header(headers, "content-type").unwrap_or("");
    let mime = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json")) {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("content type `{ct}` is not supported; send `application/json`"),
        ))
    }
}

/// Map a body extraction failure (size limit) to a JSON error.
pub fn body_error(e: axum::extract::rejection::BytesRejection) -> ApiError {
    let status = e.status();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            status,
            "payload_too_large",
            format!("body is larger than {} bytes", super::BODY_LIMIT_BYTES),
        )
        .with("limit_bytes", super::BODY_LIMIT_BYTES)
    } else {
        ApiError::new(status, "bad_body", e.body_text())
    }
}

/// Map a serde_json error to a 400 naming the field when serde names one.
pub fn json_error(e: serde_json::Error) -> ApiError {
    let text = e.to_string();
    let field = text
        .split('`')
        .nth(1)
        .filter(|_| text.contains("field"))
        .map(str::to_string);
    let mut err = ApiError::new(StatusCode::BAD_REQUEST, "invalid_json", text);
    if let Some(f) = field {
        err = err.with("field", f);
    }
    err
}

/// `{"status": "ok"}` helper.
pub fn ok_json(v: Value) -> Response {
    (StatusCode::OK, axum::Json(v)).into_response()
}
