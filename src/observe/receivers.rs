//! obsgate's fake notification receivers: one loopback HTTP server standing in for Slack
//! incoming webhooks (`/slack/<receiver>` → 200 `ok`), PagerDuty Events API v2
//! (`/pagerduty/<receiver>` → 202 `{"status":"success"}`) and Alertmanager webhooks
//! (`/webhook/<receiver>` → 200). Records who got what and when, the body as sent and the
//! headers that carry no secret (parsing in [`super::receivers_parse`], the rendered fields in
//! [`super::receivers_render`]); never judges.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::post;
use parking_lot::Mutex;
use serde_json::Value;

pub use super::receivers_parse::{parse_pagerduty, parse_slack, parse_webhook};
use crate::evidence::Notification;
use crate::exit::AppError;

/// Most notifications kept (a long storm is bounded; the count of dropped ones is kept).
pub const MAX_NOTIFICATIONS: usize = 10_000;
/// Largest notification body read (bytes; a large Alertmanager group is a few hundred KiB);
/// a larger one is answered 413 and counted.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;
/// Most body bytes kept over all notifications; beyond it a notification is kept with
/// `body: null` and counted, so the checks that read bodies are errors, not passes.
pub const MAX_KEPT_BODY_BYTES: usize = 64 * 1024 * 1024;

/// What the server records.
#[derive(Debug, Default)]
struct Recorded {
    list: Vec<Notification>,
    dropped: u64,
    /// Requests refused (oversized, not JSON); `rejected` keeps the first reasons.
    refused: u64,
    rejected: Vec<String>,
    /// Body bytes kept so far, and the most that may be kept.
    body_bytes: usize,
    body_budget_bytes: usize,
    /// Notifications kept without their body (the budget was spent).
    bodies_dropped: u64,
}

type Shared = Arc<Mutex<Recorded>>;

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl Recorded {
    /// Count a request that could not be read, keeping the first reasons.
    fn refuse(&mut self, why: String) {
        self.refused += 1;
        if self.rejected.len() < 100 {
            self.rejected.push(why);
        }
    }
}

async fn receive(
    State(s): State<Shared>,
    Path((kind, receiver)): Path<(String, String)>,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> axum::response::Response {
    // Read at most the bound: a notification is a few kilobytes, and what is refused is
    // counted, so an oversized one is reported rather than silently missing.
    let Ok(body) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        s.lock().refuse(format!(
            "/{kind}/{receiver}: body larger than {MAX_BODY_BYTES} bytes"
        ));
        return (StatusCode::PAYLOAD_TOO_LARGE, "body too large").into_response();
    };
    let v: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            s.lock()
                .refuse(format!("/{kind}/{receiver}: body is not JSON: {e}"));
            return (StatusCode::BAD_REQUEST, "invalid JSON").into_response();
        }
    };
    let at = now_ms();
    let (n, resp) = match kind.as_str() {
        "slack" => (
            parse_slack(&receiver, &v, at),
            (StatusCode::OK, "ok".to_string()),
        ),
        "pagerduty" => (
            parse_pagerduty(&receiver, &v, at),
            (
                StatusCode::ACCEPTED,
                r#"{"status":"success","message":"Event processed"}"#.to_string(),
            ),
        ),
        "webhook" => (
            parse_webhook(&receiver, &v, at),
            (StatusCode::OK, String::new()),
        ),
        _ => return (StatusCode::NOT_FOUND, "unknown receiver kind").into_response(),
    };
    let mut n = n;
    n.headers = super::receivers_render::kept_headers(&headers);
    let mut r = s.lock();
    if r.list.len() < MAX_NOTIFICATIONS {
        if r.body_bytes + body.len() <= r.body_budget_bytes {
            r.body_bytes += body.len();
        } else {
            n.body = Value::Null;
            r.bodies_dropped += 1;
        }
        r.list.push(n);
    } else {
        r.dropped += 1;
    }
    resp.into_response()
}

/// The running fake receivers. Dropping it stops the server.
#[derive(Debug)]
pub struct FakeReceivers {
    base_url: String,
    shared: Shared,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl FakeReceivers {
    /// Start on `127.0.0.1:0`.
    pub async fn start() -> Result<Self, AppError> {
        Self::start_with_body_budget(MAX_KEPT_BODY_BYTES).await
    }

    /// Start on `127.0.0.1:0`, keeping at most `budget_bytes` of bodies in all.
    pub async fn start_with_body_budget(budget_bytes: usize) -> Result<Self, AppError> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| {
                AppError::harness(format!("fake receivers: cannot bind 127.0.0.1:0: {e}"))
            })?;
        let addr = listener
            .local_addr()
            .map_err(|e| AppError::harness(format!("fake receivers: {e}")))?;
        let shared: Shared = Arc::new(Mutex::new(Recorded {
            body_budget_bytes: budget_bytes,
            ..Recorded::default()
        }));
        let app = Router::new()
            .route("/{kind}/{receiver}", post(receive))
            .layer(axum::extract::DefaultBodyLimit::disable())
            .with_state(shared.clone());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(Self {
            base_url: format!("http://{addr}"),
            shared,
            shutdown: Some(tx),
        })
    }

    /// `http://127.0.0.1:PORT`, the base the overlay points notifiers at.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Every notification so far, in arrival order.
    pub fn notifications(&self) -> Vec<Notification> {
        self.shared.lock().list.clone()
    }

    /// Notifications not kept because the bound was reached.
    pub fn dropped(&self) -> u64 {
        self.shared.lock().dropped
    }

    /// Requests that could not be parsed (bounded).
    pub fn rejected(&self) -> Vec<String> {
        self.shared.lock().rejected.clone()
    }

    /// What the receivers lost, described: notifications dropped beyond the bound, and
    /// requests they could not read (oversized or not JSON). Empty when nothing was lost.
    pub fn lost(&self) -> Vec<String> {
        let r = self.shared.lock();
        let mut out = Vec::new();
        if r.dropped > 0 {
            out.push(format!(
                "the fake receivers dropped {} notifications beyond their bound of {MAX_NOTIFICATIONS}",
                r.dropped
            ));
        }
        if r.bodies_dropped > 0 {
            out.push(format!(
                "the fake receivers kept {} notifications without their body (beyond {} body bytes in all)",
                r.bodies_dropped, r.body_budget_bytes
            ));
        }
        if r.refused > 0 {
            let first = r.rejected.first().cloned().unwrap_or_default();
            out.push(format!(
                "the fake receivers could not read {} notification requests (first: {first})",
                r.refused
            ));
        }
        out
    }
}

/// For every link target of `notes` that is a repository path (not a URL), whether that file
/// exists under one of `roots` (the folders a repository path can be relative to: the one
/// holding the docs folder, the config folder's parent). Paths that climb out (`..`) or are
/// absolute count as missing.
pub fn local_link_files(
    notes: &[Notification],
    roots: &[std::path::PathBuf],
) -> std::collections::BTreeMap<String, bool> {
    let mut out = std::collections::BTreeMap::new();
    for n in notes {
        for t in n.link_targets() {
            if t.contains("://") || out.contains_key(&t) || out.len() >= 10_000 {
                continue;
            }
            let rel = std::path::Path::new(t.trim_start_matches("./"));
            let inside = rel
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_)));
            let exists = inside && roots.iter().any(|root| root.join(rel).is_file());
            out.insert(t, exists);
        }
    }
    out
}

impl Drop for FakeReceivers {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

#[cfg(test)]
#[path = "receivers_tests.rs"]
mod tests;
