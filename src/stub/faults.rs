//! The fault profile: every knob that scenarios turn to make the stub misbehave. Shared by the
//! stub (`PUT /admin/faults`) and by scenario files (a profile per phase).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Fault profile. Every field is optional; the default is a healthy pipeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct FaultProfile {
    /// Probability (0..=1) that one AI agent call times out (retried; drives AIAgentTimeouts).
    pub agent_timeout_ratio: f64,
    /// Probability (0..=1) that one AI agent call returns an error (retried).
    pub agent_error_ratio: f64,
    /// Probability (0..=1) that one render attempt fails (retried; drives RenderFailures).
    pub render_failure_ratio: f64,
    /// Probability (0..=1) that the QA gate rejects an output (drives QAGateRejection).
    pub qa_reject_ratio: f64,
    /// Probability (0..=1) that a job fails outright (drives PipelineHighErrorRate).
    pub job_failure_ratio: f64,
    /// Milliseconds added to every database operation (drives DatabaseLatency).
    pub db_latency_ms: f64,
    /// Milliseconds added to every AI agent call.
    pub agent_latency_ms: f64,
    /// Multiplier of render durations (1 = healthy; drives SLABreach).
    pub render_slowdown: f64,
    /// Multiplier of every job's cost (1 = healthy; drives PipelineCostThreshold).
    pub cost_multiplier: f64,
    /// Worker pool size override (None = the stub's configured pool).
    pub worker_count: Option<u32>,
    /// Workers stop taking jobs from the queue (drives PubSubQueueDepth).
    pub consumer_stall: bool,
    /// Seconds (scenario time) every job holds its worker before starting (drives ActiveJobsSpike).
    pub hold_s: f64,
    /// `/metrics` answers 503 (Prometheus sees the target down: drives PrometheusDown).
    pub metrics_unavailable: bool,
    /// How the ratio knobs are drawn: `random` (each draw independent, as in production) or
    /// `even` (spread evenly over successive draws, so that any run of n draws holds n × ratio
    /// faults, give or take one). `even` takes the counting noise out of threshold tests.
    pub spread: Spread,
}

/// How the ratio knobs of a [`FaultProfile`] are drawn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Spread {
    /// Each draw independent (a Bernoulli trial from the job's seeded random stream).
    #[default]
    Random,
    /// Successive draws of each knob carry their remainder: the faults come evenly spaced.
    Even,
}

impl Default for FaultProfile {
    fn default() -> Self {
        Self {
            agent_timeout_ratio: 0.0,
            agent_error_ratio: 0.0,
            render_failure_ratio: 0.0,
            qa_reject_ratio: 0.0,
            job_failure_ratio: 0.0,
            db_latency_ms: 0.0,
            agent_latency_ms: 0.0,
            render_slowdown: 1.0,
            cost_multiplier: 1.0,
            worker_count: None,
            consumer_stall: false,
            hold_s: 0.0,
            metrics_unavailable: false,
            spread: Spread::Random,
        }
    }
}

/// Largest accepted `hold_s`, `db_latency_ms`/1000 and `agent_latency_ms`/1000 (scenario
/// seconds): beyond a day the model stops meaning anything.
const MAX_SECONDS: f64 = 86_400.0;

impl FaultProfile {
    /// Every out-of-range field, each message naming the field, the bad value and the allowed
    /// range. Empty when the profile is valid.
    pub fn validate(&self) -> Vec<String> {
        let mut errs = Vec::new();
        let mut ratio = |name: &str, v: f64| {
            if !(v.is_finite() && (0.0..=1.0).contains(&v)) {
                errs.push(format!("{name}: {v} is not a probability (allowed 0..=1)"));
            }
        };
        ratio("agent_timeout_ratio", self.agent_timeout_ratio);
        ratio("agent_error_ratio", self.agent_error_ratio);
        ratio("render_failure_ratio", self.render_failure_ratio);
        ratio("qa_reject_ratio", self.qa_reject_ratio);
        ratio("job_failure_ratio", self.job_failure_ratio);
        let mut range = |name: &str, v: f64, lo: f64, hi: f64| {
            if !(v.is_finite() && v >= lo && v <= hi) {
                errs.push(format!("{name}: {v} is out of range (allowed {lo}..={hi})"));
            }
        };
        range(
            "db_latency_ms",
            self.db_latency_ms,
            0.0,
            MAX_SECONDS * 1000.0,
        );
        range(
            "agent_latency_ms",
            self.agent_latency_ms,
            0.0,
            MAX_SECONDS * 1000.0,
        );
        range("render_slowdown", self.render_slowdown, 0.01, 1000.0);
        range("cost_multiplier", self.cost_multiplier, 0.0, 1_000_000.0);
        range("hold_s", self.hold_s, 0.0, MAX_SECONDS);
        if let Some(w) = self.worker_count
            && !(1..=100_000).contains(&w)
        {
            errs.push(format!(
                "worker_count: {w} is out of range (allowed 1..=100000)"
            ));
        }
        errs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_profile_is_valid() {
        assert!(FaultProfile::default().validate().is_empty());
    }

    #[test]
    fn validate_names_every_bad_field() {
        let p = FaultProfile {
            agent_timeout_ratio: 1.5,
            render_slowdown: f64::NAN,
            worker_count: Some(0),
            hold_s: -1.0,
            ..FaultProfile::default()
        };
        let errs = p.validate().join("\n");
        for f in [
            "agent_timeout_ratio: 1.5",
            "render_slowdown",
            "worker_count: 0",
            "hold_s: -1",
        ] {
            assert!(errs.contains(f), "missing {f} in {errs}");
        }
        assert_eq!(p.validate().len(), 4);
    }
}
