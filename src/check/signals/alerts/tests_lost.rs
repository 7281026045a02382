//! Alert checks when the observation lost something (watcher bound, unreadable
//! notifications), and routing keys kept out of the report.

use super::*;

#[test]
fn a_watcher_that_dropped_state_changes_makes_every_alert_check_an_error() {
    let mut o = good_obs();
    o.truncated = true;
    let (checks, _) = run(EXP, &o, RoutingEvidence::Notifications);
    let (st, msg) = status(&checks, "alerts.observation");
    assert_eq!(st, Status::Error);
    assert!(msg.contains("dropped later ones"), "{msg}");
    for c in &checks {
        assert_eq!(c.status, Status::Error, "{}: {}", c.id, c.message);
    }
    let (_, fired) = status(&checks, "alerts.fired.A");
    assert!(
        fired.starts_with("not fully observed: the alert watcher kept its first"),
        "{fired}"
    );
}

#[test]
fn a_routing_key_the_expectations_do_not_name_is_shown_as_a_fingerprint() {
    let mut o = good_obs();
    for n in &mut o.notifications {
        if n.routing_key.is_some() {
            n.routing_key = Some("SEKRET-unnamed-key".into());
        }
    }
    let e = parse(EXP, "t.yaml").unwrap_or_else(|e| panic!("{e}"));
    crate::check::signals::alerts::hide_unnamed_keys(&mut o, &e);
    let keys: Vec<&str> = o
        .notifications
        .iter()
        .filter_map(|n| n.routing_key.as_deref())
        .collect();
    assert!(!keys.is_empty());
    let shown = crate::config::secrets::fingerprint("SEKRET-unnamed-key");
    assert!(keys.iter().all(|k| *k == shown), "{keys:?}");
    // The key the expectations name (`pagerduty:pk`) is shown as is.
    let mut named = good_obs();
    crate::check::signals::alerts::hide_unnamed_keys(&mut named, &e);
    assert!(
        named
            .notifications
            .iter()
            .any(|n| n.routing_key.as_deref() == Some("pk"))
    );
}

#[test]
fn notifications_the_receivers_could_not_read_make_the_alert_checks_errors() {
    let mut o = good_obs();
    o.receivers_lost = vec!["the fake receivers could not read 1 notification requests".into()];
    let (checks, _) = run(EXP, &o, RoutingEvidence::Notifications);
    assert!(
        checks.iter().all(|c| c.status == Status::Error),
        "{checks:?}"
    );
    let (_, msg) = status(&checks, "alerts.observation");
    assert!(msg.contains("could not read 1"), "{msg}");
}
