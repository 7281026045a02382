//! Jaeger's classic query JSON (`/api/traces/{id}`: `data[].spans` with `references`,
//! `processes` and typed `tags`) mapped to [`SpanRecord`].

use std::collections::BTreeMap;

use serde_json::Value;

use crate::evidence::{AttrValue, SpanKind, SpanRecord, SpanStatus};
use crate::observe::otlp::decode_id;

/// Tags Jaeger uses to carry OTLP fields; they become kind/status, not attributes.
const MAPPED_TAGS: [&str; 4] = [
    "span.kind",
    "otel.status_code",
    "otel.status_description",
    "error",
];

/// Every span of every trace in a classic response.
pub fn spans(v: &Value) -> Result<Vec<SpanRecord>, String> {
    let data = match v.get("data") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(a)) => a,
        Some(_) => return Err("`data` must be an array".into()),
    };
    let mut out = Vec::new();
    for (ti, trace) in data.iter().enumerate() {
        let processes = trace.get("processes").and_then(Value::as_object);
        let spans = trace
            .get("spans")
            .and_then(Value::as_array)
            .map_or(&[][..], |s| s.as_slice());
        for (si, s) in spans.iter().enumerate() {
            let at = format!("data[{ti}].spans[{si}]");
            out.push(span(s, processes, &at)?);
        }
    }
    Ok(out)
}

/// A classic id: hex, possibly shorter than the full width (64-bit trace ids, dropped zeros).
fn id(s: Option<&Value>, len: usize, what: &str, at: &str) -> Result<String, String> {
    let raw = s
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{at}.{what}: missing"))?;
    let padded = if raw.len() < len * 2 {
        format!("{raw:0>width$}", width = len * 2)
    } else {
        raw.to_string()
    };
    decode_id(&padded, len)
        .ok_or_else(|| format!("{at}.{what}: `{raw}` is not a {len}-byte hex id"))
}

fn span(
    s: &Value,
    processes: Option<&serde_json::Map<String, Value>>,
    at: &str,
) -> Result<SpanRecord, String> {
    let trace_id = id(s.get("traceID"), 16, "traceID", at)?;
    let span_id = id(s.get("spanID"), 8, "spanID", at)?;
    let parent = parent_id(s, at)?;
    let micros = |k: &str| -> Result<u64, String> {
        s.get(k)
            .and_then(Value::as_u64)
            .ok_or_else(|| format!("{at}.{k}: expected microseconds"))
    };
    let start_us = micros("startTime")?;
    let duration_us = micros("duration")?;
    let mapped = map_tags(s);
    let attributes = mapped.attributes;
    let service_name = s
        .get("processID")
        .and_then(Value::as_str)
        .and_then(|p| processes?.get(p))
        .or_else(|| s.get("process"))
        .and_then(|p| p.get("serviceName"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    Ok(SpanRecord {
        trace_id,
        span_id,
        parent_span_id: parent,
        name: s
            .get("operationName")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        kind: mapped.kind,
        start_unix_nano: start_us.saturating_mul(1000),
        end_unix_nano: start_us.saturating_add(duration_us).saturating_mul(1000),
        status: mapped.status,
        status_message: mapped.status_message,
        service_name,
        attributes,
    })
}

/// The parent span: the `CHILD_OF` reference (else the first one), else a non-zero
/// `parentSpanID`.
fn parent_id(s: &Value, at: &str) -> Result<Option<String>, String> {
    let refs = s
        .get("references")
        .and_then(Value::as_array)
        .map_or(&[][..], |r| r.as_slice());
    let parent = refs
        .iter()
        .find(|r| r.get("refType").and_then(Value::as_str) == Some("CHILD_OF"))
        .or_else(|| refs.first())
        .map(|r| id(r.get("spanID"), 8, "references.spanID", at))
        .transpose()?
        .or(match s.get("parentSpanID").and_then(Value::as_str) {
            Some(p) if !p.is_empty() && p.bytes().any(|b| b != b'0') => {
                Some(id(s.get("parentSpanID"), 8, "parentSpanID", at)?)
            }
            _ => None,
        });
    Ok(parent)
}

/// A span's tags once the ones with an OTLP field of their own are taken out.
struct MappedTags {
    kind: SpanKind,
    status: SpanStatus,
    status_message: String,
    attributes: BTreeMap<String, AttrValue>,
}

/// Read the tags as attributes, taking kind and status from the tags that encode them.
fn map_tags(s: &Value) -> MappedTags {
    let mut attributes = BTreeMap::new();
    let tags = s
        .get("tags")
        .and_then(Value::as_array)
        .map_or(&[][..], |t| t.as_slice());
    for t in tags {
        let Some(key) = t.get("key").and_then(Value::as_str) else {
            continue;
        };
        attributes.insert(key.to_string(), tag_value(t));
    }
    let text = |k: &str| match attributes.get(k) {
        Some(AttrValue::Str(s)) => Some(s.to_ascii_lowercase()),
        _ => None,
    };
    let kind = match text("span.kind").as_deref() {
        Some("server") => SpanKind::Server,
        Some("client") => SpanKind::Client,
        Some("producer") => SpanKind::Producer,
        Some("consumer") => SpanKind::Consumer,
        Some("internal") => SpanKind::Internal,
        _ => SpanKind::Unspecified,
    };
    let status = match (text("otel.status_code").as_deref(), attributes.get("error")) {
        (Some("error"), _) | (_, Some(AttrValue::Bool(true))) => SpanStatus::Error,
        (Some("ok"), _) => SpanStatus::Ok,
        _ => SpanStatus::Unset,
    };
    let status_message = match attributes.get("otel.status_description") {
        Some(AttrValue::Str(m)) => m.clone(),
        _ => String::new(),
    };
    for k in MAPPED_TAGS {
        attributes.remove(k);
    }
    MappedTags {
        kind,
        status,
        status_message,
        attributes,
    }
}

fn tag_value(t: &Value) -> AttrValue {
    let v = t.get("value").unwrap_or(&Value::Null);
    match (t.get("type").and_then(Value::as_str), v) {
        (Some("bool"), Value::Bool(b)) => AttrValue::Bool(*b),
        (Some("bool"), Value::String(s)) => AttrValue::Bool(s == "true"),
        (Some("int64"), Value::Number(n)) if n.is_i64() => {
            AttrValue::Int(n.as_i64().unwrap_or_default())
        }
        (Some("int64"), Value::String(s)) => s
            .parse()
            .map_or_else(|_| AttrValue::Str(s.clone()), AttrValue::Int),
        (Some("float64"), Value::Number(n)) => AttrValue::Double(n.as_f64().unwrap_or(f64::NAN)),
        (_, Value::String(s)) => AttrValue::Str(s.clone()),
        (_, Value::Bool(b)) => AttrValue::Bool(*b),
        (_, Value::Number(n)) => match n.as_i64() {
            Some(i) => AttrValue::Int(i),
            None => AttrValue::Double(n.as_f64().unwrap_or(f64::NAN)),
        },
        (_, other) => AttrValue::Other(other.to_string()),
    }
}
