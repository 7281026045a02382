//! The few lines `obsgate run` prints on the terminal: per-phase load, the clock and the
//! failing checks.

use super::model::Report;

/// A few lines for the terminal.
pub fn summary(r: &Report) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    let _ = writeln!(o, "scenario {}: {:?}", r.scenario, r.verdict);
    if let Some(why) = &r.component_down {
        let _ = writeln!(o, "  INCOMPLETE: {why}");
    }
    if let Some(dir) = &r.kept_stack_data {
        let _ = writeln!(o, "  stack state kept for inspection: {dir}");
    }
    for p in &r.load.phases {
        let _ = writeln!(
            o,
            "  {:<16} target {:>9.3}/s achieved {:>9.3}/s  sent {:>7} ok {:>7} failed {:>6} dropped {:>5} late {:>5}  p99 {:>8.1} ms  job p99 {:>7.1} s",
            p.name,
            p.target_rate,
            p.achieved_rate,
            p.sent,
            p.succeeded,
            p.failed,
            p.dropped,
            p.late,
            p.latency_ms.p99,
            p.job_time_s.p99
        );
    }
    if !r.load.phases.is_empty() {
        let largest = r
            .clock
            .largest_time_scale
            .map(|k| format!(" (the largest time scale the stack's config allows: {k})"))
            .unwrap_or_default();
        let _ = writeln!(o, "  clock: {}{largest}", super::clock::sentence(r));
    }
    let failing = r.failing();
    let _ = writeln!(
        o,
        "  checks: {} total, {} failing",
        r.checks.len(),
        failing.len()
    );
    for c in failing {
        let _ = writeln!(o, "  FAIL {}: {}", c.id, c.message);
    }
    o
}
