//! Compose checks: the stack's services with pinned images and versions, published ports,
//! named volumes, Prometheus's 15-day retention, every host file mounted exists, the stub's
//! OTLP endpoint names the Jaeger service, and Prometheus's scrape and Alertmanager targets
//! name compose services. Pure: the caller stats the mounted paths ([`host_mounts`]).

use std::collections::{BTreeMap, BTreeSet};

pub use crate::check::config::compose_links::url_host_port;
// The loader stats the mounts before judging, so the mount helpers live with the model.
use crate::check::config::compose_links::{otlp_check, rule_files_check, targets_check};
use crate::check::registry::CheckInfo;
use crate::config::compose::{ComposeFile, Service};
pub use crate::config::compose::{host_mounts, is_host_path};
use crate::config::prometheus::PrometheusConfig;
use crate::verdict::Check;
use crate::verdict::Kind;

pub(crate) const KIND: Kind = Kind::Compose;

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
    /// The parsed `alertmanager.yml`, when it could be read.
    pub alertmanager: Option<&'a crate::config::alertmanager::AlertmanagerConfig>,
    /// The shortest retention the stack needs, seconds, and why (the seed's 15 days, or the
    /// longest SLO window, whose budget Prometheus must hold to compute).
    pub min_retention: (f64, String),
}

/// The seed's retention: 15 days of metrics.
pub const SEED_RETENTION_S: f64 = 15.0 * 86_400.0;

pub(crate) fn verdict(id: &str, ok: String, problems: Vec<String>) -> Check {
    if problems.is_empty() {
        Check::pass(id, KIND, ok)
    } else {
        Check::fail(id, KIND, problems.join("; ")).with_all_evidence(problems)
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
    out.push(retention_check(c, &input.min_retention));
    out.push(mounts_check(input));
    out.push(otlp_check(c));
    if let Some(p) = input.prometheus {
        out.push(targets_check(c, p));
        out.push(rule_files_check(c, p));
    }
    if let Some(am) = input.alertmanager {
        out.push(super::compose_templates::templates_check(c, am));
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

pub(crate) fn args_of(svc: &Service) -> Vec<String> {
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

fn retention_check(c: &ComposeFile, (min_s, why): &(f64, String)) -> Check {
    let value = c
        .services
        .get("prometheus")
        .and_then(|s| flag_value(&args_of(s), "--storage.tsdb.retention.time"));
    let min = crate::config::duration::format_prom_duration(*min_s);
    let got = value
        .as_deref()
        .map(crate::config::duration::parse_prom_duration);
    match (value.as_deref(), got) {
        (Some(v), Some(Ok(s))) if s >= *min_s => Check::pass(
            "compose.retention",
            KIND,
            format!("prometheus keeps {v} of data, at least the {min} {why} needs"),
        ),
        (Some(v), Some(Ok(_))) => Check::fail(
            "compose.retention",
            KIND,
            format!(
                "prometheus --storage.tsdb.retention.time is {v}: shorter than the {min} {why} needs"
            ),
        ),
        (Some(v), _) => Check::fail(
            "compose.retention",
            KIND,
            format!("prometheus --storage.tsdb.retention.time `{v}` is not a duration (e.g. 35d)"),
        ),
        (None, _) => Check::fail(
            "compose.retention",
            KIND,
            format!(
                "prometheus has no --storage.tsdb.retention.time: it keeps its default of 15d, and {why} needs at least {min}"
            ),
        ),
    }
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

/// The checks this module emits (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[
    CheckInfo {
        id: "compose.services",
        kind: KIND,
        proves: "every service of the shipped stack is declared in the compose file",
        failure: "a service is missing or misnamed: see the `services:` of the compose file",
        explain: "The compose file must declare prometheus, grafana, alertmanager, jaeger, \
                  node-exporter and pipeline-stub (SHIPPED_SERVICES), with a near name suggested.\n\
                  Example failure: service `alertmanager` is missing (did you mean `alert-manager`?)",
    },
    CheckInfo {
        id: "compose.image.<service>",
        kind: KIND,
        proves: "the service runs the pinned image and version (or is built from the repo)",
        failure: "wrong image, `latest` or no tag: fix the service's `image:` (or `build:`)",
        explain: "Each shipped service runs its image at the version the stack is tested with \
                  (prom/prometheus:v2.48.0, ...); jaeger needs any pinned tag; pipeline-stub \
                  is built from the repository.\n\
                  Example failure: `grafana` runs `grafana/grafana:latest`; expected grafana/grafana:10.2.0",
    },
    CheckInfo {
        id: "compose.ports.<service>",
        kind: KIND,
        proves: "the service publishes its ports on the same host port",
        failure: "a port is not published as HOST:CONTAINER: see the service's `ports:`",
        explain: "Scripts and docs reach the stack on fixed ports (9090, 3000, 9093, 16686, \
                  4318, 9100, 8000): each must be published on the same host port.\n\
                  Example failure: `prometheus` does not publish 9090:9090",
    },
    CheckInfo {
        id: "compose.volumes",
        kind: KIND,
        proves: "the named data volumes are declared and mounted, and every used one declared",
        failure: "data would be lost on restart or compose refuses the file: see `volumes:`",
        explain: "prometheus_data, grafana_data, alertmanager_data and jaeger_data must be \
                  declared under top-level `volumes:` and mounted by a service; a named volume \
                  a service uses must be declared.\n\
                  Example failure: named volume `grafana_data` is mounted by no service",
    },
    CheckInfo {
        id: "compose.retention",
        kind: KIND,
        proves: "Prometheus keeps the seed's 15 days of data, and at least the longest SLO window",
        failure: "the retention flag is missing or too short: see the prometheus `command:`",
        explain: "The stack promises 15 days of metrics, and an SLO over N days needs N days of \
                  data to compute its budget: --storage.tsdb.retention.time must be at least the \
                  larger of the two.\n\
                  Example failure: prometheus --storage.tsdb.retention.time is 15d: shorter than \
                  the 720h the 30d window of SLO `job-success` needs",
    },
    CheckInfo {
        id: "compose.mounts",
        kind: KIND,
        proves: "every mounted host path exists and the config files are mounted",
        failure: "a bind mount points at nothing or a config file is not mounted",
        explain: "Host paths are resolved from the compose file's folder; prometheus.yml, \
                  alert-rules.yaml, alertmanager.yml and grafana/provisioning must be mounted \
                  into some service, or the container starts with its defaults.\n\
                  Example failure: mounted host path `./config/alert-rule.yaml` does not exist",
    },
];
