//! Drawing one job's plan: its steps, their durations and costs, and where it fails, from the
//! preset and the fault profile in force.

use super::even::{EvenDraws, Knob};
use super::{
    AGENT_TIMEOUT_S, AgentOutcome, BASE_AGENT_ERROR, BASE_QA_REJECT, JobPlan, MAX_ATTEMPTS, Preset,
    PresetSpec, RENDER_REASONS, Step, StepKind,
};
use crate::stub::faults::FaultProfile;
use rand::Rng;
use rand_distr::{Distribution, LogNormal};

fn lognormal(rng: &mut impl Rng, median: f64, sigma: f64) -> f64 {
    match LogNormal::new(median.ln(), sigma) {
        Ok(d) => d.sample(rng),
        Err(_) => median,
    }
}

/// Draw the plan of one job. With `even` (the stub's shared remainders, under
/// [`crate::stub::faults::Spread::Even`]) the ratio knobs are spread evenly across jobs; the
/// random stream is drawn the same either way, so durations and sizes do not change with it.
pub fn plan_job(
    preset: Preset,
    faults: &FaultProfile,
    rng: &mut impl Rng,
    even: Option<&mut EvenDraws>,
) -> JobPlan {
    let mut p = Planner {
        spec: preset.spec(),
        faults,
        rng,
        even,
        steps: Vec::new(),
    };
    // The outright failure (job_failure_ratio) lands on a db or QA step so that it moves no
    // other alerted metric.
    let injected = p.chance(Knob::JobFailure, faults.job_failure_ratio);
    let injected_at = p.rng.random_range(0..3u8);
    let insert = p.db_step(StepKind::DbInsert);
    p.steps.push(Step {
        fails_job: (injected && injected_at == 0).then(|| injected_msg("db.insert")),
        ..insert
    });
    if p.agents() && p.renders() {
        p.qa_and_update(injected.then_some(injected_at));
        if injected && injected_at == 0 {
            p.steps.truncate(1);
        }
    }
    JobPlan {
        hold_s: faults.hold_s,
        steps: p.steps,
    }
}

/// The message of a failure injected by `job_failure_ratio` at `stage`.
fn injected_msg(stage: &str) -> String {
    format!("{stage}: injected failure (job_failure_ratio)")
}

/// Draws a job's steps in order from one random stream (the order of draws is part of the
/// seed's meaning, so it must not change).
struct Planner<'a, R: Rng> {
    spec: &'static PresetSpec,
    faults: &'a FaultProfile,
    rng: &'a mut R,
    /// The shared remainders when faults are spread evenly.
    even: Option<&'a mut EvenDraws>,
    steps: Vec<Step>,
}

impl<R: Rng> Planner<'_, R> {
    /// One fault draw of `knob` at probability `p`. The random draw is made in both modes so
    /// that the rest of the stream (durations, sizes) is the same.
    fn chance(&mut self, knob: Knob, p: f64) -> bool {
        let random = self.rng.random_bool(p.clamp(0.0, 1.0));
        match self.even.as_deref_mut() {
            Some(e) => e.take(knob, p),
            None => random,
        }
    }

    /// One agent attempt's outcome: timeout, else error, else success.
    fn agent_outcome(&mut self, timeout_p: f64, error_p: f64) -> AgentOutcome {
        let u: f64 = self.rng.random();
        if let Some(e) = self.even.as_deref_mut() {
            return if e.take(Knob::AgentTimeout, timeout_p) {
                AgentOutcome::Timeout
            } else if e.take(Knob::AgentError, error_p) {
                AgentOutcome::Error
            } else {
                AgentOutcome::Success
            };
        }
        if u < timeout_p {
            AgentOutcome::Timeout
        } else if u < timeout_p + (1.0 - timeout_p) * error_p {
            AgentOutcome::Error
        } else {
            AgentOutcome::Success
        }
    }

    /// A database step of `kind` (insert or update), with the injected latency added.
    fn db_step(&mut self, kind: StepKind) -> Step {
        Step {
            kind,
            duration_s: lognormal(self.rng, 0.004, 0.6) + self.faults.db_latency_ms / 1000.0,
            cost_dollars: 0.0,
            fails_job: None,
        }
    }

    /// Each agent's attempts until one succeeds; false when an agent ran out of attempts
    /// (that attempt fails the job and ends the plan).
    fn agents(&mut self) -> bool {
        let faults = self.faults;
        let error_p =
            1.0 - (1.0 - BASE_AGENT_ERROR) * (1.0 - faults.agent_error_ratio.clamp(0.0, 1.0));
        let timeout_p = faults.agent_timeout_ratio.clamp(0.0, 1.0);
        for &agent in self.spec.agents {
            for attempt in 1..=MAX_ATTEMPTS {
                let outcome = self.agent_outcome(timeout_p, error_p);
                let last = attempt == MAX_ATTEMPTS && outcome != AgentOutcome::Success;
                let step = self.agent_attempt(agent, attempt, outcome, last);
                self.steps.push(step);
                if last {
                    return false;
                }
                if outcome == AgentOutcome::Success {
                    break;
                }
            }
        }
        true
    }

    /// One agent call with the given outcome: its latency, tokens and cost.
    fn agent_attempt(
        &mut self,
        agent: &'static str,
        attempt: u32,
        outcome: AgentOutcome,
        last: bool,
    ) -> Step {
        let spec = self.spec;
        let base = lognormal(self.rng, spec.agent_median_s, 0.35);
        let input_tokens = self.rng.random_range(1500..4000i64);
        let (duration, output_tokens) = match outcome {
            AgentOutcome::Success => (base, self.rng.random_range(300..1200i64)),
            AgentOutcome::Error => (base * 0.3, 0),
            AgentOutcome::Timeout => (AGENT_TIMEOUT_S, 0),
        };
        let cost = (input_tokens as f64 * spec.price_in + output_tokens as f64 * spec.price_out)
            / 1e6
            * self.faults.cost_multiplier;
        Step {
            kind: StepKind::Agent {
                agent,
                attempt,
                outcome,
                input_tokens,
                output_tokens,
            },
            duration_s: duration + self.faults.agent_latency_ms / 1000.0,
            cost_dollars: cost,
            fails_job: last.then(|| {
                format!(
                    "agent.call {agent}: {MAX_ATTEMPTS} attempts failed (last: {})",
                    outcome.as_str()
                )
            }),
        }
    }

    /// Render attempts until one succeeds; false when all failed (the last fails the job and
    /// ends the plan).
    fn renders(&mut self) -> bool {
        let (spec, faults) = (self.spec, self.faults);
        let size = lognormal(self.rng, spec.size_median_bytes, 0.3);
        let render_cost =
            spec.render_cost_dollars * size / spec.size_median_bytes * faults.cost_multiplier;
        for attempt in 1..=MAX_ATTEMPTS {
            let full = lognormal(self.rng, spec.render_median_s, 0.25) * faults.render_slowdown;
            let fails = self.chance(Knob::RenderFailure, faults.render_failure_ratio);
            let reason = RENDER_REASONS[self.rng.random_range(0..RENDER_REASONS.len())];
            let frac: f64 = self.rng.random_range(0.2..0.8);
            let last = fails && attempt == MAX_ATTEMPTS;
            self.steps.push(Step {
                kind: StepKind::Render {
                    attempt,
                    failure: fails.then_some(reason),
                    size_bytes: if fails { 0.0 } else { size },
                },
                duration_s: if fails { full * frac } else { full },
                cost_dollars: if fails {
                    render_cost * frac
                } else {
                    render_cost
                },
                fails_job: last
                    .then(|| format!("render: {MAX_ATTEMPTS} attempts failed (last: {reason})")),
            });
            if last {
                return false;
            }
            if !fails {
                break;
            }
        }
        true
    }

    /// The QA gate and the final database update; `injected_at` is where an injected failure
    /// lands (1: the QA gate, which then ends the job; 2: the update).
    fn qa_and_update(&mut self, injected_at: Option<u8>) {
        let faults = self.faults;
        let reject_p =
            1.0 - (1.0 - BASE_QA_REJECT) * (1.0 - faults.qa_reject_ratio.clamp(0.0, 1.0));
        let rejected = self.chance(Knob::QaReject, reject_p);
        self.steps.push(Step {
            kind: StepKind::Qa {
                accepted: !rejected,
            },
            duration_s: lognormal(self.rng, self.spec.qa_median_s, 0.3),
            cost_dollars: 0.0,
            fails_job: (injected_at == Some(1)).then(|| injected_msg("qa.gate")),
        });
        if injected_at != Some(1) {
            let update = self.db_step(StepKind::DbUpdate);
            self.steps.push(Step {
                fails_job: (injected_at == Some(2)).then(|| injected_msg("db.update")),
                ..update
            });
        }
    }
}
