//! Unit tests of the notification checks, on evidence built from Alertmanager's captured
//! payloads (`tests/fixtures/alerts/payloads/`) and the richer fixtures of
//! `tests/fixtures/alerts/notifications/`.
use super::*;
use crate::evidence::{AlertState, AlertStateChange};
use crate::observe::receivers::{parse_pagerduty, parse_slack};
use crate::verdict::Status;

const T0: i64 = 1_000_000;

fn fixture(name: &str) -> serde_json::Value {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/alerts");
    let p = ["notifications", "payloads"]
        .iter()
        .map(|d| root.join(d).join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("no fixture {name}"));
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"))
}

fn change(alert: &str, at: i64, state: AlertState) -> AlertStateChange {
    AlertStateChange {
        at_unix_ms: T0 + at,
        alertname: alert.into(),
        labels: [("alertname".to_string(), alert.to_string())].into(),
        state,
    }
}

/// `alert` (critical) firing at +10 s, resolved at +60 s, observed until +600 s.
fn obs(alert: &str, notes: Vec<Notification>) -> AlertObservations {
    let mut o = AlertObservations {
        changes: vec![
            change(alert, 10_000, AlertState::Firing),
            change(alert, 60_000, AlertState::Resolved),
        ],
        notifications: notes,
        until_unix_ms: Some(T0 + 600_000),
        ..AlertObservations::default()
    };
    o.labels.insert(
        alert.into(),
        [("severity".to_string(), "critical".to_string())].into(),
    );
    o
}

fn slack(name: &str, at: i64) -> Notification {
    parse_slack("critical", &fixture(name), T0 + at)
}

fn pd(name: &str, at: i64) -> Notification {
    parse_pagerduty("critical", &fixture(name), T0 + at)
}

fn timing(slack_resolved: bool) -> StackTiming {
    let mut kinds: BTreeSet<String> = ["pagerduty".to_string()].into();
    if slack_resolved {
        kinds.insert("slack".into());
    }
    StackTiming {
        evaluation_interval_s: 5.0,
        group_interval_s: 300.0,
        group_interval_by_receiver_s: [("critical".to_string(), 120.0)].into(),
        send_resolved: [("critical".to_string(), kinds)].into(),
        ..StackTiming::default()
    }
}

fn run(o: &AlertObservations, t: &StackTiming) -> Vec<Check> {
    check_notifications(&NotificationInput {
        observations: o,
        routing: RoutingEvidence::Notifications,
        timing: Some(t),
        margin_s: 10.0,
    })
}

fn get(checks: &[Check], id: &str) -> (Status, String) {
    checks
        .iter()
        .find(|c| c.id == id)
        .map(|c| (c.status, c.message.clone()))
        .unwrap_or_else(|| panic!("no check {id} in {checks:?}"))
}

const HER: &str = "PipelineHighErrorRate";

#[test]
fn a_title_rendering_no_value_fails_naming_alert_receiver_field_and_text() {
    let o = obs(HER, vec![slack("slack-no-value.json", 11_000)]);
    let (st, msg) = get(
        &run(&o, &timing(true)),
        "notifications.rendering.PipelineHighErrorRate",
    );
    assert_eq!(st, Status::Fail, "{msg}");
    for part in [
        HER,
        "receiver `critical`",
        "field `title`",
        "`<no value>`",
        "on <no value>",
    ] {
        assert!(msg.contains(part), "{part} missing: {msg}");
    }
    let good = obs(HER, vec![slack("slack-buttons.json", 11_000)]);
    let (st, msg) = get(
        &run(&good, &timing(true)),
        "notifications.rendering.PipelineHighErrorRate",
    );
    assert_eq!(st, Status::Pass, "{msg}");
}

#[test]
fn go_format_errors_and_raw_template_text_fail_too() {
    let mut n = pd("pagerduty-links.json", 11_000);
    n.rendered.custom_details = Some(serde_json::json!({"value": "rate %!f(string=0.07)"}));
    n.rendered.title = "[FIRING:1] PipelineHighErrorRate".into();
    let mut m = slack("slack-buttons.json", 12_000);
    m.rendered.text = "{{ .Annotations.summary }}".into();
    let checks = run(&obs(HER, vec![n, m]), &timing(true));
    let (st, msg) = get(&checks, "notifications.rendering.PipelineHighErrorRate");
    assert_eq!(st, Status::Fail);
    assert!(
        msg.contains("field `custom_details.value` renders `%!`"),
        "{msg}"
    );
    assert!(msg.contains("2 defect(s)"), "{msg}");
}

#[test]
fn a_page_without_a_runbook_link_fails_and_one_with_links_passes() {
    let o = obs(HER, vec![pd("pagerduty-no-runbook.json", 11_000)]);
    let (st, msg) = get(
        &run(&o, &timing(true)),
        "notifications.runbook.PipelineHighErrorRate",
    );
    assert_eq!(st, Status::Fail, "{msg}");
    assert!(
        msg.contains("receiver `critical` (pagerduty:video-pipeline-critical, firing)"),
        "{msg}"
    );
    assert!(msg.contains("has no runbook link"), "{msg}");
    let good = obs(
        HER,
        vec![
            pd("pagerduty-links.json", 11_000),
            slack("slack-buttons.json", 11_000),
        ],
    );
    let (st, msg) = get(
        &run(&good, &timing(true)),
        "notifications.runbook.PipelineHighErrorRate",
    );
    assert_eq!(st, Status::Pass, "{msg}");
}

#[test]
fn alertmanagers_own_title_link_is_not_a_runbook_but_an_existing_repo_file_is() {
    // The default Slack payload links only Alertmanager's alert list.
    let o = obs("RenderFailures", vec![slack("slack-firing.json", 11_000)]);
    let (st, _) = get(
        &run(&o, &timing(true)),
        "notifications.runbook.RenderFailures",
    );
    assert_eq!(st, Status::Fail);
    // The default PagerDuty details name `runbook_url = docs/runbooks/RenderFailures.md`.
    let mut o = obs("RenderFailures", vec![pd("pagerduty-trigger.json", 11_000)]);
    o.link_files
        .insert("docs/runbooks/RenderFailures.md".into(), false);
    let (st, msg) = get(
        &run(&o, &timing(true)),
        "notifications.runbook.RenderFailures",
    );
    assert_eq!(st, Status::Fail, "a missing file is no runbook: {msg}");
    assert!(msg.contains("docs/runbooks/RenderFailures.md"), "{msg}");
    o.link_files
        .insert("docs/runbooks/RenderFailures.md".into(), true);
    let (st, msg) = get(
        &run(&o, &timing(true)),
        "notifications.runbook.RenderFailures",
    );
    assert_eq!(st, Status::Pass, "{msg}");
}

#[test]
fn a_suppressed_resolved_message_fails_and_a_delivered_one_passes() {
    let firing = vec![
        slack("slack-firing.json", 11_000),
        pd("pagerduty-trigger.json", 11_000),
    ];
    let mut notes = firing.clone();
    notes.push(pd("pagerduty-resolve.json", 70_000));
    let o = obs("RenderFailures", notes);
    let (st, msg) = get(
        &run(&o, &timing(true)),
        "notifications.resolved.RenderFailures",
    );
    assert_eq!(st, Status::Fail, "{msg}");
    assert!(
        msg.contains("receiver `critical` (slack, send_resolved: true) got it firing but never its resolved message"),
        "{msg}"
    );
    let mut all = firing;
    all.push(pd("pagerduty-resolve.json", 70_000));
    all.push(slack("slack-resolved.json", 70_000));
    let (st, msg) = get(
        &run(&obs("RenderFailures", all), &timing(true)),
        "notifications.resolved.RenderFailures",
    );
    assert_eq!(st, Status::Pass, "{msg}");
    // Slack's send_resolved off: only PagerDuty's resolve is demanded.
    let mut notes = vec![
        slack("slack-firing.json", 11_000),
        pd("pagerduty-trigger.json", 11_000),
    ];
    notes.push(pd("pagerduty-resolve.json", 70_000));
    let (st, msg) = get(
        &run(&obs("RenderFailures", notes), &timing(false)),
        "notifications.resolved.RenderFailures",
    );
    assert_eq!(st, Status::Pass, "{msg}");
}

#[test]
fn a_resolution_too_close_to_the_end_is_not_observable_never_a_pass() {
    let mut o = obs("RenderFailures", vec![slack("slack-firing.json", 11_000)]);
    o.until_unix_ms = Some(T0 + 100_000); // 40 s after the resolution, group_interval 120 s
    let (st, msg) = get(
        &run(&o, &timing(true)),
        "notifications.resolved.RenderFailures",
    );
    assert_eq!(st, Status::Skip, "{msg}");
    assert!(msg.contains("not observable"), "{msg}");
    o.changes.pop(); // still firing at the end
    let (st, msg) = get(
        &run(&o, &timing(true)),
        "notifications.resolved.RenderFailures",
    );
    assert_eq!(st, Status::Skip, "{msg}");
    assert!(msg.contains("still active"), "{msg}");
}

#[test]
fn lost_bodies_make_every_notification_check_an_error() {
    let mut o = obs(HER, vec![slack("slack-buttons.json", 11_000)]);
    o.receivers_lost = vec!["the fake receivers kept 3 notifications without their body".into()];
    let checks = run(&o, &timing(true));
    assert_eq!(checks.len(), 3);
    assert!(
        checks.iter().all(|c| c.status == Status::Error),
        "{checks:?}"
    );
}

#[test]
fn an_external_stack_says_once_that_they_do_not_run() {
    let o = obs(HER, vec![slack("slack-buttons.json", 11_000)]);
    let checks = check_notifications(&NotificationInput {
        observations: &o,
        routing: RoutingEvidence::AlertmanagerApi,
        timing: None,
        margin_s: 0.0,
    });
    assert_eq!(checks.len(), 1);
    assert_eq!(
        (checks[0].id.as_str(), checks[0].status),
        (SKIP_ID, Status::Skip)
    );
}

#[test]
fn group_label_values_in_titles_are_not_taken_for_alerts() {
    // The default title `[FIRING:1] RenderFailures (critical)` also yields `critical`.
    let o = obs("RenderFailures", vec![slack("slack-firing.json", 11_000)]);
    let checks = run(&o, &timing(true));
    assert!(
        checks.iter().all(|c| !c.id.ends_with(".critical")),
        "{checks:?}"
    );
    for c in &checks {
        assert!(
            crate::check::registry::find(&c.id).is_some(),
            "{} unregistered",
            c.id
        );
    }
}
