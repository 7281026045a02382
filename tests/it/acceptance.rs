//! `obsgate run` with an acceptance file: the run also probes the target's health and runs the
//! static checks on the stack files it is given (`--config-dir`), and the criteria decide the
//! verdict. A seeded defect in the given config fails the run through its criterion.

use std::path::Path;

use crate::util::{assert_registered, config_with, obsgate, repo_root};

const SCENARIO: &str = "tests/fixtures/scenarios/acceptance.yaml";

/// Run the scenario with `--stack none` against `config_dir`; (exit code, report.json).
fn run_on(config_dir: &Path) -> (i32, serde_json::Value) {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = obsgate()
        .current_dir(repo_root())
        .args([
            "run",
            SCENARIO,
            "--quiet",
            "--stack",
            "none",
            "--config-dir",
        ])
        .arg(config_dir)
        .arg("--report-dir")
        .arg(dir.path())
        .timeout(std::time::Duration::from_secs(180))
        .output()
        .expect("obsgate run starts");
    let text = std::fs::read_to_string(dir.path().join("report.json")).unwrap_or_else(|e| {
        panic!(
            "no report.json ({e}); stderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let report: serde_json::Value = serde_json::from_str(&text).expect("report.json is JSON");
    assert_registered(&report);
    (out.status.code().unwrap_or(-1), report)
}

fn criterion<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["criteria"]
        .as_array()
        .expect("criteria[]")
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no criterion {id} in {}", report["criteria"]))
}

fn check<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["checks"]
        .as_array()
        .expect("checks[]")
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id}"))
}

#[test]
fn shipped_config_passes_every_criterion() {
    let (code, report) = run_on(&repo_root().join("config"));
    for id in [
        "AC1", "AC2", "AC3", "AC4", "AC5", "AC6", "AC7", "AC8", "AC9", "AC10",
    ] {
        let c = criterion(&report, id);
        assert_eq!(c["status"], "pass", "{c}");
    }
    assert_eq!(check(&report, "health.target.metrics")["status"], "pass");
    assert_eq!(report["verdict"], "pass", "{}", report["checks"]);
    assert_eq!(code, 0);
}

#[test]
fn a_misspelled_metric_in_the_given_config_fails_its_criterion() {
    let tmp = config_with("misspelled-metric", "alert-rules.yaml");
    let (code, report) = run_on(&tmp.path().join("config"));
    let c = check(&report, "rules.metric.RenderFailures");
    assert_eq!(c["status"], "fail", "{c}");
    let message = c["message"].as_str().unwrap_or("");
    assert!(message.contains("render_failure_total"), "{message}");
    let s1 = criterion(&report, "AC3");
    assert_eq!(s1["status"], "fail", "{s1}");
    assert!(
        s1["message"]
            .as_str()
            .unwrap_or("")
            .contains("rules.metric.RenderFailures"),
        "{s1}"
    );
    assert_eq!(criterion(&report, "AC1")["status"], "pass");
    assert_eq!(report["verdict"], "fail");
    assert_eq!(code, 1);
}
