//! A small Alertmanager API v2 client: `/-/ready`, `/api/v2/alerts` (with the `receivers` each
//! alert was routed to) and `/api/v2/status` (cluster and config).

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value;

use super::prom_api::get_json;

/// One alert as Alertmanager holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct AmAlert {
    /// Labels, including `alertname`.
    pub labels: BTreeMap<String, String>,
    /// Annotations.
    pub annotations: BTreeMap<String, String>,
    /// Receiver names the routing tree chose.
    pub receivers: Vec<String>,
    /// `active`, `suppressed` or `unprocessed`.
    pub state: String,
    /// Fingerprints of the alerts inhibiting this one.
    pub inhibited_by: Vec<String>,
    /// Silence ids.
    pub silenced_by: Vec<String>,
}

impl AmAlert {
    /// The `alertname` label.
    pub fn name(&self) -> &str {
        self.labels
            .get("alertname")
            .map(String::as_str)
            .unwrap_or("")
    }
}

/// `/api/v2/status`, the parts health cares about.
#[derive(Debug, Clone, PartialEq)]
pub struct AmStatus {
    /// `ready`, `settling` or `disabled`.
    pub cluster_status: String,
    /// Peers in the cluster.
    pub peers: usize,
    /// Whether a loaded config is reported.
    pub has_config: bool,
    /// Alertmanager version.
    pub version: String,
}

/// Alertmanager API client.
#[derive(Debug, Clone)]
pub struct AmClient {
    base: String,
    http: reqwest::Client,
}

fn map(v: Option<&Value>) -> BTreeMap<String, String> {
    v.and_then(Value::as_object)
        .map(|o| {
            o.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                .collect()
        })
        .unwrap_or_default()
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(String::from)
        .collect()
}

/// Parse `/api/v2/alerts` JSON.
pub fn parse_alerts(v: &Value) -> Vec<AmAlert> {
    v.as_array()
        .into_iter()
        .flatten()
        .map(|a| AmAlert {
            labels: map(a.get("labels")),
            annotations: map(a.get("annotations")),
            receivers: a
                .get("receivers")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|r| r.get("name").and_then(Value::as_str).map(String::from))
                .collect(),
            state: a
                .pointer("/status/state")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            inhibited_by: strings(a.pointer("/status/inhibitedBy")),
            silenced_by: strings(a.pointer("/status/silencedBy")),
        })
        .collect()
}

impl AmClient {
    /// A client for the Alertmanager at `base`.
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

    /// Every alert Alertmanager holds (active, suppressed, unprocessed).
    pub async fn alerts(&self) -> Result<Vec<AmAlert>, String> {
        let v = get_json(&self.http, &format!("{}/api/v2/alerts", self.base)).await?;
        Ok(parse_alerts(&v))
    }

    /// Cluster and config status.
    pub async fn status(&self) -> Result<AmStatus, String> {
        let v = get_json(&self.http, &format!("{}/api/v2/status", self.base)).await?;
        Ok(AmStatus {
            cluster_status: v
                .pointer("/cluster/status")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            peers: v
                .pointer("/cluster/peers")
                .and_then(Value::as_array)
                .map_or(0, Vec::len),
            has_config: v
                .pointer("/config/original")
                .and_then(Value::as_str)
                .is_some_and(|s| !s.is_empty()),
            version: v
                .pointer("/versionInfo/version")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_receivers_and_inhibition() {
        let v: Value = serde_json::from_str(
            r#"[{"labels":{"alertname":"SLABreach","severity":"critical"},"annotations":{"summary":"s"},
                "receivers":[{"name":"critical"},{"name":"pager"}],
                "status":{"state":"suppressed","inhibitedBy":["abc"],"silencedBy":[]},
                "fingerprint":"f","startsAt":"2026-01-01T00:00:00Z","endsAt":"2026-01-01T00:05:00Z","updatedAt":"2026-01-01T00:00:00Z","generatorURL":""}]"#,
        )
        .unwrap_or_default();
        let a = parse_alerts(&v);
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].name(), "SLABreach");
        assert_eq!(a[0].receivers, ["critical", "pager"]);
        assert_eq!(a[0].inhibited_by, ["abc"]);
        assert_eq!(a[0].state, "suppressed");
    }
}
