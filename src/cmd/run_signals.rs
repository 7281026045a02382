//! Signal observation for `obsgate run`: the expectation files a scenario names, obsgate's own
//! OTLP receiver, the stub's log stream, the scrapes of its `/metrics`, and the checks that judge
//! them. Observers only collect (see [`crate::observe`]); judging is [`crate::check`]'s.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::check::signals::facts::RunFacts;
use crate::check::signals::logs::LogChecker;
use crate::evidence::ScrapeLog;
use crate::evidence::{Exposition, LogLine, SpanRecord};
use crate::exit::AppError;
use crate::expect::acceptance::Acceptance;
use crate::expect::{ExpectationFile, LogsExpectations, MetricsExpectations, TracesExpectations};
use crate::observe::otlp::SpanStore;
use crate::observe::scrape::Scraper;
use crate::verdict::Check;

/// Most spans the receiver keeps in one run (the store counts what it drops beyond this).
const MAX_SPANS: usize = 2_000_000;
/// How often the stub's `/metrics` is scraped during the run.
const SCRAPE_INTERVAL: Duration = Duration::from_secs(2);
/// Scrapes kept in memory (the last ones; the final one is what value checks use).
const SCRAPE_HISTORY: usize = 16;
/// How long to wait for the stub's last trace batches after it stopped.
const TRACE_SETTLE_DEADLINE: Duration = Duration::from_secs(10);

/// Every expectation file a scenario names, loaded and validated (all errors at once).
#[derive(Debug, Default)]
pub struct Expectations {
    pub metrics: Vec<(PathBuf, MetricsExpectations)>,
    pub logs: Vec<(PathBuf, LogsExpectations)>,
    pub traces: Vec<(PathBuf, TracesExpectations)>,
    pub alerts: Vec<(PathBuf, crate::expect::alerts::AlertExpectations)>,
    pub dashboards: Vec<(PathBuf, super::run_stack::DashboardsExpectation)>,
    pub acceptance: Option<(PathBuf, Acceptance)>,
}

/// Just enough of a file's top level to know which model reads it.
#[derive(Deserialize)]
struct Peek {
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    criteria: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    alerts: Option<serde::de::IgnoredAny>,
}

impl Expectations {
    /// Load every file; a bad file is a usage error naming each problem with file:line:column.
    pub fn load(paths: &[PathBuf]) -> Result<Self, AppError> {
        let mut out = Expectations::default();
        let mut errors = Vec::new();
        for p in paths {
            if let Err(e) = out.load_one(p) {
                errors.push(e);
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(AppError::usage(errors.join("\n")))
        }
    }

    fn load_one(&mut self, path: &Path) -> Result<(), String> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| format!("{shown}: {e}"))?;
        let peek: Peek = serde_saphyr::from_str(&text).map_err(|e| format!("{shown}: {e}"))?;
        if peek.kind.as_deref() == Some("dashboards") {
            let d = super::run_stack::DashboardsExpectation::load(path)?;
            self.dashboards.push((path.to_path_buf(), d));
        } else if peek.kind.is_some() {
            match crate::expect::load_file(path).map_err(|e| e.to_string())? {
                ExpectationFile::Metrics(m) => self.metrics.push((path.to_path_buf(), m)),
                ExpectationFile::Logs(l) => self.logs.push((path.to_path_buf(), l)),
                ExpectationFile::Traces(t) => self.traces.push((path.to_path_buf(), t)),
            }
        } else if peek.criteria.is_some() {
            let a = crate::expect::acceptance::load(path)?;
            self.acceptance = Some((path.to_path_buf(), a));
        } else if peek.alerts.is_some() {
            let a = crate::expect::alerts::load(path).map_err(|e| e.message)?;
            self.alerts.push((path.to_path_buf(), a));
        } else {
            return Err(format!(
                "{shown}:1:1: expected an expectation file: a top-level `kind` (metrics, logs, traces, dashboards), `alerts` or `criteria`"
            ));
        }
        Ok(())
    }
}

/// obsgate's own OTLP/HTTP receiver, serving while the run lasts.
pub struct Receiver {
    pub store: SpanStore,
    /// Full traces URL to give the stub (`http://127.0.0.1:PORT/v1/traces`).
    pub endpoint: String,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl Receiver {
    /// Bind `127.0.0.1:0` and serve `POST /v1/traces`.
    pub async fn start() -> Result<Self, AppError> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| AppError::harness(format!("cannot bind the OTLP receiver: {e}")))?;
        let addr = listener
            .local_addr()
            .map_err(|e| AppError::harness(format!("OTLP receiver address: {e}")))?;
        let store = SpanStore::new(MAX_SPANS);
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(crate::observe::otlp::serve(
            listener,
            store.clone(),
            async {
                let _ = rx.await;
            },
        ));
        Ok(Self {
            store,
            endpoint: format!("http://{addr}/v1/traces"),
            stop: Some(tx),
            task: Some(task),
        })
    }

    /// Wait until the span count stops growing (the stub flushed on shutdown), then stop serving
    /// and return every span kept.
    pub async fn finish(mut self) -> Vec<SpanRecord> {
        let deadline = tokio::time::Instant::now() + TRACE_SETTLE_DEADLINE;
        let mut last = self.store.len();
        loop {
            tokio::time::sleep(Duration::from_millis(250)).await;
            let now = self.store.len();
            if now == last || tokio::time::Instant::now() >= deadline {
                break;
            }
            last = now;
        }
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
        self.store.spans()
    }
}

/// Periodic scrapes of the target's `/metrics` during the run.
pub struct Scrapes {
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<ScrapeLog>,
}

impl Scrapes {
    /// Start scraping `base_url/metrics` every few seconds.
    pub fn start(base_url: &str) -> Self {
        let (tx, rx) = oneshot::channel::<()>();
        let scraper = Scraper::default().with_history(SCRAPE_HISTORY);
        let task = scraper.spawn_periodic(
            format!("{base_url}/metrics"),
            SCRAPE_INTERVAL,
            false,
            async {
                let _ = rx.await;
            },
        );
        Self {
            stop: Some(tx),
            task,
        }
    }

    /// Stop; the scraper takes one last scrape (the post-drain view) before returning its log.
    pub async fn finish(mut self) -> ScrapeLog {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        self.task.await.unwrap_or_default()
    }
}

/// Feed every captured log line to one checker per logs expectation file.
pub struct LogFeed<'e> {
    checkers: Vec<LogChecker<'e>>,
    /// Lines seen (also when no logs expectation exists).
    pub lines: u64,
}

impl<'e> LogFeed<'e> {
    pub fn new(exps: &'e Expectations) -> Self {
        Self {
            checkers: exps.logs.iter().map(|(_, l)| LogChecker::new(l)).collect(),
            lines: 0,
        }
    }

    pub fn feed(&mut self, line: LogLine) {
        self.lines += 1;
        for c in &mut self.checkers {
            c.feed(&line);
        }
    }

    pub fn finish(self, facts: &RunFacts<'_>) -> Vec<Check> {
        self.checkers
            .into_iter()
            .flat_map(|c| c.finish(facts))
            .collect()
    }
}

/// The metrics and traces verdicts (logs come from [`LogFeed::finish`]).
pub fn metric_and_trace_checks(
    exps: &Expectations,
    scrapes: &ScrapeLog,
    spans: &[SpanRecord],
    facts: &RunFacts<'_>,
) -> Vec<Check> {
    let mut out = Vec::new();
    if !exps.metrics.is_empty() {
        let parsed: Vec<Exposition> = scrapes
            .recent
            .iter()
            .filter_map(|s| s.result.as_ref().ok().cloned())
            .collect();
        match scrapes.recent.back() {
            Some(last) => {
                let during = parsed.get(..parsed.len().saturating_sub(1)).unwrap_or(&[]);
                for (_, m) in &exps.metrics {
                    out.extend(crate::check::signals::metrics::check_scrape(
                        m,
                        last.result.as_ref(),
                        during,
                        facts,
                    ));
                }
            }
            None => out.push(Check::error(
                "metrics.exposition",
                crate::check::signals::METRICS,
                format!(
                    "no scrape of /metrics got an answer ({} attempts; last error: {})",
                    scrapes.attempts,
                    scrapes.last_transport_error.as_deref().unwrap_or("none")
                ),
            )),
        }
    }
    for (_, t) in &exps.traces {
        out.extend(crate::check::signals::traces::check(t, spans, facts));
    }
    out
}

/// Most traces read back from Jaeger per run (one request each): enough to judge propagation
/// and completeness, bounded in time.
const JAEGER_MAX_TRACES: usize = 2_000;
/// Spans a complete job trace has at least: server, pipeline.run, publish, db.insert, one
/// agent call, render, qa.gate, db.update.
const MIN_SPANS_PER_JOB: usize = 8;

/// Read the jobs' traces back from Jaeger (`/api/v3`, then `/api/traces`), polling until they
/// are complete or a deadline passes. A backend that cannot be read is itself a finding.
pub async fn jaeger_spans(
    url: &str,
    jobs: &[crate::evidence::JobRecord],
) -> (Vec<SpanRecord>, Vec<Check>) {
    use crate::evidence::JobOutcome;
    let ids: Vec<String> = jobs
        .iter()
        .filter(|j| matches!(j.outcome, JobOutcome::Succeeded | JobOutcome::Failed))
        .map(|j| j.trace_id.clone())
        .take(JAEGER_MAX_TRACES)
        .collect();
    let client = crate::observe::jaeger::JaegerClient::new(url);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let poll = client
        .poll_until_complete(&ids, MIN_SPANS_PER_JOB, deadline)
        .await;
    let mut checks = Vec::new();
    if poll.errors > 0 {
        checks.push(Check::error(
            "traces.backend",
            crate::check::signals::TRACES,
            format!(
                "{} reads from Jaeger at {url} failed; last: {}",
                poll.errors,
                poll.last_error.as_deref().unwrap_or("?")
            ),
        ));
    }
    (poll.traces.into_values().flatten().collect(), checks)
}

/// Read the stub child's stdout, or tail `--logs FILE`, until `done` (or the stream's end),
/// handing every line to the feed.
pub async fn capture_logs(
    stdout: Option<std::process::ChildStdout>,
    file: Option<&std::path::Path>,
    feed: &mut LogFeed<'_>,
    done: tokio::sync::oneshot::Receiver<()>,
) -> Result<(), String> {
    if let Some(out) = stdout {
        let out = tokio::process::ChildStdout::from_std(out)
            .map_err(|e| format!("cannot read the stub's stdout: {e}"))?;
        crate::observe::logs::capture(out, |l| feed.feed(l)).await;
        return Ok(());
    }
    if let Some(path) = file {
        return crate::observe::logs::tail_file(path, |l| feed.feed(l), async {
            let _ = done.await;
        })
        .await
        .map_err(|e| format!("cannot tail {}: {e}", path.display()));
    }
    Ok(())
}
