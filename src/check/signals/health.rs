//! Health of running stack components, judged from what the probes saw
//! ([`crate::observe::health`]): Prometheus (ready, targets up, rules healthy), Alertmanager
//! (ready, cluster and config status), Grafana (`database: ok`, dashboards loaded), Jaeger and
//! the stub (`/metrics` parses). Checks of kind `health` (dashboards: `dashboards`).
//!
//! The stub's `/metrics` goes through the same strict exposition parser as the metrics checks:
//! a health check that accepts what the gate would reject would be lying.

use crate::evidence::health::{
    AlertmanagerHealth, DashboardProbe, ExpositionParse, HttpOutcome, HttpProbe, PrometheusHealth,
    RuleState, TargetState,
};
use crate::verdict::{Check, Kind};

const KIND: Kind = Kind::Health;

/// A component that did not answer at all: its readiness check fails and nothing else is asked.
fn unreachable(id: &str, component: &str, error: &str) -> Vec<Check> {
    vec![Check::fail(
        id,
        KIND,
        format!("{component} unreachable: {error}"),
    )]
}

/// Prometheus: `/-/ready` answers 200, every active target is up, no rule fails to evaluate.
pub fn prometheus(h: &PrometheusHealth) -> Vec<Check> {
    let (base, ready, targets, rules) = match h {
        PrometheusHealth::Unreachable { error } => {
            return unreachable("health.prometheus.ready", "Prometheus", error);
        }
        PrometheusHealth::Reached {
            base,
            ready,
            targets,
            rules,
        } => (base, *ready, targets, rules),
    };
    let ready = if ready {
        Check::pass(
            "health.prometheus.ready",
            KIND,
            format!("{base}/-/ready answers 200"),
        )
    } else {
        Check::fail(
            "health.prometheus.ready",
            KIND,
            format!("{base}/-/ready is not 200"),
        )
    };
    vec![ready, prometheus_targets(targets), prometheus_rules(rules)]
}

fn prometheus_targets(targets: &Result<Vec<TargetState>, String>) -> Check {
    const ID: &str = "health.prometheus.targets";
    let t = match targets {
        Ok(t) if t.is_empty() => return Check::fail(ID, KIND, "no active scrape targets"),
        Ok(t) => t,
        Err(e) => return Check::error(ID, KIND, e.clone()),
    };
    let down: Vec<String> = t
        .iter()
        .filter(|t| t.health != "up")
        .map(|t| format!("{} {} {}: {}", t.job, t.scrape_url, t.health, t.last_error))
        .collect();
    if down.is_empty() {
        Check::pass(ID, KIND, format!("{} target(s) up", t.len()))
    } else {
        Check::fail(
            ID,
            KIND,
            format!("{} of {} target(s) not up", down.len(), t.len()),
        )
        .with_evidence(down)
    }
}

fn prometheus_rules(rules: &Result<Vec<RuleState>, String>) -> Check {
    const ID: &str = "health.prometheus.rules";
    let r = match rules {
        Ok(r) => r,
        Err(e) => return Check::error(ID, KIND, e.clone()),
    };
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
        Check::pass(ID, KIND, format!("{} rule(s), none failing", r.len()))
    } else {
        Check::fail(
            ID,
            KIND,
            format!("{} rule(s) failing to evaluate", bad.len()),
        )
        .with_evidence(bad)
    }
}

/// Alertmanager: `/-/ready` answers 200; the cluster is ready (or disabled) and a config loaded.
pub fn alertmanager(h: &AlertmanagerHealth) -> Vec<Check> {
    let (base, ready, status) = match h {
        AlertmanagerHealth::Unreachable { error } => {
            return unreachable("health.alertmanager.ready", "Alertmanager", error);
        }
        AlertmanagerHealth::Reached {
            base,
            ready,
            status,
        } => (base, *ready, status),
    };
    let ready = Check::from_bool(
        "health.alertmanager.ready",
        KIND,
        ready,
        format!(
            "{base}/-/ready {}",
            if ready { "answers 200" } else { "is not 200" }
        ),
    );
    let status = match status {
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
        Err(e) => Check::error("health.alertmanager.status", KIND, e.clone()),
    };
    vec![ready, status]
}

/// Grafana: `/api/health` answers 200 with `database: ok`.
pub fn grafana(p: &HttpProbe) -> Vec<Check> {
    let u = &p.url;
    vec![match &p.outcome {
        HttpOutcome::Answered { body, .. } => {
            // An unreadable or non-JSON body reads as "database ?": Grafana is not healthy.
            let v: serde_json::Value = body
                .as_deref()
                .ok()
                .and_then(|b| serde_json::from_str(b).ok())
                .unwrap_or_default();
            let field = |k: &str| v.get(k).and_then(|d| d.as_str()).unwrap_or("?").to_string();
            let db = field("database");
            Check::from_bool(
                "health.grafana",
                KIND,
                db == "ok",
                format!("{u}: database {db}, version {}", field("version")),
            )
        }
        HttpOutcome::Status(s) => Check::fail("health.grafana", KIND, format!("{u}: HTTP {s}")),
        HttpOutcome::Failed(e) => Check::fail("health.grafana", KIND, format!("{u}: {e}")),
    }]
}

/// Grafana has each dashboard loaded: its `/api/dashboards/uid/<uid>` answered 200.
pub fn grafana_dashboards(probes: &[DashboardProbe]) -> Vec<Check> {
    probes
        .iter()
        .map(|d| {
            let (uid, u) = (&d.uid, &d.probe.url);
            let id = format!("dashboards.grafana.{uid}");
            match &d.probe.outcome {
                HttpOutcome::Answered { .. } => Check::pass(
                    id,
                    Kind::Dashboards,
                    format!("Grafana has dashboard `{uid}` loaded"),
                ),
                HttpOutcome::Status(s) => Check::fail(
                    id,
                    Kind::Dashboards,
                    format!("Grafana does not serve dashboard `{uid}`: {u} answered HTTP {s}"),
                ),
                HttpOutcome::Failed(e) => Check::fail(id, Kind::Dashboards, format!("{u}: {e}")),
            }
        })
        .collect()
}

/// Jaeger query: one of the probed paths answered 200 (else the last failure is the message).
pub fn jaeger(probes: &[HttpProbe]) -> Vec<Check> {
    let mut last = String::new();
    for p in probes {
        match &p.outcome {
            HttpOutcome::Answered { .. } => {
                return vec![Check::pass(
                    "health.jaeger",
                    KIND,
                    format!("{} answers 200", p.url),
                )];
            }
            HttpOutcome::Status(s) => last = format!("{}: HTTP {s}", p.url),
            HttpOutcome::Failed(e) => last = format!("{}: {e}", p.url),
        }
    }
    vec![Check::fail("health.jaeger", KIND, last)]
}

/// The stub: `/metrics` answered 200 and parses strictly.
pub fn target(p: &HttpProbe<ExpositionParse>) -> Vec<Check> {
    const ID: &str = "health.target.metrics";
    let u = &p.url;
    vec![match &p.outcome {
        HttpOutcome::Answered {
            body: Ok(parsed), ..
        } => match parsed {
            Ok(n) => Check::pass(
                ID,
                KIND,
                format!("{u}: {n} samples, every line well-formed"),
            ),
            Err(bad) => Check::fail(ID, KIND, format!("{u}: {} malformed line(s)", bad.len()))
                .with_evidence(bad),
        },
        HttpOutcome::Answered { body: Err(e), .. } => Check::fail(ID, KIND, format!("{u}: {e}")),
        HttpOutcome::Status(s) => Check::fail(ID, KIND, format!("{u}: HTTP {s}")),
        HttpOutcome::Failed(e) => Check::fail(ID, KIND, format!("{u}: {e}")),
    }]
}

#[cfg(test)]
#[path = "health_tests.rs"]
mod tests;
