//! OTLP protobuf → [`SpanRecord`]: decodes an `ExportTraceServiceRequest` with prost and
//! flattens it (resource `service.name`, hex ids, kind/status enums, attributes).

use std::collections::BTreeMap;

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value::Value};
use prost::Message;

use crate::evidence::{AttrValue, SpanKind, SpanRecord, SpanStatus};

/// Decode a protobuf export request into spans; the error says what is malformed.
pub fn decode(body: &[u8]) -> Result<Vec<SpanRecord>, String> {
    let req = ExportTraceServiceRequest::decode(body)
        .map_err(|e| format!("invalid protobuf ExportTraceServiceRequest: {e}"))?;
    let mut out = Vec::new();
    for (ri, rs) in req.resource_spans.iter().enumerate() {
        let service = rs
            .resource
            .as_ref()
            .and_then(|r| r.attributes.iter().find(|kv| kv.key == "service.name"))
            .and_then(|kv| kv.value.as_ref())
            .map(any_to_string)
            .unwrap_or_default();
        for (si, ss) in rs.scope_spans.iter().enumerate() {
            for (pi, span) in ss.spans.iter().enumerate() {
                let at = || format!("resourceSpans[{ri}].scopeSpans[{si}].spans[{pi}]");
                let trace_id = id_hex(&span.trace_id, 16).ok_or_else(|| {
                    format!(
                        "{}: traceId must be 16 bytes, got {}",
                        at(),
                        span.trace_id.len()
                    )
                })?;
                let span_id = id_hex(&span.span_id, 8).ok_or_else(|| {
                    format!(
                        "{}: spanId must be 8 bytes, got {}",
                        at(),
                        span.span_id.len()
                    )
                })?;
                let parent_span_id = if span.parent_span_id.is_empty() {
                    None
                } else {
                    Some(id_hex(&span.parent_span_id, 8).ok_or_else(|| {
                        format!(
                            "{}: parentSpanId must be 8 bytes or empty, got {}",
                            at(),
                            span.parent_span_id.len()
                        )
                    })?)
                };
                let (status, status_message) = match &span.status {
                    Some(s) => (status_from_i32(s.code), s.message.clone()),
                    None => (SpanStatus::Unset, String::new()),
                };
                out.push(SpanRecord {
                    trace_id,
                    span_id,
                    parent_span_id,
                    name: span.name.clone(),
                    kind: kind_from_i32(span.kind),
                    start_unix_nano: span.start_time_unix_nano,
                    end_unix_nano: span.end_time_unix_nano,
                    status,
                    status_message,
                    service_name: service.clone(),
                    attributes: attributes(&span.attributes),
                });
            }
        }
    }
    Ok(out)
}

fn attributes(kvs: &[KeyValue]) -> BTreeMap<String, AttrValue> {
    kvs.iter()
        .map(|kv| {
            let v = kv
                .value
                .as_ref()
                .map_or(AttrValue::Other("null".into()), attr);
            (kv.key.clone(), v)
        })
        .collect()
}

fn attr(v: &AnyValue) -> AttrValue {
    match &v.value {
        Some(Value::StringValue(s)) => AttrValue::Str(s.clone()),
        Some(Value::BoolValue(b)) => AttrValue::Bool(*b),
        Some(Value::IntValue(i)) => AttrValue::Int(*i),
        Some(Value::DoubleValue(d)) => AttrValue::Double(*d),
        _ => AttrValue::Other(any_to_json(v).to_string()),
    }
}

fn any_to_string(v: &AnyValue) -> String {
    match &v.value {
        Some(Value::StringValue(s)) => s.clone(),
        _ => any_to_json(v).to_string(),
    }
}

/// Arrays and key-value lists rendered as plain JSON (bytes as hex).
fn any_to_json(v: &AnyValue) -> serde_json::Value {
    use serde_json::Value as J;
    match &v.value {
        None => J::Null,
        Some(Value::StringValue(s)) => J::String(s.clone()),
        Some(Value::BoolValue(b)) => J::Bool(*b),
        Some(Value::IntValue(i)) => J::from(*i),
        Some(Value::DoubleValue(d)) => serde_json::Number::from_f64(*d).map_or(J::Null, J::Number),
        Some(Value::BytesValue(b)) => J::String(hex(b)),
        Some(Value::ArrayValue(a)) => J::Array(a.values.iter().map(any_to_json).collect()),
        Some(Value::KvlistValue(l)) => J::Object(
            l.values
                .iter()
                .map(|kv| {
                    (
                        kv.key.clone(),
                        kv.value.as_ref().map_or(J::Null, any_to_json),
                    )
                })
                .collect(),
        ),
        // A string-table index (profiles only): no table here, keep the index visible.
        Some(Value::StringValueStrindex(i)) => J::String(format!("strindex:{i}")),
    }
}

/// Lowercase hex of `bytes`, or `None` unless it has exactly `len` bytes and is not all zero.
pub(crate) fn id_hex(bytes: &[u8], len: usize) -> Option<String> {
    (bytes.len() == len && bytes.iter().any(|&b| b != 0)).then(|| hex(bytes))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    s
}

pub(crate) fn kind_from_i32(k: i32) -> SpanKind {
    match k {
        1 => SpanKind::Internal,
        2 => SpanKind::Server,
        3 => SpanKind::Client,
        4 => SpanKind::Producer,
        5 => SpanKind::Consumer,
        _ => SpanKind::Unspecified,
    }
}

pub(crate) fn status_from_i32(c: i32) -> SpanStatus {
    match c {
        1 => SpanStatus::Ok,
        2 => SpanStatus::Error,
        _ => SpanStatus::Unset,
    }
}
