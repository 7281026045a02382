//! The scenario file as written: strict serde structs (`deny_unknown_fields`) with source
//! locations (`Spanned`) on every value that validation may reject. No checks here beyond the
//! YAML shape; `resolve` turns this into a [`crate::scenario::Plan`].

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::stub::faults::FaultProfile;

/// A scenario: phases of job arrivals against the stub, each with its own fault profile.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "obsgate scenario")]
pub struct RawScenario {
    /// Scenario name, used in report folder names (letters, digits, `-`, `_`, `.`).
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// What the scenario rehearses, for humans.
    #[serde(default)]
    pub description: Option<String>,
    /// Seed of every random choice (arrivals, presets, users, trace ids): same seed, same run.
    #[serde(default)]
    pub seed: Option<u64>,
    /// Scenario seconds per wall second (default 1); `--time-scale` overrides it.
    #[serde(default)]
    #[schemars(with = "Option<f64>")]
    pub time_scale: Option<Spanned<f64>>,
    /// Most jobs in flight at once (POST plus following the job to its end). Default 1024.
    #[serde(default)]
    #[schemars(with = "Option<u64>")]
    pub max_in_flight: Option<Spanned<u64>>,
    /// What happens to a job whose start finds `max_in_flight` jobs running: `drop` it (counted)
    /// or `queue` it (sent late, latency still measured from its intended start). Default `queue`.
    #[serde(default)]
    pub overload: Option<RawOverload>,
    /// Number of distinct user ids (`u-1` .. `u-N`) jobs are spread over. Default 100.
    #[serde(default)]
    #[schemars(with = "Option<u64>")]
    pub users: Option<Spanned<u64>>,
    /// Preset mix: preset name → relative weight. Default short 50, standard 35, premium 15.
    #[serde(default)]
    #[schemars(with = "Option<BTreeMap<String, f64>>")]
    pub presets: Option<Spanned<BTreeMap<String, Spanned<f64>>>>,
    /// The phases, run in order.
    #[schemars(with = "Vec<RawPhase>")]
    pub phases: Spanned<Vec<RawPhase>>,
    /// Tolerances of the load's own checks.
    #[serde(default)]
    pub tolerances: Option<RawTolerances>,
    /// How long the harness follows one job before counting it as timed out, in scenario time
    /// (e.g. `600s`, `15m`). Default `900s`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub job_timeout: Option<Spanned<String>>,
    /// Expectation files to check after the load (paths relative to this scenario file).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub expectations: Vec<Spanned<String>>,
}

/// Overload policy when `max_in_flight` is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RawOverload {
    /// Do not send the job; count it as dropped.
    Drop,
    /// Wait for a free slot; the job is late and its latency counts the wait.
    Queue,
}

/// Arrival process inside a phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "lowercase")]
pub enum RawArrivals {
    /// Evenly spaced starts following the rate curve exactly.
    #[default]
    Uniform,
    /// Poisson arrivals with the curve as intensity, seeded.
    Poisson,
}

/// One phase.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPhase {
    /// Phase name (unique in the scenario), used in check ids.
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// Length in scenario time: a number followed by `ms`, `s`, `m` or `h` (e.g. `30s`, `5m`).
    #[schemars(with = "String")]
    pub duration: Spanned<String>,
    /// Job arrival rate in jobs per scenario second or minute: `10/s`, `0.5/s`, `30/m`, or a
    /// linear ramp `{from: 1/s, to: 20/s}`.
    #[schemars(with = "RawRate")]
    pub rate: Spanned<RawRate>,
    /// `uniform` (default) or `poisson`.
    #[serde(default)]
    pub arrivals: RawArrivals,
    /// The stub's fault profile during this phase (default: healthy).
    #[serde(default)]
    #[schemars(with = "Option<FaultProfile>")]
    pub faults: Option<Spanned<FaultProfile>>,
    /// Whether dropped jobs (overload policy `drop`) are acceptable in this phase.
    #[serde(default)]
    pub allow_dropped: bool,
    /// Share of the phase's sent jobs, in percent (0 to 100), that may end in an HTTP failure,
    /// a rejection (503 or 429) or a timeout (`load.errors.<phase>`). Default 0: any such
    /// error fails the run. Raise it for fault phases that expect rejections.
    #[serde(default)]
    #[schemars(with = "Option<f64>")]
    pub max_errors_pct: Option<Spanned<f64>>,
}

/// A constant rate (`10/s`) or a linear ramp.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(
    untagged,
    expecting = "a rate like `10/s` or a ramp `{from: 1/s, to: 20/s}`"
)]
pub enum RawRate {
    /// Constant rate, e.g. `10/s`.
    Constant(String),
    /// Linear ramp over the phase.
    Ramp(RawRamp),
}

/// A linear ramp of the rate from `from` to `to` over the phase.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRamp {
    /// Rate at the phase start, e.g. `1/s`.
    pub from: String,
    /// Rate at the phase end, e.g. `20/s`.
    pub to: String,
}

/// Tolerances of the load checks.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTolerances {
    /// Largest accepted gap between the scheduled and the achieved rate, in percent (default 1.0).
    #[serde(default)]
    #[schemars(with = "Option<f64>")]
    pub rate_error_pct: Option<Spanned<f64>>,
    /// A job sent this many wall milliseconds after its intended start counts as late (default 50).
    #[serde(default)]
    #[schemars(with = "Option<f64>")]
    pub late_threshold_ms: Option<Spanned<f64>>,
    /// Largest accepted share of late jobs per phase, in percent, before the generator check
    /// fails (default 1.0).
    #[serde(default)]
    #[schemars(with = "Option<f64>")]
    pub late_pct: Option<Spanned<f64>>,
}
