//! Reading traces back from Jaeger: `/api/v3/traces/{id}` (OTLP JSON under
//! `result.resourceSpans`) first, the classic `/api/traces/{id}` (Jaeger JSON) as fallback,
//! both mapped to [`SpanRecord`]; and polling with a deadline until traces are complete.

mod classic;

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;
use tokio::time::Instant;

use crate::evidence::SpanRecord;
use crate::observe::otlp;

/// Pause between polling rounds.
const POLL_EVERY: Duration = Duration::from_millis(500);

/// Largest response body read (bytes).
const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// Why a trace could not be read.
#[derive(Debug, thiserror::Error)]
pub enum JaegerError {
    #[error("GET {url}: {source}")]
    Http {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("GET {url}: HTTP status {status}: {body}")]
    Status {
        url: String,
        status: u16,
        body: String,
    },
    #[error("GET {url}: {message}")]
    Decode { url: String, message: String },
}

/// What polling found: spans per trace id, which traces stayed incomplete, the last error seen.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TracePoll {
    /// Spans of every requested trace (empty when never found).
    pub traces: BTreeMap<String, Vec<SpanRecord>>,
    /// Trace ids with fewer spans than expected at the deadline.
    pub incomplete: Vec<String>,
    /// Fetch errors, counted, with the last one's text.
    pub errors: u64,
    pub last_error: Option<String>,
}

/// A client for one Jaeger query service.
#[derive(Clone)]
pub struct JaegerClient {
    base: String,
    client: reqwest::Client,
}

impl JaegerClient {
    /// A client for the Jaeger query base URL (e.g. `http://127.0.0.1:16686`).
    pub fn new(base_url: &str) -> Self {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        JaegerClient {
            base: base_url.trim_end_matches('/').to_string(),
            client,
        }
    }

    /// The spans of `trace_id` (empty when Jaeger does not know it).
    pub async fn fetch_trace(&self, trace_id: &str) -> Result<Vec<SpanRecord>, JaegerError> {
        let url = format!("{}/api/v3/traces/{trace_id}", self.base);
        match self.get(&url).await? {
            Some(body) => {
                let v = json(&url, &body)?;
                let result = v.get("result").and_then(|r| r.as_object());
                match result {
                    Some(r) => otlp::resource_spans(r, "result.resourceSpans")
                        .map_err(|message| JaegerError::Decode { url, message }),
                    None => Err(JaegerError::Decode {
                        url,
                        message: "no `result` object".into(),
                    }),
                }
            }
            None => {
                // Not found on v3 (or no v3 API): ask the classic API.
                let url = format!("{}/api/traces/{trace_id}", self.base);
                match self.get(&url).await? {
                    None => Ok(Vec::new()),
                    Some(body) => classic::spans(&json(&url, &body)?)
                        .map_err(|message| JaegerError::Decode { url, message }),
                }
            }
        }
    }

    /// Fetch every trace in `ids` until each has at least `expected_spans_per_trace` spans or
    /// `deadline` passes.
    pub async fn poll_until_complete(
        &self,
        ids: &[String],
        expected_spans_per_trace: usize,
        deadline: Instant,
    ) -> TracePoll {
        let mut poll = TracePoll::default();
        for id in ids {
            poll.traces.insert(id.clone(), Vec::new());
        }
        loop {
            let pending: Vec<String> = poll
                .traces
                .iter()
                .filter(|(_, s)| s.len() < expected_spans_per_trace)
                .map(|(id, _)| id.clone())
                .collect();
            if pending.is_empty() {
                break;
            }
            let mut answered = false;
            for id in &pending {
                match self.fetch_trace(id).await {
                    Ok(spans) => {
                        answered = true;
                        poll.traces.insert(id.clone(), spans);
                    }
                    Err(e) => {
                        poll.errors += 1;
                        poll.last_error = Some(e.to_string());
                    }
                }
                if Instant::now() >= deadline {
                    break;
                }
            }
            let done = poll
                .traces
                .values()
                .all(|s| s.len() >= expected_spans_per_trace);
            // A round where Jaeger answered nothing at all will not go better: stop hammering
            // an unreachable or broken backend and report its error.
            if done || !answered || Instant::now() + POLL_EVERY > deadline {
                break;
            }
            tokio::time::sleep(POLL_EVERY).await;
        }
        poll.incomplete = poll
            .traces
            .iter()
            .filter(|(_, s)| s.len() < expected_spans_per_trace)
            .map(|(id, _)| id.clone())
            .collect();
        poll
    }

    /// GET `url`: `Some(body)` on 2xx, `None` on 404, an error otherwise.
    async fn get(&self, url: &str) -> Result<Option<Vec<u8>>, JaegerError> {
        let http = |source| JaegerError::Http {
            url: url.to_string(),
            source,
        };
        let mut resp = self.client.get(url).send().await.map_err(http)?;
        let status = resp.status();
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(http)? {
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(JaegerError::Decode {
                    url: url.to_string(),
                    message: format!("body larger than {MAX_BODY_BYTES} bytes"),
                });
            }
            body.extend_from_slice(&chunk);
        }
        if status.as_u16() == 404 {
            return Ok(None);
        }
        if !status.is_success() {
            let body = String::from_utf8_lossy(&body).chars().take(300).collect();
            return Err(JaegerError::Status {
                url: url.to_string(),
                status: status.as_u16(),
                body,
            });
        }
        Ok(Some(body))
    }
}

fn json(url: &str, body: &[u8]) -> Result<serde_json::Value, JaegerError> {
    serde_json::from_slice(body).map_err(|e| JaegerError::Decode {
        url: url.to_string(),
        message: format!("invalid JSON: {e}"),
    })
}

#[cfg(test)]
mod tests;
