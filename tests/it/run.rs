//! `obsgate run` end to end on the real stub child: a healthy short run passes every signal
//! check, and each stub defect switch makes the run exit 1 with the report naming the defect
//! through the right check (and only that one).

use crate::util::{assert_registered, obsgate, repo_root, run_scenario};

const SCENARIO: &str = "tests/fixtures/scenarios/signals.yaml";

/// Run the short scenario with `defect` (if any) and return (exit code, report.json).
fn run_with(defect: Option<&str>) -> (i32, serde_json::Value) {
    match defect {
        Some(d) => run_scenario(SCENARIO, &["--stub-defect".as_ref(), d.as_ref()]),
        None => run_scenario(SCENARIO, &[]),
    }
}

/// Ids of the checks that failed or errored, with their messages (skips are not counted:
/// e.g. a fault-ratio relation does not apply to a run without that fault).
fn not_passing(report: &serde_json::Value) -> Vec<(String, String)> {
    report["checks"]
        .as_array()
        .expect("checks[]")
        .iter()
        .filter(|c| c["status"] == "fail" || c["status"] == "error")
        .map(|c| {
            (
                c["id"].as_str().unwrap_or("").to_string(),
                c["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// Assert the run failed exactly through `expected` check ids, each message containing `needle`.
fn assert_defect(defect: &str, expected: &[&str], needle: &str) {
    let (code, report) = run_with(Some(defect));
    let failing = not_passing(&report);
    assert_eq!(
        code, 1,
        "defect {defect} must fail the run; failing: {failing:?}"
    );
    assert_eq!(report["verdict"], "fail");
    let ids: Vec<&str> = failing.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(
        ids, expected,
        "defect {defect}: unexpected set of failing checks {failing:?}"
    );
    for (id, msg) in &failing {
        assert!(
            msg.contains(needle),
            "defect {defect}: check {id} message `{msg}` does not name `{needle}`"
        );
    }
}

#[test]
fn healthy_run_passes_every_signal_check() {
    let (code, report) = run_with(None);
    let failing = not_passing(&report);
    assert_eq!(code, 0, "healthy run must pass; not passing: {failing:?}");
    assert!(failing.is_empty(), "{failing:?}");
    let checks = report["checks"].as_array().expect("checks[]");
    for kind in ["load", "metrics", "logs", "traces"] {
        let n = checks.iter().filter(|c| c["kind"] == kind).count();
        assert!(n > 0, "no `{kind}` checks in the report");
    }
    assert!(
        checks
            .iter()
            .any(|c| c["id"] == "metrics.present.pipeline_duration_seconds")
    );
    assert!(checks.iter().any(|c| c["id"] == "traces.propagation"));
    assert!(checks.iter().any(|c| c["id"] == "logs.correlation"));
}

#[test]
fn drop_traceparent_fails_propagation() {
    assert_defect("drop-traceparent", &["traces.propagation"], "traceparent");
}

#[test]
fn omitted_correlation_id_fails_log_checks() {
    assert_defect(
        "omit-log-field=correlation_id",
        &["logs.field.correlation_id", "logs.correlation"],
        "correlation_id",
    );
}

#[test]
fn renamed_metric_fails_presence_with_a_suggestion() {
    assert_defect(
        "rename-metric=render_failures_total:render_failure_total",
        &["metrics.present.render_failures_total"],
        "did you mean `render_failure_total`",
    );
}

#[test]
fn wrong_metric_type_fails_the_type_check() {
    assert_defect(
        "wrong-metric-type=pipeline_active_jobs",
        &["metrics.type.pipeline_active_jobs"],
        "pipeline_active_jobs",
    );
}

#[test]
fn unbounded_label_fails_the_cardinality_budget() {
    assert_defect(
        "unbounded-label",
        &["metrics.cardinality.pipeline_duration_seconds"],
        "job_id",
    );
}

#[test]
fn no_trace_export_fails_traces_received() {
    assert_defect("no-trace-export", &["traces.received"], "no spans received");
}

#[test]
fn smoke_scenario_passes_end_to_end() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = obsgate()
        .current_dir(repo_root())
        .args(["run", "scenarios/smoke.yaml", "--quiet", "--report-dir"])
        .arg(dir.path())
        .timeout(std::time::Duration::from_secs(240))
        .output()
        .expect("obsgate run starts");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "smoke must pass:\n{stdout}");
    for f in ["report.json", "report.md", "junit.xml", "report.html"] {
        assert!(dir.path().join(f).is_file(), "{f} not written");
    }
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("report.json")).expect("report.json"),
    )
    .expect("JSON");
    assert_registered(&report);
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["verdict"], "pass");
    let phases = report["load"]["phases"].as_array().expect("phases");
    assert_eq!(phases.len(), 2);
    for p in phases {
        let sent = p["sent"].as_u64().expect("sent");
        assert!(sent > 0);
        assert_eq!(
            p["scheduled"].as_u64(),
            Some(sent + p["dropped"].as_u64().unwrap_or(0))
        );
        assert_eq!(
            sent,
            p["succeeded"].as_u64().unwrap_or(0) + p["failed"].as_u64().unwrap_or(0)
        );
    }
    assert!(
        stdout.contains("report: "),
        "the report path is printed: {stdout}"
    );
}

#[test]
fn a_phase_fault_reaches_the_stub_and_shows_in_its_counters() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = obsgate()
        .current_dir(repo_root())
        .args([
            "run",
            "tests/fixtures/scenarios/faults.yaml",
            "--quiet",
            "--report-dir",
        ])
        .arg(dir.path())
        .timeout(std::time::Duration::from_secs(180))
        .output()
        .expect("obsgate run starts");
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("report.json")).expect("report.json"),
    )
    .expect("JSON");
    assert_registered(&report);
    let failing = not_passing(&report);
    assert_eq!(out.status.code(), Some(0), "{failing:?}");
    let check = |id: &str| {
        report["checks"]
            .as_array()
            .and_then(|cs| cs.iter().find(|c| c["id"] == id))
            .cloned()
            .unwrap_or_else(|| panic!("no check {id}"))
    };
    // The 40% failure fault of phase `failing` is what the stub's counters show (within the
    // binomial tolerance of the expectation), and the failures are the harness's failures.
    assert_eq!(
        check("metrics.relation.failure_ratio_matches_fault")["status"],
        "pass"
    );
    assert_eq!(
        check("metrics.relation.duration_count_failed")["status"],
        "pass"
    );
    let phases = report["load"]["phases"].as_array().expect("phases");
    let healthy_failed = phases[0]["failed"].as_u64().unwrap_or(0);
    let faulty_failed = phases[1]["failed"].as_u64().unwrap_or(0);
    assert!(
        faulty_failed > 4 * healthy_failed.max(1),
        "the fault phase must fail far more jobs: healthy {healthy_failed}, faulty {faulty_failed}"
    );
}
