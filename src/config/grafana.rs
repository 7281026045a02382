//! Raw model of Grafana's provisioning files: datasources and dashboard providers.

use serde::Deserialize;

/// `provisioning/datasources/*.yaml`.
#[derive(Debug, Deserialize)]
pub struct DatasourceProvisioning {
    /// Provisioning format version (1).
    #[serde(default, rename = "apiVersion")]
    pub api_version: Option<u32>,
    /// The datasources Grafana creates.
    #[serde(default)]
    pub datasources: Vec<ProvisionedDatasource>,
}

/// One provisioned datasource.
#[derive(Debug, Clone, Deserialize)]
pub struct ProvisionedDatasource {
    /// Display name (dashboards may reference it by name).
    pub name: String,
    /// Stable identifier (dashboards should reference it by uid).
    #[serde(default)]
    pub uid: Option<String>,
    /// Plugin type (`prometheus`, `loki`, ...).
    #[serde(rename = "type")]
    pub kind: String,
    /// URL Grafana's backend queries.
    #[serde(default)]
    pub url: Option<String>,
    /// Whether panels without a datasource use this one.
    #[serde(default, rename = "isDefault")]
    pub is_default: bool,
}

/// `provisioning/dashboards/*.yaml`.
#[derive(Debug, Deserialize)]
pub struct DashboardProvisioning {
    /// Provisioning format version (1).
    #[serde(default, rename = "apiVersion")]
    pub api_version: Option<u32>,
    /// Dashboard providers.
    #[serde(default)]
    pub providers: Vec<DashboardProvider>,
}

/// One dashboard provider.
#[derive(Debug, Deserialize)]
pub struct DashboardProvider {
    /// Provider name.
    pub name: String,
    /// Provider type (`file`).
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// Provider options; `path` is the folder of JSON files inside the container.
    #[serde(default)]
    pub options: Option<ProviderOptions>,
}

/// Options of a file provider.
#[derive(Debug, Deserialize)]
pub struct ProviderOptions {
    /// Folder of dashboard JSON files (container path).
    #[serde(default)]
    pub path: Option<String>,
}
