//! `obsgate run` with the managed stack (real Prometheus and Alertmanager from PATH) on fixture
//! rules, on one clock at time scale 30: an alert fires and is routed to Slack #critical and PagerDuty;
//! a routing defect and an unexpected alert fail the run; a dashboard panel that never has
//! data fails its live check. Skipped with a note when the binaries are absent.

use crate::util::{assert_registered, have, obsgate, repo_root};

/// Run `scenario` with the managed stack over `config_dir`; (exit code, report.json).
fn rehearse(scenario: &str, config_dir: &str) -> Option<(i32, serde_json::Value)> {
    if !(have("prometheus") && have("prometheus-alertmanager")) {
        eprintln!("note: prometheus/prometheus-alertmanager not on PATH; rehearsal test skipped");
        return None;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let out = obsgate()
        .current_dir(repo_root())
        .args([
            "run",
            scenario,
            "--quiet",
            "--stack",
            "managed",
            "--config-dir",
            config_dir,
        ])
        .arg("--report-dir")
        .arg(dir.path())
        .timeout(std::time::Duration::from_secs(400))
        .output()
        .expect("obsgate run starts");
    let text = std::fs::read_to_string(dir.path().join("report.json")).unwrap_or_else(|e| {
        panic!(
            "no report.json ({e}); stdout:\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert!(
        dir.path().join("prometheus.log").is_file(),
        "the stack's logs are kept"
    );
    let report = serde_json::from_str(&text).expect("JSON");
    assert_registered(&report);
    Some((out.status.code().unwrap_or(-1), report))
}

fn check<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["checks"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["id"] == id))
        .unwrap_or_else(|| panic!("no check {id} in {}", report["checks"]))
}

fn failing(report: &serde_json::Value) -> Vec<String> {
    report["checks"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .filter(|c| c["status"] == "fail" || c["status"] == "error")
                .map(|c| format!("{}: {}", c["id"], c["message"]))
                .collect()
        })
        .unwrap_or_default()
}

/// The fixture's two alerts, each expected by its own file: both files are judged (a second
/// alerts file was once silently all-skip).
#[test]
fn an_alert_fires_is_routed_and_resolves_with_its_timings() {
    let Some((code, r)) = rehearse(
        "tests/fixtures/alerts/two-files.yaml",
        "tests/fixtures/alerts/run-config",
    ) else {
        return;
    };
    assert_eq!(code, 0, "failing: {:?}", failing(&r));
    let skipped: Vec<&serde_json::Value> = r["checks"]
        .as_array()
        .into_iter()
        .flatten()
        // The expectation checks (`alerts.*`) of both files; a `notifications.*` check may
        // rightly skip (a warning alert sends no page).
        .filter(|c| c["kind"] == "alerts" && c["status"] == "skip")
        .filter(|c| c["id"].as_str().is_some_and(|id| id.starts_with("alerts.")))
        .collect();
    assert!(skipped.is_empty(), "{skipped:?}");
    for id in [
        "alerts.fired.RenderFailuresFast",
        "alerts.routing.RenderFailuresFast",
        "alerts.resolved.RenderFailuresFast",
        "alerts.silent.RenderFailuresFast",
        "alerts.fired.JobFailuresPerMinute",
        "alerts.resolved.JobFailuresPerMinute",
        "alerts.unexpected",
    ] {
        assert_eq!(
            check(&r, id)["status"],
            "pass",
            "{id}: {}",
            check(&r, id)["message"]
        );
    }
    let a = &r["alerts"][0];
    assert_eq!(a["alert"], "RenderFailuresFast");
    assert_eq!(a["fired"], true);
    let receivers: Vec<&str> = a["receivers"]
        .as_array()
        .expect("receivers")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert!(receivers.contains(&"slack:#critical"), "{receivers:?}");
    assert!(
        receivers.contains(&"pagerduty:fixture-pd-routing-key"),
        "{receivers:?}"
    );
    // One clock at time scale 30: timings are scenario seconds, near their bounds (scrape 15s +
    // evaluation 15s + `for` + group_wait 10s) and inside the expectations' 3 minutes.
    assert_eq!(r["clock"]["time_scale"], 30.0);
    assert_eq!(r["clock"]["alert_clock"], "scenario");
    for a in r["alerts"].as_array().expect("alerts") {
        let firing = a["firing_after_s"].as_f64().expect("firing_after_s");
        let bound = a["bound_s"].as_f64().expect("bound_s");
        assert!(
            firing >= bound * 0.5 && firing <= 180.0,
            "{}: firing {firing}s against its bound {bound}s",
            a["alert"]
        );
        assert!(
            a["resolved_after_s"].as_f64().is_some(),
            "resolution observed: {a}"
        );
    }
    let rules = r["clock"]["rules"].as_array().expect("rewritten rules");
    assert_eq!(rules.len(), 2, "{rules:?}");
    assert!(
        rules
            .iter()
            .any(|w| w["rewritten"].as_str().is_some_and(|t| t.contains("/ 30"))),
        "the per-minute rate is divided by K: {rules:?}"
    );
}

#[test]
fn a_critical_alert_routed_only_to_slack_and_an_empty_dashboard_fail_the_run() {
    let Some((code, r)) = rehearse(
        "tests/fixtures/alerts/short.yaml",
        "tests/fixtures/alerts/wrong-route-config",
    ) else {
        return;
    };
    assert_eq!(code, 1);
    let routing = check(&r, "alerts.routing.RenderFailuresFast");
    assert_eq!(routing["status"], "fail");
    let msg = routing["message"].as_str().unwrap_or("");
    assert!(
        msg.contains("pagerduty:fixture-pd-routing-key"),
        "names the missing page: {msg}"
    );
    assert_eq!(
        check(&r, "alerts.fired.RenderFailuresFast")["status"],
        "pass"
    );
    assert_eq!(
        check(&r, "dashboards.live.fixture-with-data")["status"],
        "pass"
    );
    let empty = check(
        &r,
        "dashboards.live.fixture-no-data.render_failures_by_an_impossible_reason.A",
    );
    assert_eq!(empty["status"], "fail");
    let msg = empty["message"].as_str().unwrap_or("");
    assert!(
        msg.contains("Render failures by an impossible reason") && msg.contains("never-happens"),
        "{msg}"
    );
}

#[test]
fn an_alert_nobody_expects_fails_the_run() {
    let Some((code, r)) = rehearse(
        "tests/fixtures/alerts/unexpected.yaml",
        "tests/fixtures/alerts/run-config",
    ) else {
        return;
    };
    assert_eq!(code, 1);
    let u = check(&r, "alerts.unexpected");
    assert_eq!(u["status"], "fail");
    assert!(
        u["message"]
            .as_str()
            .unwrap_or("")
            .contains("RenderFailuresFast")
    );
}
