//! What the on-call person reads, taken from a payload as sent (pure): Slack's first
//! attachment (title, text, pretext, fields, `title_link` and button actions), PagerDuty
//! Events v2 (`payload.summary`, `severity`, `source`, `links[]`, `client_url`,
//! `custom_details`) and v1 (`description`, `details`, `client_url`); and the request headers
//! without any that can carry a secret.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::evidence::{MessageField, MessageLink, Rendered};

fn text_of(v: Option<&Value>) -> String {
    v.and_then(Value::as_str).unwrap_or("").to_string()
}

fn opt_text(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str).map(String::from)
}

/// A link with a non-empty target.
fn link(text: String, href: String) -> Option<MessageLink> {
    (!href.is_empty()).then_some(MessageLink { text, href })
}

/// Slack: the first attachment's fields; without attachments, the top-level `text`.
pub fn render_slack(v: &Value) -> Rendered {
    let Some(att) = v.get("attachments").and_then(|a| a.get(0)) else {
        return Rendered {
            text: text_of(v.get("text")),
            ..Rendered::default()
        };
    };
    let mut fields = Vec::new();
    let pretext = text_of(att.get("pretext"));
    if !pretext.is_empty() {
        fields.push(MessageField {
            title: "pretext".into(),
            value: pretext,
        });
    }
    for f in att
        .get("fields")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        fields.push(MessageField {
            title: text_of(f.get("title")),
            value: text_of(f.get("value")),
        });
    }
    let mut links: Vec<MessageLink> = link(String::new(), text_of(att.get("title_link")))
        .into_iter()
        .collect();
    for a in att
        .get("actions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let kind = a.get("type").and_then(Value::as_str).unwrap_or("button");
        if kind == "button" {
            links.extend(link(text_of(a.get("text")), text_of(a.get("url"))));
        }
    }
    Rendered {
        title: text_of(att.get("title")),
        text: text_of(att.get("text")),
        fields,
        links,
        ..Rendered::default()
    }
}

/// PagerDuty Events API v2 (`payload`), else v1 (`description`, `details`).
pub fn render_pagerduty(v: &Value) -> Rendered {
    let mut links: Vec<MessageLink> = v
        .get("links")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|l| link(text_of(l.get("text")), text_of(l.get("href"))))
        .collect();
    links.extend(link(text_of(v.get("client")), text_of(v.get("client_url"))));
    match v.get("payload") {
        Some(p) => Rendered {
            title: text_of(p.get("summary")),
            links,
            severity: opt_text(p.get("severity")),
            source: opt_text(p.get("source")),
            custom_details: p.get("custom_details").cloned(),
            ..Rendered::default()
        },
        None => Rendered {
            title: text_of(v.get("description")),
            links,
            custom_details: v.get("details").cloned(),
            ..Rendered::default()
        },
    }
}

/// Whether a header may carry a secret: credentials, cookies, and any name with `token`,
/// `key`, `secret` or `auth` in it.
pub fn secret_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    matches!(
        n.as_str(),
        "authorization" | "cookie" | "set-cookie" | "proxy-authorization"
    ) || ["token", "key", "secret", "auth"]
        .iter()
        .any(|w| n.contains(w))
}

/// The request headers worth keeping: lowercase names, secrets left out, values that are not
/// text left out, repeated headers joined with `, `.
pub fn kept_headers(h: &axum::http::HeaderMap) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in h {
        let n = name.as_str().to_ascii_lowercase();
        let Ok(v) = value.to_str() else { continue };
        if secret_header(&n) {
            continue;
        }
        out.entry(n)
            .and_modify(|e| {
                e.push_str(", ");
                e.push_str(v);
            })
            .or_insert_with(|| v.to_string());
    }
    out
}

#[cfg(test)]
#[path = "receivers_render_tests.rs"]
mod tests;
