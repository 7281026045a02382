//! Payload parsing of the fake receivers (pure): who got what, from Alertmanager's Slack,
//! PagerDuty and webhook payloads, with the rendered fields ([`super::receivers_render`]) and
//! the body kept as sent.
//!
//! Alert names are parsed from Alertmanager's *default* templates, because the shipped config is
//! exercised as-is: Slack's title `[FIRING:2] <group label values> (...)`, PagerDuty's
//! `custom_details.firing` (` - alertname = X` lines) and summary, webhook `alerts[].labels`.

use serde_json::Value;

use super::receivers_render::{render_pagerduty, render_slack};
use crate::evidence::{Notification, NotificationKind, NotificationStatus};

fn words(text: &str, out: &mut Vec<String>) {
    // After the `[FIRING:N]` prefix, the default title lists group label values separated by
    // spaces, then common labels in parentheses.
    let body = text.split_once(']').map(|(_, b)| b).unwrap_or(text);
    for w in body.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':')) {
        // `Name: summary` templates put a colon after the name.
        let w = w.trim_end_matches(':');
        let ok = w.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
        if ok && !out.iter().any(|o| o == w) {
            out.push(w.to_string());
        }
    }
}

fn alertname_lines(text: &str, out: &mut Vec<String>) {
    for line in text.lines() {
        if let Some((_, v)) = line.split_once("alertname = ") {
            let name = v.trim().to_string();
            if !name.is_empty() && !out.contains(&name) {
                out.push(name);
            }
        }
    }
}

fn status_of_title(title: &str) -> NotificationStatus {
    if title
        .trim_start()
        .to_ascii_uppercase()
        .starts_with("[RESOLVED")
    {
        NotificationStatus::Resolved
    } else {
        NotificationStatus::Firing
    }
}

/// Parse a Slack incoming-webhook payload as Alertmanager's slack notifier sends it.
pub fn parse_slack(receiver: &str, v: &Value, at_unix_ms: i64) -> Notification {
    let att = v.get("attachments").and_then(|a| a.get(0));
    let pick = |k: &str| {
        att.and_then(|a| a.get(k))
            .or_else(|| v.get(k))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let title = pick("title");
    let fallback = pick("fallback");
    let text = pick("text");
    let head = if title.is_empty() { &fallback } else { &title };
    let mut alertnames = Vec::new();
    alertname_lines(&text, &mut alertnames);
    words(head, &mut alertnames);
    Notification {
        at_unix_ms,
        receiver: receiver.to_string(),
        kind: NotificationKind::Slack,
        channel: v.get("channel").and_then(Value::as_str).map(String::from),
        routing_key: None,
        event_action: None,
        dedup_key: None,
        status: status_of_title(head),
        alertnames,
        rendered: render_slack(v),
        body: v.clone(),
        headers: Default::default(),
    }
}

/// Parse a PagerDuty Events API v2 payload.
pub fn parse_pagerduty(receiver: &str, v: &Value, at_unix_ms: i64) -> Notification {
    // v2 `event_action`; v1 `event_type`.
    let action = v
        .get("event_action")
        .or_else(|| v.get("event_type"))
        .and_then(Value::as_str)
        .map(String::from);
    let payload = v.get("payload");
    let summary = payload
        .and_then(|p| p.get("summary"))
        .or_else(|| v.get("description"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let mut alertnames = Vec::new();
    if let Some(cd) = payload
        .and_then(|p| p.get("custom_details"))
        .or_else(|| v.get("details"))
    {
        for k in ["firing", "resolved"] {
            if let Some(t) = cd.get(k).and_then(Value::as_str) {
                alertname_lines(t, &mut alertnames);
            }
        }
    }
    words(summary, &mut alertnames);
    let status = if action.as_deref() == Some("resolve") {
        NotificationStatus::Resolved
    } else {
        NotificationStatus::Firing
    };
    Notification {
        at_unix_ms,
        receiver: receiver.to_string(),
        kind: NotificationKind::Pagerduty,
        channel: None,
        routing_key: v
            .get("routing_key")
            .or_else(|| v.get("service_key"))
            .and_then(Value::as_str)
            .map(String::from),
        event_action: action,
        dedup_key: v
            .get("dedup_key")
            .or_else(|| v.get("incident_key"))
            .and_then(Value::as_str)
            .map(String::from),
        status,
        alertnames,
        rendered: render_pagerduty(v),
        body: v.clone(),
        headers: Default::default(),
    }
}

/// Parse an Alertmanager webhook (version 4) payload.
pub fn parse_webhook(receiver: &str, v: &Value, at_unix_ms: i64) -> Notification {
    let mut alertnames = Vec::new();
    for a in v
        .get("alerts")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(n) = a.pointer("/labels/alertname").and_then(Value::as_str)
            && !alertnames.iter().any(|x| x == n)
        {
            alertnames.push(n.to_string());
        }
    }
    let status = if v.get("status").and_then(Value::as_str) == Some("resolved") {
        NotificationStatus::Resolved
    } else {
        NotificationStatus::Firing
    };
    Notification {
        at_unix_ms,
        receiver: receiver.to_string(),
        kind: NotificationKind::Webhook,
        channel: None,
        routing_key: None,
        event_action: None,
        dedup_key: v.get("groupKey").and_then(Value::as_str).map(String::from),
        status,
        alertnames,
        rendered: Default::default(),
        body: v.clone(),
        headers: Default::default(),
    }
}
