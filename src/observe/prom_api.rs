//! A small Prometheus HTTP API client: `/-/ready`, `/api/v1/alerts`, `/api/v1/rules`,
//! `/api/v1/targets`, `/api/v1/query`. Errors are strings naming the URL and what came back.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

/// One active alert (pending or firing) from `/api/v1/alerts`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PromAlert {
    /// Labels, including `alertname`.
    pub labels: BTreeMap<String, String>,
    /// Annotations (summary, description, runbook_url).
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    /// `pending` or `firing`.
    pub state: String,
    /// When the alert became active (RFC 3339).
    #[serde(default, rename = "activeAt")]
    pub active_at: Option<String>,
}

impl PromAlert {
    /// The `alertname` label.
    pub fn name(&self) -> &str {
        self.labels
            .get("alertname")
            .map(String::as_str)
            .unwrap_or("")
    }
}

/// One rule from `/api/v1/rules`.
#[derive(Debug, Clone, PartialEq)]
pub struct PromRule {
    /// Rule group name.
    pub group: String,
    /// Alert name or recorded series name.
    pub name: String,
    /// `alerting` or `recording`.
    pub kind: String,
    /// `ok`, `err` or `unknown`.
    pub health: String,
    /// Last evaluation error, if any.
    pub last_error: Option<String>,
}

/// One active target from `/api/v1/targets`.
#[derive(Debug, Clone, PartialEq)]
pub struct PromTarget {
    /// The `job` label.
    pub job: String,
    /// The scrape URL.
    pub scrape_url: String,
    /// `up`, `down` or `unknown`.
    pub health: String,
    /// Last scrape error.
    pub last_error: String,
}

/// Prometheus API client.
#[derive(Debug, Clone)]
pub struct PromClient {
    base: String,
    http: reqwest::Client,
}

/// GET `url` and return its JSON `data` field (Prometheus API envelope).
pub(crate) async fn get_json(http: &reqwest::Client, url: &str) -> Result<Value, String> {
    let resp = http
        .get(url)
        .send()
        .await
        .map_err(|e| format!("GET {url}: {e}"))?;
    let status = resp.status();
    let text = resp.text().await.map_err(|e| format!("GET {url}: {e}"))?;
    if !status.is_success() {
        let head: String = text.chars().take(300).collect();
        return Err(format!("GET {url}: HTTP {status}: {head}"));
    }
    serde_json::from_str(&text).map_err(|e| format!("GET {url}: not JSON: {e}"))
}

fn s(v: &Value, k: &str) -> String {
    v.get(k).and_then(Value::as_str).unwrap_or("").to_string()
}

impl PromClient {
    /// A client for the Prometheus at `base` (e.g. `http://127.0.0.1:9090`).
    pub fn new(base: &str) -> Self {
        let http = crate::util::http_client(Duration::from_secs(5));
        Self {
            base: base.trim_end_matches('/').to_string(),
            http,
        }
    }

    /// The base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    async fn data(&self, path: &str) -> Result<Value, String> {
        let url = format!("{}{path}", self.base);
        let v = get_json(&self.http, &url).await?;
        if v.get("status").and_then(Value::as_str) != Some("success") {
            return Err(format!(
                "GET {url}: status {}",
                v.get("status").unwrap_or(&Value::Null)
            ));
        }
        Ok(v.get("data").cloned().unwrap_or(Value::Null))
    }

    /// True when `/-/ready` answers 200.
    pub async fn ready(&self) -> Result<bool, String> {
        let url = format!("{}/-/ready", self.base);
        let r = self
            .http
            .get(&url)
            .send()
            .await
            .map_err(|e| format!("GET {url}: {e}"))?;
        Ok(r.status().is_success())
    }

    /// Pending and firing alerts.
    pub async fn alerts(&self) -> Result<Vec<PromAlert>, String> {
        let d = self.data("/api/v1/alerts").await?;
        serde_json::from_value(d.get("alerts").cloned().unwrap_or(Value::Array(vec![])))
            .map_err(|e| format!("{}/api/v1/alerts: unexpected shape: {e}", self.base))
    }

    /// Every rule of every group.
    pub async fn rules(&self) -> Result<Vec<PromRule>, String> {
        let d = self.data("/api/v1/rules").await?;
        let mut out = Vec::new();
        for g in d
            .get("groups")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            for r in g
                .get("rules")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                out.push(PromRule {
                    group: s(g, "name"),
                    name: s(r, "name"),
                    kind: s(r, "type"),
                    health: s(r, "health"),
                    last_error: r
                        .get("lastError")
                        .and_then(Value::as_str)
                        .filter(|e| !e.is_empty())
                        .map(String::from),
                });
            }
        }
        Ok(out)
    }

    /// Active scrape targets.
    pub async fn targets(&self) -> Result<Vec<PromTarget>, String> {
        let d = self.data("/api/v1/targets?state=active").await?;
        Ok(d.get("activeTargets")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|t| PromTarget {
                job: t
                    .pointer("/labels/job")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                scrape_url: s(t, "scrapeUrl"),
                health: s(t, "health"),
                last_error: s(t, "lastError"),
            })
            .collect())
    }

    /// An instant query; returns the `data` object (`resultType`, `result`).
    pub async fn query(&self, promql: &str) -> Result<Value, String> {
        self.query_at(promql, None).await
    }

    /// An instant query evaluated at `time_unix_s` (None: now).
    pub async fn query_at(&self, promql: &str, time_unix_s: Option<f64>) -> Result<Value, String> {
        let url = format!("{}/api/v1/query", self.base);
        let mut params = vec![("query", promql.to_string())];
        if let Some(t) = time_unix_s {
            params.push(("time", format!("{t:.3}")));
        }
        let resp = self
            .http
            .get(&url)
            .query(&params)
            .send()
            .await
            .map_err(|e| format!("query `{promql}`: {e}"))?;
        let v: Value = resp
            .json()
            .await
            .map_err(|e| format!("query `{promql}`: {e}"))?;
        if v.get("status").and_then(Value::as_str) != Some("success") {
            return Err(format!("query `{promql}`: {}", s(&v, "error")));
        }
        Ok(v.get("data").cloned().unwrap_or(Value::Null))
    }
}

/// Number of series (vector/matrix) or 1 for a scalar/string answer that is a number.
pub fn series_count(data: &serde_json::Value) -> usize {
    match data.get("resultType").and_then(|t| t.as_str()) {
        Some("vector") | Some("matrix") => {
            data.get("result")
                .and_then(|r| r.as_array())
                .map_or(0, |a| {
                    a.iter()
                        .filter(|s| {
                            // A NaN value draws nothing either.
                            s.get("value")
                                .and_then(|v| v.get(1))
                                .and_then(|v| v.as_str())
                                .is_none_or(|v| v != "NaN")
                        })
                        .count()
                })
        }
        Some("scalar") => data
            .get("result")
            .and_then(|r| r.get(1))
            .and_then(|v| v.as_str())
            .map_or(0, |v| usize::from(v != "NaN")),
        _ => 0,
    }
}
