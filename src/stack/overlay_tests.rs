//! Unit tests of the overlay generation.
use super::*;
use crate::stack::clock::Timers;

const PROM: &str = r#"
global:
  scrape_interval: 15s
  scrape_timeout: 10s
  evaluation_interval: 15s
rule_files:
  - alert-rules.yaml
alerting:
  alertmanagers:
    - static_configs:
        - targets: ['alertmanager:9093']
scrape_configs:
  - job_name: pipeline
    scrape_interval: 10s
    static_configs:
      - targets: ['pipeline-stub:8000']
        labels: {env: prod}
  - job_name: prometheus
    static_configs:
      - targets: ['localhost:9090']
  - job_name: node-exporter
    static_configs:
      - targets: ['node-exporter:9100']
  - job_name: alertmanager
    static_configs:
      - targets: ['alertmanager:9093']
"#;

const AM: &str = r#"
global:
  slack_api_url: https://hooks.slack.com/services/T/B/X
route:
  receiver: slack-sla
  group_wait: 30s
receivers:
  - name: slack-sla
    slack_configs:
      - channel: '#sla'
        send_resolved: true
  - name: critical
    slack_configs:
      - channel: '#critical'
        api_url: https://hooks.slack.com/services/T/B/Y
    pagerduty_configs:
      - routing_key: pd-key-123
    email_configs:
      - to: oncall@example.com
"#;

fn input(iv: Option<f64>) -> PromOverlayInput {
    PromOverlayInput {
        stub_target: "127.0.0.1:5000".into(),
        prometheus_target: "127.0.0.1:5001".into(),
        alertmanager_target: "127.0.0.1:5002".into(),
        interval_override_s: iv,
        rule_files: vec!["alert-rules.yaml".into()],
    }
}

#[test]
fn prometheus_targets_replaced_and_node_exporter_dropped() {
    let o = prometheus_overlay(PROM, "prometheus.yml", &input(None), &mut Timers::new(1.0))
        .unwrap_or_else(|e| panic!("{e}"));
    let v: Value = serde_json::from_str(&o.text).unwrap_or_default();
    let jobs = v["scrape_configs"].as_array().cloned().unwrap_or_default();
    assert_eq!(jobs.len(), 3);
    assert_eq!(jobs[2]["static_configs"][0]["targets"][0], "127.0.0.1:5002");
    assert_eq!(jobs[0]["job_name"], "pipeline");
    assert_eq!(jobs[0]["static_configs"][0]["targets"][0], "127.0.0.1:5000");
    assert_eq!(jobs[0]["static_configs"][0]["labels"]["env"], "prod");
    assert_eq!(jobs[1]["static_configs"][0]["targets"][0], "127.0.0.1:5001");
    assert_eq!(
        v["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"][0],
        "127.0.0.1:5002"
    );
    assert_eq!(o.shipped_rule_files, vec!["alert-rules.yaml".to_string()]);
    assert!(
        o.deviations
            .iter()
            .any(|d| d.contains("node-exporter") && d.contains("dropped"))
    );
    assert!(!o.deviations.iter().any(|d| d.contains("override")));
}

#[test]
fn interval_override_is_a_deviation() {
    let o = prometheus_overlay(
        PROM,
        "prometheus.yml",
        &input(Some(5.0)),
        &mut Timers::new(1.0),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let v: Value = serde_json::from_str(&o.text).unwrap_or_default();
    assert_eq!(v["global"]["scrape_interval"], "5s");
    assert_eq!(v["global"]["evaluation_interval"], "5s");
    assert!(v["scrape_configs"][0].get("scrape_interval").is_none());
    assert!(
        o.deviations
            .iter()
            .any(|d| d.contains("scrape_interval: 15s → 5s"))
    );
    assert!(
        o.deviations
            .iter()
            .any(|d| d.contains("`pipeline`: scrape_interval"))
    );
}

#[test]
fn alertmanager_urls_replaced_channel_and_key_kept() {
    let (text, dev) = alertmanager_overlay(
        AM,
        "alertmanager.yml",
        "http://127.0.0.1:7000",
        &mut Timers::new(1.0),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let v: Value = serde_json::from_str(&text).unwrap_or_default();
    assert!(v["global"].get("slack_api_url").is_none());
    let sla = &v["receivers"][0]["slack_configs"][0];
    assert_eq!(sla["api_url"], "http://127.0.0.1:7000/slack/slack-sla");
    assert_eq!(sla["channel"], "#sla");
    let crit = &v["receivers"][1];
    assert_eq!(
        crit["slack_configs"][0]["api_url"],
        "http://127.0.0.1:7000/slack/critical"
    );
    assert_eq!(
        crit["pagerduty_configs"][0]["url"],
        "http://127.0.0.1:7000/pagerduty/critical"
    );
    assert_eq!(crit["pagerduty_configs"][0]["routing_key"], "pd-key-123");
    assert!(crit.get("email_configs").is_none());
    // The webhook URL is the secret: the deviation says it was replaced, not what it was.
    assert!(
        !dev.iter()
            .any(|d| d.contains("hooks.slack.com/services/T/B/Y")),
        "{dev:?}"
    );
    assert!(
        dev.iter()
            .any(|d| d
                .contains("slack_configs api_url <secret> → http://127.0.0.1:7000/slack/critical")),
        "{dev:?}"
    );
    assert!(dev.iter().any(|d| d.contains("email_configs removed")));
    assert!(dev.iter().any(|d| d.contains("global.slack_api_url")));
}

#[test]
fn broken_yaml_names_the_file_and_line() {
    let e = alertmanager_overlay(
        "route: [\n  bad",
        "am.yml",
        "http://x",
        &mut Timers::new(1.0),
    )
    .unwrap_err();
    assert!(e.starts_with("am.yml"), "{e}");
    let e = alertmanager_overlay("route: {}\n", "am.yml", "http://x", &mut Timers::new(1.0))
        .unwrap_err();
    assert!(e.contains("receivers"), "{e}");
}

#[test]
fn receiver_names_are_path_safe() {
    assert_eq!(path_segment("team a/b"), "team%20a%2Fb");
}
