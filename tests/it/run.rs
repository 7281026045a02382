//! `obsgate run` end to end on the real stub child: a healthy short run passes every signal
//! check, and each stub defect switch makes the run exit 1 with the report naming the defect
//! through the right check (and only that one).

use crate::util::{obsgate, repo_root};

const SCENARIO: &str = "tests/fixtures/scenarios/signals.yaml";

/// Run the short scenario with `defect` (if any) and return (exit code, report.json).
fn run_with(defect: Option<&str>) -> (i32, serde_json::Value) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut cmd = obsgate();
    cmd.current_dir(repo_root())
        .args(["run", SCENARIO, "--quiet", "--report-dir"])
        .arg(dir.path())
        .timeout(std::time::Duration::from_secs(180));
    if let Some(d) = defect {
        cmd.args(["--stub-defect", d]);
    }
    let out = cmd.output().expect("obsgate run starts");
    let code = out.status.code().unwrap_or(-1);
    let text = std::fs::read_to_string(dir.path().join("report.json")).unwrap_or_else(|e| {
        panic!(
            "no report.json ({e}); stdout:\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (
        code,
        serde_json::from_str(&text).expect("report.json is JSON"),
    )
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
