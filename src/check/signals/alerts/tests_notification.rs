//! `alerts.notification.<A>`: matchers on the rendered Slack and PagerDuty fields, the runbook
//! link and the resolved message the expectation requires.

use super::*;

const NOTIF: &str = "    notification:\n      slack: {title: {regex: '\\[FIRING(:[0-9]+)?\\] A.*'}, text: {regex: '(?s).*\\S.*'}}\n      pagerduty: {summary: {regex: '(?s).*A.*'}, severity: critical}\n      runbook_link: required\n      resolved_message: required\n";

fn exp() -> String {
    format!("{EXP}{NOTIF}")
}

/// good_obs with the messages rendered as the shipped templates render them.
fn rendered_obs() -> AlertObservations {
    let mut o = good_obs();
    for n in &mut o.notifications {
        let firing = n.status == NotificationStatus::Firing;
        let head = if firing {
            "[FIRING:1] A"
        } else {
            "[RESOLVED] A"
        };
        n.rendered.title = head.into();
        n.rendered.text = "bad - https://example.com/docs/runbooks/A.md\n".into();
        if n.kind == NotificationKind::Pagerduty {
            n.rendered.title = format!("{head}: bad");
            n.rendered.text.clear();
            n.rendered.severity = Some("critical".into());
            n.rendered.links = vec![crate::evidence::MessageLink {
                text: "Runbook".into(),
                href: "https://example.com/docs/runbooks/A.md".into(),
            }];
        }
    }
    o
}

#[test]
fn messages_that_say_what_the_expectation_asks_pass() {
    let (checks, _) = run(&exp(), &rendered_obs(), RoutingEvidence::Notifications);
    let (st, msg) = status(&checks, "alerts.notification.A");
    assert_eq!(st, Status::Pass, "{msg}");
}

#[test]
fn a_wrong_title_fails_naming_receiver_field_and_quoting_the_text() {
    let mut o = rendered_obs();
    o.notifications[0].rendered.title = "[FIRING:1] <no value>".into();
    let (checks, _) = run(&exp(), &o, RoutingEvidence::Notifications);
    let (st, msg) = status(&checks, "alerts.notification.A");
    assert_eq!(st, Status::Fail);
    for part in [
        "A: receiver `critical` (slack:#critical)",
        "slack.title",
        "\"[FIRING:1] <no value>\"",
    ] {
        assert!(msg.contains(part), "{part}: {msg}");
    }
}

#[test]
fn a_wrong_pagerduty_severity_and_a_missing_runbook_fail() {
    let mut o = rendered_obs();
    o.notifications[1].rendered.severity = Some("error".into());
    o.notifications[1].rendered.links.clear();
    let (checks, _) = run(&exp(), &o, RoutingEvidence::Notifications);
    let c = checks
        .iter()
        .find(|c| c.id == "alerts.notification.A")
        .expect("check");
    assert_eq!(c.status, Status::Fail);
    let all = c.evidence.join("\n");
    assert!(
        all.contains("pagerduty.severity \"error\" is not equal to `critical`"),
        "{all}"
    );
    assert!(all.contains("has no runbook link"), "{all}");
}

#[test]
fn a_missing_resolved_message_fails_when_required() {
    let mut o = rendered_obs();
    o.notifications
        .retain(|n| n.status == NotificationStatus::Firing);
    let (checks, _) = run(&exp(), &o, RoutingEvidence::Notifications);
    let (st, msg) = status(&checks, "alerts.notification.A");
    assert_eq!(st, Status::Fail);
    assert!(msg.contains("no receiver got a resolved message"), "{msg}");
}

#[test]
fn on_an_external_stack_the_contents_are_a_skip() {
    let (checks, _) = run(&exp(), &rendered_obs(), RoutingEvidence::AlertmanagerApi);
    let (st, _) = status(&checks, "alerts.notification.A");
    assert_eq!(st, Status::Skip);
}
