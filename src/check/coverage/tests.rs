//! Unit tests of each coverage dimension, on `tests/fixtures/coverage/` (an Alertmanager
//! config whose route `root.routes[1]` no alert of its rules can reach).

use std::path::Path;

use super::*;
use crate::config::stack::{StackConfig, StackPaths};
use crate::evidence::coverage::{AlertRuleStatus, MetricStatus, RecordedSeries};
use crate::evidence::{
    AlertObservations, AlertState, AlertStateChange, Notification, NotificationKind,
    NotificationStatus, QueryAnswer,
};

pub(super) fn fixture() -> StackConfig {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/coverage");
    StackConfig::load(&StackPaths {
        config_dir: dir.clone(),
        expect_dir: dir.join("none"),
        compose: dir.join("none.yml"),
        docs_dir: dir.join("none"),
        named: None,
        contract: false,
    })
}

fn change(at: i64, alert: &str, severity: &str, state: AlertState) -> AlertStateChange {
    AlertStateChange {
        at_unix_ms: at,
        alertname: alert.into(),
        labels: [("severity".to_string(), severity.to_string())].into(),
        state,
    }
}

fn note(receiver: &str, kind: NotificationKind, alert: &str) -> Notification {
    Notification {
        at_unix_ms: 5,
        receiver: receiver.into(),
        kind,
        channel: (kind == NotificationKind::Slack).then(|| "#chat".to_string()),
        routing_key: (kind == NotificationKind::Pagerduty).then(|| "k1".to_string()),
        event_action: None,
        dedup_key: None,
        status: NotificationStatus::Firing,
        alertnames: vec![alert.into()],
        rendered: Default::default(),
        body: Default::default(),
        headers: Default::default(),
    }
}

/// HighErrors fires and pages; SlowJobs fires, is inhibited by it, and reaches the chat.
pub(super) fn observations() -> AlertObservations {
    AlertObservations {
        changes: vec![
            change(1, "HighErrors", "critical", AlertState::Pending),
            change(2, "HighErrors", "critical", AlertState::Firing),
            change(3, "SlowJobs", "warning", AlertState::Firing),
            change(4, "SlowJobs", "warning", AlertState::Inhibited),
        ],
        notifications: vec![
            note("pager", NotificationKind::Pagerduty, "HighErrors"),
            note("chat", NotificationKind::Slack, "SlowJobs"),
        ],
        ..AlertObservations::default()
    }
}

pub(super) fn input<'a>(cfg: &'a StackConfig, obs: &'a AlertObservations) -> CoverageInput<'a> {
    CoverageInput {
        config: Some(cfg),
        alerts: AlertsView::Watched(obs, RoutingEvidence::Notifications),
        ignore_alerts: Vec::new(),
        recorded: None,
        dashboards: &[],
        families: Vec::new(),
        scrapes: Vec::new(),
        logs: Default::default(),
    }
}

#[test]
fn the_route_no_alert_reaches_is_not_covered_and_the_others_are() {
    let cfg = fixture();
    let obs = observations();
    let c = compute(input(&cfg, &obs));
    let got: Vec<(&str, usize, usize)> = c
        .routes
        .items
        .iter()
        .map(|r| (r.path.as_str(), r.matched, r.handled))
        .collect();
    assert_eq!(
        got,
        vec![
            ("root", 2, 1),
            ("root.routes[0]", 1, 1),
            ("root.routes[1]", 0, 0)
        ]
    );
    assert_eq!(
        c.routes.items[2].matchers,
        vec!["team=\"nobody\"".to_string()]
    );
}

#[test]
fn alert_rules_receivers_and_inhibitions_follow_what_was_seen() {
    let cfg = fixture();
    let mut obs = observations();
    obs.changes
        .retain(|c| c.alertname == "HighErrors" && c.state == AlertState::Pending);
    obs.notifications.truncate(1);
    let c = compute(input(&cfg, &obs));
    let status: Vec<_> = c
        .alert_rules
        .items
        .iter()
        .map(|a| (a.alert.as_str(), a.status))
        .collect();
    assert_eq!(
        status,
        vec![
            ("HighErrors", AlertRuleStatus::PendingOnly),
            ("SlowJobs", AlertRuleStatus::NeverActive)
        ]
    );
    let recv: Vec<_> = c
        .receivers
        .items
        .iter()
        .map(|r| (r.integration.as_str(), r.notifications))
        .collect();
    assert_eq!(recv, vec![("chat/slack[0]", 0), ("pager/pagerduty[0]", 1)]);
    assert_eq!(c.inhibit_rules.items[0].suppressed, 0);
    let full = observations();
    let c = compute(input(&cfg, &full));
    assert_eq!(c.inhibit_rules.items[0].suppressed, 1);
    assert_eq!(
        c.inhibit_rules.items[0].alerts,
        vec!["SlowJobs".to_string()]
    );
    assert!(c.receivers.items.iter().all(|r| r.notifications == 1));
}

#[test]
fn without_a_watcher_the_alert_dimensions_are_not_observed() {
    let cfg = fixture();
    let obs = observations();
    let mut i = input(&cfg, &obs);
    i.alerts = AlertsView::NotWatched("no stack (--stack none)");
    let c = compute(i);
    assert_eq!(
        c.routes.not_observed.as_deref(),
        Some("no stack (--stack none)")
    );
    assert_eq!(c.alert_rules.items.len(), 2);
    assert!(c.recording_rules.not_observed.is_some());
}

#[test]
fn recording_rules_take_prometheus_answers() {
    let cfg = fixture();
    let obs = observations();
    let series = recorded_series(&cfg);
    assert_eq!(series.len(), 1);
    let answers = RecordedAnswers {
        answers: vec![(series[0].clone(), QueryAnswer::Series(0))],
        ..RecordedAnswers::default()
    };
    let mut i = input(&cfg, &obs);
    i.recorded = Some(&answers);
    let c = compute(i);
    assert_eq!(
        c.recording_rules.items[0].status,
        crate::evidence::coverage::RecordingRuleStatus::Empty
    );
    let _: &RecordedSeries = &series[0];
}

#[test]
fn metric_families_are_changing_constant_or_never_seen() {
    let parse = |t: &str| {
        crate::observe::exposition::parse(t, crate::evidence::ExpositionFormat::Text004)
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let a = parse("# TYPE up gauge\nup 1\n# TYPE jobs_total counter\njobs_total 1\n");
    let b = parse("# TYPE up gauge\nup 1\n# TYPE jobs_total counter\njobs_total 2\n");
    let d = signals::metrics(&["up", "jobs_total", "gone"], &[&a, &b]);
    let got: Vec<_> = d.items.iter().map(|m| m.status).collect();
    assert_eq!(
        got,
        vec![
            MetricStatus::Constant,
            MetricStatus::Changing,
            MetricStatus::NeverSeen
        ]
    );
}

#[test]
fn log_levels_and_fields_are_counted_and_bounded() {
    let mut seen = logs::LogSeen::default();
    for (i, t) in [
        "{\"level\":\"INFO\",\"job_id\":\"1\"}",
        "{\"level\":\"ERROR\"}",
        "not json",
    ]
    .iter()
    .enumerate()
    {
        seen.feed(&crate::evidence::LogLine {
            line: i as u64 + 1,
            text: t.to_string(),
        });
    }
    let c = seen.coverage();
    assert_eq!((c.lines, c.json_lines), (3, 2));
    assert_eq!(c.levels.get("ERROR"), Some(&1));
    assert_eq!(c.fields.get("level"), Some(&2));
}
