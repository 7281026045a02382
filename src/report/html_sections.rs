//! The measurement sections of `report.html`: the per-phase table, the load charts (target vs
//! achieved rate, latency percentiles) and the alert timeline with its table, each labelled
//! with its clock (scenario or wall seconds).

use crate::evidence::AlertTiming;
use crate::report::clock::{alert_unit, alert_unit_short, alerts_in_scenario_time, time_scale};
use crate::report::html_escape::escape;
use crate::report::model::Report;
use crate::report::svg::{Band, LineChart, Series, alert_timeline, line_chart};
use std::fmt::Write as _;

/// A number for a table cell: three significant figures or so, no noise.
pub fn num(x: f64) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let a = x.abs();
    if a >= 100.0 || a == 0.0 {
        format!("{x:.0}")
    } else if a >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    }
}

fn opt(x: Option<f64>) -> String {
    x.map_or_else(|| "–".into(), num)
}

/// Phase bands in scenario seconds: from the phase durations, else from the timeline's phase
/// names (a report may carry only one of them).
pub fn phase_bands(r: &Report) -> Vec<Band> {
    let mut bands = Vec::new();
    if !r.load.phases.is_empty() {
        let mut t = 0.0;
        for p in &r.load.phases {
            bands.push(Band {
                start: t,
                end: t + p.duration_s,
                label: p.name.clone(),
            });
            t += p.duration_s;
        }
        return bands;
    }
    for (i, p) in r.load.timeline.iter().enumerate() {
        let next = r.load.timeline.get(i + 1).map_or(p.t_s, |n| n.t_s);
        match bands.last_mut() {
            Some(b) if b.label == p.phase => b.end = next,
            _ => bands.push(Band {
                start: p.t_s,
                end: next,
                label: p.phase.clone(),
            }),
        }
    }
    bands
}

/// The per-phase table.
pub fn phases_section(out: &mut String, r: &Report) {
    out.push_str("<section id=\"phases\">\n<h2>Load phases</h2>\n");
    if r.load.phases.is_empty() {
        out.push_str(
            "<p class=\"empty\">No load was driven (static checks only).</p>\n</section>\n",
        );
        return;
    }
    out.push_str("<table><thead><tr><th>Phase</th><th class=\"num\">Duration (scenario s)</th><th class=\"num\">Target (jobs/s)</th><th class=\"num\">Achieved (jobs/s)</th><th class=\"num\">Sent</th><th class=\"num\">OK</th><th class=\"num\">Failed</th><th class=\"num\">Dropped</th><th class=\"num\">Late</th><th class=\"num\">Latency (wall ms) p50 / p90 / p99 / max</th><th class=\"num\">Job time (scenario s) p50 / p99</th></tr></thead><tbody>\n");
    for p in &r.load.phases {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{} / {} / {} / {}</td><td class=\"num\">{} / {}</td></tr>",
            escape(&p.name),
            num(p.duration_s),
            num(p.target_rate),
            num(p.achieved_rate),
            p.sent,
            p.succeeded,
            p.failed,
            p.dropped,
            p.late,
            num(p.latency_ms.p50),
            num(p.latency_ms.p90),
            num(p.latency_ms.p99),
            num(p.latency_ms.max),
            num(p.job_time_s.p50),
            num(p.job_time_s.p99),
        );
    }
    out.push_str("</tbody></table>\n");
    endings_table(out, r);
    out.push_str("</section>\n");
}

/// Every scheduled job by ending, per phase (the `load.accounting` identity).
fn endings_table(out: &mut String, r: &Report) {
    out.push_str("<h3>Every scheduled job by ending</h3>\n<table><thead><tr><th>Phase</th><th class=\"num\">Scheduled</th>");
    for c in crate::evidence::Outcomes::COLUMNS {
        let _ = write!(out, "<th class=\"num\">{}</th>", escape(c));
    }
    out.push_str("</tr></thead><tbody>\n");
    for p in &r.load.phases {
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}</td>",
            escape(&p.name),
            p.scheduled
        );
        for v in p.outcomes.columns() {
            let _ = write!(out, "<td class=\"num\">{v}</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
}

/// The two load charts over the run (scenario seconds), phases shaded.
pub fn charts_section(out: &mut String, r: &Report) {
    out.push_str("<section id=\"charts\">\n<h2>Load over time</h2>\n");
    let tl = &r.load.timeline;
    if tl.is_empty() {
        out.push_str("<p class=\"empty\">No timeline was recorded.</p>\n</section>\n");
        return;
    }
    let bands = phase_bands(r);
    let series =
        |name: &str, color, dashed, f: fn(&crate::evidence::TimelinePoint) -> f64| Series {
            name: name.into(),
            color,
            dashed,
            points: tl.iter().map(|p| (p.t_s, f(p))).collect(),
        };
    out.push_str(&line_chart(&LineChart {
        title: "Target vs achieved rate".into(),
        x_label: "scenario time (s)".into(),
        y_label: "jobs per scenario second".into(),
        series: vec![
            series("target", "#7b8794", true, |p| p.target_rate),
            series("achieved", "#1f6fb2", false, |p| p.achieved_rate),
        ],
        bands: bands.clone(),
    }));
    out.push('\n');
    out.push_str(&line_chart(&LineChart {
        title: "HTTP latency from intended start".into(),
        x_label: "scenario time (s)".into(),
        y_label: "latency (ms)".into(),
        series: vec![
            series("p50", "#2f8132", false, |p| p.p50_ms),
            series("p99", "#d64545", false, |p| p.p99_ms),
        ],
        bands,
    }));
    out.push_str("\n</section>\n");
}

/// How long the run lasted in the alert timeline's unit (scenario seconds divided by `scale`):
/// the latest of the phases, the last alert event and the recorded start/finish times.
fn run_extent_s(r: &Report, scale: f64) -> f64 {
    let phases: f64 = r.load.phases.iter().map(|p| p.duration_s).sum::<f64>() / scale;
    let events = r
        .alerts
        .iter()
        .flat_map(|a| a.events.iter().map(|e| e.at_s))
        .fold(0.0, f64::max);
    let clock = match (
        chrono::DateTime::parse_from_rfc3339(&r.started_at),
        chrono::DateTime::parse_from_rfc3339(&r.finished_at),
    ) {
        (Ok(a), Ok(b)) => (b - a).num_milliseconds() as f64 / 1000.0 * time_scale(r) / scale,
        _ => 0.0,
    };
    phases.max(events).max(clock)
}

/// The alert timeline and the timings table, in the alerts' unit ([`alert_unit`]): scenario
/// seconds on a managed stack's clock, else wall seconds (the phases then divided by K).
pub fn alerts_section(out: &mut String, r: &Report) {
    out.push_str("<section id=\"alerts\">\n<h2>Alerts</h2>\n");
    if r.alerts.is_empty() {
        out.push_str("<p class=\"empty\">No alerts were observed (no stack, or none expected).</p>\n</section>\n");
        return;
    }
    let scale = if alerts_in_scenario_time(r) {
        1.0
    } else {
        time_scale(r)
    };
    let bands: Vec<Band> = phase_bands(r)
        .into_iter()
        .map(|b| Band {
            start: b.start / scale,
            end: b.end / scale,
            label: b.label,
        })
        .collect();
    let mut alerts: Vec<&AlertTiming> = r.alerts.iter().collect();
    // Fired alerts first, in firing order, so the chart reads as a cascade.
    alerts.sort_by(|a, b| {
        let first = |x: &AlertTiming| {
            x.events
                .iter()
                .map(|e| e.at_s)
                .fold(f64::INFINITY, f64::min)
        };
        first(a).total_cmp(&first(b))
    });
    let owned: Vec<AlertTiming> = alerts.iter().map(|a| (*a).clone()).collect();
    let x_label = if alerts_in_scenario_time(r) {
        "scenario time since run start (s)"
    } else {
        "wall time since run start (s)"
    };
    let extent = run_extent_s(r, scale);
    out.push_str(&alert_timeline(&owned, &bands, extent, x_label));
    let _ = writeln!(
        out,
        "\n<p class=\"why\">Times below are {} from the start (pending, firing, notified) or end (resolved) of the phase that drives each alert; the bound is scrape + evaluation interval + <code>for</code> + <code>group_wait</code>.</p>",
        alert_unit(r)
    );
    let u = alert_unit_short(r);
    let _ = writeln!(
        out,
        "<table><thead><tr><th>Alert</th><th>Fired</th><th class=\"num\">Pending ({u})</th><th class=\"num\">Firing ({u})</th><th class=\"num\">Notified ({u})</th><th class=\"num\">Bound ({u})</th><th class=\"num\">Resolved ({u})</th><th>Receivers</th></tr></thead><tbody>"
    );
    for a in &owned {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"ids\">{}</td></tr>",
            escape(&a.alert),
            if a.fired { "yes" } else { "no" },
            opt(a.pending_after_s),
            opt(a.firing_after_s),
            opt(a.notified_after_s),
            opt(a.bound_s),
            opt(a.resolved_after_s),
            a.receivers
                .iter()
                .map(|s| escape(s))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    out.push_str("</tbody></table>\n</section>\n");
}
