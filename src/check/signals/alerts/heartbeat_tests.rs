//! The heartbeat check on hand-built notification lists: a steady heartbeat passes, none
//! fails, a gap (Alertmanager paused) is an error naming the gap, a late first one fails.
use super::*;
use crate::config::timing::StackTiming;
use crate::evidence::{AlertObservations, Notification, PhaseWindow, RoutingEvidence};
use crate::expect::alerts::parse;
use crate::verdict::Status;

/// 2026-01-01T10:00:00Z.
const T0: i64 = 1_767_261_600_000;
const EXP: &str = "heartbeat: {alert: Watchdog, receiver: watchdog, interval: 1m}\nalerts: []\n";

fn beat(at_s: f64) -> Notification {
    let v = serde_json::json!({
        "at_unix_ms": T0 + (at_s * 1000.0) as i64,
        "receiver": "watchdog",
        "kind": "webhook",
        "status": "firing",
        "alertnames": ["Watchdog"],
    });
    serde_json::from_value(v).unwrap_or_else(|e| panic!("{e}"))
}

fn timing() -> StackTiming {
    StackTiming {
        evaluation_interval_s: 15.0,
        group_wait_by_receiver_s: [("watchdog".to_string(), 0.0)].into(),
        group_interval_by_receiver_s: [("watchdog".to_string(), 60.0)].into(),
        ..StackTiming::default()
    }
}

/// The heartbeat check over `beats` (seconds after T0), watched from T0 to `until_s`.
fn judge_beats(beats: &[f64], until_s: f64, scale: f64) -> Check {
    let e = parse(EXP, "t.yaml").unwrap_or_else(|e| panic!("{e}"));
    let obs = AlertObservations {
        notifications: beats.iter().map(|&s| beat(s)).collect(),
        watched_from_unix_ms: Some(T0),
        watched_until_unix_ms: Some(T0 + (until_s * 1000.0) as i64),
        ..AlertObservations::default()
    };
    let t = timing();
    let phases: Vec<PhaseWindow> = Vec::new();
    let input = AlertCheckInput {
        expectations: &e,
        observations: &obs,
        phases: &phases,
        timing: Some(&t),
        run_start_unix_ms: T0,
        clock_scale: scale,
        routing: RoutingEvidence::Notifications,
    };
    check(&input).unwrap_or_else(|| panic!("no heartbeat check"))
}

#[test]
fn a_steady_heartbeat_passes() {
    // Every 60 s or 120 s (a repeat waits for the next group_interval tick): within 1m + 1m.
    let c = judge_beats(&[5.0, 65.0, 185.0, 245.0, 365.0], 400.0, 1.0);
    assert_eq!(c.id, "alerts.heartbeat.Watchdog");
    assert_eq!(c.status, Status::Pass, "{}", c.message);
    assert!(
        c.message.contains("5 heartbeat(s) to receiver watchdog"),
        "{}",
        c.message
    );
}

#[test]
fn no_heartbeat_at_all_fails_naming_alert_and_receiver() {
    let c = judge_beats(&[], 400.0, 1.0);
    assert_eq!(c.status, Status::Fail, "{}", c.message);
    assert!(
        c.message
            .contains("Watchdog never reached receiver watchdog"),
        "{}",
        c.message
    );
}

#[test]
fn a_gap_is_an_error_naming_its_utc_bounds_and_length() {
    let c = judge_beats(&[5.0, 65.0, 365.0, 425.0], 450.0, 1.0);
    assert_eq!(c.status, Status::Error, "{}", c.message);
    for part in [
        "no heartbeat between 2026-01-01T10:01:05.000Z and 2026-01-01T10:06:05.000Z",
        "(300 s, interval 60 s",
        "the alerting path was down",
    ] {
        assert!(
            c.message.contains(part),
            "{part:?} missing from {}",
            c.message
        );
    }
}

#[test]
fn silence_until_the_end_of_the_observation_is_a_gap_too() {
    let c = judge_beats(&[5.0, 65.0], 400.0, 1.0);
    assert_eq!(c.status, Status::Error, "{}", c.message);
    assert!(
        c.message.contains("and 2026-01-01T10:06:40.000Z"),
        "{}",
        c.message
    );
}

#[test]
fn a_late_first_heartbeat_fails_naming_the_bound() {
    let c = judge_beats(&[100.0, 160.0], 200.0, 1.0);
    assert_eq!(c.status, Status::Fail, "{}", c.message);
    assert!(
        c.message.contains("1m40s after the stack was watched"),
        "{}",
        c.message
    );
}

#[test]
fn on_a_compressed_clock_the_utc_times_are_wall_times() {
    // At K = 30, stack-clock times 30 s apart are 1 wall second apart.
    let c = judge_beats(&[30.0, 90.0, 600.0], 660.0, 30.0);
    assert_eq!(c.status, Status::Error, "{}", c.message);
    assert!(
        c.message
            .contains("between 2026-01-01T10:00:03.000Z and 2026-01-01T10:00:20.000Z"),
        "{}",
        c.message
    );
}
