//! Compose checks: the stack's services with pinned images and versions, published ports,
//! named volumes, Prometheus's 15-day retention, every host file mounted exists, the stub's
//! OTLP endpoint names the Jaeger service, and Prometheus's scrape and Alertmanager targets
//! name compose services. Pure: the caller stats the mounted paths ([`host_mounts`]).

use std::collections::{BTreeMap, BTreeSet};

use crate::report::model::Check;
use crate::stack::config::compose::{ComposeFile, Service};
use crate::stack::config::prometheus::PrometheusConfig;

const KIND: &str = "compose";

/// One service the stack must have.
#[derive(Debug, Clone, Copy)]
pub struct ServiceSpec {
    /// Compose service name.
    pub name: &'static str,
    /// Image repository (`prom/prometheus`); empty: built from the repo (`build:`).
    pub image: &'static str,
    /// Required tag; empty: any pinned tag (not `latest`).
    pub tag: &'static str,
    /// Ports that must be published on the same host port.
    pub ports: &'static [u64],
}

/// The shipped stack (seed's services, versions and ports, plus the pipeline stub).
pub const SHIPPED_SERVICES: [ServiceSpec; 6] = [
    ServiceSpec {
        name: "prometheus",
        image: "prom/prometheus",
        tag: "v2.48.0",
        ports: &[9090],
    },
    ServiceSpec {
        name: "grafana",
        image: "grafana/grafana",
        tag: "10.2.0",
        ports: &[3000],
    },
    ServiceSpec {
        name: "alertmanager",
        image: "prom/alertmanager",
        tag: "v0.26.0",
        ports: &[9093],
    },
    ServiceSpec {
        name: "jaeger",
        image: "jaegertracing/all-in-one",
        tag: "",
        ports: &[16686, 4318],
    },
    ServiceSpec {
        name: "node-exporter",
        image: "prom/node-exporter",
        tag: "v1.7.0",
        ports: &[9100],
    },
    ServiceSpec {
        name: "pipeline-stub",
        image: "",
        tag: "",
        ports: &[8000],
    },
];

/// Named volumes the stack must declare and mount.
pub const SHIPPED_VOLUMES: [&str; 4] = [
    "prometheus_data",
    "grafana_data",
    "alertmanager_data",
    "jaeger_data",
];

/// Host files the stack must mount from the config folder (paths relative to the compose file).
pub const SHIPPED_CONFIG_MOUNTS: [&str; 4] = [
    "./config/prometheus.yml",
    "./config/alert-rules.yaml",
    "./config/alertmanager.yml",
    "./config/grafana/provisioning",
];

/// A mount source that is a host path (not a named volume).
pub fn is_host_path(source: &str) -> bool {
    source.starts_with('.') || source.starts_with('/') || source.starts_with('~')
}

/// Every host path mounted by any service (for the caller to stat).
pub fn host_mounts(c: &ComposeFile) -> BTreeSet<String> {
    c.services
        .values()
        .flat_map(|s| s.volumes.iter())
        .filter_map(|v| v.source_target().0)
        .filter(|s| is_host_path(s))
        .collect()
}

/// Split an image reference into (repository, tag); tag is empty when absent.
fn split_image(image: &str) -> (&str, &str) {
    let image = image.split('@').next().unwrap_or(image);
    match image.rsplit_once(':') {
        Some((repo, tag)) if !tag.contains('/') => (repo, tag),
        _ => (image, ""),
    }
}

/// Inputs of the compose checks.
#[derive(Debug)]
pub struct ComposeInput<'a> {
    /// The compose file's name, for messages.
    pub file: &'a str,
    /// The parsed compose file.
    pub compose: &'a ComposeFile,
    /// For each host mount source (as written): whether it exists, resolved from the compose
    /// file's folder.
    pub mount_exists: &'a BTreeMap<String, bool>,
    /// The parsed `prometheus.yml`, when it could be read.
    pub prometheus: Option<&'a PrometheusConfig>,
}

fn verdict(id: &str, ok: String, problems: Vec<String>) -> Check {
    if problems.is_empty() {
        Check::pass(id, KIND, ok)
    } else {
        Check::fail(id, KIND, problems.join("; ")).with_evidence(problems)
    }
}

/// Every compose check of the shipped stack.
pub fn check_compose(input: &ComposeInput<'_>) -> Vec<Check> {
    let c = input.compose;
    let mut out = Vec::new();
    let missing: Vec<String> = SHIPPED_SERVICES
        .iter()
        .filter(|s| !c.services.contains_key(s.name))
        .map(|s| {
            let hint = crate::util::nearest(s.name, c.services.keys().map(String::as_str))
                .map(|h| format!(" (did you mean `{h}`?)"))
                .unwrap_or_default();
            format!("service `{}` is missing{hint}", s.name)
        })
        .collect();
    out.push(verdict(
        "compose.services",
        format!(
            "{}: all {} services present",
            input.file,
            SHIPPED_SERVICES.len()
        ),
        missing,
    ));
    for spec in SHIPPED_SERVICES {
        let Some(svc) = c.services.get(spec.name) else {
            continue;
        };
        out.push(image_check(spec, svc));
        out.push(ports_check(spec, svc));
    }
    out.push(volumes_check(c));
    out.push(retention_check(c));
    out.push(mounts_check(input));
    out.push(otlp_check(c));
    if let Some(p) = input.prometheus {
        out.push(targets_check(c, p));
        out.push(rule_files_check(c, p));
    }
    out
}

fn image_check(spec: ServiceSpec, svc: &Service) -> Check {
    let id = format!("compose.image.{}", spec.name);
    if spec.image.is_empty() {
        return Check::from_bool(
            &id,
            KIND,
            svc.build.is_some(),
            format!(
                "`{}` must be built from the repository (`build:`)",
                spec.name
            ),
        );
    }
    let Some(image) = &svc.image else {
        return Check::fail(
            id,
            KIND,
            format!(
                "`{}` has no image; expected {}:{}",
                spec.name, spec.image, spec.tag
            ),
        );
    };
    let (repo, tag) = split_image(image);
    let repo_ok = repo == spec.image || repo.ends_with(&format!("/{}", spec.image));
    let tag_ok = if spec.tag.is_empty() {
        !tag.is_empty() && tag != "latest"
    } else {
        tag == spec.tag
    };
    let want = if spec.tag.is_empty() {
        format!("{} with a pinned tag", spec.image)
    } else {
        format!("{}:{}", spec.image, spec.tag)
    };
    Check::from_bool(
        &id,
        KIND,
        repo_ok && tag_ok,
        format!("`{}` runs `{image}`; expected {want}", spec.name),
    )
}

fn ports_check(spec: ServiceSpec, svc: &Service) -> Check {
    let published: BTreeSet<(Option<u64>, Option<u64>)> =
        svc.ports.iter().map(|p| p.host_and_container()).collect();
    let missing: Vec<String> = spec
        .ports
        .iter()
        .filter(|p| !published.contains(&(Some(**p), Some(**p))))
        .map(|p| format!("`{}` does not publish {p}:{p}", spec.name))
        .collect();
    verdict(
        &format!("compose.ports.{}", spec.name),
        format!("`{}` publishes {:?}", spec.name, spec.ports),
        missing,
    )
}

fn volumes_check(c: &ComposeFile) -> Check {
    let used: BTreeSet<String> = c
        .services
        .values()
        .flat_map(|s| s.volumes.iter())
        .filter_map(|v| v.source_target().0)
        .filter(|s| !is_host_path(s))
        .collect();
    let mut problems: Vec<String> = SHIPPED_VOLUMES
        .iter()
        .filter(|v| !c.volumes.contains_key(**v))
        .map(|v| format!("named volume `{v}` is not declared"))
        .collect();
    problems.extend(
        SHIPPED_VOLUMES
            .iter()
            .filter(|v| !used.contains(**v))
            .map(|v| format!("named volume `{v}` is mounted by no service")),
    );
    problems.extend(
        used.iter()
            .filter(|v| !c.volumes.contains_key(*v))
            .map(|v| format!("volume `{v}` is used but not declared under `volumes:`")),
    );
    verdict(
        "compose.volumes",
        format!("named volumes {SHIPPED_VOLUMES:?} declared and mounted"),
        problems,
    )
}

fn args_of(svc: &Service) -> Vec<String> {
    svc.command.as_ref().map(|c| c.args()).unwrap_or_default()
}

/// The value of `--flag=v` or `--flag v` in an argument list.
pub fn flag_value(args: &[String], flag: &str) -> Option<String> {
    args.iter().enumerate().find_map(|(i, a)| {
        if let Some(v) = a.strip_prefix(flag).and_then(|r| r.strip_prefix('=')) {
            Some(v.to_string())
        } else if a == flag {
            args.get(i + 1).cloned()
        } else {
            None
        }
    })
}

fn retention_check(c: &ComposeFile) -> Check {
    let value = c
        .services
        .get("prometheus")
        .and_then(|s| flag_value(&args_of(s), "--storage.tsdb.retention.time"));
    Check::from_bool(
        "compose.retention",
        KIND,
        value.as_deref() == Some("15d"),
        format!("prometheus --storage.tsdb.retention.time is {value:?}; expected 15d"),
    )
}

fn mounts_check(input: &ComposeInput<'_>) -> Check {
    let mut problems: Vec<String> = input
        .mount_exists
        .iter()
        .filter(|(_, exists)| !**exists)
        .map(|(p, _)| format!("mounted host path `{p}` does not exist"))
        .collect();
    let mounted = host_mounts(input.compose);
    problems.extend(
        SHIPPED_CONFIG_MOUNTS
            .iter()
            .filter(|m| !mounted.contains(**m))
            .map(|m| format!("`{m}` is not mounted into any service")),
    );
    verdict(
        "compose.mounts",
        format!("{} host paths mounted, all exist", mounted.len()),
        problems,
    )
}

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

fn otlp_check(c: &ComposeFile) -> Check {
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

fn targets_check(c: &ComposeFile, p: &PrometheusConfig) -> Check {
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
fn rule_files_check(c: &ComposeFile, p: &PrometheusConfig) -> Check {
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
