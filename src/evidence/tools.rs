//! What the external validators (promtool, amtool) said about the stack's files.

use std::collections::BTreeMap;

/// What running an external tool gave.
#[derive(Debug, Clone, PartialEq)]
pub enum ToolRun {
    /// The tool is not on PATH (the check is skipped, saying so).
    Missing {
        /// The binary that was looked for.
        tool: String,
    },
    /// Not run, and why (`--no-tools`, no file of its kind given).
    Skipped {
        /// The reason, as the check prints it.
        reason: String,
    },
    /// The tool ran.
    Ran {
        /// Exit status was 0.
        success: bool,
        /// Its stdout.
        stdout: String,
        /// Its stderr.
        stderr: String,
    },
    /// The tool is present but could not be started.
    Failed {
        /// Why.
        error: String,
    },
}

/// One `amtool config routes test` to run: an expected alert (or a routing case) and the
/// labels it arrives with.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteTest {
    /// Alert name (for a routing case: its key, the name or position of its check id).
    pub alert: String,
    /// Its full label set (`alertname`, the rule's labels, the expectation's extra labels).
    pub labels: BTreeMap<String, String>,
}

/// What the external validators said about the stack's files, gathered before judging so the
/// checks only read values.
#[derive(Debug, Clone, PartialEq)]
pub struct StackTools {
    /// `promtool check rules` on every rule file.
    pub promtool_rules: ToolRun,
    /// `amtool check-config` on `alertmanager.yml`.
    pub amtool_config: ToolRun,
    /// `amtool config routes test`, one run per route test, in the order asked.
    pub amtool_routes: Vec<(RouteTest, ToolRun)>,
    /// `amtool config routes test` on every routing case of the routes expectations, in file
    /// order (`alert` is the case's key).
    pub amtool_cases: Vec<(RouteTest, ToolRun)>,
}
