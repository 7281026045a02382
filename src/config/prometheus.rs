//! Raw model of `prometheus.yml`: the parts obsgate reads (intervals, rule files, Alertmanager
//! targets, static scrape targets). Lenient: the rest of Prometheus's schema is left to promtool.

use std::collections::BTreeMap;

use serde::Deserialize;

/// The whole file.
#[derive(Debug, Deserialize)]
pub struct PrometheusConfig {
    /// Global settings.
    #[serde(default)]
    pub global: Option<Global>,
    /// Rule file globs, relative to this file.
    #[serde(default)]
    pub rule_files: Vec<String>,
    /// Where alerts are sent.
    #[serde(default)]
    pub alerting: Option<Alerting>,
    /// What is scraped.
    #[serde(default)]
    pub scrape_configs: Vec<ScrapeConfig>,
}

/// Global settings.
#[derive(Debug, Deserialize)]
pub struct Global {
    /// Default scrape interval (duration).
    #[serde(default)]
    pub scrape_interval: Option<String>,
    /// Default scrape timeout (duration).
    #[serde(default)]
    pub scrape_timeout: Option<String>,
    /// Default rule evaluation interval (duration).
    #[serde(default)]
    pub evaluation_interval: Option<String>,
    /// Labels added to every alert and series sent out.
    #[serde(default)]
    pub external_labels: BTreeMap<String, String>,
}

/// The `alerting` section.
#[derive(Debug, Deserialize)]
pub struct Alerting {
    /// Alertmanager endpoints.
    #[serde(default)]
    pub alertmanagers: Vec<AlertmanagerEndpoints>,
}

/// One Alertmanager endpoint set.
#[derive(Debug, Deserialize)]
pub struct AlertmanagerEndpoints {
    /// Static targets (`host:port`).
    #[serde(default)]
    pub static_configs: Vec<StaticConfig>,
}

/// One scrape job.
#[derive(Debug, Deserialize)]
pub struct ScrapeConfig {
    /// Job name (the `job` label).
    pub job_name: String,
    /// Scrape interval of this job (duration).
    #[serde(default)]
    pub scrape_interval: Option<String>,
    /// Scrape timeout of this job (duration).
    #[serde(default)]
    pub scrape_timeout: Option<String>,
    /// Path of the metrics endpoint.
    #[serde(default)]
    pub metrics_path: Option<String>,
    /// Static targets.
    #[serde(default)]
    pub static_configs: Vec<StaticConfig>,
    /// Target relabeling (only what adds labels is read).
    #[serde(default)]
    pub relabel_configs: Vec<RelabelConfig>,
    /// Sample relabeling (only what adds labels is read).
    #[serde(default)]
    pub metric_relabel_configs: Vec<RelabelConfig>,
}

/// One relabeling step, as far as the labels it may add.
#[derive(Debug, Deserialize)]
pub struct RelabelConfig {
    /// `replace` (the default), `labelmap`, `keep`, ...
    #[serde(default)]
    pub action: Option<String>,
    /// The label written by `replace`.
    #[serde(default)]
    pub target_label: Option<String>,
}

impl PrometheusConfig {
    /// The labels scraping adds to every series besides `job` and `instance`: static
    /// `labels:` and relabeling `target_label`s, over all jobs. `None` when they cannot be
    /// known (a `labelmap`, or a templated target label).
    pub fn target_labels(&self) -> Option<std::collections::BTreeSet<String>> {
        let mut out = std::collections::BTreeSet::new();
        for sc in &self.scrape_configs {
            out.extend(
                sc.static_configs
                    .iter()
                    .flat_map(|s| s.labels.keys().cloned()),
            );
            for r in sc.relabel_configs.iter().chain(&sc.metric_relabel_configs) {
                let action = r
                    .action
                    .as_deref()
                    .unwrap_or("replace")
                    .to_ascii_lowercase();
                match (action.as_str(), &r.target_label) {
                    ("labelmap", _) => return None,
                    (_, Some(t)) if t.contains('$') => return None,
                    ("replace" | "lowercase" | "uppercase" | "hashmod", Some(t)) => {
                        out.insert(t.clone());
                    }
                    _ => {}
                }
            }
        }
        out.retain(|l| !l.starts_with("__"));
        Some(out)
    }
}

/// Static targets with extra labels.
#[derive(Debug, Deserialize)]
pub struct StaticConfig {
    /// `host:port` targets.
    #[serde(default)]
    pub targets: Vec<String>,
    /// Labels added to the targets' series.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}
