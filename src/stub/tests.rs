//! Unit tests of the handlers through `app()` (no sockets): one per bad-input row, overload,
//! admin token, long-poll, and metric/log consistency after a few jobs.

use super::config::{Defect, Defects, StubConfig};
use super::logs::Target;
use super::{BODY_LIMIT_BYTES, StubState, app};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use parking_lot::Mutex;
use serde_json::{Value, json};
use std::sync::Arc;
use tower::ServiceExt;

fn state_with(config: StubConfig) -> (StubState, Arc<Mutex<Vec<String>>>) {
    let mem = Arc::new(Mutex::new(Vec::new()));
    (
        StubState::with_log_target(config, Target::Memory(mem.clone())),
        mem,
    )
}

fn fast() -> StubConfig {
    StubConfig {
        time_scale: 1_000_000.0,
        ..StubConfig::default()
    }
}

async fn call(state: &StubState, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Value) {
    let res = app(state.clone())
        .oneshot(req)
        .await
        .unwrap_or_else(|e| match e {});
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 24)
        .await
        .unwrap_or_default();
    let v = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
    (status, headers, v)
}

fn post(path: &str, ct: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(path)
        .header("content-type", ct)
        .body(body.into())
        .unwrap_or_default()
}

fn get(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).unwrap_or_default()
}

async fn submit_ok(state: &StubState, preset: &str) -> String {
    let (s, _, v) = call(
        state,
        post(
            "/v1/jobs",
            "application/json",
            json!({"user_id": "u-1", "preset": preset}).to_string(),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    v["job_id"].as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn bad_input_rows_get_clear_errors_and_change_nothing() {
    let (state, _) = state_with(fast());
    let cases: Vec<(Request<Body>, StatusCode, &str)> = vec![
        (
            post("/v1/jobs", "application/json", "{\"user_id\": "),
            StatusCode::BAD_REQUEST,
            "EOF while parsing",
        ),
        (
            post("/v1/jobs", "application/json", "{\"user_id\":\"u\"}"),
            StatusCode::BAD_REQUEST,
            "missing field `preset`",
        ),
        (
            post("/v1/jobs", "application/json", "{\"preset\":\"short\"}"),
            StatusCode::BAD_REQUEST,
            "missing field `user_id`",
        ),
        (
            post(
                "/v1/jobs",
                "application/json",
                "{\"user_id\":\"u\",\"preset\":\"short\",\"colour\":1}",
            ),
            StatusCode::BAD_REQUEST,
            "unknown field `colour`",
        ),
        (
            post(
                "/v1/jobs",
                "application/json",
                "{\"user_id\":\"u\",\"preset\":\"deluxe\"}",
            ),
            StatusCode::BAD_REQUEST,
            "valid presets: short, standard, premium",
        ),
        (
            post(
                "/v1/jobs",
                "text/plain",
                "{\"user_id\":\"u\",\"preset\":\"short\"}",
            ),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "application/json",
        ),
        (
            post(
                "/v1/jobs",
                "application/json",
                vec![b' '; BODY_LIMIT_BYTES + 1],
            ),
            StatusCode::PAYLOAD_TOO_LARGE,
            "larger than 65536",
        ),
        (
            get("/v2/nothing"),
            StatusCode::NOT_FOUND,
            "no route for /v2/nothing",
        ),
        (
            Request::delete("/v1/jobs")
                .body(Body::empty())
                .unwrap_or_default(),
            StatusCode::METHOD_NOT_ALLOWED,
            "DELETE is not allowed",
        ),
        (
            get("/v1/jobs/job-nope"),
            StatusCode::NOT_FOUND,
            "no job `job-nope`",
        ),
        (
            get("/v1/jobs/job-nope?wait=abc"),
            StatusCode::BAD_REQUEST,
            "wait=`abc`",
        ),
        (
            Request::put("/admin/faults")
                .header("content-type", "application/json")
                .body(Body::from("{\"qa_reject_ratio\": 3}"))
                .unwrap_or_default(),
            StatusCode::BAD_REQUEST,
            "qa_reject_ratio: 3 is not a probability",
        ),
        (
            Request::put("/admin/faults")
                .header("content-type", "application/json")
                .body(Body::from("{\"qa_rejects\": 0.3}"))
                .unwrap_or_default(),
            StatusCode::BAD_REQUEST,
            "unknown field `qa_rejects`",
        ),
    ];
    for (req, want, needle) in cases {
        let what = format!("{} {}", req.method(), req.uri());
        let (s, _, v) = call(&state, req).await;
        assert_eq!(s, want, "{what}: {v}");
        let msg = v["message"].as_str().unwrap_or_default();
        assert!(msg.contains(needle), "{what}: `{msg}` lacks `{needle}`");
        assert!(v["error"].is_string(), "{what}: {v}");
    }
    assert_eq!(state.load(), (0, 0), "no job was created");
    assert!(state.0.jobs.lock().map.is_empty());
    let (_, _, f) = call(&state, get("/admin/faults")).await;
    assert_eq!(f["qa_reject_ratio"], 0.0, "faults unchanged: {f}");
}

#[tokio::test]
async fn full_queue_answers_503_with_retry_after() {
    let (state, _) = state_with(StubConfig {
        queue_capacity: 2,
        ..fast()
    });
    state.0.faults.write().consumer_stall = true;
    submit_ok(&state, "short").await;
    submit_ok(&state, "short").await;
    let (s, h, v) = call(
        &state,
        post(
            "/v1/jobs",
            "application/json",
            json!({"user_id": "u", "preset": "short"}).to_string(),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{v}");
    assert_eq!(
        h.get("retry-after").and_then(|v| v.to_str().ok()),
        Some("1")
    );
    assert_eq!(state.load(), (0, 2), "still two queued, nothing grew");
}

#[tokio::test]
async fn admin_routes_need_the_bearer_token_when_configured() {
    let (state, _) = state_with(StubConfig {
        admin_token: Some("s3cret".into()),
        ..fast()
    });
    let (s, _, _) = call(&state, get("/admin/faults")).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let wrong = Request::get("/admin/faults")
        .header("authorization", "Bearer s3creT")
        .body(Body::empty())
        .unwrap_or_default();
    assert_eq!(call(&state, wrong).await.0, StatusCode::UNAUTHORIZED);
    let req = Request::put("/admin/faults")
        .header("authorization", "Bearer s3cret")
        .header("content-type", "application/json")
        .body(Body::from("{\"render_slowdown\": 6}"))
        .unwrap_or_default();
    let (s, _, v) = call(&state, req).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(state.0.faults.read().render_slowdown, 6.0);
}

#[tokio::test]
async fn long_poll_returns_the_finished_job_and_metrics_agree() {
    let (state, logs) = state_with(fast());
    let mut ids = Vec::new();
    for p in ["short", "standard", "premium", "short"] {
        ids.push(submit_ok(&state, p).await);
    }
    for id in &ids {
        let (s, _, v) = call(&state, get(&format!("/v1/jobs/{id}?wait=30"))).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(v["status"], "succeeded", "{v}");
        assert!(v["cost_dollars"].as_f64().unwrap_or(0.0) > 0.0, "{v}");
    }
    let (_, _, text) = call(&state, get("/metrics")).await;
    let text = text.as_str().unwrap_or_default().to_string();
    let value = |line: &str| {
        text.lines()
            .find_map(|l| {
                l.strip_prefix(line)
                    .map(|v| v.trim().parse::<f64>().unwrap_or(-1.0))
            })
            .unwrap_or(-1.0)
    };
    assert_eq!(
        value("user_jobs_completed_total{preset=\"short\"}"),
        2.0,
        "{text}"
    );
    assert_eq!(
        value("pipeline_duration_seconds_count{preset=\"premium\",status=\"succeeded\"}"),
        1.0
    );
    assert_eq!(value("pipeline_active_jobs"), 0.0);
    assert_eq!(value("pubsub_queue_depth{topic=\"video-jobs\"}"), 0.0);
    assert_eq!(
        value("api_response_time_seconds_count{method=\"POST\",route=\"/v1/jobs\",status=\"202\"}"),
        4.0
    );
    state.0.logger.flush();
    let lines = logs.lock().clone();
    let parsed: Vec<Value> = lines
        .iter()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert_eq!(parsed.len(), lines.len(), "every line is JSON");
    let succeeded = parsed
        .iter()
        .filter(|v| v["message"] == "job succeeded")
        .count();
    assert_eq!(succeeded, 4);
    assert!(
        parsed.iter().all(|v| v["level"] != "ERROR"),
        "no ERROR line without a failure"
    );
}

#[tokio::test]
async fn failed_jobs_log_exactly_one_error_and_count_as_failed() {
    let (state, logs) = state_with(fast());
    state.0.faults.write().job_failure_ratio = 1.0;
    let id = submit_ok(&state, "standard").await;
    let (_, _, v) = call(&state, get(&format!("/v1/jobs/{id}?wait=30"))).await;
    assert_eq!(v["status"], "failed", "{v}");
    assert!(
        v["error"].as_str().unwrap_or_default().contains("injected"),
        "{v}"
    );
    state.0.logger.flush();
    let errors: Vec<String> = logs
        .lock()
        .iter()
        .filter(|l| l.contains("\"level\":\"ERROR\""))
        .cloned()
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains(&id));
    let (_, _, text) = call(&state, get("/metrics")).await;
    assert!(
        text.as_str()
            .unwrap_or_default()
            .contains("pipeline_duration_seconds_count{preset=\"standard\",status=\"failed\"} 1\n")
    );
}

#[tokio::test]
async fn correlation_and_trace_context_are_honoured() {
    let (state, _) = state_with(fast());
    let req = Request::post("/v1/jobs")
        .header("content-type", "application/json")
        .header("x-correlation-id", "corr-42")
        .header(
            "traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        )
        .body(Body::from("{\"preset\":\"short\"}"))
        .unwrap_or_default();
    let with_user = {
        let (mut parts, body) = req.into_parts();
        parts
            .headers
            .insert("x-user-id", axum::http::HeaderValue::from_static("u-hdr"));
        Request::from_parts(parts, body)
    };
    let (s, h, v) = call(&state, with_user).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    assert_eq!(
        h.get("x-correlation-id").and_then(|v| v.to_str().ok()),
        Some("corr-42")
    );
    assert_eq!(v["trace_id"], "4bf92f3577b34da6a3ce929d0e0e4736");
    let (_, h, _) = call(&state, get("/healthz")).await;
    assert!(
        h.get("x-correlation-id").is_some_and(|c| c.len() >= 16),
        "generated when absent"
    );

    let (dropping, _) = state_with(StubConfig {
        defects: Defects(vec![Defect::DropTraceparent]),
        ..fast()
    });
    let req = Request::post("/v1/jobs")
        .header("content-type", "application/json")
        .header(
            "traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        )
        .body(Body::from("{\"user_id\":\"u\",\"preset\":\"short\"}"))
        .unwrap_or_default();
    let (_, _, v) = call(&dropping, req).await;
    assert_ne!(
        v["trace_id"], "4bf92f3577b34da6a3ce929d0e0e4736",
        "the defect ignores the context"
    );
}

#[tokio::test]
async fn metrics_unavailable_answers_503() {
    let (state, _) = state_with(fast());
    assert_eq!(call(&state, get("/metrics")).await.0, StatusCode::OK);
    state.0.faults.write().metrics_unavailable = true;
    assert_eq!(
        call(&state, get("/metrics")).await.0,
        StatusCode::SERVICE_UNAVAILABLE
    );
}
