//! Harness of the stub integration tests: the stub as a child process (killed on drop), an
//! in-test OTLP/HTTP receiver, a small exposition parser and HTTP helpers.

use crate::util::{obsgate_path, poll_until};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value as AnyV;
use opentelemetry_proto::tonic::trace::v1::Span;
use prost::Message;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const WAIT: Duration = Duration::from_secs(30);

/// A running stub; killed on drop whatever happens in the test.
pub struct Stub {
    child: Child,
    pub base: String,
    stdout: Arc<Mutex<Vec<String>>>,
    /// The stdout reader; joined after the exit so the last lines are in `stdout`.
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Stub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Stub {
    pub fn start(args: &[&str], env: &[(&str, &str)]) -> Stub {
        let mut cmd = Command::new(obsgate_path());
        cmd.args(["stub", "--listen", "127.0.0.1:0", "--time-scale", "1000"])
            .args(args)
            .env_remove("OTEL_EXPORTER_OTLP_ENDPOINT")
            .env_remove("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
            .env_remove("OTEL_SERVICE_NAME")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn obsgate stub");
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let out = child.stdout.take().expect("piped stdout");
        let sink = stdout.clone();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                sink.lock().expect("stdout lock").push(line);
            }
        });
        let err = child.stderr.take().expect("piped stderr");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                if let Some(addr) = line.strip_prefix("listening on ") {
                    let _ = tx.send(addr.to_string());
                }
            }
        });
        let mut stub = Stub {
            child,
            base: String::new(),
            stdout,
            reader: Some(reader),
        };
        let addr = rx
            .recv_timeout(WAIT)
            .expect("stub printed `listening on ADDR`");
        stub.base = format!("http://{addr}");
        stub
    }

    /// SIGTERM, then wait for the exit (graceful shutdown flushes traces and logs).
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let status = poll_until(WAIT, "stub exit after SIGTERM", || {
            self.child.try_wait().ok().flatten()
        });
        // The exit closed stdout: the reader ends once it has read the last lines.
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
        status
    }

    pub fn logs(&self) -> Vec<Value> {
        let lines = self.stdout.lock().expect("stdout lock").clone();
        lines
            .iter()
            .map(|l| {
                serde_json::from_str(l)
                    .unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {l}"))
            })
            .collect()
    }
}

/// A tokio runtime for the HTTP client and the OTLP receiver.
pub fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

pub type Spans = Arc<Mutex<Vec<(String, Span)>>>;

/// Start an OTLP/HTTP receiver; returns its traces URL and what it received
/// (`service.name`, span).
pub fn receiver(rt: &tokio::runtime::Runtime) -> (String, Spans) {
    let spans: Spans = Arc::new(Mutex::new(Vec::new()));
    let sink = spans.clone();
    let app = axum::Router::new().route(
        "/v1/traces",
        axum::routing::post(move |body: axum::body::Bytes| {
            let sink = sink.clone();
            async move {
                let req = ExportTraceServiceRequest::decode(body.as_ref()).expect("protobuf body");
                for rs in req.resource_spans {
                    let service = rs
                        .resource
                        .iter()
                        .flat_map(|r| &r.attributes)
                        .find(|a| a.key == "service.name")
                        .and_then(|a| a.value.as_ref()?.value.as_ref())
                        .map(|v| match v {
                            AnyV::StringValue(s) => s.clone(),
                            _ => String::new(),
                        })
                        .unwrap_or_default();
                    for ss in rs.scope_spans {
                        for s in ss.spans {
                            sink.lock().expect("spans lock").push((service.clone(), s));
                        }
                    }
                }
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind receiver");
    let addr = listener.local_addr().expect("receiver addr");
    rt.spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/v1/traces"), spans)
}

pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub fn attr(s: &Span, key: &str) -> Option<String> {
    let v = s
        .attributes
        .iter()
        .find(|a| a.key == key)?
        .value
        .as_ref()?
        .value
        .as_ref()?;
    Some(match v {
        AnyV::StringValue(s) => s.clone(),
        AnyV::IntValue(i) => i.to_string(),
        AnyV::DoubleValue(d) => d.to_string(),
        AnyV::BoolValue(b) => b.to_string(),
        _ => String::new(),
    })
}

/// Submit a job with a known trace context; returns the 202 body.
pub fn submit(
    rt: &tokio::runtime::Runtime,
    base: &str,
    preset: &str,
    trace_id: &str,
    corr: &str,
) -> Value {
    rt.block_on(async {
        let res = reqwest::Client::new()
            .post(format!("{base}/v1/jobs"))
            .header("traceparent", format!("00-{trace_id}-00f067aa0ba902b7-01"))
            .header("x-correlation-id", corr)
            .json(&json!({"user_id": "u-7", "preset": preset}))
            .send()
            .await
            .expect("POST /v1/jobs");
        assert_eq!(res.status().as_u16(), 202);
        assert_eq!(
            res.headers()
                .get("x-correlation-id")
                .and_then(|v| v.to_str().ok()),
            Some(corr)
        );
        res.json::<Value>().await.expect("JSON body")
    })
}

pub fn get_json(rt: &tokio::runtime::Runtime, url: &str) -> Value {
    rt.block_on(async {
        reqwest::get(url)
            .await
            .expect("GET")
            .json::<Value>()
            .await
            .expect("JSON")
    })
}

pub fn scrape(rt: &tokio::runtime::Runtime, base: &str) -> String {
    rt.block_on(async {
        reqwest::get(format!("{base}/metrics"))
            .await
            .expect("GET /metrics")
            .text()
            .await
            .expect("text")
    })
}

/// One parsed sample: name, labels, value.
pub type Sample = (String, BTreeMap<String, String>, f64);

/// A small exposition parser for these tests: `name{l="v",...} value`, with `\\`, `\"` and
/// `\n` escapes in label values. Panics on a malformed line (the stub must never emit one).
pub fn parse_metrics(text: &str) -> (Vec<Sample>, BTreeMap<String, String>) {
    let mut samples = Vec::new();
    let mut types = BTreeMap::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (n, t) = rest
                .split_once(' ')
                .unwrap_or_else(|| panic!("bad TYPE line: {line}"));
            types.insert(n.to_string(), t.to_string());
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        let name_end = line
            .find(['{', ' '])
            .unwrap_or_else(|| panic!("bad sample: {line}"));
        let name = line[..name_end].to_string();
        let mut labels = BTreeMap::new();
        let mut rest = &line[name_end..];
        if let Some(body) = rest.strip_prefix('{') {
            let mut chars = body.char_indices();
            let mut key = String::new();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                match c {
                    '}' => {
                        end = Some(i + 1);
                        break;
                    }
                    ',' => {}
                    '=' => {
                        assert_eq!(chars.next().map(|x| x.1), Some('"'), "{line}");
                        let mut val = String::new();
                        loop {
                            match chars.next().map(|x| x.1) {
                                Some('\\') => match chars.next().map(|x| x.1) {
                                    Some('n') => val.push('\n'),
                                    Some(o) => val.push(o),
                                    None => panic!("{line}"),
                                },
                                Some('"') => break,
                                Some(o) => val.push(o),
                                None => panic!("unterminated label value: {line}"),
                            }
                        }
                        labels.insert(std::mem::take(&mut key), val);
                    }
                    o => key.push(o),
                }
            }
            rest = &body[end.unwrap_or_else(|| panic!("no closing brace: {line}"))..];
        }
        let value: f64 = rest
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("bad value: {line}"));
        samples.push((name, labels, value));
    }
    (samples, types)
}

pub fn sum_of(samples: &[Sample], name: &str, filter: &[(&str, &str)]) -> f64 {
    samples
        .iter()
        .filter(|(n, l, _)| {
            n == name
                && filter
                    .iter()
                    .all(|(k, v)| l.get(*k).map(String::as_str) == Some(*v))
        })
        .map(|(_, _, v)| v)
        .sum()
}

/// Submit `n` jobs over the presets and wait for each to end; returns (job_id, trace_id, status).
pub fn run_jobs(
    rt: &tokio::runtime::Runtime,
    stub: &Stub,
    n: usize,
) -> Vec<(String, String, String)> {
    let presets = ["short", "standard", "premium"];
    let mut out = Vec::new();
    for i in 0..n {
        let trace = format!("{:032x}", 0xabc000 + i);
        let r = submit(rt, &stub.base, presets[i % 3], &trace, &format!("corr-{i}"));
        out.push((
            r["job_id"].as_str().unwrap_or_default().to_string(),
            r["trace_id"].as_str().unwrap_or_default().to_string(),
        ));
    }
    out.into_iter()
        .map(|(id, trace)| {
            let v = poll_until(WAIT, "job end", || {
                let v = get_json(rt, &format!("{}/v1/jobs/{id}?wait=10", stub.base));
                matches!(v["status"].as_str(), Some("succeeded" | "failed")).then_some(v)
            });
            (
                id,
                trace,
                v["status"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}
