use super::*;
use crate::evidence::health::AmStatusSeen;
use crate::verdict::Status;

fn answered<B>(url: &str, body: B) -> HttpProbe<B> {
    HttpProbe {
        url: url.to_string(),
        outcome: HttpOutcome::Answered {
            content_type: "application/json".to_string(),
            body: Ok(body),
        },
    }
}

fn by_id<'a>(checks: &'a [Check], id: &str) -> &'a Check {
    checks
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no {id} in {checks:?}"))
}

#[test]
fn prometheus_names_the_down_target_and_the_failing_rule() {
    let h = PrometheusHealth::Reached {
        base: "http://127.0.0.1:9090".into(),
        ready: true,
        targets: Ok(vec![
            TargetState {
                job: "stub".into(),
                scrape_url: "http://127.0.0.1:8080/metrics".into(),
                health: "down".into(),
                last_error: "connection refused".into(),
            },
            TargetState {
                job: "prometheus".into(),
                scrape_url: "http://127.0.0.1:9090/metrics".into(),
                health: "up".into(),
                last_error: String::new(),
            },
        ]),
        rules: Ok(vec![RuleState {
            group: "pipeline".into(),
            name: "HighErrorRate".into(),
            health: "err".into(),
            last_error: Some("vector contains metrics with the same labelset".into()),
        }]),
    };
    let c = prometheus(&h);
    assert_eq!(by_id(&c, "health.prometheus.ready").status, Status::Pass);
    let t = by_id(&c, "health.prometheus.targets");
    assert_eq!(t.status, Status::Fail);
    assert_eq!(t.message, "1 of 2 target(s) not up");
    assert_eq!(
        t.evidence,
        ["stub http://127.0.0.1:8080/metrics down: connection refused"]
    );
    let r = by_id(&c, "health.prometheus.rules");
    assert_eq!(r.status, Status::Fail);
    assert!(
        r.evidence[0].starts_with("pipeline/HighErrorRate: vector"),
        "{r:?}"
    );
}

#[test]
fn prometheus_unreachable_is_one_failing_check() {
    let c = prometheus(&PrometheusHealth::Unreachable {
        error: "GET http://127.0.0.1:1/-/ready: connection refused".into(),
    });
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].status, Status::Fail);
    assert!(
        c[0].message.contains("Prometheus unreachable: GET"),
        "{c:?}"
    );
}

#[test]
fn alertmanager_without_config_and_settling_cluster_fails() {
    let c = alertmanager(&AlertmanagerHealth::Reached {
        base: "http://127.0.0.1:9093".into(),
        ready: true,
        status: Ok(AmStatusSeen {
            cluster_status: "settling".into(),
            peers: 2,
            has_config: false,
            version: "0.27.0".into(),
        }),
    });
    assert_eq!(by_id(&c, "health.alertmanager.ready").status, Status::Pass);
    let s = by_id(&c, "health.alertmanager.status");
    assert_eq!(s.status, Status::Fail);
    assert_eq!(
        s.message,
        "version 0.27.0, cluster settling (2 peer(s)), config missing"
    );
}

#[test]
fn grafana_with_a_failing_database_fails() {
    let p = answered(
        "http://grafana:3000/api/health",
        r#"{"database":"failing","version":"10.4.1"}"#.to_string(),
    );
    let c = grafana(&p);
    assert_eq!(c[0].status, Status::Fail);
    assert_eq!(
        c[0].message,
        "http://grafana:3000/api/health: database failing, version 10.4.1"
    );
}

#[test]
fn grafana_dashboard_not_served_names_the_uid_and_status() {
    let c = grafana_dashboards(&[DashboardProbe {
        uid: "pipeline".into(),
        probe: HttpProbe {
            url: "http://grafana:3000/api/dashboards/uid/pipeline".into(),
            outcome: HttpOutcome::Status("404 Not Found".into()),
        },
    }]);
    assert_eq!(c[0].id, "dashboards.grafana.pipeline");
    assert_eq!(c[0].status, Status::Fail);
    assert!(
        c[0].message
            .starts_with("Grafana does not serve dashboard `pipeline`: http://grafana:3000"),
        "{c:?}"
    );
    assert!(
        c[0].message.ends_with("answered HTTP 404 Not Found"),
        "{c:?}"
    );
}

#[test]
fn jaeger_reports_the_last_failure() {
    let probe = |path: &str, outcome| HttpProbe {
        url: format!("http://jaeger:16686{path}"),
        outcome,
    };
    let c = jaeger(&[
        probe(
            "/api/services",
            HttpOutcome::Status("502 Bad Gateway".into()),
        ),
        probe("/", HttpOutcome::Failed("connection refused".into())),
    ]);
    assert_eq!(c[0].status, Status::Fail);
    assert_eq!(c[0].message, "http://jaeger:16686/: connection refused");
    let ok = jaeger(&[answered("http://jaeger:16686/api/services", String::new())]);
    assert_eq!(ok[0].status, Status::Pass);
}

#[test]
fn target_with_malformed_lines_lists_them() {
    let bad = vec!["line 2, column 1: metric name must not start with a digit".to_string()];
    let c = target(&answered("http://127.0.0.1:8080/metrics", Err(bad.clone())));
    assert_eq!(c[0].status, Status::Fail);
    assert_eq!(
        c[0].message,
        "http://127.0.0.1:8080/metrics: 1 malformed line(s)"
    );
    assert_eq!(c[0].evidence, bad);
    let ok = target(&answered("http://127.0.0.1:8080/metrics", Ok(12)));
    assert_eq!(ok[0].status, Status::Pass);
}
