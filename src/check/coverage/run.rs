//! A run's coverage inputs, picked out of its [`Evidence`] and [`ExpectationSet`]: the stack's
//! config, the one alert watcher's observations, the recorded series, the live dashboard
//! answers, the scrapes that parsed, and the log levels and fields.

use super::{AlertsView, CoverageInput};
use crate::evidence::coverage::{Coverage, LogCoverage};
use crate::evidence::{AlertsSeen, Evidence, Exposition};
use crate::expect::ExpectationSet;
use crate::verdict::Check;

/// The coverage of a run and the checks of the acceptance file's requirements (none without
/// an acceptance file or a `coverage:` block).
pub fn from_run(
    exps: &ExpectationSet,
    ev: &Evidence,
    mut logs: LogCoverage,
) -> (Coverage, Vec<Check>) {
    let stack = &ev.stack;
    let config = stack.config.as_ref().or_else(|| {
        stack
            .static_inputs
            .as_ref()
            .and_then(|s| s.as_ref().ok())
            .map(|s| &s.config)
    });
    let seen = stack
        .alerts
        .iter()
        .chain(stack.slo.iter().map(|s| &s.alerts));
    let mut alerts = AlertsView::NotWatched("no alerts expectation: the alert watcher did not run");
    for s in seen {
        match s {
            AlertsSeen::Watched {
                observations,
                routing,
                ..
            } => {
                alerts = AlertsView::Watched(observations, *routing);
                break;
            }
            AlertsSeen::NotWatched(why) => alerts = AlertsView::NotWatched(why),
        }
    }
    let mut families: Vec<&str> = Vec::new();
    for f in exps.metrics.iter().flat_map(|(_, m)| &m.families) {
        if !families.contains(&f.name.as_str()) {
            families.push(&f.name);
        }
    }
    let scrapes = &ev.scrapes;
    let first = scrapes
        .first
        .as_ref()
        .filter(|f| scrapes.recent.front().map(|r| r.at_unix_ms) != Some(f.at_unix_ms));
    let parsed: Vec<&Exposition> = first
        .into_iter()
        .chain(&scrapes.recent)
        .filter_map(|s| s.result.as_ref().ok())
        .collect();
    logs.not_observed = ev.log_capture_error.clone();
    let coverage = super::compute(CoverageInput {
        config,
        alerts,
        ignore_alerts: exps
            .alerts
            .iter()
            .flat_map(|(_, a)| &a.ignore_alerts)
            .collect(),
        recorded: stack.recorded.as_ref(),
        dashboards: &stack.dashboards,
        families,
        scrapes: parsed,
        logs,
    });
    let checks = exps
        .acceptance
        .as_ref()
        .map(|(_, a)| super::require::checks(&coverage, &a.coverage))
        .unwrap_or_default();
    (coverage, checks)
}
