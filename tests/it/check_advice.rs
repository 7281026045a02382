//! `obsgate check` advice and locations: dashboard-linter advice on panels (warn), findings on
//! dashboard targets at their JSON line:column, and an alert without `severity` that the
//! routing tree cannot deliver (fail) versus one it can (warn).

use std::path::Path;

const FIX: &str = "tests/fixtures/check/advice";

/// `obsgate check ARGS --no-tools`: (exit code, report.json).
fn check(args: &[&str], dir: &Path) -> (i32, serde_json::Value) {
    let mut all = args.to_vec();
    all.push("--no-tools");
    let (code, _, report) = crate::util::obsgate_check(&all, dir);
    (code, report)
}

/// (status, message, every evidence line) of one check.
fn check_of(report: &serde_json::Value, id: &str) -> (String, String, String) {
    let c = report["checks"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["id"] == id))
        .unwrap_or_else(|| panic!("no check {id} in {report}"));
    let evidence = serde_json::to_string(&c["evidence"]).unwrap_or_default();
    (
        c["status"].as_str().unwrap_or_default().to_string(),
        c["message"].as_str().unwrap_or_default().to_string(),
        evidence,
    )
}

#[test]
fn dashboard_advice_warns_with_the_target_line_and_column_and_a_clean_dashboard_passes() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let file = format!("{FIX}/lint-advice.json");
    let (code, report) = check(&["--dashboards", &file], tmp.path());
    assert_eq!(code, 1, "the broken target fails: {report}");
    let (st, msg, _) = check_of(&report, "dashboards.promql.checkout-legacy");
    assert_eq!(st, "fail");
    assert!(
        msg.contains("lint-advice.json:26:32 panel \"Broken\" (panels[1]) refId A"),
        "{msg}"
    );
    let (st, msg, _) = check_of(&report, "dashboards.lint.datasource.checkout-legacy");
    assert_eq!(st, "warn");
    assert!(msg.contains("no datasource template variable"), "{msg}");
    let (st, msg, all) = check_of(&report, "dashboards.lint.rate_interval.checkout-legacy");
    assert_eq!(st, "warn");
    assert!(msg.starts_with("2 advice; first:"), "{msg}");
    assert!(
        msg.contains("lint-advice.json:16:32") && msg.contains("rate() over a fixed range"),
        "{msg}"
    );
    assert!(
        all.contains("lint-advice.json:17:32") && all.contains("irate()"),
        "{all}"
    );
    let (st, msg, _) = check_of(&report, "dashboards.lint.units.checkout-legacy");
    assert_eq!(st, "warn");
    assert!(
        msg.contains(
            "lint-advice.json:11:5 panel \"Requests\" (panels[0]): timeseries panel without a unit"
        ),
        "{msg}"
    );
    let (st, msg, _) = check_of(&report, "dashboards.lint.matchers.checkout-legacy");
    assert_eq!(st, "warn");
    assert!(
        msg.contains("lint-advice.json:17:32") && msg.contains("without job=~\"$job\""),
        "{msg}"
    );

    let clean = tempfile::tempdir().expect("temp dir");
    let file = format!("{FIX}/lint-clean.json");
    let (code, report) = check(&["--dashboards", &file], clean.path());
    for lint in ["datasource", "rate_interval", "units", "matchers"] {
        let (st, msg, _) = check_of(&report, &format!("dashboards.lint.{lint}.checkout"));
        assert_eq!(st, "pass", "{lint}: {msg}");
    }
    assert_eq!(code, 0, "{report}");
}

#[test]
fn an_alert_without_severity_fails_only_when_the_routing_tree_cannot_deliver_it() {
    let rules = format!("{FIX}/rules.yaml");
    let tmp = tempfile::tempdir().expect("temp dir");
    let am = format!("{FIX}/alertmanager.yml");
    let (code, report) = check(&["--rules", &rules, "--alertmanager", &am], tmp.path());
    assert_eq!(code, 1, "{report}");
    let (st, msg, _) = check_of(&report, "rules.labels.CheckoutDown");
    assert_eq!(st, "fail");
    assert!(
        msg.contains("has no `severity` label")
            && msg.contains("receiver `blackhole` has no integration"),
        "{msg}"
    );
    assert_eq!(check_of(&report, "rules.labels.CheckoutErrors").0, "pass");

    let routed = tempfile::tempdir().expect("temp dir");
    let am = format!("{FIX}/alertmanager-default.yml");
    let (_, report) = check(&["--rules", &rules, "--alertmanager", &am], routed.path());
    let (st, msg, _) = check_of(&report, "rules.labels.CheckoutDown");
    assert_eq!(st, "warn", "{msg}");
    assert!(msg.contains("lacks label `severity`"), "{msg}");

    let alone = tempfile::tempdir().expect("temp dir");
    let (_, report) = check(&["--rules", &rules], alone.path());
    assert_eq!(check_of(&report, "rules.labels.CheckoutDown").0, "warn");
}
