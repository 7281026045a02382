//! The stub's metric registry: the 12 families of DESIGN.md §4, their label sets and bucket
//! bounds, and the recording calls the pipeline and the HTTP layer make. One mutex guards every
//! family so a scrape sees a consistent state (a finished job moves duration, cost and the
//! completion counter together). Rendering lives in `expo.rs`.

use super::model::{AGENTS, PRESETS, Preset, RENDER_REASONS};
use parking_lot::Mutex;
use std::collections::BTreeMap;

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

fn family(
    name: &'static str,
    help: &'static str,
    kind: Kind,
    label_names: &[&'static str],
    bounds: &'static [f64],
) -> Family {
    Family {
        name,
        help,
        kind,
        label_names: label_names.to_vec(),
        bounds,
        series: BTreeMap::new(),
    }
}

impl Registry {
    /// The 12 families, with the bounded label combinations pre-set to zero so that `rate()`
    /// and `increase()` see every series from the first scrape. `job_id_label` adds the
    /// unbounded `job_id` label to `pipeline_duration_seconds` (the defect).
    pub fn new(job_id_label: bool) -> Registry {
        use Kind::*;
        let mut duration_labels = vec!["preset", "status"];
        if job_id_label {
            duration_labels.push("job_id");
        }
        let mut r = Registry {
            families: vec![
                family(
                    "pipeline_duration_seconds",
                    "Processing time of a job from worker pickup to its end, in scenario seconds.",
                    Histogram,
                    &duration_labels,
                    DURATION_BOUNDS,
                ),
                family(
                    "pipeline_cost_dollars",
                    "Cost of a finished job in dollars (sum = total cost, count = jobs).",
                    Histogram,
                    &["preset", "backend"],
                    COST_BOUNDS,
                ),
                family(
                    "ai_agent_calls_total",
                    "AI agent calls by outcome.",
                    Counter,
                    &["agent", "model", "outcome"],
                    &[],
                ),
                family(
                    "render_failures_total",
                    "Failed render attempts by reason.",
                    Counter,
                    &["preset", "reason"],
                    &[],
                ),
                family(
                    "user_jobs_completed_total",
                    "Jobs that succeeded.",
                    Counter,
                    &["preset"],
                    &[],
                ),
                family(
                    "pipeline_active_jobs",
                    "Jobs currently held by a worker.",
                    Gauge,
                    &[],
                    &[],
                ),
                family(
                    "qa_gate_acceptance_total",
                    "QA gate decisions.",
                    Counter,
                    &["result"],
                    &[],
                ),
                family(
                    "pubsub_queue_depth",
                    "Jobs waiting in the queue for a worker.",
                    Gauge,
                    &["topic"],
                    &[],
                ),
                family(
                    "db_operation_latency_seconds",
                    "Database operation latency in scenario seconds.",
                    Histogram,
                    &["operation"],
                    DB_BOUNDS,
                ),
                family(
                    "api_response_time_seconds",
                    "HTTP API response time in seconds.",
                    Histogram,
                    &["method", "route", "status"],
                    API_BOUNDS,
                ),
                family(
                    "ai_agent_latency_seconds",
                    "AI agent call latency in scenario seconds.",
                    Histogram,
                    &["agent"],
                    AGENT_BOUNDS,
                ),
                family(
                    "video_output_size_bytes",
                    "Size of rendered videos in bytes.",
                    Histogram,
                    &["preset"],
                    SIZE_BOUNDS,
                ),
            ],
        };
        for p in PRESETS {
            if !job_id_label {
                for s in ["succeeded", "failed"] {
                    r.touch(fam::PIPELINE_DURATION, &[p.as_str(), s]);
                }
            }
            r.touch(fam::PIPELINE_COST, &[p.as_str(), p.backend()]);
            r.touch(fam::JOBS_COMPLETED, &[p.as_str()]);
            r.touch(fam::VIDEO_SIZE, &[p.as_str()]);
            for reason in RENDER_REASONS {
                r.touch(fam::RENDER_FAILURES, &[p.as_str(), reason]);
            }
            for agent in p.agents() {
                for o in ["success", "error", "timeout"] {
                    r.touch(fam::AGENT_CALLS, &[agent, p.model(), o]);
                }
            }
        }
        for a in AGENTS {
            r.touch(fam::AGENT_LATENCY, &[a]);
        }
        for res in ["accepted", "rejected"] {
            r.touch(fam::QA_GATE, &[res]);
        }
        for op in ["insert", "update"] {
            r.touch(fam::DB_LATENCY, &[op]);
        }
        r.set(fam::ACTIVE_JOBS, &[], 0.0);
        r.set(fam::QUEUE_DEPTH, &[TOPIC], 0.0);
        r
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

/// The registry behind its lock, plus the recording calls.
#[derive(Debug)]
pub struct Metrics {
    reg: Mutex<Registry>,
    job_id_label: bool,
}

impl Metrics {
    pub fn new(job_id_label: bool) -> Metrics {
        Metrics {
            reg: Mutex::new(Registry::new(job_id_label)),
            job_id_label,
        }
    }

    /// A job ended: duration, cost and (on success) the completion counter, atomically.
    pub fn job_finished(
        &self,
        preset: Preset,
        succeeded: bool,
        duration_s: f64,
        cost: f64,
        job_id: &str,
    ) {
        let status = if succeeded { "succeeded" } else { "failed" };
        let mut r = self.reg.lock();
        if self.job_id_label {
            r.observe(
                fam::PIPELINE_DURATION,
                &[preset.as_str(), status, job_id],
                duration_s,
            );
        } else {
            r.observe(
                fam::PIPELINE_DURATION,
                &[preset.as_str(), status],
                duration_s,
            );
        }
        r.observe(
            fam::PIPELINE_COST,
            &[preset.as_str(), preset.backend()],
            cost,
        );
        if succeeded {
            r.inc(fam::JOBS_COMPLETED, &[preset.as_str()], 1.0);
        }
    }

    /// One agent call ended.
    pub fn agent_call(&self, agent: &str, model: &str, outcome: &str, latency_s: f64) {
        let mut r = self.reg.lock();
        r.inc(fam::AGENT_CALLS, &[agent, model, outcome], 1.0);
        r.observe(fam::AGENT_LATENCY, &[agent], latency_s);
    }

    /// One render attempt ended.
    pub fn render(&self, preset: Preset, failure: Option<&str>, size_bytes: f64) {
        let mut r = self.reg.lock();
        match failure {
            Some(reason) => r.inc(fam::RENDER_FAILURES, &[preset.as_str(), reason], 1.0),
            None => r.observe(fam::VIDEO_SIZE, &[preset.as_str()], size_bytes),
        }
    }

    /// The QA gate decided.
    pub fn qa(&self, accepted: bool) {
        let res = if accepted { "accepted" } else { "rejected" };
        self.reg.lock().inc(fam::QA_GATE, &[res], 1.0);
    }

    /// A database operation (`insert` / `update`) ended.
    pub fn db(&self, operation: &str, latency_s: f64) {
        self.reg
            .lock()
            .observe(fam::DB_LATENCY, &[operation], latency_s);
    }

    /// An HTTP request was answered.
    pub fn api(&self, method: &str, route: &str, status: u16, secs: f64) {
        let status = status.to_string();
        self.reg
            .lock()
            .observe(fam::API_TIME, &[method, route, &status], secs);
    }

    /// A copy of every family with the two gauges set to the given live values.
    pub fn snapshot(&self, active_jobs: usize, queue_depth: usize) -> Registry {
        let mut r = self.reg.lock().clone();
        r.set(fam::ACTIVE_JOBS, &[], active_jobs as f64);
        r.set(fam::QUEUE_DEPTH, &[TOPIC], queue_depth as f64);
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
