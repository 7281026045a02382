//! The driver for the pipeline stub: `POST /v1/jobs` with the harness's client span in
//! `traceparent`, then follow the job with the stub's long-poll `GET /v1/jobs/{id}?wait=S`
//! until it succeeds, fails, or the job timeout passes. `PUT /admin/faults` at phase starts.
//! Every request goes through the shared keep-alive connection layer ([`super::conn`]), the
//! one the load benchmark measures.

use std::fmt::Write as _;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use super::conn::{Answer, Pool};
use super::driver::{Driver, JobRequest, JobResult};
use crate::evidence::JobOutcome;
use crate::scenario::PhasePlan;

/// Longest single long-poll (wall seconds); the follow loop repeats it until the job timeout.
const MAX_WAIT_S: u64 = 30;
/// How long a fault profile PUT may take.
const FAULTS_TIMEOUT: Duration = Duration::from_secs(10);

/// Drives the stub at `base_url`.
pub struct StubDriver {
    pool: Pool,
    base: String,
}

#[derive(Serialize)]
struct Submit<'a> {
    user_id: &'a str,
    preset: &'a str,
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

/// Why a request failed, as a job's reason key.
enum Miss {
    Timeout,
    Wire(&'static str),
}

impl StubDriver {
    /// A driver keeping up to `max_in_flight` keep-alive connections to the stub.
    pub fn new(base_url: &str, max_in_flight: usize) -> Result<Self, String> {
        let base = base_url.trim_end_matches('/').to_string();
        let pool = Pool::new(&base, max_in_flight.min(4096))
            .map_err(|e| format!("cannot drive the stub: {e}"))?;
        Ok(Self { pool, base })
    }

    /// Send `req`, bounded by `limit`.
    async fn send(&self, req: http::Request<Full<Bytes>>, limit: Duration) -> Result<Answer, Miss> {
        match tokio::time::timeout(limit, self.pool.send(req)).await {
            Err(_) => Err(Miss::Timeout),
            Ok(Err(f)) => Err(Miss::Wire(f.reason())),
            Ok(Ok(a)) => Ok(a),
        }
    }

    fn submit(&self, job: &JobRequest, user_id: &str) -> Option<http::Request<Full<Bytes>>> {
        let body = serde_json::to_vec(&Submit {
            user_id,
            preset: &job.preset,
        })
        .ok()?;
        self.pool
            .request(http::Method::POST, "/v1/jobs")
            .header(http::header::CONTENT_TYPE, "application/json")
            .header("traceparent", job.traceparent())
            .header("x-correlation-id", job.correlation_id())
            .header("x-user-id", user_id)
            .body(Full::new(Bytes::from(body)))
            .ok()
    }

    /// Long-poll the job until it ends: `succeeded` or `failed`, else a reason key.
    async fn follow(&self, job_id: &str, deadline: Instant) -> Result<String, &'static str> {
        let mut path = String::with_capacity(job_id.len() + 24);
        loop {
            let now = Instant::now();
            if now >= deadline {
                return Err("timeout");
            }
            let left = deadline - now;
            let wait_s = left.as_secs().clamp(1, MAX_WAIT_S);
            path.clear();
            let _ = write!(path, "/v1/jobs/{job_id}?wait={wait_s}");
            let req = self
                .pool
                .request(http::Method::GET, &path)
                .body(Full::new(Bytes::new()))
                .map_err(|_| "bad_job_id")?;
            // The long-poll may return early; our own deadline bounds it either way.
            let answer = match self.send(req, left + Duration::from_millis(500)).await {
                Err(Miss::Timeout) => return Err("timeout"),
                Err(Miss::Wire(reason)) => return Err(reason),
                Ok(a) => a,
            };
            if !answer.is_success() {
                return Err("poll_http_error");
            }
            let state: JobState =
                serde_json::from_slice(&answer.body).map_err(|_| "bad_response")?;
            if matches!(state.status.as_str(), "succeeded" | "failed") {
                return Ok(state.status);
            }
        }
    }
}

impl Driver for StubDriver {
    async fn begin_phase(&self, phase: &PhasePlan) -> Result<(), String> {
        let url = format!("{}/admin/faults", self.base);
        let body = serde_json::to_vec(&phase.faults)
            .map_err(|e| format!("cannot encode the fault profile: {e}"))?;
        let req = self
            .pool
            .request(http::Method::PUT, "/admin/faults")
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| format!("PUT {url}: {e}"))?;
        match self.send(req, FAULTS_TIMEOUT).await {
            Err(Miss::Timeout) => Err(format!("PUT {url} failed: no answer in {FAULTS_TIMEOUT:?}")),
            Err(Miss::Wire(reason)) => Err(format!("PUT {url} failed: {reason}")),
            Ok(a) if a.is_success() => Ok(()),
            Ok(a) => Err(format!("PUT {url} answered {}", a.status_text())),
        }
    }

    async fn run_job(&self, job: JobRequest) -> JobResult {
        let deadline = Instant::now() + job.follow_for;
        let user_id = job.user_id();
        let Some(req) = self.submit(&job, &user_id) else {
            return JobResult::failed_early(JobOutcome::HttpError, "bad_request");
        };
        let answer = match self.send(req, job.follow_for).await {
            Err(Miss::Timeout) => return JobResult::failed_early(JobOutcome::Timeout, "timeout"),
            Err(Miss::Wire(reason)) => {
                return JobResult::failed_early(JobOutcome::HttpError, reason);
            }
            Ok(a) => a,
        };
        let mut result = JobResult {
            outcome: JobOutcome::HttpError,
            reason: None,
            http_status: Some(answer.status),
            job_id: None,
            returned_trace_id: None,
            responded: Some(Instant::now()),
            ended: None,
        };
        if !answer.is_success() {
            result.reason = Some(format!("http_{}", answer.status));
            return result;
        }
        let Ok(accepted) = serde_json::from_slice::<Accepted>(&answer.body) else {
            result.reason = Some("bad_response".to_string());
            return result;
        };
        result.returned_trace_id = accepted.trace_id;
        match self.follow(&accepted.job_id, deadline).await {
            Ok(status) => {
                let ok = status == "succeeded";
                result.outcome = if ok {
                    JobOutcome::Succeeded
                } else {
                    JobOutcome::Failed
                };
                result.reason = (!ok).then(|| "job_failed".to_string());
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
