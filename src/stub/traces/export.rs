//! The OTLP/HTTP protobuf exporter task: batches the spans it is sent, posts batches with a
//! few posts overlapping, and reports failing posts sparingly.

use super::{Attr, AttrValue, SpanBatch, kv};
use crate::stub::otlp_wire::export_request;
use opentelemetry_proto::tonic::common::v1::InstrumentationScope;
use opentelemetry_proto::tonic::resource::v1::Resource;
use prost::Message;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinSet;

/// Spans per export request.
const BATCH_SPANS: u64 = 2048;
/// Export requests in flight at once.
const POSTS_IN_FLIGHT: usize = 4;
/// Longest a span waits before its batch is sent.
const BATCH_DELAY: Duration = Duration::from_millis(200);

/// What the exporter task is sent: a job's spans, or a request to send everything now.
pub(super) enum Msg {
    Spans(SpanBatch),
    Flush(oneshot::Sender<()>),
}

impl std::fmt::Debug for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Msg")
    }
}

/// The resource every export request carries.
fn resource(service_name: &str) -> Resource {
    Resource {
        attributes: vec![
            Attr {
                key: "service.name",
                value: AttrValue::Str(service_name.into()),
            }
            .to_key_value(),
            kv("telemetry.sdk.language", "rust").to_key_value(),
        ],
        ..Default::default()
    }
}

/// The instrumentation scope every export request carries.
fn scope() -> InstrumentationScope {
    InstrumentationScope {
        name: "obsgate-stub".to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        ..Default::default()
    }
}

/// The parts of a request that do not change, encoded once.
struct Envelope {
    resource: Vec<u8>,
    scope: Vec<u8>,
}

/// What every post needs, shared by the in-flight posts.
struct Sink {
    client: reqwest::Client,
    url: String,
    env: Envelope,
    failures: AtomicU64,
}

/// Post one batch. Failures are reported on stderr for the 1st, 2nd, 4th, 8th… failure only,
/// so an unreachable endpoint does not flood stderr.
async fn post(sink: Arc<Sink>, spans: SpanBatch) {
    let n = spans.len();
    let body = export_request(&sink.env.resource, &sink.env.scope, &spans.bytes);
    drop(spans);
    let res = sink
        .client
        .post(&sink.url)
        .header("content-type", "application/x-protobuf")
        .body(body)
        .send()
        .await;
    let problem = match res {
        Ok(r) if r.status().is_success() => return,
        Ok(r) => format!("HTTP {}", r.status()),
        Err(e) => e.to_string(),
    };
    let failures = sink.failures.fetch_add(1, Ordering::Relaxed) + 1;
    if failures.is_power_of_two() {
        eprintln!(
            "obsgate stub: OTLP export of {n} spans to {} failed ({problem}); {failures} failed batches so far",
            sink.url
        );
    }
}

/// Batches being posted. Posts overlap (up to [`POSTS_IN_FLIGHT`]) because one post at a
/// time caps export at one batch per round trip, and under load the round trip, not the
/// encoding, is what made the span buffer overflow.
struct Posts {
    sink: Arc<Sink>,
    running: JoinSet<()>,
}

impl Posts {
    /// Start posting `batch` (leaving it empty), first waiting for a slot.
    async fn start(&mut self, batch: &mut SpanBatch) {
        if batch.is_empty() {
            return;
        }
        let spans = std::mem::replace(batch, SpanBatch::with_capacity(batch.bytes.len()));
        while self.running.len() >= POSTS_IN_FLIGHT {
            let _ = self.running.join_next().await;
        }
        self.running.spawn(post(self.sink.clone(), spans));
    }

    /// Post `batch` and wait for every post to end.
    async fn finish(&mut self, batch: &mut SpanBatch) {
        self.start(batch).await;
        while self.running.join_next().await.is_some() {}
    }
}

/// The exporter task: gathers spans into batches of [`BATCH_SPANS`] (or whatever waited
/// [`BATCH_DELAY`]), posts them, and posts everything on a flush or when the channel closes.
pub(super) async fn exporter(mut rx: mpsc::Receiver<Msg>, url: String, service_name: String) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap_or_default();
    let env = Envelope {
        resource: resource(&service_name).encode_to_vec(),
        scope: scope().encode_to_vec(),
    };
    let mut posts = Posts {
        sink: Arc::new(Sink {
            client,
            url,
            env,
            failures: AtomicU64::new(0),
        }),
        running: JoinSet::new(),
    };
    let mut batch = SpanBatch::new();
    // When the oldest span of the batch must be posted. The deadline is the first span's, not
    // reset by later ones: under a steady trickle of jobs a timeout per message never fires,
    // and spans waited for a full batch, seconds after their job had ended.
    let mut due = tokio::time::Instant::now();
    loop {
        let msg = if batch.is_empty() {
            rx.recv().await
        } else {
            match tokio::time::timeout_at(due, rx.recv()).await {
                Ok(m) => m,
                Err(_) => {
                    posts.start(&mut batch).await;
                    continue;
                }
            }
        };
        match msg {
            Some(Msg::Spans(s)) => {
                if batch.is_empty() {
                    due = tokio::time::Instant::now() + BATCH_DELAY;
                }
                batch.append(s);
                if batch.len() >= BATCH_SPANS {
                    posts.start(&mut batch).await;
                }
            }
            Some(Msg::Flush(done)) => {
                posts.finish(&mut batch).await;
                let _ = done.send(());
            }
            None => {
                posts.finish(&mut batch).await;
                return;
            }
        }
    }
}
