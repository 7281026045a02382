//! Jaeger client tests against an in-test fake serving both APIs: trace `aa…` only on
//! `/api/v3`, trace `bb…` only on the classic API, and a trace that grows as it is polled.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

use super::*;
use crate::evidence::{AttrValue, SpanKind, SpanStatus};

const V3_TRACE: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const V1_TRACE: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const GROWING: &str = "cccccccccccccccccccccccccccccccc";
const BROKEN: &str = "dddddddddddddddddddddddddddddddd";

fn otlp_span(trace: &str, n: usize) -> serde_json::Value {
    json!({"traceId": trace, "spanId": format!("{:016x}", n + 1), "name": format!("s{n}"),
           "kind": 2, "startTimeUnixNano": "10", "endTimeUnixNano": "20",
           "status": {"code": 2, "message": "failed"}})
}

async fn v3(State(hits): State<Arc<AtomicUsize>>, Path(id): Path<String>) -> Response {
    let spans: Vec<_> = match id.as_str() {
        V3_TRACE => vec![otlp_span(V3_TRACE, 0)],
        GROWING => {
            // One more span per request, up to three: a trace still being ingested.
            let n = (hits.fetch_add(1, Ordering::SeqCst) + 1).min(3);
            (0..n).map(|i| otlp_span(GROWING, i)).collect()
        }
        BROKEN => return (StatusCode::INTERNAL_SERVER_ERROR, "storage down").into_response(),
        _ => {
            return (
                StatusCode::NOT_FOUND,
                r#"{"error":{"httpCode":404,"message":"trace not found"}}"#,
            )
                .into_response();
        }
    };
    axum::Json(json!({"result": {"resourceSpans": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "stub"}}]},
        "scopeSpans": [{"spans": spans}]}]}}))
    .into_response()
}

async fn v1(Path(id): Path<String>) -> Response {
    if id != V1_TRACE {
        return (
            StatusCode::NOT_FOUND,
            r#"{"data":null,"errors":[{"code":404,"msg":"trace not found"}]}"#,
        )
            .into_response();
    }
    axum::Json(json!({"data": [{
        "traceID": V1_TRACE,
        "spans": [
            {"traceID": V1_TRACE, "spanID": "0000000000000001", "operationName": "POST /v1/jobs",
             "references": [], "startTime": 1_700_000_000_000_000u64, "duration": 1500, "processID": "p1",
             "tags": [{"key": "span.kind", "type": "string", "value": "client"},
                      {"key": "http.status_code", "type": "int64", "value": 202}]},
            {"traceID": V1_TRACE, "spanID": "2", "operationName": "stage.encode",
             "references": [{"refType": "CHILD_OF", "traceID": V1_TRACE, "spanID": "0000000000000001"}],
             "startTime": 1_700_000_000_000_100u64, "duration": 1000, "processID": "p2",
             "tags": [{"key": "span.kind", "type": "string", "value": "server"},
                      {"key": "otel.status_code", "type": "string", "value": "ERROR"},
                      {"key": "otel.status_description", "type": "string", "value": "encoder crashed"},
                      {"key": "error", "type": "bool", "value": true},
                      {"key": "ratio", "type": "float64", "value": 0.5}]}
        ],
        "processes": {"p1": {"serviceName": "obsgate", "tags": []}, "p2": {"serviceName": "stub", "tags": []}}
    }], "errors": null}))
    .into_response()
}

async fn fake() -> (JaegerClient, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let app = Router::new()
        .route("/api/v3/traces/{id}", get(v3))
        .route("/api/traces/{id}", get(v1))
        .with_state(hits.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (JaegerClient::new(&format!("http://{addr}/")), hits)
}

#[tokio::test]
async fn v3_traces_are_read_as_otlp_json() {
    let (c, _) = fake().await;
    let spans = c
        .fetch_trace(V3_TRACE)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(spans.len(), 1);
    assert_eq!(
        (spans[0].kind, spans[0].status),
        (SpanKind::Server, SpanStatus::Error)
    );
    assert_eq!(spans[0].service_name, "stub");
}

#[tokio::test]
async fn classic_api_is_the_fallback_and_maps_tags() {
    let (c, _) = fake().await;
    let spans = c
        .fetch_trace(V1_TRACE)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(spans.len(), 2);
    let (root, child) = (&spans[0], &spans[1]);
    assert_eq!(
        (root.kind, root.parent_span_id.as_deref()),
        (SpanKind::Client, None)
    );
    assert_eq!(root.service_name, "obsgate");
    assert_eq!(root.start_unix_nano, 1_700_000_000_000_000_000);
    assert_eq!(root.end_unix_nano, 1_700_000_000_001_500_000);
    assert_eq!(
        root.attributes.get("http.status_code"),
        Some(&AttrValue::Int(202))
    );
    assert_eq!(child.span_id, "0000000000000002");
    assert_eq!(child.parent_span_id.as_deref(), Some("0000000000000001"));
    assert_eq!(
        (child.kind, child.status),
        (SpanKind::Server, SpanStatus::Error)
    );
    assert_eq!(child.status_message, "encoder crashed");
    assert_eq!(child.attributes.get("ratio"), Some(&AttrValue::Double(0.5)));
    assert!(!child.attributes.contains_key("span.kind") && !child.attributes.contains_key("error"));
}

#[tokio::test]
async fn unknown_traces_are_empty_and_server_errors_are_errors() {
    let (c, _) = fake().await;
    let none = c
        .fetch_trace("eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(none.is_empty());
    let err = c
        .fetch_trace(BROKEN)
        .await
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("500") && err.contains("storage down"), "{err}");
}

#[tokio::test]
async fn polling_waits_for_completeness_within_the_deadline() {
    let (c, hits) = fake().await;
    let deadline = Instant::now() + Duration::from_secs(30);
    let poll = c
        .poll_until_complete(&[GROWING.to_string(), V3_TRACE.to_string()], 1, deadline)
        .await;
    assert!(poll.incomplete.is_empty());
    let poll = c
        .poll_until_complete(&[GROWING.to_string()], 3, deadline)
        .await;
    assert!(poll.incomplete.is_empty(), "{poll:?}");
    assert_eq!(poll.traces.get(GROWING).map(Vec::len), Some(3));
    assert!(hits.load(Ordering::SeqCst) >= 3);
    // A trace that never completes is reported as incomplete once the deadline passes.
    let soon = Instant::now() + Duration::from_millis(50);
    let poll = c
        .poll_until_complete(&[V3_TRACE.to_string(), BROKEN.to_string()], 2, soon)
        .await;
    assert_eq!(
        poll.incomplete,
        vec![V3_TRACE.to_string(), BROKEN.to_string()]
    );
    assert!(poll.errors >= 1 && poll.last_error.is_some_and(|e| e.contains("500")));
}
