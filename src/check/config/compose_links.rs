//! Compose checks that tie files together: the stub's OTLP endpoint names the Jaeger service,
//! Prometheus's scrape and Alertmanager targets name compose services, and its rule files land
//! on mounted paths inside the container.

use std::collections::BTreeSet;

use crate::check::config::compose::{KIND, args_of, flag_value, verdict};
use crate::check::registry::CheckInfo;
use crate::config::compose::ComposeFile;
use crate::config::prometheus::PrometheusConfig;
use crate::verdict::Check;

/// Host part of a URL (`http://jaeger:4318/v1/traces` → `jaeger`, port `4318`).
pub fn url_host_port(url: &str) -> Option<(String, Option<u64>)> {
    let rest = url.split_once("://").map(|x| x.1).unwrap_or(url);
    let authority = rest.split('/').next()?;
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    match authority.rsplit_once(':') {
        Some((h, p)) if !h.is_empty() => Some((h.to_string(), p.parse().ok())),
        _ => (!authority.is_empty()).then(|| (authority.to_string(), None)),
    }
}

pub(crate) fn otlp_check(c: &ComposeFile) -> Check {
    let id = "compose.otlp";
    let jaeger: Vec<&String> = c
        .services
        .iter()
        .filter(|(_, s)| {
            s.image
                .as_deref()
                .is_some_and(|i| i.contains("jaegertracing/"))
        })
        .map(|(n, _)| n)
        .collect();
    let Some(stub) = c.services.get("pipeline-stub") else {
        return Check::fail(id, KIND, "no `pipeline-stub` service to export traces");
    };
    let mut endpoints = Vec::new();
    if let Some(e) = stub
        .environment
        .as_ref()
        .and_then(|e| e.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))
    {
        endpoints.push(("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT".to_string(), e));
    }
    if let Some(e) = flag_value(&args_of(stub), "--otlp-endpoint") {
        endpoints.push(("--otlp-endpoint".to_string(), e));
    }
    let mut problems = Vec::new();
    if endpoints.is_empty() {
        problems.push(
            "pipeline-stub sets no OTLP endpoint (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)".to_string(),
        );
    }
    for (what, url) in &endpoints {
        match url_host_port(url) {
            Some((h, port)) if jaeger.contains(&&h) => {
                if port != Some(4318) {
                    problems.push(format!(
                        "pipeline-stub {what}={url}: OTLP/HTTP is port 4318"
                    ));
                }
            }
            _ => problems.push(format!(
                "pipeline-stub {what}={url} does not name the Jaeger service ({jaeger:?})"
            )),
        }
    }
    for j in &jaeger {
        let enabled = c
            .services
            .get(*j)
            .and_then(|s| s.environment.as_ref())
            .and_then(|e| e.get("COLLECTOR_OTLP_ENABLED"));
        if enabled.as_deref() != Some("true") {
            problems.push(format!(
                "`{j}` does not set COLLECTOR_OTLP_ENABLED=true (got {enabled:?})"
            ));
        }
    }
    verdict(
        id,
        format!("pipeline-stub exports traces to {jaeger:?} over OTLP/HTTP"),
        problems,
    )
}

pub(crate) fn targets_check(c: &ComposeFile, p: &PrometheusConfig) -> Check {
    let mut problems = Vec::new();
    let mut seen = 0usize;
    let scrape = p.scrape_configs.iter().flat_map(|s| {
        s.static_configs.iter().flat_map(move |sc| {
            sc.targets
                .iter()
                .map(move |t| (format!("scrape job `{}`", s.job_name), t))
        })
    });
    let alerting = p
        .alerting
        .iter()
        .flat_map(|a| a.alertmanagers.iter())
        .flat_map(|a| a.static_configs.iter())
        .flat_map(|sc| sc.targets.iter().map(|t| ("alerting".to_string(), t)));
    for (what, target) in scrape.chain(alerting) {
        seen += 1;
        let Some((host, port)) = url_host_port(target) else {
            problems.push(format!("{what}: unreadable target `{target}`"));
            continue;
        };
        if matches!(host.as_str(), "localhost" | "127.0.0.1") {
            continue;
        }
        match c.services.get(&host) {
            None => {
                let hint = crate::util::nearest(&host, c.services.keys().map(String::as_str))
                    .map(|h| format!(" (did you mean `{h}`?)"))
                    .unwrap_or_default();
                problems.push(format!(
                    "{what}: target `{target}` names no compose service{hint}"
                ));
            }
            Some(svc) => {
                let container_ports: BTreeSet<u64> = svc
                    .ports
                    .iter()
                    .filter_map(|p| p.host_and_container().1)
                    .collect();
                if let Some(port) = port
                    && !container_ports.is_empty()
                    && !container_ports.contains(&port)
                {
                    problems.push(format!(
                        "{what}: target `{target}`: service `{host}` listens on {container_ports:?}"
                    ));
                }
            }
        }
    }
    verdict(
        "compose.targets",
        format!("{seen} Prometheus targets name compose services"),
        problems,
    )
}

/// Prometheus resolves `rule_files` relative to its config file inside the container: each one
/// must land on a mounted path there, or Prometheus starts with no rules.
pub(crate) fn rule_files_check(c: &ComposeFile, p: &PrometheusConfig) -> Check {
    let id = "compose.rule_files";
    let Some(svc) = c.services.get("prometheus") else {
        return Check::fail(id, KIND, "no `prometheus` service");
    };
    let config = flag_value(&args_of(svc), "--config.file")
        .unwrap_or_else(|| "/etc/prometheus/prometheus.yml".into());
    let dir = config
        .rsplit_once('/')
        .map(|(d, _)| d.to_string())
        .unwrap_or_default();
    let targets: Vec<String> = svc
        .volumes
        .iter()
        .filter_map(|v| v.source_target().1)
        .collect();
    let problems: Vec<String> = p
        .rule_files
        .iter()
        .filter_map(|r| {
            let path = if r.starts_with('/') { r.clone() } else { format!("{dir}/{r}") };
            let mounted = targets.iter().any(|t| {
                let t = t.trim_end_matches('/');
                path == t || path.starts_with(&format!("{t}/"))
            });
            (!mounted).then(|| format!("rule file `{r}` resolves to {path} in the prometheus container, which no volume provides"))
        })
        .collect();
    verdict(
        id,
        format!(
            "{} rule file(s) mounted where prometheus looks",
            p.rule_files.len()
        ),
        problems,
    )
}

/// The checks this module emits (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[
    CheckInfo {
        id: "compose.otlp",
        kind: KIND,
        proves: "the stub exports traces to the Jaeger service over OTLP/HTTP (port 4318)",
        failure: "traces would go nowhere: see pipeline-stub's OTLP endpoint and jaeger's env",
        explain: "pipeline-stub's OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (or --otlp-endpoint) must \
                  name a jaegertracing service on port 4318, and that service must set \
                  COLLECTOR_OTLP_ENABLED=true.\n\
                  Example failure: pipeline-stub OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http://jager:4318/v1/traces \
                  does not name the Jaeger service ([\"jaeger\"])",
    },
    CheckInfo {
        id: "compose.targets",
        kind: KIND,
        proves: "Prometheus's scrape and Alertmanager targets name compose services and ports",
        failure: "a target names no service or a port it does not listen on: see prometheus.yml",
        explain: "Every static target in prometheus.yml (scrape jobs and alerting) must be a \
                  compose service (or localhost), on a port the service exposes.\n\
                  Example failure: scrape job `pipeline`: target `pipeline-stb:8000` names no \
                  compose service (did you mean `pipeline-stub`?)",
    },
    CheckInfo {
        id: "compose.rule_files",
        kind: KIND,
        proves: "every `rule_files` entry lands on a path mounted into the prometheus container",
        failure: "Prometheus would start with no rules: see rule_files and the prometheus volumes",
        explain: "Prometheus resolves rule_files relative to its config file inside the \
                  container; each must fall under a volume target of the prometheus service.\n\
                  Example failure: rule file `alert-rules.yaml` resolves to \
                  /etc/prometheus/alert-rules.yaml in the prometheus container, which no volume provides",
    },
];
