//! The one result model every writer formats. `report.json` is this, serialised: treat every
//! field name as a contract (`schema_version` changes when a name does).

use serde::{Deserialize, Serialize};

/// Version of the `report.json` contract.
pub const SCHEMA_VERSION: u32 = 1;

/// Outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The expectation held.
    Pass,
    /// The expectation did not hold.
    Fail,
    /// Not evaluated, with the reason in the message (e.g. no stack).
    Skip,
    /// Could not be evaluated because evidence is missing or broken.
    Error,
}

/// One verdict. `id` is stable and readable (`metrics.type.pipeline_duration_seconds`);
/// `kind` groups checks (`load`, `metrics`, `logs`, `traces`, `alerts`, `rules`, `routes`,
/// `dashboards`, `compose`, `docs`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Check {
    /// Stable, dotted identifier.
    pub id: String,
    /// Which signal or artefact this check is about.
    pub kind: String,
    /// pass / fail / skip / error.
    pub status: Status,
    /// Expected vs found, in one sentence a human can act on.
    pub message: String,
    /// A bounded list of offending samples, lines, spans or files (at most [`MAX_EVIDENCE`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
}

/// Most evidence lines kept per check: enough to act on, bounded for long runs.
pub const MAX_EVIDENCE: usize = 10;

impl Check {
    /// A passing check.
    pub fn pass(id: impl Into<String>, kind: &str, message: impl Into<String>) -> Self {
        Self::new(id, kind, Status::Pass, message)
    }
    /// A failing check.
    pub fn fail(id: impl Into<String>, kind: &str, message: impl Into<String>) -> Self {
        Self::new(id, kind, Status::Fail, message)
    }
    /// A skipped check (the message says why).
    pub fn skip(id: impl Into<String>, kind: &str, message: impl Into<String>) -> Self {
        Self::new(id, kind, Status::Skip, message)
    }
    /// A check that could not be evaluated.
    pub fn error(id: impl Into<String>, kind: &str, message: impl Into<String>) -> Self {
        Self::new(id, kind, Status::Error, message)
    }
    /// A check with the given status.
    pub fn new(
        id: impl Into<String>,
        kind: &str,
        status: Status,
        message: impl Into<String>,
    ) -> Self {
        Self {
            id: id.into(),
            kind: kind.to_string(),
            status,
            message: message.into(),
            evidence: Vec::new(),
        }
    }
    /// Attach evidence, keeping at most [`MAX_EVIDENCE`] items.
    pub fn with_evidence<I, S>(mut self, items: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.evidence
            .extend(items.into_iter().take(MAX_EVIDENCE).map(Into::into));
        self
    }
    /// A pass when `ok`, else a fail, with the same message.
    pub fn from_bool(
        id: impl Into<String>,
        kind: &str,
        ok: bool,
        message: impl Into<String>,
    ) -> Self {
        Self::new(
            id,
            kind,
            if ok { Status::Pass } else { Status::Fail },
            message,
        )
    }
}
