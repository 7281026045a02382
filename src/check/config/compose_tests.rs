//! Unit tests of the compose checks on the shipped compose file and on broken variants.

use std::collections::BTreeMap;

use crate::check::config::compose::{ComposeInput, SEED_RETENTION_S, check_compose, host_mounts};
use crate::config::alertmanager::AlertmanagerConfig;
use crate::config::compose::ComposeFile;
use crate::config::parse_yaml;
use crate::config::prometheus::PrometheusConfig;
use crate::verdict::{Check, Status};

const SHIPPED: &str = include_str!("../../../docker-compose.monitoring.yml");
const PROM: &str = include_str!("../../../config/prometheus.yml");
const AM: &str = include_str!("../../../config/alertmanager.yml");

fn run(compose_text: &str, prom_text: &str, missing: &[&str]) -> Vec<Check> {
    let c: ComposeFile = parse_yaml("compose.yml", compose_text).expect("compose parses");
    let p: PrometheusConfig =
        parse_yaml("prometheus.yml", prom_text).expect("prometheus.yml parses");
    let am: AlertmanagerConfig =
        parse_yaml("alertmanager.yml", AM).expect("alertmanager.yml parses");
    let exists: BTreeMap<String, bool> = host_mounts(&c)
        .into_iter()
        .map(|m| {
            let ok = !missing.contains(&m.as_str());
            (m, ok)
        })
        .collect();
    check_compose(&ComposeInput {
        file: "compose.yml",
        compose: &c,
        mount_exists: &exists,
        prometheus: Some(&p),
        alertmanager: Some(&am),
        min_retention: (SEED_RETENTION_S, "the seed's 15 days of metrics".into()),
    })
}

fn get<'a>(checks: &'a [Check], id: &str) -> &'a Check {
    checks
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no check {id}"))
}

#[test]
fn shipped_compose_passes() {
    let checks = run(SHIPPED, PROM, &[]);
    for c in &checks {
        assert_eq!(c.status, Status::Pass, "{c:?}");
    }
    assert!(checks.len() >= 17);
    let t = get(&checks, "compose.templates");
    assert!(
        t.message.contains("1 template glob(s) mounted"),
        "{}",
        t.message
    );
}

#[test]
fn alertmanager_templates_without_their_mount_fail_naming_the_glob_and_path() {
    let mount = "      - ./config/templates:/etc/alertmanager/templates:ro\n";
    assert!(
        SHIPPED.contains(mount),
        "the shipped compose mounts the templates"
    );
    let checks = run(&SHIPPED.replace(mount, ""), PROM, &[]);
    let t = get(&checks, "compose.templates");
    assert_eq!(t.status, Status::Fail, "{}", t.message);
    assert!(
        t.message
            .contains("templates `templates/*.tmpl` resolve to /etc/alertmanager/templates/*.tmpl"),
        "{}",
        t.message
    );
    // Mounted elsewhere than where the config file's folder puts them: still missing.
    let elsewhere = SHIPPED.replace(mount, "      - ./config/templates:/templates:ro\n");
    assert_eq!(
        get(&run(&elsewhere, PROM, &[]), "compose.templates").status,
        Status::Fail
    );
}

#[test]
fn broken_compose_fails_naming_each_defect() {
    let broken = SHIPPED
        .replace("prom/prometheus:v2.48.0", "prom/prometheus:latest")
        .replace(
            "--storage.tsdb.retention.time=35d",
            "--storage.tsdb.retention.time=7d",
        )
        .replace("\"16686:16686\"", "\"16687:16686\"")
        .replace(
            "http://jaeger:4318/v1/traces",
            "http://tempo:4318/v1/traces",
        )
        .replace("  grafana_data:\n", "")
        .replace("  node-exporter:\n    image", "  nodeexporter:\n    image");
    let prom = PROM
        .replace("alertmanager:9093", "alertmanger:9093")
        .replace("  - alert-rules.yaml", "  - rules/alert-rules.yaml");
    let checks = run(&broken, &prom, &["./config/alertmanager.yml"]);
    assert!(
        get(&checks, "compose.image.prometheus")
            .message
            .contains("prom/prometheus:latest")
    );
    assert_eq!(get(&checks, "compose.retention").status, Status::Fail);
    assert!(get(&checks, "compose.retention").message.contains("7d"));
    assert!(
        get(&checks, "compose.ports.jaeger")
            .message
            .contains("16686:16686")
    );
    assert!(get(&checks, "compose.otlp").message.contains("tempo"));
    assert!(
        get(&checks, "compose.volumes")
            .message
            .contains("grafana_data")
    );
    let svc = get(&checks, "compose.services");
    assert!(
        svc.message
            .contains("`node-exporter` is missing (did you mean `nodeexporter`?)"),
        "{}",
        svc.message
    );
    assert!(
        get(&checks, "compose.mounts")
            .message
            .contains("./config/alertmanager.yml")
    );
    let t = get(&checks, "compose.targets");
    assert!(t.message.contains("alertmanger:9093"), "{}", t.message);
    assert!(
        t.message.contains("did you mean `alertmanager`"),
        "{}",
        t.message
    );
    assert!(t.message.contains("node-exporter:9100"), "{}", t.message);
    let r = get(&checks, "compose.rule_files");
    assert!(
        r.message.contains("/etc/prometheus/rules/alert-rules.yaml"),
        "{}",
        r.message
    );
}

#[test]
fn retention_shorter_than_an_slo_window_fails_naming_the_slo() {
    let short = SHIPPED.replace(
        "--storage.tsdb.retention.time=35d",
        "--storage.tsdb.retention.time=15d",
    );
    let c: ComposeFile = parse_yaml("compose.yml", &short).expect("compose parses");
    let p: PrometheusConfig = parse_yaml("prometheus.yml", PROM).expect("parses");
    let exists: BTreeMap<String, bool> = host_mounts(&c).into_iter().map(|m| (m, true)).collect();
    let mut input = ComposeInput {
        file: "compose.yml",
        compose: &c,
        mount_exists: &exists,
        prometheus: Some(&p),
        alertmanager: None,
        min_retention: (
            30.0 * 86_400.0,
            "the 30d window of SLO `job-success`".into(),
        ),
    };
    let r = check_compose(&input)
        .into_iter()
        .find(|c| c.id == "compose.retention");
    let r = r.expect("retention check");
    assert_eq!(r.status, Status::Fail);
    assert!(r.message.contains("SLO `job-success`"), "{}", r.message);
    input.min_retention = (SEED_RETENTION_S, "the seed's 15 days of metrics".into());
    let r = check_compose(&input)
        .into_iter()
        .find(|c| c.id == "compose.retention");
    assert_eq!(r.expect("retention").status, Status::Pass);
}
