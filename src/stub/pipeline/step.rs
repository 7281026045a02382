//! The records of one finished step: its metrics, its span (kind, attributes, error) and its
//! log lines, including the warning when a failed attempt is about to be retried.

use super::ctx;
use crate::stub::logs::Level;
use crate::stub::model::{AgentOutcome, Step, StepKind};
use crate::stub::state::{QueuedJob, Shared};
use crate::stub::traces::{Attr, SpanBatch, SpanSpec, kv, kv_bool, kv_f64, kv_i64, now_ns};
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use serde_json::Value;

/// One finished step of a job, with what its records need.
pub(super) struct FinishedStep<'a> {
    pub shared: &'a Shared,
    pub job: &'a QueuedJob,
    pub step: &'a Step,
    pub span_id: [u8; 8],
    /// When the step started, in Unix nanoseconds.
    pub start: u64,
    /// The next step retries this one, so a failure here is logged as a warning.
    pub retry_follows: bool,
}

impl FinishedStep<'_> {
    /// Metrics, span and log lines of the step.
    pub fn record(&self, spans: &mut SpanBatch) {
        let step = self.step;
        let stage = step.stage();
        let mut attrs = Vec::new();
        let (kind, mut error) = self.record_kind(&mut attrs);
        if let Some(msg) = &step.fails_job
            && error.is_none()
        {
            error = Some(msg.clone());
        }
        attrs.push(kv_f64("scenario.duration_s", step.duration_s));
        if self.shared.tracer.enabled() {
            spans.push(&SpanSpec {
                trace_id: self.job.trace_id,
                span_id: self.span_id,
                parent: Some(self.job.run_span_id),
                trace_state: &self.job.trace_state,
                name: stage,
                kind,
                start_ns: self.start,
                end_ns: now_ns(),
                attributes: attrs,
                error,
            });
        }
        let log = &self.shared.logger;
        if log.enabled(Level::Debug) {
            let extra = [("duration_s", Value::from(step.duration_s))];
            log.log(
                Level::Debug,
                &format!("{stage} ended"),
                &ctx(self.job, &self.span_id, stage),
                &extra,
            );
        }
    }

    /// The metrics and span attributes particular to the step's kind; returns the span kind
    /// and the error of a failed attempt.
    fn record_kind<'s>(&'s self, attrs: &mut Vec<Attr<'s>>) -> (SpanKind, Option<String>) {
        let m = &self.shared.metrics;
        let duration_s = self.step.duration_s;
        match &self.step.kind {
            StepKind::DbInsert | StepKind::DbUpdate => {
                let op = if self.step.stage() == "db.insert" {
                    "insert"
                } else {
                    "update"
                };
                m.db(op, duration_s);
                attrs.push(kv("db.system.name", "postgresql"));
                attrs.push(kv("db.operation.name", op.to_uppercase()));
                attrs.push(kv("db.collection.name", "jobs"));
                (SpanKind::Client, None)
            }
            StepKind::Agent {
                agent,
                attempt,
                outcome,
                input_tokens,
                output_tokens,
            } => {
                let model = self.job.preset.model();
                m.agent_call(agent, model, outcome.as_str(), duration_s);
                attrs.extend([
                    kv("gen_ai.system", "gemini"),
                    kv("gen_ai.operation.name", "generate_content"),
                    kv("gen_ai.request.model", model),
                    kv_i64("gen_ai.usage.input_tokens", *input_tokens),
                    kv_i64("gen_ai.usage.output_tokens", *output_tokens),
                    kv("agent.name", *agent),
                    kv_i64("agent.attempt", i64::from(*attempt)),
                    kv("agent.outcome", outcome.as_str()),
                ]);
                let error = (*outcome != AgentOutcome::Success).then(|| {
                    let what = format!("agent {agent} attempt {attempt}: {}", outcome.as_str());
                    self.warn_retry(&what, ("agent", Value::from(*agent)));
                    what
                });
                (SpanKind::Client, error)
            }
            StepKind::Render {
                attempt,
                failure,
                size_bytes,
            } => {
                m.render(self.job.preset, *failure, *size_bytes);
                attrs.push(kv_i64("render.attempt", i64::from(*attempt)));
                attrs.push(kv_i64("video.size_bytes", *size_bytes as i64));
                let error = failure.map(|reason| {
                    attrs.push(kv("render.failure_reason", reason));
                    let what = format!("render attempt {attempt} failed: {reason}");
                    self.warn_retry(&what, ("reason", Value::from(reason)));
                    what
                });
                (SpanKind::Internal, error)
            }
            StepKind::Qa { accepted } => {
                m.qa(*accepted);
                attrs.push(kv(
                    "qa.result",
                    if *accepted { "accepted" } else { "rejected" },
                ));
                attrs.push(kv_bool("qa.manual_review", !accepted));
                (SpanKind::Internal, None)
            }
        }
    }

    /// A failed attempt that the next step retries is worth a warning line.
    fn warn_retry(&self, what: &str, extra: (&str, Value)) {
        if self.retry_follows {
            let stage = self.step.stage();
            self.shared.logger.log(
                Level::Warning,
                &format!("{what}; retrying"),
                &ctx(self.job, &self.span_id, stage),
                &[extra],
            );
        }
    }
}
