//! Load errors of expectation files: every problem with its `file:line:column`, reported all at
//! once so one edit round fixes them all.

use std::fmt;

/// One problem in an expectation file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectError {
    /// Path of the file as given.
    pub file: String,
    /// 1-based line (0 when the position is unknown, e.g. an I/O error).
    pub line: u64,
    /// 1-based column (0 when unknown).
    pub column: u64,
    /// What is wrong: the bad value and what is allowed.
    pub message: String,
}

impl fmt::Display for ExpectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

/// Every problem found in one file (never empty when returned as an error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectErrors(pub Vec<ExpectError>);

impl fmt::Display for ExpectErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ExpectErrors {}

/// A position in a file (1-based; 0 when unknown).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: u64,
    pub column: u64,
}

impl Pos {
    /// Position of a value read with `serde_saphyr::Spanned`.
    pub fn of<T>(s: &serde_saphyr::Spanned<T>) -> Self {
        Self {
            line: s.referenced.line(),
            column: s.referenced.column(),
        }
    }
}

/// Collects errors while resolving one file.
#[derive(Debug)]
pub struct Collector {
    file: String,
    errors: Vec<ExpectError>,
}

impl Collector {
    /// A collector for `file`.
    pub fn new(file: &str) -> Self {
        Self {
            file: file.to_string(),
            errors: Vec::new(),
        }
    }
    /// Record a problem at `pos`.
    pub fn push(&mut self, pos: Pos, message: impl Into<String>) {
        self.errors.push(ExpectError {
            file: self.file.clone(),
            line: pos.line,
            column: pos.column,
            message: message.into(),
        });
    }
    /// `Ok(value)` when nothing was recorded, else every error.
    pub fn finish<T>(self, value: T) -> Result<T, ExpectErrors> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            Err(ExpectErrors(self.errors))
        }
    }
}
