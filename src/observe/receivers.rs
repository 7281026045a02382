//! obsgate's fake notification receivers: one loopback HTTP server standing in for Slack
//! incoming webhooks (`/slack/<receiver>` → 200 `ok`), PagerDuty Events API v2
//! (`/pagerduty/<receiver>` → 202 `{"status":"success"}`) and Alertmanager webhooks
//! (`/webhook/<receiver>` → 200). Records who got what and when; never judges.
//!
//! Alert names are parsed from Alertmanager's *default* templates, because the shipped config is
//! exercised as-is: Slack's title `[FIRING:2] <group label values> (...)`, PagerDuty's
//! `custom_details.firing` (` - alertname = X` lines) and summary, webhook `alerts[].labels`.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::post;
use parking_lot::Mutex;
use serde_json::Value;

use crate::evidence::{Notification, NotificationKind, NotificationStatus};
use crate::exit::AppError;

/// Most notifications kept (a long storm is bounded; the count of dropped ones is kept).
pub const MAX_NOTIFICATIONS: usize = 10_000;
/// Largest notification body read (bytes; a large Alertmanager group is a few hundred KiB);
/// a larger one is answered 413 and counted.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

fn words(text: &str, out: &mut Vec<String>) {
    // After the `[FIRING:N]` prefix, the default title lists group label values separated by
    // spaces, then common labels in parentheses.
    let body = text.split_once(']').map(|(_, b)| b).unwrap_or(text);
    for w in body.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':')) {
        // `Name: summary` templates put a colon after the name.
        let w = w.trim_end_matches(':');
        let ok = w.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
        if ok && !out.iter().any(|o| o == w) {
            out.push(w.to_string());
        }
    }
}

fn alertname_lines(text: &str, out: &mut Vec<String>) {
    for line in text.lines() {
        if let Some((_, v)) = line.split_once("alertname = ") {
            let name = v.trim().to_string();
            if !name.is_empty() && !out.contains(&name) {
                out.push(name);
            }
        }
    }
}

fn status_of_title(title: &str) -> NotificationStatus {
    if title
        .trim_start()
        .to_ascii_uppercase()
        .starts_with("[RESOLVED")
    {
        NotificationStatus::Resolved
    } else {
        NotificationStatus::Firing
    }
}

/// Parse a Slack incoming-webhook payload as Alertmanager's slack notifier sends it.
pub fn parse_slack(receiver: &str, v: &Value, at_unix_ms: i64) -> Notification {
    let att = v.get("attachments").and_then(|a| a.get(0));
    let pick = |k: &str| {
        att.and_then(|a| a.get(k))
            .or_else(|| v.get(k))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let title = pick("title");
    let fallback = pick("fallback");
    let text = pick("text");
    let head = if title.is_empty() { &fallback } else { &title };
    let mut alertnames = Vec::new();
    alertname_lines(&text, &mut alertnames);
    words(head, &mut alertnames);
    Notification {
        at_unix_ms,
        receiver: receiver.to_string(),
        kind: NotificationKind::Slack,
        channel: v.get("channel").and_then(Value::as_str).map(String::from),
        routing_key: None,
        event_action: None,
        dedup_key: None,
        status: status_of_title(head),
        alertnames,
        rendered: Default::default(),
        body: Value::Null,
        headers: Default::default(),
    }
}

/// Parse a PagerDuty Events API v2 payload.
pub fn parse_pagerduty(receiver: &str, v: &Value, at_unix_ms: i64) -> Notification {
    let action = v
        .get("event_action")
        .and_then(Value::as_str)
        .map(String::from);
    let payload = v.get("payload");
    let summary = payload
        .and_then(|p| p.get("summary"))
        .or_else(|| v.get("description"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let mut alertnames = Vec::new();
    if let Some(cd) = payload
        .and_then(|p| p.get("custom_details"))
        .or_else(|| v.get("details"))
    {
        for k in ["firing", "resolved"] {
            if let Some(t) = cd.get(k).and_then(Value::as_str) {
                alertname_lines(t, &mut alertnames);
            }
        }
    }
    words(summary, &mut alertnames);
    let status = if action.as_deref() == Some("resolve") {
        NotificationStatus::Resolved
    } else {
        NotificationStatus::Firing
    };
    Notification {
        at_unix_ms,
        receiver: receiver.to_string(),
        kind: NotificationKind::Pagerduty,
        channel: None,
        routing_key: v
            .get("routing_key")
            .or_else(|| v.get("service_key"))
            .and_then(Value::as_str)
            .map(String::from),
        event_action: action,
        dedup_key: v
            .get("dedup_key")
            .or_else(|| v.get("incident_key"))
            .and_then(Value::as_str)
            .map(String::from),
        status,
        alertnames,
        rendered: Default::default(),
        body: Value::Null,
        headers: Default::default(),
    }
}

/// Parse an Alertmanager webhook (version 4) payload.
pub fn parse_webhook(receiver: &str, v: &Value, at_unix_ms: i64) -> Notification {
    let mut alertnames = Vec::new();
    for a in v
        .get("alerts")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(n) = a.pointer("/labels/alertname").and_then(Value::as_str)
            && !alertnames.iter().any(|x| x == n)
        {
            alertnames.push(n.to_string());
        }
    }
    let status = if v.get("status").and_then(Value::as_str) == Some("resolved") {
        NotificationStatus::Resolved
    } else {
        NotificationStatus::Firing
    };
    Notification {
        at_unix_ms,
        receiver: receiver.to_string(),
        kind: NotificationKind::Webhook,
        channel: None,
        routing_key: None,
        event_action: None,
        dedup_key: v.get("groupKey").and_then(Value::as_str).map(String::from),
        status,
        alertnames,
        rendered: Default::default(),
        body: Value::Null,
        headers: Default::default(),
    }
}

/// What the server records.
#[derive(Debug, Default)]
struct Recorded {
    list: Vec<Notification>,
    dropped: u64,
    /// Requests refused (oversized, not JSON); `rejected` keeps the first reasons.
    refused: u64,
    rejected: Vec<String>,
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
    let mut r = s.lock();
    if r.list.len() < MAX_NOTIFICATIONS {
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
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| {
                AppError::harness(format!("fake receivers: cannot bind 127.0.0.1:0: {e}"))
            })?;
        let addr = listener
            .local_addr()
            .map_err(|e| AppError::harness(format!("fake receivers: {e}")))?;
        let shared: Shared = Arc::default();
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
