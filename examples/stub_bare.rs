//! The baseline of the stub benchmark (`bench/stub/run.sh`): a bare axum server answering
//! `POST /v1/jobs` with the same 202 JSON shape as the stub but doing nothing else, plus an
//! OTLP/HTTP sink (`POST /v1/traces` → 200) the stub exports to during the benchmark.
//! Prints `listening on ADDR` on stderr once bound; runs until killed.

use axum::Json;
use axum::http::StatusCode;
use axum::routing::post;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU64, Ordering};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let counter = std::sync::Arc::new(AtomicU64::new(0));
    let app = axum::Router::new()
        .route(
            "/v1/jobs",
            post(move |Json(body): Json<Value>| {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                async move {
                    let _ = body;
                    (
                        StatusCode::ACCEPTED,
                        Json(json!({
                            "job_id": format!("job-{n:016x}"),
                            "trace_id": format!("{n:032x}"),
                            "correlation_id": "bench",
                        })),
                    )
                }
            }),
        )
        .route(
            "/v1/traces",
            post(|_b: axum::body::Bytes| async { StatusCode::OK }),
        );
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".to_string());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    eprintln!("listening on {}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
