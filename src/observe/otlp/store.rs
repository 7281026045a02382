//! The bounded, shared store of received spans. Cloning shares the store. When full, new spans
//! are counted as dropped instead of growing memory without bound.
//!
//! With a tap ([`SpanStore::with_tap`]) the store keeps no span: every accepted batch is
//! handed on to a bounded queue (the run's trace checks judge spans as they stream), and a
//! batch that does not fit is counted as dropped, never waited for.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use parking_lot::Mutex;
use tokio::sync::mpsc;

use crate::evidence::SpanRecord;

/// Default capacity: enough for long runs while bounding memory (about 1 KiB per span).
pub const DEFAULT_MAX_SPANS: usize = 1_000_000;

#[derive(Default)]
struct Inner {
    /// Where accepted batches go instead of `spans`, while open.
    tap: Option<mpsc::Sender<Vec<SpanRecord>>>,
    spans: Vec<SpanRecord>,
    /// trace id → indices into `spans`, so per-trace look-ups stay cheap for big runs.
    by_trace: HashMap<String, Vec<usize>>,
    /// Spans accepted (stored or handed to the tap).
    received: u64,
    dropped: u64,
    requests: u64,
    rejected_requests: u64,
}

/// Spans received by the OTLP receiver, in arrival order.
#[derive(Clone)]
pub struct SpanStore {
    inner: Arc<Mutex<Inner>>,
    max_spans: usize,
}

impl Default for SpanStore {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_SPANS)
    }
}

impl SpanStore {
    /// A store keeping at most `max_spans` spans.
    pub fn new(max_spans: usize) -> Self {
        SpanStore {
            inner: Arc::new(Mutex::new(Inner::default())),
            max_spans,
        }
    }

    /// A store that keeps no span but hands every batch to the queue of `capacity` batches
    /// it returns the receiving end of.
    pub fn with_tap(capacity: usize) -> (Self, mpsc::Receiver<Vec<SpanRecord>>) {
        let (tx, rx) = mpsc::channel(capacity.max(1));
        let store = Self::new(0);
        store.inner.lock().tap = Some(tx);
        (store, rx)
    }

    /// Close the tap: its queue ends once drained. Later batches are counted as dropped.
    pub fn close_tap(&self) {
        self.inner.lock().tap = None;
    }

    /// Add spans; returns how many did not fit (and were counted as dropped).
    pub fn extend(&self, spans: Vec<SpanRecord>) -> u64 {
        let mut g = self.inner.lock();
        g.requests += 1;
        let n = spans.len() as u64;
        if let Some(tap) = &g.tap {
            let dropped = match tap.try_send(spans) {
                Ok(()) => 0,
                Err(_) => n,
            };
            g.received += n - dropped;
            g.dropped += dropped;
            return dropped;
        }
        let room = self.max_spans.saturating_sub(g.spans.len());
        for span in spans.into_iter().take(room) {
            let idx = g.spans.len();
            g.by_trace
                .entry(span.trace_id.clone())
                .or_default()
                .push(idx);
            g.spans.push(span);
        }
        let dropped = n.saturating_sub(room as u64);
        g.received += n - dropped;
        g.dropped += dropped;
        dropped
    }

    /// Count an export request refused as malformed, too large or of the wrong type.
    pub fn count_rejected(&self) {
        self.inner.lock().rejected_requests += 1;
    }

    /// A copy of every stored span.
    pub fn spans(&self) -> Vec<SpanRecord> {
        self.inner.lock().spans.clone()
    }

    /// The stored spans of one trace (`trace_id` as hex, any case).
    pub fn trace(&self, trace_id: &str) -> Vec<SpanRecord> {
        let want = trace_id.to_ascii_lowercase();
        let g = self.inner.lock();
        g.by_trace
            .get(&want)
            .map(|ix| ix.iter().filter_map(|&i| g.spans.get(i)).cloned().collect())
            .unwrap_or_default()
    }

    /// Every stored span grouped by trace id (spans in arrival order).
    pub fn by_trace(&self) -> BTreeMap<String, Vec<SpanRecord>> {
        let g = self.inner.lock();
        g.by_trace
            .iter()
            .map(|(id, ix)| {
                let spans = ix.iter().filter_map(|&i| g.spans.get(i)).cloned().collect();
                (id.clone(), spans)
            })
            .collect()
    }

    /// Number of distinct trace ids stored.
    pub fn trace_count(&self) -> usize {
        self.inner.lock().by_trace.len()
    }

    /// Number of stored spans.
    pub fn len(&self) -> usize {
        self.inner.lock().spans.len()
    }

    /// Spans accepted so far, stored or handed to the tap.
    pub fn received(&self) -> u64 {
        self.inner.lock().received
    }

    /// Whether no span was stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Spans that arrived while the store was full.
    pub fn dropped(&self) -> u64 {
        self.inner.lock().dropped
    }

    /// Export requests accepted.
    pub fn requests(&self) -> u64 {
        self.inner.lock().requests
    }

    /// Export requests refused (4xx).
    pub fn rejected_requests(&self) -> u64 {
        self.inner.lock().rejected_requests
    }
}
