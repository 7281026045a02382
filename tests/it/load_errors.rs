//! Integration tests: jobs that fail at the request level fail the run (`load.errors.<phase>`)
//! unless the phase budgets them, and every scheduled job is accounted for in one ending.

use std::time::Duration;

use serde_json::Value;

use crate::fake_target::fake_rejecting;
use crate::util::{check_status, obsgate};

/// Run `scenario` against a fake that answers 9 of every 10 POSTs with 503: (exit, report.json,
/// report.md).
fn run_against_rejecting_fake(scenario: &str) -> (Option<i32>, Value, String) {
    let f = fake_rejecting(true, 9);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("s.yaml");
    std::fs::write(&path, scenario).expect("write scenario");
    let out_dir = dir.path().join("out");
    let out = obsgate()
        .args(["run", "--quiet", "--target", &f.base, "--report-dir"])
        .arg(&out_dir)
        .arg(&path)
        .timeout(Duration::from_secs(60))
        .output()
        .expect("run");
    let read = |n: &str| std::fs::read_to_string(out_dir.join(n)).expect(n);
    let report = serde_json::from_str(&read("report.json")).expect("json");
    (out.status.code(), report, read("report.md"))
}

const MOSTLY_REJECTED: &str = "name: rejected
seed: 3
time_scale: 2
tolerances: {rate_error_pct: 50, late_threshold_ms: 5000}
phases:
  - {name: calm, duration: 5s, rate: 10/s}
";

#[test]
fn a_run_whose_posts_are_mostly_rejected_fails() {
    let (code, report, md) = run_against_rejecting_fake(MOSTLY_REJECTED);
    assert_eq!(code, Some(1), "{}", report["checks"]);
    assert_eq!(report["verdict"], "fail");
    let (status, msg) = check_status(&report, "load.errors.calm");
    assert_eq!(status, "fail", "{msg}");
    assert!(
        msg.contains("45 of 50 sent jobs (90.00%)") && msg.contains("45 rejected (503/429)"),
        "{msg}"
    );
    assert!(msg.contains("http_503 45"), "{msg}");
    let o = &report["load"]["phases"][0]["outcomes"];
    assert_eq!(
        (o["succeeded"].as_u64(), o["rejected"].as_u64()),
        (Some(5), Some(45))
    );
    let (status, msg) = check_status(&report, "load.accounting.calm");
    assert_eq!(status, "pass", "{msg}");
    assert!(md.contains("Every scheduled job by ending"), "{md}");
    assert!(
        md.contains("| calm | 50 | 5 | 0 | 0 | 45 | 0 | 0 | 0 |"),
        "{md}"
    );
}

#[test]
fn a_phase_that_budgets_rejections_passes_within_its_budget() {
    let budgeted = MOSTLY_REJECTED.replace("rate: 10/s}", "rate: 10/s, max_errors_pct: 95}");
    let (code, report, _) = run_against_rejecting_fake(&budgeted);
    let (status, msg) = check_status(&report, "load.errors.calm");
    assert_eq!(status, "pass", "{msg}");
    assert!(msg.contains("the phase allows 95%"), "{msg}");
    assert_eq!(code, Some(0), "{}", report["checks"]);
}

#[test]
fn an_error_budget_out_of_range_is_refused_with_its_place() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("s.yaml");
    let text = MOSTLY_REJECTED.replace("rate: 10/s}", "rate: 10/s, max_errors_pct: 120}");
    std::fs::write(&path, text).expect("write");
    let out = obsgate()
        .args(["run", "--quiet", "--target", "http://127.0.0.1:9"])
        .arg(&path)
        .timeout(Duration::from_secs(30))
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("s.yaml:6:") && stderr.contains("phases[0].max_errors_pct"),
        "{stderr}"
    );
    assert!(
        stderr.contains("expected a number from 0 to 100, got `120`"),
        "{stderr}"
    );
}

/// The real stub, overloaded: a queue of 20 that no worker drains (`consumer_stall`) and a
/// phase sending 100 jobs. The stub answers the rest 503 with `Retry-After`; obsgate counts
/// them as rejected, apart from pipeline failures, and every job is in exactly one ending.
#[test]
fn an_overloaded_stub_rejects_and_every_job_is_accounted_for() {
    let stub = crate::stub::harness::Stub::start(&["--queue-capacity", "20"], &[]);
    let rt = crate::stub::harness::rt();
    let answer = rt.block_on(async {
        let c = reqwest::Client::new();
        c.put(format!("{}/admin/faults", stub.base))
            .json(&serde_json::json!({"consumer_stall": true}))
            .send()
            .await
            .expect("PUT faults");
        for _ in 0..20 {
            c.post(format!("{}/v1/jobs", stub.base))
                .json(&serde_json::json!({"preset": "short", "user_id": "u-1"}))
                .send()
                .await
                .expect("fill the queue");
        }
        c.post(format!("{}/v1/jobs", stub.base))
            .json(&serde_json::json!({"preset": "short", "user_id": "u-1"}))
            .send()
            .await
            .expect("one more")
    });
    assert_eq!(answer.status(), 503);
    assert_eq!(
        answer
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("1")
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("s.yaml");
    std::fs::write(
        &path,
        "name: overload\ntime_scale: 100\njob_timeout: 60s\ntolerances: {rate_error_pct: 50, late_threshold_ms: 5000}\nphases:\n  - {name: flood, duration: 5s, rate: 20/s, faults: {consumer_stall: true}}\n",
    )
    .expect("write scenario");
    let out_dir = dir.path().join("out");
    let out = obsgate()
        .args(["run", "--quiet", "--target", &stub.base, "--report-dir"])
        .arg(&out_dir)
        .arg(&path)
        .timeout(Duration::from_secs(120))
        .output()
        .expect("run");
    let text = std::fs::read_to_string(out_dir.join("report.json")).expect("report.json");
    let report: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(out.status.code(), Some(1), "{}", report["checks"]);
    let p = &report["load"]["phases"][0];
    let o = &p["outcomes"];
    // The queue is already full: every job of the phase is turned away.
    assert_eq!(p["scheduled"], 100, "{p}");
    assert_eq!(o["rejected"], 100, "{o}");
    assert_eq!(o["pipeline_failed"], 0, "{o}");
    assert_eq!(p["failed_by_reason"]["http_503"], 100, "{p}");
    let (status, msg) = check_status(&report, "load.accounting.flood");
    assert_eq!(status, "pass", "{msg}");
    let (status, msg) = check_status(&report, "load.errors.flood");
    assert_eq!(status, "fail", "{msg}");
    assert!(msg.contains("100 rejected (503/429)"), "{msg}");
}
