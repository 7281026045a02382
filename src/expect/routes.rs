//! `expectations/routes.yaml`: where each alert must be delivered (receivers, Slack channels,
//! PagerDuty routing keys), which alerts must inhibit it, and the allowed values of the labels
//! routes match on (so a route on `severity: critial` is caught), and batch routing cases
//! (`cases:`, see [`route_cases`](crate::expect::route_cases)). Schema:
//! `schemas/routes.schema.json`.

use std::collections::BTreeMap;
use std::path::Path;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::config::{ConfigError, parse_yaml, read_text};
use crate::expect::route_cases::{RouteCase, validate};

/// The whole file.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoutesExpectations {
    /// Allowed values per label (e.g. `severity: [critical, warning]`); route matchers on these
    /// labels must be able to match one of them.
    #[serde(default)]
    pub label_values: BTreeMap<String, Vec<String>>,
    /// One entry per alert.
    #[serde(default)]
    pub alerts: Vec<AlertRouteExpectation>,
    /// Batch routing cases: a full label set and exactly the receivers it notifies, optionally
    /// at an instant and with the alerts that must (not) inhibit it.
    #[serde(default)]
    pub cases: Vec<RouteCase>,
}

/// Where one alert must land.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AlertRouteExpectation {
    /// Alert name (`alertname` label).
    pub alert: String,
    /// Extra labels of the alert as Prometheus sends it (series labels such as `job`); the
    /// rule's own labels are taken from the rule file and these override them.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Exactly the receivers it must reach, by name, with what each must deliver to.
    pub receivers: BTreeMap<String, ReceiverExpectation>,
    /// Alerts whose firing must inhibit this one.
    #[serde(default)]
    pub inhibited_by: Vec<InhibitorExpectation>,
}

/// What one receiver must deliver to.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiverExpectation {
    /// Exactly these Slack channels (`#critical`); empty: no Slack integration.
    #[serde(default)]
    pub slack_channels: Vec<String>,
    /// Exactly these PagerDuty routing keys; empty: no PagerDuty integration.
    #[serde(default)]
    pub pagerduty_routing_keys: Vec<String>,
}

/// An alert that must inhibit the expectation's alert.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InhibitorExpectation {
    /// The inhibiting alert's name (its rule labels are taken from the rule file).
    pub alert: String,
    /// Extra labels it carries (e.g. `job: pipeline` from the `up` series).
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

/// Parse a routes expectations file: its shape (the first error stops there), then every bad
/// value of its cases at once, one `file:line:column: message` per line.
pub fn parse(file: &str, text: &str) -> Result<RoutesExpectations, ConfigError> {
    let exp: RoutesExpectations = parse_yaml(file, text)?;
    let mut errs = validate(file, &exp.cases).into_iter();
    let Some(mut first) = errs.next() else {
        return Ok(exp);
    };
    for e in errs {
        first.message.push('\n');
        first.message.push_str(&e.to_string());
    }
    Err(first)
}

/// Read and [`parse`] a routes expectations file.
pub fn load(path: &Path) -> Result<RoutesExpectations, ConfigError> {
    let text = read_text(path)?;
    parse(&path.display().to_string(), &text)
}

/// The JSON Schema of the routes expectations, as shipped in `schemas/routes.schema.json`.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(RoutesExpectations);
    let mut s = serde_json::to_string_pretty(&schema).unwrap_or_default();
    s.push('\n');
    s
}
