//! A component obsgate did not start (here the `--target`) that stops answering: after the
//! outage limit of failed probes the run stops, `incomplete` with the cause, exit 3; a restart
//! within the limit is survived and the gap is stated.

use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::Value;

use crate::fake_target::{fake, fake_on};
use crate::util::{obsgate_path, poll_until};

/// Start `obsgate run` of a 30 s scenario against `base` with `--outage-limit LIMIT`.
fn start(base: &str, limit: &str, dir: &std::path::Path) -> std::process::Child {
    let scenario = dir.join("s.yaml");
    std::fs::write(
        &scenario,
        "name: outage\ntolerances: {late_threshold_ms: 5000}\nphases:\n  - {name: a, duration: 30s, rate: 5/s, max_errors_pct: 100}\n",
    )
    .expect("write scenario");
    std::process::Command::new(obsgate_path())
        .args(["run", "--quiet", "--target", base, "--outage-limit", limit])
        .arg("--report-dir")
        .arg(dir.join("out"))
        .arg(&scenario)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn")
}

fn finish(mut child: std::process::Child, dir: &std::path::Path) -> (Option<i32>, Value) {
    let status = poll_until(Duration::from_secs(90), "obsgate to exit", || {
        child.try_wait().ok().flatten()
    });
    let text = std::fs::read_to_string(dir.join("out/report.json")).expect("report.json");
    (status.code(), serde_json::from_str(&text).expect("json"))
}

/// Whether something accepts connections at `addr`.
fn listening(addr: &str) -> bool {
    std::net::TcpStream::connect(addr).is_ok()
}

/// Run against a fake target with `--outage-limit LIMIT`, and stop the target once a few jobs
/// went through: (the run, its folder, the target's address).
fn run_then_stop_target(limit: &str) -> (std::process::Child, tempfile::TempDir, String) {
    let f = fake(true);
    let dir = tempfile::tempdir().expect("tempdir");
    let child = start(&f.base, limit, dir.path());
    poll_until(Duration::from_secs(30), "a few jobs", || {
        (f.seen.posts.load(Ordering::Relaxed) >= 5).then_some(())
    });
    let addr = f.base.trim_start_matches("http://").to_string();
    drop(f);
    poll_until(Duration::from_secs(10), "the target to stop", || {
        (!listening(&addr)).then_some(())
    });
    (child, dir, addr)
}

#[test]
fn a_target_that_stops_answering_makes_the_run_incomplete() {
    let (child, dir, _) = run_then_stop_target("2s");
    let (code, r) = finish(child, dir.path());
    assert_eq!(code, Some(3), "{}", r["checks"]);
    assert_eq!(r["verdict"], "incomplete");
    let why = r["component_down"].as_str().unwrap_or("");
    assert!(
        why.starts_with("target stopped answering (every probe of"),
        "{why}"
    );
    assert!(why.contains("failed for 2 s"), "{why}");
    let blamed: Vec<&Value> = r["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["status"] == "fail")
        .collect();
    assert!(
        blamed.is_empty(),
        "nothing is blamed on the target: {blamed:?}"
    );
}

#[test]
fn a_target_restart_within_the_limit_is_survived_and_stated() {
    let (child, dir, addr) = run_then_stop_target("20s");
    // Down for a few probes, then back on the same address.
    std::thread::sleep(Duration::from_secs(3));
    let back = fake_on(&addr, true, 0);
    let (code, r) = finish(child, dir.path());
    assert!(back.seen.posts.load(Ordering::Relaxed) > 0);
    assert!(r["component_down"].is_null(), "{}", r["component_down"]);
    let deviations = r["deviations"].to_string();
    assert!(
        deviations.contains(&format!("target at http://{addr}/ did not answer for")),
        "{deviations}"
    );
    assert!(deviations.contains("then came back"), "{deviations}");
    assert_ne!(code, Some(3), "{}", r["checks"]);
}
