//! Scraping `/metrics`: one-off scrapes parsed with the strict exposition parser, and a
//! periodic scraper task that keeps a bounded history for the run's evidence.

use std::future::Future;
use std::time::Duration;

use tokio::task::JoinHandle;

use crate::evidence::ExpositionError;
use crate::evidence::{Scrape, ScrapeError, ScrapeLog};
use crate::observe::exposition::{format_from_content_type, parse};

/// Largest body read from a target (bytes); a larger one is a scrape error, not a parse.
pub const MAX_SCRAPE_BYTES: usize = 32 * 1024 * 1024;

/// Scrapes kept by [`Scraper::spawn_periodic`] by default.
pub const DEFAULT_HISTORY: usize = 64;

/// `Accept` asking for OpenMetrics first, as Prometheus does.
const ACCEPT_OPENMETRICS: &str =
    "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
const ACCEPT_TEXT: &str = "text/plain;version=0.0.4,*/*;q=0.1";

/// Scrapes metrics endpoints over HTTP.
#[derive(Clone)]
pub struct Scraper {
    client: reqwest::Client,
    history: usize,
}

impl Default for Scraper {
    fn default() -> Self {
        Self::new(Duration::from_secs(10))
    }
}

impl Scraper {
    /// A scraper whose requests give up after `timeout`.
    pub fn new(timeout: Duration) -> Self {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        Self::with_client(client)
    }

    /// A scraper using `client` (its timeouts apply).
    pub fn with_client(client: reqwest::Client) -> Self {
        Scraper {
            client,
            history: DEFAULT_HISTORY,
        }
    }

    /// Keep the last `n` scrapes in periodic logs.
    pub fn with_history(mut self, n: usize) -> Self {
        self.history = n.max(1);
        self
    }

    /// Scrape `url` once; `openmetrics` asks for OpenMetrics (the answer's Content-Type decides
    /// how it is parsed).
    pub async fn scrape(&self, url: &str, openmetrics: bool) -> Result<Scrape, ScrapeError> {
        let at_unix_ms = chrono::Utc::now().timestamp_millis();
        let http = |source| ScrapeError::Http {
            url: url.to_string(),
            source,
        };
        let accept = if openmetrics {
            ACCEPT_OPENMETRICS
        } else {
            ACCEPT_TEXT
        };
        let mut resp = self
            .client
            .get(url)
            .header("accept", accept)
            .send()
            .await
            .map_err(http)?;
        let status = resp.status();
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(http)? {
            if body.len() + chunk.len() > MAX_SCRAPE_BYTES {
                return Err(ScrapeError::TooLarge {
                    url: url.to_string(),
                    limit_bytes: MAX_SCRAPE_BYTES,
                });
            }
            body.extend_from_slice(&chunk);
        }
        let body_len = body.len();
        let result = if !status.is_success() {
            let snippet: String = String::from_utf8_lossy(&body).chars().take(200).collect();
            Err(ExpositionError {
                line: 0,
                column: 0,
                message: format!("HTTP status {status}: {snippet}"),
            })
        } else {
            match String::from_utf8(body) {
                Ok(text) => parse(&text, format_from_content_type(&content_type)),
                Err(e) => Err(not_utf8(e.as_bytes(), e.utf8_error().valid_up_to())),
            }
        };
        Ok(Scrape {
            at_unix_ms,
            status: status.as_u16(),
            content_type,
            body_len,
            result,
        })
    }

    /// Scrape `url` every `interval` until `shutdown` completes, then once more (the final,
    /// post-drain view), and return the bounded log.
    pub fn spawn_periodic(
        &self,
        url: String,
        interval: Duration,
        openmetrics: bool,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> JoinHandle<ScrapeLog> {
        let this = self.clone();
        tokio::spawn(async move {
            let mut log = ScrapeLog::default();
            let mut shutdown = std::pin::pin!(shutdown);
            let mut ticker = tokio::time::interval(interval.max(Duration::from_millis(10)));
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = &mut shutdown => break,
                    _ = ticker.tick() => {
                        this.record(&url, openmetrics, &mut log).await;
                    }
                }
            }
            // The final view is what the metrics checks judge: when it fails, an older scrape
            // must not silently stand in for it.
            log.final_failure = this.record(&url, openmetrics, &mut log).await;
            log
        })
    }

    /// Scrape once into `log`; the failure when there was no 2xx answer.
    async fn record(&self, url: &str, openmetrics: bool, log: &mut ScrapeLog) -> Option<String> {
        log.attempts += 1;
        match self.scrape(url, openmetrics).await {
            Ok(s) => {
                let failure = (!(200..300).contains(&s.status))
                    .then(|| format!("GET {url} answered HTTP {}", s.status));
                if failure.is_some() {
                    log.http_failures += 1;
                } else if s.result.is_err() {
                    log.parse_failures += 1;
                }
                if log.first.is_none() && failure.is_none() && s.result.is_ok() {
                    log.first = Some(s.clone());
                }
                if log.recent.len() >= self.history {
                    log.recent.pop_front();
                }
                log.recent.push_back(s);
                failure
            }
            Err(e) => {
                log.transport_failures += 1;
                log.last_transport_error = Some(e.to_string());
                Some(e.to_string())
            }
        }
    }
}

/// The error for a body that is not UTF-8: line and column of the first bad byte.
fn not_utf8(bytes: &[u8], valid_up_to: usize) -> ExpositionError {
    let before = bytes.get(..valid_up_to).unwrap_or(&[]);
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(before.get(line_start..).unwrap_or(&[]))
        .chars()
        .count()
        + 1;
    ExpositionError {
        line,
        column,
        message: "body is not valid UTF-8".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    async fn serve(body: &'static [u8], ct: &'static str, status: u16) -> String {
        serve_counted(body, ct, status).await.0
    }

    /// Serve `body` on a free loopback port; the counter counts requests.
    async fn serve_counted(
        body: &'static [u8],
        ct: &'static str,
        status: u16,
    ) -> (String, Arc<AtomicUsize>) {
        let hits = Arc::new(AtomicUsize::new(0));
        let h = hits.clone();
        let app = axum::Router::new().route(
            "/metrics",
            axum::routing::get(move || {
                h.fetch_add(1, Ordering::SeqCst);
                async move {
                    (
                        axum::http::StatusCode::from_u16(status).unwrap_or_default(),
                        [("content-type", ct)],
                        body,
                    )
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        (format!("http://{addr}/metrics"), hits)
    }

    #[tokio::test]
    async fn scrape_parses_by_content_type() {
        let url = serve(
            b"# TYPE a counter\na_total 1\n# EOF\n",
            "application/openmetrics-text; version=1.0.0",
            200,
        )
        .await;
        let s = Scraper::default()
            .scrape(&url, true)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((s.status, s.body_len), (200, 33));
        let x = s.result.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(x.family("a").map(|f| f.samples.len()), Some(1));
    }

    #[tokio::test]
    async fn bad_bodies_and_statuses_are_errors_with_places() {
        let url = serve(b"ok 1\nbad \xff\n", "text/plain; version=0.0.4", 200).await;
        let s = Scraper::default()
            .scrape(&url, false)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let e = s
            .result
            .err()
            .unwrap_or_else(|| panic!("expected an error"));
        assert_eq!((e.line, e.column), (2, 5));
        let url = serve(b"oops", "text/plain", 503).await;
        let s = Scraper::default()
            .scrape(&url, false)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(s.result.is_err_and(|e| e.message.contains("503")));
    }

    #[tokio::test]
    async fn periodic_scraper_keeps_a_bounded_history() {
        let (url, hits) = serve_counted(b"a 1\n", "text/plain; version=0.0.4", 200).await;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let handle = Scraper::default().with_history(2).spawn_periodic(
            url,
            Duration::from_millis(10),
            false,
            async {
                let _ = rx.await;
            },
        );
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while hits.load(Ordering::SeqCst) < 3 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let _ = tx.send(());
        let log = handle.await.unwrap_or_default();
        assert!(log.attempts >= 4, "{log:?}");
        assert_eq!(log.recent.len(), 2);
        // The first scrape is kept beyond the bounded history.
        let first = log.first.as_ref().map(|s| s.at_unix_ms);
        assert!(first < log.recent.front().map(|s| s.at_unix_ms), "{log:?}");
        assert_eq!(
            log.transport_failures + log.parse_failures + log.http_failures,
            0
        );
    }

    #[tokio::test]
    async fn a_final_scrape_answered_non_2xx_is_a_final_failure() {
        let url = serve(b"down", "text/plain", 503).await;
        let log = Scraper::default()
            .spawn_periodic(url.clone(), Duration::from_secs(60), false, async {})
            .await
            .unwrap_or_default();
        assert_eq!(
            log.final_failure,
            Some(format!("GET {url} answered HTTP 503"))
        );
        assert!(log.first.is_none(), "a 503 is not a usable first scrape");
    }

    #[tokio::test]
    async fn periodic_scraper_counts_unreachable_targets() {
        // A port nothing listens on: bind, note it, drop.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("{e}"));
        let handle = Scraper::new(Duration::from_secs(2)).spawn_periodic(
            format!("http://127.0.0.1:{port}/metrics"),
            Duration::from_secs(60),
            false,
            async {},
        );
        let log = handle.await.unwrap_or_default();
        assert!(log.attempts >= 1);
        assert_eq!(log.transport_failures, log.attempts);
        assert!(log.recent.is_empty());
        assert!(
            log.final_failure
                .is_some_and(|e| e.contains(&port.to_string()))
        );
        assert!(
            log.last_transport_error
                .is_some_and(|e| e.contains(&port.to_string()))
        );
    }
}
