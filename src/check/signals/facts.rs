//! The harness's ground truth for a run: job counts per phase and preset, the fault profile in
//! effect per phase, every job record, run bounds. Checks compare telemetry with these; relation
//! expressions read them as `facts.<name>`.

use std::collections::BTreeMap;

use crate::evidence::{JobOutcome, JobRecord, LoadOutcome, PhaseReport, PresetReport};
use crate::stub::faults::FaultProfile;

/// Job counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Jobs sent to the target.
    pub sent: u64,
    /// Jobs the target reported succeeded.
    pub succeeded: u64,
    /// Jobs the target reported failed.
    pub failed: u64,
}

impl Counts {
    /// Succeeded + failed.
    pub fn finished(&self) -> u64 {
        self.succeeded + self.failed
    }
    fn add(&mut self, o: JobOutcome) {
        if o != JobOutcome::Dropped {
            self.sent += 1;
        }
        match o {
            JobOutcome::Succeeded => self.succeeded += 1,
            JobOutcome::Failed => self.failed += 1,
            _ => {}
        }
    }
}

/// One phase of the run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PhaseFacts {
    pub name: String,
    pub counts: Counts,
    /// Counts per preset name.
    pub by_preset: BTreeMap<String, Counts>,
    /// The fault profile the scenario set for this phase.
    pub faults: FaultProfile,
}

/// Ground truth of one run.
#[derive(Debug, Clone)]
pub struct RunFacts<'a> {
    /// Phases in order.
    pub phases: Vec<PhaseFacts>,
    /// Every job record the harness kept.
    pub jobs: &'a [JobRecord],
    /// True when `jobs` holds every job driven (records are bounded for long runs; checks that
    /// need all of them say so when this is false).
    pub jobs_complete: bool,
    /// True when the load engine reported every job's end to the streaming checks (the
    /// report says how many it could not, when it fell behind).
    pub jobs_streamed: bool,
    /// Run start, wall clock, ns since the epoch.
    pub run_start_unix_nano: u64,
    /// Run end (after the drain), ns since the epoch.
    pub run_end_unix_nano: u64,
    /// The target was obsgate's own stub with its default configuration (only the harness
    /// drove it, so counts must match exactly).
    pub default_stub: bool,
    /// Every job ended before the final scrape.
    pub drained: bool,
    /// Scenario seconds per wall second: rates promised per second are per scenario second.
    pub time_scale: f64,
}

impl<'a> RunFacts<'a> {
    /// Facts computed from complete job records: counts per phase (in the order of `phase_faults`,
    /// then any other phase seen in the records) and per preset.
    pub fn from_jobs(
        jobs: &'a [JobRecord],
        phase_faults: &[(String, FaultProfile)],
        run_start_unix_nano: u64,
        run_end_unix_nano: u64,
        default_stub: bool,
    ) -> Self {
        let mut phases: Vec<PhaseFacts> = phase_faults
            .iter()
            .map(|(n, f)| PhaseFacts {
                name: n.clone(),
                faults: f.clone(),
                ..PhaseFacts::default()
            })
            .collect();
        for j in jobs {
            let idx = match phases.iter().position(|p| p.name == j.phase) {
                Some(i) => i,
                None => {
                    phases.push(PhaseFacts {
                        name: j.phase.clone(),
                        ..PhaseFacts::default()
                    });
                    phases.len() - 1
                }
            };
            if let Some(p) = phases.get_mut(idx) {
                p.counts.add(j.outcome);
                p.by_preset
                    .entry(j.preset.clone())
                    .or_default()
                    .add(j.outcome);
            }
        }
        let drained = jobs.iter().all(|j| j.outcome != JobOutcome::InFlight);
        Self {
            phases,
            jobs,
            jobs_complete: true,
            jobs_streamed: true,
            run_start_unix_nano,
            run_end_unix_nano,
            default_stub,
            drained,
            time_scale: 1.0,
        }
    }

    /// Facts of a driven run: counts per phase and per preset from the engine's counters, which
    /// count every job of the run, however long (its job records stop at a cap, so counts
    /// built from them would fall short of a long run's telemetry); `jobs` are the records kept.
    pub fn from_outcome(
        outcome: &'a LoadOutcome,
        phase_faults: &[(String, FaultProfile)],
        run_start_unix_nano: u64,
        run_end_unix_nano: u64,
        default_stub: bool,
    ) -> Self {
        let faults = |name: &str| {
            phase_faults
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, f)| f.clone())
                .unwrap_or_default()
        };
        let phases = outcome
            .phases
            .iter()
            .map(|p| PhaseFacts {
                name: p.name.clone(),
                counts: phase_counts(p),
                by_preset: p
                    .presets
                    .iter()
                    .map(|(name, r)| (name.clone(), preset_counts(r)))
                    .collect(),
                faults: faults(&p.name),
            })
            .collect();
        Self {
            phases,
            jobs: &outcome.jobs,
            jobs_complete: outcome.jobs_not_kept == 0,
            jobs_streamed: outcome.jobs_not_streamed == 0,
            run_start_unix_nano,
            run_end_unix_nano,
            default_stub,
            drained: outcome.in_flight() == 0,
            time_scale: 1.0,
        }
    }

    /// Totals over every phase.
    pub fn totals(&self) -> Counts {
        let mut c = Counts::default();
        for p in &self.phases {
            c.sent += p.counts.sent;
            c.succeeded += p.counts.succeeded;
            c.failed += p.counts.failed;
        }
        c
    }

    /// Run duration in seconds (wall).
    pub fn duration_seconds(&self) -> f64 {
        self.run_end_unix_nano
            .saturating_sub(self.run_start_unix_nano) as f64
            / 1e9
    }

    /// Run duration in scenario seconds (wall × time scale).
    pub fn scenario_seconds(&self) -> f64 {
        self.duration_seconds() * self.time_scale.max(0.0)
    }

    /// A fault knob's value, weighted by finished jobs per phase (plain mean when none finished).
    fn fault(&self, knob: &str) -> Option<f64> {
        let vals: Vec<(f64, f64)> = self
            .phases
            .iter()
            .map(|p| {
                (
                    knob_value(&p.faults, knob).unwrap_or(f64::NAN),
                    p.counts.finished() as f64,
                )
            })
            .collect();
        if vals.is_empty() {
            return knob_value(&FaultProfile::default(), knob);
        }
        let w: f64 = vals.iter().map(|(_, w)| w).sum();
        if w > 0.0 {
            Some(vals.iter().map(|(v, w)| v * w).sum::<f64>() / w)
        } else {
            Some(vals.iter().map(|(v, _)| v).sum::<f64>() / vals.len() as f64)
        }
    }

    /// The value of `facts.<name>` (`name` without the prefix), `None` when unknown.
    pub fn value(&self, name: &str) -> Option<f64> {
        let parts: Vec<&str> = name.split('.').collect();
        let t = self.totals();
        let b = |x: bool| if x { 1.0 } else { 0.0 };
        match parts.as_slice() {
            ["sent"] => Some(t.sent as f64),
            ["succeeded"] => Some(t.succeeded as f64),
            ["failed"] => Some(t.failed as f64),
            ["finished"] => Some(t.finished() as f64),
            ["drained"] => Some(b(self.drained)),
            ["default_stub"] => Some(b(self.default_stub)),
            ["duration_seconds"] => Some(self.duration_seconds()),
            ["fault", knob] => self.fault(knob),
            ["preset", p, c] => {
                let mut sum = Counts::default();
                for ph in &self.phases {
                    if let Some(x) = ph.by_preset.get(*p) {
                        sum.sent += x.sent;
                        sum.succeeded += x.succeeded;
                        sum.failed += x.failed;
                    }
                }
                count_field(&sum, c)
            }
            ["phase", p, c] => {
                let counts = self
                    .phases
                    .iter()
                    .find(|ph| ph.name == *p)
                    .map(|ph| ph.counts)
                    .unwrap_or_default();
                count_field(&counts, c)
            }
            _ => None,
        }
    }
}

/// A phase report's counts in the facts' terms: `failed` is a pipeline failure reported by the
/// target (HTTP errors are neither succeeded nor failed, as in [`Counts::add`]).
fn phase_counts(p: &PhaseReport) -> Counts {
    Counts {
        sent: p.sent,
        succeeded: p.outcomes.succeeded,
        failed: p.outcomes.pipeline_failed,
    }
}

/// A preset's counts within a phase, as the engine counted them.
fn preset_counts(r: &PresetReport) -> Counts {
    Counts {
        sent: r.sent,
        succeeded: r.succeeded,
        failed: r.pipeline_failed,
    }
}

fn count_field(c: &Counts, field: &str) -> Option<f64> {
    match field {
        "sent" => Some(c.sent as f64),
        "succeeded" => Some(c.succeeded as f64),
        "failed" => Some(c.failed as f64),
        "finished" => Some(c.finished() as f64),
        _ => None,
    }
}

fn knob_value(f: &FaultProfile, knob: &str) -> Option<f64> {
    let v = serde_json::to_value(f).ok()?;
    match v.get(knob)? {
        serde_json::Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        serde_json::Value::Number(n) => n.as_f64(),
        _ => Some(f64::NAN),
    }
}

/// Fault knobs `facts.fault.<knob>` may name.
pub fn fault_knobs() -> Vec<String> {
    match serde_json::to_value(FaultProfile::default()) {
        Ok(serde_json::Value::Object(m)) => m.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

const SIMPLE: [&str; 7] = [
    "sent",
    "succeeded",
    "failed",
    "finished",
    "drained",
    "default_stub",
    "duration_seconds",
];
const COUNTS: [&str; 4] = ["sent", "succeeded", "failed", "finished"];

/// Whether `facts.<name>` is part of the vocabulary; the error lists what is.
pub fn validate_name(name: &str) -> Result<(), String> {
    let parts: Vec<&str> = name.split('.').collect();
    let ok = match parts.as_slice() {
        [s] => SIMPLE.contains(s),
        ["fault", k] => fault_knobs().iter().any(|x| x == k),
        ["preset" | "phase", _, c] => COUNTS.contains(c),
        _ => false,
    };
    if ok {
        return Ok(());
    }
    let mut all: Vec<String> = SIMPLE.iter().map(|s| s.to_string()).collect();
    all.extend(fault_knobs().into_iter().map(|k| format!("fault.{k}")));
    let hint = crate::util::nearest(name, all.iter().map(String::as_str))
        .map(|n| format!("did you mean `facts.{n}`? "))
        .unwrap_or_default();
    Err(format!(
        "unknown fact; {hint}known: {}, fault.<knob>, preset.<name>.{{sent,succeeded,failed,finished}}, phase.<name>.{{...}}",
        SIMPLE.join(", ")
    ))
}
