//! OTLP receiver decode throughput (spans/s): protobuf, gzip-compressed protobuf and JSON
//! export requests of 1000 spans with typical attributes, decoded into `SpanRecord`s.

use std::hint::black_box;
use std::io::Write;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use obsgate::observe::otlp::{Encoding, MAX_BODY_BYTES, decode, gunzip_limited};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span, Status};
use prost::Message;

const SPANS: usize = 1000;

fn kv(key: &str, v: any_value::Value) -> KeyValue {
    KeyValue {
        key: key.into(),
        value: Some(AnyValue { value: Some(v) }),
        ..Default::default()
    }
}

fn request() -> ExportTraceServiceRequest {
    let spans = (0..SPANS)
        .map(|i| {
            let i64v = i as u64;
            Span {
                trace_id: ((i64v / 8) as u128 + 1).to_be_bytes().to_vec(),
                span_id: (i64v + 1).to_be_bytes().to_vec(),
                parent_span_id: if i % 8 == 0 {
                    Vec::new()
                } else {
                    (i64v).to_be_bytes().to_vec()
                },
                name: format!(
                    "stage.{}",
                    ["probe", "transcode", "package", "publish"][i % 4]
                ),
                kind: 1 + (i % 3) as i32,
                start_time_unix_nano: 1_700_000_000_000_000_000 + i64v * 1000,
                end_time_unix_nano: 1_700_000_000_000_500_000 + i64v * 1000,
                attributes: vec![
                    kv(
                        "job.id",
                        any_value::Value::StringValue(format!("job-{}", i / 8)),
                    ),
                    kv("preset", any_value::Value::StringValue("1080p".into())),
                    kv("attempt", any_value::Value::IntValue(1)),
                    kv("http.status_code", any_value::Value::IntValue(200)),
                ],
                status: Some(Status {
                    message: String::new(),
                    code: if i % 10 == 0 { 2 } else { 0 },
                }),
                ..Default::default()
            }
        })
        .collect();
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            resource: Some(Resource {
                attributes: vec![kv(
                    "service.name",
                    any_value::Value::StringValue("stub".into()),
                )],
                ..Default::default()
            }),
            scope_spans: vec![ScopeSpans {
                spans,
                ..Default::default()
            }],
            ..Default::default()
        }],
    }
}

fn bench(c: &mut Criterion) {
    let req = request();
    let pb = req.encode_to_vec();
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let gz = enc
        .write_all(&pb)
        .and_then(|()| enc.finish())
        .unwrap_or_default();
    let json = serde_json::to_vec(&req).unwrap_or_default();
    for (body, encoding) in [(&pb, Encoding::Protobuf), (&json, Encoding::Json)] {
        assert_eq!(
            decode(body, encoding).map(|s| s.len()),
            Ok(SPANS),
            "bench input must decode"
        );
    }
    let mut g = c.benchmark_group("otlp-decode");
    g.throughput(Throughput::Elements(SPANS as u64));
    g.bench_function("protobuf", |b| {
        b.iter(|| decode(black_box(&pb), Encoding::Protobuf))
    });
    g.bench_function("protobuf+gzip", |b| {
        b.iter(|| {
            let plain = gunzip_limited(black_box(&gz), MAX_BODY_BYTES).unwrap_or_default();
            decode(&plain, Encoding::Protobuf)
        })
    });
    g.bench_function("json", |b| {
        b.iter(|| decode(black_box(&json), Encoding::Json))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30);
    targets = bench
}
criterion_main!(benches);
