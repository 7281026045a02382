//! The pipeline model: per-preset distributions and the plan of one job, drawn from a seeded
//! RNG and the current fault profile. Pure: no clocks, no I/O. Durations are scenario seconds.
//!
//! Baselines (means): short ≈ 20 s (render a small share), standard ≈ 35 s, premium ≈ 90 s
//! (render dominant); cost ≈ $0.02 per job on the reference mix. Render cost follows the output
//! size, not the render time, so `render_slowdown` moves durations only and `cost_multiplier`
//! moves cost only: each knob pushes exactly one alert.

pub mod even;
mod plan;

pub use even::EvenDraws;
pub use plan::plan_job;

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

#[cfg(test)]
mod tests;
