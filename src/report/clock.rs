//! The clock section of the writers: the time scale K, how long the run took on the wall
//! clock against how long its scenario lasts, the unit of the alert timings, and every rule
//! the compressed stack evaluated beside the rule as written. Markdown and HTML share the
//! wording here; the terminal summary takes its one-line form.

use std::fmt::Write as _;

use super::html_escape::escape;
use super::model::Report;
use crate::evidence::RuleRewrite;

/// The run's time scale: the clock section's, else the report's (reports written before the
/// section existed), 1 when neither is a usable factor.
pub fn time_scale(r: &Report) -> f64 {
    [r.clock.time_scale, r.time_scale]
        .into_iter()
        .find(|k| k.is_finite() && *k > 0.0)
        .unwrap_or(1.0)
}

/// Whether the alert timings are in scenario seconds (a managed stack on the scenario's
/// clock). Otherwise they are wall seconds: an external stack, or a report written before
/// the clock section, when alert times were always wall time.
pub fn alerts_in_scenario_time(r: &Report) -> bool {
    r.clock.alert_clock == "scenario"
}

/// The unit of the alert timings: `scenario seconds` or `wall seconds`.
pub fn alert_unit(r: &Report) -> &'static str {
    if alerts_in_scenario_time(r) {
        "scenario seconds"
    } else {
        "wall seconds"
    }
}

/// The short form of [`alert_unit`] for table headers: `scenario s` or `wall s`.
pub fn alert_unit_short(r: &Report) -> &'static str {
    if alerts_in_scenario_time(r) {
        "scenario s"
    } else {
        "wall s"
    }
}

/// A duration in seconds as minutes and seconds: `74m0s`, `2m32s`, `45s`, `2.5s`.
pub fn duration(s: f64) -> String {
    if !s.is_finite() || s < 0.0 {
        return "–".into();
    }
    let whole = s.round() as u64;
    if whole >= 60 {
        format!("{}m{}s", whole / 60, whole % 60)
    } else if s >= 10.0 {
        format!("{whole}s")
    } else {
        format!("{s:.1}s")
    }
}

/// `time scale 30, 74m0s of scenario in 2m32s wall; alert timings in scenario seconds`.
pub fn sentence(r: &Report) -> String {
    let c = &r.clock;
    let alerts = match c.alert_clock.as_str() {
        "scenario" | "wall" => format!("alert timings in {}", alert_unit(r)),
        _ => "no alert timings (alerts were not watched)".to_string(),
    };
    format!(
        "time scale {}, {} of scenario in {} wall; {alerts}",
        time_scale(r),
        duration(c.scenario_duration_s),
        duration(c.wall_duration_s)
    )
}

/// Whether the report has a clock section: a load ran, or the stack rewrote rules.
pub fn has_section(r: &Report) -> bool {
    !r.load.phases.is_empty() || !r.clock.rules.is_empty()
}

/// What the rule table shows, or why there is none.
fn rules_note(r: &Report) -> String {
    let largest = r
        .clock
        .largest_time_scale
        .map(|k| format!("The managed stack's config allows time scales up to {k}. "))
        .unwrap_or_default();
    let what = if !r.clock.rules.is_empty() {
        "Every rule the managed stack evaluated, as written and as evaluated on its compressed \
         clock (windows, for durations and per-second rates divided by the time scale):"
    } else if time_scale(r) == 1.0 {
        "At time scale 1 every rule runs as written."
    } else {
        "No rule was rewritten: no managed stack evaluated the rules on the scenario's clock."
    };
    format!("{largest}{what}")
}

/// `for` (and `keep_firing_for`) as written → as evaluated, `–` when the rule has neither.
fn timers(rw: &RuleRewrite) -> String {
    let mut parts = Vec::new();
    if let Some((a, b)) = &rw.for_duration {
        parts.push(format!("{a} → {b}"));
    }
    if let Some((a, b)) = &rw.keep_firing_for {
        parts.push(format!("keep_firing_for {a} → {b}"));
    }
    if parts.is_empty() {
        "–".into()
    } else {
        parts.join("; ")
    }
}

/// A Markdown table cell: no `|` or newline breaks the row; a code span cannot be closed early.
fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// A Markdown code span holding `s` (its backticks become quotes).
fn md_code(s: &str) -> String {
    format!("`{}`", md_cell(&s.replace('`', "'")))
}

/// The `## Clock` section of `report.md`.
pub fn markdown_section(o: &mut String, r: &Report) {
    if !has_section(r) {
        return;
    }
    let _ = writeln!(o, "\n## Clock\n");
    let _ = writeln!(o, "{}.\n", capitalised(&sentence(r)));
    let _ = writeln!(o, "{}", rules_note(r));
    if r.clock.rules.is_empty() {
        return;
    }
    let _ = writeln!(
        o,
        "\n| rule | file:line | as written | as evaluated | for |\n|---|---|---|---|---|"
    );
    for rw in &r.clock.rules {
        let _ = writeln!(
            o,
            "| {} | {}:{} | {} | {} | {} |",
            md_code(&rw.rule),
            md_cell(&rw.file),
            rw.line,
            md_code(&rw.original),
            md_code(&rw.rewritten),
            md_cell(&timers(rw))
        );
    }
}

/// The `Clock` section of `report.html`.
pub fn html_section(out: &mut String, r: &Report) {
    if !has_section(r) {
        return;
    }
    out.push_str("<section id=\"clock\">\n<h2>Clock</h2>\n");
    let _ = writeln!(
        out,
        "<p>{}.</p>\n<p class=\"why\">{}</p>",
        escape(&capitalised(&sentence(r))),
        escape(&rules_note(r))
    );
    if r.clock.rules.is_empty() {
        out.push_str("</section>\n");
        return;
    }
    out.push_str("<table><thead><tr><th>Rule</th><th>File:line</th><th>As written</th><th>As evaluated</th><th>For</th></tr></thead><tbody>\n");
    for rw in &r.clock.rules {
        let _ = writeln!(
            out,
            "<tr><td class=\"id\">{}</td><td class=\"id\">{}:{}</td><td><code>{}</code></td><td><code>{}</code></td><td>{}</td></tr>",
            escape(&rw.rule),
            escape(&rw.file),
            rw.line,
            escape(&rw.original),
            escape(&rw.rewritten),
            escape(&timers(rw))
        );
    }
    out.push_str("</tbody></table>\n</section>\n");
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}
