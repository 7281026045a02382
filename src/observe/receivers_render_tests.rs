//! Unit tests of the rendered fields, on Alertmanager 0.25's captured payloads and on payloads
//! of richer templates (buttons, fields, PagerDuty links, Events API v1).
use super::*;
use crate::observe::receivers_parse::{parse_pagerduty, parse_slack};

fn fixture(dir: &str, name: &str) -> Value {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/alerts")
        .join(dir)
        .join(name);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn slack_default_payload_renders_title_and_title_link() {
    let n = parse_slack("critical", &fixture("payloads", "slack-firing.json"), 1);
    assert_eq!(n.rendered.title, "[FIRING:1] RenderFailures (critical)");
    assert_eq!(n.rendered.text, "");
    assert_eq!(
        n.rendered.links,
        [MessageLink {
            text: String::new(),
            href: "http://vm:18556/#/alerts?receiver=critical".into()
        }]
    );
    assert_eq!(n.body["channel"], "#critical", "the body is kept as sent");
}

#[test]
fn slack_buttons_fields_and_pretext_are_rendered() {
    let r = render_slack(&fixture("notifications", "slack-buttons.json"));
    assert_eq!(r.title, "[FIRING:1] PipelineHighErrorRate");
    assert!(r.text.starts_with("More than 5% of pipeline jobs fail"));
    let fields: Vec<(&str, &str)> = r
        .fields
        .iter()
        .map(|f| (f.title.as_str(), f.value.as_str()))
        .collect();
    assert_eq!(
        fields,
        [("pretext", "video-pipeline"), ("severity", "critical")]
    );
    let texts: Vec<&str> = r.links.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(texts, ["", "Runbook", "Dashboard"]);
    assert!(
        r.links[1]
            .href
            .ends_with("docs/runbooks/PipelineHighErrorRate.md")
    );
}

#[test]
fn slack_without_attachments_falls_back_to_the_top_level_text() {
    let v = serde_json::json!({"channel": "#x", "text": "plain message"});
    let r = render_slack(&v);
    assert_eq!((r.title.as_str(), r.text.as_str()), ("", "plain message"));
}

#[test]
fn pagerduty_v2_summary_severity_source_links_and_details() {
    let n = parse_pagerduty(
        "critical",
        &fixture("payloads", "pagerduty-trigger.json"),
        1,
    );
    let r = &n.rendered;
    assert_eq!(r.title, "[FIRING:1] RenderFailures (critical)");
    assert_eq!(r.severity.as_deref(), Some("error"));
    assert_eq!(r.source.as_deref(), Some("Alertmanager"));
    assert!(
        r.custom_details
            .as_ref()
            .is_some_and(|d| d["num_firing"] == "1"),
        "{r:?}"
    );
    assert_eq!(r.links.len(), 1, "client_url is a link: {r:?}");
    let l = render_pagerduty(&fixture("notifications", "pagerduty-links.json"));
    let hrefs: Vec<&str> = l.links.iter().map(|l| l.href.as_str()).collect();
    assert_eq!(hrefs.len(), 3, "{hrefs:?}");
    assert!(hrefs[0].ends_with("PipelineHighErrorRate.md"));
    assert_eq!(l.links[0].text, "Runbook");
}

#[test]
fn pagerduty_v1_description_details_and_status() {
    let n = parse_pagerduty("legacy", &fixture("notifications", "pagerduty-v1.json"), 1);
    assert_eq!(n.rendered.title, "[FIRING:1] RenderFailures");
    assert_eq!(n.routing_key.as_deref(), Some("legacy-service-key"));
    assert_eq!(n.event_action.as_deref(), Some("trigger"));
    assert!(n.rendered.custom_details.is_some());
    assert_eq!(
        n.alertnames.first().map(String::as_str),
        Some("RenderFailures")
    );
}

#[test]
fn headers_lose_every_name_that_can_carry_a_secret() {
    let mut h = axum::http::HeaderMap::new();
    for (k, v) in [
        ("Content-Type", "application/json"),
        ("User-Agent", "Alertmanager/0.25.0"),
        ("Authorization", "Bearer SEKRET"),
        ("Cookie", "s=SEKRET"),
        ("Proxy-Authorization", "Basic SEKRET"),
        ("X-Api-Key", "SEKRET"),
        ("X-Auth-Token", "SEKRET"),
        ("X-Client-Secret", "SEKRET"),
    ] {
        h.append(
            axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap_or_else(|e| panic!("{e}")),
            axum::http::HeaderValue::from_static(v),
        );
    }
    let kept = kept_headers(&h);
    assert_eq!(
        kept.keys().map(String::as_str).collect::<Vec<_>>(),
        ["content-type", "user-agent"]
    );
    assert!(!format!("{kept:?}").contains("SEKRET"));
}
