//! obsgate's own OTLP/HTTP trace receiver: `POST /v1/traces` with protobuf or JSON bodies,
//! optionally gzip-compressed. Decoded spans go to a bounded [`SpanStore`]. Errors follow the
//! OTLP/HTTP spec: 400 malformed (with the reason), 413 over the size limit, 415 unsupported
//! content type or encoding; bodies are a `google.rpc.Status` in the request's encoding.

mod json;
mod proto;
mod store;

use std::future::Future;
use std::io::Read;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTracePartialSuccess, ExportTraceServiceResponse,
};
use prost::Message;

pub use json::decode as decode_json;
pub(crate) use json::{decode_id, resource_spans};
pub use proto::decode as decode_protobuf;
pub use store::{DEFAULT_MAX_SPANS, SpanStore};

/// Largest accepted request body, compressed or decompressed (64 MiB).
pub const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// The body encoding of a request (and of its response).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Protobuf,
    Json,
}

/// `google.rpc.Status`, the OTLP/HTTP error body.
#[derive(Clone, PartialEq, prost::Message)]
struct RpcStatus {
    #[prost(int32, tag = "1")]
    code: i32,
    #[prost(string, tag = "2")]
    message: String,
}

/// The receiver's routes: `POST /v1/traces`, with the 64 MiB limit.
pub fn router(store: SpanStore) -> Router {
    router_with_limit(store, MAX_BODY_BYTES)
}

/// The receiver's routes with another body limit (bytes, compressed and decompressed).
pub fn router_with_limit(store: SpanStore, max_body_bytes: usize) -> Router {
    Router::new()
        .route("/v1/traces", post(export))
        // One byte over the limit so a body of exactly the limit is still accepted.
        .layer(DefaultBodyLimit::max(max_body_bytes.saturating_add(1)))
        .with_state(Receiver {
            store,
            max_body_bytes,
        })
}

/// Per-router state: where spans go and the size limit.
#[derive(Clone)]
struct Receiver {
    store: SpanStore,
    max_body_bytes: usize,
}

/// Serve the receiver on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    store: SpanStore,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(store))
        .with_graceful_shutdown(shutdown)
        .await
}

/// Which encoding a `Content-Type` names, if supported.
pub fn encoding_of(content_type: &str) -> Option<Encoding> {
    let media = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match media.as_str() {
        "application/x-protobuf" | "application/protobuf" => Some(Encoding::Protobuf),
        "application/json" => Some(Encoding::Json),
        _ => None,
    }
}

/// Decode one request body (already decompressed) into spans.
pub fn decode(body: &[u8], encoding: Encoding) -> Result<Vec<crate::evidence::SpanRecord>, String> {
    match encoding {
        Encoding::Protobuf => proto::decode(body),
        Encoding::Json => json::decode(body),
    }
}

/// Gunzip `body`, refusing (with `Err(None)`) output beyond `limit` bytes. The output grows as
/// it is read, so a small bomb cannot make us allocate the limit up front.
pub fn gunzip_limited(body: &[u8], limit: usize) -> Result<Vec<u8>, Option<String>> {
    let mut out = Vec::with_capacity(body.len().saturating_mul(4).min(limit));
    let limit_plus_one = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    flate2::read::MultiGzDecoder::new(body)
        .take(limit_plus_one)
        .read_to_end(&mut out)
        .map_err(|e| Some(format!("invalid gzip body: {e}")))?;
    if out.len() > limit {
        return Err(None);
    }
    Ok(out)
}

async fn export(State(rx): State<Receiver>, headers: HeaderMap, body: Bytes) -> Response {
    let Receiver {
        store,
        max_body_bytes,
    } = rx;
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let Some(encoding) = encoding_of(ct) else {
        store.count_rejected();
        let msg = format!(
            "unsupported Content-Type `{ct}` (expected application/x-protobuf or application/json)"
        );
        return error(Encoding::Json, StatusCode::UNSUPPORTED_MEDIA_TYPE, msg);
    };
    let ce = headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    // Decompression is CPU work proportional to the body: keep it off the async workers.
    let decoded = tokio::task::spawn_blocking(move || -> Result<_, (StatusCode, String)> {
        let plain = decompress(&ce, &body, max_body_bytes)?;
        decode(&plain, encoding).map_err(|m| (StatusCode::BAD_REQUEST, m))
    })
    .await;
    let spans = match decoded {
        Ok(Ok(spans)) => spans,
        Ok(Err((status, msg))) => {
            store.count_rejected();
            return error(encoding, status, msg);
        }
        Err(e) => {
            return error(
                encoding,
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("decoder task failed: {e}"),
            );
        }
    };
    let dropped = store.extend(spans);
    export_response(encoding, dropped)
}

/// The body as sent, undone from its `Content-Encoding` (`ce`, lower-cased); the status and
/// message to answer with when it cannot be.
fn decompress(
    ce: &str,
    body: &[u8],
    max_body_bytes: usize,
) -> Result<Vec<u8>, (StatusCode, String)> {
    match ce {
        "" | "identity" => Ok(body.to_vec()),
        "gzip" => gunzip_limited(body, max_body_bytes).map_err(|e| match e {
            Some(msg) => (StatusCode::BAD_REQUEST, msg),
            None => (
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("decompressed body exceeds {max_body_bytes} bytes"),
            ),
        }),
        other => Err((
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("unsupported Content-Encoding `{other}` (expected gzip or none)"),
        )),
    }
}

/// The success answer in the request's encoding, with a partial success when the span store
/// had to drop spans.
fn export_response(encoding: Encoding, dropped: u64) -> Response {
    let partial_success = (dropped > 0).then(|| ExportTracePartialSuccess {
        rejected_spans: i64::try_from(dropped).unwrap_or(i64::MAX),
        error_message: format!("span store full: {dropped} spans dropped"),
    });
    let resp = ExportTraceServiceResponse { partial_success };
    match encoding {
        Encoding::Protobuf => (
            [(header::CONTENT_TYPE, "application/x-protobuf")],
            resp.encode_to_vec(),
        )
            .into_response(),
        Encoding::Json => {
            let body = match &resp.partial_success {
                None => serde_json::json!({}),
                Some(p) => serde_json::json!({"partialSuccess": {
                    "rejectedSpans": p.rejected_spans.to_string(),
                    "errorMessage": p.error_message,
                }}),
            };
            (
                [(header::CONTENT_TYPE, "application/json")],
                body.to_string(),
            )
                .into_response()
        }
    }
}

fn error(encoding: Encoding, status: StatusCode, message: String) -> Response {
    // gRPC codes: 3 INVALID_ARGUMENT, 8 RESOURCE_EXHAUSTED, 13 INTERNAL.
    let code = match status {
        StatusCode::PAYLOAD_TOO_LARGE => 8,
        StatusCode::INTERNAL_SERVER_ERROR => 13,
        _ => 3,
    };
    match encoding {
        Encoding::Protobuf => (
            status,
            [(header::CONTENT_TYPE, "application/x-protobuf")],
            RpcStatus { code, message }.encode_to_vec(),
        )
            .into_response(),
        Encoding::Json => (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::json!({"code": code, "message": message}).to_string(),
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests;
