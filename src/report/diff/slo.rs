//! The SLO part of `report diff`: per burn-rate tier, its time to detect and whether it stayed
//! within the theory; per SLO and phase, the share of the error budget spent. More budget spent
//! by the same scenario is a regression of the service; a slower detection, of the rules.

use super::alerts::timing_row;
use super::{DiffOutcome, DiffRow, DiffValue, Tolerances, text};
use crate::evidence::{SloReport, SloTierTiming};

fn within(t: &SloTierTiming) -> bool {
    matches!((t.theory_s, t.detected_s), (Some(th), Some(d)) if d <= th + t.allowance_s)
}

fn tiers(old: &SloReport, new: &SloReport, tol: &Tolerances, rows: &mut Vec<DiffRow>) {
    for o in &old.tiers {
        let subject = format!("slo tier {}", o.alert);
        let Some(n) = new.tiers.iter().find(|n| n.alert == o.alert) else {
            rows.push(DiffRow {
                subject,
                metric: "tier".into(),
                old: text("judged"),
                new: text("absent"),
                change: "no longer judged by the new run".into(),
                outcome: DiffOutcome::Regression,
            });
            continue;
        };
        rows.extend(timing_row(
            &subject,
            "detected_s",
            o.detected_s,
            n.detected_s,
            tol,
        ));
        if within(o) != within(n) {
            let word = |w| text(if w { "within theory" } else { "beyond theory" });
            rows.push(DiffRow {
                subject,
                metric: "within_theory".into(),
                old: word(within(o)),
                new: word(within(n)),
                change: if within(o) {
                    "now slower than theory".into()
                } else {
                    "now within theory".into()
                },
                outcome: if within(o) {
                    DiffOutcome::Regression
                } else {
                    DiffOutcome::Improvement
                },
            });
        }
    }
}

fn budgets(old: &SloReport, new: &SloReport, tol: &Tolerances, rows: &mut Vec<DiffRow>) {
    for o in &old.phases {
        let n = new
            .phases
            .iter()
            .find(|n| n.slo == o.slo && n.phase == o.phase);
        let (Some(a), Some(b)) = (o.budget_consumed, n.and_then(|n| n.budget_consumed)) else {
            continue;
        };
        let d_pts = (b - a) * 100.0;
        let outcome = if d_pts > tol.budget_pts {
            DiffOutcome::Regression
        } else if d_pts < -tol.budget_pts {
            DiffOutcome::Improvement
        } else {
            DiffOutcome::WithinTolerance
        };
        rows.push(DiffRow {
            subject: format!("slo {} phase {}", o.slo, o.phase),
            metric: "budget_consumed_pct".into(),
            old: DiffValue::Number(a * 100.0),
            new: DiffValue::Number(b * 100.0),
            change: format!("{d_pts:+.2} points of the budget"),
            outcome,
        });
    }
}

/// Compare the SLO sections file by file (matched by their expectation file).
pub(super) fn slo(old: &[SloReport], new: &[SloReport], tol: &Tolerances, rows: &mut Vec<DiffRow>) {
    for o in old {
        if let Some(n) = new.iter().find(|n| n.source == o.source) {
            tiers(o, n, tol, rows);
            budgets(o, n, tol, rows);
        }
    }
}
