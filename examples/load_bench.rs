//! obsgate's load engine against a plain URL, for side-by-side benchmarks with oha and wrk.
//! Uses the same schedule, executor, semaphore and HDR stats as `obsgate run`; only the
//! driver differs (one GET per job instead of POST + follow).
//!
//! Usage: `load_bench URL max SECONDS CONCURRENCY` (as fast as the target answers, at most
//! CONCURRENCY in flight) or `load_bench URL rate SECONDS RATE_PER_S [MAX_IN_FLIGHT]`.
//! Prints one JSON object on stdout.
//!
//! The driver speaks HTTP/1.1 through hyper's connection API with its own pool of keep-alive
//! connections (at most one per job in flight), like oha does: reqwest's per-request URL
//! parsing, connector and pool layers cost about as much as the executor itself at ~50k/s.

use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use obsgate::evidence::JobOutcome;
use obsgate::load::{Driver, ExecOptions, JobRequest, JobResult, execute};
use obsgate::scenario::{PhasePlan, parse_scenario};
use parking_lot::Mutex;
use tokio::time::Instant;

/// One GET per job over pooled keep-alive connections.
struct Get {
    /// `host:port` to connect to (also the Host header).
    authority: String,
    /// Request target (path and query).
    uri: hyper::Uri,
    /// Idle connections; a job takes one (or opens one) and puts it back when its answer is read.
    idle: Mutex<Vec<SendRequest<Empty<Bytes>>>>,
}

impl Get {
    async fn connect(&self) -> Result<SendRequest<Empty<Bytes>>, &'static str> {
        let stream = tokio::net::TcpStream::connect(&self.authority)
            .await
            .map_err(|_| "connect")?;
        // Small requests: do not wait for Nagle.
        stream.set_nodelay(true).map_err(|_| "connect")?;
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|_| "connect")?;
        tokio::spawn(conn);
        Ok(sender)
    }

    async fn get(&self) -> Result<u16, &'static str> {
        let pooled = self.idle.lock().pop();
        let mut sender = match pooled {
            Some(s) => s,
            None => self.connect().await?,
        };
        let req = hyper::Request::get(self.uri.clone())
            .header(hyper::header::HOST, self.authority.as_str())
            .body(Empty::new())
            .map_err(|_| "http_error")?;
        let resp = sender.send_request(req).await.map_err(|_| "http_error")?;
        let status = resp.status().as_u16();
        resp.into_body()
            .collect()
            .await
            .map_err(|_| "bad_response")?;
        // Reused only when the server kept it open (it answers once the body is read).
        if !sender.is_closed() {
            self.idle.lock().push(sender);
        }
        Ok(status)
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
        "usage: load_bench URL max SECONDS CONCURRENCY | load_bench URL rate SECONDS RATE [MAX_IN_FLIGHT]"
    );
    std::process::exit(2)
}

/// `http://host:port/path` → (`host:port`, `/path`); only plain HTTP is benchmarked.
fn split_url(url: &str) -> Option<(String, hyper::Uri)> {
    let uri: hyper::Uri = url.parse().ok()?;
    if uri.scheme_str() != Some("http") {
        return None;
    }
    let auth = uri.authority()?;
    let authority = format!("{}:{}", auth.host(), auth.port_u16().unwrap_or(80));
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    Some((authority, path.parse().ok()?))
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
    let Some((authority, uri)) = split_url(url) else {
        usage()
    };
    let is_max = mode == "max";
    // Max mode: a rate far beyond any target and the queue policy, so the executor sends as
    // soon as a slot frees (a closed loop of CONCURRENCY) and stops after SECONDS.
    let (rate, in_flight) = if is_max {
        (100_000.0, n as u64)
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
    let driver = Arc::new(Get {
        authority,
        uri,
        idle: Mutex::new(Vec::with_capacity(in_flight as usize)),
    });
    let (tx, rx) = tokio::sync::watch::channel(false);
    if is_max {
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs_f64(secs)).await;
            let _ = tx.send(true);
        });
    } else {
        std::mem::forget(tx);
    }
    let opts = ExecOptions {
        grace: Duration::from_secs(5),
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
        })
    );
}
