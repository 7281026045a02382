//! Notifications as obsgate's fake receivers got them.

use serde::{Deserialize, Serialize};

/// Which notifier sent it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NotificationKind {
    Slack,
    Pagerduty,
    Webhook,
}

/// Whether the notification announces or clears alerts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NotificationStatus {
    Firing,
    Resolved,
}

/// One notification as received.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    /// Wall time of receipt, Unix milliseconds.
    pub at_unix_ms: i64,
    /// Alertmanager receiver name (from the URL path the overlay gave it).
    pub receiver: String,
    /// slack / pagerduty / webhook.
    pub kind: NotificationKind,
    /// Slack channel, as configured.
    pub channel: Option<String>,
    /// PagerDuty routing key, as configured.
    pub routing_key: Option<String>,
    /// PagerDuty `event_action` (trigger / resolve / acknowledge).
    pub event_action: Option<String>,
    /// PagerDuty `dedup_key` (Alertmanager's group key).
    pub dedup_key: Option<String>,
    /// firing / resolved.
    pub status: NotificationStatus,
    /// Alert names the payload mentions (parsed from the default templates; may hold other
    /// group label values too, e.g. `critical`).
    pub alertnames: Vec<String>,
}

impl Notification {
    /// The destination in the expectation files' notation: `slack:#critical`,
    /// `pagerduty:<routing_key>`, `webhook:<receiver>`.
    pub fn destination(&self) -> String {
        match self.kind {
            NotificationKind::Slack => format!("slack:{}", self.channel.as_deref().unwrap_or("?")),
            NotificationKind::Pagerduty => {
                format!("pagerduty:{}", self.routing_key.as_deref().unwrap_or("?"))
            }
            NotificationKind::Webhook => format!("webhook:{}", self.receiver),
        }
    }
}
