//! The stack side of a run: open Prometheus/Alertmanager (managed, external or none) with
//! Prometheus scraping the target, watch alerts during the load, and after it: wait for expected
//! resolutions, probe health, ask Prometheus every dashboard panel query and recorded series, and
//! collect the alert observations. Everything comes back as [`StackEvidence`]; judging is `check::judge`'s.

use super::env::RunEnv;
use super::target::Target;
use crate::check::config::{case_tests, route_tests, template_plan};
use crate::config::stack::{StackConfig, StackPaths};
use crate::evidence::{
    AlertsSeen, DashboardAnswers, DashboardProbe, HttpProbe, LoadOutcome, PanelQuery, QueryAnswer,
    SloSeen, StackEvidence, StackHealth, StackTools, StaticInputs,
};
use crate::exit::AppError;
use crate::expect::ExpectationSet;
use crate::expect::dashboards::DashboardsExpectation;
use crate::observe::alert_watch::AlertWatcher;
use crate::observe::health;
use crate::observe::prom_api::PromClient;
use crate::scenario::Plan;
use crate::stack::session::{StackRequest, StackSession};

/// The stack of a run and its alert watcher.
pub struct RunStack {
    pub session: StackSession,
    watcher: Option<AlertWatcher>,
}

impl RunStack {
    /// Open the stack with Prometheus scraping the target, on the plan's clock; start watching
    /// alerts.
    pub async fn open(
        plan: &Plan,
        env: &RunEnv,
        exps: &ExpectationSet,
        target: &Target,
    ) -> Result<Self, AppError> {
        let session = StackSession::open(StackRequest {
            mode: env.stack,
            prometheus_url: env.prometheus_url.clone(),
            alertmanager_url: env.alertmanager_url.clone(),
            scrape_interval: env.scrape_interval.clone(),
            config_dir: env.paths.config_dir.clone(),
            stub_target: target.host_port(),
            report_dir: env.report_dir.clone(),
            needs_stack: exps.needs_stack(),
            expects_alerts: exps.expects_alerts(),
            time_scale: plan.time_scale,
            allow_clock_skew: env.allow_clock_skew,
            extra_rule_files: exps.slo.iter().map(|(_, s)| s.rules_path.clone()).collect(),
        })
        .await?;
        let watcher = session.watch();
        Ok(Self { session, watcher })
    }

    /// Everything observed after the load, while the target is still up (Prometheus must keep
    /// seeing it for alerts to resolve and for the health probes).
    pub async fn observe(
        &mut self,
        plan: &Plan,
        env: &RunEnv,
        exps: &ExpectationSet,
        target: &Target,
        outcome: &LoadOutcome,
    ) -> StackEvidence {
        let mut ev = StackEvidence {
            prometheus_present: self.session.prometheus_url().is_some(),
            deviations: self.session.deviations(),
            clock: self.session.clock().cloned(),
            run_dir: self.session.run_dir(),
            ..StackEvidence::default()
        };
        // An interrupted run reports what it saw; it does not wait for resolutions.
        if !outcome.interrupted {
            for (_, a) in &exps.alerts {
                self.session.settle(a).await;
            }
        }
        if exps.acceptance.is_some() {
            ev.health = Some(self.health(&target.base_url).await);
        }
        if let Some(g) = &env.grafana_url {
            ev.grafana = Some(grafana(g, exps).await);
        }
        let prom_url = self.session.prometheus_url();
        let clock = self.query_clock();
        for (_, d) in &exps.dashboards {
            ev.dashboards.push(match &prom_url {
                Some(url) => ask_dashboards(url, d, clock).await,
                None => DashboardAnswers {
                    not_evaluated: Some(
                        "no Prometheus to evaluate dashboard queries on (--stack none)".into(),
                    ),
                    ..DashboardAnswers::default()
                },
            });
        }
        (ev.config, ev.recorded) =
            super::coverage::observe(env, prom_url.as_deref(), outcome.started_unix_nano).await;
        let mut seen = self.alerts(exps).await;
        if let AlertsSeen::Watched { observations, .. } = &mut seen {
            let roots = repo_roots(&env.paths);
            observations.link_files =
                crate::observe::receivers::local_link_files(&observations.notifications, &roots);
        }
        ev.alerts = vec![seen.clone(); exps.alerts.len()];
        ev.slo = slo_seen(exps, &seen, prom_url.as_deref(), plan, outcome).await;
        if exps.acceptance.is_some() {
            ev.static_inputs = Some(static_inputs(env).await);
        }
        ev
    }

    /// The managed stack's (K, production scrape interval in seconds) when it runs compressed:
    /// the dashboards' queries are then rewritten like its rules.
    fn query_clock(&self) -> Option<QueryClock> {
        let k = self.session.clock()?.time_scale;
        let scrape_s = self.session.timing()?.scrape_interval_s;
        (k != 1.0).then_some(QueryClock { k, scrape_s })
    }

    /// One watcher observes the run; every alerts and SLO file is judged on what it saw.
    async fn alerts(&mut self, exps: &ExpectationSet) -> AlertsSeen {
        let watcher = self.watcher.take();
        if !exps.expects_alerts() {
            if let Some(w) = watcher {
                let _ = w.finish(Vec::new()).await;
            }
            return AlertsSeen::NotWatched("no alert expectations".into());
        }
        self.session.finish(watcher).await
    }

    /// `health.*` probes of the stack components and the target, as `obsgate health` does.
    async fn health(&self, target_base_url: &str) -> StackHealth {
        let prometheus = match self.session.prometheus_url() {
            Some(p) => Some(health::probe_prometheus(&p).await),
            None => None,
        };
        let alertmanager = match self.session.alertmanager_url() {
            Some(a) => Some(health::probe_alertmanager(&a).await),
            None => None,
        };
        StackHealth {
            target: health::probe_target(target_base_url).await,
            prometheus,
            alertmanager,
        }
    }

    /// Stop a managed stack.
    pub async fn stop(&mut self) {
        self.session.stop().await;
    }
}

/// The folders a repository path in a notification (`docs/runbooks/X.md`) is relative to: the
/// one holding the docs folder (`.` for the default `docs`), then the config folder's parent.
fn repo_roots(paths: &crate::config::stack::StackPaths) -> Vec<std::path::PathBuf> {
    let parent = |p: &std::path::Path| {
        let dir = std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        dir.parent()
            .map_or(dir.clone(), std::path::Path::to_path_buf)
    };
    vec![parent(&paths.docs_dir), parent(&paths.config_dir)]
}

/// Each SLO file's evidence: the one alert timeline, and the events of every phase.
async fn slo_seen(
    exps: &ExpectationSet,
    seen: &AlertsSeen,
    prom_url: Option<&str>,
    plan: &Plan,
    outcome: &LoadOutcome,
) -> Vec<SloSeen> {
    let phases = crate::check::judge::phase_windows(plan, outcome);
    let mut out = Vec::new();
    for (_, s) in &exps.slo {
        let counts = match prom_url {
            Some(url) => crate::observe::slo_counts::phase_counts(url, &s.set, &phases).await,
            None => Err("no Prometheus to count the SLOs' events on (--stack none)".into()),
        };
        out.push(SloSeen {
            alerts: seen.clone(),
            counts,
        });
    }
    out
}

/// Grafana's health, and its answer for every expected dashboard's uid.
async fn grafana(url: &str, exps: &ExpectationSet) -> (HttpProbe, Vec<DashboardProbe>) {
    let uids: Vec<String> = exps
        .dashboards
        .iter()
        .flat_map(|(_, d)| d.files.iter())
        .filter_map(|f| crate::config::load_dashboard(f).ok())
        .map(|d| crate::check::config::dashboards::dashboard_key(&d))
        .collect();
    (
        health::probe_grafana(url).await,
        health::probe_grafana_dashboards(url, &uids).await,
    )
}

/// The stack's files and what promtool/amtool said of them, on the run's own stack paths,
/// for the static checks (`obsgate check`'s) to judge.
async fn static_inputs(env: &RunEnv) -> Result<StaticInputs, String> {
    let paths = env.paths.clone();
    // File reads and promtool/amtool runs block: keep them off the async workers.
    tokio::task::spawn_blocking(move || gather_static(&paths, true))
        .await
        .map_err(|e| format!("check task failed: {e}"))
}

/// Read every file the static checks judge and run the validators on them (when
/// `tools_enabled`): the I/O half of `obsgate check`, shared with a run's acceptance.
pub fn gather_static(paths: &StackPaths, tools_enabled: bool) -> StaticInputs {
    let config = StackConfig::load(paths);
    let tools = StackTools::gather(
        &config,
        route_tests(&config),
        case_tests(&config),
        template_plan(&config),
        tools_enabled,
    );
    StaticInputs { config, tools }
}

/// The clock a compressed managed stack runs on, for rewriting queries asked of it.
#[derive(Debug, Clone, Copy)]
struct QueryClock {
    /// Scenario seconds per wall second.
    k: f64,
    /// Production scrape interval, seconds.
    scrape_s: f64,
}

/// Ask Prometheus every panel target of the dashboards.
async fn ask_dashboards(
    prom_url: &str,
    exp: &DashboardsExpectation,
    clock: Option<QueryClock>,
) -> DashboardAnswers {
    let prom = PromClient::new(prom_url);
    let mut out = DashboardAnswers::default();
    for f in &exp.files {
        let d = match crate::config::load_dashboard(f) {
            Ok(d) => d,
            Err(e) => {
                out.unreadable
                    .push((f.display().to_string(), e.to_string()));
                continue;
            }
        };
        for q in crate::check::config::dashboards::panel_queries(&d) {
            let a = ask(&prom, &q, clock).await;
            out.answers.push((q, a));
        }
    }
    out
}

/// One panel query's answer; a hidden target is not drawn, so it is not asked. On a compressed
/// stack the query (its variables already in scenario time) is rewritten like the rules; one
/// the rewrite refuses (`time()`, `@`) is asked as written, since only whether it has series
/// is judged, and that does not depend on the clock.
async fn ask(prom: &PromClient, q: &PanelQuery, clock: Option<QueryClock>) -> QueryAnswer {
    if q.hidden {
        return QueryAnswer::Series(0);
    }
    let expr = clock
        .and_then(|c| crate::stack::clock::compress_expr(&q.expr_substituted, c.k, c.scrape_s).ok())
        .map_or_else(|| q.expr_substituted.clone(), |r| r.text);
    match prom.query(&expr).await {
        Ok(data) => QueryAnswer::Series(crate::observe::prom_api::series_count(&data)),
        Err(e) => QueryAnswer::Error(e),
    }
}

#[cfg(test)]
mod tests {
    use crate::cli::StackMode;
    use crate::stack::session::StackSession;
    use crate::stack::session::tests::req;
    use crate::verdict::Status;

    #[tokio::test]
    async fn none_skips_every_alert_check_with_the_reason() {
        let s = StackSession::open(req(StackMode::None))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(s.watch().is_none());
        let exp = crate::expect::alerts::parse(
            "alerts:\n  - alert: A\n    fires_in: p\n    within: 1m\n",
            "t.yaml",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let seen = s.finish(None).await;
        let (checks, timings) = crate::check::judge::alerts(&exp, &seen, &[], 0);
        assert!(timings.is_empty());
        assert!(
            checks
                .iter()
                .all(|c| c.status == Status::Skip && c.message.contains("--stack none"))
        );
    }
}
