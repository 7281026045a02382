//! The stub's metric registry: the 12 families of docs/ARCHITECTURE.md §4, their label sets and bucket
//! bounds, and the recording calls the pipeline and the HTTP layer make. One mutex guards every
//! family so a scrape sees a consistent state (a finished job moves duration, cost and the
//! completion counter together). Rendering lives in `expo.rs`.

mod record;

use super::model::{AGENTS, PRESETS, RENDER_REASONS};
use std::collections::BTreeMap;

pub use record::Metrics;

/// Metric family type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Counter,
    Gauge,
    Histogram,
}

/// Values of one series.
#[derive(Debug, Clone, PartialEq)]
pub enum Series {
    Value(f64),
    Hist {
        /// Non-cumulative counts per bound (the last slot is +Inf).
        buckets: Vec<u64>,
        sum: f64,
        count: u64,
    },
}

/// One metric family.
#[derive(Debug, Clone)]
pub struct Family {
    /// Name as exposed in text 0.0.4 (counters keep their `_total`).
    pub name: &'static str,
    pub help: &'static str,
    pub kind: Kind,
    pub label_names: Vec<&'static str>,
    pub bounds: &'static [f64],
    pub series: BTreeMap<Vec<String>, Series>,
}

/// Index of each family in [`Registry::families`].
pub mod fam {
    pub const PIPELINE_DURATION: usize = 0;
    pub const PIPELINE_COST: usize = 1;
    pub const AGENT_CALLS: usize = 2;
    pub const RENDER_FAILURES: usize = 3;
    pub const JOBS_COMPLETED: usize = 4;
    pub const ACTIVE_JOBS: usize = 5;
    pub const QA_GATE: usize = 6;
    pub const QUEUE_DEPTH: usize = 7;
    pub const DB_LATENCY: usize = 8;
    pub const API_TIME: usize = 9;
    pub const AGENT_LATENCY: usize = 10;
    pub const VIDEO_SIZE: usize = 11;
}

/// The pub/sub topic jobs are published to.
pub const TOPIC: &str = "video-jobs";

const DURATION_BOUNDS: &[f64] = &[
    5.0, 10.0, 20.0, 30.0, 60.0, 90.0, 120.0, 180.0, 240.0, 300.0, 450.0, 600.0, 900.0, 1800.0,
];
const COST_BOUNDS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
const DB_BOUNDS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5,
];
const API_BOUNDS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
const AGENT_BOUNDS: &[f64] = &[0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0];
const SIZE_BOUNDS: &[f64] = &[1e6, 5e6, 1e7, 5e7, 1e8, 2.5e8, 5e8, 1e9, 2e9];

/// All families.
#[derive(Debug, Clone)]
pub struct Registry {
    pub families: Vec<Family>,
}

/// What defines a family before it has series.
struct FamilySpec {
    name: &'static str,
    help: &'static str,
    kind: Kind,
    label_names: &'static [&'static str],
    bounds: &'static [f64],
}

/// The 12 families, in [`fam`] index order.
const FAMILIES: [FamilySpec; 12] = [
    FamilySpec {
        name: "pipeline_duration_seconds",
        help: "Processing time of a job from worker pickup to its end, in scenario seconds.",
        kind: Kind::Histogram,
        label_names: &["preset", "status"],
        bounds: DURATION_BOUNDS,
    },
    FamilySpec {
        name: "pipeline_cost_dollars",
        help: "Cost of a finished job in dollars (sum = total cost, count = jobs).",
        kind: Kind::Histogram,
        label_names: &["preset", "backend"],
        bounds: COST_BOUNDS,
    },
    FamilySpec {
        name: "ai_agent_calls_total",
        help: "AI agent calls by outcome.",
        kind: Kind::Counter,
        label_names: &["agent", "model", "outcome"],
        bounds: &[],
    },
    FamilySpec {
        name: "render_failures_total",
        help: "Failed render attempts by reason.",
        kind: Kind::Counter,
        label_names: &["preset", "reason"],
        bounds: &[],
    },
    FamilySpec {
        name: "user_jobs_completed_total",
        help: "Jobs that succeeded.",
        kind: Kind::Counter,
        label_names: &["preset"],
        bounds: &[],
    },
    FamilySpec {
        name: "pipeline_active_jobs",
        help: "Jobs currently held by a worker.",
        kind: Kind::Gauge,
        label_names: &[],
        bounds: &[],
    },
    FamilySpec {
        name: "qa_gate_acceptance_total",
        help: "QA gate decisions.",
        kind: Kind::Counter,
        label_names: &["result"],
        bounds: &[],
    },
    FamilySpec {
        name: "pubsub_queue_depth",
        help: "Jobs waiting in the queue for a worker.",
        kind: Kind::Gauge,
        label_names: &["topic"],
        bounds: &[],
    },
    FamilySpec {
        name: "db_operation_latency_seconds",
        help: "Database operation latency in scenario seconds.",
        kind: Kind::Histogram,
        label_names: &["operation"],
        bounds: DB_BOUNDS,
    },
    FamilySpec {
        name: "api_response_time_seconds",
        help: "HTTP API response time in seconds.",
        kind: Kind::Histogram,
        label_names: &["method", "route", "status"],
        bounds: API_BOUNDS,
    },
    FamilySpec {
        name: "ai_agent_latency_seconds",
        help: "AI agent call latency in scenario seconds.",
        kind: Kind::Histogram,
        label_names: &["agent"],
        bounds: AGENT_BOUNDS,
    },
    FamilySpec {
        name: "video_output_size_bytes",
        help: "Size of rendered videos in bytes.",
        kind: Kind::Histogram,
        label_names: &["preset"],
        bounds: SIZE_BOUNDS,
    },
];

impl FamilySpec {
    /// The family with no series yet.
    fn family(&self) -> Family {
        Family {
            name: self.name,
            help: self.help,
            kind: self.kind,
            label_names: self.label_names.to_vec(),
            bounds: self.bounds,
            series: BTreeMap::new(),
        }
    }
}

impl Registry {
    /// The 12 families, with the bounded label combinations pre-set to zero so that `rate()`
    /// and `increase()` see every series from the first scrape. `job_id_label` adds the
    /// unbounded `job_id` label to `pipeline_duration_seconds` (the defect).
    pub fn new(job_id_label: bool) -> Registry {
        let families = FAMILIES
            .iter()
            .enumerate()
            .map(|(i, spec)| {
                let mut f = spec.family();
                if job_id_label && i == fam::PIPELINE_DURATION {
                    f.label_names.push("job_id");
                }
                f
            })
            .collect();
        let mut r = Registry { families };
        r.touch_bounded_series(job_id_label);
        r
    }

    /// Create every series whose labels come from a fixed set (presets, agents, reasons,
    /// outcomes) at zero, and set the gauges to zero.
    fn touch_bounded_series(&mut self, job_id_label: bool) {
        for p in PRESETS {
            if !job_id_label {
                for s in ["succeeded", "failed"] {
                    self.touch(fam::PIPELINE_DURATION, &[p.as_str(), s]);
                }
            }
            self.touch(fam::PIPELINE_COST, &[p.as_str(), p.backend()]);
            self.touch(fam::JOBS_COMPLETED, &[p.as_str()]);
            self.touch(fam::VIDEO_SIZE, &[p.as_str()]);
            for reason in RENDER_REASONS {
                self.touch(fam::RENDER_FAILURES, &[p.as_str(), reason]);
            }
            for agent in p.agents() {
                for o in ["success", "error", "timeout"] {
                    self.touch(fam::AGENT_CALLS, &[agent, p.model(), o]);
                }
            }
        }
        for a in AGENTS {
            self.touch(fam::AGENT_LATENCY, &[a]);
        }
        for res in ["accepted", "rejected"] {
            self.touch(fam::QA_GATE, &[res]);
        }
        for op in ["insert", "update"] {
            self.touch(fam::DB_LATENCY, &[op]);
        }
        self.set(fam::ACTIVE_JOBS, &[], 0.0);
        self.set(fam::QUEUE_DEPTH, &[TOPIC], 0.0);
    }

    fn entry(&mut self, f: usize, labels: &[&str]) -> Option<&mut Series> {
        let fam = self.families.get_mut(f)?;
        let key: Vec<String> = labels.iter().map(|s| s.to_string()).collect();
        let n = fam.bounds.len() + 1;
        let kind = fam.kind;
        Some(fam.series.entry(key).or_insert_with(|| match kind {
            Kind::Histogram => Series::Hist {
                buckets: vec![0; n],
                sum: 0.0,
                count: 0,
            },
            _ => Series::Value(0.0),
        }))
    }

    /// Create the series at zero if absent.
    pub fn touch(&mut self, f: usize, labels: &[&str]) {
        let _ = self.entry(f, labels);
    }

    /// Add to a counter.
    pub fn inc(&mut self, f: usize, labels: &[&str], by: f64) {
        if let Some(Series::Value(v)) = self.entry(f, labels) {
            *v += by;
        }
    }

    /// Set a gauge.
    pub fn set(&mut self, f: usize, labels: &[&str], to: f64) {
        if let Some(Series::Value(v)) = self.entry(f, labels) {
            *v = to;
        }
    }

    /// Observe into a histogram.
    pub fn observe(&mut self, f: usize, labels: &[&str], value: f64) {
        let bounds = self.families.get(f).map(|x| x.bounds).unwrap_or(&[]);
        let slot = bounds
            .iter()
            .position(|b| value <= *b)
            .unwrap_or(bounds.len());
        if let Some(Series::Hist {
            buckets,
            sum,
            count,
        }) = self.entry(f, labels)
        {
            if let Some(b) = buckets.get_mut(slot) {
                *b += 1;
            }
            *sum += value;
            *count += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stub::model::Preset;

    #[test]
    fn observe_puts_values_in_the_right_bucket() {
        let mut r = Registry::new(false);
        r.observe(fam::DB_LATENCY, &["insert"], 0.1);
        r.observe(fam::DB_LATENCY, &["insert"], 9.0);
        let s = r.families[fam::DB_LATENCY]
            .series
            .get(&vec!["insert".to_string()]);
        let Some(Series::Hist { buckets, count, .. }) = s else {
            panic!("no series: {s:?}");
        };
        assert_eq!(*count, 2);
        let i = DB_BOUNDS
            .iter()
            .position(|b| *b == 0.1)
            .unwrap_or(usize::MAX);
        assert_eq!(buckets[i], 1, "0.1 falls in le=0.1 (bounds are inclusive)");
        assert_eq!(buckets[DB_BOUNDS.len()], 1, "9 falls in +Inf");
    }

    #[test]
    fn job_finished_moves_three_families_together() {
        let m = Metrics::new(false);
        m.job_finished(Preset::Short, true, 12.0, 0.01, "j1");
        m.job_finished(Preset::Short, false, 3.0, 0.002, "j2");
        let r = m.snapshot(0, 0);
        let done = &r.families[fam::JOBS_COMPLETED].series[&vec!["short".to_string()]];
        assert_eq!(done, &Series::Value(1.0));
        let cost = &r.families[fam::PIPELINE_COST].series
            [&vec!["short".to_string(), "cloud-run-cpu".to_string()]];
        assert!(matches!(cost, Series::Hist { count: 2, .. }));
    }
}
