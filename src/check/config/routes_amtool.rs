//! Cross-check of obsgate's routing evaluation with `amtool config routes test` (run by the
//! command layer): both must reach the same receivers for every expected alert.

use std::collections::BTreeSet;

use crate::check::registry::CheckInfo;
use crate::evidence::ToolRun;
use crate::verdict::Check;
use crate::verdict::Kind;

const KIND: Kind = Kind::Routes;

/// One `amtool config routes test` result beside obsgate's own evaluation.
#[derive(Debug, Clone)]
pub struct AmtoolCase {
    /// Alert name.
    pub alert: String,
    /// Receivers obsgate's evaluation reached.
    pub ours: Vec<String>,
    /// amtool's run (stdout: receiver names separated by commas).
    pub run: ToolRun,
}

/// The receivers `amtool config routes test` printed (names separated by commas).
pub fn amtool_receivers(stdout: &str) -> BTreeSet<String> {
    stdout
        .split([',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Cross-check obsgate's routing evaluation with amtool's on every expected alert.
pub fn amtool_cross_check(cases: &[AmtoolCase]) -> Check {
    let id = "routes.amtool";
    let mut diffs = Vec::new();
    for c in cases {
        match &c.run {
            ToolRun::Missing { tool } => {
                return Check::skip(
                    id,
                    KIND,
                    format!("{tool} is not on PATH; routing not cross-checked"),
                );
            }
            ToolRun::Skipped { reason } => {
                return Check::skip(id, KIND, format!("amtool {reason}"));
            }
            ToolRun::Failed { error } => {
                diffs.push(format!("{}: amtool could not run: {error}", c.alert))
            }
            ToolRun::Ran {
                success: false,
                stdout,
                stderr,
            } => diffs.push(format!(
                "{}: amtool failed: {} {}",
                c.alert,
                stdout.trim(),
                stderr.trim()
            )),
            ToolRun::Ran { stdout, .. } => {
                let theirs = amtool_receivers(stdout);
                let ours: BTreeSet<String> = c.ours.iter().cloned().collect();
                if theirs != ours {
                    diffs.push(format!(
                        "{}: obsgate reaches {ours:?}, amtool {theirs:?}",
                        c.alert
                    ));
                }
            }
        }
    }
    if diffs.is_empty() {
        Check::pass(
            id,
            KIND,
            format!("amtool agrees on all {} alerts", cases.len()),
        )
    } else {
        Check::fail(id, KIND, diffs[0].clone()).with_all_evidence(diffs)
    }
}

/// The checks this module emits (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[CheckInfo {
    id: "routes.amtool",
    kind: KIND,
    proves: "amtool's routing of every expected alert agrees with obsgate's evaluation",
    failure: "obsgate and Alertmanager disagree on a route: the message shows both answers",
    explain: "`amtool config routes test` is run with each expected alert's labels; its receivers \
              must be the ones obsgate's own evaluation reached. Skipped when amtool is not on PATH.\n\
              Example failure: SLABreach: obsgate reaches [\"critical\"], amtool [\"slack-sla\"]",
}];
