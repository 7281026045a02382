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
        }
    }
}
