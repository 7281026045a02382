//! The system under test: a fake video pipeline (queue → db.insert → agent.call ×N → render →
//! qa.gate → db.update) that emits the seed's 12 metrics, JSON logs and OTLP traces, driven by
//! a fault profile. `app(state) -> Router` plus `run(listener, config, shutdown)`.
//!
//! Files: `config` (resolved options, defect switches), `faults` (the profile), `model`
//! (distributions, pure), `state` (queue, job store), `pipeline` (workers, shutdown drain),
//! `http` (errors, request context middleware), `routes` (job, metrics and health handlers), `admin` (fault profile), `metrics` + `expo`
//! (registry and exposition), `logs` (JSON lines), `traces` (W3C context, OTLP export), `otlp_wire` (spans encoded
//! straight to protobuf).

pub mod admin;
pub mod config;
pub mod expo;
pub mod faults;
pub mod http;
pub mod logs;
pub mod metrics;
pub mod model;
pub mod otlp_wire;
pub mod pipeline;
pub mod routes;
pub mod state;
pub mod traces;

#[cfg(test)]
mod tests;

pub use config::{Defect, StubConfig};
pub use state::StubState;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use std::future::Future;
use std::time::Duration;

/// Largest accepted request body.
pub const BODY_LIMIT_BYTES: usize = 64 * 1024;

/// The stub's router. `state` must have been created inside the runtime that serves it.
pub fn app(state: StubState) -> Router {
    Router::new()
        .route("/v1/jobs", post(routes::submit))
        .route("/v1/jobs/{job_id}", get(routes::job_status))
        .route("/metrics", get(routes::metrics))
        .route("/healthz", get(routes::healthz))
        .route("/readyz", get(routes::readyz))
        .route(
            "/admin/faults",
            get(admin::get_faults).put(admin::put_faults),
        )
        .fallback(http::not_found)
        .method_not_allowed_fallback(http::method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            http::middleware,
        ))
        .with_state(state)
}

/// Serve the stub on `listener` until `shutdown` resolves, then stop accepting, let in-flight
/// jobs finish within the grace (failing the rest), flush traces and logs.
pub async fn run(
    listener: tokio::net::TcpListener,
    config: StubConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let state = StubState::new(config);
    let shared = state.0.clone();
    let signal_state = shared.clone();
    let signal = async move {
        shutdown.await;
        pipeline::begin_shutdown(&signal_state);
    };
    let served = axum::serve(listener, app(state))
        .with_graceful_shutdown(signal)
        .await;
    pipeline::begin_shutdown(&shared);
    pipeline::drain(&shared).await;
    let spans_dropped = shared.tracer.flush(Duration::from_secs(5)).await;
    let lines_dropped = shared.logger.flush();
    if spans_dropped > 0 || lines_dropped > 0 {
        eprintln!(
            "obsgate stub: dropped {spans_dropped} spans and {lines_dropped} log lines (buffers full)"
        );
    }
    served.map_err(|e| anyhow::anyhow!("serving HTTP failed: {e}"))
}
