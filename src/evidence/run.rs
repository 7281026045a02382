//! Everything one run observed, as one value: what [`crate::run`] hands to
//! [`crate::check::judge`]. Plain data; the log stream is the one signal judged while it flows
//! (its checkers' state travels beside this value, see `check::signals::log_feed`).

use super::{
    AlertObservations, AlertmanagerHealth, DashboardProbe, ExpositionParse, HttpProbe, PanelQuery,
    PrometheusHealth, QueryAnswer, ScrapeLog,
};
use super::{StackClock, StackTools};
use crate::config::stack::StackConfig;
use crate::config::timing::StackTiming;
use crate::evidence::{LoadOutcome, RoutingEvidence};
use crate::stub::faults::FaultProfile;

/// What a run observed.
#[derive(Debug)]
pub struct Evidence {
    /// The load's whole result.
    pub outcome: LoadOutcome,
    /// The scrapes of the target's `/metrics` (the last one is after the drain).
    pub scrapes: ScrapeLog,
    /// Reads of the trace backend that failed, described (how many, where, the last error).
    pub trace_backend_error: Option<String>,
    /// Spans obsgate's OTLP receiver dropped or refused, described (None when it kept all).
    pub spans_lost: Option<String>,
    /// Why log capture stopped early, if it did.
    pub log_capture_error: Option<String>,
    /// The run's circumstances the checks need.
    pub context: RunContext,
    /// What the stack showed.
    pub stack: StackEvidence,
    /// A process the run started that died during it (the run is then incomplete).
    pub death: Option<super::ComponentDeath>,
    /// Outages of components obsgate did not start that came back within the outage limit.
    pub outage_gaps: Vec<String>,
}

/// The circumstances of a run, as the checks compare against them.
#[derive(Debug, Clone)]
pub struct RunContext {
    /// Each phase's name and fault profile, in order.
    pub phase_faults: Vec<(String, FaultProfile)>,
    /// Wall end of the observation, ns since the epoch.
    pub end_unix_nano: u64,
    /// obsgate started the stub itself, without defect switches: its telemetry is complete by
    /// construction, so its gaps are the stack's.
    pub own_healthy_stub: bool,
    /// Base URL of the target that was driven.
    pub target_url: String,
}

/// What the stack contributed to a run.
#[derive(Debug, Default)]
pub struct StackEvidence {
    /// A Prometheus was observed (managed or external).
    pub prometheus_present: bool,
    /// Ways the managed stack deviates from the shipped config.
    pub deviations: Vec<String>,
    /// The managed stack's clock (None: external or no stack).
    pub clock: Option<StackClock>,
    /// Health probes of the stack components and the target (with an acceptance file).
    pub health: Option<StackHealth>,
    /// Grafana's health and its answer for each expected dashboard (with `--grafana-url`).
    pub grafana: Option<(HttpProbe, Vec<DashboardProbe>)>,
    /// Every dashboard panel query of each dashboards expectation, with Prometheus's answer.
    pub dashboards: Vec<DashboardAnswers>,
    /// One per alerts expectation file, in order.
    pub alerts: Vec<AlertsSeen>,
    /// One per SLO expectation file, in order.
    pub slo: Vec<super::SloSeen>,
    /// The stack's files and the validators' word on them, when the acceptance file asks for
    /// the static checks (Err: they could not be gathered).
    pub static_inputs: Option<Result<StaticInputs, String>>,
    /// The managed stack's state folder (TSDB, configs), inside the report folder.
    pub run_dir: Option<std::path::PathBuf>,
    /// The stack's files as read for the coverage section (every rule, route, receiver).
    pub config: Option<StackConfig>,
    /// Each recording rule's series on the run's Prometheus at the end of the run.
    pub recorded: Option<super::coverage::RecordedAnswers>,
}

/// What the static checks of a run judge: the stack's files, read once, and what promtool and
/// amtool said of them.
#[derive(Debug)]
pub struct StaticInputs {
    /// Every file the static checks read, each with its parse result.
    pub config: StackConfig,
    /// promtool/amtool runs on those files.
    pub tools: StackTools,
}

/// What the health probes of a run saw.
#[derive(Debug)]
pub struct StackHealth {
    /// The target's `/metrics`.
    pub target: HttpProbe<ExpositionParse>,
    /// Prometheus, when there is one.
    pub prometheus: Option<PrometheusHealth>,
    /// Alertmanager, when there is one.
    pub alertmanager: Option<AlertmanagerHealth>,
}

/// A dashboards expectation file's panel queries and answers.
#[derive(Debug, Default)]
pub struct DashboardAnswers {
    /// Answers by query, in dashboard order.
    pub answers: Vec<(PanelQuery, QueryAnswer)>,
    /// Dashboards that could not be read: (file, error).
    pub unreadable: Vec<(String, String)>,
    /// No Prometheus answered: the reason.
    pub not_evaluated: Option<String>,
}

/// How alerts were observed for one alerts expectation file.
// One value per alerts file per run: the size of the watched variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum AlertsSeen {
    /// Nobody watched (no stack): the reason.
    NotWatched(String),
    /// The watcher's observations.
    Watched {
        /// State changes, receivers, notifications.
        observations: AlertObservations,
        /// Where routing evidence comes from.
        routing: RoutingEvidence,
        /// The stack's timing in scenario seconds, when obsgate knows its configs.
        timing: Option<StackTiming>,
        /// Scenario seconds per wall second of the stack's clock (the time scale for a
        /// managed stack, 1 for an external one on wall time): the unit of the alert timings.
        clock_scale: f64,
    },
}
