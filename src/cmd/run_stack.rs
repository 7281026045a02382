//! The stack side of `obsgate run`: open Prometheus/Alertmanager (managed, external or none),
//! watch alerts during the load, and after it: wait for resolutions, run the health probes,
//! evaluate every dashboard panel query on Prometheus, judge the alerts, and (when the scenario's
//! acceptance file asks for the whole stack) add the static checks of `obsgate check`.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::check::config::dashboards::{PanelQuery, panel_queries};
use crate::check::signals::alerts::PhaseWindow;
use crate::check::signals::dashboards_live::QueryAnswer;
use crate::config::stack::StackPaths;
use crate::evidence::AlertTiming;
use crate::exit::AppError;
use crate::observe::alert_watch::AlertWatcher;
use crate::observe::prom_api::PromClient;
use crate::stack::session::{StackRequest, StackSession};
use crate::verdict::Check;

use super::run::Prepared;
use super::run_signals::Expectations;
use crate::verdict::Kind;

/// `dashboards` expectation file: which dashboards must show data after the load.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DashboardsFile {
    /// Always `dashboards`.
    pub kind: String,
    /// Dashboard JSON files, relative to this file.
    pub dashboards: Vec<String>,
}

/// Dashboards expectation, paths resolved.
#[derive(Debug, Clone)]
pub struct DashboardsExpectation {
    pub files: Vec<PathBuf>,
}

impl DashboardsExpectation {
    /// Read a `kind: dashboards` file; every listed dashboard must exist.
    pub fn load(path: &Path) -> Result<Self, String> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| format!("{shown}: {e}"))?;
        let raw: DashboardsFile =
            serde_saphyr::from_str(&text).map_err(|e| format!("{shown}: {e}"))?;
        let base = path.parent().unwrap_or_else(|| Path::new("."));
        let mut files = Vec::new();
        let mut missing = Vec::new();
        for d in &raw.dashboards {
            let p = base.join(d);
            if p.is_file() {
                files.push(p);
            } else {
                missing.push(format!(
                    "{shown}: dashboard `{d}` not found at {}",
                    p.display()
                ));
            }
        }
        if missing.is_empty() {
            Ok(Self { files })
        } else {
            Err(missing.join("\n"))
        }
    }
}

/// The stack of a run and its alert watcher.
pub struct RunStack {
    pub session: StackSession,
    watcher: Option<AlertWatcher>,
}

/// What the stack contributes to the report.
#[derive(Default)]
pub struct StackResults {
    pub checks: Vec<Check>,
    pub alerts: Vec<AlertTiming>,
    pub deviations: Vec<String>,
}

impl RunStack {
    /// Open the stack with Prometheus scraping the target; start watching alerts.
    pub async fn open(
        prep: &Prepared,
        exps: &Expectations,
        target_base_url: &str,
    ) -> Result<Self, AppError> {
        let stub_target = target_base_url
            .trim_start_matches("http://")
            .trim_start_matches("https://")
            .trim_end_matches('/')
            .to_string();
        let session = StackSession::open(StackRequest {
            mode: prep.args.stack,
            prometheus_url: prep.args.prometheus_url.clone(),
            alertmanager_url: prep.args.alertmanager_url.clone(),
            scrape_interval: prep.args.scrape_interval.clone(),
            config_dir: prep.args.config_dir.clone(),
            stub_target,
            report_dir: prep.report_dir.clone(),
            needs_stack: !exps.alerts.is_empty()
                || !exps.dashboards.is_empty()
                || exps.acceptance.is_some(),
        })
        .await?;
        let watcher = session.watch();
        Ok(Self { session, watcher })
    }

    /// Everything judged after the load, while the target is still up (Prometheus must keep
    /// seeing it for alerts to resolve and for the health probes).
    pub async fn after_load(
        &mut self,
        prep: &Prepared,
        exps: &Expectations,
        target_base_url: &str,
        phases: &[PhaseWindow],
        run_start_unix_ms: i64,
        interrupted: bool,
    ) -> StackResults {
        let mut r = StackResults {
            deviations: self.session.deviations(),
            ..StackResults::default()
        };
        // An interrupted run reports what it saw; it does not wait for resolutions.
        if !interrupted {
            for (_, a) in &exps.alerts {
                self.session.settle(a).await;
            }
        }
        let prom_url = self.session.prometheus_url();
        if exps.acceptance.is_some() {
            r.checks.extend(self.health(target_base_url).await);
        }
        if let Some(g) = &prep.args.grafana_url {
            r.checks.extend(crate::stack::health::grafana(g).await);
            let uids: Vec<String> = exps
                .dashboards
                .iter()
                .flat_map(|(_, d)| d.files.iter())
                .filter_map(|f| crate::config::load_dashboard(f).ok())
                .map(|d| crate::check::config::dashboards::dashboard_key(&d))
                .collect();
            r.checks
                .extend(crate::stack::health::grafana_dashboards(g, &uids).await);
        }
        if let Some(url) = &prom_url {
            for (_, d) in &exps.dashboards {
                r.checks.extend(live_dashboards(url, d).await);
            }
        } else if !exps.dashboards.is_empty() {
            r.checks.push(Check::skip(
                "dashboards.live",
                Kind::Dashboards,
                "no Prometheus to evaluate dashboard queries on (--stack none)",
            ));
        }
        let watcher = self.watcher.take();
        let mut watcher = Some(watcher).flatten();
        for (i, (_, a)) in exps.alerts.iter().enumerate() {
            // One watcher observes the run; it is consumed by the first file's judgement.
            let w = if i == 0 { watcher.take() } else { None };
            let (checks, timings, _) = self.session.finish(w, a, phases, run_start_unix_ms).await;
            r.checks.extend(checks);
            r.alerts.extend(timings);
        }
        if let Some(w) = watcher {
            let _ = w.finish(Vec::new()).await;
        }
        if exps.acceptance.is_some() {
            let paths = StackPaths::for_run(&prep.args.config_dir);
            let opts = super::check::StaticOptions::default();
            match super::check::static_checks(&paths, &opts).await {
                Ok((checks, bad)) => {
                    r.checks.extend(checks);
                    for b in bad {
                        r.checks.push(Check::error("static.input", Kind::Static, b));
                    }
                }
                Err(e) => r
                    .checks
                    .push(Check::error("static", Kind::Static, e.message)),
            }
        }
        r
    }

    /// `health.*` probes of the stack components and the target, as `obsgate health` does.
    async fn health(&self, target_base_url: &str) -> Vec<Check> {
        let mut out = crate::stack::health::target(target_base_url).await;
        if let Some(p) = self.session.prometheus_url() {
            out.extend(crate::stack::health::prometheus(&p).await);
        }
        if let Some(a) = self.session.alertmanager_url() {
            out.extend(crate::stack::health::alertmanager(&a).await);
        }
        out
    }

    /// Stop a managed stack.
    pub async fn stop(&mut self) {
        self.session.stop().await;
    }
}

/// Evaluate every panel target of the dashboards on Prometheus and judge the answers.
async fn live_dashboards(prom_url: &str, exp: &DashboardsExpectation) -> Vec<Check> {
    let prom = PromClient::new(prom_url);
    let mut answers: Vec<(PanelQuery, QueryAnswer)> = Vec::new();
    let mut out = Vec::new();
    for f in &exp.files {
        let d = match crate::config::load_dashboard(f) {
            Ok(d) => d,
            Err(e) => {
                out.push(Check::error(
                    format!("dashboards.live.{}", f.display()),
                    Kind::Dashboards,
                    e.to_string(),
                ));
                continue;
            }
        };
        for q in panel_queries(&d) {
            let a = if q.hidden {
                QueryAnswer::Series(0)
            } else {
                match prom.query(&q.expr_substituted).await {
                    Ok(data) => QueryAnswer::Series(result_len(&data)),
                    Err(e) => QueryAnswer::Error(e),
                }
            };
            answers.push((q, a));
        }
    }
    out.extend(crate::check::signals::dashboards_live::check(&answers));
    out
}

/// Number of series (vector/matrix) or 1 for a scalar/string answer that is a number.
fn result_len(data: &serde_json::Value) -> usize {
    match data.get("resultType").and_then(|t| t.as_str()) {
        Some("vector") | Some("matrix") => {
            data.get("result")
                .and_then(|r| r.as_array())
                .map_or(0, |a| {
                    a.iter()
                        .filter(|s| {
                            // A NaN value draws nothing either.
                            s.get("value")
                                .and_then(|v| v.get(1))
                                .and_then(|v| v.as_str())
                                .is_none_or(|v| v != "NaN")
                        })
                        .count()
                })
        }
        Some("scalar") => data
            .get("result")
            .and_then(|r| r.get(1))
            .and_then(|v| v.as_str())
            .map_or(0, |v| usize::from(v != "NaN")),
        _ => 0,
    }
}

/// Each phase on the wall clock: the schedule starts phase i at `start_s / time_scale` after the
/// run start (absolute deadlines, so this is when its fault profile took effect).
pub fn phase_windows(
    prep: &Prepared,
    o: &crate::evidence::LoadOutcome,
) -> Vec<crate::check::signals::alerts::PhaseWindow> {
    let start_ms = (o.started_unix_nano / 1_000_000) as f64;
    let k = prep.plan.time_scale;
    prep.plan
        .phases
        .iter()
        .map(|p| crate::check::signals::alerts::PhaseWindow {
            name: p.name.clone(),
            start_unix_ms: (start_ms + p.start_s / k * 1000.0) as i64,
            end_unix_ms: (start_ms + (p.start_s + p.duration_s) / k * 1000.0) as i64,
        })
        .collect()
}
