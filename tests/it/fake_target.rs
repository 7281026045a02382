//! A small in-test fake of the stub's HTTP contract (POST /v1/jobs, GET /v1/jobs/{id}?wait=S,
//! PUT /admin/faults) on 127.0.0.1:0, which records what it was sent and can answer a share of
//! the POSTs with 503 as an overloaded stub does.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use parking_lot::Mutex;
use serde_json::{Value, json};

#[derive(Default)]
pub struct Seen {
    /// Of every 10 POSTs, how many are answered 503 with Retry-After (overload).
    pub reject_of_10: u64,
    pub posts: AtomicU64,
    pub polls: AtomicU64,
    /// Extra milliseconds every poll waits before answering (jobs that stay in flight).
    pub poll_delay_ms: AtomicU64,
    pub faults: Mutex<Vec<Value>>,
    pub headers_ok: AtomicU64,
    pub headers_bad: Mutex<Vec<String>>,
}

/// A fake stub on 127.0.0.1:0, served from its own thread and runtime; stops with the test.
pub struct Fake {
    pub base: String,
    pub seen: Arc<Seen>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

pub fn fake(with_admin: bool) -> Fake {
    fake_rejecting(with_admin, 0)
}

/// [`fake`] that answers `reject_of_10` of every 10 POSTs with 503 and `Retry-After`.
pub fn fake_rejecting(with_admin: bool, reject_of_10: u64) -> Fake {
    fake_on("127.0.0.1:0", with_admin, reject_of_10)
}

/// [`fake`] listening on `bind` (e.g. the address of a fake that was stopped: a restart).
pub fn fake_on(bind: &str, with_admin: bool, reject_of_10: u64) -> Fake {
    let bind = bind.to_string();
    let seen = Arc::new(Seen {
        reject_of_10,
        ..Seen::default()
    });
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let s = seen.clone();
    std::thread::spawn(move || {
        let Ok(rt) = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
        else {
            return;
        };
        rt.block_on(async move {
            let mut app = Router::new()
                .route("/v1/jobs", post(create))
                .route("/v1/jobs/{id}", get(poll));
            if with_admin {
                app = app.route("/admin/faults", put(set_faults).get(|| async { "{}" }));
            }
            let Ok(l) = tokio::net::TcpListener::bind(&bind).await else {
                return;
            };
            let _ = addr_tx.send(l.local_addr().map(|a| a.to_string()).unwrap_or_default());
            let _ = axum::serve(l, app.with_state(s))
                .with_graceful_shutdown(async move {
                    let _ = rx.await;
                })
                .await;
        });
    });
    let addr = addr_rx
        .recv_timeout(Duration::from_secs(10))
        .expect("fake listens");
    Fake {
        base: format!("http://{addr}"),
        seen,
        _stop: tx,
    }
}

async fn create(
    State(s): State<Arc<Seen>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> (StatusCode, HeaderMap, Json<Value>) {
    let n = s.posts.fetch_add(1, Ordering::Relaxed);
    if n % 10 < s.reject_of_10 {
        let mut h = HeaderMap::new();
        h.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        let body = json!({"error": "queue_full"});
        return (StatusCode::SERVICE_UNAVAILABLE, h, Json(body));
    }
    let h = |k: &str| {
        headers
            .get(k)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let tp = h("traceparent");
    let parts: Vec<&str> = tp.split('-').collect();
    let ok = parts.len() == 4
        && parts[0] == "00"
        && parts[1].len() == 32
        && parts[2].len() == 16
        && parts[3] == "01"
        && !h("x-correlation-id").is_empty()
        && h("x-user-id") == body["user_id"].as_str().unwrap_or("?")
        && ["short", "standard", "premium"].contains(&body["preset"].as_str().unwrap_or(""));
    if ok {
        s.headers_ok.fetch_add(1, Ordering::Relaxed);
    } else {
        s.headers_bad.lock().push(format!("{tp} {body}"));
    }
    let trace = parts.get(1).copied().unwrap_or("").to_string();
    (
        StatusCode::ACCEPTED,
        HeaderMap::new(),
        Json(
            json!({"job_id": format!("job-{n}"), "trace_id": trace, "correlation_id": h("x-correlation-id")}),
        ),
    )
}

async fn poll(State(s): State<Arc<Seen>>, Path(id): Path<String>) -> Json<Value> {
    s.polls.fetch_add(1, Ordering::Relaxed);
    let extra = s.poll_delay_ms.load(Ordering::Relaxed);
    tokio::time::sleep(Duration::from_millis(20 + extra)).await;
    Json(json!({"job_id": id, "status": "succeeded", "stage": "done", "cost_dollars": 0.02}))
}

async fn set_faults(State(s): State<Arc<Seen>>, Json(v): Json<Value>) -> StatusCode {
    s.faults.lock().push(v);
    StatusCode::NO_CONTENT
}
