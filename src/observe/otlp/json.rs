//! OTLP/JSON → [`SpanRecord`], written against the OTLP JSON mapping rather than a derived
//! serde impl so that every form the spec allows is accepted: hex ids (base64 too, as some
//! gateways emit), enums as integers or names (`SPAN_KIND_SERVER`), 64-bit integers as strings
//! or numbers, lowerCamelCase or original field names, unknown fields ignored. Used by the
//! receiver and by the Jaeger `/api/v3` client.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::proto::{hex, kind_from_i32, status_from_i32};
use crate::evidence::{AttrValue, SpanKind, SpanRecord, SpanStatus};

/// Decode an OTLP/JSON export request body.
pub fn decode(body: &[u8]) -> Result<Vec<SpanRecord>, String> {
    let v: Value = serde_json::from_slice(body).map_err(|e| format!("invalid JSON: {e}"))?;
    let obj = v
        .as_object()
        .ok_or("an ExportTraceServiceRequest must be a JSON object")?;
    resource_spans(obj, "resourceSpans")
}

/// Spans of an object holding a `resourceSpans` array (absent means none).
pub fn resource_spans(obj: &Map<String, Value>, path: &str) -> Result<Vec<SpanRecord>, String> {
    let mut out = Vec::new();
    for (ri, rs) in array(obj, "resourceSpans", "resource_spans", path)?
        .iter()
        .enumerate()
    {
        let at = format!("{path}[{ri}]");
        let rs = rs
            .as_object()
            .ok_or_else(|| format!("{at}: expected an object"))?;
        let service = field(rs, "resource", "resource")
            .and_then(Value::as_object)
            .map(|r| attributes(r, &format!("{at}.resource")))
            .transpose()?
            .and_then(|mut a| a.remove("service.name"))
            .map(|v| match v {
                AttrValue::Str(s) | AttrValue::Other(s) => s,
                other => serde_json::to_string(&other).unwrap_or_default(),
            })
            .unwrap_or_default();
        // `instrumentationLibrarySpans` is the pre-1.0 name some exporters still send.
        let scopes = array(rs, "scopeSpans", "scope_spans", &at)?.iter().chain(
            array(
                rs,
                "instrumentationLibrarySpans",
                "instrumentation_library_spans",
                &at,
            )?
            .iter(),
        );
        for (si, ss) in scopes.enumerate() {
            let at = format!("{at}.scopeSpans[{si}]");
            let ss = ss
                .as_object()
                .ok_or_else(|| format!("{at}: expected an object"))?;
            for (pi, span) in array(ss, "spans", "spans", &at)?.iter().enumerate() {
                let at = format!("{at}.spans[{pi}]");
                out.push(span_record(span, &at, &service)?);
            }
        }
    }
    Ok(out)
}

fn span_record(span: &Value, at: &str, service: &str) -> Result<SpanRecord, String> {
    let s = span
        .as_object()
        .ok_or_else(|| format!("{at}: expected an object"))?;
    let id = |camel: &str, snake: &str, len: usize| -> Result<Option<String>, String> {
        match field(s, camel, snake) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(t)) if t.is_empty() => Ok(None),
            Some(Value::String(t)) => decode_id(t, len)
                .map(Some)
                .ok_or_else(|| format!("{at}.{camel}: `{t}` is not a {len}-byte id in hex")),
            Some(other) => Err(format!(
                "{at}.{camel}: expected a hex string, found {other}"
            )),
        }
    };
    let trace_id =
        id("traceId", "trace_id", 16)?.ok_or_else(|| format!("{at}.traceId: missing"))?;
    let span_id = id("spanId", "span_id", 8)?.ok_or_else(|| format!("{at}.spanId: missing"))?;
    let parent_span_id = id("parentSpanId", "parent_span_id", 8)?;
    let name = match field(s, "name", "name") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(n)) => n.clone(),
        Some(other) => return Err(format!("{at}.name: expected a string, found {other}")),
    };
    let kind = match field(s, "kind", "kind") {
        None | Some(Value::Null) => SpanKind::Unspecified,
        Some(v) => kind_from_json(v).ok_or_else(|| format!("{at}.kind: unknown span kind {v}"))?,
    };
    let (status, status_message) = match field(s, "status", "status").and_then(Value::as_object) {
        None => (SpanStatus::Unset, String::new()),
        Some(st) => {
            let code = match field(st, "code", "code") {
                None | Some(Value::Null) => SpanStatus::Unset,
                Some(v) => status_from_json(v)
                    .ok_or_else(|| format!("{at}.status.code: unknown status code {v}"))?,
            };
            let msg = field(st, "message", "message")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            (code, msg)
        }
    };
    Ok(SpanRecord {
        trace_id,
        span_id,
        parent_span_id,
        name,
        kind,
        start_unix_nano: uint(s, "startTimeUnixNano", "start_time_unix_nano", at)?,
        end_unix_nano: uint(s, "endTimeUnixNano", "end_time_unix_nano", at)?,
        status,
        status_message,
        service_name: service.to_string(),
        attributes: attributes(s, at)?,
    })
}

fn field<'a>(o: &'a Map<String, Value>, camel: &str, snake: &str) -> Option<&'a Value> {
    o.get(camel).or_else(|| o.get(snake))
}

fn array<'a>(
    o: &'a Map<String, Value>,
    camel: &str,
    snake: &str,
    at: &str,
) -> Result<&'a [Value], String> {
    match field(o, camel, snake) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(a)) => Ok(a),
        Some(other) => Err(format!(
            "{at}.{camel}: expected an array, found {}",
            kind_of(other)
        )),
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A 64-bit unsigned integer as a JSON number or a decimal string (absent = 0).
fn uint(o: &Map<String, Value>, camel: &str, snake: &str, at: &str) -> Result<u64, String> {
    match field(o, camel, snake) {
        None | Some(Value::Null) => Ok(0),
        Some(Value::Number(n)) => n
            .as_u64()
            .ok_or_else(|| format!("{at}.{camel}: {n} is not an unsigned 64-bit integer")),
        Some(Value::String(t)) => t
            .parse()
            .map_err(|_| format!("{at}.{camel}: `{t}` is not an unsigned 64-bit integer")),
        Some(other) => Err(format!(
            "{at}.{camel}: expected an integer, found {}",
            kind_of(other)
        )),
    }
}

fn kind_from_json(v: &Value) -> Option<SpanKind> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .and_then(|i| i32::try_from(i).ok())
            .filter(|i| (0..=5).contains(i))
            .map(kind_from_i32),
        Value::String(s) => Some(match s.as_str() {
            "SPAN_KIND_UNSPECIFIED" => SpanKind::Unspecified,
            "SPAN_KIND_INTERNAL" => SpanKind::Internal,
            "SPAN_KIND_SERVER" => SpanKind::Server,
            "SPAN_KIND_CLIENT" => SpanKind::Client,
            "SPAN_KIND_PRODUCER" => SpanKind::Producer,
            "SPAN_KIND_CONSUMER" => SpanKind::Consumer,
            _ => return None,
        }),
        _ => None,
    }
}

fn status_from_json(v: &Value) -> Option<SpanStatus> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .and_then(|i| i32::try_from(i).ok())
            .filter(|i| (0..=2).contains(i))
            .map(status_from_i32),
        Value::String(s) => Some(match s.as_str() {
            "STATUS_CODE_UNSET" => SpanStatus::Unset,
            "STATUS_CODE_OK" => SpanStatus::Ok,
            "STATUS_CODE_ERROR" => SpanStatus::Error,
            _ => return None,
        }),
        _ => None,
    }
}

/// `attributes: [{key, value: AnyValue}]` of object `o`.
fn attributes(o: &Map<String, Value>, at: &str) -> Result<BTreeMap<String, AttrValue>, String> {
    let mut out = BTreeMap::new();
    for (i, kv) in array(o, "attributes", "attributes", at)?.iter().enumerate() {
        let key = kv
            .get("key")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("{at}.attributes[{i}]: missing string `key`"))?;
        let value = kv
            .get("value")
            .map_or(Ok(AttrValue::Other("null".into())), |v| {
                any_value(v).map_err(|e| format!("{at}.attributes[{i}] (`{key}`): {e}"))
            })?;
        out.insert(key.to_string(), value);
    }
    Ok(out)
}

fn any_value(v: &Value) -> Result<AttrValue, String> {
    let o = v.as_object();
    let has = |camel: &str, snake: &str| o.is_some_and(|o| field(o, camel, snake).is_some());
    if has("doubleValue", "double_value") {
        // Keep non-finite doubles as doubles (plain JSON cannot hold them).
        let d = o.and_then(|o| field(o, "doubleValue", "double_value"));
        return match d.map(double) {
            Some(Some(f)) => Ok(AttrValue::Double(f)),
            _ => Err(format!(
                "doubleValue {} is not a number",
                d.unwrap_or(&Value::Null)
            )),
        };
    }
    let plain = any_plain(v)?;
    Ok(match plain {
        Value::String(s) if !has("bytesValue", "bytes_value") => AttrValue::Str(s),
        Value::Bool(b) => AttrValue::Bool(b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => AttrValue::Int(i),
            None => AttrValue::Double(n.as_f64().unwrap_or(f64::NAN)),
        },
        other => AttrValue::Other(other.to_string()),
    })
}

/// A JSON-mapped double: a number or `"NaN"`/`"Infinity"`/`"-Infinity"`/a numeric string.
fn double(d: &Value) -> Option<f64> {
    match d {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => match s.as_str() {
            "NaN" => Some(f64::NAN),
            "Infinity" => Some(f64::INFINITY),
            "-Infinity" => Some(f64::NEG_INFINITY),
            t => t.parse().ok(),
        },
        _ => None,
    }
}

/// An OTLP `AnyValue` object as plain JSON (`{"intValue":"5"}` → `5`).
fn any_plain(v: &Value) -> Result<Value, String> {
    let Some(o) = v.as_object() else {
        return Err(format!("expected an AnyValue object, found {}", kind_of(v)));
    };
    if let Some(s) = field(o, "stringValue", "string_value") {
        return Ok(Value::String(
            s.as_str()
                .ok_or("stringValue must be a string")?
                .to_string(),
        ));
    }
    if let Some(b) = field(o, "boolValue", "bool_value") {
        return Ok(Value::Bool(
            b.as_bool().ok_or("boolValue must be a boolean")?,
        ));
    }
    if let Some(i) = field(o, "intValue", "int_value") {
        let n = match i {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.parse::<i64>().ok(),
            _ => None,
        };
        return n
            .map(Value::from)
            .ok_or_else(|| format!("intValue {i} is not a 64-bit integer"));
    }
    if let Some(d) = field(o, "doubleValue", "double_value") {
        let f = double(d);
        let f = f.ok_or_else(|| format!("doubleValue {d} is not a number"))?;
        return Ok(serde_json::Number::from_f64(f)
            .map_or_else(|| Value::String(f.to_string()), Value::Number));
    }
    if let Some(a) = field(o, "arrayValue", "array_value") {
        let items = a
            .get("values")
            .and_then(Value::as_array)
            .map_or(&[][..], |v| v.as_slice());
        return items
            .iter()
            .map(any_plain)
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array);
    }
    if let Some(l) = field(o, "kvlistValue", "kvlist_value") {
        let mut m = Map::new();
        for kv in l
            .get("values")
            .and_then(Value::as_array)
            .map_or(&[][..], |v| v.as_slice())
        {
            let k = kv
                .get("key")
                .and_then(Value::as_str)
                .ok_or("kvlistValue entry without `key`")?;
            let val = kv.get("value").map_or(Ok(Value::Null), any_plain)?;
            m.insert(k.to_string(), val);
        }
        return Ok(Value::Object(m));
    }
    if let Some(b) = field(o, "bytesValue", "bytes_value") {
        let s = b.as_str().ok_or("bytesValue must be a base64 string")?;
        let bytes = base64_decode(s).ok_or_else(|| format!("bytesValue `{s}` is not base64"))?;
        return Ok(Value::String(hex(&bytes)));
    }
    // An empty AnyValue (or one with only unknown fields) is valid and means "no value".
    Ok(Value::Null)
}

/// A `len`-byte id from hex (the OTLP/JSON form) or base64 (what some gateways emit).
pub(crate) fn decode_id(s: &str, len: usize) -> Option<String> {
    let bytes = if s.len() == len * 2 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Some(s.to_ascii_lowercase()).filter(|h| h.bytes().any(|b| b != b'0'));
    } else {
        base64_decode(s)?
    };
    super::proto::id_hex(&bytes, len)
}

/// Standard or URL-safe base64, padding optional.
pub(crate) fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for b in s.trim_end_matches('=').bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}
