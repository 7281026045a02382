//! Integration tests of the notification checks against a real Alertmanager on a managed stack:
//! alerts are posted to its `/api/v2/alerts`, it notifies obsgate's fake receivers through the
//! templates of `tests/fixtures/alerts/notifications/config/alertmanager.yml`, and the checks
//! judge what arrived (skipped with a note when the binaries are absent).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use obsgate::check::signals::notifications::{NotificationInput, check_notifications};
use obsgate::evidence::{
    AlertObservations, AlertState, AlertStateChange, Notification, NotificationStatus,
    RoutingEvidence,
};
use obsgate::stack::managed::{ManagedOptions, ManagedStack, binaries_available};
use obsgate::verdict::{Check, Status};

use crate::util::repo_root;

const CASES: &[(&str, &str)] = &[
    ("NotifGood", "critical"),
    ("NotifNoValue", "warning"),
    ("NotifNoRunbook", "critical"),
    ("NotifNoResolved", "warning"),
];

/// A scrape target for the managed Prometheus to find up: one gauge on `/metrics`.
async fn target() -> (String, tokio::sync::oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local addr");
    let app = axum::Router::new().route(
        "/metrics",
        axum::routing::get(|| async { "# TYPE notif_gauge gauge\nnotif_gauge 1\n" }),
    );
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = rx.await;
            })
            .await;
    });
    (addr.to_string(), tx)
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Post every case's alert to Alertmanager, ending it at `ends` (RFC 3339).
async fn post(am: &str, ends: &str) {
    let alerts: Vec<serde_json::Value> = CASES
        .iter()
        .map(|(a, sev)| {
            let mut annotations = serde_json::json!({"summary": format!("{a} is failing")});
            // The seeded defect: a page whose alert has no runbook_url, so nothing links one
            // (Alertmanager's own client_url is no runbook).
            if *a != "NotifNoRunbook" {
                annotations["runbook_url"] = format!("https://example.com/runbooks/{a}.md").into();
            }
            serde_json::json!({
                "labels": {"alertname": a, "severity": sev},
                "annotations": annotations,
                "endsAt": ends,
            })
        })
        .collect();
    let r = reqwest::Client::new()
        .post(format!("{am}/api/v2/alerts"))
        .json(&alerts)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(r.status().is_success(), "{}", r.status());
}

/// Poll `f` every 100 ms until it holds, failing after `timeout`.
async fn wait(timeout: Duration, what: &str, f: impl Fn() -> bool) {
    let deadline = Instant::now() + timeout;
    while !f() {
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn has(notes: &[Notification], alert: &str, status: NotificationStatus, kind: &str) -> bool {
    notes.iter().any(|n| {
        n.status == status
            && n.alertnames.iter().any(|a| a == alert)
            && n.destination().starts_with(kind)
    })
}

/// The watcher's view, written by the test: each case firing at `fired`, resolved at `resolved`.
fn observations(notes: Vec<Notification>, fired: i64, resolved: i64) -> AlertObservations {
    let mut o = AlertObservations {
        notifications: notes,
        until_unix_ms: Some(now_ms()),
        ..AlertObservations::default()
    };
    for (a, sev) in CASES {
        let labels: BTreeMap<String, String> = [("alertname", *a), ("severity", sev)]
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .into();
        for (at, state) in [
            (fired, AlertState::Firing),
            (resolved, AlertState::Resolved),
        ] {
            o.changes.push(AlertStateChange {
                at_unix_ms: at,
                alertname: a.to_string(),
                labels: labels.clone(),
                state,
            });
        }
        o.labels.insert(a.to_string(), labels);
    }
    o
}

fn status(checks: &[Check], id: &str) -> (Status, String) {
    checks
        .iter()
        .find(|c| c.id == id)
        .map(|c| (c.status, c.message.clone()))
        .unwrap_or_else(|| panic!("no check {id} in {checks:#?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_alertmanager_notifications_are_judged_whole() {
    if !binaries_available() {
        eprintln!(
            "note: prometheus / prometheus-alertmanager not on PATH; real-stack test skipped"
        );
        return;
    }
    let dir = repo_root().join("tests/fixtures/alerts/notifications/config");
    let report = tempfile::tempdir().expect("tempdir");
    let (scrape, stop_target) = target().await;
    let opts = ManagedOptions::new(&dir, scrape, report.path());
    let mut stack = ManagedStack::start(opts)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let am = stack.alertmanager_url().to_string();
    let fired = now_ms();
    post(&am, "2100-01-01T00:00:00Z").await;
    let r = stack.receivers();
    wait(Duration::from_secs(30), "every firing notification", || {
        let n = r.notifications();
        has(&n, "NotifGood", NotificationStatus::Firing, "slack")
            && has(&n, "NotifGood", NotificationStatus::Firing, "pagerduty")
            && has(&n, "NotifNoValue", NotificationStatus::Firing, "slack")
            && has(
                &n,
                "NotifNoRunbook",
                NotificationStatus::Firing,
                "pagerduty",
            )
            && has(&n, "NotifNoResolved", NotificationStatus::Firing, "slack")
    })
    .await;
    let resolved = now_ms();
    post(
        &am,
        &chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    )
    .await;
    // The good receiver's resolved messages arrive, and long enough passes (group_interval 1s
    // plus the 1 s margin below) for the suppressed one to have been due.
    wait(Duration::from_secs(30), "the resolved messages", || {
        let n = r.notifications();
        has(&n, "NotifGood", NotificationStatus::Resolved, "slack")
            && has(&n, "NotifGood", NotificationStatus::Resolved, "pagerduty")
            && now_ms() - resolved > 4_000
    })
    .await;
    let notes = r.notifications();
    let lost = r.lost();
    let timing = stack.timing().clone();
    stack.stop().await;
    let _ = stop_target.send(());
    assert!(lost.is_empty(), "{lost:?}");
    let pd = notes
        .iter()
        .find(|n| n.destination().starts_with("pagerduty"))
        .expect("a page");
    assert!(
        pd.body["routing_key"].is_string() && !pd.headers.is_empty(),
        "{pd:?}"
    );
    assert!(!pd.headers.contains_key("authorization"));
    let obs = observations(notes, fired, resolved);
    let checks = check_notifications(&NotificationInput {
        observations: &obs,
        routing: RoutingEvidence::Notifications,
        timing: Some(&timing),
        margin_s: 1.0,
    });
    for id in ["rendering", "runbook", "resolved"] {
        let (st, msg) = status(&checks, &format!("notifications.{id}.NotifGood"));
        assert_eq!(st, Status::Pass, "{id}: {msg}");
    }
    let (st, msg) = status(&checks, "notifications.rendering.NotifNoValue");
    assert_eq!(st, Status::Fail, "{msg}");
    assert!(
        msg.contains("NotifNoValue")
            && msg.contains("field `title`")
            && msg.contains("for team <no value>"),
        "{msg}"
    );
    let (st, msg) = status(&checks, "notifications.runbook.NotifNoRunbook");
    assert_eq!(st, Status::Fail, "{msg}");
    assert!(
        msg.contains("NotifNoRunbook") && msg.contains("has no runbook link"),
        "{msg}"
    );
    let (st, msg) = status(&checks, "notifications.resolved.NotifNoResolved");
    assert_eq!(st, Status::Fail, "{msg}");
    assert!(
        msg.contains("receiver `noresolved` (slack, send_resolved: true)"),
        "{msg}"
    );
    // NotifNoValue's warnings are no page; its resolved message did arrive.
    assert_eq!(
        status(&checks, "notifications.runbook.NotifNoValue").0,
        Status::Skip
    );
    assert_eq!(
        status(&checks, "notifications.resolved.NotifNoValue").0,
        Status::Pass
    );
}
