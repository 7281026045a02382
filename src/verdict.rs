//! The verdict vocabulary every stage meets in: one [`Check`] per judged expectation, its
//! [`Status`] and [`Kind`], the acceptance [`Criterion`] and the run [`Verdict`], decided in one
//! place ([`decide`]). `report.json` serialises these: field names and the lowercase spellings of
//! the enums are a contract.

use serde::{Deserialize, Serialize};

/// Which signal or artefact a check is about. Spelled in lowercase in `report.json`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// The load engine: rates, drops, lag, fault delivery.
    Load,
    /// The target's `/metrics` exposition.
    Metrics,
    /// The target's JSON log lines.
    Logs,
    /// The target's spans.
    Traces,
    /// Alerts fired, routed, resolved, silenced, inhibited.
    Alerts,
    /// Prometheus rule files.
    Rules,
    /// Alertmanager routes and receivers.
    Routes,
    /// Grafana dashboards and provisioning.
    Dashboards,
    /// The compose file.
    Compose,
    /// Runbooks and other docs the config links to.
    Docs,
    /// Health of the stack's components and the target.
    Health,
    /// The stack as a whole (Prometheus and Alertmanager present at all).
    Stack,
    /// Service level objectives: generated rules, burn-rate tiers, error budgets.
    Slo,
    /// Inputs of the static checks.
    Static,
    /// What a run exercised of the stack, against the acceptance file's requirements.
    Coverage,
}

impl Kind {
    /// Every kind, in report order.
    pub const ALL: [Kind; 15] = [
        Kind::Load,
        Kind::Metrics,
        Kind::Logs,
        Kind::Traces,
        Kind::Alerts,
        Kind::Rules,
        Kind::Routes,
        Kind::Dashboards,
        Kind::Compose,
        Kind::Docs,
        Kind::Health,
        Kind::Stack,
        Kind::Slo,
        Kind::Static,
        Kind::Coverage,
    ];

    /// The lowercase name used in `report.json`, JUnit class names and check ids.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Load => "load",
            Kind::Metrics => "metrics",
            Kind::Logs => "logs",
            Kind::Traces => "traces",
            Kind::Alerts => "alerts",
            Kind::Rules => "rules",
            Kind::Routes => "routes",
            Kind::Dashboards => "dashboards",
            Kind::Compose => "compose",
            Kind::Docs => "docs",
            Kind::Health => "health",
            Kind::Stack => "stack",
            Kind::Slo => "slo",
            Kind::Static => "static",
            Kind::Coverage => "coverage",
        }
    }

    /// The kind named `s`, if any.
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The expectation held.
    Pass,
    /// The expectation did not hold.
    Fail,
    /// Advice: the thing works as written, but should change (an old dashboard schema, an
    /// alert without a runbook). Does not fail a run unless asked (`obsgate check --fail-on
    /// warn`).
    Warn,
    /// Not evaluated, with the reason in the message (e.g. no stack).
    Skip,
    /// Could not be evaluated because evidence is missing or broken.
    Error,
}

impl Status {
    /// The status as report.json spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Warn => "warn",
            Status::Skip => "skip",
            Status::Error => "error",
        }
    }
}

/// One verdict. `id` is stable and readable (`metrics.type.pipeline_duration_seconds`);
/// `kind` groups checks (`load`, `metrics`, `logs`, `traces`, `alerts`, `rules`, `routes`,
/// `dashboards`, `compose`, `docs`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Check {
    /// Stable, dotted identifier.
    pub id: String,
    /// Which signal or artefact this check is about.
    pub kind: Kind,
    /// pass / fail / warn / skip / error.
    pub status: Status,
    /// Expected vs found, in one sentence a human can act on.
    pub message: String,
    /// A bounded list of offending samples, lines, spans or files (at most [`MAX_EVIDENCE`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
    /// The file a static check is about, when it is about one (policy exceptions match it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

/// Most evidence lines kept per check: enough to act on, bounded for long runs.
pub const MAX_EVIDENCE: usize = 10;

impl Check {
    /// A passing check.
    pub fn pass(id: impl Into<String>, kind: Kind, message: impl Into<String>) -> Self {
        Self::new(id, kind, Status::Pass, message)
    }
    /// A failing check.
    pub fn fail(id: impl Into<String>, kind: Kind, message: impl Into<String>) -> Self {
        Self::new(id, kind, Status::Fail, message)
    }
    /// Advice that does not fail the run.
    pub fn warn(id: impl Into<String>, kind: Kind, message: impl Into<String>) -> Self {
        Self::new(id, kind, Status::Warn, message)
    }
    /// A skipped check (the message says why).
    pub fn skip(id: impl Into<String>, kind: Kind, message: impl Into<String>) -> Self {
        Self::new(id, kind, Status::Skip, message)
    }
    /// A check that could not be evaluated.
    pub fn error(id: impl Into<String>, kind: Kind, message: impl Into<String>) -> Self {
        Self::new(id, kind, Status::Error, message)
    }
    /// A check with the given status.
    pub fn new(
        id: impl Into<String>,
        kind: Kind,
        status: Status,
        message: impl Into<String>,
    ) -> Self {
        Self {
            id: id.into(),
            kind,
            status,
            message: message.into(),
            evidence: Vec::new(),
            file: None,
        }
    }
    /// Say which file the check is about.
    pub fn about_file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
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
    /// Attach every item: for the static checks, whose inputs are files of bounded size and
    /// whose every finding must be listed.
    pub fn with_all_evidence<I, S>(mut self, items: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.evidence.extend(items.into_iter().map(Into::into));
        self
    }
    /// A pass when `ok`, else a fail, with the same message.
    pub fn from_bool(
        id: impl Into<String>,
        kind: Kind,
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

/// Overall verdict of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Every check passed (skips allowed only where no expectation needed them).
    Pass,
    /// At least one check or criterion failed.
    Fail,
    /// No verdict on the thing under test: the run was interrupted (Ctrl-C, a dead component)
    /// or an observation was lost (an `error` check, and no check failed). What was measured is
    /// reported; it never passes.
    Incomplete,
}

/// One acceptance criterion and the checks that prove it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Criterion {
    /// `AC1`..`AC10`.
    pub id: String,
    pub title: String,
    pub status: Status,
    /// Ids of the checks that decide it.
    pub checks: Vec<String>,
    /// Why it is not a pass (failing check ids, patterns that matched nothing); empty on a pass.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
}

/// The run verdict:
/// - `incomplete` when interrupted (what was measured is still reported, but it never passes);
/// - `fail` when any check or criterion failed: the thing under test was seen to be wrong;
/// - `incomplete` when nothing failed but a check or criterion is an error: an observation was
///   lost (a dead component, a failed final scrape, dropped spans), so there is no verdict on
///   the thing under test, and calling it a failure would send people to debug the wrong thing;
/// - `fail` when a criterion is otherwise not a pass (a criterion whose checks never ran);
/// - `pass` otherwise. Skipped checks alone do not fail a run: a skip that an expectation
///   needed shows up through its criterion.
pub fn decide(checks: &[Check], criteria: &[Criterion], interrupted: bool) -> Verdict {
    if interrupted {
        return Verdict::Incomplete;
    }
    let any =
        |s: Status| checks.iter().any(|c| c.status == s) || criteria.iter().any(|c| c.status == s);
    if any(Status::Fail) {
        Verdict::Fail
    } else if any(Status::Error) {
        Verdict::Incomplete
    } else if criteria.iter().any(|c| c.status != Status::Pass) {
        Verdict::Fail
    } else {
        Verdict::Pass
    }
}
