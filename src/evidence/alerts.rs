//! Alerts: the state changes the watcher saw, and the timing the alert checks derive from them.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::Notification;

/// A state an alert instance entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertState {
    Pending,
    Firing,
    Resolved,
    Inhibited,
    Uninhibited,
}

/// One state change of one alert instance (alertname + labels).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertStateChange {
    /// Wall time, Unix milliseconds.
    pub at_unix_ms: i64,
    /// The `alertname` label.
    pub alertname: String,
    /// Every label of the instance.
    pub labels: BTreeMap<String, String>,
    /// The state entered.
    pub state: AlertState,
}

/// Everything observed about alerts during a run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AlertObservations {
    /// State changes in time order.
    pub changes: Vec<AlertStateChange>,
    /// Receiver names Alertmanager routed each alert to (`/api/v2/alerts` `receivers`).
    pub am_receivers: BTreeMap<String, BTreeSet<String>>,
    /// Labels of each alert's first instance seen.
    pub labels: BTreeMap<String, BTreeMap<String, String>>,
    /// Annotations of each alert's first instance seen.
    pub annotations: BTreeMap<String, BTreeMap<String, String>>,
    /// Notifications the fake receivers got (empty for an external stack).
    pub notifications: Vec<Notification>,
    /// Poll errors (bounded).
    pub poll_errors: Vec<String>,
    /// True when a bound dropped changes.
    pub truncated: bool,
    /// Notifications the fake receivers dropped (beyond their bound) or could not read
    /// (oversized, not JSON), described; each makes the alert checks errors.
    #[serde(default)]
    pub receivers_lost: Vec<String>,
    /// The notifications' link targets that are repository paths (not URLs), each with
    /// whether that file exists under the stack's repository root (gathered by the run, so
    /// the notification checks need no I/O).
    #[serde(default)]
    pub link_files: BTreeMap<String, bool>,
    /// When the observation ended, Unix ms (None when unknown).
    #[serde(default)]
    pub until_unix_ms: Option<i64>,
    /// Wall time the watcher started (the stack was ready), Unix ms.
    #[serde(default)]
    pub watched_from_unix_ms: Option<i64>,
    /// Wall time the watcher stopped (the end of the observation), Unix ms.
    #[serde(default)]
    pub watched_until_unix_ms: Option<i64>,
}

/// Timing of one alert in a run (seconds from the fault's phase start / end, on the clock the
/// report's `clock.alert_clock` names: scenario seconds for a managed stack, else wall seconds).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AlertTiming {
    pub alert: String,
    /// Whether it fired at all.
    pub fired: bool,
    /// Receivers that got a notification (`slack:#critical`, `pagerduty:<routing_key>`, or receiver names).
    pub receivers: Vec<String>,
    pub pending_after_s: Option<f64>,
    pub firing_after_s: Option<f64>,
    pub notified_after_s: Option<f64>,
    pub resolved_after_s: Option<f64>,
    /// Theoretical lower bound: scrape + evaluation interval + `for` + `group_wait`.
    pub bound_s: Option<f64>,
    /// Every state change, in order: (`pending`/`firing`/`notified`/`resolved`, seconds since run start).
    #[serde(default)]
    pub events: Vec<AlertEvent>,
    /// Every notification that mentions the alert, firing and resolved, as sent (receivers
    /// fake ones only: empty for an external stack), in arrival order.
    #[serde(default)]
    pub notifications: Vec<Notification>,
}

/// One alert state change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AlertEvent {
    /// `pending`, `firing`, `notified`, `resolved`, `inhibited`.
    pub state: String,
    /// Seconds since the run start, on the alerts' clock (see [`AlertTiming`]).
    pub at_s: f64,
    /// Receiver, for `notified`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receiver: Option<String>,
}

/// One scenario phase on the wall clock.
#[derive(Debug, Clone, PartialEq)]
pub struct PhaseWindow {
    /// Phase name.
    pub name: String,
    /// Wall start, Unix milliseconds.
    pub start_unix_ms: i64,
    /// Wall end, Unix milliseconds.
    pub end_unix_ms: i64,
}

/// Where routing evidence comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoutingEvidence {
    /// obsgate's fake receivers (managed stack): names, Slack channels, PagerDuty routing keys.
    Notifications,
    /// Alertmanager's `/api/v2/alerts` `receivers` (external stack): names only.
    AlertmanagerApi,
}
