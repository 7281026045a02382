//! `report.html`: one self-contained page (inline CSS and SVG; no script, font, image or style
//! loaded from outside the file; the only links out are the notification cards' buttons) for
//! release managers: verdict, the acceptance criteria,
//! phases, load charts, the alert timeline, each alert's notifications as cards
//! (`html_notifications.rs`), the clock (time scale, durations, rewritten rules),
//! failing checks with evidence, then every check.
//! Formats only; the verdict and criteria come from the model. All text is escaped.

use crate::report::clock::html_section as clock_section;
use crate::report::html_escape::escape;
use crate::report::html_sections::{alerts_section, charts_section, phases_section};
use crate::report::model::Report;
use crate::verdict::{Check, Status, Verdict};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Page CSS, including print rules (A4, colours kept, no split charts or rows).
const CSS: &str = r#"
:root { --pass:#2f8132; --fail:#c62828; --skip:#7b8794; --warn:#b7791f; --error:#8e24aa; --inc:#b7791f; --ink:#1f2933; --muted:#52606d; --rule:#d9e2ec; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); margin: 0 auto; max-width: 1100px; padding: 24px; line-height: 1.4; font-size: 14px; }
h1 { font-size: 24px; margin: 0 0 8px; } h2 { font-size: 18px; margin: 28px 0 10px; border-bottom: 2px solid var(--rule); padding-bottom: 4px; } h3 { font-size: 14px; margin: 0 0 4px; }
header .top { display: flex; align-items: center; gap: 14px; flex-wrap: wrap; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; color: #fff; font-weight: 600; font-size: 12px; text-transform: uppercase; letter-spacing: .03em; white-space: nowrap; }
.verdict { font-size: 18px; padding: 4px 14px; border-radius: 14px; }
.s-pass, .v-pass { background: var(--pass); } .s-fail, .v-fail { background: var(--fail); } .s-skip { background: var(--skip); } .s-warn { background: var(--warn); } .s-error { background: var(--error); } .v-incomplete { background: var(--inc); }
dl.meta { display: grid; grid-template-columns: max-content 1fr max-content 1fr; gap: 2px 14px; margin: 12px 0; }
dl.meta dt { color: var(--muted); } dl.meta dd { margin: 0; }
.note { background: #fffbea; border-left: 4px solid var(--inc); padding: 6px 10px; margin: 8px 0; }
.note ul { margin: 4px 0 0; padding-left: 20px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--rule); vertical-align: top; }
th { background: #f5f7fa; font-weight: 600; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; } td.num { white-space: nowrap; }
td.ac { white-space: nowrap; font-weight: 600; }
#phases table { font-size: 13px; }
#all-checks td.id { width: 36%; }
#clock code { font-size: 12px; overflow-wrap: anywhere; }
td.id, .ids a { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12px; overflow-wrap: break-word; }
.ids a { display: inline-block; margin: 0 6px 2px 0; color: #1f4e8c; }
.why { color: var(--muted); font-size: 12px; }
svg.chart { width: 100%; height: auto; display: block; margin: 8px 0 16px; border: 1px solid var(--rule); border-radius: 4px; background: #fff; }
article.check { border: 1px solid var(--rule); border-left: 5px solid var(--fail); padding: 8px 12px; margin: 8px 0; border-radius: 3px; }
article.check.error { border-left-color: var(--error); }
pre { background: #f5f7fa; padding: 6px 8px; margin: 6px 0 0; white-space: pre-wrap; overflow-wrap: anywhere; font-size: 12px; }
.empty { color: var(--muted); font-style: italic; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
@page { size: A4; margin: 12mm; }
@media print {
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { max-width: none; padding: 0; font-size: 10pt; }
  h2 { break-after: avoid; page-break-after: avoid; }
  tr, article.check, svg.chart, .note { break-inside: avoid; page-break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
  section#all-checks { break-before: page; page-break-before: always; }
}
"#;

/// Most check links shown per criterion; the full list is in `report.json`.
const MAX_LINKS: usize = 40;

/// Write `report.html` into `dir` atomically (temp file + rename) and return its path.
pub fn write(dir: &Path, report: &Report) -> std::io::Result<PathBuf> {
    let path = dir.join("report.html");
    crate::util::write_atomic(&path, render(report).as_bytes())?;
    Ok(path)
}

/// Render the whole report as one HTML document.
pub fn render(report: &Report) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let scenario = escape(&report.scenario);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>obsgate report: {scenario}</title>\n<style>{CSS}{}</style>\n</head>\n<body>\n",
        super::html_notifications::CSS
    );
    header(&mut out, report);
    criteria_section(&mut out, report);
    phases_section(&mut out, report);
    charts_section(&mut out, report);
    alerts_section(&mut out, report);
    super::html_notifications::section(&mut out, report);
    clock_section(&mut out, report);
    super::slo::html_section(&mut out, report);
    super::coverage_render::html_section(&mut out, report);
    failures_section(&mut out, &report.checks);
    all_checks_section(&mut out, &report.checks);
    let _ = write!(
        out,
        "<footer>Written by obsgate {} · report schema {}</footer>\n</body>\n</html>\n",
        escape(&report.obsgate_version),
        report.schema_version
    );
    out
}

/// CSS class and word of a status badge.
pub fn status_badge(s: Status) -> String {
    let w = match s {
        Status::Pass => "pass",
        Status::Fail => "fail",
        Status::Skip => "skip",
        Status::Warn => "warn",
        Status::Error => "error",
    };
    format!("<span class=\"badge s-{w}\">{w}</span>")
}

/// A check id as HTML text, with a line-break opportunity after each dot so long ids wrap at
/// their segments instead of mid-word.
pub fn id_html(id: &str) -> String {
    escape(id).replace('.', ".<wbr>")
}

/// The anchor id of a check's row in the all-checks table.
pub fn check_anchor(id: &str) -> String {
    format!("check-{}", escape(id))
}

fn header(out: &mut String, r: &Report) {
    let (cls, word) = match r.verdict {
        Verdict::Pass => ("v-pass", "pass"),
        Verdict::Fail => ("v-fail", "fail"),
        Verdict::Incomplete => ("v-incomplete", "incomplete"),
    };
    let count = |s: Status| r.checks.iter().filter(|c| c.status == s).count();
    let _ = write!(
        out,
        "<header>\n<div class=\"top\"><h1>Acceptance report: {}</h1><span class=\"badge verdict {cls}\">{word}</span></div>\n<dl class=\"meta\"><dt>Started</dt><dd>{}</dd><dt>Finished</dt><dd>{}</dd><dt>Target</dt><dd>{}</dd><dt>Time scale</dt><dd>{} scenario s per wall s</dd><dt>Checks</dt><dd>{} total: {} pass, {} fail, {} warn, {} error, {} skip</dd><dt>obsgate</dt><dd>{}</dd></dl>\n",
        escape(&r.scenario),
        escape(&r.started_at),
        escape(&r.finished_at),
        if r.load.target.is_empty() {
            "none (static checks)".to_string()
        } else {
            escape(&r.load.target)
        },
        r.time_scale,
        r.checks.len(),
        count(Status::Pass),
        count(Status::Fail),
        count(Status::Warn),
        count(Status::Error),
        count(Status::Skip),
        escape(&r.obsgate_version),
    );
    if let Some(why) = &r.component_down {
        let _ = writeln!(
            out,
            "<div class=\"note\"><strong>Incomplete run.</strong> {}. The checks that read it are errors; what was measured before is reported below, and it cannot pass.</div>",
            super::html_escape::escape(why)
        );
    } else if r.verdict == Verdict::Incomplete {
        out.push_str("<div class=\"note\"><strong>Incomplete run.</strong> Nothing failed, but there is no verdict: the run was interrupted or an observation was lost (see the checks in error). What was measured is reported below, and it cannot pass.</div>\n");
    }
    if let Some(dir) = &r.kept_stack_data {
        let _ = writeln!(
            out,
            "<div class=\"note\">The stack's state (Prometheus's TSDB, the configs it ran on, redacted) is kept for inspection in <code>{}</code>.</div>",
            escape(dir)
        );
    }
    if !r.deviations.is_empty() {
        out.push_str(
            "<div class=\"note\"><strong>Deviations from the shipped configuration</strong><ul>",
        );
        for d in &r.deviations {
            let _ = write!(out, "<li>{}</li>", escape(d));
        }
        out.push_str("</ul></div>\n");
    }
    out.push_str("</header>\n");
}

fn criteria_section(out: &mut String, r: &Report) {
    out.push_str("<section id=\"criteria\">\n<h2>Acceptance criteria</h2>\n");
    if r.criteria.is_empty() {
        out.push_str("<p class=\"empty\">No acceptance file was evaluated for this report.</p>\n</section>\n");
        return;
    }
    let passed = r
        .criteria
        .iter()
        .filter(|c| c.status == Status::Pass)
        .count();
    let _ = writeln!(
        out,
        "<p>{passed} of {} criteria pass.</p>\n<table><thead><tr><th>#</th><th>Criterion</th><th>Status</th><th>Proven by</th></tr></thead><tbody>",
        r.criteria.len()
    );
    for c in &r.criteria {
        let _ = write!(
            out,
            "<tr><td class=\"ac\">{}</td><td>{}",
            escape(&c.id),
            escape(&c.title)
        );
        if !c.message.is_empty() {
            let _ = write!(out, "<div class=\"why\">{}</div>", escape(&c.message));
        }
        let _ = write!(
            out,
            "</td><td>{}</td><td class=\"ids\">",
            status_badge(c.status)
        );
        if c.checks.is_empty() {
            out.push_str("<span class=\"empty\">no check ran</span>");
        }
        for id in c.checks.iter().take(MAX_LINKS) {
            let _ = write!(out, "<a href=\"#{}\">{}</a>", check_anchor(id), id_html(id));
        }
        if c.checks.len() > MAX_LINKS {
            let _ = write!(
                out,
                "<span class=\"why\">and {} more (all in report.json)</span>",
                c.checks.len() - MAX_LINKS
            );
        }
        out.push_str("</td></tr>\n");
    }
    out.push_str("</tbody></table>\n</section>\n");
}

fn failures_section(out: &mut String, checks: &[Check]) {
    let failing: Vec<&Check> = checks
        .iter()
        .filter(|c| matches!(c.status, Status::Fail | Status::Error))
        .collect();
    let _ = writeln!(
        out,
        "<section id=\"failures\">\n<h2>Failing checks ({})</h2>",
        failing.len()
    );
    if failing.is_empty() {
        out.push_str("<p class=\"empty\">No check failed or errored.</p>\n");
    }
    for c in failing {
        let cls = if c.status == Status::Error {
            "check error"
        } else {
            "check"
        };
        let _ = write!(
            out,
            "<article class=\"{cls}\"><h3>{} <span class=\"id\">{}</span> <span class=\"why\">{}</span></h3><p>{}</p>",
            status_badge(c.status),
            id_html(&c.id),
            escape(c.kind.as_str()),
            escape(&c.message)
        );
        if !c.evidence.is_empty() {
            out.push_str("<pre>");
            for (i, e) in c.evidence.iter().enumerate() {
                if i > 0 {
                    out.push('\n');
                }
                out.push_str(&escape(e));
            }
            out.push_str("</pre>");
        }
        out.push_str("</article>\n");
    }
    out.push_str("</section>\n");
}

fn all_checks_section(out: &mut String, checks: &[Check]) {
    let _ = writeln!(
        out,
        "<section id=\"all-checks\">\n<h2>All checks ({})</h2>",
        checks.len()
    );
    if checks.is_empty() {
        out.push_str("<p class=\"empty\">No checks.</p>\n</section>\n");
        return;
    }
    out.push_str("<table><thead><tr><th>Check</th><th>Kind</th><th>Status</th><th>Message</th></tr></thead><tbody>\n");
    for c in checks {
        let _ = writeln!(
            out,
            "<tr id=\"{}\"><td class=\"id\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            check_anchor(&c.id),
            id_html(&c.id),
            escape(c.kind.as_str()),
            status_badge(c.status),
            escape(&c.message)
        );
    }
    out.push_str("</tbody></table>\n</section>\n");
}

#[cfg(test)]
#[path = "html_tests.rs"]
mod tests;
