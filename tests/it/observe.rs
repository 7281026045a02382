//! Integration tests: observe. The exposition parser checked against a real Prometheus
//! (differential), against the shared corpus with injected defects, and the OTLP receiver over
//! real TCP.

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use obsgate::evidence::{Exposition, ExpositionFormat, MetricType};
use obsgate::observe::exposition::{format_from_content_type, parse, parse_all_errors};
use obsgate::observe::otlp::{SpanStore, serve};

use crate::util;

/// Prometheus's own series for each job; not part of the scraped text.
const SYNTHETIC: [&str; 5] = [
    "up",
    "scrape_duration_seconds",
    "scrape_samples_scraped",
    "scrape_samples_post_metric_relabeling",
    "scrape_series_added",
];

/// Bodies Prometheus refuses to ingest: obsgate's parser must refuse each of them too.
const REFUSED: [(&str, &str); 4] = [
    ("text/plain; version=0.0.4", "ok 1\nbad_value 1abc\n"),
    (
        "text/plain; version=0.0.4",
        "ok 1\nunterminated{a=\"1\" 2\n",
    ),
    ("text/plain; version=0.0.4", "ok 1\n\tindented 2\n"),
    (
        "application/openmetrics-text; version=1.0.0",
        "# TYPE a gauge\na 1\n",
    ),
];

/// A child process killed (and reaped) on every path out of the test.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn fixture(name: &str) -> String {
    let path = util::repo_root()
        .join("tests/fixtures/exposition")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The fixture with its timestamps set to now, so Prometheus stores them in its head block.
fn with_now(text: &str) -> String {
    let now_ms = chrono::Utc::now().timestamp_millis();
    text.replace("{TS}", &now_ms.to_string())
        .replace("{TS_S}", &format!("{}.{:03}", now_ms / 1000, now_ms % 1000))
}

/// The shared corpus: beside the repository, or beside the folder holding its worktree.
fn corpus_dir() -> Option<std::path::PathBuf> {
    util::corpus_dir().or_else(|| {
        let p = util::repo_root().join("../../shared/corpus");
        p.is_dir().then_some(p)
    })
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free port: {e}"))
}

type Series = BTreeMap<String, String>;

/// What Prometheus should store for the parsed text: `__name__`, `job`, `instance` added,
/// clashing target labels renamed to `exported_*`, empty label values dropped.
fn expected_series(x: &Exposition, job: &str, instance: &str) -> Vec<(Series, f64)> {
    let mut out = Vec::new();
    for f in &x.families {
        for s in &f.samples {
            let mut labels = Series::new();
            for (k, v) in &s.labels {
                if v.is_empty() {
                    continue;
                }
                let k = if k == "job" || k == "instance" {
                    format!("exported_{k}")
                } else {
                    k.clone()
                };
                labels.insert(k, v.clone());
            }
            labels.insert("__name__".into(), s.name.clone());
            labels.insert("job".into(), job.into());
            labels.insert("instance".into(), instance.into());
            out.push((labels, s.value));
        }
    }
    out
}

async fn get_json(client: &reqwest::Client, url: &str) -> Option<serde_json::Value> {
    client.get(url).send().await.ok()?.json().await.ok()
}

fn prom_value(v: &serde_json::Value) -> f64 {
    match v
        .get("value")
        .and_then(|v| v.get(1))
        .and_then(|v| v.as_str())
    {
        Some("NaN") => f64::NAN,
        Some("+Inf") => f64::INFINITY,
        Some("-Inf") => f64::NEG_INFINITY,
        Some(s) => s.parse().unwrap_or_else(|_| panic!("bad value {s}")),
        None => panic!("no value in {v}"),
    }
}

fn same_value(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a == b
}

/// Serve the tricky fixtures (0.0.4 and OpenMetrics), let a real Prometheus scrape them, and
/// compare its series and values with what obsgate's parser reads from the same text; and
/// check that bodies Prometheus refuses are refused by obsgate's parser too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parser_agrees_with_real_prometheus() {
    if !util::have("prometheus") {
        eprintln!("note: `prometheus` not on PATH; differential test skipped");
        return;
    }
    let text_tpl = fixture("tricky.prom");
    let om_tpl = fixture("tricky.openmetrics.txt");
    let (t1, t2) = (text_tpl.clone(), om_tpl.clone());
    let app = axum::Router::new()
        .route(
            "/text",
            axum::routing::get(move || {
                let body = with_now(&t1);
                async move {
                    (
                        [("content-type", "text/plain; version=0.0.4; charset=utf-8")],
                        body,
                    )
                }
            }),
        )
        .route(
            "/om",
            axum::routing::get(move || {
                let body = with_now(&t2);
                async move {
                    (
                        [(
                            "content-type",
                            "application/openmetrics-text; version=1.0.0; charset=utf-8",
                        )],
                        body,
                    )
                }
            }),
        )
        .route(
            "/bad/{n}",
            axum::routing::get(
                |axum::extract::Path(n): axum::extract::Path<usize>| async move {
                    let (ct, body) = REFUSED.get(n).copied().unwrap_or(("text/plain", ""));
                    ([("content-type", ct)], body)
                },
            ),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let target = listener
        .local_addr()
        .unwrap_or_else(|e| panic!("{e}"))
        .to_string();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let config = format!(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\nscrape_configs:\n\
         - job_name: text\n  metrics_path: /text\n  static_configs: [{{targets: ['{target}']}}]\n\
         - job_name: om\n  metrics_path: /om\n  static_configs: [{{targets: ['{target}']}}]\n"
    );
    let bad_jobs: String = (0..REFUSED.len())
        .map(|n| {
            format!(
                "- job_name: bad{n}\n  metrics_path: /bad/{n}\n  static_configs: [{{targets: ['{target}']}}]\n"
            )
        })
        .collect();
    let config = config + &bad_jobs;
    let config_path = dir.path().join("prometheus.yml");
    std::fs::write(&config_path, config).unwrap_or_else(|e| panic!("{e}"));
    let port = free_port();
    let child = Command::new("prometheus")
        .arg(format!("--config.file={}", config_path.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.path().join("data").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("starting prometheus: {e}"));
    let _guard = KillOnDrop(child);
    let api = format!("http://127.0.0.1:{port}/api/v1");
    let client = reqwest::Client::new();

    // The good targets up and every refused one down, within a deadline.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let targets = get_json(&client, &format!("{api}/targets")).await;
        let active = targets
            .as_ref()
            .and_then(|t| t.pointer("/data/activeTargets"))
            .and_then(|a| a.as_array())
            .cloned()
            .unwrap_or_default();
        let health: BTreeMap<String, (String, String)> = active
            .iter()
            .map(|t| {
                let s = |p: &str| {
                    t.pointer(p)
                        .and_then(|v| v.as_str())
                        .unwrap_or("")
                        .to_string()
                };
                (s("/labels/job"), (s("/health"), s("/lastError")))
            })
            .collect();
        let state = |job: &str| health.get(job).map_or("", |(h, _)| h.as_str());
        for job in ["text", "om"] {
            let err = health.get(job).map_or("", |(_, e)| e.as_str());
            assert_ne!(
                state(job),
                "down",
                "prometheus refused `{job}`, which obsgate's parser accepts: {err}"
            );
        }
        let bad_down = (0..REFUSED.len()).all(|n| state(&format!("bad{n}")) == "down");
        if state("text") == "up" && state("om") == "up" && bad_down {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "targets not settled within 60 s: {health:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for (n, (ct, body)) in REFUSED.iter().enumerate() {
        let ours = parse(body, format_from_content_type(ct));
        assert!(
            ours.is_err(),
            "bad{n}: prometheus refuses {body:?} but obsgate parsed it"
        );
    }

    for (job, tpl, format) in [
        ("text", &text_tpl, ExpositionFormat::Text004),
        ("om", &om_tpl, ExpositionFormat::OpenMetrics),
    ] {
        let ours = parse(&with_now(tpl), format).unwrap_or_else(|e| panic!("{job}: {e}"));
        let expected = expected_series(&ours, job, &target);
        let url = format!("{api}/query?query=%7Bjob%3D%22{job}%22%7D");
        let resp = get_json(&client, &url)
            .await
            .unwrap_or_else(|| panic!("no answer from {url}"));
        let result = resp
            .pointer("/data/result")
            .and_then(|r| r.as_array())
            .cloned()
            .unwrap_or_default();
        let mut theirs: BTreeMap<Series, f64> = BTreeMap::new();
        for r in &result {
            let labels: Series =
                serde_json::from_value(r.get("metric").cloned().unwrap_or_default())
                    .unwrap_or_default();
            if SYNTHETIC.contains(&labels.get("__name__").map_or("", String::as_str)) {
                continue;
            }
            theirs.insert(labels, prom_value(r));
        }
        let ours_set: BTreeSet<&Series> = expected.iter().map(|(s, _)| s).collect();
        let theirs_set: BTreeSet<&Series> = theirs.keys().collect();
        let only_ours: Vec<_> = ours_set.difference(&theirs_set).collect();
        let only_theirs: Vec<_> = theirs_set.difference(&ours_set).collect();
        assert!(
            only_ours.is_empty() && only_theirs.is_empty(),
            "{job}: series differ\nonly in obsgate: {only_ours:#?}\nonly in prometheus: {only_theirs:#?}"
        );
        for (labels, v) in &expected {
            let p = theirs.get(labels).copied().unwrap_or(f64::NAN);
            assert!(
                same_value(*v, p),
                "{job}: {labels:?}: obsgate {v}, prometheus {p}"
            );
        }
        assert!(
            expected.len() >= 15,
            "{job}: only {} series compared",
            expected.len()
        );
    }
    server.abort();
}

/// Real expositions with a defect injected at a known line: the parser names that line.
#[test]
fn injected_defects_in_real_expositions_are_reported_at_their_line() {
    let Some(corpus) = corpus_dir() else {
        eprintln!("note: shared corpus absent; test skipped");
        return;
    };
    let path = corpus.join("exposition/node_exporter-1.5.0_metrics.prom");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("note: {} absent; test skipped", path.display());
        return;
    };
    assert!(parse(&text, ExpositionFormat::Text004).is_ok());
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    // Three realistic defects: an unescaped quote, a value with a unit, a duplicated series.
    let sample_lines: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && l.contains('{'))
        .map(|(i, _)| i)
        .take(40)
        .collect();
    let (a, b, c) = (sample_lines[5], sample_lines[20], sample_lines[30]);
    lines[a] = lines[a].replacen("=\"", "=\"un\"escaped", 1);
    lines[b] = format!("{}ms", lines[b]);
    lines.insert(c + 1, lines[c].clone());
    let broken = lines.join("\n") + "\n";
    let (_, errors) = parse_all_errors(&broken, ExpositionFormat::Text004);
    let at: Vec<usize> = errors.iter().map(|e| e.line).collect();
    assert_eq!(at, vec![a + 1, b + 1, c + 2], "{errors:#?}");
    assert!(errors[1].message.contains("ms"), "{}", errors[1]);
    assert!(
        errors[2].message.contains("duplicate series"),
        "{}",
        errors[2]
    );
    assert!(parse(&broken, ExpositionFormat::Text004).is_err());
}

/// Every corpus file parses as its real format. A 0.0.4 file read as OpenMetrics fails with a
/// line number; OpenMetrics read as 0.0.4 is legal text but loses its counters' samples (they
/// land in untyped `_total` families), which is why the Content-Type must pick the format.
#[test]
fn corpus_files_parse_as_their_real_format_only() {
    let Some(corpus) = corpus_dir() else {
        eprintln!("note: shared corpus absent; test skipped");
        return;
    };
    let entries = std::fs::read_dir(corpus.join("exposition"))
        .map(|d| d.flatten().collect::<Vec<_>>())
        .unwrap_or_default();
    assert!(entries.len() >= 9, "corpus has {} files", entries.len());
    for e in entries {
        let path = e.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_string();
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        if name.ends_with(".openmetrics.txt") {
            let om = parse(&text, ExpositionFormat::OpenMetrics)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            let counters = om
                .families
                .iter()
                .filter(|f| f.mtype == MetricType::Counter)
                .count();
            assert!(counters > 0, "{name}: no counters");
            let as_text =
                parse(&text, ExpositionFormat::Text004).unwrap_or_else(|e| panic!("{name}: {e}"));
            let typed_counters_with_samples = as_text
                .families
                .iter()
                .filter(|f| f.mtype == MetricType::Counter && !f.samples.is_empty())
                .count();
            assert_eq!(typed_counters_with_samples, 0, "{name}");
        } else {
            assert!(parse(&text, ExpositionFormat::Text004).is_ok(), "{name}");
            let wrong = parse(&text, ExpositionFormat::OpenMetrics)
                .err()
                .unwrap_or_else(|| panic!("{name} parsed as OpenMetrics"));
            assert!(wrong.line >= 1, "{name}: {wrong}");
        }
    }
}

#[tokio::test]
async fn otlp_receiver_serves_over_tcp_until_shutdown() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    let store = SpanStore::new(100);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(serve(listener, store.clone(), async {
        let _ = rx.await;
    }));
    let body = r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"x","kind":"SPAN_KIND_SERVER"}]}]}]}"#;
    let client = reqwest::Client::new();
    let resp = client
        .post(format!("http://{addr}/v1/traces"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(resp.status(), 200);
    let bad = client
        .post(format!("http://{addr}/v1/traces"))
        .header("content-type", "application/json")
        .body("{\"resourceSpans\": 5}")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(bad.status(), 400);
    assert!(
        bad.text()
            .await
            .unwrap_or_default()
            .contains("resourceSpans: expected an array")
    );
    assert_eq!(store.trace("0AF7651916CD43DD8448EB211C80319C").len(), 1);
    let _ = tx.send(());
    assert!(matches!(task.await, Ok(Ok(()))));
}
