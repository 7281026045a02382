//! The recording calls the pipeline and the HTTP layer make, each taking the one registry
//! lock so related families move together.

use super::{Registry, TOPIC, fam};
use crate::stub::model::Preset;
use parking_lot::Mutex;

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
