//! The pipeline model: per-preset distributions and the plan of one job, drawn from a seeded
//! RNG and the current fault profile. Pure: no clocks, no I/O. Durations are scenario seconds.
//!
//! Baselines (means): short ≈ 20 s (render a small share), standard ≈ 35 s, premium ≈ 90 s
//! (render dominant); cost ≈ $0.02 per job on the reference mix. Render cost follows the output
//! size, not the render time, so `render_slowdown` moves durations only and `cost_multiplier`
//! moves cost only: each knob pushes exactly one alert.

use super::faults::FaultProfile;
use rand::Rng;
use rand_distr::{Distribution, LogNormal};

/// Video preset of a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Preset {
    Short,
    Standard,
    Premium,
}

/// Every preset, in label order.
pub const PRESETS: [Preset; 3] = [Preset::Short, Preset::Standard, Preset::Premium];

impl Preset {
    /// Label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Preset::Short => "short",
            Preset::Standard => "standard",
            Preset::Premium => "premium",
        }
    }
    /// Parse a label value.
    pub fn parse(s: &str) -> Option<Preset> {
        PRESETS.into_iter().find(|p| p.as_str() == s)
    }
    /// `backend` label of `pipeline_cost_dollars`.
    pub fn backend(self) -> &'static str {
        match self {
            Preset::Short => "cloud-run-cpu",
            Preset::Standard => "gke-gpu-t4",
            Preset::Premium => "gke-gpu-a100",
        }
    }
    fn spec(self) -> &'static PresetSpec {
        match self {
            Preset::Short => &SHORT,
            Preset::Standard => &STANDARD,
            Preset::Premium => &PREMIUM,
        }
    }
    /// The Gemini model this preset's agents call.
    pub fn model(self) -> &'static str {
        self.spec().model
    }
    /// The agents this preset calls, in order.
    pub fn agents(self) -> &'static [&'static str] {
        self.spec().agents
    }
}

/// Every agent name (bounded label values).
pub const AGENTS: [&str; 4] = ["script_writer", "storyboard", "voiceover", "music_director"];
/// Every model name.
pub const MODELS: [&str; 2] = ["gemini-2.0-flash", "gemini-1.5-pro"];
/// Every render failure reason.
pub const RENDER_REASONS: [&str; 4] = ["gpu_oom", "encoder_crash", "asset_missing", "timeout"];
/// Attempts per agent call and per render before the job fails.
pub const MAX_ATTEMPTS: u32 = 3;
/// Scenario seconds an agent call lasts before it times out.
pub const AGENT_TIMEOUT_S: f64 = 30.0;

struct PresetSpec {
    model: &'static str,
    agents: &'static [&'static str],
    agent_median_s: f64,
    /// Dollars per million input / output tokens.
    price_in: f64,
    price_out: f64,
    render_median_s: f64,
    size_median_bytes: f64,
    /// Render cost at the median size, dollars.
    render_cost_dollars: f64,
    qa_median_s: f64,
}

const SHORT: PresetSpec = PresetSpec {
    model: "gemini-2.0-flash",
    agents: &["script_writer", "storyboard"],
    agent_median_s: 6.0,
    price_in: 0.10,
    price_out: 0.40,
    render_median_s: 5.0,
    size_median_bytes: 20e6,
    render_cost_dollars: 0.0085,
    qa_median_s: 1.5,
};
const STANDARD: PresetSpec = PresetSpec {
    model: "gemini-2.0-flash",
    agents: &["script_writer", "storyboard", "voiceover"],
    agent_median_s: 5.5,
    price_in: 0.10,
    price_out: 0.40,
    render_median_s: 14.0,
    size_median_bytes: 150e6,
    render_cost_dollars: 0.017,
    qa_median_s: 2.5,
};
const PREMIUM: PresetSpec = PresetSpec {
    model: "gemini-1.5-pro",
    agents: &["script_writer", "storyboard", "voiceover", "music_director"],
    agent_median_s: 5.0,
    price_in: 1.25,
    price_out: 5.0,
    render_median_s: 62.0,
    size_median_bytes: 800e6,
    render_cost_dollars: 0.018,
    qa_median_s: 4.0,
};

/// Healthy probability that one agent call errors (retried, so jobs almost never fail).
const BASE_AGENT_ERROR: f64 = 0.005;
/// Healthy probability that the QA gate rejects an output.
const BASE_QA_REJECT: f64 = 0.04;

/// Outcome of one agent call (label `outcome`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgentOutcome {
    Success,
    Error,
    Timeout,
}

impl AgentOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            AgentOutcome::Success => "success",
            AgentOutcome::Error => "error",
            AgentOutcome::Timeout => "timeout",
        }
    }
}

/// One step of a job, executed in order.
#[derive(Debug, Clone, PartialEq)]
pub enum StepKind {
    DbInsert,
    Agent {
        agent: &'static str,
        attempt: u32,
        outcome: AgentOutcome,
        input_tokens: i64,
        output_tokens: i64,
    },
    Render {
        attempt: u32,
        failure: Option<&'static str>,
        size_bytes: f64,
    },
    Qa {
        accepted: bool,
    },
    DbUpdate,
}

/// A step with its scenario duration and cost.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub kind: StepKind,
    pub duration_s: f64,
    pub cost_dollars: f64,
    /// The job fails at the end of this step, with this message.
    pub fails_job: Option<String>,
}

impl Step {
    /// The `stage` log field / span name of this step.
    pub fn stage(&self) -> &'static str {
        match self.kind {
            StepKind::DbInsert => "db.insert",
            StepKind::Agent { .. } => "agent.call",
            StepKind::Render { .. } => "render",
            StepKind::Qa { .. } => "qa.gate",
            StepKind::DbUpdate => "db.update",
        }
    }
}

/// Everything that will happen to one job once a worker picks it up.
#[derive(Debug, Clone, PartialEq)]
pub struct JobPlan {
    /// Scenario seconds the job holds its worker before processing (not in the duration).
    pub hold_s: f64,
    /// Steps up to and including the failing one, if any.
    pub steps: Vec<Step>,
}

impl JobPlan {
    /// Scenario seconds of processing (the `pipeline_duration_seconds` observation).
    pub fn duration_s(&self) -> f64 {
        self.steps.iter().map(|s| s.duration_s).sum()
    }
    /// Dollars spent (the `pipeline_cost_dollars` observation).
    pub fn cost_dollars(&self) -> f64 {
        self.steps.iter().map(|s| s.cost_dollars).sum()
    }
    /// The failure message when the job fails.
    pub fn failure(&self) -> Option<&str> {
        self.steps.iter().find_map(|s| s.fails_job.as_deref())
    }
}

fn lognormal(rng: &mut impl Rng, median: f64, sigma: f64) -> f64 {
    match LogNormal::new(median.ln(), sigma) {
        Ok(d) => d.sample(rng),
        Err(_) => median,
    }
}

/// Draw the plan of one job.
pub fn plan_job(preset: Preset, faults: &FaultProfile, rng: &mut impl Rng) -> JobPlan {
    let spec = preset.spec();
    let cost_mult = faults.cost_multiplier;
    let mut steps = Vec::new();
    // The outright failure (job_failure_ratio) lands on a db or QA step so that it moves no
    // other alerted metric.
    let injected = rng.random_bool(faults.job_failure_ratio.clamp(0.0, 1.0));
    let injected_at = rng.random_range(0..3u8);
    let injected_msg = |stage: &str| format!("{stage}: injected failure (job_failure_ratio)");

    steps.push(Step {
        kind: StepKind::DbInsert,
        duration_s: lognormal(rng, 0.004, 0.6) + faults.db_latency_ms / 1000.0,
        cost_dollars: 0.0,
        fails_job: (injected && injected_at == 0).then(|| injected_msg("db.insert")),
    });

    let error_p = 1.0 - (1.0 - BASE_AGENT_ERROR) * (1.0 - faults.agent_error_ratio.clamp(0.0, 1.0));
    let timeout_p = faults.agent_timeout_ratio.clamp(0.0, 1.0);
    for &agent in spec.agents {
        for attempt in 1..=MAX_ATTEMPTS {
            let u: f64 = rng.random();
            let outcome = if u < timeout_p {
                AgentOutcome::Timeout
            } else if u < timeout_p + (1.0 - timeout_p) * error_p {
                AgentOutcome::Error
            } else {
                AgentOutcome::Success
            };
            let base = lognormal(rng, spec.agent_median_s, 0.35);
            let input_tokens = rng.random_range(1500..4000i64);
            let (duration, output_tokens) = match outcome {
                AgentOutcome::Success => (base, rng.random_range(300..1200i64)),
                AgentOutcome::Error => (base * 0.3, 0),
                AgentOutcome::Timeout => (AGENT_TIMEOUT_S, 0),
            };
            let cost =
                (input_tokens as f64 * spec.price_in + output_tokens as f64 * spec.price_out) / 1e6
                    * cost_mult;
            let last = attempt == MAX_ATTEMPTS && outcome != AgentOutcome::Success;
            steps.push(Step {
                kind: StepKind::Agent {
                    agent,
                    attempt,
                    outcome,
                    input_tokens,
                    output_tokens,
                },
                duration_s: duration + faults.agent_latency_ms / 1000.0,
                cost_dollars: cost,
                fails_job: last.then(|| {
                    format!(
                        "agent.call {agent}: {MAX_ATTEMPTS} attempts failed (last: {})",
                        outcome.as_str()
                    )
                }),
            });
            if last {
                return JobPlan {
                    hold_s: faults.hold_s,
                    steps,
                };
            }
            if outcome == AgentOutcome::Success {
                break;
            }
        }
    }

    let size = lognormal(rng, spec.size_median_bytes, 0.3);
    let render_cost = spec.render_cost_dollars * size / spec.size_median_bytes * cost_mult;
    for attempt in 1..=MAX_ATTEMPTS {
        let full = lognormal(rng, spec.render_median_s, 0.25) * faults.render_slowdown;
        let fails = rng.random_bool(faults.render_failure_ratio.clamp(0.0, 1.0));
        let reason = RENDER_REASONS[rng.random_range(0..RENDER_REASONS.len())];
        let frac: f64 = rng.random_range(0.2..0.8);
        let last = fails && attempt == MAX_ATTEMPTS;
        steps.push(Step {
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
            return JobPlan {
                hold_s: faults.hold_s,
                steps,
            };
        }
        if !fails {
            break;
        }
    }

    let reject_p = 1.0 - (1.0 - BASE_QA_REJECT) * (1.0 - faults.qa_reject_ratio.clamp(0.0, 1.0));
    steps.push(Step {
        kind: StepKind::Qa {
            accepted: !rng.random_bool(reject_p.clamp(0.0, 1.0)),
        },
        duration_s: lognormal(rng, spec.qa_median_s, 0.3),
        cost_dollars: 0.0,
        fails_job: (injected && injected_at == 1).then(|| injected_msg("qa.gate")),
    });
    if !(injected && injected_at == 1) {
        steps.push(Step {
            kind: StepKind::DbUpdate,
            duration_s: lognormal(rng, 0.004, 0.6) + faults.db_latency_ms / 1000.0,
            cost_dollars: 0.0,
            fails_job: (injected && injected_at == 2).then(|| injected_msg("db.update")),
        });
    }
    if injected && injected_at == 0 {
        steps.truncate(1);
    }
    JobPlan {
        hold_s: faults.hold_s,
        steps,
    }
}

#[cfg(test)]
mod tests;
