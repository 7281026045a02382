//! The system under test of a run: obsgate's own stub child (on `127.0.0.1:0`, exporting traces
//! to obsgate's receiver) or a running one given with `--target`; and driving the plan's load
//! against it.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::env::RunEnv;
use crate::evidence::LoadOutcome;
use crate::exit::AppError;
use crate::load::{DEFAULT_RECORD_CAP, ExecOptions, JobTap, StubChild, StubDriver, StubOptions};
use crate::scenario::Plan;

/// Wall time to wait for in-flight jobs after Ctrl-C.
const INTERRUPT_GRACE: Duration = Duration::from_secs(5);
/// Wall time a probe of `--target` may take before the target counts as unreachable.
const PROBE_TIMEOUT: Duration = Duration::from_secs(3);
/// Wall time the stub child gets to finish its jobs and flush its telemetry when stopped.
const STUB_STOP_GRACE: Duration = Duration::from_secs(12);

/// What the load is driven against.
#[derive(Debug)]
pub struct Target {
    /// `http://host:port`, no trailing slash.
    pub base_url: String,
    /// The stub child, when obsgate started one (its stdout can be taken for log capture).
    pub stub: Option<StubChild>,
}

impl Target {
    /// Start the stub child, or probe `--target` (exit 3 quickly when it does not answer).
    pub async fn start(
        plan: &Plan,
        env: &RunEnv,
        otlp_endpoint: Option<String>,
    ) -> Result<Self, AppError> {
        if let Some(base) = &env.target {
            probe(base).await?;
            return Ok(Self {
                base_url: base.clone(),
                stub: None,
            });
        }
        let opts = StubOptions {
            time_scale: plan.time_scale,
            defects: env.stub_defects.clone(),
            seed: plan.seed,
            otlp_endpoint,
            ..StubOptions::default()
        };
        let stub = tokio::task::spawn_blocking(move || StubChild::spawn(&opts))
            .await
            .map_err(|e| AppError::harness(format!("cannot start the stub: {e}")))??;
        Ok(Self {
            base_url: stub.base_url().to_string(),
            stub: Some(stub),
        })
    }

    /// `host:port`, as Prometheus scrapes it.
    pub fn host_port(&self) -> String {
        self.base_url
            .trim_start_matches("http://")
            .trim_start_matches("https://")
            .trim_end_matches('/')
            .to_string()
    }

    /// Run the plan's load against the target until it ends or `stop` turns true. Job records
    /// are kept (up to the cap) only when `keep_records`: some check compares jobs with
    /// spans. With a `tap`, every job's record is streamed to it as the job ends.
    pub async fn drive(
        &mut self,
        plan: &Plan,
        env: &RunEnv,
        keep_records: bool,
        tap: Option<JobTap>,
        stop: watch::Receiver<bool>,
    ) -> Result<LoadOutcome, AppError> {
        if let Some(stub) = &mut self.stub {
            stub.drain_untaken_stdout();
        }
        let driver =
            StubDriver::new(&self.base_url, plan.max_in_flight).map_err(AppError::harness)?;
        let opts = ExecOptions {
            grace: INTERRUPT_GRACE,
            progress: env.progress,
            record_cap: if keep_records { DEFAULT_RECORD_CAP } else { 0 },
            job_tap: tap,
            ..ExecOptions::default()
        };
        Ok(crate::load::execute(plan, Arc::new(driver), stop, opts).await)
    }

    /// Stop the stub child (if any), gracefully: it flushes its last traces and closes stdout.
    pub async fn stop(&mut self) {
        if let Some(mut stub) = self.stub.take() {
            let _ = tokio::task::spawn_blocking(move || stub.shutdown(STUB_STOP_GRACE)).await;
        }
    }
}

/// Any HTTP answer proves the target is there; a refused or silent connection does not.
/// Asked through the load's own connection layer, which then drives it.
async fn probe(base: &str) -> Result<(), AppError> {
    let pool = crate::load::conn::Pool::new(base, 1).map_err(AppError::usage)?;
    let req = pool
        .request(http::Method::GET, "/admin/faults")
        .body(http_body_util::Full::new(bytes::Bytes::new()))
        .map_err(|e| AppError::harness(format!("cannot build the probe request: {e}")))?;
    let reason = match tokio::time::timeout(PROBE_TIMEOUT, pool.send(req)).await {
        Ok(Ok(_)) => return Ok(()),
        Ok(Err(f)) => f.reason().to_string(),
        Err(_) => format!("no answer within {PROBE_TIMEOUT:?}"),
    };
    Err(AppError::harness(format!(
        "target {base} is unreachable ({reason}); start it (`obsgate stub --listen ...`) or omit --target to let obsgate start its own"
    )))
}
