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
