//! Unit tests of the payload parsing (Alertmanager's real payload shapes) and the server.
use super::*;
use crate::evidence::{NotificationKind, NotificationStatus};

fn fixture(name: &str) -> Value {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/alerts/payloads")
        .join(name);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn slack_default_title_gives_alertname_channel_and_status() {
    let n = parse_slack("critical", &fixture("slack-firing.json"), 1);
    assert_eq!(n.channel.as_deref(), Some("#critical"));
    assert_eq!(n.status, NotificationStatus::Firing);
    assert!(
        n.alertnames.contains(&"RenderFailures".to_string()),
        "{:?}",
        n.alertnames
    );
    assert!(
        !n.alertnames.iter().any(|a| a == "FIRING"),
        "{:?}",
        n.alertnames
    );
    assert_eq!(n.destination(), "slack:#critical");
    let r = parse_slack("critical", &fixture("slack-resolved.json"), 2);
    assert_eq!(r.status, NotificationStatus::Resolved);
    assert!(r.alertnames.contains(&"RenderFailures".to_string()));
}

#[test]
fn pagerduty_v2_custom_details_list_every_alert() {
    let n = parse_pagerduty("critical", &fixture("pagerduty-trigger.json"), 1);
    assert_eq!(n.routing_key.as_deref(), Some("pd-critical-routing-key"));
    assert_eq!(n.event_action.as_deref(), Some("trigger"));
    assert_eq!(n.status, NotificationStatus::Firing);
    assert!(n.dedup_key.is_some());
    assert_eq!(
        n.alertnames.first().map(String::as_str),
        Some("RenderFailures")
    );
    assert_eq!(n.destination(), "pagerduty:pd-critical-routing-key");
    let r = parse_pagerduty("critical", &fixture("pagerduty-resolve.json"), 2);
    assert_eq!(r.status, NotificationStatus::Resolved);
    assert!(r.alertnames.contains(&"RenderFailures".to_string()));
}

#[test]
fn webhook_v4_labels() {
    let n = parse_webhook("hook", &fixture("webhook-firing.json"), 1);
    assert_eq!(n.alertnames, ["RenderFailures"]);
    assert_eq!(n.status, NotificationStatus::Firing);
    assert_eq!(n.destination(), "webhook:hook");
    let r = parse_webhook("hook", &fixture("webhook-resolved.json"), 2);
    assert_eq!(r.status, NotificationStatus::Resolved);
}

#[test]
fn pagerduty_group_lists_every_alert_of_the_group() {
    // Alertmanager's default `pagerduty.default.instances` template: one block per alert.
    let mut v = fixture("pagerduty-trigger.json");
    v["payload"]["custom_details"]["firing"] = Value::String(
        "Labels:\n - alertname = SLABreach\n - severity = critical\nLabels:\n - alertname = RenderFailures\n".into(),
    );
    v["payload"]["summary"] = Value::String("[FIRING:2]  (critical)".into());
    let n = parse_pagerduty("critical", &v, 1);
    assert_eq!(&n.alertnames[..2], ["SLABreach", "RenderFailures"]);
}

#[tokio::test]
async fn server_answers_like_the_real_services_and_records() {
    let r = FakeReceivers::start()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let c = reqwest::Client::new();
    let slack = c
        .post(format!("{}/slack/critical", r.base_url()))
        .json(&fixture("slack-firing.json"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(slack.status(), 200);
    assert_eq!(slack.text().await.unwrap_or_default(), "ok");
    let pd = c
        .post(format!("{}/pagerduty/critical", r.base_url()))
        .json(&fixture("pagerduty-trigger.json"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(pd.status(), 202);
    assert!(pd.text().await.unwrap_or_default().contains("success"));
    let bad = c
        .post(format!("{}/slack/x", r.base_url()))
        .body("not json")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(bad.status(), 400);
    let got = r.notifications();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].receiver, "critical");
    assert_eq!(got[1].kind, NotificationKind::Pagerduty);
    assert_eq!(r.rejected().len(), 1);
    let huge = c
        .post(format!("{}/webhook/x", r.base_url()))
        .body(vec![b' '; MAX_BODY_BYTES + 1])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(huge.status(), 413);
    assert_eq!(r.notifications().len(), 2);
    let lost = r.lost();
    assert_eq!(lost.len(), 1, "{lost:?}");
    assert!(
        lost[0].contains("could not read 2 notification requests"),
        "{lost:?}"
    );
}

#[test]
fn custom_templates_of_the_shipped_config_still_name_the_alert() {
    // config/alertmanager.yml sets `title: '[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }}'`
    // and a PagerDuty `description: '{{ .CommonLabels.alertname }}: {{ .CommonAnnotations.summary }}'`.
    let mut s = fixture("slack-firing.json");
    s["attachments"][0]["title"] = Value::String("[FIRING] SLABreach".into());
    let n = parse_slack("critical", &s, 1);
    assert_eq!(n.alertnames, ["SLABreach"]);
    s["attachments"][0]["title"] = Value::String("[RESOLVED] SLABreach".into());
    assert_eq!(
        parse_slack("critical", &s, 2).status,
        NotificationStatus::Resolved
    );
    let mut p = fixture("pagerduty-trigger.json");
    p["payload"]["summary"] = Value::String("SLABreach: Pipeline P95 above 300 s".into());
    p["payload"]["custom_details"]["firing"] = Value::String(String::new());
    let n = parse_pagerduty("critical", &p, 1);
    assert_eq!(n.alertnames.first().map(String::as_str), Some("SLABreach"));
}

#[tokio::test]
async fn bodies_beyond_the_budget_are_dropped_and_counted_as_lost() {
    let r = FakeReceivers::start_with_body_budget(400)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let c = reqwest::Client::new();
    for _ in 0..2 {
        let resp = c
            .post(format!("{}/slack/critical", r.base_url()))
            .header("Authorization", "Bearer SEKRET")
            .json(&fixture("slack-firing.json"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(resp.status(), 200);
    }
    let got = r.notifications();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].body["channel"], "#critical");
    assert_eq!(
        got[1].body,
        Value::Null,
        "the second body is beyond 400 bytes"
    );
    assert!(
        got[0].headers.contains_key("content-type"),
        "{:?}",
        got[0].headers
    );
    assert!(!got[0].headers.contains_key("authorization"));
    let lost = r.lost();
    assert!(
        lost.iter()
            .any(|l| l.contains("kept 1 notifications without their body")),
        "{lost:?}"
    );
}
