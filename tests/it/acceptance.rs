//! `obsgate run` with an acceptance file: the run also probes the target's health and runs the
//! static checks on the stack files it is given (`--config-dir`), and the criteria decide the
//! verdict. A seeded defect in the given config fails the run through its criterion.

use std::path::Path;

use crate::util::{config_with, repo_root, run_scenario};

const SCENARIO: &str = "tests/fixtures/scenarios/acceptance.yaml";

/// Run the scenario with `--stack none` against `config_dir`; (exit code, report.json).
fn run_on(config_dir: &Path) -> (i32, serde_json::Value) {
    run_scenario(SCENARIO, &["--config-dir".as_ref(), config_dir.as_os_str()])
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
