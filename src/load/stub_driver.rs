//! The driver for the pipeline stub: `POST /v1/jobs` with the harness's client span in
//! `traceparent`, then follow the job with the stub's long-poll `GET /v1/jobs/{id}?wait=S`
//! until it succeeds, fails, or the job timeout passes. `PUT /admin/faults` at phase starts.

use std::time::Duration;

use serde::Deserialize;
use tokio::time::Instant;

use super::driver::{Driver, JobRequest, JobResult, reason_of};
use crate::evidence::JobOutcome;
use crate::scenario::PhasePlan;

/// Longest single long-poll (wall seconds); the follow loop repeats it until the job timeout.
const MAX_WAIT_S: u64 = 30;

/// Drives the stub at `base_url`.
#[derive(Debug, Clone)]
pub struct StubDriver {
    client: reqwest::Client,
    base: String,
}

#[derive(Deserialize)]
struct Accepted {
    job_id: String,
    #[serde(default)]
    trace_id: Option<String>,
}

#[derive(Deserialize)]
struct JobState {
    status: String,
}

impl StubDriver {
    /// A driver with a connection pool sized for `max_in_flight` concurrent jobs.
    pub fn new(base_url: &str, max_in_flight: usize) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(max_in_flight.min(4096))
            .connect_timeout(Duration::from_secs(5))
            .tcp_nodelay(true)
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(Self {
            client,
            base: base_url.trim_end_matches('/').to_string(),
        })
    }

    async fn follow(&self, job_id: &str, deadline: Instant) -> Result<String, &'static str> {
        let url = format!("{}/v1/jobs/{job_id}", self.base);
        loop {
            let now = Instant::now();
            if now >= deadline {
                return Err("timeout");
            }
            let left = deadline - now;
            let wait_s = left.as_secs().clamp(1, MAX_WAIT_S);
            let req = self.client.get(&url).query(&[("wait", wait_s)]).send();
            // The long-poll may return early; our own deadline bounds it either way.
            let resp = match tokio::time::timeout(left + Duration::from_millis(500), req).await {
                Err(_) => return Err("timeout"),
                Ok(Err(e)) => return Err(reason_of(&e)),
                Ok(Ok(r)) => r,
            };
            if !resp.status().is_success() {
                return Err("poll_http_error");
            }
            let state: JobState = resp.json().await.map_err(|_| "bad_response")?;
            match state.status.as_str() {
                "succeeded" | "failed" => return Ok(state.status),
                _ => {}
            }
        }
    }
}

impl Driver for StubDriver {
    async fn begin_phase(&self, phase: &PhasePlan) -> Result<(), String> {
        let url = format!("{}/admin/faults", self.base);
        let resp = self
            .client
            .put(&url)
            .json(&phase.faults)
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .map_err(|e| format!("PUT {url} failed: {e}"))?;
        if resp.status().is_success() {
            Ok(())
        } else {
            Err(format!("PUT {url} answered {}", resp.status()))
        }
    }

    async fn run_job(&self, job: JobRequest) -> JobResult {
        let deadline = Instant::now() + job.follow_for;
        let user_id = job.user_id();
        let body = serde_json::json!({"user_id": user_id, "preset": &*job.preset});
        let send = self
            .client
            .post(format!("{}/v1/jobs", self.base))
            .header("traceparent", job.traceparent())
            .header("x-correlation-id", job.correlation_id())
            .header("x-user-id", &user_id)
            .json(&body)
            .send();
        let resp = match tokio::time::timeout(job.follow_for, send).await {
            Err(_) => return JobResult::failed_early(JobOutcome::Timeout, "timeout"),
            Ok(Err(e)) => {
                let reason = reason_of(&e);
                let outcome = if reason == "timeout" {
                    JobOutcome::Timeout
                } else {
                    JobOutcome::HttpError
                };
                return JobResult::failed_early(outcome, reason);
            }
            Ok(Ok(r)) => r,
        };
        let responded = Some(Instant::now());
        let status = resp.status().as_u16();
        let mut result = JobResult {
            outcome: JobOutcome::HttpError,
            reason: None,
            http_status: Some(status),
            job_id: None,
            returned_trace_id: None,
            responded,
            ended: None,
        };
        if !resp.status().is_success() {
            result.reason = Some(format!("http_{status}"));
            return result;
        }
        let accepted: Accepted = match resp.json().await {
            Ok(a) => a,
            Err(_) => {
                result.reason = Some("bad_response".to_string());
                return result;
            }
        };
        result.returned_trace_id = accepted.trace_id;
        match self.follow(&accepted.job_id, deadline).await {
            Ok(status) if status == "succeeded" => {
                result.outcome = JobOutcome::Succeeded;
                result.ended = Some(Instant::now());
            }
            Ok(_) => {
                result.outcome = JobOutcome::Failed;
                result.reason = Some("job_failed".to_string());
                result.ended = Some(Instant::now());
            }
            Err(reason) => {
                result.outcome = JobOutcome::Timeout;
                result.reason = Some(reason.to_string());
            }
        }
        result.job_id = Some(accepted.job_id);
        result
    }
}
