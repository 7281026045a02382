//! A shard's partial report (`report.json`'s `shard` section): which slice of which plan it
//! ran, the load rules its checks applied, what the load checks need beyond the phase counters
//! (the generator's notes) and every HDR histogram of the load, serialized, so that
//! `obsgate report merge` adds histograms exactly and judges the merged counts.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The `shard` section of a partial report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ShardReport {
    /// 0-based shard index, below `count`.
    pub index: u64,
    /// Number of shards the schedule was cut into.
    pub count: u64,
    /// The scenario's seed: shards of one run share it.
    pub seed: u64,
    /// A digest of everything that shapes the schedule and its checks (rates, arrivals, phases,
    /// presets, users, time scale, tolerances): shards of one run share it.
    pub plan_digest: String,
    /// The shard's schedule was interrupted: the merge is `incomplete`.
    pub interrupted: bool,
    /// The load rules the load checks apply, so the merge judges without the scenario file.
    pub rules: LoadRules,
    /// One per plan phase, in order.
    pub phases: Vec<ShardPhase>,
}

/// The scenario's load rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoadRules {
    pub max_in_flight: u64,
    /// Largest accepted gap between scheduled and achieved rate, percent.
    pub rate_error_pct: f64,
    /// Wall milliseconds after the intended start beyond which a send is late.
    pub late_threshold_ms: f64,
    /// Largest accepted share of late sends per phase, percent.
    pub late_pct: f64,
    /// Scenario seconds per wall second.
    pub time_scale: f64,
    pub phases: Vec<PhaseRules>,
}

/// One phase's rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PhaseRules {
    pub name: String,
    /// Scenario seconds from the run start.
    pub start_s: f64,
    /// Scenario seconds.
    pub duration_s: f64,
    pub allow_dropped: bool,
    pub max_errors_pct: f64,
}

/// One phase of a shard: the generator's notes and the histograms.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ShardPhase {
    /// The phase's schedule started.
    pub started: bool,
    /// Applying the phase's fault profile failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub faults_error: Option<String>,
    /// Times a job found `max_in_flight` jobs running.
    pub cap_hits: u64,
    /// Jobs this shard's slice asked for per scenario second.
    pub scheduled_rate: f64,
    pub histograms: PhaseHistograms,
}

/// Base64 of hdrhistogram's V2 serialization of each histogram a phase keeps.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PhaseHistograms {
    /// HTTP latency from the intended start, µs.
    pub latency_us: String,
    /// HTTP latency from the actual send, µs.
    pub latency_send_us: String,
    /// End-to-end job time, scenario ms.
    pub job_time_ms: String,
    /// Actual send minus intended start, µs.
    pub lag_us: String,
    /// Per preset that sent a job, by name.
    pub presets: BTreeMap<String, PresetHistograms>,
}

/// A preset's histograms.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PresetHistograms {
    /// HTTP latency from the intended start, µs.
    pub latency_us: String,
    /// End-to-end job time, scenario ms.
    pub job_time_ms: String,
}
