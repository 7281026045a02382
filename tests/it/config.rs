//! Integration tests: config — `obsgate check` on the shipped stack and on broken fixtures,
//! promtool/amtool on the shipped files, and every parser and check over the third-party
//! corpus without a panic.

use std::path::{Path, PathBuf};

use obsgate::check::config::dashboards::{DashboardPolicy, check_dashboard, panel_queries};
use obsgate::check::config::lint_checks;
use obsgate::check::config::routes::{RoutingModel, check_routes};
use obsgate::check::config::rules::{RulesPolicy, check_rule_file};
use obsgate::check::config::rules_metrics::KnownMetrics;
use obsgate::config::alertmanager::AlertmanagerConfig;
use obsgate::config::grafana::ProvisionedDatasource;
use obsgate::config::rules_file::RuleFile;
use obsgate::config::{load_dashboard, load_yaml, parse_yaml};
use obsgate::expect::routes::RoutesExpectations;
use obsgate::verdict::Status;

use crate::util::{
    assert_registered, assert_registered_dir, config_with, corpus_dir, have, obsgate, repo_root,
};

/// A copy of `config/` in a temporary folder with one fixture file laid over it.
/// `obsgate check` from the repository root, writing its report into `report_dir`.
fn check_cmd(config_dir: &Path, report_dir: &Path) -> assert_cmd::Command {
    let mut cmd = obsgate();
    cmd.current_dir(repo_root())
        .arg("check")
        .arg("--config-dir")
        .arg(config_dir)
        .arg("--report-dir")
        .arg(report_dir);
    cmd
}

#[test]
fn check_passes_on_the_shipped_config() {
    let rep = tempfile::tempdir().expect("temp dir");
    let out = check_cmd(Path::new("config"), rep.path()).assert().code(0);
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(stdout.contains("routes.PipelineHighErrorRate"), "{stdout}");
    assert!(stdout.contains("compose.retention"), "{stdout}");
    assert!(stdout.contains(" 0 fail, 0 warn, 0 error"), "{stdout}");
}

#[test]
fn check_json_output_and_report_file() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = check_cmd(Path::new("config"), tmp.path())
        .args(["--output", "json"])
        .assert()
        .code(0);
    let v: serde_json::Value =
        serde_json::from_slice(&out.get_output().stdout).expect("stdout is JSON");
    assert_registered(&v);
    let checks = v["checks"].as_array().expect("checks array");
    assert!(checks.iter().all(|c| c["status"] != "fail"));
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(tmp.path().join("report.json")).expect("report.json written"),
    )
    .expect("report is JSON");
    assert_eq!(report["verdict"], "pass");
    assert_eq!(report["scenario"], "check");
}

/// Run `obsgate check` on the shipped config with one file replaced by a broken fixture; it
/// must exit 1, and the line of the check starting with `prefix` must say `fail`.
fn failing_line(fixture: &str, file: &str, prefix: &str) -> String {
    let tmp = config_with(fixture, file);
    let out = check_cmd(&tmp.path().join("config"), tmp.path())
        .assert()
        .code(1);
    assert_registered_dir(tmp.path());
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let line = stdout
        .lines()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no `{prefix}` check listed in:\n{stdout}"))
        .to_string();
    assert!(line.contains("fail"), "{line}");
    line
}

#[test]
fn check_fails_on_a_misspelled_metric() {
    let line = failing_line(
        "misspelled-metric",
        "alert-rules.yaml",
        "rules.metric.RenderFailures",
    );
    assert!(
        line.contains("`render_failure_total` (did you mean `render_failures_total`?)"),
        "{line}"
    );
    assert!(line.contains("alert-rules.yaml:42"), "{line}");
}

#[test]
fn check_fails_when_a_critical_alert_reaches_slack_only() {
    let line = failing_line(
        "critical-slack-only",
        "alertmanager.yml",
        "routes.SLABreach ",
    );
    assert!(
        line.contains(
            "receiver `critical` has no PagerDuty routing key; expected video-pipeline-critical"
        ),
        "{line}"
    );
}

#[test]
fn unparseable_stack_file_is_a_finding_and_a_missing_folder_exit_2() {
    // A syntax error of a checked file is a defect of that file: exit 1, with its line.
    let tmp = config_with("unparseable-routes", "alertmanager.yml");
    let out = check_cmd(&tmp.path().join("config"), tmp.path())
        .assert()
        .code(1);
    assert_registered_dir(tmp.path());
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let line = stdout
        .lines()
        .find(|l| l.starts_with("alertmanager.parse "))
        .unwrap_or_default();
    assert!(
        line.contains(" fail ") && line.contains("alertmanager.yml:"),
        "{stdout}"
    );
    let missing = obsgate()
        .current_dir(repo_root())
        .args(["check", "--config-dir", "no/such/dir", "--report-dir"])
        .arg(tmp.path())
        .assert()
        .code(2);
    assert!(String::from_utf8_lossy(&missing.get_output().stderr).contains("no/such/dir"));
}

#[test]
fn promtool_and_amtool_accept_the_shipped_files() {
    if have("promtool") {
        obsgate_free("promtool", &["check", "rules", "config/alert-rules.yaml"]);
        obsgate_free("promtool", &["check", "config", "config/prometheus.yml"]);
    }
    if have("amtool") {
        obsgate_free("amtool", &["check-config", "config/alertmanager.yml"]);
    }
}

fn obsgate_free(bin: &str, args: &[&str]) {
    let out = std::process::Command::new(bin)
        .args(args)
        .current_dir(repo_root())
        .output()
        .expect("tool runs");
    assert!(
        out.status.success(),
        "{bin} {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The shared corpus: beside the repository, or in `shared/corpus` of any ancestor folder
/// (worktrees sit deeper than a plain clone).
fn corpus() -> Option<PathBuf> {
    corpus_dir().or_else(|| {
        repo_root()
            .ancestors()
            .map(|a| a.join("shared/corpus"))
            .find(|p| p.is_dir())
    })
}

fn corpus_files(sub: &str) -> Vec<PathBuf> {
    let Some(dir) = corpus() else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir.join(sub))
        .expect("corpus folder")
        .flatten()
        .map(|e| e.path())
        .collect();
    v.sort();
    v
}

#[test]
fn corpus_rules_all_load_and_check_without_panic() {
    let files = corpus_files("rules");
    let policy = RulesPolicy::shipped(KnownMetrics::contract_plus(Vec::<String>::new()), None);
    for f in &files {
        let parsed = load_yaml::<RuleFile>(f);
        assert!(parsed.is_ok(), "{}: {:?}", f.display(), parsed.err());
        let checks = check_rule_file(&f.display().to_string(), &parsed, &policy);
        // Every expression of the corpus parses (`@`, negative offsets, comments in PromQL...).
        assert_eq!(checks[0].status, Status::Pass, "{}", checks[0].message);
    }
}

#[test]
fn corpus_alertmanager_configs_load_or_fail_with_a_line() {
    let files = corpus_files("alertmanager");
    for f in &files {
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match load_yaml::<AlertmanagerConfig>(f) {
            Ok(cfg) => {
                let m = RoutingModel::new(&cfg);
                let checks = check_routes(
                    &name,
                    &m,
                    &RoutesExpectations::default(),
                    &Default::default(),
                );
                assert!(!checks.is_empty());
            }
            Err(e) => {
                // The one real upstream mistake: `webhook_config:` for `webhook_configs:`.
                assert!(name.starts_with("awesome-prometheus-alerts"), "{e}");
                assert!(
                    e.line.is_some() && e.message.contains("webhook_config"),
                    "{e}"
                );
            }
        }
    }
}

#[test]
fn corpus_critial_typo_is_flagged_given_expectations() {
    let Some(dir) = corpus() else { return };
    let text = std::fs::read_to_string(
        dir.join("alertmanager/awesome-prometheus-alerts_alertmanager-2020.yml"),
    )
    .expect("file");
    // Fix only the schema mistake to reach the routing tree.
    let cfg: AlertmanagerConfig = parse_yaml(
        "awesome.yml",
        &text.replace("webhook_config:", "webhook_configs:"),
    )
    .expect("parses once fixed");
    let exp: RoutesExpectations = parse_yaml(
        "exp.yml",
        "label_values: {severity: [critical, warning, info]}\n",
    )
    .expect("expectations");
    let checks = check_routes(
        "awesome.yml",
        &RoutingModel::new(&cfg),
        &exp,
        &Default::default(),
    );
    let lv = checks
        .iter()
        .find(|c| c.id == "routes.label_values")
        .expect("label values check");
    assert_eq!(lv.status, Status::Fail);
    assert!(lv.message.contains("critial"), "{}", lv.message);
}

/// The routing-tree lint over every corpus config: what fails is what was verified to be a
/// real defect (kube-prometheus routes `severity = critical` to its receiver `Critical`, which
/// has no integration: as shipped, pages notify nobody); Alertmanager's test config keeps four
/// receivers no route uses (a warning); everything else passes.
#[test]
fn corpus_alertmanager_configs_pass_the_routing_lint_but_for_real_defects() {
    let files = corpus_files("alertmanager");
    for f in &files {
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read_to_string(f).expect("corpus file");
        // The one schema mistake of the corpus, fixed to reach the routing tree.
        let cfg: AlertmanagerConfig =
            parse_yaml(&name, &text.replace("webhook_config:", "webhook_configs:"))
                .expect("corpus config parses");
        let checks = lint_checks(&name, &cfg, &RoutingModel::new(&cfg));
        assert_eq!(checks.len(), 6, "{name}");
        for c in &checks {
            if c.id == "routes.lint.deprecated" || c.id == "routes.lint.continue" {
                // Advice on how the file is written: never a failure.
                assert_ne!(c.status, Status::Fail, "{name}: {}", c.message);
                let useless_continue = name.starts_with("awesome") && c.id.ends_with("continue");
                if useless_continue {
                    assert_eq!(c.status, Status::Warn, "{name}: {}", c.message);
                }
                continue;
            }
            let known_defect =
                name.starts_with("kube-prometheus") && c.id == "routes.lint.receivers";
            if known_defect {
                assert_eq!(c.status, Status::Fail, "{name}: {}", c.message);
                assert!(
                    c.message.contains("route `route.routes[2]`")
                        && c.message.contains("only receiver(s) `Critical`"),
                    "{name}: {}",
                    c.message
                );
            } else if c.id == "routes.lint.receivers" && name.contains("conf.good") {
                // Spare receivers no route uses: advice, not a defect.
                assert_eq!(c.status, Status::Warn, "{name}: {}", c.message);
                assert!(c.message.contains("`slack-receiver`"), "{}", c.message);
            } else {
                assert_eq!(c.status, Status::Pass, "{name} {}: {}", c.id, c.message);
            }
        }
    }
}

#[test]
fn corpus_dashboards_all_walk_and_check_without_panic() {
    let files = corpus_files("dashboards");
    let known = KnownMetrics::contract_plus(Vec::<String>::new());
    let mut queries = 0;
    let prometheus = vec![ProvisionedDatasource {
        name: "Prometheus".into(),
        uid: Some("prometheus".into()),
        kind: "prometheus".into(),
        url: None,
        is_default: true,
    }];
    for f in &files {
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let d = load_dashboard(f).unwrap_or_else(|e| panic!("{e}"));
        assert!(!d.panels.is_empty(), "{name}: no panels found");
        let checks = check_dashboard(&d, &prometheus, &known, &DashboardPolicy::default());
        let status = |kind: &str| {
            checks
                .iter()
                .find(|c| c.id.starts_with(&format!("dashboards.{kind}.")))
                .map(|c| (c.status, c.message.clone()))
                .expect("check present")
        };
        // Every target parses once variables, built-ins and import constants are substituted.
        assert_eq!(
            status("promql").0,
            Status::Pass,
            "{name}: {}",
            status("promql").1
        );
        assert_eq!(
            status("variables").0,
            Status::Pass,
            "{name}: {}",
            status("variables").1
        );
        let (ds, msg) = status("datasource");
        match name.as_str() {
            "loki_loki-operational.json" => assert!(msg.contains("type `loki`"), "{msg}"),
            "thanos_grafana-export-2019_thanos-query.json" => {
                assert!(msg.contains("import-time input"), "{msg}")
            }
            _ => assert_eq!(ds, Status::Pass, "{name}: {msg}"),
        }
        queries += panel_queries(&d).len();
    }
    if !files.is_empty() {
        assert!(
            queries > 100,
            "only {queries} PromQL targets found in the corpus"
        );
    }
}

/// obsgate's routing evaluation agrees with amtool's on the corpus configs amtool accepts.
#[test]
fn corpus_routing_agrees_with_amtool() {
    if !have("amtool") || corpus().is_none() {
        eprintln!("note: amtool or the shared corpus is absent; routing cross-check skipped");
        return;
    }
    let label_sets: &[&[(&str, &str)]] = &[
        &[("severity", "critical")],
        &[("severity", "warning"), ("namespace", "default")],
        &[("service", "foo1"), ("severity", "critical")],
        &[("service", "files"), ("severity", "critical")],
        &[("service", "database-1"), ("owner", "team-X")],
        &[("alertname", "Watchdog")],
        &[("alertname", "InfoInhibitor"), ("severity", "info")],
        &[("job", "x")],
    ];
    let mut compared = 0;
    for f in corpus_files("alertmanager") {
        let accepted = std::process::Command::new("amtool")
            .arg("check-config")
            .arg(&f)
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
        if !accepted {
            continue;
        }
        let cfg = load_yaml::<AlertmanagerConfig>(&f).unwrap_or_else(|e| panic!("{e}"));
        let model = RoutingModel::new(&cfg);
        for set in label_sets {
            let labels: obsgate::check::config::routes_matchers::LabelSet = set
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            let ours: std::collections::BTreeSet<String> =
                model.receivers_for(&labels).into_iter().collect();
            let out = std::process::Command::new("amtool")
                .args(["config", "routes", "test"])
                .arg(format!("--config.file={}", f.display()))
                .args(set.iter().map(|(k, v)| format!("{k}={v}")))
                .output()
                .expect("amtool runs");
            let theirs: std::collections::BTreeSet<String> = String::from_utf8_lossy(&out.stdout)
                .split([',', '\n'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            assert_eq!(ours, theirs, "{} with {set:?}", f.display());
            compared += 1;
        }
    }
    assert!(
        compared >= 3 * label_sets.len(),
        "amtool accepted too few corpus configs ({compared} comparisons)"
    );
}

#[test]
fn check_fails_on_a_dashboard_reading_a_misspelled_metric() {
    let line = failing_line(
        "dashboard-misspelled",
        "grafana/provisioning/dashboards/sla-tracking.json",
        "dashboards.metrics.video-pipeline-sla",
    );
    assert!(line.contains("panel \"Render failures\""), "{line}");
    assert!(
        line.contains("did you mean `render_failures_total`?"),
        "{line}"
    );
}
