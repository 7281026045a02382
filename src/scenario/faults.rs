//! Range checks of a phase's fault profile (the type itself belongs to the stub): one message
//! per out-of-range knob, naming the knob, what is allowed and the value found.

use crate::stub::faults::FaultProfile;

/// Out-of-range knobs of a fault profile, one message each.
pub fn fault_problems(fp: &FaultProfile) -> Vec<String> {
    let mut out = Vec::new();
    let ratios = [
        ("agent_timeout_ratio", fp.agent_timeout_ratio),
        ("agent_error_ratio", fp.agent_error_ratio),
        ("render_failure_ratio", fp.render_failure_ratio),
        ("qa_reject_ratio", fp.qa_reject_ratio),
        ("job_failure_ratio", fp.job_failure_ratio),
    ];
    for (n, v) in ratios {
        if !(0.0..=1.0).contains(&v) {
            out.push(format!(
                "{n}: expected a probability from 0 to 1, got `{v}`"
            ));
        }
    }
    let non_neg = [
        ("db_latency_ms", fp.db_latency_ms),
        ("agent_latency_ms", fp.agent_latency_ms),
        ("hold_s", fp.hold_s),
    ];
    for (n, v) in non_neg {
        if !(v.is_finite() && v >= 0.0) {
            out.push(format!("{n}: expected a number of 0 or more, got `{v}`"));
        }
    }
    for (n, v) in [
        ("render_slowdown", fp.render_slowdown),
        ("cost_multiplier", fp.cost_multiplier),
    ] {
        if !(v.is_finite() && v > 0.0) {
            out.push(format!("{n}: expected a multiplier above 0, got `{v}`"));
        }
    }
    if fp.worker_count == Some(0) {
        out.push("worker_count: expected at least 1, got `0`".to_string());
    }
    out
}
