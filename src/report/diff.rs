//! Comparison of two reports of the same scenario (`obsgate report diff`): per-phase latency
//! and job-time percentiles, achieved rates, alert timings, check and criterion statuses.
//! Pure: the command reads the files; this decides what is a regression and formats the table.

use crate::evidence::PhaseReport;
use crate::report::model::Report;
use crate::verdict::Status;

mod alerts;
mod slo;

use alerts::alerts;
use serde::Serialize;
use std::collections::BTreeMap;

/// How much worse a value may get before it counts as a regression.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Tolerances {
    /// Allowed relative increase of a latency or job-time percentile, in percent.
    pub latency_pct: f64,
    /// Allowed relative drop of an achieved rate, in percent.
    pub rate_pct: f64,
    /// Allowed increase of an alert timing, in seconds.
    pub alert_s: f64,
    /// Latency and job-time changes smaller than this (milliseconds) are within tolerance
    /// whatever their percentage.
    pub latency_floor_ms: f64,
    /// Allowed increase of the budget an SLO phase spends, in points of the budget.
    pub budget_pts: f64,
}

/// What one comparison concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DiffOutcome {
    /// Worse beyond tolerance (or a pass became a non-pass).
    Regression,
    /// Better beyond tolerance (or a failure became a pass).
    Improvement,
    /// Changed, but within tolerance.
    WithinTolerance,
    /// Worth knowing, neither better nor worse (e.g. a phase added, no baseline).
    Info,
}

/// A compared value: a number or a status word.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum DiffValue {
    /// A measurement.
    Number(f64),
    /// A status or a word such as `absent`.
    Text(String),
}

/// One comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiffRow {
    /// What is compared: `phase steady`, `alert RenderFailures`, `check metrics.x`, `criterion AC4`.
    pub subject: String,
    /// Which value: `latency_ms.p99`, `achieved_rate`, `firing_after_s`, `status`.
    pub metric: String,
    /// Value in the old run.
    pub old: DiffValue,
    /// Value in the new run.
    pub new: DiffValue,
    /// The change, readable: `+12.5%`, `+40.0 s`, `pass → fail`.
    pub change: String,
    /// The conclusion.
    pub outcome: DiffOutcome,
}

/// The whole comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportDiff {
    /// Scenario of both runs.
    pub scenario: String,
    /// Start time of the old run.
    pub old_started_at: String,
    /// Start time of the new run.
    pub new_started_at: String,
    /// The tolerances applied.
    pub tolerances: Tolerances,
    /// Every comparison that changed or was measured, regressions first.
    pub rows: Vec<DiffRow>,
    /// Checks and criteria whose status did not change.
    pub unchanged_statuses: usize,
    /// Number of regressions.
    pub regressions: usize,
    /// Number of improvements.
    pub improvements: usize,
}

impl ReportDiff {
    /// True when anything regressed (exit 1).
    pub fn has_regression(&self) -> bool {
        self.regressions > 0
    }
}

/// Compare `old` with `new`. Errors (usage, exit 2) when the scenarios differ: comparing two
/// different workloads says nothing about a regression.
pub fn diff(old: &Report, new: &Report, tol: &Tolerances) -> Result<ReportDiff, String> {
    if old.scenario != new.scenario {
        return Err(format!(
            "the two reports are of different scenarios (old `{}`, new `{}`); `report diff` compares two runs of the same scenario",
            old.scenario, new.scenario
        ));
    }
    let mut rows = Vec::new();
    phases(&old.load.phases, &new.load.phases, tol, &mut rows);
    let units = (super::clock::alert_unit(old), super::clock::alert_unit(new));
    alerts(&old.alerts, &new.alerts, tol, units, &mut rows);
    if units.0 == units.1 {
        slo::slo(&old.slo, &new.slo, tol, &mut rows);
    }
    let old_checks = old.checks.iter().map(|c| (c.id.as_str(), c.status));
    let new_checks = new.checks.iter().map(|c| (c.id.as_str(), c.status));
    let mut unchanged = statuses("check", old_checks, new_checks, &mut rows);
    let old_crit = old.criteria.iter().map(|c| (c.id.as_str(), c.status));
    let new_crit = new.criteria.iter().map(|c| (c.id.as_str(), c.status));
    unchanged += statuses("criterion", old_crit, new_crit, &mut rows);
    // Stable sort: regressions first, then improvements, keeping the natural order within.
    rows.sort_by_key(|r| match r.outcome {
        DiffOutcome::Regression => 0,
        DiffOutcome::Improvement => 1,
        DiffOutcome::WithinTolerance => 2,
        DiffOutcome::Info => 3,
    });
    let count = |o: DiffOutcome| rows.iter().filter(|r| r.outcome == o).count();
    Ok(ReportDiff {
        scenario: new.scenario.clone(),
        old_started_at: old.started_at.clone(),
        new_started_at: new.started_at.clone(),
        tolerances: *tol,
        regressions: count(DiffOutcome::Regression),
        improvements: count(DiffOutcome::Improvement),
        unchanged_statuses: unchanged,
        rows,
    })
}

fn text(s: &str) -> DiffValue {
    DiffValue::Text(s.to_string())
}

/// Per-phase latency, job time and rate comparisons.
fn phases(old: &[PhaseReport], new: &[PhaseReport], tol: &Tolerances, rows: &mut Vec<DiffRow>) {
    for o in old {
        let subject = format!("phase {}", o.name);
        let Some(n) = new.iter().find(|n| n.name == o.name) else {
            rows.push(DiffRow {
                subject,
                metric: "present".into(),
                old: text("present"),
                new: text("absent"),
                change: "phase missing from the new run".into(),
                outcome: DiffOutcome::Regression,
            });
            continue;
        };
        let ms = tol.latency_floor_ms;
        let s = ms / 1000.0;
        let pairs = [
            ("latency_ms.p50", o.latency_ms.p50, n.latency_ms.p50, ms),
            ("latency_ms.p90", o.latency_ms.p90, n.latency_ms.p90, ms),
            ("latency_ms.p99", o.latency_ms.p99, n.latency_ms.p99, ms),
            ("job_time_s.p50", o.job_time_s.p50, n.job_time_s.p50, s),
            ("job_time_s.p90", o.job_time_s.p90, n.job_time_s.p90, s),
            ("job_time_s.p99", o.job_time_s.p99, n.job_time_s.p99, s),
        ];
        for (metric, ov, nv, floor) in pairs {
            rows.push(relative(
                &subject,
                metric,
                (ov, nv),
                tol.latency_pct,
                floor,
                true,
            ));
        }
        let target_changed =
            (o.target_rate - n.target_rate).abs() > 1e-9 * o.target_rate.abs().max(1.0);
        if target_changed && o.target_rate > 0.0 && n.target_rate > 0.0 {
            // Different targets: compare how much of its target each run achieved.
            rows.push(relative(
                &subject,
                "achieved_rate / target_rate",
                (
                    o.achieved_rate / o.target_rate,
                    n.achieved_rate / n.target_rate,
                ),
                tol.rate_pct,
                0.0,
                false,
            ));
        } else {
            rows.push(relative(
                &subject,
                "achieved_rate",
                (o.achieved_rate, n.achieved_rate),
                tol.rate_pct,
                0.0,
                false,
            ));
        }
    }
    for n in new.iter().filter(|n| !old.iter().any(|o| o.name == n.name)) {
        rows.push(DiffRow {
            subject: format!("phase {}", n.name),
            metric: "present".into(),
            old: text("absent"),
            new: text("present"),
            change: "phase added".into(),
            outcome: DiffOutcome::Info,
        });
    }
}

/// A relative comparison. `higher_is_worse`: latencies (an increase beyond `tol_pct` regresses);
/// otherwise rates (a drop beyond `tol_pct` regresses). A zero baseline has no relative change.
/// Changes smaller than `floor` (absolute, in the value's unit) are within tolerance.
fn relative(
    subject: &str,
    metric: &str,
    (old, new): (f64, f64),
    tol_pct: f64,
    floor: f64,
    higher_is_worse: bool,
) -> DiffRow {
    let (change, outcome) = if old <= 0.0 || !old.is_finite() || !new.is_finite() {
        let o = if old == new {
            DiffOutcome::WithinTolerance
        } else {
            DiffOutcome::Info
        };
        ("no baseline".to_string(), o)
    } else {
        let pct = (new - old) / old * 100.0;
        let worse = if higher_is_worse { pct } else { -pct };
        let small = (new - old).abs() <= floor;
        let o = if small {
            DiffOutcome::WithinTolerance
        } else if worse > tol_pct {
            DiffOutcome::Regression
        } else if worse < -tol_pct {
            DiffOutcome::Improvement
        } else {
            DiffOutcome::WithinTolerance
        };
        (format!("{pct:+.1}%"), o)
    };
    DiffRow {
        subject: subject.to_string(),
        metric: metric.to_string(),
        old: DiffValue::Number(old),
        new: DiffValue::Number(new),
        change,
        outcome,
    }
}

fn status_word(s: Status) -> &'static str {
    match s {
        Status::Pass => "pass",
        Status::Fail => "fail",
        Status::Skip => "skip",
        Status::Warn => "warn",
        Status::Error => "error",
    }
}

/// Status changes of checks or criteria, by id. Returns how many stayed the same.
/// pass → anything else, a passing one gone, or a new failing one: regression.
/// fail/error → pass: improvement. Anything else: info.
fn statuses<'a>(
    what: &str,
    old: impl Iterator<Item = (&'a str, Status)>,
    new: impl Iterator<Item = (&'a str, Status)>,
    rows: &mut Vec<DiffRow>,
) -> usize {
    let old: BTreeMap<&str, Status> = old.collect();
    let new: BTreeMap<&str, Status> = new.collect();
    let bad = |s: Status| matches!(s, Status::Fail | Status::Error);
    let mut unchanged = 0;
    for (id, &o) in &old {
        let n = new.get(id).copied();
        if n == Some(o) {
            unchanged += 1;
            continue;
        }
        let (new_v, outcome) = match n {
            None if o == Status::Pass => (text("absent"), DiffOutcome::Regression),
            None => (text("absent"), DiffOutcome::Info),
            Some(n) if o == Status::Pass => (text(status_word(n)), DiffOutcome::Regression),
            Some(n) if bad(n) && !bad(o) => (text(status_word(n)), DiffOutcome::Regression),
            Some(Status::Pass) if bad(o) => (text("pass"), DiffOutcome::Improvement),
            Some(n) => (text(status_word(n)), DiffOutcome::Info),
        };
        let new_word = match &new_v {
            DiffValue::Text(t) => t.clone(),
            DiffValue::Number(x) => x.to_string(),
        };
        rows.push(DiffRow {
            subject: format!("{what} {id}"),
            metric: "status".into(),
            old: text(status_word(o)),
            new: new_v,
            change: format!("{} → {new_word}", status_word(o)),
            outcome,
        });
    }
    for (id, &n) in new.iter().filter(|(id, _)| !old.contains_key(*id)) {
        rows.push(DiffRow {
            subject: format!("{what} {id}"),
            metric: "status".into(),
            old: text("absent"),
            new: text(status_word(n)),
            change: format!("new {what}: {}", status_word(n)),
            outcome: if bad(n) {
                DiffOutcome::Regression
            } else {
                DiffOutcome::Info
            },
        });
    }
    unchanged
}

#[cfg(test)]
#[path = "diff_tests.rs"]
mod tests;
