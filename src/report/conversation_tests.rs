//! Unit tests of the conversation: time order, folding only identical repeats, the alerts'
//! clock, and which links may be followed.

use super::*;
use crate::report::html_sample::sample_report;

fn alert<'a>(r: &'a Report, name: &str) -> &'a AlertTiming {
    r.alerts
        .iter()
        .find(|a| a.alert == name)
        .unwrap_or_else(|| panic!("{name} in the sample"))
}

#[test]
fn identical_repeats_fold_and_a_differing_message_stays() {
    let r = sample_report();
    let a = alert(&r, "PipelineHighErrorRate");
    let c = conversation(&r, a);
    // Slack firing ×2, page trigger ×2, Slack resolved, page resolve.
    let shape: Vec<(&str, &str, usize)> = c
        .iter()
        .map(|e| (kind_word(e.note), status_word(e.note), e.count))
        .collect();
    assert_eq!(
        shape,
        [
            ("slack", "firing", 2),
            ("pagerduty", "firing", 2),
            ("slack", "resolved", 1),
            ("pagerduty", "resolved", 1),
        ]
    );
    assert!(c[0].last.is_some() && c[2].last.is_none());

    // The repeat says something else: it is its own message, nothing hidden.
    let mut changed = a.clone();
    changed.notifications[2].rendered.text = "error ratio 0.31 now".into();
    let c = conversation(&r, &changed);
    assert_eq!(c.len(), 5, "{c:#?}");
    assert!(
        c.iter()
            .all(|e| e.count == 1 || kind_word(e.note) == "pagerduty")
    );
    assert!(
        c.iter()
            .any(|e| e.note.rendered.text == "error ratio 0.31 now")
    );
}

#[test]
fn times_agree_with_the_alert_events_and_the_wall_clock() {
    let r = sample_report();
    let a = alert(&r, "PipelineHighErrorRate");
    let first_notified = a
        .events
        .iter()
        .find(|e| e.state == "notified")
        .expect("notified event")
        .at_s;
    let c = conversation(&r, a);
    assert!((c[0].first.into_run_s - first_notified).abs() < 1e-6);
    // Scenario seconds at time scale 10: 1564 scenario s is 156.4 wall s after 10:00:00.
    assert_eq!(first_notified, 1564.0);
    assert_eq!(c[0].first.utc, "2026-01-05T10:02:36.400Z");
    assert_eq!(c[0].first.clock, "10:02:36");

    // Without events the origin is the report's start.
    let mut bare = a.clone();
    bare.events.clear();
    let c = conversation(&r, &bare);
    assert!((c[0].first.into_run_s - first_notified).abs() < 1e-6);
}

#[test]
fn only_http_and_relative_links_may_be_followed() {
    for ok in [
        "https://example.com/runbook",
        "HTTP://example.com",
        "/d/pipeline",
        "runbooks/PipelineDown.md",
        "#alerts",
        "?q=1",
    ] {
        assert!(safe_href(ok), "{ok} refused");
    }
    for bad in [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>",
        "vbscript:x",
        "//evil.example/x",
        "\\\\evil.example",
        "https:evil",
        "mailto:oncall@example.com",
        "",
    ] {
        assert!(!safe_href(bad), "{bad:?} allowed");
    }
}
