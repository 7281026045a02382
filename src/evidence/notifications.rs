//! Notifications as obsgate's fake receivers got them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Which notifier sent it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum NotificationKind {
    Slack,
    Pagerduty,
    Webhook,
}

/// Whether the notification announces or clears alerts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum NotificationStatus {
    Firing,
    Resolved,
}

/// A link a message carries: a Slack action button or `title_link`, a PagerDuty `links[]` entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MessageLink {
    /// The text shown (a button's `text`, a PagerDuty link's `text`; empty when none).
    pub text: String,
    /// The target, as rendered.
    pub href: String,
}

/// A Slack attachment field (`fields[]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MessageField {
    /// The field's `title`.
    pub title: String,
    /// The field's `value`.
    pub value: String,
}

/// What the on-call person reads: the fields Alertmanager rendered into the payload, taken
/// from the body without interpretation (empty strings where the payload has none).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Rendered {
    /// Slack: the first attachment's `title` (else the top-level `text`'s first line is not
    /// guessed: empty). PagerDuty v2: `payload.summary`; v1: `description`. Webhook: empty.
    pub title: String,
    /// Slack: the first attachment's `text` (`pretext` is in `fields` under `pretext` when
    /// set). PagerDuty: empty (its details are in `custom_details`). Webhook: empty.
    pub text: String,
    /// Slack: attachment `fields[]`; PagerDuty: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<MessageField>,
    /// Slack: `title_link` and action buttons; PagerDuty: `links[]` (and `client_url`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<MessageLink>,
    /// PagerDuty `payload.severity`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    /// PagerDuty `payload.source`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// PagerDuty `payload.custom_details` (v1: `details`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_details: Option<Value>,
}

/// One notification as received.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Notification {
    /// Wall time of receipt, Unix milliseconds.
    pub at_unix_ms: i64,
    /// Alertmanager receiver name (from the URL path the overlay gave it).
    pub receiver: String,
    /// slack / pagerduty / webhook.
    pub kind: NotificationKind,
    /// Slack channel, as configured.
    pub channel: Option<String>,
    /// PagerDuty routing key, as configured (in a report: the key only when the
    /// expectations name it, else its fingerprint).
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
    /// The rendered fields, extracted from `body`.
    #[serde(default)]
    pub rendered: Rendered,
    /// The body exactly as Alertmanager sent it (in a report, the routing key is replaced as
    /// `routing_key` is).
    #[serde(default)]
    pub body: Value,
    /// The request headers, lowercase names, without any that can carry a secret
    /// (`authorization`, cookies, API keys).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
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
