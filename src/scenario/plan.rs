//! The resolved, validated plan: what the load engine executes. Every value here has been
//! checked; units are explicit (scenario seconds unless a name says wall).

use std::path::PathBuf;
use std::time::Duration;

use crate::stub::faults::FaultProfile;

/// Overload policy when `max_in_flight` jobs are running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverloadPolicy {
    /// Skip the job and count it as dropped.
    Drop,
    /// Wait for a slot; the job is late, its latency is measured from its intended start.
    Queue,
}

/// Arrival process of a phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrivals {
    /// Evenly spaced along the rate curve.
    Uniform,
    /// Poisson with the rate curve as intensity (seeded).
    Poisson,
}

/// Rate over a phase, in jobs per scenario second.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RateCurve {
    /// The same rate for the whole phase.
    Constant { per_s: f64 },
    /// Linear from `from_per_s` at the phase start to `to_per_s` at its end.
    Ramp { from_per_s: f64, to_per_s: f64 },
}

impl RateCurve {
    /// Rate at `t_s` scenario seconds into a phase of `duration_s`.
    pub fn at(&self, t_s: f64, duration_s: f64) -> f64 {
        match *self {
            RateCurve::Constant { per_s } => per_s,
            RateCurve::Ramp {
                from_per_s,
                to_per_s,
            } => {
                if duration_s <= 0.0 {
                    return from_per_s;
                }
                from_per_s + (to_per_s - from_per_s) * (t_s / duration_s).clamp(0.0, 1.0)
            }
        }
    }
    /// Expected number of jobs over the whole phase (the integral of the curve).
    pub fn expected_jobs(&self, duration_s: f64) -> f64 {
        self.mean(duration_s) * duration_s
    }
    /// Mean rate over the phase.
    pub fn mean(&self, _duration_s: f64) -> f64 {
        match *self {
            RateCurve::Constant { per_s } => per_s,
            RateCurve::Ramp {
                from_per_s,
                to_per_s,
            } => (from_per_s + to_per_s) / 2.0,
        }
    }
}

/// One validated phase.
#[derive(Debug, Clone, PartialEq)]
pub struct PhasePlan {
    pub name: String,
    /// Scenario seconds.
    pub duration_s: f64,
    /// Scenario seconds from the run start to this phase's start.
    pub start_s: f64,
    /// Wall duration after the time scale.
    pub wall_duration: Duration,
    pub rate: RateCurve,
    pub arrivals: Arrivals,
    /// Sent to the stub (`PUT /admin/faults`) when the phase starts.
    pub faults: FaultProfile,
    /// Dropped jobs do not fail the phase's `load.dropped` check.
    pub allow_dropped: bool,
    /// Percent of sent jobs that may end in an HTTP failure, rejection or timeout.
    pub max_errors_pct: f64,
}

/// One preset and its weight in the mix.
#[derive(Debug, Clone, PartialEq)]
pub struct PresetWeight {
    pub name: String,
    pub weight: f64,
}

/// Tolerances of the load's own checks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tolerances {
    /// Largest accepted gap between scheduled and achieved rate, percent.
    pub rate_error_pct: f64,
    /// Wall milliseconds after the intended start beyond which a send is late.
    pub late_threshold_ms: f64,
    /// Largest accepted share of late sends per phase, percent.
    pub late_pct: f64,
}

impl Default for Tolerances {
    fn default() -> Self {
        Self {
            rate_error_pct: 1.0,
            late_threshold_ms: 50.0,
            late_pct: 1.0,
        }
    }
}

/// The resolved scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub name: String,
    pub description: String,
    /// The scenario file.
    pub source: PathBuf,
    pub seed: u64,
    /// Scenario seconds per wall second.
    pub time_scale: f64,
    pub max_in_flight: usize,
    pub overload: OverloadPolicy,
    /// Distinct user ids `u-1` .. `u-users`.
    pub users: u64,
    /// Preset mix, non-empty, weights > 0.
    pub presets: Vec<PresetWeight>,
    pub phases: Vec<PhasePlan>,
    pub tolerances: Tolerances,
    /// How long to follow one job, scenario seconds.
    pub job_timeout_s: f64,
    /// Expectation files, resolved relative to the scenario file; each exists.
    pub expectations: Vec<PathBuf>,
    /// `--shard I/N`: this process runs only its slice of the schedule (None: all of it).
    pub shard: Option<ShardSlice>,
}

/// One shard's slice of the schedule: every `count`-th job of the whole run, starting at
/// `index`, counted by the job's sequence number over all phases (so the shards together are
/// exactly the unsharded schedule).
#[derive(Debug, Clone, PartialEq)]
pub struct ShardSlice {
    /// 0-based, below `count`.
    pub index: u64,
    /// Number of shards, at least 1.
    pub count: u64,
    /// Per phase, how many jobs of the unsharded schedule come before it: the global sequence
    /// number of its first job. Computed once before the clock starts.
    pub phase_offsets: Vec<u64>,
}

impl ShardSlice {
    /// Whether the job with global sequence number `seq` belongs to this shard.
    pub fn owns(&self, seq: u64) -> bool {
        self.count <= 1 || seq % self.count == self.index
    }
    /// The share of the whole schedule this shard sends (1/N).
    pub fn share(&self) -> f64 {
        1.0 / self.count.max(1) as f64
    }
}

impl Plan {
    /// Total scenario seconds.
    pub fn total_s(&self) -> f64 {
        self.phases.iter().map(|p| p.duration_s).sum()
    }
    /// Total wall time.
    pub fn total_wall(&self) -> Duration {
        self.phases.iter().map(|p| p.wall_duration).sum()
    }
    /// Change the time scale (e.g. from `--time-scale`), recomputing wall durations.
    /// Scales outside [`super::units::MIN_TIME_SCALE`, 1e6] (or not finite) are refused.
    pub fn set_time_scale(&mut self, k: f64) -> Result<(), String> {
        let min = super::units::MIN_TIME_SCALE;
        if !(k.is_finite() && (min..=1e6).contains(&k)) {
            return Err(format!(
                "time scale: expected a number from {min} to 1000000, got `{k}`"
            ));
        }
        self.time_scale = k;
        for p in &mut self.phases {
            p.wall_duration = Duration::from_secs_f64(p.duration_s / k);
        }
        Ok(())
    }
    /// The share of the scenario's rates this process sends: 1/N with `--shard I/N`, else 1.
    pub fn rate_share(&self) -> f64 {
        self.shard.as_ref().map_or(1.0, ShardSlice::share)
    }
    /// Job timeout in wall time.
    pub fn job_timeout_wall(&self) -> Duration {
        Duration::from_secs_f64(self.job_timeout_s / self.time_scale)
    }
}
