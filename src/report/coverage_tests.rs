//! The writers show the coverage section, and report.json round-trips it.

use super::model::Report;
use crate::evidence::coverage::{Coverage, Dimension, RouteCoverage};

fn with_coverage() -> Report {
    let mut r = super::html_sample::sample_report();
    let route = |path: &str, matched| RouteCoverage {
        path: path.into(),
        matchers: vec!["severity=\"warning\"".into()],
        receiver: "sla".into(),
        continue_matching: false,
        matched,
        handled: matched,
        alerts: Vec::new(),
    };
    let mut c = Coverage {
        routes: Dimension::observed(vec![route("root", 3), route("root.routes[2]", 0)]),
        ..Coverage::default()
    };
    c.logs.levels.insert("ERROR".into(), 2);
    r.coverage = Some(c);
    r
}

#[test]
fn every_writer_shows_the_section_and_json_round_trips() {
    let r = with_coverage();
    let md = super::render_markdown(&r);
    assert!(md.contains("### Routes: 1 of 2 covered"), "{md}");
    assert!(
        md.contains("| ✗ | root.routes[2] | severity=\"warning\" | sla | 0 | 0 |  |"),
        "{md}"
    );
    let html = super::html::render(&r);
    assert!(html.contains("<section id=\"coverage\">"), "{html}");
    assert!(html.contains("<tr class=\"uncovered\""), "{html}");
    let xml = super::junit::render_junit(&r).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        xml.contains("name=\"coverage.routes\" value=\"1/2\""),
        "{xml}"
    );
    assert!(
        xml.contains("name=\"coverage.routes.not_covered\" value=\"root.routes[2]\""),
        "{xml}"
    );
    assert!(
        xml.contains("name=\"coverage.logs.levels\" value=\"ERROR\""),
        "{xml}"
    );
    let text = super::json::render_json(&r).unwrap_or_else(|e| panic!("{e}"));
    assert!(text.contains("\"coverage\": {"), "{text}");
    let back = super::json::parse_json(&text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back.coverage, r.coverage);
}
