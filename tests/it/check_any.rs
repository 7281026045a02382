//! `obsgate check` on files named with --rules/--dashboards/--alertmanager: the wrappers real
//! projects ship (PrometheusRule, ConfigMapList, API exports), severities, exit codes and the
//! JSON output contract.

use std::path::Path;

use crate::util::{assert_registered, corpus_dir, repo_root};

const FIX: &str = "tests/fixtures/check";

/// `obsgate check ARGS --no-tools --report-dir DIR` from the repository root; (exit code,
/// stdout, report.json).
fn check(args: &[&str], dir: &Path) -> (i32, String, serde_json::Value) {
    crate::util::obsgate_check(args, dir)
}

fn status_of<'a>(report: &'a serde_json::Value, id: &str) -> (&'a str, &'a str) {
    let c = report["checks"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["id"] == id))
        .unwrap_or_else(|| panic!("no check {id} in {report}"));
    (
        c["status"].as_str().unwrap_or_default(),
        c["message"].as_str().unwrap_or_default(),
    )
}

#[test]
fn a_prometheus_rule_manifest_is_read_and_its_bad_expression_named_at_its_line() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let file = format!("{FIX}/prometheusrule.yaml");
    let (code, out, report) = check(&["--rules", &file], tmp.path());
    assert_eq!(code, 1, "{out}");
    assert_registered(&report);
    let (st, msg) = status_of(&report, "rules.parse.prometheusrule.yaml");
    assert_eq!(st, "fail");
    // Line 29 of the manifest, not of its `spec`.
    assert!(
        msg.contains("prometheusrule.yaml:29: rule `CheckoutBroken`"),
        "{msg}"
    );
    // The relative runbook exists beside the file; the external one is taken as it is.
    assert_eq!(status_of(&report, "rules.runbook.CheckoutErrors").0, "pass");
    assert_eq!(status_of(&report, "rules.runbook.CheckoutSlow").0, "pass");
    // No expectations: no contract checks.
    let ids: Vec<&str> = report["checks"]
        .as_array()
        .map(|cs| cs.iter().filter_map(|c| c["id"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        !ids.iter()
            .any(|i| i.starts_with("routes.") || i.starts_with("docs.")),
        "{ids:?}"
    );
}

#[test]
fn a_relative_runbook_that_names_no_file_fails() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let copy = tmp.path().join("rules.yaml");
    std::fs::copy(repo_root().join(FIX).join("prometheusrule.yaml"), &copy).expect("copy");
    let (code, out, report) = check(&["--rules", &copy.display().to_string()], tmp.path());
    assert_eq!(code, 1, "{out}");
    let (st, msg) = status_of(&report, "rules.runbook.CheckoutSlow");
    assert_eq!(st, "fail");
    assert!(
        msg.contains("runbooks/checkout-slow.md") && msg.contains("names no file"),
        "{msg}"
    );
}

#[test]
fn dashboards_in_a_config_map_list_unresolved_inputs_fail_and_old_schemas_warn() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let file = format!("{FIX}/dashboards-configmap.yaml");
    let (code, out, report) = check(&["--dashboards", &file], tmp.path());
    assert_eq!(code, 1, "{out}");
    let (st, msg) = status_of(&report, "dashboards.datasource.shop");
    assert_eq!(st, "fail");
    assert!(
        msg.contains("${DS_PROM}") && msg.contains("nothing resolves it"),
        "{msg}"
    );
    let (st, msg) = status_of(&report, "dashboards.model.shop");
    assert_eq!(st, "warn");
    assert!(
        msg.contains("schemaVersion 16") && msg.contains("Grafana migrates it"),
        "{msg}"
    );
    assert!(msg.contains("(data.shop.json)"), "{msg}");
}

#[test]
fn warnings_alone_pass_unless_fail_on_warn_and_json_output_is_report_json() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let file = format!("{FIX}/exported.json");
    let (code, out, report) = check(&["--dashboards", &file, "--output", "json"], tmp.path());
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        status_of(&report, "dashboards.datasource.exported").0,
        "pass"
    );
    let (st, msg) = status_of(&report, "dashboards.model.exported");
    assert_eq!(st, "warn");
    assert!(msg.contains("__inputs (DS_PROMETHEUS)"), "{msg}");
    let printed: serde_json::Value = serde_json::from_str(&out).expect("stdout is JSON");
    assert_eq!(printed, report, "--output json prints report.json");
    assert_eq!(report["verdict"], "pass");
    let strict = tempfile::tempdir().expect("temp dir");
    let (code, _, report) = check(&["--dashboards", &file, "--fail-on", "warn"], strict.path());
    assert_eq!((code, report["verdict"].as_str()), (1, Some("fail")));
}

#[test]
fn arguments_that_match_nothing_fail_and_usage_errors_exit_2() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (code, out, report) = check(&["--rules", "no/such/*.yaml"], tmp.path());
    assert_eq!(code, 1, "{out}");
    let (st, msg) = status_of(&report, "rules.files");
    assert_eq!(st, "fail");
    assert!(
        msg.contains("--rules `no/such/*.yaml` matches no file"),
        "{msg}"
    );
    let rules = format!("{FIX}/prometheusrule.yaml");
    for args in [
        vec!["--config-dir", "config", "--rules", &rules],
        vec!["--rules", &rules, "--expect-dir", "no/such/dir"],
        vec!["--alertmanager", "no/such/alertmanager.yml"],
    ] {
        let dir = tempfile::tempdir().expect("temp dir");
        let (code, out, _) = check(&args, dir.path());
        assert_eq!(code, 2, "{args:?}: {out}");
        assert!(
            out.contains("no/such") || out.contains("exclude each other"),
            "{out}"
        );
    }
}

#[test]
fn the_human_table_lists_the_first_findings_and_counts_the_rest() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let text =
        std::fs::read_to_string(repo_root().join(FIX).join("exported.json")).expect("fixture");
    // Eight panels on an input nothing declares: eight datasource findings.
    let mut v: serde_json::Value = serde_json::from_str(&text).expect("json");
    let panel = v["dashboard"]["panels"][0].clone();
    v["dashboard"]["__inputs"] = serde_json::json!([]);
    v["dashboard"]["panels"] = serde_json::Value::Array(vec![panel; 8]);
    let file = tmp.path().join("many.json");
    std::fs::write(&file, v.to_string()).expect("write");
    let (code, out, report) = check(&["--dashboards", &file.display().to_string()], tmp.path());
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("… and 3 more (report.md)"), "{out}");
    let c = report["checks"]
        .as_array()
        .and_then(|cs| {
            cs.iter()
                .find(|c| c["id"] == "dashboards.datasource.exported")
        })
        .expect("check");
    assert_eq!(
        c["evidence"].as_array().map(Vec::len),
        Some(8),
        "all listed"
    );
}

#[test]
fn the_corpus_rules_and_dashboards_read_as_named_files_without_a_false_failure() {
    let Some(corpus) = corpus_dir() else {
        eprintln!("skipping: no corpus");
        return;
    };
    let tmp = tempfile::tempdir().expect("temp dir");
    let (rules, dash) = (corpus.join("rules"), corpus.join("dashboards"));
    let args = [
        "--rules",
        &rules.display().to_string(),
        "--dashboards",
        &dash.display().to_string(),
    ];
    let (_, out, report) = check(&args, tmp.path());
    assert_registered(&report);
    let fails: Vec<String> = report["checks"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .filter(|c| c["status"] == "fail" || c["status"] == "error")
                .map(|c| format!("{}: {}", c["id"], c["message"]))
                .collect()
        })
        .unwrap_or_default();
    // The real defects of these files, each verified against Prometheus's semantics: an
    // annotation names a label the aggregation or the `on()` matching drops, so it renders
    // empty. Nothing else may fail.
    let real = [
        "rules.label_exists.KubernetesNodeOutOfPodCapacity",
        "rules.label_exists.KubernetesHpaScaleInability",
        "rules.label_exists.KubernetesHpaUnderutilized",
        "rules.label_exists.KubernetesPodNotHealthy",
        "rules.label_exists.high_memory_load",
    ];
    let unexpected: Vec<&String> = fails
        .iter()
        .filter(|f| !real.iter().any(|r| f.starts_with(&format!("\"{r}\""))))
        .collect();
    assert!(unexpected.is_empty(), "{unexpected:?}\n{out}");
    assert_eq!(fails.len(), real.len(), "{fails:?}");
}

#[test]
fn a_policy_exception_turns_a_finding_off_with_its_reason_and_a_bad_policy_exits_2() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let policy = tmp.path().join("obsgate.yaml");
    std::fs::write(
        &policy,
        "exceptions:\n  - check: dashboards.datasource.*\n    files: [\"dashboards-configmap.yaml\"]\n    \
         severity: off\n    reason: the DS_PROM input is set by our import job\n",
    )
    .expect("write");
    let file = format!("{FIX}/dashboards-configmap.yaml");
    let p = policy.display().to_string();
    let (code, out, report) = check(&["--dashboards", &file, "--policy", &p], tmp.path());
    assert_eq!(code, 0, "{out}");
    let (st, msg) = status_of(&report, "dashboards.datasource.shop");
    assert_eq!(st, "skip");
    assert!(
        msg.contains("obsgate.yaml:2: the DS_PROM input is set by our import job"),
        "{msg}"
    );
    std::fs::write(
        &policy,
        "exceptions:\n  - check: x\n    severity: off\n    reason: \" \"\n",
    )
    .expect("write");
    let (code, out, _) = check(&["--dashboards", &file, "--policy", &p], tmp.path());
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("obsgate.yaml:4:") && out.contains("`reason` is empty"),
        "{out}"
    );
}
