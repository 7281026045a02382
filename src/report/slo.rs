//! The SLO section of the writers: per burn-rate tier, the measured time to detect beside the
//! theory at the burn its phase had; per phase, the burn and the share of the budget it spent.
//! Markdown and HTML share the rows built here.

use std::fmt::Write as _;

use super::clock::duration;
use super::html_escape::escape;
use super::model::Report;
use crate::evidence::{SloPhaseBudget, SloTierTiming};

const TIER_HEAD: [&str; 9] = [
    "Alert", "Tier", "Phase", "Factor", "Burn", "Theory", "+ delays", "Detected", "Within",
];
const PHASE_HEAD: [&str; 5] = ["SLO", "Phase", "Error ratio", "Burn", "Budget spent"];

fn opt(v: Option<f64>, f: impl Fn(f64) -> String) -> String {
    v.map_or_else(|| "–".to_string(), f)
}

/// One tier's cells, in [`TIER_HEAD`] order.
pub fn tier_row(t: &SloTierTiming) -> [String; 9] {
    let within = match (t.theory_s, t.detected_s) {
        (Some(th), Some(d)) if d <= th + t.allowance_s => "yes".to_string(),
        (Some(_), Some(_)) => "LATE".to_string(),
        _ => "no".to_string(),
    };
    [
        t.alert.clone(),
        format!("{} {}", t.tier, t.window),
        t.phase.clone(),
        format!("{}x", crate::slo::generate::number(t.factor)),
        opt(t.burn, |b| format!("{b:.2}x")),
        opt(t.theory_s, duration),
        duration(t.allowance_s),
        opt(t.detected_s, duration),
        within,
    ]
}

/// One phase's cells, in [`PHASE_HEAD`] order.
pub fn phase_row(p: &SloPhaseBudget) -> [String; 5] {
    [
        p.slo.clone(),
        p.phase.clone(),
        opt(p.error_ratio, |r| format!("{:.3} %", r * 100.0)),
        opt(p.burn, |b| format!("{b:.2}x")),
        opt(p.budget_consumed, |c| format!("{:.2} %", c * 100.0)),
    ]
}

fn md_table<const N: usize>(
    o: &mut String,
    head: [&str; N],
    rows: impl Iterator<Item = [String; N]>,
) {
    let _ = writeln!(o, "| {} |", head.join(" | "));
    let _ = writeln!(o, "|{}", "---|".repeat(N));
    for r in rows {
        let cells: Vec<String> = r.iter().map(|c| c.replace('|', "\\|")).collect();
        let _ = writeln!(o, "| {} |", cells.join(" | "));
    }
}

/// The section in Markdown (nothing without SLO expectations).
pub fn markdown_section(o: &mut String, r: &Report) {
    for s in &r.slo {
        let _ = writeln!(
            o,
            "\n## SLO burn-rate tiers ({})\n\nTimes in {} from the phase start. Theory: budget fraction × SLO window ÷ the burn the phase had (a clean window); delays: scrape and evaluation interval, `for`, two watcher polls.\n",
            s.source,
            super::clock::alert_unit(r)
        );
        md_table(o, TIER_HEAD, s.tiers.iter().map(tier_row));
        let _ = writeln!(o, "\n### Error budget spent per phase\n");
        md_table(o, PHASE_HEAD, s.phases.iter().map(phase_row));
    }
}

fn html_table<const N: usize>(
    o: &mut String,
    head: [&str; N],
    rows: impl Iterator<Item = [String; N]>,
) {
    o.push_str("<table><thead><tr>");
    for h in head {
        let _ = write!(o, "<th>{}</th>", escape(h));
    }
    o.push_str("</tr></thead><tbody>\n");
    for r in rows {
        o.push_str("<tr>");
        for c in &r {
            let _ = write!(o, "<td>{}</td>", escape(c));
        }
        o.push_str("</tr>\n");
    }
    o.push_str("</tbody></table>\n");
}

/// The section in HTML (nothing without SLO expectations).
pub fn html_section(o: &mut String, r: &Report) {
    for s in &r.slo {
        let _ = writeln!(
            o,
            "<section id=\"slo\">\n<h2>SLO burn-rate tiers</h2>\n<p class=\"why\">{} · times in {} from the phase start; theory = budget fraction × SLO window ÷ burn.</p>",
            escape(&s.source),
            super::clock::alert_unit(r)
        );
        html_table(o, TIER_HEAD, s.tiers.iter().map(tier_row));
        o.push_str("<h3>Error budget spent per phase</h3>\n");
        html_table(o, PHASE_HEAD, s.phases.iter().map(phase_row));
        o.push_str("</section>\n");
    }
}
