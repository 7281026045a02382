//! The managed stack: Prometheus and Alertmanager as child processes on free loopback ports, in
//! a temporary run dir, with overlay configs generated from the shipped `config/` (see
//! [`super::overlay`] and [`super::generated`]) and obsgate's fake receivers behind every notifier. Waits for `/-/ready`
//! and for every scrape target to be up. `stop()` and `Drop` kill both.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tokio::process::Child;

use super::generated::{self, Addresses, GeneratedConfigs};
use super::ports::free_loopback_port;
use crate::config::timing::StackTiming;
use crate::evidence::StackClock;
use crate::exit::AppError;
use crate::observe::am_api::AmClient;
use crate::observe::prom_api::PromClient;
use crate::observe::receivers::FakeReceivers;

use super::process::{INSTALL_HINT, exited, log_tail, spawn};
pub use super::process::{binaries_available, find_binary};

/// How to start the managed stack.
#[derive(Debug, Clone)]
pub struct ManagedOptions {
    /// The shipped config folder (`prometheus.yml`, `alertmanager.yml`, rule files).
    pub config_dir: PathBuf,
    /// `host:port` of the stub that Prometheus scrapes.
    pub scrape_target: String,
    /// Scrape and evaluation interval override, production seconds (a deviation in the report).
    pub interval_override_s: Option<f64>,
    /// Scenario seconds per wall second: every interval, timer and rule window is divided by
    /// it, so the stack keeps the scenario's clock (1: wall time).
    pub time_scale: f64,
    /// Where `prometheus.log` and `alertmanager.log` go.
    pub report_dir: PathBuf,
    /// Rule files to load instead of the shipped config's (fixtures).
    pub rule_files: Option<Vec<PathBuf>>,
    /// Rule files to load besides those, unless already loaded (an SLO file's generated rules).
    pub extra_rule_files: Vec<PathBuf>,
    /// Alertmanager config to use instead of `<config_dir>/alertmanager.yml` (fixtures).
    pub alertmanager_config: Option<PathBuf>,
    /// How long to wait for readiness and targets up.
    pub ready_timeout: Duration,
}

impl ManagedOptions {
    /// Options with the shipped config and a 60 s readiness deadline.
    pub fn new(
        config_dir: impl Into<PathBuf>,
        scrape_target: impl Into<String>,
        report_dir: impl Into<PathBuf>,
    ) -> Self {
        Self {
            config_dir: config_dir.into(),
            scrape_target: scrape_target.into(),
            interval_override_s: None,
            time_scale: 1.0,
            report_dir: report_dir.into(),
            rule_files: None,
            extra_rule_files: Vec::new(),
            alertmanager_config: None,
            ready_timeout: Duration::from_secs(60),
        }
    }
}

/// Both binaries, found before anything is created, with the package to install when absent.
fn binaries() -> Result<(PathBuf, PathBuf), AppError> {
    let prom_bin = find_binary(&["prometheus"])
        .ok_or_else(|| AppError::harness(format!("`prometheus` is not on PATH: {INSTALL_HINT}")))?;
    let am_bin = find_binary(&["prometheus-alertmanager", "alertmanager"]).ok_or_else(|| {
        AppError::harness(format!(
            "neither `prometheus-alertmanager` nor `alertmanager` is on PATH: {INSTALL_HINT}"
        ))
    })?;
    Ok((prom_bin, am_bin))
}

/// Where the two processes write their output (in the report dir, so a failed run keeps it).
struct Logs {
    prometheus: PathBuf,
    alertmanager: PathBuf,
}

/// Start Alertmanager, then Prometheus (which sends to it), each with data in the run dir.
fn spawn_both(
    prom_bin: &Path,
    am_bin: &Path,
    dir: &Path,
    addrs: &Addresses,
    cfg: &GeneratedConfigs,
    logs: &Logs,
) -> Result<(Child, Child), AppError> {
    let alertmanager = spawn(
        am_bin,
        &[
            format!("--config.file={}", cfg.alertmanager.display()),
            format!("--storage.path={}", dir.join("am-data").display()),
            format!("--web.listen-address={}", addrs.alertmanager),
            "--cluster.listen-address=".to_string(),
        ],
        &logs.alertmanager,
    )?;
    let prometheus = spawn(
        prom_bin,
        &[
            format!("--config.file={}", cfg.prometheus.display()),
            format!("--storage.tsdb.path={}", dir.join("prom-data").display()),
            format!("--web.listen-address={}", addrs.prometheus),
        ]
        .into_iter()
        .chain(cfg.clock.prometheus_flags.iter().cloned())
        .collect::<Vec<_>>(),
        &logs.prometheus,
    )?;
    Ok((prometheus, alertmanager))
}

/// A running managed stack.
#[derive(Debug)]
pub struct ManagedStack {
    prometheus: Option<Child>,
    alertmanager: Option<Child>,
    receivers: FakeReceivers,
    prometheus_url: String,
    alertmanager_url: String,
    deviations: Vec<String>,
    timing: StackTiming,
    clock: StackClock,
    report_dir: PathBuf,
    /// Prometheus's TSDB, Alertmanager's state and the generated configs: inside the report
    /// folder (never /tmp, so even a SIGKILLed run leaves nothing elsewhere); removed after a
    /// passing run, kept for inspection otherwise (see [`crate::run::execute`]).
    run_dir: PathBuf,
}

impl ManagedStack {
    /// Start the fake receivers, Prometheus and Alertmanager; return once everything is ready.
    ///
    /// In steps, each failing with its own message: find the binaries, generate and validate the
    /// configs (nothing is started on a config the tools reject), spawn, wait until ready.
    pub async fn start(opts: ManagedOptions) -> Result<Self, AppError> {
        let (prom_bin, am_bin) = binaries()?;
        std::fs::create_dir_all(&opts.report_dir)
            .map_err(|e| AppError::harness(format!("{}: {e}", opts.report_dir.display())))?;
        let dir = fresh_run_dir(&opts.report_dir)?;
        match Self::start_in(opts, prom_bin, am_bin, dir.clone()).await {
            Ok(mut stack) => {
                // Both processes have read their configs (neither re-reads it unless told to):
                // from here on, the copies in the report folder hold no secret, whatever
                // happens to the run (a SIGKILL, a second Ctrl-C).
                let problems = crate::config::secrets::redact_config_files(&stack.run_dir);
                stack.deviations.extend(problems);
                Ok(stack)
            }
            Err(e) => {
                // Nothing ran on it; the redacted overlay copies beside it stay for reading.
                let _ = std::fs::remove_dir_all(&dir);
                Err(e)
            }
        }
    }

    async fn start_in(
        opts: ManagedOptions,
        prom_bin: PathBuf,
        am_bin: PathBuf,
        dir: PathBuf,
    ) -> Result<Self, AppError> {
        let receivers = FakeReceivers::start().await?;
        let addrs = Addresses {
            prometheus: format!("127.0.0.1:{}", free_loopback_port()?),
            alertmanager: format!("127.0.0.1:{}", free_loopback_port()?),
            receivers_base: receivers.base_url().to_string(),
        };
        let cfg = generated::prepare(&opts, &dir, &addrs).await?;
        let logs = Logs {
            prometheus: opts.report_dir.join("prometheus.log"),
            alertmanager: opts.report_dir.join("alertmanager.log"),
        };
        let (prometheus, alertmanager) = spawn_both(&prom_bin, &am_bin, &dir, &addrs, &cfg, &logs)?;
        let mut stack = Self {
            prometheus: Some(prometheus),
            alertmanager: Some(alertmanager),
            receivers,
            prometheus_url: format!("http://{}", addrs.prometheus),
            alertmanager_url: format!("http://{}", addrs.alertmanager),
            deviations: cfg.deviations,
            timing: cfg.timing,
            clock: cfg.clock,
            report_dir: opts.report_dir.clone(),
            run_dir: dir,
        };
        stack
            .wait_ready(&opts, &logs.prometheus, &logs.alertmanager)
            .await?;
        Ok(stack)
    }

    async fn wait_ready(
        &mut self,
        opts: &ManagedOptions,
        prom_log: &Path,
        am_log: &Path,
    ) -> Result<(), AppError> {
        let prom = PromClient::new(&self.prometheus_url);
        let am = AmClient::new(&self.alertmanager_url);
        // The first scrape may wait up to one (compressed) scrape interval.
        let wall_scrape_s = self.timing.scrape_interval_s / self.clock.time_scale;
        let wait = opts
            .ready_timeout
            .max(Duration::from_secs_f64(wall_scrape_s * 2.0 + 10.0));
        let deadline = Instant::now() + wait;
        loop {
            if let Some(st) = exited(&mut self.prometheus).await {
                return Err(AppError::harness(format!(
                    "Prometheus exited ({st}) during startup; last lines of {}:\n{}",
                    prom_log.display(),
                    log_tail(prom_log, 15)
                )));
            }
            if let Some(st) = exited(&mut self.alertmanager).await {
                return Err(AppError::harness(format!(
                    "Alertmanager exited ({st}) during startup; last lines of {}:\n{}",
                    am_log.display(),
                    log_tail(am_log, 15)
                )));
            }
            let ready = prom.ready().await.unwrap_or(false) && am.ready().await.unwrap_or(false);
            let last;
            if ready {
                match prom.targets().await {
                    Ok(t) if !t.is_empty() && t.iter().all(|t| t.health == "up") => return Ok(()),
                    Ok(t) => {
                        last = if t.is_empty() {
                            "no active targets".to_string()
                        } else {
                            t.iter()
                                .filter(|t| t.health != "up")
                                .map(|t| {
                                    format!(
                                        "{} {} {} {}",
                                        t.job, t.scrape_url, t.health, t.last_error
                                    )
                                })
                                .collect::<Vec<_>>()
                                .join("; ")
                        };
                    }
                    Err(e) => last = e,
                }
            } else {
                last = "waiting for /-/ready".into();
            }
            if Instant::now() >= deadline {
                return Err(AppError::harness(format!(
                    "managed stack not ready after {:.0}s: {last} (logs: {}, {})",
                    wait.as_secs_f64(),
                    prom_log.display(),
                    am_log.display()
                )));
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// `http://127.0.0.1:PORT` of Prometheus.
    pub fn prometheus_url(&self) -> &str {
        &self.prometheus_url
    }
    /// `http://127.0.0.1:PORT` of Alertmanager.
    pub fn alertmanager_url(&self) -> &str {
        &self.alertmanager_url
    }
    /// The fake receivers (their notifications are the routing evidence).
    pub fn receivers(&self) -> &FakeReceivers {
        &self.receivers
    }
    /// Process ids of Prometheus and Alertmanager, while they run (for the death watch).
    pub fn pids(&self) -> Vec<(String, u32)> {
        [
            ("prometheus", &self.prometheus),
            ("alertmanager", &self.alertmanager),
        ]
        .into_iter()
        .filter_map(|(n, c)| c.as_ref().and_then(|c| c.id()).map(|p| (n.to_string(), p)))
        .collect()
    }

    /// Every deviation of the overlay configs from the shipped ones.
    pub fn deviations(&self) -> Vec<String> {
        self.deviations.clone()
    }
    /// Intervals, `for` and `group_wait` as the managed stack runs them, in scenario seconds.
    pub fn timing(&self) -> &StackTiming {
        &self.timing
    }
    /// The stack's own state (TSDB, configs) for this run.
    pub fn run_dir(&self) -> &Path {
        &self.run_dir
    }
    /// The stack's clock: K, its flags, the rewritten rules, the largest usable K.
    pub fn clock(&self) -> &StackClock {
        &self.clock
    }

    /// Process id of the managed Prometheus, while it runs.
    pub fn prometheus_pid(&self) -> Option<u32> {
        self.prometheus.as_ref().and_then(Child::id)
    }

    /// Err when Prometheus or Alertmanager died during the run (the report is then incomplete);
    /// the message quotes the end of its log.
    pub async fn check_alive(&mut self) -> Result<(), AppError> {
        for (name, child, log) in [
            ("Prometheus", &mut self.prometheus, "prometheus.log"),
            ("Alertmanager", &mut self.alertmanager, "alertmanager.log"),
        ] {
            if let Some(st) = exited(child).await {
                let path = self.report_dir.join(log);
                return Err(AppError::harness(format!(
                    "{name} exited during the run ({st}); last lines of {}:\n{}",
                    path.display(),
                    log_tail(&path, 15)
                )));
            }
        }
        Ok(())
    }

    /// Kill both processes and wait for them.
    pub async fn stop(&mut self) {
        for c in [self.prometheus.take(), self.alertmanager.take()]
            .into_iter()
            .flatten()
        {
            let mut c = c;
            let _ = c.kill().await;
        }
    }
}

/// Name of the stack's state folder inside the report folder.
pub const RUN_DIR_NAME: &str = "stack-data";

/// `report_dir/stack-data`, emptied: a folder left by an earlier run into the same report
/// folder is that run's state, not this one's.
fn fresh_run_dir(report_dir: &Path) -> Result<PathBuf, AppError> {
    let dir = report_dir.join(RUN_DIR_NAME);
    let fail = |e: std::io::Error| AppError::harness(format!("{}: {e}", dir.display()));
    match std::fs::remove_dir_all(&dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(fail(e)),
        _ => {}
    }
    std::fs::create_dir_all(&dir).map_err(fail)?;
    Ok(dir)
}

impl Drop for ManagedStack {
    fn drop(&mut self) {
        for c in [self.prometheus.as_mut(), self.alertmanager.as_mut()]
            .into_iter()
            .flatten()
        {
            let _ = c.start_kill();
        }
    }
}
