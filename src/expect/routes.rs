//! `expectations/routes.yaml`: where each alert must be delivered (receivers, Slack channels,
//! PagerDuty routing keys), which alerts must inhibit it, and the allowed values of the labels
//! routes match on (so a route on `severity: critial` is caught).

use std::collections::BTreeMap;

use serde::Deserialize;

/// The whole file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutesExpectations {
    /// Allowed values per label (e.g. `severity: [critical, warning]`); route matchers on these
    /// labels must be able to match one of them.
    #[serde(default)]
    pub label_values: BTreeMap<String, Vec<String>>,
    /// One entry per alert.
    #[serde(default)]
    pub alerts: Vec<AlertRouteExpectation>,
}

/// Where one alert must land.
#[derive(Debug, Clone, Deserialize)]
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
#[derive(Debug, Clone, Default, Deserialize)]
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
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InhibitorExpectation {
    /// The inhibiting alert's name (its rule labels are taken from the rule file).
    pub alert: String,
    /// Extra labels it carries (e.g. `job: pipeline` from the `up` series).
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}
