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

/// Whether `c` ends a URL or path token in free text.
fn token_end(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '<' | '>' | '|' | '(' | ')' | '[' | ']' | '"' | '\'' | '`'
        )
}

/// URLs (`http://`, `https://`) and repository paths (`docs/runbooks/X.md`: a `/` and a file
/// extension) written in free text.
pub fn link_tokens(text: &str) -> impl Iterator<Item = &str> {
    text.split(token_end)
        .map(|t| t.trim_end_matches(['.', ',', ';', ':']))
        .filter(|t| {
            t.starts_with("http://")
                || t.starts_with("https://")
                || (!t.contains("://")
                    && t.contains('/')
                    && t.rsplit('/').next().is_some_and(|f| f.contains('.')))
        })
}

/// Every string of a JSON value (nested objects and arrays included).
pub fn json_strings<'a>(v: &'a Value, out: &mut Vec<(String, &'a str)>, path: &str) {
    match v {
        Value::String(s) => out.push((path.to_string(), s)),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, x)| json_strings(x, out, &format!("{path}[{i}]"))),
        Value::Object(m) => m
            .iter()
            .for_each(|(k, x)| json_strings(x, out, &format!("{path}.{k}"))),
        _ => {}
    }
}

impl Notification {
    /// Every rendered text with its field name: `title`, `text`, `fields.<title>`,
    /// `links[i].text`, `links[i].href`, `severity`, `source`, `custom_details.<key>`.
    pub fn rendered_texts(&self) -> Vec<(String, &str)> {
        let r = &self.rendered;
        let mut out = vec![("title".to_string(), r.title.as_str())];
        out.push(("text".to_string(), r.text.as_str()));
        for (i, f) in r.fields.iter().enumerate() {
            out.push((format!("fields[{i}].title"), f.title.as_str()));
            out.push((format!("fields.{}", f.title), f.value.as_str()));
        }
        for (i, l) in r.links.iter().enumerate() {
            out.push((format!("links[{i}].text"), l.text.as_str()));
            out.push((format!("links[{i}].href"), l.href.as_str()));
        }
        if let Some(s) = &r.severity {
            out.push(("severity".to_string(), s));
        }
        if let Some(s) = &r.source {
            out.push(("source".to_string(), s));
        }
        if let Some(d) = &r.custom_details {
            json_strings(d, &mut out, "custom_details");
        }
        out.retain(|(_, t)| !t.is_empty());
        out
    }

    /// Every link target the message offers a reader: its links' targets, then the URLs and
    /// repository paths written in its text, fields and details.
    pub fn link_targets(&self) -> Vec<String> {
        let mut out: Vec<String> = self.rendered.links.iter().map(|l| l.href.clone()).collect();
        for (field, t) in self.rendered_texts() {
            if field.starts_with("links[") {
                continue;
            }
            for tok in link_tokens(t) {
                if !out.iter().any(|o| o == tok) {
                    out.push(tok.to_string());
                }
            }
        }
        out
    }

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
