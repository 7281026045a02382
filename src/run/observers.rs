//! The run's observers of the target: obsgate's own OTLP receiver, the periodic scrapes of
//! `/metrics`, the log stream, and the read-back from Jaeger. They only collect; judging is
//! [`crate::check`]'s.

use std::cell::{Cell, RefCell};
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::check::signals::log_feed::LogFeed;
use crate::check::signals::trace_feed::TraceFeed;
use crate::evidence::{JobRecord, ScrapeLog, SpanRecord};
use crate::exit::AppError;
use crate::observe::otlp::SpanStore;
use crate::observe::scrape::Scraper;

/// Span batches queued for the trace checks: the stub exports one every 200 ms or 512 spans,
/// so this is more than a minute of spans at 5,000 jobs/s (each batch is a few map inserts).
const SPAN_BATCH_QUEUE: usize = 8_192;
/// How often the trace feed's clock moves on while no span batch comes.
const SPAN_TICK: Duration = Duration::from_millis(250);
/// How often the stub's `/metrics` is scraped during the run.
const SCRAPE_INTERVAL: Duration = Duration::from_secs(2);
/// Scrapes kept in memory (the last ones; the final one is what value checks use).
const SCRAPE_HISTORY: usize = 16;
/// How long to wait for the stub's last trace batches after it stopped.
const TRACE_SETTLE_DEADLINE: Duration = Duration::from_secs(10);

/// obsgate's own OTLP/HTTP receiver, serving while the run lasts. It keeps no span: each
/// accepted batch goes to the trace checks' queue.
pub struct Receiver {
    pub store: SpanStore,
    /// The queue of accepted batches, until [`Receiver::take_spans`].
    spans: Option<mpsc::Receiver<Vec<SpanRecord>>>,
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
        let (store, spans) = SpanStore::with_tap(SPAN_BATCH_QUEUE);
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
            spans: Some(spans),
            endpoint: format!("http://{addr}/v1/traces"),
            stop: Some(tx),
            task: Some(task),
        })
    }

    /// The queue of accepted span batches (once).
    pub fn take_spans(&mut self) -> Option<mpsc::Receiver<Vec<SpanRecord>>> {
        self.spans.take()
    }

    /// Wait until the span count stops growing (the stub flushed on shutdown), then stop serving
    /// and close the queue; returns what was dropped or refused, described.
    pub async fn finish(mut self) -> Option<String> {
        let deadline = tokio::time::Instant::now() + TRACE_SETTLE_DEADLINE;
        let mut last = self.store.received();
        loop {
            tokio::time::sleep(Duration::from_millis(250)).await;
            let now = self.store.received();
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
        self.store.close_tap();
        lost_spans(&self.store)
    }
}

/// "N spans dropped ..., M export requests refused ...", or None when the receiver kept all.
fn lost_spans(store: &SpanStore) -> Option<String> {
    let (dropped, refused) = (store.dropped(), store.rejected_requests());
    let mut parts = Vec::new();
    if dropped > 0 {
        parts.push(format!(
            "the OTLP receiver dropped {dropped} spans: the trace checks fell behind it"
        ));
    }
    if refused > 0 {
        parts.push(format!(
            "it refused {refused} of {} export requests (malformed, too large or of the wrong content type)",
            store.requests()
        ));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
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
        self.task.await.unwrap_or_else(|e| ScrapeLog {
            final_failure: Some(format!("the scraper stopped before its final scrape: {e}")),
            ..ScrapeLog::default()
        })
    }
}

/// Spans a complete job trace has at least: server, pipeline.run, publish, db.insert, one
/// agent call, render, qa.gate, db.update.
const MIN_SPANS_PER_JOB: usize = 8;

/// Read the traces `ids` back from Jaeger (`/api/v3`, then `/api/traces`), polling until they
/// are complete or a deadline passes. A backend that cannot be read is itself a finding.
pub async fn jaeger_spans(url: &str, ids: &[String]) -> (Vec<SpanRecord>, Option<String>) {
    let client = crate::observe::jaeger::JaegerClient::new(url);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let poll = client
        .poll_until_complete(ids, MIN_SPANS_PER_JOB, deadline)
        .await;
    let error = (poll.errors > 0).then(|| {
        format!(
            "{} reads from Jaeger at {url} failed; last: {}",
            poll.errors,
            poll.last_error.as_deref().unwrap_or("?")
        )
    });
    (poll.traces.into_values().flatten().collect(), error)
}

/// Read the stub child's stdout, or tail `--logs FILE`, until `done` (or the stream's end),
/// handing every line to the feed.
pub async fn capture_logs(
    stdout: Option<std::process::ChildStdout>,
    file: Option<&std::path::Path>,
    feed: &RefCell<&mut LogFeed<'_>>,
    done: tokio::sync::oneshot::Receiver<()>,
) -> Result<(), String> {
    if let Some(out) = stdout {
        let out = tokio::process::ChildStdout::from_std(out)
            .map_err(|e| format!("cannot read the stub's stdout: {e}"))?;
        // Lines are stamped with the last instant the pipe was found empty, not with the
        // time they are read: a reader behind the stub must not let a job's end settle
        // before its last lines are read.
        let read_up_to = Cell::new(Instant::now());
        let out = crate::observe::paced::Paced::new(out, &read_up_to);
        let mut sink = |l: crate::evidence::LogLine| feed.borrow_mut().feed(l, read_up_to.get());
        return crate::observe::logs::capture(out, &mut sink)
            .await
            .map(|_| ())
            .map_err(|e| format!("the stub's stdout: {e}"));
    }
    if let Some(path) = file {
        let mut sink = |l: crate::evidence::LogLine| feed.borrow_mut().feed(l, Instant::now());
        return crate::observe::logs::tail_file(path, &mut sink, async {
            let _ = done.await;
        })
        .await
        .map_err(|e| format!("cannot tail {}: {e}", path.display()));
    }
    Ok(())
}

/// Hand every job end the load engine reports to the log and trace feeds, until `done`, then
/// what is still queued.
pub async fn feed_job_ends(
    ends: Option<mpsc::Receiver<JobRecord>>,
    logs: &RefCell<&mut LogFeed<'_>>,
    traces: &RefCell<&mut TraceFeed<'_>>,
    mut done: oneshot::Receiver<()>,
) {
    let Some(mut ends) = ends else { return };
    let (to_logs, to_traces) = (logs.borrow().wants_jobs(), traces.borrow().wants_jobs());
    let hand = |rec: JobRecord| {
        let now = Instant::now();
        match (to_logs, to_traces) {
            (true, true) => {
                logs.borrow_mut().job_ended(rec.clone(), now);
                traces.borrow_mut().job_ended(rec, now);
            }
            (true, false) => logs.borrow_mut().job_ended(rec, now),
            (false, _) => traces.borrow_mut().job_ended(rec, now),
        }
    };
    loop {
        tokio::select! {
            biased;
            end = ends.recv() => match end {
                Some(rec) => hand(rec),
                None => return,
            },
            _ = &mut done => break,
        }
    }
    while let Ok(rec) = ends.try_recv() {
        hand(rec);
    }
}

/// Hand every span batch the receiver accepted to the trace feed, until its queue closes.
pub async fn feed_spans(
    spans: Option<mpsc::Receiver<Vec<SpanRecord>>>,
    traces: &RefCell<&mut TraceFeed<'_>>,
) {
    let Some(mut spans) = spans else { return };
    // The feed's clock: the last instant every batch received so far had been read. Jobs
    // settle against it, so a checker behind its queue judges no job before its spans.
    let mut read_up_to = Instant::now();
    loop {
        match tokio::time::timeout(SPAN_TICK, spans.recv()).await {
            Ok(Some(batch)) => {
                let mut feed = traces.borrow_mut();
                feed.spans(batch, read_up_to);
                if spans.is_empty() {
                    read_up_to = Instant::now();
                    feed.advance(read_up_to);
                }
            }
            Ok(None) => return,
            Err(_) => {
                read_up_to = Instant::now();
                traces.borrow_mut().advance(read_up_to);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_beyond_the_bound_and_refused_exports_are_described() {
        let body = br#"{"resourceSpans":[{"scopeSpans":[{"spans":[
            {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"a","kind":1,"startTimeUnixNano":"1","endTimeUnixNano":"2"},
            {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203332","name":"b","kind":1,"startTimeUnixNano":"1","endTimeUnixNano":"2"}]}]}]}"#;
        let spans = crate::observe::otlp::decode(body, crate::observe::otlp::Encoding::Json)
            .unwrap_or_else(|e| panic!("{e}"));
        let (store, rx) = SpanStore::with_tap(1);
        assert_eq!(lost_spans(&store), None);
        store.extend(spans.clone());
        store.extend(spans);
        store.count_rejected();
        let lost = lost_spans(&store).unwrap_or_default();
        assert!(
            lost.starts_with("the OTLP receiver dropped 2 spans: the trace checks fell behind"),
            "{lost}"
        );
        assert_eq!((store.received(), store.len(), rx.len()), (2, 0, 1));
        assert!(lost.contains("it refused 1 of 2 export requests"), "{lost}");
    }
}
