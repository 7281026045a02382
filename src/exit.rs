//! Exit codes (docs/ARCHITECTURE.md §5) and the error type that carries one.
//!
//! `0` every expectation held; `1` at least one failed; `2` invalid input or usage (nothing
//! was run); `3` the harness or the stack could not run, or the run is `incomplete`.

use std::fmt;

/// What a subcommand ended with; mapped 1:1 onto the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Every expectation held.
    Pass = 0,
    /// At least one expectation failed.
    Fail = 1,
    /// Invalid input or usage; nothing was run.
    Usage = 2,
    /// The harness or the stack could not run, or the run is `incomplete` (interrupted, a
    /// component died, an observation was lost).
    Harness = 3,
}

impl From<Outcome> for std::process::ExitCode {
    fn from(o: Outcome) -> Self {
        std::process::ExitCode::from(o as u8)
    }
}

/// An error that knows which exit code it maps to. The message is printed as-is on stderr,
/// so it must carry every detail a user needs (file:line:column, the bad value, what is allowed).
#[derive(Debug)]
pub struct AppError {
    /// `Usage` or `Harness` (a failed expectation is not an error, it is a verdict).
    pub outcome: Outcome,
    /// Human message, possibly several lines (one per problem).
    pub message: String,
}

impl AppError {
    /// Invalid input or usage: exit 2.
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            outcome: Outcome::Usage,
            message: message.into(),
        }
    }
    /// The harness or the stack could not run: exit 3.
    pub fn harness(message: impl Into<String>) -> Self {
        Self {
            outcome: Outcome::Harness,
            message: message.into(),
        }
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AppError {}

/// Result of a subcommand.
pub type AppResult = Result<Outcome, AppError>;
