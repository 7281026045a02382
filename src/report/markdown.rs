//! `report.md`: a human summary for PR comments: verdict, per-phase load table, each alert's
//! notifications quoted (`markdown_notifications.rs`), the clock
//! (time scale, durations, the unit of the alert timings, rewritten rules), failing checks
//! first, then every check.

use std::fmt::Write;

use super::model::Report;
use crate::verdict::{Check, Status, Verdict};

fn status_word(s: Status) -> &'static str {
    match s {
        Status::Pass => "pass",
        Status::Fail => "**FAIL**",
        Status::Skip => "skip",
        Status::Warn => "warn",
        Status::Error => "**ERROR**",
    }
}

/// Table cells must not break the table.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The report as Markdown.
pub fn render_markdown(r: &Report) -> String {
    let mut o = String::new();
    let verdict = match r.verdict {
        Verdict::Pass => "PASS",
        Verdict::Fail => "FAIL",
        Verdict::Incomplete => {
            "INCOMPLETE (no verdict: interrupted, or an observation was lost; what was measured is below, no pass)"
        }
    };
    let _ = writeln!(o, "# obsgate: {} — {verdict}\n", r.scenario);
    let _ = writeln!(
        o,
        "Started {} · finished {} · time scale {} · obsgate {}",
        r.started_at, r.finished_at, r.time_scale, r.obsgate_version
    );
    if !r.load.target.is_empty() {
        let _ = writeln!(o, "\nTarget: `{}`", r.load.target);
    }
    if let Some(why) = &r.component_down {
        let _ = writeln!(o, "\n**Incomplete:** {why}.");
    }
    if let Some(dir) = &r.kept_stack_data {
        let _ = writeln!(
            o,
            "\nThe stack's state (Prometheus's TSDB, the configs it ran on, redacted) is kept for inspection in `{dir}`."
        );
    }
    for d in &r.deviations {
        let _ = writeln!(o, "- deviation: {d}");
    }
    load_section(&mut o, r);
    super::markdown_notifications::markdown_section(&mut o, r);
    super::clock::markdown_section(&mut o, r);
    super::slo::markdown_section(&mut o, r);
    super::coverage_render::markdown_section(&mut o, r);
    checks_section(&mut o, r);
    o
}

/// The per-phase load table, failures by reason and how latency is measured (nothing when no
/// phase ran).
fn load_section(o: &mut String, r: &Report) {
    if r.load.phases.is_empty() {
        return;
    }
    let _ = writeln!(o, "\n## Load\n");
    let _ = writeln!(
        o,
        "| phase | duration (scenario s) | target /s | achieved /s | scheduled | sent | ok | failed | dropped | late | in flight | p50 ms | p99 ms | max ms | job p50 s | job p99 s | lag p99 ms |"
    );
    let _ = writeln!(
        o,
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
    );
    for p in &r.load.phases {
        let _ = writeln!(
            o,
            "| {} | {:.1} | {:.3} | {:.3} | {} | {} | {} | {} | {} | {} | {} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.2} |",
            cell(&p.name),
            p.duration_s,
            p.target_rate,
            p.achieved_rate,
            p.scheduled,
            p.sent,
            p.succeeded,
            p.failed,
            p.dropped,
            p.late,
            p.in_flight,
            p.latency_ms.p50,
            p.latency_ms.p99,
            p.latency_ms.max,
            p.job_time_s.p50,
            p.job_time_s.p99,
            p.scheduler_lag_ms.p99
        );
    }
    let reasons: Vec<String> = r
        .load
        .phases
        .iter()
        .filter(|p| !p.failed_by_reason.is_empty())
        .map(|p| {
            let list: Vec<String> = p
                .failed_by_reason
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect();
            format!("- `{}`: {}", p.name, list.join(", "))
        })
        .collect();
    if !reasons.is_empty() {
        let _ = writeln!(o, "\nFailures by reason:\n{}", reasons.join("\n"));
    }
    endings_table(o, r);
    let _ = writeln!(
        o,
        "\nLatency is wall-clock HTTP time from each job's *intended* start (no coordinated omission); phase durations and job time are in scenario seconds."
    );
}

/// Every scheduled job by ending, per phase: the `load.accounting` identity.
fn endings_table(o: &mut String, r: &Report) {
    let cols = crate::evidence::Outcomes::COLUMNS;
    let _ = writeln!(
        o,
        "\nEvery scheduled job by ending:\n\n| phase | scheduled | {} |\n|---|--:|{}",
        cols.join(" | "),
        "--:|".repeat(cols.len())
    );
    for p in &r.load.phases {
        let cells: Vec<String> = p.outcomes.columns().iter().map(u64::to_string).collect();
        let _ = writeln!(
            o,
            "| {} | {} | {} |",
            cell(&p.name),
            p.scheduled,
            cells.join(" | ")
        );
    }
}

/// A section listing `checks` with every evidence line, when there is any.
fn listed<'a>(o: &mut String, title: &str, checks: impl Iterator<Item = &'a Check>) {
    let mut any = false;
    for c in checks {
        if !any {
            let _ = writeln!(o, "### {title}\n");
            any = true;
        }
        let _ = writeln!(o, "- **{}** ({}): {}", c.id, c.kind, c.message);
        for e in &c.evidence {
            let _ = writeln!(o, "  - `{}`", e.replace('`', "'"));
        }
    }
    if any {
        let _ = writeln!(o);
    }
}

/// Check counts, the failing checks with their evidence, then every check in a table.
fn checks_section(o: &mut String, r: &Report) {
    let failing = r.failing();
    let _ = writeln!(
        o,
        "\n## Checks\n\n{} checks: {} passed, {} failed, {} warnings, {} skipped\n",
        r.checks.len(),
        r.checks.iter().filter(|c| c.status == Status::Pass).count(),
        failing.len(),
        r.checks.iter().filter(|c| c.status == Status::Warn).count(),
        r.checks.iter().filter(|c| c.status == Status::Skip).count()
    );
    listed(o, "Failing", failing.iter().copied());
    listed(
        o,
        "Warnings",
        r.checks.iter().filter(|c| c.status == Status::Warn),
    );
    let _ = writeln!(o, "| check | kind | status | message |\n|---|---|---|---|");
    for c in &r.checks {
        let _ = writeln!(
            o,
            "| `{}` | {} | {} | {} |",
            c.id,
            c.kind,
            status_word(c.status),
            cell(&c.message)
        );
    }
}
