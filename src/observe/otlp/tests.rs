//! Receiver tests: protobuf, JSON (every allowed form), gzip, and each rejection.

use std::io::Write;

use axum::body::Body;
use axum::http::Request;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span, Status};
use tower::ServiceExt;

use super::*;
use crate::evidence::{AttrValue, SpanKind, SpanStatus};

const TRACE: &str = "0af7651916cd43dd8448eb211c80319c";

fn kv(key: &str, v: any_value::Value) -> KeyValue {
    KeyValue {
        key: key.into(),
        value: Some(AnyValue { value: Some(v) }),
        ..Default::default()
    }
}

fn proto_request() -> ExportTraceServiceRequest {
    let span = Span {
        trace_id: vec![
            0x0a, 0xf7, 0x65, 0x19, 0x16, 0xcd, 0x43, 0xdd, 0x84, 0x48, 0xeb, 0x21, 0x1c, 0x80,
            0x31, 0x9c,
        ],
        span_id: vec![1, 2, 3, 4, 5, 6, 7, 8],
        parent_span_id: vec![8, 7, 6, 5, 4, 3, 2, 1],
        name: "stage.encode".into(),
        kind: 2,
        start_time_unix_nano: 1_700_000_000_000_000_000,
        end_time_unix_nano: 1_700_000_000_500_000_000,
        attributes: vec![
            kv("job.id", any_value::Value::StringValue("j-1".into())),
            kv("retries", any_value::Value::IntValue(3)),
        ],
        status: Some(Status {
            message: "boom".into(),
            code: 2,
        }),
        ..Default::default()
    };
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
                spans: vec![span],
                ..Default::default()
            }],
            ..Default::default()
        }],
    }
}

const JSON_BODY: &str = r#"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"stub"}}]},
 "futureField": {"x": 1},
 "scopeSpans":[{"scope":{"name":"s"},"spans":[
  {"traceId":"0AF7651916CD43DD8448EB211C80319C","spanId":"0102030405060708","parentSpanId":"",
   "name":"POST /v1/jobs","kind":"SPAN_KIND_CLIENT","startTimeUnixNano":"1700000000000000000",
   "endTimeUnixNano":1700000000100000000,"status":{"code":"STATUS_CODE_OK"},"unknown":true,
   "attributes":[{"key":"n","value":{"intValue":"42"}},{"key":"d","value":{"doubleValue":"NaN"}},
                 {"key":"b","value":{"boolValue":true}},{"key":"a","value":{"arrayValue":{"values":[{"stringValue":"x"},{"intValue":1}]}}}]},
  {"trace_id":"0af7651916cd43dd8448eb211c80319c","span_id":"0102030405060709","parent_span_id":"0102030405060708",
   "name":"stage","kind":1,"start_time_unix_nano":5,"end_time_unix_nano":"6","status":{"code":2,"message":"bad"}}
 ]}]}]}"#;

async fn post(
    router: Router,
    ct: &str,
    ce: Option<&str>,
    body: Vec<u8>,
) -> (StatusCode, String, Vec<u8>) {
    let mut req = Request::post("/v1/traces").header("content-type", ct);
    if let Some(ce) = ce {
        req = req.header("content-encoding", ce);
    }
    let Ok(req) = req.body(Body::from(body)) else {
        panic!("request")
    };
    let resp = router.oneshot(req).await.unwrap_or_else(|e| match e {});
    let status = resp.status();
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .map(|b| b.to_vec())
        .unwrap_or_default();
    (status, ct, bytes)
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let _ = enc.write_all(data);
    enc.finish().unwrap_or_default()
}

#[tokio::test]
async fn protobuf_export_is_stored_and_answered_in_protobuf() {
    let store = SpanStore::new(10);
    let (status, ct, body) = post(
        router(store.clone()),
        "application/x-protobuf",
        None,
        proto_request().encode_to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ct, "application/x-protobuf");
    assert_eq!(
        ExportTraceServiceResponse::decode(&body[..]),
        Ok(ExportTraceServiceResponse::default())
    );
    let spans = store.trace(TRACE);
    assert_eq!(spans.len(), 1);
    let s = &spans[0];
    assert_eq!(s.span_id, "0102030405060708");
    assert_eq!(s.parent_span_id.as_deref(), Some("0807060504030201"));
    assert_eq!(
        (s.kind, s.status, s.status_message.as_str()),
        (SpanKind::Server, SpanStatus::Error, "boom")
    );
    assert_eq!(s.service_name, "stub");
    assert_eq!(s.attributes.get("retries"), Some(&AttrValue::Int(3)));
}

#[tokio::test]
async fn json_export_accepts_every_form_of_the_mapping() {
    let store = SpanStore::new(10);
    let (status, ct, body) = post(
        router(store.clone()),
        "application/json; charset=utf-8",
        None,
        JSON_BODY.into(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    assert_eq!(
        (ct.as_str(), body.as_slice()),
        ("application/json", &b"{}"[..])
    );
    let spans = store.spans();
    assert_eq!(spans.len(), 2);
    let (a, b) = (&spans[0], &spans[1]);
    assert_eq!(a.trace_id, TRACE);
    assert_eq!(a.parent_span_id, None);
    assert_eq!((a.kind, a.status), (SpanKind::Client, SpanStatus::Ok));
    assert_eq!(a.start_unix_nano, 1_700_000_000_000_000_000);
    assert_eq!(a.end_unix_nano, 1_700_000_000_100_000_000);
    assert_eq!(a.attributes.get("n"), Some(&AttrValue::Int(42)));
    assert_eq!(a.attributes.get("b"), Some(&AttrValue::Bool(true)));
    assert!(matches!(a.attributes.get("d"), Some(AttrValue::Double(d)) if d.is_nan()));
    assert_eq!(
        a.attributes.get("a"),
        Some(&AttrValue::Other(r#"["x",1]"#.into()))
    );
    assert_eq!(b.parent_span_id.as_deref(), Some("0102030405060708"));
    assert_eq!(
        (b.kind, b.status, b.status_message.as_str()),
        (SpanKind::Internal, SpanStatus::Error, "bad")
    );
    assert_eq!((b.start_unix_nano, b.end_unix_nano), (5, 6));
    assert_eq!(store.trace_count(), 1);
    assert_eq!(store.by_trace().get(TRACE).map(Vec::len), Some(2));
    assert!(store.trace("ffffffffffffffffffffffffffffffff").is_empty());
}

#[tokio::test]
async fn gzip_bodies_are_decompressed() {
    let store = SpanStore::new(10);
    let body = gzip(&proto_request().encode_to_vec());
    let (status, _, _) = post(
        router(store.clone()),
        "application/x-protobuf",
        Some("gzip"),
        body,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let body = gzip(JSON_BODY.as_bytes());
    let (status, _, _) = post(
        router(store.clone()),
        "application/json",
        Some("gzip"),
        body,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(store.len(), 3);
}

#[tokio::test]
async fn oversized_bodies_get_413() {
    let store = SpanStore::new(10);
    // A small gzip that inflates past the limit: refused without keeping the whole output.
    let bomb = gzip(&vec![b' '; 64 * 1024]);
    let (status, _, body) = post(
        router_with_limit(store.clone(), 1024),
        "application/json",
        Some("gzip"),
        bomb,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        String::from_utf8_lossy(&body)
    );
    assert!(String::from_utf8_lossy(&body).contains("exceeds 1024 bytes"));
    let (status, _, _) = post(
        router_with_limit(store.clone(), 1024),
        "application/json",
        None,
        vec![b' '; 4096],
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!((store.len(), store.rejected_requests()), (0, 1));
}

#[tokio::test]
async fn malformed_bodies_get_400_with_a_reason() {
    let cases: Vec<(&str, Option<&str>, Vec<u8>, &str)> = vec![
        ("application/x-protobuf", None, vec![0xff, 0xff, 0xff], "invalid protobuf"),
        ("application/json", None, b"{not json".to_vec(), "invalid JSON"),
        ("application/json", None, b"[]".to_vec(), "must be a JSON object"),
        ("application/json", None, br#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"xyz","spanId":"0102030405060708"}]}]}]}"#.to_vec(), "resourceSpans[0].scopeSpans[0].spans[0].traceId"),
        ("application/json", None, br#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"0102030405060708","kind":"SERVER"}]}]}]}"#.to_vec(), "unknown span kind"),
        ("application/json", None, br#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"0102030405060708","startTimeUnixNano":"-1"}]}]}]}"#.to_vec(), "startTimeUnixNano"),
        ("application/json", Some("gzip"), b"not gzip".to_vec(), "invalid gzip"),
    ];
    for (ct, ce, body, needle) in cases {
        let store = SpanStore::new(10);
        let (status, _, resp) = post(router(store.clone()), ct, ce, body).await;
        let text = String::from_utf8_lossy(&resp).to_string();
        assert_eq!(status, StatusCode::BAD_REQUEST, "{needle}: {text}");
        assert!(text.contains(needle), "`{text}` lacks `{needle}`");
        assert_eq!(store.len(), 0);
    }
    // Protobuf errors come back as a protobuf google.rpc.Status.
    let (_, ct, resp) = post(
        router(SpanStore::new(1)),
        "application/x-protobuf",
        None,
        vec![0xff],
    )
    .await;
    assert_eq!(ct, "application/x-protobuf");
    let st = RpcStatus::decode(&resp[..]).unwrap_or_default();
    assert!(
        st.code == 3 && st.message.contains("invalid protobuf"),
        "{st:?}"
    );
}

#[tokio::test]
async fn wrong_content_type_or_encoding_gets_415() {
    let store = SpanStore::new(10);
    let (status, _, body) = post(router(store.clone()), "text/plain", None, JSON_BODY.into()).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(String::from_utf8_lossy(&body).contains("text/plain"));
    let (status, _, _) = post(
        router(store.clone()),
        "application/json",
        Some("br"),
        JSON_BODY.into(),
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(store.len(), 0);
}

#[tokio::test]
async fn a_full_store_counts_drops_and_reports_partial_success() {
    let store = SpanStore::new(1);
    let (status, _, body) = post(
        router(store.clone()),
        "application/json",
        None,
        JSON_BODY.into(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&body).contains(r#""rejectedSpans":"1""#));
    assert_eq!((store.len(), store.dropped()), (1, 1));
}

#[test]
fn ids_decode_from_hex_or_base64_and_reject_zero() {
    assert_eq!(
        decode_id("AQIDBAUGBwg=", 8).as_deref(),
        Some("0102030405060708")
    );
    assert_eq!(decode_id("0000000000000000", 8), None);
    assert_eq!(decode_id("01020304", 8), None);
}
