//! Overlay configs for the managed stack, generated from the shipped `config/` files (pure: text
//! in, text out). Scrape targets point at the stub, the Alertmanager target at the managed
//! Alertmanager, rule files at copies in the run dir; every notifier URL points at obsgate's fake
//! receivers (channel and routing key are kept, so routing stays provable). Every change that
//! alters behaviour is returned as a deviation sentence for the report.
//!
//! The overlays are written as JSON, which Prometheus's and Alertmanager's YAML loaders accept.
//! What the overlays decide on is read through the typed models in [`crate::config`]; the text
//! they write is an edited generic copy of the shipped file, so that keys those models do not
//! know survive into the managed stack.

use serde_json::{Map, Value};

use super::clock::{Timers, compress_alertmanager, compress_prometheus};
use crate::config::alertmanager::AlertmanagerConfig;
use crate::config::duration::{format_prom_duration, parse_prom_duration};
use crate::config::prometheus::{Global, PrometheusConfig, ScrapeConfig};
use crate::config::secrets::{SECRET, redact_url};

/// Where the managed stack's parts listen.
#[derive(Debug, Clone)]
pub struct PromOverlayInput {
    /// `host:port` of the stub (the system under test).
    pub stub_target: String,
    /// `host:port` of the managed Prometheus itself (for a self-scrape job).
    pub prometheus_target: String,
    /// `host:port` of the managed Alertmanager.
    pub alertmanager_target: String,
    /// Scrape and evaluation interval override, seconds (None keeps the shipped values).
    pub interval_override_s: Option<f64>,
    /// File names (in the run dir) of the rule files to load.
    pub rule_files: Vec<String>,
}

/// A generated Prometheus overlay.
#[derive(Debug, Clone)]
pub struct PromOverlay {
    /// The config text (JSON).
    pub text: String,
    /// Rule file entries of the shipped config, as written there.
    pub shipped_rule_files: Vec<String>,
    /// Every change from the shipped config that alters behaviour.
    pub deviations: Vec<String>,
}

/// Parse a YAML config into a generic value, with the file name in the error.
pub fn parse_yaml(text: &str, name: &str) -> Result<Value, String> {
    serde_saphyr::from_str::<Value>(text).map_err(|e| format!("{name}: {e}"))
}

/// What a scrape job becomes in the managed stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum JobRole {
    SelfScrape,
    Alertmanager,
    NodeExporter,
    Stub,
}

/// Guess a job's role from its name, targets and labels (the shipped config names the compose
/// services, which do not exist beside the managed stack).
fn job_role(job: &ScrapeConfig) -> JobRole {
    let name = job.job_name.to_ascii_lowercase();
    let targets = job
        .static_configs
        .iter()
        .flat_map(|sc| {
            sc.targets
                .iter()
                .chain(sc.labels.iter().flat_map(|(k, v)| [k, v]))
        })
        .map(|t| t.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join(" ");
    let says = |w: &str| name.contains(w) || targets.contains(w);
    if says("node-exporter") || says("node_exporter") || says(":9100") || name == "node" {
        JobRole::NodeExporter
    } else if says("alertmanager") || says(":9093") {
        JobRole::Alertmanager
    } else if name == "prometheus" || says(":9090") {
        JobRole::SelfScrape
    } else {
        JobRole::Stub
    }
}

/// Generate the managed Prometheus config from the shipped one.
///
/// The shipped file is read twice: through the typed model for every value the overlay decides
/// on (intervals, rule files, alerting, jobs), and as a generic value that is edited and written
/// back, because the overlay must keep every key of the user's config, including the many the
/// model does not know.
///
/// `timers` compresses every interval by the run's time scale (identity at K = 1).
pub fn prometheus_overlay(
    shipped: &str,
    name: &str,
    input: &PromOverlayInput,
    timers: &mut Timers,
) -> Result<PromOverlay, String> {
    let mut cfg = parse_yaml(shipped, name)?;
    let root = cfg
        .as_object_mut()
        .ok_or_else(|| format!("{name}: top level is not a mapping"))?;
    let typed: PrometheusConfig =
        crate::config::parse_yaml(name, shipped).map_err(|e| e.to_string())?;
    let mut deviations = Vec::new();
    if let Some(iv) = input.interval_override_s {
        override_intervals(root, typed.global.as_ref(), iv, &mut deviations);
    }
    root.insert(
        "rule_files".to_string(),
        Value::Array(
            input
                .rule_files
                .iter()
                .cloned()
                .map(Value::String)
                .collect(),
        ),
    );
    let am = serde_json::json!({"alertmanagers": [{"static_configs": [{"targets": [input.alertmanager_target]}]}]});
    if typed.alerting.is_none() {
        deviations.push(format!(
            "alerting: the shipped config has no Alertmanager; alerts go to the managed one at {}",
            input.alertmanager_target
        ));
    }
    root.insert("alerting".to_string(), am);
    let jobs = match root.remove("scrape_configs") {
        Some(Value::Array(a)) => a,
        _ => Vec::new(),
    };
    let jobs = retarget_jobs(jobs, &typed.scrape_configs, input, &mut deviations);
    root.insert("scrape_configs".to_string(), Value::Array(jobs));
    deviations.extend(compress_prometheus(root, timers).map_err(|e| format!("{name}: {e}"))?);
    let text = serde_json::to_string_pretty(&cfg).map_err(|e| format!("{name}: {e}"))?;
    Ok(PromOverlay {
        text,
        shipped_rule_files: typed.rule_files,
        deviations,
    })
}

/// Set the global scrape and evaluation interval to the rehearsal's, and shorten a scrape
/// timeout that would exceed it (Prometheus rejects a timeout longer than the interval).
fn override_intervals(
    root: &mut Map<String, Value>,
    shipped: Option<&Global>,
    iv: f64,
    deviations: &mut Vec<String>,
) {
    let global = root
        .entry("global")
        .or_insert_with(|| Value::Object(Map::new()));
    let Some(g) = global.as_object_mut() else {
        return;
    };
    let new = format_prom_duration(iv);
    for (key, old) in [
        (
            "scrape_interval",
            shipped.and_then(|g| g.scrape_interval.as_deref()),
        ),
        (
            "evaluation_interval",
            shipped.and_then(|g| g.evaluation_interval.as_deref()),
        ),
    ] {
        let old = old.unwrap_or("1m (default)");
        if old != new {
            deviations.push(format!(
                "prometheus {key}: {old} → {new} (rehearsal override)"
            ));
        }
        g.insert(key.to_string(), Value::String(new.clone()));
    }
    if let Some(old) = shipped.and_then(|g| g.scrape_timeout.as_deref())
        && parse_prom_duration(old).is_ok_and(|t| t > iv)
    {
        deviations.push(format!(
            "prometheus scrape_timeout: {old} → {new} (rehearsal override)"
        ));
        g.insert("scrape_timeout".to_string(), Value::String(new));
    }
}

/// Point every scrape job at its managed counterpart and drop the node exporter's. `jobs` (the
/// generic values, written back) and `typed` (their model, read) are the same list in order.
fn retarget_jobs(
    jobs: Vec<Value>,
    typed: &[ScrapeConfig],
    input: &PromOverlayInput,
    deviations: &mut Vec<String>,
) -> Vec<Value> {
    let mut out = Vec::new();
    for (mut job, t) in jobs.into_iter().zip(typed) {
        let target = match job_role(t) {
            JobRole::NodeExporter => {
                deviations.push(format!(
                    "scrape job `{}` dropped: no node exporter runs beside the managed stack",
                    t.job_name
                ));
                continue;
            }
            JobRole::SelfScrape => &input.prometheus_target,
            JobRole::Alertmanager => &input.alertmanager_target,
            JobRole::Stub => &input.stub_target,
        };
        if let Some(obj) = job.as_object_mut() {
            let override_on = input.interval_override_s.is_some();
            retarget_job(obj, t, target, override_on, deviations);
        }
        out.push(job);
    }
    out
}

/// One job: its static targets become `target` (its first target group's labels are kept), its
/// service discovery goes, and under an interval override its own interval and timeout go.
fn retarget_job(
    obj: &mut Map<String, Value>,
    t: &ScrapeConfig,
    target: &str,
    interval_override: bool,
    deviations: &mut Vec<String>,
) {
    let job_name = &t.job_name;
    // Quoted as written, for the deviation sentence.
    let old = serde_json::to_string(obj.get("static_configs").unwrap_or(&Value::Null))
        .unwrap_or_default();
    let labels = obj
        .get("static_configs")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .and_then(|c| c.get("labels"))
        .cloned();
    let mut sc = Map::new();
    sc.insert("targets".to_string(), serde_json::json!([target]));
    if let Some(l) = labels {
        sc.insert("labels".to_string(), l);
    }
    obj.insert(
        "static_configs".to_string(),
        Value::Array(vec![Value::Object(sc)]),
    );
    for sd in ["dns_sd_configs", "file_sd_configs", "kubernetes_sd_configs"] {
        obj.remove(sd);
    }
    if interval_override {
        for (key, v) in [
            ("scrape_interval", &t.scrape_interval),
            ("scrape_timeout", &t.scrape_timeout),
        ] {
            if let Some(v) = v {
                obj.remove(key);
                deviations.push(format!(
                    "scrape job `{job_name}`: {key} {} removed (rehearsal override)",
                    Value::String(v.clone())
                ));
            }
        }
    }
    deviations.push(format!(
        "scrape job `{job_name}`: targets {old} → [\"{target}\"]"
    ));
}

/// Percent-encode a receiver name for a URL path segment.
pub fn path_segment(name: &str) -> String {
    let mut out = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Notifier kinds obsgate's fake receivers stand in for, with the URL field each one uses.
const FAKED: [(&str, &str, &str); 3] = [
    ("slack_configs", "api_url", "slack"),
    ("pagerduty_configs", "url", "pagerduty"),
    ("webhook_configs", "url", "webhook"),
];

/// Generate the managed Alertmanager config: every Slack / PagerDuty / webhook URL → the fake
/// receivers at `receivers_base` (e.g. `http://127.0.0.1:4321`). Returns the text and deviations.
///
/// Receiver names come from the typed model; the receivers are rewritten on the generic value,
/// which keeps every integration field (titles, templates, HTTP settings) the model skips.
///
/// `timers` compresses `resolve_timeout` and the route timers by the run's time scale. `name`
/// is the user's file path: relative `templates` globs are resolved against its folder.
pub fn alertmanager_overlay(
    shipped: &str,
    name: &str,
    receivers_base: &str,
    timers: &mut Timers,
) -> Result<(String, Vec<String>), String> {
    let mut cfg = parse_yaml(shipped, name)?;
    let root = cfg
        .as_object_mut()
        .ok_or_else(|| format!("{name}: top level is not a mapping"))?;
    let typed: AlertmanagerConfig =
        crate::config::parse_yaml(name, shipped).map_err(|e| e.to_string())?;
    let mut deviations = Vec::new();
    if let Some(g) = root.get_mut("global").and_then(Value::as_object_mut) {
        for key in ["slack_api_url", "slack_api_url_file", "pagerduty_url"] {
            if g.remove(key).is_some() {
                deviations.push(format!(
                    "alertmanager global.{key} replaced by obsgate's fake receivers"
                ));
            }
        }
    }
    let receivers = root
        .get_mut("receivers")
        .and_then(Value::as_array_mut)
        .ok_or_else(|| format!("{name}: no `receivers` list"))?;
    for (r, t) in receivers.iter_mut().zip(&typed.receivers) {
        if let Some(obj) = r.as_object_mut() {
            fake_receiver(obj, &t.name.value, receivers_base, &mut deviations);
        }
    }
    let dir = std::path::Path::new(name)
        .parent()
        .unwrap_or(std::path::Path::new(""));
    deviations.extend(super::overlay_templates::absolute_templates(root, dir));
    deviations.extend(compress_alertmanager(root, timers, name)?);
    let text = serde_json::to_string_pretty(&cfg).map_err(|e| format!("{name}: {e}"))?;
    Ok((text, deviations))
}

/// One receiver: each integration obsgate fakes points at its fake; the others are removed (a
/// notification there could not be observed).
fn fake_receiver(
    obj: &mut Map<String, Value>,
    rname: &str,
    receivers_base: &str,
    deviations: &mut Vec<String>,
) {
    let keys: Vec<String> = obj.keys().cloned().collect();
    for key in keys {
        if key == "name" {
            continue;
        }
        let Some((_, url_field, kind)) = FAKED.iter().find(|(k, _, _)| *k == key) else {
            obj.remove(&key);
            deviations.push(format!(
                "receiver `{rname}`: {key} removed (obsgate has no fake for it; not observed)"
            ));
            continue;
        };
        let url = format!("{receivers_base}/{kind}/{}", path_segment(rname));
        if let Some(list) = obj.get_mut(&key).and_then(Value::as_array_mut) {
            for nc in list.iter_mut().filter_map(Value::as_object_mut) {
                // A Slack webhook URL is itself the secret; other URLs lose their user info
                // and query.
                let old = match nc.remove(*url_field) {
                    None => "(global default)".to_string(),
                    Some(_) if *url_field == "api_url" => SECRET.to_string(),
                    Some(v) => redact_url(v.as_str().unwrap_or_default()),
                };
                nc.remove(&format!("{url_field}_file"));
                nc.insert(url_field.to_string(), Value::String(url.clone()));
                deviations.push(format!(
                    "receiver `{rname}`: {key} {url_field} {old} → {url}"
                ));
            }
        }
    }
}

#[cfg(test)]
#[path = "overlay_tests.rs"]
mod tests;
