//! Integration tests: `obsgate run` against a small in-test fake of the stub's HTTP contract
//! (POST /v1/jobs, GET /v1/jobs/{id}?wait=S, PUT /admin/faults): the report files and their
//! contract fields, propagation headers, fault profiles reaching the target, and clear errors
//! for unreachable or non-loopback targets.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::fake_target::fake;
use crate::util::obsgate;

const SCENARIO: &str = "name: it-load
seed: 9
time_scale: 2
users: 10
# Generous: these tests check accounting and contracts, not speed on a shared machine.
tolerances: {rate_error_pct: 50, late_threshold_ms: 5000}
phases:
  - name: calm
    duration: 4s
    rate: 20/s
  - name: burst
    duration: 2s
    rate: {from: 10/s, to: 30/s}
    faults: {job_failure_ratio: 0.5, render_slowdown: 3}
";

fn write_scenario(dir: &std::path::Path, text: &str) -> std::path::PathBuf {
    let p = dir.join("s.yaml");
    std::fs::write(&p, text).expect("write scenario");
    p
}

#[test]
fn run_against_fake_passes_and_writes_the_report_contract() {
    let f = fake(true);
    let dir = tempfile::tempdir().expect("tempdir");
    let scenario = write_scenario(dir.path(), SCENARIO);
    let report_dir = dir.path().join("out");
    let out = obsgate()
        .args(["run", "--quiet", "--target", &f.base, "--report-dir"])
        .arg(&report_dir)
        .arg(&scenario)
        .timeout(Duration::from_secs(60))
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(&format!("report: {}", report_dir.display())),
        "{stdout}"
    );

    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(report_dir.join("report.json")).expect("report.json"),
    )
    .expect("json");
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["scenario"], "it-load");
    assert_eq!(report["verdict"], "pass");
    let phases = report["load"]["phases"].as_array().expect("phases");
    assert_eq!(phases.len(), 2);
    // calm: 20/s over 4 s = 80 jobs; burst: mean 20/s over 2 s = 40 jobs.
    for (p, (name, jobs)) in phases.iter().zip([("calm", 80), ("burst", 40)]) {
        assert_eq!(p["name"], name);
        for k in [
            "duration_s",
            "target_rate",
            "achieved_rate",
            "latency_ms",
            "job_time_s",
        ] {
            assert!(!p[k].is_null(), "phase lacks {k}");
        }
        for k in ["p50", "p90", "p99", "max"] {
            assert!(p["latency_ms"][k].is_number() && p["job_time_s"][k].is_number());
        }
        assert_eq!(p["scheduled"], jobs);
        assert_eq!(p["sent"], jobs);
        assert_eq!(p["succeeded"], jobs);
        assert_eq!(
            (p["failed"].as_u64(), p["dropped"].as_u64()),
            (Some(0), Some(0))
        );
    }
    assert_eq!(f.seen.posts.load(Ordering::Relaxed), 120);
    assert_eq!(
        f.seen.headers_ok.load(Ordering::Relaxed),
        120,
        "{:?}",
        f.seen.headers_bad.lock()
    );
    // Every phase sends its fault profile; the burst's knobs reach the target.
    let faults = f.seen.faults.lock().clone();
    assert_eq!(faults.len(), 2);
    assert_eq!(faults[0]["job_failure_ratio"], 0.0);
    assert_eq!(faults[1]["job_failure_ratio"], 0.5);
    assert_eq!(faults[1]["render_slowdown"], 3.0);

    let checks = report["checks"].as_array().expect("checks");
    for id in [
        "load.rate.calm",
        "load.dropped.calm",
        "load.generator.calm",
        "load.faults.burst",
    ] {
        let c = checks
            .iter()
            .find(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("no check {id}"));
        assert_eq!(c["kind"], "load");
        assert_eq!(c["status"], "pass", "{c}");
    }
    let md = std::fs::read_to_string(report_dir.join("report.md")).expect("report.md");
    assert!(md.contains("| calm |") && md.contains("| burst |"), "{md}");
    let junit = std::fs::read_to_string(report_dir.join("junit.xml")).expect("junit.xml");
    assert!(
        junit.contains("load.rate.calm") && junit.contains("<testsuite"),
        "{junit}"
    );
}

#[test]
fn a_target_without_fault_control_fails_the_faults_check() {
    let f = fake(false);
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "name: nofaults\ntolerances: {rate_error_pct: 50, late_threshold_ms: 5000}\nphases:\n  - {name: only, duration: 1s, rate: 5/s, faults: {consumer_stall: true}}\n";
    let scenario = write_scenario(dir.path(), text);
    let report_dir = dir.path().join("out");
    let out = obsgate()
        .args(["run", "--quiet", "--target", &f.base, "--report-dir"])
        .arg(&report_dir)
        .arg(&scenario)
        .timeout(Duration::from_secs(60))
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("FAIL load.faults.only: the phase's fault profile could not be applied")
            && stdout.contains("404 Not Found"),
        "{stdout}"
    );
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(report_dir.join("report.json")).expect("report.json"),
    )
    .expect("json");
    assert_eq!(report["verdict"], "fail");
}

#[test]
fn unreachable_target_is_a_clear_error_not_a_hang() {
    // Bind then drop: the port is (almost certainly) closed now.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port");
    let dir = tempfile::tempdir().expect("tempdir");
    let scenario = write_scenario(
        dir.path(),
        "name: x\nphases:\n  - {name: a, duration: 60s, rate: 1/s}\n",
    );
    let started = Instant::now();
    let out = obsgate()
        .args([
            "run",
            "--quiet",
            "--target",
            &format!("http://127.0.0.1:{port}"),
        ])
        .arg(&scenario)
        .timeout(Duration::from_secs(30))
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "target http://127.0.0.1:{port} is unreachable (connect"
        )),
        "{stderr}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "bounded by the command timeout, not the scenario"
    );
}

#[test]
fn non_loopback_target_is_refused_without_allow_remote() {
    let dir = tempfile::tempdir().expect("tempdir");
    let scenario = write_scenario(
        dir.path(),
        "name: x\nphases:\n  - {name: a, duration: 1s, rate: 1/s}\n",
    );
    let out = obsgate()
        .args(["run", "--quiet", "--target", "http://203.0.113.7:8000"])
        .arg(&scenario)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("`203.0.113.7` is not a loopback address")
            && stderr.contains("--allow-remote"),
        "{stderr}"
    );
}

#[test]
fn interrupt_still_writes_an_incomplete_report() {
    let f = fake(true);
    let dir = tempfile::tempdir().expect("tempdir");
    let scenario = write_scenario(
        dir.path(),
        "name: long\ntolerances: {late_threshold_ms: 5000}\nphases:\n  - {name: a, duration: 60s, rate: 10/s}\n  - {name: b, duration: 60s, rate: 10/s}\n",
    );
    let report_dir = dir.path().join("out");
    let mut child = std::process::Command::new(crate::util::obsgate_path())
        .args(["run", "--quiet", "--target", &f.base, "--report-dir"])
        .arg(&report_dir)
        .arg(&scenario)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    crate::util::poll_until(Duration::from_secs(30), "a few jobs", || {
        (f.seen.posts.load(Ordering::Relaxed) >= 5).then_some(())
    });
    let _ = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let status = crate::util::poll_until(Duration::from_secs(30), "obsgate to exit", || {
        child.try_wait().ok().flatten()
    });
    if status.code().is_none() {
        let _ = child.kill();
    }
    assert_eq!(
        status.code(),
        Some(3),
        "an interrupted run has no verdict: exit 3"
    );
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(report_dir.join("report.json")).expect("report.json"),
    )
    .expect("json");
    assert_eq!(report["verdict"], "incomplete");
    let a = &report["load"]["phases"][0];
    let sent = a["sent"].as_u64().unwrap_or(0);
    assert!((5..600).contains(&sent), "sent {sent}");
    assert_eq!(
        a["scheduled"].as_u64(),
        Some(sent + a["dropped"].as_u64().unwrap_or(0))
    );
    assert_eq!(
        Some(sent),
        [&a["succeeded"], &a["failed"], &a["in_flight"]]
            .iter()
            .map(|v| v.as_u64())
            .sum::<Option<u64>>()
    );
    assert_eq!(report["load"]["phases"][1]["sent"], 0);
}

#[test]
fn a_second_interrupt_abandons_the_run_and_still_writes_a_report() {
    let f = fake(true);
    // Jobs stay in flight: after the first Ctrl-C the run would wait out their grace.
    f.seen.poll_delay_ms.store(60_000, Ordering::Relaxed);
    let dir = tempfile::tempdir().expect("tempdir");
    let scenario = write_scenario(
        dir.path(),
        "name: long\ntolerances: {late_threshold_ms: 5000}\nphases:\n  - {name: a, duration: 60s, rate: 10/s}\n",
    );
    let report_dir = dir.path().join("out");
    let err_path = dir.path().join("stderr.txt");
    let mut child = std::process::Command::new(crate::util::obsgate_path())
        .args(["run", "--quiet", "--target", &f.base, "--report-dir"])
        .arg(&report_dir)
        .arg(&scenario)
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&err_path).expect("stderr file"))
        .spawn()
        .expect("spawn");
    crate::util::poll_until(Duration::from_secs(30), "a few jobs", || {
        (f.seen.posts.load(Ordering::Relaxed) >= 5).then_some(())
    });
    let int = || {
        let _ = std::process::Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status();
    };
    int();
    // The second must come after the first was taken (two at once are one signal).
    crate::util::poll_until(Duration::from_secs(30), "the first interrupt taken", || {
        let text = std::fs::read_to_string(&err_path).unwrap_or_default();
        text.contains("Ctrl-C again to abandon").then_some(())
    });
    int();
    let status = crate::util::poll_until(Duration::from_secs(30), "obsgate to exit", || {
        child.try_wait().ok().flatten()
    });
    assert_eq!(status.code(), Some(3));
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(report_dir.join("report.json")).expect("report.json"),
    )
    .expect("json");
    assert_eq!(report["verdict"], "incomplete");
    let deviations = report["deviations"].to_string();
    assert!(deviations.contains("interrupted twice"), "{deviations}");
}
