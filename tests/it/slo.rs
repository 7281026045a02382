//! SLOs end to end: `obsgate slo generate` writes rules promtool accepts and `--check` and
//! `obsgate check` catch a hand-edited factor; a compressed run on a 2-day SLO sees its fast
//! tier fire within its theoretical time to detect while the 0.5x control and a 4x phase stay
//! silent, and the same run with the tier's budget share cut tenfold (factor 1.44) fails.

use std::path::Path;

use crate::util::{
    check_status, copy_dir, have, obsgate, repo_root, run_scenario_on, stack_binaries,
};

const FIXTURE: &str = "tests/fixtures/slo";
const FAST: &str = "JobSuccess2dBudgetBurn4m";

fn generate(slos: &Path, check: bool) -> std::process::Output {
    let mut cmd = obsgate();
    cmd.args(["slo", "generate", "--slos"]).arg(slos);
    if check {
        cmd.arg("--check");
    }
    cmd.output().expect("obsgate slo generate runs")
}

#[test]
fn generated_rules_pass_promtool_and_a_hand_edit_is_caught() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let config = tmp.path().join("config");
    copy_dir(&repo_root().join("config"), &config);
    let slos = config.join("slos.yaml");
    assert_eq!(
        generate(&slos, true).status.code(),
        Some(0),
        "the shipped file is current"
    );
    let rules = config.join("slo-rules.yaml");
    if have("promtool") {
        let out = std::process::Command::new("promtool")
            .args(["check", "rules"])
            .arg(&rules)
            .output()
            .expect("promtool runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    let text = std::fs::read_to_string(&rules).expect("rules");
    std::fs::write(&rules, text.replacen("(14.4 * 0.005)", "(1.44 * 0.005)", 1)).expect("write");
    let out = generate(&slos, true);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("out of date"));
    let report = tmp.path().join("report");
    let out = obsgate()
        .current_dir(repo_root())
        .arg("check")
        .arg("--config-dir")
        .arg(&config)
        .arg("--report-dir")
        .arg(&report)
        .output()
        .expect("obsgate check runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let line = stdout
        .lines()
        .find(|l| l.starts_with("slo.rules_current"))
        .unwrap_or("");
    assert!(
        line.contains("fail") && line.contains("(1.44 * 0.005)"),
        "{stdout}"
    );
    // Regenerating repairs it.
    assert_eq!(generate(&slos, false).status.code(), Some(0));
    assert_eq!(generate(&slos, true).status.code(), Some(0));
}

#[test]
fn the_fast_tier_fires_within_theory_and_the_control_stays_silent() {
    if !stack_binaries("SLO run") {
        return;
    }
    let (code, r) = run_scenario_on("managed", &format!("{FIXTURE}/scenario.yaml"), &[]);
    let detect = check_status(&r, &format!("slo.detect.{FAST}"));
    assert_eq!(code, 0, "{detect:?}\n{}", r["checks"]);
    assert_eq!(detect.0, "pass", "{detect:?}");
    assert!(detect.1.contains("theory 2m"), "{detect:?}");
    let silent = check_status(&r, &format!("alerts.silent.{FAST}"));
    assert_eq!(
        silent,
        ("pass", &*format!("{FAST} did not fire in control, low"))
    );
    let tier = &r["slo"][0]["tiers"][0];
    assert!(tier["detected_s"].as_f64().is_some(), "{tier}");
    let control = &r["slo"][0]["phases"][0];
    assert_eq!(control["phase"], "control");
    let burn = control["burn"].as_f64().expect("control burn");
    // The control phase is set to burn half the budget; with a few failed jobs in it, the
    // count varies from run to run. What matters: it burned, and stayed under 1x.
    assert!((0.1..1.0).contains(&burn), "control burned {burn}x");
}

#[test]
fn a_tenfold_lower_burn_factor_fires_too_early_and_fails() {
    if !stack_binaries("SLO run") {
        return;
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("slo");
    copy_dir(&repo_root().join(FIXTURE), &dir);
    let slos = dir.join("slos.yaml");
    let text = std::fs::read_to_string(&slos).expect("slos");
    std::fs::write(
        &slos,
        text.replace("budget_percent: 2,", "budget_percent: 0.2,"),
    )
    .expect("w");
    assert_eq!(generate(&slos, false).status.code(), Some(0));
    let scenario = dir.join("scenario.yaml");
    let (code, r) = run_scenario_on("managed", &scenario.display().to_string(), &[]);
    assert_eq!(code, 1);
    let (s, m) = check_status(&r, &format!("alerts.silent.{FAST}"));
    assert_eq!(s, "fail", "{m}");
    assert!(m.contains("low"), "{m}");
}
