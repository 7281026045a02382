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
