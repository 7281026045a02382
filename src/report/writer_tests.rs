//! Tests of the writers on a small report: JSON round-trips, Markdown has the phase table and
//! the failing checks, JUnit marks failures with message and evidence.

use super::model::*;
use super::*;
use crate::evidence::{LoadReport, PhaseReport};
use crate::verdict::{Check, Kind, Verdict};

fn sample() -> Report {
    Report {
        schema_version: SCHEMA_VERSION,
        scenario: "smoke".into(),
        verdict: Verdict::Fail,
        started_at: "2026-01-01T00:00:00.000Z".into(),
        finished_at: "2026-01-01T00:00:30.000Z".into(),
        obsgate_version: "0.1.0".into(),
        time_scale: 10.0,
        clock: Default::default(),
        deviations: vec![],
        load: LoadReport {
            target: "http://127.0.0.1:1".into(),
            phases: vec![PhaseReport {
                name: "steady".into(),
                duration_s: 240.0,
                target_rate: 1.2,
                achieved_rate: 1.19,
                scheduled: 288,
                sent: 288,
                succeeded: 280,
                failed: 8,
                ..PhaseReport::default()
            }],
            timeline: vec![],
        },
        checks: vec![
            Check::pass("load.rate.steady", Kind::Load, "achieved 1.19/s"),
            Check::fail("load.dropped.steady", Kind::Load, "3 of 288 | dropped")
                .with_evidence(["job og-1-7 dropped"]),
        ],
        alerts: vec![],
        criteria: vec![],
        slo: vec![],
        coverage: None,
        component_down: None,
        kept_stack_data: None,
        shard: None,
    }
}

#[test]
fn json_round_trips() {
    let r = sample();
    let text = json::render_json(&r).expect("json");
    assert_eq!(json::parse_json(&text).expect("parse"), r);
    assert!(text.contains("\"verdict\": \"fail\""));
}

#[test]
fn markdown_has_phase_table_and_failures() {
    let md = render_markdown(&sample());
    assert!(md.contains("# obsgate: smoke — FAIL"), "{md}");
    assert!(
        md.contains("| steady | 240.0 | 1.200 | 1.190 | 288 | 288 | 280 | 8 |"),
        "{md}"
    );
    assert!(
        md.contains("- **load.dropped.steady** (load): 3 of 288 | dropped"),
        "{md}"
    );
    assert!(
        md.contains("| `load.dropped.steady` | load | **FAIL** | 3 of 288 \\| dropped |"),
        "{md}"
    );
}

#[test]
fn junit_marks_failures_with_message_and_evidence() {
    let x = junit::render_junit(&sample()).expect("junit");
    assert!(
        x.contains("tests=\"2\"") && x.contains("failures=\"1\""),
        "{x}"
    );
    assert!(x.contains("<failure message=\"3 of 288 | dropped\""), "{x}");
    assert!(x.contains("job og-1-7 dropped"), "{x}");
}

#[test]
fn write_report_writes_three_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("nested/report");
    write_report(&out, &sample()).expect("write");
    for f in ["report.json", "report.md", "junit.xml"] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
}

/// The small report on a managed stack at time scale 30: 74 scenario minutes in 152 wall
/// seconds, two rules rewritten (one with a `|` in a matcher, one with `<`).
pub(super) fn clocked() -> Report {
    let mut r = sample();
    r.time_scale = 30.0;
    r.clock = crate::evidence::ClockReport {
        time_scale: 30.0,
        wall_duration_s: 152.0,
        scenario_duration_s: 4440.0,
        alert_clock: "scenario".into(),
        largest_time_scale: Some(100.0),
        rules: vec![
            crate::evidence::RuleRewrite {
                file: "config/alert-rules.yaml".into(),
                line: 8,
                rule: "HighErrors".into(),
                original: "sum(rate(x{code=~\"5..|429\"}[5m])) > 0.05".into(),
                rewritten: "sum((rate(x{code=~\"5..|429\"}[10s]) / 30)) > 0.05".into(),
                for_duration: Some(("5m".into(), "10s".into())),
                keep_firing_for: Some(("10m".into(), "20s".into())),
            },
            crate::evidence::RuleRewrite {
                file: "config/alert-rules.yaml".into(),
                line: 19,
                rule: "TooFew".into(),
                original: "sum(up) < 2".into(),
                rewritten: "sum(up) < 2".into(),
                for_duration: None,
                keep_firing_for: None,
            },
        ],
    };
    r
}

#[test]
fn markdown_has_the_clock_and_every_rewritten_rule() {
    let md = render_markdown(&clocked());
    assert!(md.contains("\n## Clock\n"), "{md}");
    assert!(
        md.contains(
            "Time scale 30, 74m0s of scenario in 2m32s wall; alert timings in scenario seconds."
        ),
        "{md}"
    );
    assert!(md.contains("allows time scales up to 100."), "{md}");
    assert!(
        md.contains("| rule | file:line | as written | as evaluated | for |"),
        "{md}"
    );
    assert!(
        md.contains(
            "| `HighErrors` | config/alert-rules.yaml:8 | `sum(rate(x{code=~\"5..\\|429\"}[5m])) > 0.05` \
             | `sum((rate(x{code=~\"5..\\|429\"}[10s]) / 30)) > 0.05` | 5m → 10s; keep_firing_for 10m → 20s |"
        ),
        "{md}"
    );
    assert!(
        md.contains(
            "| `TooFew` | config/alert-rules.yaml:19 | `sum(up) < 2` | `sum(up) < 2` | – |"
        ),
        "{md}"
    );
    // The clock comes after the load and before the checks.
    let (load, clock, checks) = (
        md.find("## Load"),
        md.find("## Clock"),
        md.find("## Checks"),
    );
    assert!(load < clock && clock < checks, "{md}");
}

#[test]
fn markdown_says_wall_seconds_for_an_external_stack_and_nothing_without_load() {
    let mut r = clocked();
    r.clock.alert_clock = "wall".into();
    r.clock.rules.clear();
    r.clock.largest_time_scale = None;
    let md = render_markdown(&r);
    assert!(md.contains("; alert timings in wall seconds."), "{md}");
    assert!(md.contains("No rule was rewritten"), "{md}");
    assert!(!md.contains("| rule | file:line"), "{md}");
    r.load = LoadReport::default();
    assert!(!render_markdown(&r).contains("## Clock"));
    // The load table says which clock its durations are on.
    assert!(render_markdown(&sample()).contains("| phase | duration (scenario s) |"));
}

#[test]
fn the_terminal_summary_has_one_clock_line_when_there_was_a_load() {
    let text = summary::summary(&clocked());
    let lines: Vec<&str> = text.lines().filter(|l| l.contains("clock:")).collect();
    assert_eq!(
        lines,
        [
            "  clock: time scale 30, 74m0s of scenario in 2m32s wall; alert timings in scenario seconds (the largest time scale the stack's config allows: 100)"
        ],
        "{text}"
    );
    let mut r = clocked();
    r.clock.alert_clock = "none".into();
    assert!(
        summary::summary(&r).contains("wall; no alert timings (alerts were not watched)"),
        "{}",
        summary::summary(&r)
    );
    r.load = LoadReport::default();
    assert!(!summary::summary(&r).contains("clock:"));
}

#[test]
fn clock_durations_read_as_minutes_and_seconds() {
    assert_eq!(clock::duration(4440.0), "74m0s");
    assert_eq!(clock::duration(152.4), "2m32s");
    assert_eq!(clock::duration(45.0), "45s");
    assert_eq!(clock::duration(2.5), "2.5s");
    assert_eq!(clock::duration(f64::NAN), "–");
    // A report written before the clock section keeps its own time scale.
    let mut r = sample();
    r.clock = Default::default();
    assert_eq!(clock::time_scale(&r), 10.0);
    assert_eq!(clock::alert_unit(&r), "wall seconds");
}

#[test]
fn slo_section_shows_each_tier_beside_its_theory_and_the_budget_per_phase() {
    let mut r = sample();
    r.slo = vec![crate::report::html_sample::sample_slo(400.0, 0.0316)];
    let md = render_markdown(&r);
    assert!(
        md.contains("| JobSuccess3dBudgetBurn6m | page 6m | burn-14x | 14.4x | 22.74x | 3m48s | 1m6s | 6m40s | LATE |"),
        "{md}"
    );
    assert!(
        md.contains("| job-success-3d | burn-14x | 11.370 % | 22.74x | 3.16 % |"),
        "{md}"
    );
    let html = crate::report::html::render(&r);
    assert!(
        html.contains("<section id=\"slo\">") && html.contains("LATE"),
        "slo section missing"
    );
    let text = json::render_json(&r).expect("json");
    assert_eq!(json::parse_json(&text).expect("parse"), r);
}

#[test]
fn a_dead_component_is_named_in_every_writer() {
    let mut r = sample();
    r.verdict = Verdict::Incomplete;
    let why = "prometheus exited by signal 9 at 07:44:12 UTC, 35 s into phase `fault`; observations after that are missing";
    r.component_down = Some(why.into());
    assert!(render_markdown(&r).contains(&format!("**Incomplete:** {why}.")));
    assert!(crate::report::summary::summary(&r).contains(&format!("INCOMPLETE: {why}")));
    assert!(crate::report::html::render(&r).contains("prometheus exited by signal 9"));
    let text = json::render_json(&r).expect("json");
    assert_eq!(json::parse_json(&text).expect("parse"), r);
}

#[test]
fn no_unnamed_pagerduty_key_survives_in_any_written_file() {
    use crate::evidence::{AlertObservations, AlertsSeen, RoutingEvidence};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let text =
        std::fs::read_to_string(root.join("tests/fixtures/alerts/payloads/pagerduty-trigger.json"))
            .unwrap_or_else(|e| panic!("{e}"));
    let body: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    let key = "pd-critical-routing-key";
    assert!(text.contains(key));
    let mut v1 = body.clone();
    v1["service_key"] = v1["routing_key"].take();
    let notifications = [body, v1]
        .iter()
        .map(|b| crate::observe::receivers::parse_pagerduty("critical", b, 1_000))
        .collect();
    let seen = AlertsSeen::Watched {
        observations: AlertObservations {
            notifications,
            ..AlertObservations::default()
        },
        routing: RoutingEvidence::Notifications,
        timing: None,
        clock_scale: 1.0,
    };
    let exp = crate::expect::alerts::parse(
        "alerts:\n  - alert: RenderFailures\n    fires_in: storm\n    within: 1m\n    receivers: ['pagerduty:some-other-key']\n",
        "a.yaml",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let phases = [crate::evidence::PhaseWindow {
        name: "storm".into(),
        start_unix_ms: 0,
        end_unix_ms: 2_000,
    }];
    let (checks, alerts) = crate::check::judge::alerts(&exp, &seen, &phases, 0);
    assert!(
        alerts.iter().any(|t| t.notifications.len() == 2),
        "{alerts:?}"
    );
    let report = Report {
        checks,
        alerts,
        ..sample()
    };
    let out = tempfile::tempdir().expect("tempdir");
    write_report(out.path(), &report).expect("write");
    for f in std::fs::read_dir(out.path()).expect("dir").flatten() {
        let written = std::fs::read_to_string(f.path()).unwrap_or_default();
        assert!(!written.is_empty(), "{}", f.path().display());
        assert!(
            !written.contains(key),
            "{} holds the unnamed routing key",
            f.path().display()
        );
    }
    let json = std::fs::read_to_string(out.path().join("report.json")).unwrap_or_default();
    assert!(
        json.contains(&crate::config::secrets::fingerprint(key)),
        "{json}"
    );
}
