//! Spans written straight to OTLP protobuf bytes, and the export request wrapped around them.
//!
//! Building `opentelemetry_proto` `Span` messages costs about twenty small allocations per
//! span (ids, name, every attribute key and value), then a length pass and an encoding pass in
//! the exporter and as many frees; at ≈ 12 spans per job that was the largest cost of the job
//! path. Here each span is encoded once, where it ends, into its job's [`SpanBatch`] buffer;
//! the exporter only concatenates buffers. The bytes are exactly what prost writes for the
//! same `Span` (tested against [`SpanSpec::build`]).

use super::traces::SpanSpec;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use prost::encoding::{WireType, encode_key, encode_varint, encoded_len_varint, key_len};
use std::borrow::Cow;

/// An attribute value.
#[derive(Debug, Clone, PartialEq)]
pub enum AttrValue<'a> {
    Str(Cow<'a, str>),
    Int(i64),
    Double(f64),
    Bool(bool),
}

/// A span attribute (key, value) without the allocations of `KeyValue`.
#[derive(Debug, Clone, PartialEq)]
pub struct Attr<'a> {
    pub key: &'a str,
    pub value: AttrValue<'a>,
}

impl Attr<'_> {
    /// The OTLP message (for [`SpanSpec::build`]).
    pub fn to_key_value(&self) -> KeyValue {
        let v = match &self.value {
            AttrValue::Str(s) => any_value::Value::StringValue(s.to_string()),
            AttrValue::Int(i) => any_value::Value::IntValue(*i),
            AttrValue::Double(d) => any_value::Value::DoubleValue(*d),
            AttrValue::Bool(b) => any_value::Value::BoolValue(*b),
        };
        KeyValue {
            key: self.key.to_string(),
            value: Some(AnyValue { value: Some(v) }),
            ..Default::default()
        }
    }
}

/// Length of a length-delimited field with `len` bytes of payload.
fn ld_len(tag: u32, len: usize) -> usize {
    key_len(tag) + encoded_len_varint(len as u64) + len
}

fn put_ld(tag: u32, bytes: &[u8], buf: &mut Vec<u8>) {
    encode_key(tag, WireType::LengthDelimited, buf);
    encode_varint(bytes.len() as u64, buf);
    buf.extend_from_slice(bytes);
}

/// A proto3 string/bytes field: left out when empty, as prost does.
fn put_nonempty(tag: u32, bytes: &[u8], buf: &mut Vec<u8>) {
    if !bytes.is_empty() {
        put_ld(tag, bytes, buf);
    }
}

fn put_fixed64(tag: u32, v: u64, buf: &mut Vec<u8>) {
    if v != 0 {
        encode_key(tag, WireType::SixtyFourBit, buf);
        buf.extend_from_slice(&v.to_le_bytes());
    }
}

fn any_value_len(v: &AttrValue) -> usize {
    match v {
        AttrValue::Str(s) => ld_len(1, s.len()),
        AttrValue::Bool(_) => key_len(2) + 1,
        AttrValue::Int(i) => key_len(3) + encoded_len_varint(*i as u64),
        AttrValue::Double(_) => key_len(4) + 8,
    }
}

fn put_attr(a: &Attr, buf: &mut Vec<u8>) {
    let av_len = any_value_len(&a.value);
    let key_part = if a.key.is_empty() {
        0
    } else {
        ld_len(1, a.key.len())
    };
    encode_key(9, WireType::LengthDelimited, buf);
    encode_varint((key_part + ld_len(2, av_len)) as u64, buf);
    put_nonempty(1, a.key.as_bytes(), buf);
    encode_key(2, WireType::LengthDelimited, buf);
    encode_varint(av_len as u64, buf);
    // A oneof member is written even when it holds its type's default.
    match &a.value {
        AttrValue::Str(s) => put_ld(1, s.as_bytes(), buf),
        AttrValue::Bool(b) => {
            encode_key(2, WireType::Varint, buf);
            buf.push(u8::from(*b));
        }
        AttrValue::Int(i) => {
            encode_key(3, WireType::Varint, buf);
            encode_varint(*i as u64, buf);
        }
        AttrValue::Double(d) => {
            encode_key(4, WireType::SixtyFourBit, buf);
            buf.extend_from_slice(&d.to_le_bytes());
        }
    }
}

/// Spans encoded as `ScopeSpans.spans` entries (field 2), ready to be concatenated into a
/// request by [`export_request`].
#[derive(Debug, Default)]
pub struct SpanBatch {
    pub(crate) bytes: Vec<u8>,
    pub(crate) count: u64,
}

impl SpanBatch {
    /// Room for a job's spans without regrowing.
    pub fn new() -> SpanBatch {
        SpanBatch::with_capacity(4096)
    }

    pub fn with_capacity(bytes: usize) -> SpanBatch {
        SpanBatch {
            bytes: Vec::with_capacity(bytes),
            count: 0,
        }
    }

    /// Spans in the batch.
    pub fn len(&self) -> u64 {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Append another batch's spans.
    pub fn append(&mut self, other: SpanBatch) {
        self.bytes.extend_from_slice(&other.bytes);
        self.count += other.count;
    }

    /// Encode one span, field for field (in tag order) as prost encodes the `Span` of
    /// [`SpanSpec::build`].
    pub fn push(&mut self, s: &SpanSpec) {
        let buf = &mut self.bytes;
        encode_key(2, WireType::LengthDelimited, buf);
        let len_at = buf.len();
        let body_at = len_at;
        put_nonempty(1, &s.trace_id, buf);
        put_nonempty(2, &s.span_id, buf);
        put_nonempty(3, s.trace_state.as_bytes(), buf);
        if let Some(p) = &s.parent {
            put_nonempty(4, p, buf);
        }
        put_nonempty(5, s.name.as_bytes(), buf);
        let kind = s.kind as i32;
        if kind != 0 {
            encode_key(6, WireType::Varint, buf);
            encode_varint(kind as u64, buf);
        }
        put_fixed64(7, s.start_ns, buf);
        put_fixed64(8, s.end_ns.max(s.start_ns), buf);
        for a in &s.attributes {
            put_attr(a, buf);
        }
        // Status is always present (an unset status is an empty message).
        let (msg, code) = match &s.error {
            Some(m) => (m.as_str(), 2u64),
            None => ("", 0),
        };
        let msg_part = if msg.is_empty() {
            0
        } else {
            ld_len(2, msg.len())
        };
        let code_part = if code == 0 { 0 } else { key_len(3) + 1 };
        encode_key(15, WireType::LengthDelimited, buf);
        encode_varint((msg_part + code_part) as u64, buf);
        put_nonempty(2, msg.as_bytes(), buf);
        if code != 0 {
            encode_key(3, WireType::Varint, buf);
            encode_varint(code, buf);
        }
        // prost writes fields in tag order: `flags` (16) comes last.
        encode_key(16, WireType::ThirtyTwoBit, buf);
        buf.extend_from_slice(&s.flags().to_le_bytes());
        // The length goes before the body; it is only known now.
        let body_len = buf.len() - body_at;
        let mut len = Vec::with_capacity(5);
        encode_varint(body_len as u64, &mut len);
        buf.splice(len_at..len_at, len);
        self.count += 1;
    }
}

/// The `ExportTraceServiceRequest` bytes around `spans`: `resource` and `scope` are the
/// encoded `Resource` and `InstrumentationScope` messages.
pub fn export_request(resource: &[u8], scope: &[u8], spans: &[u8]) -> Vec<u8> {
    let scope_spans_len = ld_len(1, scope.len()) + spans.len();
    let resource_spans_len = ld_len(1, resource.len()) + ld_len(2, scope_spans_len);
    let mut out = Vec::with_capacity(ld_len(1, resource_spans_len));
    encode_key(1, WireType::LengthDelimited, &mut out);
    encode_varint(resource_spans_len as u64, &mut out);
    put_ld(1, resource, &mut out);
    encode_key(2, WireType::LengthDelimited, &mut out);
    encode_varint(scope_spans_len as u64, &mut out);
    put_ld(1, scope, &mut out);
    out.extend_from_slice(spans);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
    use opentelemetry_proto::tonic::common::v1::InstrumentationScope;
    use opentelemetry_proto::tonic::resource::v1::Resource;
    use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
    use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};
    use prost::Message;

    fn spec<'a>(parent: Option<[u8; 8]>, error: Option<String>, state: &'a str) -> SpanSpec<'a> {
        SpanSpec {
            trace_id: [7; 16],
            span_id: [9; 8],
            parent,
            trace_state: state,
            name: "agent.call",
            kind: SpanKind::Client,
            start_ns: 1_700_000_000_000_000_000,
            end_ns: 1_700_000_000_000_123_456,
            attributes: vec![
                Attr {
                    key: "s",
                    value: AttrValue::Str("gemini ✓".into()),
                },
                Attr {
                    key: "empty",
                    value: AttrValue::Str("".into()),
                },
                Attr {
                    key: "i",
                    value: AttrValue::Int(-3),
                },
                Attr {
                    key: "zero",
                    value: AttrValue::Int(0),
                },
                Attr {
                    key: "d",
                    value: AttrValue::Double(0.25),
                },
                Attr {
                    key: "b",
                    value: AttrValue::Bool(false),
                },
            ],
            error,
        }
    }

    /// One span as prost writes it inside `ScopeSpans` (field 2, length-delimited).
    fn prost_entry(span: &Span) -> Vec<u8> {
        let mut out = Vec::new();
        prost::encoding::message::encode(2, span, &mut out);
        out
    }

    #[test]
    fn spans_encode_to_the_bytes_prost_writes() {
        let long_error = "x".repeat(300);
        for s in [
            spec(None, None, ""),
            spec(Some([1; 8]), None, "k=v"),
            spec(Some([1; 8]), Some("agent timeout".into()), ""),
            spec(None, Some(long_error.clone()), "a=b,c=d"),
            SpanSpec {
                end_ns: 5,
                start_ns: 10,
                ..spec(None, None, "")
            },
        ] {
            let mut batch = SpanBatch::new();
            batch.push(&s);
            let what = format!("{s:?}");
            let reference = prost_entry(&s.build());
            assert_eq!(batch.bytes, reference, "{what}");
            assert_eq!(batch.len(), 1);
        }
    }

    #[test]
    fn a_request_decodes_to_the_spans_in_their_envelope() {
        let resource = Resource {
            attributes: vec![
                Attr {
                    key: "service.name",
                    value: AttrValue::Str("svc".into()),
                }
                .to_key_value(),
            ],
            ..Default::default()
        };
        let scope = InstrumentationScope {
            name: "obsgate-stub".into(),
            version: "1".into(),
            ..Default::default()
        };
        let specs = [
            spec(None, None, ""),
            spec(Some([2; 8]), Some("e".into()), "k=v"),
        ];
        let mut a = SpanBatch::new();
        a.push(&specs[0]);
        let mut b = SpanBatch::new();
        b.push(&specs[1]);
        a.append(b);
        assert_eq!(a.len(), 2);
        let body = export_request(&resource.encode_to_vec(), &scope.encode_to_vec(), &a.bytes);
        let decoded = ExportTraceServiceRequest::decode(body.as_slice());
        let expected = ExportTraceServiceRequest {
            resource_spans: vec![ResourceSpans {
                resource: Some(resource),
                scope_spans: vec![ScopeSpans {
                    scope: Some(scope),
                    spans: specs.into_iter().map(SpanSpec::build).collect(),
                    ..Default::default()
                }],
                ..Default::default()
            }],
        };
        assert_eq!(decoded.ok(), Some(expected.clone()));
        assert_eq!(body, expected.encode_to_vec());
    }
}
