//! Health probes of running stack components (`obsgate health`): Prometheus (ready, targets
//! up, rules healthy), Alertmanager (ready, cluster and config status), Grafana
//! (`/api/health`), Jaeger (`/api/services` or `/`) and the stub (`/metrics` parses). Each
//! probe gives [`Check`]s of kind `health`.
//!
//! The stub's `/metrics` goes through the same strict exposition parser as the metrics checks:
//! a health probe that accepts what the gate would reject would be lying.

use std::time::Duration;

use crate::observe::am_api::AmClient;
use crate::observe::prom_api::PromClient;
use crate::verdict::Check;
use crate::verdict::Kind;

const KIND: Kind = Kind::Health;

fn client() -> reqwest::Client {
    crate::util::http_client(Duration::from_secs(5))
}

fn base(url: &str) -> String {
    url.trim_end_matches('/').to_string()
}

/// Prometheus: `/-/ready`, every active target up, every rule healthy.
pub async fn prometheus(url: &str) -> Vec<Check> {
    let p = PromClient::new(url);
    let mut out = Vec::new();
    match p.ready().await {
        Ok(true) => out.push(Check::pass(
            "health.prometheus.ready",
            KIND,
            format!("{}/-/ready answers 200", p.base()),
        )),
        Ok(false) => out.push(Check::fail(
            "health.prometheus.ready",
            KIND,
            format!("{}/-/ready is not 200", p.base()),
        )),
        Err(e) => {
            out.push(Check::fail(
                "health.prometheus.ready",
                KIND,
                format!("Prometheus unreachable: {e}"),
            ));
            return out;
        }
    }
    out.push(match p.targets().await {
        Ok(t) if t.is_empty() => Check::fail(
            "health.prometheus.targets",
            KIND,
            "no active scrape targets",
        ),
        Ok(t) => {
            let down: Vec<String> = t
                .iter()
                .filter(|t| t.health != "up")
                .map(|t| format!("{} {} {}: {}", t.job, t.scrape_url, t.health, t.last_error))
                .collect();
            if down.is_empty() {
                Check::pass(
                    "health.prometheus.targets",
                    KIND,
                    format!("{} target(s) up", t.len()),
                )
            } else {
                Check::fail(
                    "health.prometheus.targets",
                    KIND,
                    format!("{} of {} target(s) not up", down.len(), t.len()),
                )
                .with_evidence(down)
            }
        }
        Err(e) => Check::error("health.prometheus.targets", KIND, e),
    });
    out.push(match p.rules().await {
        Ok(r) => {
            let bad: Vec<String> = r
                .iter()
                .filter(|r| r.health == "err")
                .map(|r| {
                    format!(
                        "{}/{}: {}",
                        r.group,
                        r.name,
                        r.last_error.as_deref().unwrap_or("?")
                    )
                })
                .collect();
            if bad.is_empty() {
                Check::pass(
                    "health.prometheus.rules",
                    KIND,
                    format!("{} rule(s), none failing", r.len()),
                )
            } else {
                Check::fail(
                    "health.prometheus.rules",
                    KIND,
                    format!("{} rule(s) failing to evaluate", bad.len()),
                )
                .with_evidence(bad)
            }
        }
        Err(e) => Check::error("health.prometheus.rules", KIND, e),
    });
    out
}

/// Alertmanager: `/-/ready`, `/api/v2/status` (cluster ready or disabled, config loaded).
pub async fn alertmanager(url: &str) -> Vec<Check> {
    let a = AmClient::new(url);
    let mut out = Vec::new();
    match a.ready().await {
        Ok(ok) => out.push(Check::from_bool(
            "health.alertmanager.ready",
            KIND,
            ok,
            format!(
                "{}/-/ready {}",
                a.base(),
                if ok { "answers 200" } else { "is not 200" }
            ),
        )),
        Err(e) => {
            out.push(Check::fail(
                "health.alertmanager.ready",
                KIND,
                format!("Alertmanager unreachable: {e}"),
            ));
            return out;
        }
    }
    out.push(match a.status().await {
        Ok(s) => {
            let cluster_ok = matches!(s.cluster_status.as_str(), "ready" | "disabled");
            Check::from_bool(
                "health.alertmanager.status",
                KIND,
                cluster_ok && s.has_config,
                format!(
                    "version {}, cluster {} ({} peer(s)), config {}",
                    s.version,
                    s.cluster_status,
                    s.peers,
                    if s.has_config { "loaded" } else { "missing" }
                ),
            )
        }
        Err(e) => Check::error("health.alertmanager.status", KIND, e),
    });
    out
}

/// Grafana: `/api/health` answers 200 with `database: ok`.
pub async fn grafana(url: &str) -> Vec<Check> {
    let u = format!("{}/api/health", base(url));
    vec![match client().get(&u).send().await {
        Ok(r) if r.status().is_success() => {
            let v: serde_json::Value = r.json().await.unwrap_or_default();
            let db = v
                .get("database")
                .and_then(|d| d.as_str())
                .unwrap_or("?")
                .to_string();
            Check::from_bool(
                "health.grafana",
                KIND,
                db == "ok",
                format!(
                    "{u}: database {db}, version {}",
                    v.get("version").and_then(|d| d.as_str()).unwrap_or("?")
                ),
            )
        }
        Ok(r) => Check::fail("health.grafana", KIND, format!("{u}: HTTP {}", r.status())),
        Err(e) => Check::fail("health.grafana", KIND, format!("{u}: {e}")),
    }]
}

/// Grafana has each dashboard loaded: `GET /api/dashboards/uid/<uid>` answers 200 (credentials,
/// when Grafana needs them, go in the URL: `http://admin:admin@host:3000`).
pub async fn grafana_dashboards(url: &str, uids: &[String]) -> Vec<Check> {
    let mut out = Vec::new();
    for uid in uids {
        let u = format!("{}/api/dashboards/uid/{uid}", base(url));
        let id = format!("dashboards.grafana.{uid}");
        out.push(match client().get(&u).send().await {
            Ok(r) if r.status().is_success() => Check::pass(
                id,
                Kind::Dashboards,
                format!("Grafana has dashboard `{uid}` loaded"),
            ),
            Ok(r) => Check::fail(
                id,
                Kind::Dashboards,
                format!(
                    "Grafana does not serve dashboard `{uid}`: {u} answered HTTP {}",
                    r.status()
                ),
            ),
            Err(e) => Check::fail(id, Kind::Dashboards, format!("{u}: {e}")),
        });
    }
    out
}

/// Jaeger query: `/api/services` (or `/`) answers 200.
pub async fn jaeger(url: &str) -> Vec<Check> {
    let c = client();
    let mut last = String::new();
    for path in ["/api/services", "/"] {
        let u = format!("{}{path}", base(url));
        match c.get(&u).send().await {
            Ok(r) if r.status().is_success() => {
                return vec![Check::pass(
                    "health.jaeger",
                    KIND,
                    format!("{u} answers 200"),
                )];
            }
            Ok(r) => last = format!("{u}: HTTP {}", r.status()),
            Err(e) => last = format!("{u}: {e}"),
        }
    }
    vec![Check::fail("health.jaeger", KIND, last)]
}

/// Strict parse of an exposition (the same parser as the metrics checks): Ok(sample count) or
/// every bad line (bounded), each with its line and column.
pub fn parse_exposition(text: &str, content_type: &str) -> Result<usize, Vec<String>> {
    use crate::observe::exposition::{format_from_content_type, parse_all_errors};
    let (e, errors) = parse_all_errors(text, format_from_content_type(content_type));
    if !errors.is_empty() {
        return Err(errors.iter().map(ToString::to_string).collect());
    }
    let samples: usize = e.families.iter().map(|f| f.samples.len()).sum();
    if samples == 0 {
        return Err(vec!["no samples".to_string()]);
    }
    Ok(samples)
}

/// The stub: `/metrics` answers 200 and parses strictly.
pub async fn target(url: &str) -> Vec<Check> {
    let u = format!("{}/metrics", base(url));
    vec![match client().get(&u).send().await {
        Ok(r) if r.status().is_success() => {
            let ct = r
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            match r.text().await {
                Ok(t) => match parse_exposition(&t, &ct) {
                    Ok(n) => Check::pass(
                        "health.target.metrics",
                        KIND,
                        format!("{u}: {n} samples, every line well-formed"),
                    ),
                    Err(bad) => Check::fail(
                        "health.target.metrics",
                        KIND,
                        format!("{u}: {} malformed line(s)", bad.len()),
                    )
                    .with_evidence(bad),
                },
                Err(e) => Check::fail("health.target.metrics", KIND, format!("{u}: {e}")),
            }
        }
        Ok(r) => Check::fail(
            "health.target.metrics",
            KIND,
            format!("{u}: HTTP {}", r.status()),
        ),
        Err(e) => Check::fail("health.target.metrics", KIND, format!("{u}: {e}")),
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposition_is_parsed_strictly() {
        let ok = "# HELP x X\n# TYPE x counter\nx_total{a=\"b}c\"} 3\nup 1 1700000000\ny NaN\n";
        assert_eq!(parse_exposition(ok, "text/plain; version=0.0.4"), Ok(3));
        let bad = parse_exposition("x 1\n1bad 2\ny abc\n", "text/plain").unwrap_err();
        assert!(bad[0].contains("line 2"), "{bad:?}");
        assert!(parse_exposition("# only comments\n", "text/plain").is_err());
    }
}
