//! Scrapes of a target's `/metrics`: each answer parsed, and the bounded history of a run.

use std::collections::VecDeque;

use serde::Serialize;

use super::{Exposition, ExpositionError};

/// The outcome of one scrape that got an HTTP answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scrape {
    /// When the request was sent (ms since the epoch).
    pub at_unix_ms: i64,
    /// HTTP status of the answer.
    pub status: u16,
    /// `Content-Type` of the answer ("" when absent).
    pub content_type: String,
    /// Body length in bytes.
    pub body_len: usize,
    /// The parsed body; a non-2xx answer or a non-UTF-8 body is an error at line 0/the bad line.
    pub result: Result<Exposition, ExpositionError>,
}

/// A scrape that got no usable answer.
#[derive(Debug, thiserror::Error)]
pub enum ScrapeError {
    #[error("GET {url}: {source}")]
    Http {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("GET {url}: body larger than {limit_bytes} bytes")]
    TooLarge { url: String, limit_bytes: usize },
}

/// The history a periodic scraper keeps.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ScrapeLog {
    /// The last scrapes (at most the history length), oldest first.
    pub recent: VecDeque<Scrape>,
    /// The run's first scrape that answered 2xx and parsed, kept outside the bounded history:
    /// what the families were before the load (`metrics.moves` compares the final scrape
    /// with it, however long the run).
    pub first: Option<Scrape>,
    /// Scrapes attempted.
    pub attempts: u64,
    /// Scrapes with no answer (connection refused, timeout, body too large).
    pub transport_failures: u64,
    /// Answers that were not 2xx.
    pub http_failures: u64,
    /// 2xx answers whose body failed to parse.
    pub parse_failures: u64,
    /// The last transport error, as text.
    pub last_transport_error: Option<String>,
    /// Why the final scrape (after the drain) got no usable answer: a transport error or a
    /// non-2xx status. `None` when it answered 2xx, or when no final scrape was taken.
    pub final_failure: Option<String>,
}
