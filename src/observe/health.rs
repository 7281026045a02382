//! Health probes of running stack components over HTTP: Prometheus (ready, targets, rules),
//! Alertmanager (ready, status), Grafana (`/api/health`, dashboards by uid), Jaeger
//! (`/api/services` or `/`) and the stub (`/metrics`). They record what answered; judging it is
//! [`crate::check::signals::health`]'s job.

use std::time::Duration;

use crate::evidence::health::{
    AlertmanagerHealth, AmStatusSeen, DashboardProbe, ExpositionParse, HttpOutcome, HttpProbe,
    PrometheusHealth, RuleState, TargetState,
};
use crate::observe::am_api::AmClient;
use crate::observe::prom_api::PromClient;

fn client() -> reqwest::Client {
    crate::util::http_client(Duration::from_secs(5))
}

fn base(url: &str) -> String {
    url.trim_end_matches('/').to_string()
}

/// GET `url`, reading the body of a 2xx answer.
async fn get(c: &reqwest::Client, url: String) -> HttpProbe {
    let outcome = match c.get(&url).send().await {
        Ok(r) if r.status().is_success() => {
            let content_type = r
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            let body = r.text().await.map_err(|e| e.to_string());
            HttpOutcome::Answered { content_type, body }
        }
        Ok(r) => HttpOutcome::Status(r.status().to_string()),
        Err(e) => HttpOutcome::Failed(e.to_string()),
    };
    HttpProbe { url, outcome }
}

/// Prometheus: `/-/ready`, then (when it answered) the active targets and the rules.
pub async fn probe_prometheus(url: &str) -> PrometheusHealth {
    let p = PromClient::new(url);
    let ready = match p.ready().await {
        Ok(r) => r,
        Err(error) => return PrometheusHealth::Unreachable { error },
    };
    let targets = p.targets().await.map(|ts| {
        ts.into_iter()
            .map(|t| TargetState {
                job: t.job,
                scrape_url: t.scrape_url,
                health: t.health,
                last_error: t.last_error,
            })
            .collect()
    });
    let rules = p.rules().await.map(|rs| {
        rs.into_iter()
            .map(|r| RuleState {
                group: r.group,
                name: r.name,
                health: r.health,
                last_error: r.last_error,
            })
            .collect()
    });
    PrometheusHealth::Reached {
        base: p.base().to_string(),
        ready,
        targets,
        rules,
    }
}

/// Alertmanager: `/-/ready`, then (when it answered) `/api/v2/status`.
pub async fn probe_alertmanager(url: &str) -> AlertmanagerHealth {
    let a = AmClient::new(url);
    let ready = match a.ready().await {
        Ok(r) => r,
        Err(error) => return AlertmanagerHealth::Unreachable { error },
    };
    let status = a.status().await.map(|s| AmStatusSeen {
        cluster_status: s.cluster_status,
        peers: s.peers,
        has_config: s.has_config,
        version: s.version,
    });
    AlertmanagerHealth::Reached {
        base: a.base().to_string(),
        ready,
        status,
    }
}

/// Grafana: `GET /api/health`.
pub async fn probe_grafana(url: &str) -> HttpProbe {
    get(&client(), format!("{}/api/health", base(url))).await
}

/// Grafana: `GET /api/dashboards/uid/<uid>` for each uid (credentials, when Grafana needs them,
/// go in the URL: `http://admin:admin@host:3000`).
pub async fn probe_grafana_dashboards(url: &str, uids: &[String]) -> Vec<DashboardProbe> {
    let mut out = Vec::new();
    for uid in uids {
        let u = format!("{}/api/dashboards/uid/{uid}", base(url));
        out.push(DashboardProbe {
            uid: uid.clone(),
            probe: get(&client(), u).await,
        });
    }
    out
}

/// Jaeger query: `/api/services`, then `/` when that did not answer 2xx (older UIs lack the
/// API path). Stops at the first 2xx.
pub async fn probe_jaeger(url: &str) -> Vec<HttpProbe> {
    let c = client();
    let mut out = Vec::new();
    for path in ["/api/services", "/"] {
        let p = get(&c, format!("{}{path}", base(url))).await;
        let answered = matches!(p.outcome, HttpOutcome::Answered { .. });
        out.push(p);
        if answered {
            break;
        }
    }
    out
}

/// The stub: `GET /metrics`, its body through the strict exposition parser.
pub async fn probe_target(url: &str) -> HttpProbe<ExpositionParse> {
    let p = get(&client(), format!("{}/metrics", base(url))).await;
    let outcome = match p.outcome {
        HttpOutcome::Answered { content_type, body } => HttpOutcome::Answered {
            body: body.map(|t| parse_exposition(&t, &content_type)),
            content_type,
        },
        HttpOutcome::Status(s) => HttpOutcome::Status(s),
        HttpOutcome::Failed(e) => HttpOutcome::Failed(e),
    };
    HttpProbe {
        url: p.url,
        outcome,
    }
}

/// Strict parse of an exposition: Ok(sample count) or every bad line (bounded), each with its
/// line and column. The same parser as the metrics checks, so that a health check never
/// accepts what the gate would reject.
pub fn parse_exposition(text: &str, content_type: &str) -> ExpositionParse {
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
