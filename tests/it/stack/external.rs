//! The managed stack on the shipped `config/`, and the external-stack mode.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn managed_stack_starts_on_the_shipped_config() {
    let dir = repo_root().join("config");
    if !binaries_available() || !dir.join("prometheus.yml").is_file() {
        eprintln!("note: prometheus binaries or config/prometheus.yml absent; skipped");
        return;
    }
    let (target, stop_metrics) = metrics_server(Gauges::default()).await;
    let report = tempfile::tempdir().expect("tempdir");
    let mut opts = ManagedOptions::new(&dir, target, report.path());
    opts.interval_override_s = Some(2.0);
    let mut stack = ManagedStack::start(opts)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let dev = stack.deviations();
    assert!(dev.iter().any(|d| d.contains("scrape_interval")), "{dev:?}");
    assert!(
        dev.iter().any(|d| d.contains("slack_configs api_url")),
        "{dev:?}"
    );
    // The ten seed alerts, each with a `for`, the twelve SLO burn-rate alerts generated
    // into slo-rules.yaml, which need none (their two windows smooth the signal), and the
    // always-firing Watchdog heartbeat (no `for` either).
    let t = stack.timing();
    assert_eq!(t.for_s.len(), 23, "{:?}", t.for_s);
    assert_eq!(t.for_s.get("Watchdog"), Some(&0.0));
    let (burn, seed): (Vec<_>, Vec<_>) = t
        .for_s
        .iter()
        .filter(|(a, _)| *a != "Watchdog")
        .partition(|(a, _)| a.contains("BudgetBurn"));
    assert_eq!((seed.len(), burn.len()), (10, 12), "{:?}", t.for_s);
    assert!(seed.iter().all(|(_, f)| **f > 0.0));
    let rules = PromClient::new(stack.prometheus_url())
        .rules()
        .await
        .unwrap_or_default();
    assert_eq!(rules.iter().filter(|r| r.kind == "alerting").count(), 23);
    stack.stop().await;
    let _ = stop_metrics.send(());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn external_stack_proves_routing_through_alertmanager_api() {
    use obsgate::stack::session::{StackRequest, StackSession};
    if !binaries_available() {
        eprintln!(
            "note: prometheus / prometheus-alertmanager not on PATH; real-stack test skipped"
        );
        return;
    }
    let gauges = Gauges::default();
    let (target, stop_metrics) = metrics_server(gauges.clone()).await;
    let report = tempfile::tempdir().expect("tempdir");
    let opts = ManagedOptions::new(fixtures().join("config"), target, report.path());
    let mut running = ManagedStack::start(opts)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let session = StackSession::open(StackRequest {
        mode: Some(obsgate::cli::StackMode::External),
        prometheus_url: Some(running.prometheus_url().to_string()),
        alertmanager_url: Some(running.alertmanager_url().to_string()),
        scrape_interval: None,
        config_dir: fixtures().join("config"),
        stub_target: String::new(),
        report_dir: report.path().to_path_buf(),
        needs_stack: true,
        expects_alerts: true,
        time_scale: 1.0,
        allow_clock_skew: false,
        extra_rule_files: Vec::new(),
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let watcher = session.watch();
    let start = now_ms();
    Gauges::set(&gauges.main, 1.0);
    let am = AmClient::new(running.alertmanager_url());
    poll(
        Duration::from_secs(60),
        "FixtureGaugeHigh in Alertmanager",
        || {
            let am = am.clone();
            async move {
                am.alerts()
                    .await
                    .ok()?
                    .iter()
                    .any(|a| a.name() == "FixtureGaugeHigh")
                    .then_some(())
            }
        },
    )
    .await;
    let mid = now_ms();
    Gauges::set(&gauges.main, 0.0);
    session
        .settle(&alerts::load(&fixtures().join("expectations.yaml")).expect("fixture"))
        .await;
    let exp = alerts::parse(
        "alerts:\n  - alert: FixtureGaugeHigh\n    fires_in: fault\n    within: 60s\n    resolves_within: 60s\n    receivers: [critical, 'slack:#critical']\n",
        "inline.yaml",
    )
    .expect("inline expectations");
    let phases = vec![
        PhaseWindow {
            name: "fault".into(),
            start_unix_ms: start,
            end_unix_ms: mid,
        },
        PhaseWindow {
            name: "recovery".into(),
            start_unix_ms: mid,
            end_unix_ms: now_ms() + 1,
        },
    ];
    let seen = session.finish(watcher).await;
    let obsgate::evidence::AlertsSeen::Watched { observations, .. } = &seen else {
        panic!("an external stack with a watcher observes alerts")
    };
    assert!(observations.notifications.is_empty());
    let (checks, _) = obsgate::check::judge::alerts(&exp, &seen, &phases, start);
    let (s, m) = status(&checks, "alerts.routing.FixtureGaugeHigh");
    assert_eq!(s, Status::Pass, "{m}");
    assert!(m.contains("not observable on an external stack"), "{m}");
    assert_eq!(
        status(&checks, "alerts.resolved.FixtureGaugeHigh").0,
        Status::Pass
    );
    running.stop().await;
    let _ = stop_metrics.send(());
}
