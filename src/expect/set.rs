//! The [`ExpectationSet`]: every expectation file a scenario names, loaded once and validated
//! (all errors at once), sorted by what reads it. The run's observers and checks take it whole.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::acceptance::Acceptance;
use super::{ExpectationFile, LogsExpectations, MetricsExpectations, TracesExpectations};
use crate::exit::AppError;

/// Every expectation file a scenario names, loaded and validated (all errors at once).
#[derive(Debug, Default)]
pub struct ExpectationSet {
    pub metrics: Vec<(PathBuf, MetricsExpectations)>,
    pub logs: Vec<(PathBuf, LogsExpectations)>,
    pub traces: Vec<(PathBuf, TracesExpectations)>,
    pub alerts: Vec<(PathBuf, crate::expect::alerts::AlertExpectations)>,
    pub dashboards: Vec<(PathBuf, super::dashboards::DashboardsExpectation)>,
    pub slo: Vec<(PathBuf, super::slo::SloExpectations)>,
    pub acceptance: Option<(PathBuf, Acceptance)>,
}

/// Just enough of a file's top level to know which model reads it.
#[derive(Deserialize)]
struct Peek {
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    criteria: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    alerts: Option<serde::de::IgnoredAny>,
}

impl ExpectationSet {
    /// Load every file; a bad file is a usage error naming each problem with file:line:column.
    pub fn load(paths: &[PathBuf]) -> Result<Self, AppError> {
        let mut out = ExpectationSet::default();
        let mut errors = Vec::new();
        for p in paths {
            if let Err(e) = out.load_one(p) {
                errors.push(e);
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(AppError::usage(errors.join("\n")))
        }
    }

    fn load_one(&mut self, path: &Path) -> Result<(), String> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| format!("{shown}: {e}"))?;
        let peek: Peek = serde_saphyr::from_str(&text).map_err(|e| format!("{shown}: {e}"))?;
        if peek.kind.as_deref() == Some("dashboards") {
            let d = super::dashboards::DashboardsExpectation::load(path)?;
            self.dashboards.push((path.to_path_buf(), d));
        } else if peek.kind.as_deref() == Some("slo") {
            let d = super::slo::SloExpectations::load(path)?;
            self.slo.push((path.to_path_buf(), d));
        } else if peek.kind.is_some() {
            match crate::expect::load_file(path).map_err(|e| e.to_string())? {
                ExpectationFile::Metrics(m) => self.metrics.push((path.to_path_buf(), m)),
                ExpectationFile::Logs(l) => self.logs.push((path.to_path_buf(), l)),
                ExpectationFile::Traces(t) => self.traces.push((path.to_path_buf(), t)),
            }
        } else if peek.criteria.is_some() {
            let a = crate::expect::acceptance::load(path)?;
            self.acceptance = Some((path.to_path_buf(), a));
        } else if peek.alerts.is_some() {
            let a = crate::expect::alerts::load(path).map_err(|e| e.message)?;
            self.alerts.push((path.to_path_buf(), a));
        } else {
            return Err(format!(
                "{shown}:1:1: expected an expectation file: a top-level `kind` (metrics, logs, traces, dashboards, slo), `alerts` or `criteria`"
            ));
        }
        Ok(())
    }
}

impl ExpectationSet {
    /// Whether only a stack can show what this set expects (alerts, dashboards, acceptance).
    pub fn needs_stack(&self) -> bool {
        self.expects_alerts() || !self.dashboards.is_empty() || self.acceptance.is_some()
    }

    /// Whether any file judges alerts (an alerts file, or the burn-rate tiers of an SLO file).
    pub fn expects_alerts(&self) -> bool {
        !self.alerts.is_empty() || !self.slo.is_empty()
    }

    /// Refuse alert expectations naming a phase the plan does not have.
    pub fn validate_phases(&self, phase_names: &[&str]) -> Result<(), AppError> {
        for (_, a) in &self.alerts {
            a.validate_phases(phase_names)?;
        }
        for (_, s) in &self.slo {
            s.validate_phases(phase_names).map_err(AppError::usage)?;
        }
        Ok(())
    }
}
