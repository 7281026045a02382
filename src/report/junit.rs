//! `junit.xml`: one test suite per check kind, one test case per check. Failures and errors
//! carry the check's message and its evidence, so a CI summary is actionable on its own. The
//! coverage section's figures are the `coverage` suite's properties.

use std::collections::BTreeMap;

use quick_junit::{NonSuccessKind, Report as JReport, TestCase, TestCaseStatus, TestSuite};

use super::model::Report;
use crate::verdict::{Check, Status};

fn case(c: &Check) -> TestCase {
    let mut status = match c.status {
        Status::Pass => TestCaseStatus::success(),
        Status::Skip => TestCaseStatus::skipped(),
        // Advice passes; its text is kept in the case's output below.
        Status::Warn => TestCaseStatus::success(),
        Status::Fail => TestCaseStatus::non_success(NonSuccessKind::Failure),
        Status::Error => TestCaseStatus::non_success(NonSuccessKind::Error),
    };
    if !matches!(c.status, Status::Pass | Status::Warn) {
        status.set_message(c.message.clone());
        if !c.evidence.is_empty() {
            status.set_description(c.evidence.join("\n"));
        }
    }
    let mut t = TestCase::new(c.id.clone(), status);
    t.set_classname(format!("obsgate.{}", c.kind));
    match c.status {
        Status::Pass => t.set_system_out(c.message.clone()),
        Status::Warn => t.set_system_out(
            std::iter::once(format!("warn: {}", c.message))
                .chain(c.evidence.iter().cloned())
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        _ => &mut t,
    };
    t
}

/// The report's checks as JUnit XML.
pub fn render_junit(report: &Report) -> std::io::Result<String> {
    let mut by_kind: BTreeMap<&str, Vec<&Check>> = BTreeMap::new();
    for c in &report.checks {
        by_kind.entry(c.kind.as_str()).or_default().push(c);
    }
    let mut r = JReport::new(format!("obsgate {}", report.scenario));
    let mut suites: Vec<TestSuite> = by_kind
        .into_iter()
        .map(|(kind, checks)| {
            let mut s = TestSuite::new(kind.to_string());
            s.add_test_cases(checks.into_iter().map(case));
            s
        })
        .collect();
    if let Some(c) = &report.coverage {
        // The section's figures ride on the `coverage` suite (made when no check has it).
        if !suites.iter().any(|s| s.name.as_str() == "coverage") {
            suites.push(TestSuite::new("coverage"));
        }
        if let Some(s) = suites.iter_mut().find(|s| s.name.as_str() == "coverage") {
            s.add_properties(super::coverage_rows::properties(c));
        }
    }
    r.add_test_suites(suites);
    r.to_string().map_err(std::io::Error::other)
}
