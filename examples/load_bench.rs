//! obsgate's load engine against a plain URL, for side-by-side benchmarks with oha and wrk.
//! Uses the same schedule, executor, semaphore and HDR stats as `obsgate run`; only the
//! driver differs (one GET per job instead of POST + follow).
//!
//! Usage: `load_bench URL max SECONDS CONCURRENCY` (as fast as the target answers, at most
//! CONCURRENCY in flight) or `load_bench URL rate SECONDS RATE_PER_S [MAX_IN_FLIGHT]
//! [RECORD_CAP]`. Prints one JSON object on stdout.
//!
//! RECORD_CAP (default 0) is the executor's job-record cap: 0 as in an `obsgate run` with no
//! logs or traces expectation (nothing per job is kept), `obsgate::load::DEFAULT_RECORD_CAP`
//! as in a run whose checks compare jobs with their log lines and spans.
//!
//! The driver sends its GETs through `obsgate::load::conn`, the keep-alive connection layer
//! the stub driver of `obsgate run` uses, so the bench measures the engine users run.

use std::sync::Arc;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::Bytes;
use obsgate::evidence::JobOutcome;
use obsgate::load::conn::Pool;
use obsgate::load::{Driver, ExecOptions, JobRequest, JobResult, execute};
use obsgate::scenario::{PhasePlan, parse_scenario};
use tokio::time::Instant;

/// One GET per job over the shared connection layer.
struct Get {
    pool: Pool,
    /// Request target (path and query).
    path: String,
}

impl Get {
    async fn get(&self) -> Result<u16, &'static str> {
        let req = self
            .pool
            .request(http::Method::GET, &self.path)
            .body(Full::new(Bytes::new()))
            .map_err(|_| "http_error")?;
        let answer = self.pool.send(req).await.map_err(|f| f.reason())?;
        Ok(answer.status)
    }
}

impl Driver for Get {
    async fn begin_phase(&self, _phase: &PhasePlan) -> Result<(), String> {
        Ok(())
    }
    async fn run_job(&self, _job: JobRequest) -> JobResult {
        match self.get().await {
            Ok(status) => {
                let at = Instant::now();
                let ok = (200..300).contains(&status);
                JobResult {
                    outcome: if ok {
                        JobOutcome::Succeeded
                    } else {
                        JobOutcome::HttpError
                    },
                    reason: (!ok).then(|| format!("http_{status}")),
                    http_status: Some(status),
                    job_id: None,
                    returned_trace_id: None,
                    responded: Some(at),
                    ended: Some(at),
                }
            }
            Err(reason) => JobResult::failed_early(JobOutcome::HttpError, reason),
        }
    }
}

fn usage() -> ! {
    eprintln!(
        "usage: load_bench URL max SECONDS CONCURRENCY | load_bench URL rate SECONDS RATE [MAX_IN_FLIGHT] [RECORD_CAP]"
    );
    std::process::exit(2)
}

/// `http://host:port/path` → (base URL, `/path`); only plain HTTP is benchmarked.
fn split_url(url: &str) -> Option<(String, String)> {
    let uri: hyper::Uri = url.parse().ok()?;
    if uri.scheme_str() != Some("http") {
        return None;
    }
    let auth = uri.authority()?;
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    Some((format!("http://{auth}"), path.to_string()))
}

#[tokio::main]
async fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let (Some(url), Some(mode), Some(secs), Some(n)) = (a.first(), a.get(1), a.get(2), a.get(3))
    else {
        usage()
    };
    let secs: f64 = secs.parse().unwrap_or_else(|_| usage());
    let n: f64 = n.parse().unwrap_or_else(|_| usage());
    let Some((base, path)) = split_url(url) else {
        usage()
    };
    let is_max = mode == "max";
    // Max mode: a rate far beyond any target and the queue policy, so the executor sends as
    // soon as a slot frees (a closed loop of CONCURRENCY) and stops after SECONDS.
    let (rate, in_flight) = if is_max {
        (1_000_000.0, n as u64)
    } else {
        (n, a.get(4).and_then(|s| s.parse().ok()).unwrap_or(4096u64))
    };
    let yaml = format!(
        "name: bench\nseed: 1\nmax_in_flight: {in_flight}\noverload: queue\njob_timeout: 30s\n\
         phases:\n  - {{name: bench, duration: {secs}s, rate: {rate}/s}}\n"
    );
    let plan = parse_scenario(&yaml, std::path::Path::new("bench.yaml")).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(2)
    });
    let pool = Pool::new(&base, in_flight as usize).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(2)
    });
    let driver = Arc::new(Get { pool, path });
    let (tx, rx) = tokio::sync::watch::channel(false);
    if is_max {
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs_f64(secs)).await;
            let _ = tx.send(true);
        });
    } else {
        std::mem::forget(tx);
    }
    let record_cap = a.get(5).and_then(|s| s.parse().ok()).unwrap_or(0);
    let opts = ExecOptions {
        grace: Duration::from_secs(5),
        record_cap,
        ..ExecOptions::default()
    };
    let out = execute(&plan, driver, rx, opts).await;
    let Some(p) = out.phases.first() else { usage() };
    let scheduled_rate = out.notes.first().map_or(0.0, |n| n.scheduled_rate);
    let err_pct = if scheduled_rate > 0.0 {
        (p.achieved_rate - rate).abs() / rate * 100.0
    } else {
        0.0
    };
    println!(
        "{}",
        serde_json::json!({
            "tool": "obsgate",
            "mode": mode,
            "target_rate": if is_max { serde_json::Value::Null } else { rate.into() },
            "sent": p.sent,
            "succeeded": p.succeeded,
            "failed": p.failed,
            "late": p.late,
            "achieved_rate": p.achieved_rate,
            "rate_error_pct": if is_max { serde_json::Value::Null } else { err_pct.into() },
            "latency_p99_ms": p.latency_ms.p99,
            "latency_from_send_p99_ms": p.latency_from_send_ms.p99,
            "scheduler_lag_p99_ms": p.scheduler_lag_ms.p99,
            "peak_in_flight": p.peak_in_flight,
            "record_cap": record_cap,
            "records_kept": out.jobs.len(),
        })
    );
}
