//! Integration tests: the metric catalog — corpus rule files against a catalog of the corpus
//! expositions, `obsgate check --metrics-from`, `--known-metric` lists and bad names, and the
//! label-existence defect of the contract.

use std::path::Path;

use obsgate::check::config::catalog::Catalog;
use obsgate::check::config::rules::{RulesPolicy, check_rule_file};
use obsgate::config::load_yaml;
use obsgate::config::rules_file::RuleFile;
use obsgate::evidence::ExpositionFormat;
use obsgate::observe::metric_sources::from_exposition;
use obsgate::verdict::{Check, Status};

use crate::util::{assert_registered, config_with, corpus_dir, obsgate, repo_root};

/// The catalog of the node_exporter, Prometheus and Alertmanager expositions of the corpus.
fn exporters_catalog(dir: &Path) -> Catalog {
    let mut c = Catalog::new(Some(Default::default()));
    for f in [
        "node_exporter-1.5.0_metrics.prom",
        "prometheus-2.42.0_metrics.prom",
        "alertmanager-0.25.0_metrics.prom",
    ] {
        let p = dir.join("exposition").join(f);
        let text = std::fs::read_to_string(&p).expect("corpus exposition");
        let exp = obsgate::observe::exposition::parse(&text, ExpositionFormat::Text004)
            .expect("corpus exposition parses");
        c.add_source(&from_exposition(f.to_string(), &exp));
    }
    c
}

fn rule_checks(file: &Path, catalog: &Catalog) -> Vec<Check> {
    let parsed = load_yaml::<RuleFile>(file);
    let policy = RulesPolicy::shipped(catalog.clone(), None);
    check_rule_file(&file.display().to_string(), &parsed, &policy)
}

fn failing<'a>(checks: &'a [Check], prefix: &str) -> Vec<&'a Check> {
    checks
        .iter()
        .filter(|c| c.id.starts_with(prefix) && c.status == Status::Fail)
        .collect()
}

/// Rule files written for node_exporter and Prometheus only.
const EXPORTER_FILES: [&str; 4] = [
    "node_exporter_example-rules.yml",
    "kube-prometheus_node-exporter.rules.yaml",
    "awesome-prometheus-alerts_node-exporter.yml",
    "prometheus_promtool-testdata_rules.yml",
];

#[test]
fn corpus_exporter_rules_against_the_exporters_catalog() {
    let Some(dir) = corpus_dir() else { return };
    let catalog = exporters_catalog(&dir);
    for f in EXPORTER_FILES {
        let checks = rule_checks(&dir.join("rules").join(f), &catalog);
        let labels = failing(&checks, "rules.label_exists.");
        assert!(
            labels.is_empty(),
            "{f}: {:?}",
            labels.iter().map(|c| &c.message).collect::<Vec<_>>()
        );
        // Metrics not in these expositions come from collectors that machine did not run
        // (md, systemd, hwmon, bonding, edac) or from promtool's test series.
        for c in failing(&checks, "rules.metric.") {
            let ok = [
                "node_md_",
                "node_systemd_",
                "node_hwmon_",
                "node_bonding_",
                "node_edac_",
                "`test`",
            ]
            .iter()
            .any(|p| c.message.contains(p));
            assert!(ok, "{f}: {}", c.message);
        }
    }
    let clean = rule_checks(&dir.join("rules/node_exporter_example-rules.yml"), &catalog);
    assert!(clean.iter().all(|c| c.status == Status::Pass));
    // A real upstream defect: a `sum()` without `by` keeps no label for the template.
    let dockprom = rule_checks(&dir.join("rules/dockprom_alert.rules"), &catalog);
    let mem = dockprom
        .iter()
        .find(|c| c.id == "rules.label_exists.high_memory_load")
        .expect("checked");
    assert_eq!(mem.status, Status::Fail);
    assert!(
        mem.message.contains("`$labels.instance`"),
        "{}",
        mem.message
    );
}

fn check_in(config: &Path, report: &Path) -> assert_cmd::Command {
    let mut cmd = obsgate();
    cmd.current_dir(repo_root())
        .args(["check", "--no-tools", "--config-dir"])
        .arg(config)
        .arg("--report-dir")
        .arg(report);
    cmd
}

#[test]
fn check_with_an_exposition_catalog() {
    let Some(dir) = corpus_dir() else { return };
    let rep = tempfile::tempdir().expect("temp dir");
    let expo = dir.join("exposition/node_exporter-1.5.0_metrics.accept-openmetrics.prom");
    let out = check_in(Path::new("config"), rep.path())
        .args(["--output", "json", "--metrics-from"])
        .arg(&expo)
        .assert()
        .code(0);
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).expect("JSON");
    assert_registered(&v);
    let cat = v["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["id"] == "rules.catalog")
        .expect("rules.catalog");
    assert_eq!(cat["status"], "pass");
    assert!(
        cat["message"]
            .as_str()
            .unwrap_or("")
            .contains("--metrics-from"),
        "{cat}"
    );
}

#[test]
fn check_fails_on_a_label_the_metric_does_not_carry() {
    let tmp = config_with("label-defect", "alert-rules.yaml");
    let out = check_in(&tmp.path().join("config"), tmp.path())
        .assert()
        .code(1);
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let line = stdout
        .lines()
        .find(|l| l.starts_with("rules.label_exists.RenderFailures"))
        .unwrap_or_else(|| panic!("no label check in:\n{stdout}"));
    assert!(line.contains("fail") && line.contains("`stage`"), "{line}");
    assert!(
        line.contains("`preset`") && line.contains("`reason`"),
        "{line}"
    );
    assert!(line.contains("alert-rules.yaml:41:"), "{line}");
}

#[test]
fn known_metric_lists_and_bad_names() {
    let rep = tempfile::tempdir().expect("temp dir");
    let out = check_in(Path::new("config"), rep.path())
        .args(["--known-metric", "node_load1,node_load5"])
        .assert()
        .code(0);
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(stdout.contains("--known-metric"), "{stdout}");
    let out = check_in(Path::new("config"), rep.path())
        .args(["--known-metric", "ok_name,9bad-name"])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("`9bad-name`"), "{stderr}");
    let out = check_in(Path::new("config"), rep.path())
        .args(["--metrics-from", "http://192.0.2.1:9090"])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("--allow-remote"), "{stderr}");
}

#[test]
fn no_catalog_is_said_and_unknown_metrics_pass() {
    let rep = tempfile::tempdir().expect("temp dir");
    let empty = tempfile::tempdir().expect("temp dir");
    let tmp = config_with("misspelled-metric", "alert-rules.yaml");
    let out = check_in(&tmp.path().join("config"), rep.path())
        .arg("--expect-dir")
        .arg(empty.path())
        .assert()
        .code(0);
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let line = stdout
        .lines()
        .find(|l| l.starts_with("rules.catalog"))
        .expect("rules.catalog listed");
    assert!(
        line.contains("skip") && line.contains("no metric catalog given"),
        "{line}"
    );
    assert!(!stdout.contains("rules.metric."), "{stdout}");
}

/// A one-thread HTTP server on loopback answering by path: an exposition on `/metrics`, the
/// Prometheus API (label values, metadata, series) elsewhere.
fn serve() -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(&stream);
            let mut first = String::new();
            let _ = reader.read_line(&mut first);
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let path = first.split(' ').nth(1).unwrap_or("");
            let (ct, body) = if path.starts_with("/metrics") {
                (
                    "text/plain; version=0.0.4",
                    "# TYPE node_up gauge\nnode_up{node=\"a\"} 1\n".to_string(),
                )
            } else if path.starts_with("/api/v1/label/__name__/values") {
                (
                    "application/json",
                    r#"{"status":"success","data":["node_up"]}"#.to_string(),
                )
            } else if path.starts_with("/api/v1/metadata") {
                (
                    "application/json",
                    r#"{"status":"success","data":{"node_up":[{"type":"gauge"}]}}"#.to_string(),
                )
            } else {
                ("application/json", r#"{"status":"success","data":[{"__name__":"node_up","node":"a","job":"j","instance":"i"}]}"#.to_string())
            };
            let mut s = &stream;
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\nContent-Type: {ct}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    format!("http://{addr}")
}

#[test]
fn live_metrics_url_and_prometheus_api_give_labels() {
    let base = serve();
    let rules = tempfile::tempdir().expect("temp dir");
    crate::util::copy_dir(&repo_root().join("config"), &rules.path().join("config"));
    let extra = "\n  - name: extra\n    rules:\n      - record: x:node_up\n        expr: sum by (zone) (node_up)\n";
    let file = rules.path().join("config/alert-rules.yaml");
    let text = std::fs::read_to_string(&file).expect("rules");
    std::fs::write(&file, format!("{text}{extra}")).expect("write");
    for source in [format!("{base}/metrics"), base.clone()] {
        let out = check_in(&rules.path().join("config"), rules.path())
            .args(["--metrics-from", &source])
            .assert()
            .code(1);
        let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
        let line = stdout
            .lines()
            .find(|l| l.starts_with("rules.label_exists.x:node_up"))
            .unwrap_or_else(|| panic!("{source}: no label check in:\n{stdout}"));
        assert!(
            line.contains("`zone`") && line.contains("`node`"),
            "{source}: {line}"
        );
    }
}
