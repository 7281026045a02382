//! The alert part of `report diff`: whether each alert still fires and how its timings moved.

use super::{DiffOutcome, DiffRow, DiffValue, Tolerances, text};
use crate::evidence::AlertTiming;

/// Alert timings: later beyond `alert_s` regresses; an alert that stopped firing regresses.
/// `units` are the two reports' units of the timings (`scenario seconds`, `wall seconds`):
/// timings in different units are not compared, and one row says so.
pub(super) fn alerts(
    old: &[AlertTiming],
    new: &[AlertTiming],
    tol: &Tolerances,
    units: (&str, &str),
    rows: &mut Vec<DiffRow>,
) {
    let same_unit = units.0 == units.1;
    if !same_unit && !old.is_empty() && !new.is_empty() {
        rows.push(DiffRow {
            subject: "alerts".into(),
            metric: "timing unit".into(),
            old: text(units.0),
            new: text(units.1),
            change: "alert timings are on different clocks: not compared".into(),
            outcome: DiffOutcome::Info,
        });
    }
    for o in old {
        let subject = format!("alert {}", o.alert);
        let n = new.iter().find(|n| n.alert == o.alert);
        let n_fired = n.is_some_and(|n| n.fired);
        if o.fired != n_fired {
            rows.push(DiffRow {
                subject: subject.clone(),
                metric: "fired".into(),
                old: text(if o.fired { "fired" } else { "silent" }),
                new: text(if n_fired { "fired" } else { "silent" }),
                change: if o.fired {
                    "no longer fires".into()
                } else {
                    "now fires (its checks say whether that was expected)".into()
                },
                outcome: if o.fired {
                    DiffOutcome::Regression
                } else {
                    DiffOutcome::Info
                },
            });
        }
        let Some(n) = n else { continue };
        let timings = [
            ("pending_after_s", o.pending_after_s, n.pending_after_s),
            ("firing_after_s", o.firing_after_s, n.firing_after_s),
            ("notified_after_s", o.notified_after_s, n.notified_after_s),
            ("resolved_after_s", o.resolved_after_s, n.resolved_after_s),
        ];
        for (metric, ov, nv) in timings.into_iter().filter(|_| same_unit) {
            rows.extend(timing_row(&subject, metric, ov, nv, tol));
        }
    }
    for n in new
        .iter()
        .filter(|n| !old.iter().any(|o| o.alert == n.alert))
    {
        rows.push(DiffRow {
            subject: format!("alert {}", n.alert),
            metric: "fired".into(),
            old: text("absent"),
            new: text(if n.fired { "fired" } else { "silent" }),
            change: "alert added to the run".into(),
            outcome: DiffOutcome::Info,
        });
    }
}

/// How one timing of an alert moved; none when neither run observed it.
pub(super) fn timing_row(
    subject: &str,
    metric: &str,
    ov: Option<f64>,
    nv: Option<f64>,
    tol: &Tolerances,
) -> Option<DiffRow> {
    let row = |new: DiffValue, old: DiffValue, change: String, outcome| DiffRow {
        subject: subject.to_string(),
        metric: metric.into(),
        old,
        new,
        change,
        outcome,
    };
    match (ov, nv) {
        (Some(a), Some(b)) => {
            let d = b - a;
            let outcome = if d > tol.alert_s {
                DiffOutcome::Regression
            } else if d < -tol.alert_s {
                DiffOutcome::Improvement
            } else {
                DiffOutcome::WithinTolerance
            };
            Some(row(
                DiffValue::Number(b),
                DiffValue::Number(a),
                format!("{d:+.1} s"),
                outcome,
            ))
        }
        (Some(a), None) => Some(row(
            text("not observed"),
            DiffValue::Number(a),
            "no longer observed".into(),
            DiffOutcome::Regression,
        )),
        (None, Some(b)) => Some(row(
            DiffValue::Number(b),
            text("not observed"),
            "now observed".into(),
            DiffOutcome::Info,
        )),
        (None, None) => None,
    }
}
