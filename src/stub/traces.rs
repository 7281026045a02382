//! Traces: W3C `traceparent` parsing, span construction (opentelemetry-proto messages) and the
//! OTLP/HTTP protobuf exporter, a background task fed by a bounded channel that posts batches
//! and flushes on request (shutdown). A full channel drops spans (counted) instead of blocking.

mod export;

pub use super::otlp_wire::{Attr, AttrValue, SpanBatch};
use export::{Msg, exporter};
use opentelemetry_proto::tonic::trace::v1::{Span, Status, span, status};
use rand::Rng;
use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::{mpsc, oneshot};

/// Messages (a job's spans each) buffered before the exporter drops new ones.
const CHANNEL_SPANS: usize = 8_192;
/// Incoming W3C trace context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming {
    pub trace_id: [u8; 16],
    pub parent_span_id: [u8; 8],
    pub flags: u8,
}

fn unhex<const N: usize>(s: &str) -> Option<[u8; N]> {
    if s.len() != 2 * N
        || !s
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return None;
    }
    let mut out = [0u8; N];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// Parse a `traceparent` header (W3C Trace Context level 1). Invalid values are ignored, as
/// the spec asks: the caller then starts a new trace.
pub fn parse_traceparent(v: &str) -> Option<Incoming> {
    let mut parts = v.trim().split('-');
    let version = parts.next()?;
    let trace = parts.next()?;
    let parent = parts.next()?;
    let flags = parts.next()?;
    let rest = parts.next();
    let version: [u8; 1] = unhex(version)?;
    // Version ff is forbidden; version 00 has exactly four fields; later versions may add more.
    if version[0] == 0xff || (version[0] == 0 && rest.is_some()) {
        return None;
    }
    let trace_id: [u8; 16] = unhex(trace)?;
    let parent_span_id: [u8; 8] = unhex(parent)?;
    let flags: [u8; 1] = unhex(flags)?;
    if trace_id == [0; 16] || parent_span_id == [0; 8] {
        return None;
    }
    Some(Incoming {
        trace_id,
        parent_span_id,
        flags: flags[0],
    })
}

/// Lowercase hex. By table rather than `format!` per byte: ids are hexed several times per
/// request and the formatter machinery showed up in profiles.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    s
}

/// A new random non-zero trace id.
pub fn new_trace_id() -> [u8; 16] {
    let mut id: [u8; 16] = rand::rng().random();
    if id == [0; 16] {
        id[15] = 1;
    }
    id
}

/// A new random non-zero span id.
pub fn new_span_id() -> [u8; 8] {
    let mut id: [u8; 8] = rand::rng().random();
    if id == [0; 8] {
        id[7] = 1;
    }
    id
}

/// Wall-clock nanoseconds since the Unix epoch.
pub fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

/// A string attribute (borrowed or owned: no copy is made for a borrowed value).
pub fn kv<'a>(key: &'a str, v: impl Into<Cow<'a, str>>) -> Attr<'a> {
    Attr {
        key,
        value: AttrValue::Str(v.into()),
    }
}
/// An integer attribute.
pub fn kv_i64(key: &str, v: i64) -> Attr<'_> {
    Attr {
        key,
        value: AttrValue::Int(v),
    }
}
/// A float attribute.
pub fn kv_f64(key: &str, v: f64) -> Attr<'_> {
    Attr {
        key,
        value: AttrValue::Double(v),
    }
}
/// A boolean attribute.
pub fn kv_bool(key: &str, v: bool) -> Attr<'_> {
    Attr {
        key,
        value: AttrValue::Bool(v),
    }
}

/// What one span is; [`SpanSpec::build`] turns it into the OTLP message.
#[derive(Debug)]
pub struct SpanSpec<'a> {
    pub trace_id: [u8; 16],
    pub span_id: [u8; 8],
    pub parent: Option<[u8; 8]>,
    pub trace_state: &'a str,
    pub name: &'a str,
    pub kind: span::SpanKind,
    pub start_ns: u64,
    pub end_ns: u64,
    pub attributes: Vec<Attr<'a>>,
    /// Error status with this message.
    pub error: Option<String>,
}

impl SpanSpec<'_> {
    /// W3C flags word: "has is-remote" plus "is remote" when there is a parent.
    pub fn flags(&self) -> u32 {
        0x100 | u32::from(self.parent.is_some()) << 9
    }

    /// The OTLP message. Export goes through [`SpanBatch::push`], which writes the same bytes
    /// prost would write for this message; this is its reference.
    pub fn build(self) -> Span {
        Span {
            trace_id: self.trace_id.to_vec(),
            span_id: self.span_id.to_vec(),
            trace_state: self.trace_state.to_string(),
            parent_span_id: self.parent.map(|p| p.to_vec()).unwrap_or_default(),
            flags: self.flags(),
            name: self.name.to_string(),
            kind: self.kind as i32,
            start_time_unix_nano: self.start_ns,
            end_time_unix_nano: self.end_ns.max(self.start_ns),
            attributes: self.attributes.iter().map(Attr::to_key_value).collect(),
            status: Some(match self.error {
                Some(message) => Status {
                    message,
                    code: status::StatusCode::Error as i32,
                },
                None => Status::default(),
            }),
            ..Default::default()
        }
    }
}

/// The handle spans are exported through. Disabled (no endpoint, or the no-trace-export
/// defect): `enabled()` is false and callers skip building spans.
#[derive(Debug)]
pub struct Tracer {
    tx: Option<mpsc::Sender<Msg>>,
    dropped: AtomicU64,
}

impl Tracer {
    /// A tracer that exports nothing.
    pub fn disabled() -> Tracer {
        Tracer {
            tx: None,
            dropped: AtomicU64::new(0),
        }
    }

    /// Start the exporter task posting to `url` (must be called inside a tokio runtime).
    pub fn start(url: String, service_name: String) -> Tracer {
        let (tx, rx) = mpsc::channel(CHANNEL_SPANS);
        tokio::spawn(exporter(rx, url, service_name));
        Tracer {
            tx: Some(tx),
            dropped: AtomicU64::new(0),
        }
    }

    pub fn enabled(&self) -> bool {
        self.tx.is_some()
    }

    /// Queue encoded spans for export in one message (one channel hop for a whole job).
    pub fn export_batch(&self, spans: SpanBatch) {
        if spans.is_empty() {
            return;
        }
        if let Some(tx) = &self.tx {
            let n = spans.len();
            if tx.try_send(Msg::Spans(spans)).is_err() {
                self.dropped.fetch_add(n, Ordering::Relaxed);
            }
        }
    }

    /// Send everything queued so far (waits at most `deadline`). Returns the dropped count.
    pub async fn flush(&self, deadline: Duration) -> u64 {
        if let Some(tx) = &self.tx {
            let (done_tx, done_rx) = oneshot::channel();
            let _ = tokio::time::timeout(deadline, async {
                if tx.send(Msg::Flush(done_tx)).await.is_ok() {
                    let _ = done_rx.await;
                }
            })
            .await;
        }
        self.dropped.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traceparent_parsing_follows_w3c() {
        let ok = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        assert_eq!(
            ok.as_ref().map(|i| hex(&i.trace_id)).as_deref(),
            Some("4bf92f3577b34da6a3ce929d0e0e4736")
        );
        assert_eq!(ok.map(|i| i.flags), Some(1));
        for bad in [
            "",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
            "00-4bf92f3577b34da6a3ce929d0e0e47-00f067aa0ba902b7-01",
        ] {
            assert_eq!(parse_traceparent(bad), None, "{bad}");
        }
        assert!(
            parse_traceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-later")
                .is_some()
        );
    }
}
