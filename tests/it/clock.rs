//! One clock: a managed stack at the scenario's time scale. A boundary fixture at K = 30 passes
//! with its rule as written and fails, naming the alert, with its threshold doubled; rules the
//! compressed clock cannot keep and external stacks on wall time are refused before anything
//! runs. (The two-alert timings at K = 30 are in `rehearsal.rs`.)

use std::path::Path;

use crate::util::{check_status, copy_dir, obsgate, repo_root, run_scenario_on, stack_binaries};

const BOUNDARY: &str = "tests/fixtures/alerts/boundary";

/// The boundary fixture's config, copied, with `edit` applied to its rule file.
fn boundary_config(edit: impl Fn(&str) -> String) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("config");
    copy_dir(&repo_root().join(BOUNDARY).join("config"), &dir);
    let rules = dir.join("rules.yaml");
    let text = std::fs::read_to_string(&rules).expect("rules");
    std::fs::write(&rules, edit(&text)).expect("write rules");
    tmp
}

/// `obsgate run` of the boundary fixture with the managed stack on `config`, for the runs
/// that must be refused before any report is written.
fn obsgate_run(config: &Path, report_dir: &Path) -> std::process::Output {
    obsgate()
        .current_dir(repo_root())
        .args(["run", &format!("{BOUNDARY}/scenario.yaml"), "--quiet"])
        .args(["--stack", "managed"])
        .arg("--config-dir")
        .arg(config)
        .arg("--report-dir")
        .arg(report_dir)
        .timeout(std::time::Duration::from_secs(300))
        .output()
        .expect("obsgate run starts")
}

/// The boundary fixture's run on `config`; (exit code, report.json).
fn run_boundary(config: &Path) -> (i32, serde_json::Value) {
    let scenario = format!("{BOUNDARY}/scenario.yaml");
    run_scenario_on(
        "managed",
        &scenario,
        &["--config-dir".as_ref(), config.as_os_str()],
    )
}

#[test]
fn the_boundary_fixture_passes_as_written_and_catches_a_doubled_threshold() {
    if !stack_binaries("clock test") {
        return;
    }
    let as_written = boundary_config(str::to_string);
    let (code, r) = run_boundary(&as_written.path().join("config"));
    let alert = "JobFailuresPerMinute";
    assert_eq!(
        code,
        0,
        "{:?}",
        check_status(&r, &format!("alerts.fired.{alert}"))
    );
    assert_eq!(r["clock"]["time_scale"], 30.0);
    assert_eq!(r["clock"]["alert_clock"], "scenario");
    let rewritten = r["clock"]["rules"][0]["rewritten"].as_str().unwrap_or("");
    assert!(
        rewritten.contains("[10s]") && rewritten.contains("/ 30"),
        "{rewritten}"
    );
    let doubled = boundary_config(|t| t.replace("* 60 > 3", "* 60 > 6"));
    let (code, r) = run_boundary(&doubled.path().join("config"));
    assert_eq!(code, 1);
    let (st, msg) = check_status(&r, &format!("alerts.fired.{alert}"));
    assert_eq!(st, "fail", "{msg}");
    assert!(msg.contains(alert) && msg.contains("above"), "{msg}");
}

#[test]
fn a_rule_reading_the_wall_clock_is_refused_with_its_location() {
    if !stack_binaries("clock test") {
        return;
    }
    let cfg = boundary_config(|t| {
        t.replace(
            "for: 1m\n",
            "for: 1m\n      - alert: Stale\n        expr: time() - process_start_time_seconds > 3600\n",
        )
    });
    let out = obsgate_run(&cfg.path().join("config"), &cfg.path().join("report"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("rules.yaml:9:") && err.contains("`Stale`") && err.contains("time()"),
        "{err}"
    );
    assert!(err.contains("--time-scale 1"), "{err}");
}

#[test]
fn an_external_stack_on_wall_time_needs_the_clock_skew_allowed() {
    let out = obsgate()
        .current_dir(repo_root())
        .args(["run", &format!("{BOUNDARY}/scenario.yaml"), "--quiet"])
        .args([
            "--stack",
            "external",
            "--prometheus-url",
            "http://127.0.0.1:9",
        ])
        .args(["--alertmanager-url", "http://127.0.0.1:9"])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .expect("obsgate run starts");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--allow-clock-skew") && err.contains("time scale 30"),
        "{err}"
    );
}
