//! One run's view of the stack, whatever its mode: start or connect, watch alerts during the
//! load, wait for expected resolutions after it, then hand over what was seen. This is what
//! `obsgate run` holds; it never judges.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::external::ExternalStack;
use super::managed::{ManagedOptions, ManagedStack, binaries_available};
use crate::cli::StackMode;
use crate::config::duration::parse_prom_duration;
use crate::config::timing::StackTiming;
use crate::evidence::{AlertsSeen, RoutingEvidence, StackClock};
use crate::exit::AppError;
use crate::expect::alerts::AlertExpectations;
use crate::observe::alert_watch::AlertWatcher;
use crate::observe::am_api::AmClient;
use crate::observe::prom_api::PromClient;

/// How to open the stack for a run (from `RunArgs`).
#[derive(Debug, Clone)]
pub struct StackRequest {
    /// `--stack`; None picks managed when the binaries are on PATH, else none.
    pub mode: Option<StackMode>,
    /// `--prometheus-url` (external).
    pub prometheus_url: Option<String>,
    /// `--alertmanager-url` (external).
    pub alertmanager_url: Option<String>,
    /// `--scrape-interval`, e.g. `5s` (managed).
    pub scrape_interval: Option<String>,
    /// `--config-dir`.
    pub config_dir: PathBuf,
    /// `host:port` of the stub Prometheus must scrape.
    pub stub_target: String,
    /// The run's report folder (logs and overlay configs go there).
    pub report_dir: PathBuf,
    /// The scenario expects alerts, dashboards or acceptance criteria (decides the default mode).
    pub needs_stack: bool,
    /// The scenario expects alerts (their timings need one clock).
    pub expects_alerts: bool,
    /// Scenario seconds per wall second: the managed stack runs on the same clock.
    pub time_scale: f64,
    /// `--allow-clock-skew`: an external stack keeps wall time while the stub is compressed.
    pub allow_clock_skew: bool,
    /// Rule files a managed Prometheus loads besides the config's (the generated rules of the
    /// SLOs under rehearsal).
    pub extra_rule_files: Vec<PathBuf>,
}

/// The stack of one run.
#[derive(Debug)]
pub enum StackSession {
    /// Child processes obsgate started.
    Managed(Box<ManagedStack>),
    /// A running stack observed through its APIs.
    External(ExternalStack),
    /// No stack; the reason goes into every skipped alert check.
    None(String),
}

impl StackSession {
    /// Start or connect. Bad flags are exit 2; a stack that cannot run is exit 3.
    pub async fn open(req: StackRequest) -> Result<Self, AppError> {
        // Without --stack: a managed stack when the scenario expects something only a stack can
        // show (alerts, dashboards, acceptance) and the binaries are there; none otherwise, so a
        // signals-only run does not pay for a Prometheus nobody reads.
        let (mode, why_none) = match req.mode {
            Some(m) => (m, "--stack none: no Prometheus/Alertmanager to observe"),
            None if !req.needs_stack => (
                StackMode::None,
                "no stack: the scenario expects no alerts or dashboards (--stack managed observes one anyway)",
            ),
            None if binaries_available() => (StackMode::Managed, ""),
            None => (
                StackMode::None,
                "no stack: prometheus and prometheus-alertmanager are not on PATH (apt-get install prometheus prometheus-alertmanager)",
            ),
        };
        match mode {
            StackMode::None => Ok(Self::None(why_none.to_string())),
            StackMode::External => {
                let (Some(p), Some(a)) = (&req.prometheus_url, &req.alertmanager_url) else {
                    return Err(AppError::usage(
                        "--stack external needs --prometheus-url and --alertmanager-url",
                    ));
                };
                check_external_clock(&req)?;
                Ok(Self::External(ExternalStack::connect(p, a).await?))
            }
            StackMode::Managed => {
                let interval = match &req.scrape_interval {
                    Some(s) => Some(
                        parse_prom_duration(s)
                            .map_err(|e| AppError::usage(format!("--scrape-interval: {e}")))?,
                    ),
                    None => None,
                };
                if interval.is_some_and(|s| s <= 0.0) {
                    return Err(AppError::usage("--scrape-interval must be positive"));
                }
                let mut opts =
                    ManagedOptions::new(&req.config_dir, &req.stub_target, &req.report_dir);
                opts.interval_override_s = interval;
                opts.time_scale = req.time_scale;
                opts.extra_rule_files = req.extra_rule_files.clone();
                Ok(Self::Managed(Box::new(ManagedStack::start(opts).await?)))
            }
        }
    }

    fn clients(&self) -> Option<(PromClient, AmClient)> {
        match self {
            Self::Managed(m) => Some((
                PromClient::new(m.prometheus_url()),
                AmClient::new(m.alertmanager_url()),
            )),
            Self::External(e) => Some((e.prometheus(), e.alertmanager())),
            Self::None(_) => None,
        }
    }

    /// Prometheus base URL, when there is a stack (dashboards' live checks query it).
    pub fn prometheus_url(&self) -> Option<String> {
        self.clients().map(|(p, _)| p.base().to_string())
    }

    /// Alertmanager base URL, when there is a stack (health probes).
    pub fn alertmanager_url(&self) -> Option<String> {
        self.clients().map(|(_, a)| a.base().to_string())
    }

    /// Scenario seconds per wall second of the stack's clock: the time scale for a managed
    /// stack, 1 for an external one (which keeps wall time).
    pub fn clock_scale(&self) -> f64 {
        match self {
            Self::Managed(m) => m.clock().time_scale,
            _ => 1.0,
        }
    }

    /// Start watching alerts (call right before the first phase). None without a stack. The
    /// watcher polls about every three scenario seconds (at most every second, at least every
    /// 100 ms), so the timings keep their precision at any time scale.
    pub fn watch(&self) -> Option<AlertWatcher> {
        let every = Duration::from_secs_f64((3.0 / self.clock_scale()).clamp(0.1, 1.0));
        self.clients()
            .map(|(p, a)| AlertWatcher::start(p, Some(a), every))
    }

    /// Process ids of a managed stack's Prometheus and Alertmanager (none otherwise).
    pub fn pids(&self) -> Vec<(String, u32)> {
        match self {
            Self::Managed(m) => m.pids(),
            _ => Vec::new(),
        }
    }

    /// The components of an external stack, to probe while the run goes (the managed stack's
    /// are watched as processes instead).
    pub fn probes(&self) -> Vec<crate::observe::outage::Probe> {
        let Self::External(_) = self else {
            return Vec::new();
        };
        let health = |component: &str, base: Option<String>| {
            base.map(|b| crate::observe::outage::Probe {
                component: component.to_string(),
                url: format!("{}/-/healthy", b.trim_end_matches('/')),
            })
        };
        [
            health("prometheus", self.prometheus_url()),
            health("alertmanager", self.alertmanager_url()),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    /// Every deviation from the shipped config (managed stack only).
    pub fn deviations(&self) -> Vec<String> {
        match self {
            Self::Managed(m) => m.deviations(),
            _ => Vec::new(),
        }
    }

    /// The stack's timing in scenario seconds, when obsgate knows its configs (managed stack).
    pub fn timing(&self) -> Option<&StackTiming> {
        match self {
            Self::Managed(m) => Some(m.timing()),
            _ => None,
        }
    }

    /// The managed stack's state folder (None for an external stack or none).
    pub fn run_dir(&self) -> Option<std::path::PathBuf> {
        match self {
            Self::Managed(m) => Some(m.run_dir().to_path_buf()),
            _ => None,
        }
    }

    /// The managed stack's clock (None for an external stack or none).
    pub fn clock(&self) -> Option<&StackClock> {
        match self {
            Self::Managed(m) => Some(m.clock()),
            _ => None,
        }
    }

    /// After the last phase: wait (bounded by the largest `resolves_within`, in scenario time,
    /// at most 30 min) until no alert this file expects to resolve is still active, so their
    /// resolutions are observed. Other alerts (an SLO's long-window tiers, say) may stay active.
    pub async fn settle(&self, exp: &AlertExpectations) {
        let Some((prom, _)) = self.clients() else {
            return;
        };
        let max = exp
            .alerts
            .iter()
            .filter_map(|a| a.resolves_within_s)
            .fold(0.0, f64::max)
            .min(1800.0);
        let scale = self.clock_scale();
        let deadline = Instant::now() + Duration::from_secs_f64(max / scale);
        let every = Duration::from_secs_f64((1.0 / scale).clamp(0.1, 1.0));
        let resolving: Vec<&str> = exp
            .alerts
            .iter()
            .filter(|a| a.resolves_within_s.is_some())
            .map(|a| a.alert.as_str())
            .collect();
        let settled = |active: &[crate::observe::prom_api::PromAlert]| {
            !active.iter().any(|a| {
                a.labels
                    .get("alertname")
                    .is_some_and(|n| resolving.contains(&n.as_str()))
            })
        };
        while Instant::now() < deadline {
            if prom.alerts().await.is_ok_and(|a| settled(&a)) {
                return self.await_resolved(&resolving, every).await;
            }
            tokio::time::sleep(every).await;
        }
    }

    /// Once the alerts cleared, a managed stack's resolved messages follow within a group
    /// interval: wait (at most the longest one plus 2 s, wall) until every alert of `names`
    /// notified firing was also notified resolved, so the notification checks see them.
    async fn await_resolved(&self, names: &[&str], every: Duration) {
        let Self::Managed(m) = self else { return };
        let t = m.timing();
        let longest = t
            .group_interval_by_receiver_s
            .values()
            .fold(t.group_interval_s, |a, b| a.max(*b));
        let deadline = Instant::now()
            + Duration::from_secs_f64((longest / self.clock_scale()).min(600.0) + 2.0);
        let pending = |notes: &[crate::evidence::Notification]| {
            names.iter().any(|a| {
                let of = |st| {
                    notes
                        .iter()
                        .any(|n| n.status == st && n.alertnames.iter().any(|x| x == a))
                };
                of(crate::evidence::NotificationStatus::Firing)
                    && !of(crate::evidence::NotificationStatus::Resolved)
            })
        };
        while Instant::now() < deadline && pending(&m.receivers().notifications()) {
            tokio::time::sleep(every).await;
        }
    }

    /// Stop watching and return what was seen of the alerts, for the alert checks to judge.
    /// Without a stack (or without a watcher) that is the reason they cannot be judged.
    pub async fn finish(&self, watcher: Option<AlertWatcher>) -> AlertsSeen {
        let (Some(w), false) = (watcher, matches!(self, Self::None(_))) else {
            return AlertsSeen::NotWatched(match self {
                Self::None(r) => r.clone(),
                _ => "alerts were not watched during the run".to_string(),
            });
        };
        let (notes, lost, routing) = match self {
            Self::Managed(m) => (
                m.receivers().notifications(),
                m.receivers().lost(),
                RoutingEvidence::Notifications,
            ),
            _ => (Vec::new(), Vec::new(), RoutingEvidence::AlertmanagerApi),
        };
        let mut observations = w.finish(notes).await;
        observations.receivers_lost = lost;
        observations.until_unix_ms = Some(chrono::Utc::now().timestamp_millis());
        AlertsSeen::Watched {
            observations,
            routing,
            timing: self.timing().cloned(),
            clock_scale: self.clock_scale(),
        }
    }

    /// Err when a managed stack's process died (poll it between phases).
    pub async fn check_alive(&mut self) -> Result<(), AppError> {
        match self {
            Self::Managed(m) => m.check_alive().await,
            _ => Ok(()),
        }
    }

    /// Stop a managed stack (also done on drop).
    pub async fn stop(&mut self) {
        if let Self::Managed(m) = self {
            m.stop().await;
        }
    }
}

/// An external stack keeps wall time: a compressed run's alert timings would mix two clocks, so
/// a scenario expecting alerts needs `time_scale: 1` or an explicit `--allow-clock-skew`.
fn check_external_clock(req: &StackRequest) -> Result<(), AppError> {
    if req.time_scale == 1.0 || !req.expects_alerts || req.allow_clock_skew {
        return Ok(());
    }
    Err(AppError::usage(format!(
        "--stack external: the scenario expects alerts and runs at time scale {}, but an external \
         Prometheus and Alertmanager keep wall time, so their windows, `for` and timers would not \
         mean what the rules say; use `--time-scale 1`, the managed stack, or \
         `--allow-clock-skew` (alert timings are then in wall time)",
        req.time_scale
    )))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A request for `mode` with nothing else set (shared with the run's stack tests).
    pub(crate) fn req(mode: StackMode) -> StackRequest {
        StackRequest {
            mode: Some(mode),
            prometheus_url: None,
            alertmanager_url: None,
            scrape_interval: None,
            config_dir: "config".into(),
            stub_target: "127.0.0.1:9".into(),
            report_dir: std::env::temp_dir(),
            needs_stack: true,
            expects_alerts: true,
            time_scale: 1.0,
            allow_clock_skew: false,
            extra_rule_files: Vec::new(),
        }
    }

    #[tokio::test]
    async fn bad_flags_are_usage_errors() {
        let e = StackSession::open(req(StackMode::External))
            .await
            .unwrap_err();
        assert_eq!(e.outcome, crate::exit::Outcome::Usage);
        let mut r = req(StackMode::Managed);
        r.scrape_interval = Some("5 seconds".into());
        let e = StackSession::open(r).await.unwrap_err();
        assert!(
            e.message.contains("--scrape-interval") && e.message.contains("5 seconds"),
            "{}",
            e.message
        );
    }

    #[test]
    fn an_external_stack_at_k_30_expecting_alerts_needs_allow_clock_skew() {
        let mut r = req(StackMode::External);
        r.time_scale = 30.0;
        let e = check_external_clock(&r).unwrap_err();
        assert_eq!(e.outcome, crate::exit::Outcome::Usage);
        for says in ["--allow-clock-skew", "time scale 30", "`--time-scale 1`"] {
            assert!(e.message.contains(says), "`{says}` missing: {}", e.message);
        }
        let allowed = |edit: fn(&mut StackRequest)| {
            let mut r = r.clone();
            edit(&mut r);
            check_external_clock(&r).is_ok()
        };
        assert!(allowed(|r| r.allow_clock_skew = true), "with the flag");
        assert!(allowed(|r| r.time_scale = 1.0), "at K 1");
        assert!(allowed(|r| r.expects_alerts = false), "without alerts");
    }
}
