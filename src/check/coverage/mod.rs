//! The coverage section: what a run exercised of the stack, computed from the evidence and the
//! stack's config (pure: no I/O). One file per group of dimensions: [`rules`] (alerting and
//! recording rules), [`routing`] (routes and receivers), [`inhibit`] (inhibition rules),
//! [`signals`] (panel targets and metric families), [`logs`] (levels and fields, gathered while
//! the lines stream); [`require`] turns the acceptance file's `coverage:` requirements into
//! `coverage.<dimension>` checks; [`run`] picks a run's inputs out of its evidence.

pub mod inhibit;
pub mod logs;
pub mod require;
pub mod routing;
pub mod rules;
pub mod run;
pub mod signals;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_require;

use regex::Regex;

use crate::config::stack::StackConfig;
use crate::evidence::coverage::{Coverage, LogCoverage, RecordedAnswers};
use crate::evidence::{AlertObservations, DashboardAnswers, Exposition, RoutingEvidence};

pub use require::CHECKS;
pub use rules::recorded_series;

/// What the alert watcher saw, as coverage reads it.
#[derive(Debug, Clone, Copy)]
pub enum AlertsView<'a> {
    /// Nobody watched: why.
    NotWatched(&'a str),
    /// The watcher's observations, and where its routing evidence comes from.
    Watched(&'a AlertObservations, RoutingEvidence),
}

/// Everything coverage is computed from.
#[derive(Debug)]
pub struct CoverageInput<'a> {
    /// The stack's files (None: they could not be read).
    pub config: Option<&'a StackConfig>,
    /// The alert watcher's observations.
    pub alerts: AlertsView<'a>,
    /// The alert expectations' `ignore_alerts` patterns.
    pub ignore_alerts: Vec<&'a Regex>,
    /// The recorded series' answers (None: not asked).
    pub recorded: Option<&'a RecordedAnswers>,
    /// The dashboards expectations' panel answers.
    pub dashboards: &'a [DashboardAnswers],
    /// The metrics expectations' family names.
    pub families: Vec<&'a str>,
    /// Every scrape of the run that parsed, oldest first.
    pub scrapes: Vec<&'a Exposition>,
    /// What the log stream showed.
    pub logs: LogCoverage,
}

/// Why a dimension read from the config has nothing to list.
pub(crate) const NO_CONFIG: &str = "the stack's config could not be read";

/// The coverage of one run.
pub fn compute(input: CoverageInput<'_>) -> Coverage {
    let (routes, receivers) = routing::routes_and_receivers(input.config, input.alerts);
    Coverage {
        alert_rules: rules::alert_rules(input.config, input.alerts, &input.ignore_alerts),
        recording_rules: rules::recording_rules(input.config, input.recorded),
        routes,
        receivers,
        inhibit_rules: inhibit::inhibit_rules(input.config, input.alerts),
        panels: signals::panels(input.dashboards),
        metrics: signals::metrics(&input.families, &input.scrapes),
        logs: input.logs,
    }
}

/// What was lost of the alert observations, in words (empty when nothing was).
pub(crate) fn alerts_lost(obs: &AlertObservations, notifications_too: bool) -> Vec<String> {
    let mut out = Vec::new();
    if obs.truncated {
        out.push("alert state changes beyond the watcher's bound were dropped".to_string());
    }
    if notifications_too {
        out.extend(obs.receivers_lost.iter().cloned());
    }
    out
}
