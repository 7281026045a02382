//! Unit tests of the alert checks and timing math, on hand-built timelines.
use super::*;
use crate::evidence::AlertStateChange;
use crate::evidence::{Notification, NotificationKind, NotificationStatus};
use crate::expect::alerts::parse;
use crate::verdict::Status;

const T0: i64 = 1_000_000;
const EXP: &str = "alerts:\n  - alert: A\n    fires_in: storm\n    within: 2m\n    resolves_within: 1m\n    receivers: [critical, 'slack:#critical', 'pagerduty:pk']\n    labels: {severity: critical}\n    annotations: {summary: '.+'}\n";

fn phases() -> Vec<PhaseWindow> {
    vec![
        PhaseWindow {
            name: "baseline".into(),
            start_unix_ms: T0,
            end_unix_ms: T0 + 60_000,
        },
        PhaseWindow {
            name: "storm".into(),
            start_unix_ms: T0 + 60_000,
            end_unix_ms: T0 + 300_000,
        },
        PhaseWindow {
            name: "recovery".into(),
            start_unix_ms: T0 + 300_000,
            end_unix_ms: T0 + 600_000,
        },
    ]
}

fn change(name: &str, at: i64, state: AlertState) -> AlertStateChange {
    AlertStateChange {
        at_unix_ms: T0 + at,
        alertname: name.into(),
        labels: [("alertname".to_string(), name.to_string())].into(),
        state,
    }
}

fn note(
    at: i64,
    receiver: &str,
    kind: NotificationKind,
    status: NotificationStatus,
) -> Notification {
    Notification {
        at_unix_ms: T0 + at,
        receiver: receiver.into(),
        kind,
        channel: (kind == NotificationKind::Slack).then(|| {
            if receiver == "critical" {
                "#critical".into()
            } else {
                "#sla".into()
            }
        }),
        routing_key: (kind == NotificationKind::Pagerduty).then(|| "pk".into()),
        event_action: None,
        dedup_key: None,
        status,
        alertnames: vec!["A".into(), "critical".into()],
        rendered: Default::default(),
        body: serde_json::Value::Null,
        headers: Default::default(),
    }
}

fn good_obs() -> AlertObservations {
    let mut o = AlertObservations {
        changes: vec![
            change("A", 70_000, AlertState::Pending),
            change("A", 100_000, AlertState::Firing),
            change("A", 330_000, AlertState::Resolved),
        ],
        notifications: vec![
            note(
                101_000,
                "critical",
                NotificationKind::Slack,
                NotificationStatus::Firing,
            ),
            note(
                101_500,
                "critical",
                NotificationKind::Pagerduty,
                NotificationStatus::Firing,
            ),
            note(
                335_000,
                "critical",
                NotificationKind::Pagerduty,
                NotificationStatus::Resolved,
            ),
        ],
        ..AlertObservations::default()
    };
    o.labels.insert(
        "A".into(),
        [("severity".to_string(), "critical".to_string())].into(),
    );
    o.annotations.insert(
        "A".into(),
        [("summary".to_string(), "bad".to_string())].into(),
    );
    o
}

fn timing() -> StackTiming {
    StackTiming {
        scrape_interval_s: 5.0,
        evaluation_interval_s: 5.0,
        for_s: [("A".to_string(), 30.0)].into(),
        group_wait_s: 10.0,
        group_wait_by_receiver_s: [("critical".to_string(), 2.0)].into(),
        ..StackTiming::default()
    }
}

fn run(
    exp: &str,
    obs: &AlertObservations,
    routing: RoutingEvidence,
) -> (Vec<Check>, Vec<AlertTiming>) {
    let e = parse(exp, "t.yaml").unwrap_or_else(|e| panic!("{e}"));
    let p = phases();
    let t = timing();
    check_alerts(&AlertCheckInput {
        expectations: &e,
        observations: obs,
        phases: &p,
        timing: Some(&t),
        run_start_unix_ms: T0,
        clock_scale: 1.0,
        routing,
    })
}

fn status(checks: &[Check], id: &str) -> (Status, String) {
    checks
        .iter()
        .find(|c| c.id == id)
        .map(|c| (c.status, c.message.clone()))
        .unwrap_or((Status::Error, format!("no check {id}")))
}

#[test]
fn all_pass_and_timings_relative_to_phase() {
    let (checks, timings) = run(EXP, &good_obs(), RoutingEvidence::Notifications);
    for c in &checks {
        assert_eq!(c.status, Status::Pass, "{}: {}", c.id, c.message);
    }
    assert_eq!(checks.len(), 6);
    let t = &timings[0];
    assert!(t.fired);
    assert_eq!(t.pending_after_s, Some(10.0));
    assert_eq!(t.firing_after_s, Some(40.0));
    assert_eq!(t.notified_after_s, Some(41.0));
    assert_eq!(t.resolved_after_s, Some(35.0));
    assert_eq!(t.bound_s, Some(5.0 + 5.0 + 30.0 + 2.0));
    assert!(t.receivers.contains(&"slack:#critical".to_string()));
    assert!(
        t.events
            .iter()
            .any(|e| e.state == "notified" && e.at_s == 101.0)
    );
}

#[test]
fn never_fired_or_late_fails() {
    let mut o = good_obs();
    o.changes.retain(|c| c.state == AlertState::Pending);
    let (checks, _) = run(EXP, &o, RoutingEvidence::Notifications);
    let (s, m) = status(&checks, "alerts.fired.A");
    assert_eq!(s, Status::Fail);
    assert!(
        m.contains("never fired") && m.contains("pending 10s"),
        "{m}"
    );
    let late = EXP.replace("within: 2m", "within: 30s");
    let (checks, _) = run(&late, &good_obs(), RoutingEvidence::Notifications);
    let (s, m) = status(&checks, "alerts.fired.A");
    assert_eq!(s, Status::Fail);
    assert!(
        m.contains("40s") && m.contains("later than the expected 30s"),
        "{m}"
    );
}

#[test]
fn wrong_route_fails_naming_receivers() {
    let mut o = good_obs();
    o.notifications = vec![note(
        101_000,
        "slack-sla",
        NotificationKind::Slack,
        NotificationStatus::Firing,
    )];
    let (checks, _) = run(EXP, &o, RoutingEvidence::Notifications);
    let (s, m) = status(&checks, "alerts.routing.A");
    assert_eq!(s, Status::Fail);
    assert!(
        m.contains("receivers slack-sla (expected critical)") && m.contains("slack:#sla"),
        "{m}"
    );
}

#[test]
fn external_routing_uses_alertmanager_receivers() {
    let mut o = good_obs();
    o.notifications.clear();
    o.am_receivers
        .insert("A".into(), ["critical".to_string()].into());
    let (checks, _) = run(EXP, &o, RoutingEvidence::AlertmanagerApi);
    assert_eq!(status(&checks, "alerts.routing.A").0, Status::Pass);
    o.am_receivers
        .insert("A".into(), ["slack-sla".to_string()].into());
    let (checks, _) = run(EXP, &o, RoutingEvidence::AlertmanagerApi);
    assert_eq!(status(&checks, "alerts.routing.A").0, Status::Fail);
}

#[test]
fn unexpected_alert_fails_unless_ignored() {
    let mut o = good_obs();
    o.changes
        .push(change("Surprise", 200_000, AlertState::Firing));
    let (checks, timings) = run(EXP, &o, RoutingEvidence::Notifications);
    let (s, m) = status(&checks, "alerts.unexpected");
    assert_eq!(s, Status::Fail);
    assert!(m.contains("Surprise"), "{m}");
    assert!(timings.iter().any(|t| t.alert == "Surprise" && t.fired));
    let ignore = format!("unexpected_alerts: ignore\n{EXP}");
    let (checks, _) = run(&ignore, &o, RoutingEvidence::Notifications);
    assert_eq!(status(&checks, "alerts.unexpected").0, Status::Pass);
    // Alerts another file judges are left out by name; others still fail.
    let not_judged = format!("ignore_alerts: ['Surp.*']\n{EXP}");
    let (checks, _) = run(&not_judged, &o, RoutingEvidence::Notifications);
    assert_eq!(status(&checks, "alerts.unexpected").0, Status::Pass);
    o.changes.push(change("Other", 210_000, AlertState::Firing));
    let (checks, _) = run(&not_judged, &o, RoutingEvidence::Notifications);
    let (s, m) = status(&checks, "alerts.unexpected");
    assert_eq!(s, Status::Fail);
    assert!(m.contains("Other") && !m.contains("Surprise"), "{m}");
}

#[test]
fn firing_in_silent_phase_fails_but_pending_alone_does_not() {
    let mut o = good_obs();
    o.changes
        .insert(0, change("A", 10_000, AlertState::Pending));
    let (checks, _) = run(EXP, &o, RoutingEvidence::Notifications);
    let (s, m) = status(&checks, "alerts.silent.A");
    assert_eq!(s, Status::Pass, "{m}");
    assert!(m.contains("pending 1 time(s)"), "{m}");
    o.changes.insert(1, change("A", 20_000, AlertState::Firing));
    let (checks, _) = run(EXP, &o, RoutingEvidence::Notifications);
    let (s, m) = status(&checks, "alerts.silent.A");
    assert_eq!(s, Status::Fail, "{m}");
    let c = checks
        .iter()
        .find(|c| c.id == "alerts.silent.A")
        .map(|c| c.evidence.join(" "))
        .unwrap_or_default();
    assert!(c.contains("`baseline`"), "{c}");
}

#[test]
fn label_mismatch_and_late_resolution_fail() {
    let mut o = good_obs();
    o.labels.insert(
        "A".into(),
        [("severity".to_string(), "warning".to_string())].into(),
    );
    o.changes.retain(|c| c.state != AlertState::Resolved);
    o.changes.push(change("A", 500_000, AlertState::Resolved));
    let (checks, _) = run(EXP, &o, RoutingEvidence::Notifications);
    let (s, m) = status(&checks, "alerts.labels.A");
    assert_eq!(s, Status::Fail);
    assert!(m.contains("label `severity` is `warning`"), "{m}");
    let (s, m) = status(&checks, "alerts.resolved.A");
    assert_eq!(s, Status::Fail);
    assert!(
        m.contains("3m20s") && m.contains("later than the expected 1m"),
        "{m}"
    );
    o.changes.pop();
    let (checks, _) = run(EXP, &o, RoutingEvidence::Notifications);
    assert!(
        status(&checks, "alerts.resolved.A")
            .1
            .contains("still active")
    );
}

#[test]
fn inhibition_checked() {
    let exp = format!("{EXP}    inhibited_by: B\n");
    let mut o = good_obs();
    let (checks, _) = run(&exp, &o, RoutingEvidence::Notifications);
    assert_eq!(status(&checks, "alerts.inhibited.A").0, Status::Fail);
    o.changes.push(change("B", 200_000, AlertState::Firing));
    o.changes.push(change("A", 201_000, AlertState::Inhibited));
    let (checks, _) = run(&exp, &o, RoutingEvidence::Notifications);
    assert_eq!(status(&checks, "alerts.inhibited.A").0, Status::Pass);
}

#[test]
fn no_stack_skips_everything_with_reason() {
    let e = parse(EXP, "t.yaml").unwrap_or_else(|e| panic!("{e}"));
    let c = skipped(&e, "--stack none: no Prometheus to observe");
    assert_eq!(c.len(), 6);
    assert!(
        c.iter()
            .all(|c| c.status == Status::Skip && c.message.contains("--stack none"))
    );
}

#[test]
fn skipped_lists_every_aspect_that_applies_including_inhibition() {
    let exp = format!("{EXP}    inhibited_by: B\n    notification: {{runbook_link: required}}\n");
    let e = parse(&exp, "t.yaml").unwrap_or_else(|e| panic!("{e}"));
    let ids: Vec<String> = skipped(&e, "why").into_iter().map(|c| c.id).collect();
    for aspect in ASPECTS {
        assert!(
            ids.contains(&format!("{}.A", aspect.id)),
            "{}: {ids:?}",
            aspect.id
        );
    }
    assert!(ids.contains(&"alerts.inhibited.A".to_string()), "{ids:?}");
    assert!(
        ids.contains(&"alerts.notification.A".to_string()),
        "{ids:?}"
    );
    // Whatever a live run judges for the same expectation is listed when skipped.
    let (checks, _) = run(&exp, &good_obs(), RoutingEvidence::Notifications);
    for c in &checks {
        assert!(ids.contains(&c.id), "{} not skipped: {ids:?}", c.id);
    }
    assert_eq!(ids.len(), checks.len());
}

#[test]
fn an_alert_already_firing_when_its_phase_starts_is_named_as_such() {
    // A halved threshold: it fires in the baseline and is still firing when `storm` starts.
    let mut o = good_obs();
    o.changes = vec![
        change("A", 10_000, AlertState::Firing),
        change("A", 330_000, AlertState::Resolved),
    ];
    let (checks, _) = run(EXP, &o, RoutingEvidence::Notifications);
    let (s, m) = status(&checks, "alerts.fired.A");
    assert_eq!(s, Status::Fail);
    assert!(
        m.contains("already firing when `storm` started, since 10s into the run in `baseline`"),
        "{m}"
    );
    assert_eq!(status(&checks, "alerts.silent.A").0, Status::Fail);
}

#[path = "tests_lost.rs"]
mod lost;

#[cfg(test)]
#[path = "tests_notification.rs"]
mod notification;
