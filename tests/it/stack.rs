//! Integration tests: the managed stack with real Prometheus and Alertmanager (skipped with a
//! note when their binaries are absent), over fixture rules with short windows and a tiny
//! in-test metrics server whose gauges the tests flip.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;
use obsgate::check::signals::alerts::{AlertCheckInput, check_alerts};
use obsgate::evidence::{AlertObservations, PhaseWindow, RoutingEvidence};
use obsgate::evidence::{NotificationKind, NotificationStatus};
use obsgate::expect::alerts;
use obsgate::observe::alert_watch::AlertWatcher;
use obsgate::observe::am_api::AmClient;
use obsgate::observe::prom_api::PromClient;
use obsgate::stack::managed::{ManagedOptions, ManagedStack, binaries_available};
use obsgate::verdict::{Check, Status};

use crate::util::repo_root;

/// Two gauges served as Prometheus text on `/metrics`.
#[derive(Clone, Default)]
struct Gauges {
    main: Arc<AtomicU64>,
    other: Arc<AtomicU64>,
}

impl Gauges {
    fn set(g: &AtomicU64, v: f64) {
        g.store(v.to_bits(), Ordering::SeqCst);
    }
}

async fn metrics_server(g: Gauges) -> (String, tokio::sync::oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local addr");
    let app = Router::new().route(
        "/metrics",
        get(move || {
            let g = g.clone();
            async move {
                let m = f64::from_bits(g.main.load(Ordering::SeqCst));
                let o = f64::from_bits(g.other.load(Ordering::SeqCst));
                format!("# TYPE fixture_gauge gauge\nfixture_gauge {m}\n# TYPE fixture_other gauge\nfixture_other {o}\n")
            }
        }),
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

async fn poll<T, F, Fut>(timeout: Duration, what: &str, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn fixtures() -> std::path::PathBuf {
    repo_root().join("tests/fixtures/alerts")
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Run baseline → fault (flip gauges) → recovery on a managed stack; return checks and observations.
async fn rehearse(
    am_config: &str,
    flip_other: bool,
) -> Option<(Vec<Check>, AlertObservations, Vec<String>)> {
    if !binaries_available() {
        eprintln!(
            "note: prometheus / prometheus-alertmanager not on PATH; real-stack test skipped"
        );
        return None;
    }
    let gauges = Gauges::default();
    let (target, stop_metrics) = metrics_server(gauges.clone()).await;
    let report = tempfile::tempdir().expect("tempdir");
    let mut opts = ManagedOptions::new(fixtures().join("config"), target, report.path());
    opts.alertmanager_config = Some(fixtures().join("config").join(am_config));
    let mut stack = ManagedStack::start(opts)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(report.path().join("prometheus.log").is_file());
    let prom = PromClient::new(stack.prometheus_url());
    let watcher = AlertWatcher::start(
        prom.clone(),
        Some(AmClient::new(stack.alertmanager_url())),
        Duration::from_millis(500),
    );

    let run_start = now_ms();
    // Baseline: until the rules have been evaluated over scraped data.
    poll(Duration::from_secs(30), "a scraped fixture_gauge", || {
        let prom = prom.clone();
        async move {
            let d = prom.query("fixture_gauge").await.ok()?;
            (!d["result"].as_array()?.is_empty()).then_some(())
        }
    })
    .await;
    let fault_start = now_ms();
    Gauges::set(&gauges.main, 1.0);
    if flip_other {
        Gauges::set(&gauges.other, 1.0);
    }
    poll(
        Duration::from_secs(60),
        "a firing notification of FixtureGaugeHigh",
        || {
            let n = stack.receivers().notifications();
            async move {
                n.iter()
                    .any(|n| {
                        n.alertnames.iter().any(|a| a == "FixtureGaugeHigh")
                            && n.status == NotificationStatus::Firing
                    })
                    .then_some(())
            }
        },
    )
    .await;
    // Let every receiver of the group get it (Slack and PagerDuty are sent in parallel).
    let firing_kinds = poll(Duration::from_secs(30), "notifications settled", || {
        let n = stack.receivers().notifications();
        async move {
            let kinds: std::collections::BTreeSet<String> = n
                .iter()
                .filter(|n| n.alertnames.iter().any(|a| a == "FixtureGaugeHigh"))
                .map(|n| n.destination())
                .collect();
            (kinds.len() >= 2 || kinds.iter().any(|k| k.contains("#sla"))).then_some(kinds)
        }
    })
    .await;
    let fault_end = now_ms();
    Gauges::set(&gauges.main, 0.0);
    Gauges::set(&gauges.other, 0.0);
    poll(
        Duration::from_secs(60),
        "all alerts resolved in Prometheus and notified",
        || {
            let prom = prom.clone();
            let n = stack.receivers().notifications();
            async move {
                let none_active = prom.alerts().await.ok()?.is_empty();
                let resolved = n.iter().any(|n| {
                    n.status == NotificationStatus::Resolved
                        && n.alertnames.iter().any(|a| a == "FixtureGaugeHigh")
                });
                (none_active && resolved).then_some(())
            }
        },
    )
    .await;
    let end = now_ms() + 1;
    let obs = watcher.finish(stack.receivers().notifications()).await;
    let exp = alerts::load(&fixtures().join("expectations.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let phases = vec![
        PhaseWindow {
            name: "baseline".into(),
            start_unix_ms: run_start,
            end_unix_ms: fault_start,
        },
        PhaseWindow {
            name: "fault".into(),
            start_unix_ms: fault_start,
            end_unix_ms: fault_end,
        },
        PhaseWindow {
            name: "recovery".into(),
            start_unix_ms: fault_end,
            end_unix_ms: end,
        },
    ];
    let (checks, timings) = check_alerts(&AlertCheckInput {
        expectations: &exp,
        observations: &obs,
        phases: &phases,
        timing: Some(stack.timing()),
        run_start_unix_ms: run_start,
        clock_scale: 1.0,
        routing: RoutingEvidence::Notifications,
    });
    let t = timings
        .iter()
        .find(|t| t.alert == "FixtureGaugeHigh")
        .expect("a timing for FixtureGaugeHigh");
    assert!(t.bound_s.is_some_and(|b| b > 0.0), "{t:?}");
    let deviations = stack.deviations();
    stack.stop().await;
    let _ = stop_metrics.send(());
    eprintln!("destinations {firing_kinds:?}");
    Some((checks, obs, deviations))
}

fn status(checks: &[Check], id: &str) -> (Status, String) {
    checks
        .iter()
        .find(|c| c.id == id)
        .map(|c| (c.status, c.message.clone()))
        .unwrap_or((Status::Error, format!("no check {id}")))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alert_fires_and_is_routed_to_slack_critical_and_pagerduty() {
    let Some((checks, obs, deviations)) = rehearse("alertmanager.yml", false).await else {
        return;
    };
    for c in &checks {
        assert_eq!(
            c.status,
            Status::Pass,
            "{}: {} {:?}",
            c.id,
            c.message,
            c.evidence
        );
    }
    let slack = obs
        .notifications
        .iter()
        .find(|n| n.kind == NotificationKind::Slack)
        .expect("a Slack notification");
    assert_eq!(
        (slack.receiver.as_str(), slack.channel.as_deref()),
        ("critical", Some("#critical"))
    );
    let pd = obs
        .notifications
        .iter()
        .find(|n| n.kind == NotificationKind::Pagerduty)
        .expect("a PagerDuty event");
    assert_eq!(pd.routing_key.as_deref(), Some("fixture-pd-routing-key"));
    assert_eq!(pd.event_action.as_deref(), Some("trigger"));
    assert!(
        deviations
            .iter()
            .any(|d| d.contains("node-exporter") && d.contains("dropped")),
        "{deviations:?}"
    );
    assert!(
        deviations
            .iter()
            .any(|d| d.contains("events.pagerduty.com")),
        "{deviations:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_route_and_unexpected_alert_fail_the_checks() {
    let Some((checks, _, _)) = rehearse("alertmanager-wrong-route.yml", true).await else {
        return;
    };
    let (s, m) = status(&checks, "alerts.routing.FixtureGaugeHigh");
    assert_eq!(s, Status::Fail, "{m}");
    assert!(
        m.contains("receivers slack-sla (expected critical)") && m.contains("slack:#sla"),
        "{m}"
    );
    let (s, m) = status(&checks, "alerts.unexpected");
    assert_eq!(s, Status::Fail, "{m}");
    assert!(m.contains("FixtureOtherHigh"), "{m}");
    assert_eq!(
        status(&checks, "alerts.fired.FixtureGaugeHigh").0,
        Status::Pass
    );
}

#[tokio::test]
async fn a_rule_prometheus_rejects_is_a_harness_error_quoting_promtool() {
    if !binaries_available() {
        eprintln!("note: prometheus not on PATH; skipped");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy(
        fixtures().join("config/prometheus.yml"),
        dir.path().join("prometheus.yml"),
    )
    .expect("copy");
    std::fs::copy(
        fixtures().join("config/alertmanager.yml"),
        dir.path().join("alertmanager.yml"),
    )
    .expect("copy");
    std::fs::write(
        dir.path().join("rules.yaml"),
        "groups:\n- name: g\n  rules:\n  - alert: Broken\n    expr: sum(rate(x[5m])\n",
    )
    .expect("write");
    let opts = ManagedOptions::new(dir.path(), "127.0.0.1:9", dir.path().join("report"));
    let err = ManagedStack::start(opts)
        .await
        .expect_err("a broken rule must not start");
    assert_eq!(err.outcome, obsgate::exit::Outcome::Harness);
    assert!(
        err.message.contains("Prometheus rejects") && err.message.contains("rules"),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn a_missing_rule_file_names_the_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy(
        fixtures().join("config/prometheus.yml"),
        dir.path().join("prometheus.yml"),
    )
    .expect("copy");
    std::fs::copy(
        fixtures().join("config/alertmanager.yml"),
        dir.path().join("alertmanager.yml"),
    )
    .expect("copy");
    let opts = ManagedOptions::new(dir.path(), "127.0.0.1:9", dir.path().join("report"));
    match ManagedStack::start(opts).await {
        Err(e) => assert!(
            e.message.contains("rules.yaml")
                && (e.message.contains("not in") || e.message.contains("PATH")),
            "{}",
            e.message
        ),
        Ok(_) => panic!("a missing rule file must not start"),
    }
}

mod external;
mod health;
