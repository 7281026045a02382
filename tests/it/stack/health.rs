//! `obsgate health` against a managed stack and a dead component.

use super::*;

fn health(args: Vec<String>) -> std::process::Output {
    crate::util::obsgate()
        .arg("health")
        .args(args)
        .output()
        .expect("run obsgate health")
}

#[test]
fn health_without_a_component_is_usage() {
    let out = health(vec![]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--prometheus-url"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_passes_on_a_running_stack_and_fails_on_a_dead_component() {
    if !binaries_available() {
        eprintln!(
            "note: prometheus / prometheus-alertmanager not on PATH; real-stack test skipped"
        );
        return;
    }
    let (target, stop_metrics) = metrics_server(Gauges::default()).await;
    let report = tempfile::tempdir().expect("tempdir");
    let opts = ManagedOptions::new(fixtures().join("config"), target.clone(), report.path());
    let mut stack = ManagedStack::start(opts)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let ok_args = vec![
        format!("--prometheus-url={}", stack.prometheus_url()),
        format!("--alertmanager-url={}", stack.alertmanager_url()),
        format!("--target=http://{target}"),
    ];
    let out = tokio::task::spawn_blocking({
        let a = ok_args.clone();
        move || health(a)
    })
    .await
    .expect("join");
    let table = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(0), "{table}");
    assert!(
        table.contains("targets")
            && table.contains("1 target(s) up")
            && table.contains("cluster disabled"),
        "{table}"
    );
    // A Jaeger that is not there: one failing component makes the whole health exit 1.
    let dead = obsgate::stack::ports::free_loopback_port().expect("port");
    let mut bad_args = ok_args;
    bad_args.push(format!("--jaeger-url=http://127.0.0.1:{dead}"));
    let out = tokio::task::spawn_blocking(move || health(bad_args))
        .await
        .expect("join");
    let table = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(1), "{table}");
    assert!(
        table.contains("jaeger") && table.contains("FAIL"),
        "{table}"
    );
    // A Prometheus that dies during a run is reported with the end of its log.
    let pid = stack.prometheus_pid().expect("prometheus runs");
    let killed = std::process::Command::new("kill")
        .arg(pid.to_string())
        .status()
        .expect("kill");
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let err = loop {
        if let Err(e) = stack.check_alive().await {
            break e;
        }
        assert!(
            Instant::now() < deadline,
            "the death of Prometheus was not noticed"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(err.message.contains("Prometheus exited"), "{}", err.message);
    stack.stop().await;
    let _ = stop_metrics.send(());
}
