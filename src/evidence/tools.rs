//! What an external validator (promtool, amtool) said about a file.

/// What running an external tool gave.
#[derive(Debug, Clone, PartialEq)]
pub enum ToolRun {
    /// The tool is not on PATH (the check is skipped, saying so).
    Missing {
        /// The binary that was looked for.
        tool: String,
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
