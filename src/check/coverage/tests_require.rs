//! Unit tests of the coverage requirements: the unreachable route fails `coverage.routes`
//! naming it, a reached one passes, an unobserved dimension is an error.

use super::tests::{fixture, input, observations};
use super::*;
use crate::expect::coverage::{CoverageRequirements, Required};
use crate::verdict::Status;

const ALL: Option<Required> = Some(Required { min_percent: 100 });

#[test]
fn an_unreachable_route_fails_when_routes_are_required_and_is_named() {
    let cfg = fixture();
    let obs = observations();
    let c = compute(input(&cfg, &obs));
    let req = CoverageRequirements {
        routes: ALL,
        ..Default::default()
    };
    let checks = require::checks(&c, &req);
    assert_eq!(checks.len(), 1);
    assert_eq!(checks[0].id, "coverage.routes");
    assert_eq!(checks[0].status, Status::Fail);
    assert!(
        checks[0]
            .message
            .contains("route root.routes[1] (team=\"nobody\") matched no notification"),
        "{}",
        checks[0].message
    );
    let two_thirds = CoverageRequirements {
        routes: Some(Required { min_percent: 66 }),
        ..Default::default()
    };
    assert_eq!(require::checks(&c, &two_thirds)[0].status, Status::Pass);
}

#[test]
fn the_route_passes_once_an_alert_reaches_it() {
    let cfg = fixture();
    let mut obs = observations();
    let mut reach = obs.changes[2].clone();
    reach.labels.insert("team".into(), "nobody".into());
    reach.labels.insert("severity".into(), "info".into());
    obs.changes.push(reach);
    let c = compute(input(&cfg, &obs));
    let req = CoverageRequirements {
        routes: ALL,
        receivers: ALL,
        alerts: ALL,
        inhibit_rules: ALL,
        ..Default::default()
    };
    let checks = require::checks(&c, &req);
    assert!(
        checks.iter().all(|k| k.status == Status::Pass),
        "{checks:?}"
    );
}

#[test]
fn a_required_dimension_not_observed_is_an_error_and_a_loss_turns_a_miss_into_one() {
    let cfg = fixture();
    let obs = observations();
    let mut i = input(&cfg, &obs);
    i.alerts = AlertsView::NotWatched("no stack (--stack none)");
    let c = compute(i);
    let req = CoverageRequirements {
        alerts: ALL,
        ..Default::default()
    };
    let k = &require::checks(&c, &req)[0];
    assert_eq!(k.status, Status::Error);
    assert!(k.message.contains("--stack none"), "{}", k.message);
    let mut lossy = observations();
    lossy.changes.truncate(2);
    lossy.truncated = true;
    let c = compute(input(&cfg, &lossy));
    let k = &require::checks(&c, &req)[0];
    assert_eq!(k.status, Status::Error, "{}", k.message);
    assert!(k.message.contains("alert SlowJobs"), "{}", k.message);
}

#[test]
fn ignored_alerts_are_listed_but_not_counted() {
    let cfg = fixture();
    let mut obs = observations();
    obs.changes.retain(|c| c.alertname == "HighErrors");
    let re = regex::Regex::new("^(?:Slow.*)$").unwrap_or_else(|e| panic!("{e}"));
    let mut i = input(&cfg, &obs);
    i.ignore_alerts = vec![&re];
    let c = compute(i);
    assert!(
        c.alert_rules
            .items
            .iter()
            .any(|a| a.alert == "SlowJobs" && a.ignored)
    );
    let req = CoverageRequirements {
        alerts: ALL,
        ..Default::default()
    };
    assert_eq!(require::checks(&c, &req)[0].status, Status::Pass);
}
