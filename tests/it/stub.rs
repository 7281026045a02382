//! Integration tests: `obsgate stub` as a child process on 127.0.0.1:0, driven over HTTP, with
//! its /metrics parsed, its stdout JSON lines captured and its spans received by a small
//! in-test OTLP/HTTP receiver. One test per defect switch shows the telemetry really changes.

pub(crate) mod harness;

use crate::util::{have, obsgate};
use harness::*;
use opentelemetry_proto::tonic::trace::v1::Span;
use serde_json::{Value, json};
use std::process::{Command, Stdio};

#[test]
fn stub_metrics_logs_and_spans_agree_with_what_happened() {
    let rt = rt();
    let (url, spans) = receiver(&rt);
    let mut stub = Stub::start(&["--otlp-endpoint", &url, "--seed", "5"], &[]);
    // Some QA rejections, agent retries and render retries, but jobs still succeed.
    rt.block_on(async {
        let r = reqwest::Client::new()
            .put(format!("{}/admin/faults", stub.base))
            .json(&json!({"qa_reject_ratio": 0.5, "agent_error_ratio": 0.3, "render_failure_ratio": 0.3}))
            .send()
            .await
            .expect("PUT faults");
        assert_eq!(r.status().as_u16(), 200);
    });
    let jobs = run_jobs(&rt, &stub, 9);
    let ok = jobs.iter().filter(|j| j.2 == "succeeded").count() as f64;
    let failed = jobs.iter().filter(|j| j.2 == "failed").count() as f64;

    let text = scrape(&rt, &stub.base);
    let (s, types) = parse_metrics(&text);
    for (name, t) in [
        ("pipeline_duration_seconds", "histogram"),
        ("pipeline_cost_dollars", "histogram"),
        ("ai_agent_calls_total", "counter"),
        ("render_failures_total", "counter"),
        ("user_jobs_completed_total", "counter"),
        ("pipeline_active_jobs", "gauge"),
        ("qa_gate_acceptance_total", "counter"),
        ("pubsub_queue_depth", "gauge"),
        ("db_operation_latency_seconds", "histogram"),
        ("api_response_time_seconds", "histogram"),
        ("ai_agent_latency_seconds", "histogram"),
        ("video_output_size_bytes", "histogram"),
    ] {
        assert_eq!(
            types.get(name).map(String::as_str),
            Some(t),
            "{name} in\n{text}"
        );
    }
    assert_eq!(sum_of(&s, "user_jobs_completed_total", &[]), ok);
    assert_eq!(
        sum_of(
            &s,
            "pipeline_duration_seconds_count",
            &[("status", "succeeded")]
        ),
        ok
    );
    assert_eq!(
        sum_of(
            &s,
            "pipeline_duration_seconds_count",
            &[("status", "failed")]
        ),
        failed
    );
    assert_eq!(sum_of(&s, "pipeline_cost_dollars_count", &[]), 9.0);
    assert_eq!(sum_of(&s, "pipeline_active_jobs", &[]), 0.0);
    assert_eq!(
        sum_of(&s, "pubsub_queue_depth", &[("topic", "video-jobs")]),
        0.0
    );
    // Every job that reached the QA gate was judged once; db.insert ran once per job.
    assert_eq!(
        sum_of(
            &s,
            "db_operation_latency_seconds_count",
            &[("operation", "insert")]
        ),
        9.0
    );
    let agent_calls = sum_of(&s, "ai_agent_calls_total", &[]);
    assert_eq!(
        sum_of(&s, "ai_agent_latency_seconds_count", &[]),
        agent_calls
    );
    assert_eq!(
        sum_of(
            &s,
            "api_response_time_seconds_count",
            &[("route", "/v1/jobs"), ("status", "202")]
        ),
        9.0
    );
    assert!(
        s.iter().all(|(_, l, _)| !l.contains_key("job_id")),
        "no unbounded label"
    );
    if have("promtool") {
        let mut p = Command::new("promtool")
            .args(["check", "metrics"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("promtool");
        std::io::Write::write_all(p.stdin.as_mut().expect("stdin"), text.as_bytes())
            .expect("write");
        let out = p.wait_with_output().expect("promtool output");
        assert!(
            out.status.success(),
            "promtool: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    } else {
        eprintln!("note: promtool not on PATH; skipping `promtool check metrics`");
    }

    assert!(stub.terminate().success());
    let logs = stub.logs();
    let required = [
        "timestamp",
        "level",
        "message",
        "service",
        "correlation_id",
        "trace_id",
        "span_id",
        "user_id",
        "job_id",
        "preset",
        "stage",
        "severity",
        "logging.googleapis.com/trace",
        "logging.googleapis.com/spanId",
    ];
    // Lines about a job carry every field; request lines outside a job (metrics, health,
    // admin) leave out the job fields they have no value for.
    let job_fields = ["user_id", "job_id", "preset"];
    for l in &logs {
        let is_job_line = l.get("job_id").is_some();
        for f in required {
            if is_job_line || !job_fields.contains(&f) {
                assert!(l.get(f).is_some(), "field {f} missing in {l}");
            }
        }
        assert_eq!(l["severity"], l["level"]);
        assert_eq!(l["service"], "pipeline-stub");
    }
    for (i, (id, trace, status)) in jobs.iter().enumerate() {
        let mine: Vec<&Value> = logs.iter().filter(|l| l["job_id"] == id.as_str()).collect();
        let errors = mine.iter().filter(|l| l["level"] == "ERROR").count();
        assert_eq!(
            errors,
            usize::from(status == "failed"),
            "job {id}: {mine:?}"
        );
        assert!(mine.iter().any(|l| l["message"] == "job accepted"));
        for l in &mine {
            assert_eq!(l["trace_id"], trace.as_str());
            assert_eq!(l["correlation_id"], format!("corr-{i}"));
            assert_eq!(
                l["logging.googleapis.com/trace"],
                format!("projects/obsgate/traces/{trace}")
            );
        }
    }

    let spans = spans.lock().expect("spans").clone();
    assert!(spans.iter().all(|(svc, _)| svc == "pipeline-stub"));
    for (_, trace, status) in &jobs {
        let t: Vec<&Span> = spans
            .iter()
            .map(|(_, s)| s)
            .filter(|s| hex(&s.trace_id) == *trace)
            .collect();
        let server = t
            .iter()
            .find(|s| s.name == "POST /v1/jobs")
            .unwrap_or_else(|| panic!("no server span in {t:?}"));
        assert_eq!(
            hex(&server.parent_span_id),
            "00f067aa0ba902b7",
            "parent is the caller's span"
        );
        assert_eq!(server.kind, 2, "SERVER");
        assert_eq!(
            attr(server, "http.response.status_code").as_deref(),
            Some("202")
        );
        let run = t
            .iter()
            .find(|s| s.name == "pipeline.run")
            .expect("pipeline.run");
        assert_eq!(run.parent_span_id, server.span_id);
        assert_eq!(
            run.status.as_ref().map(|s| s.code == 2),
            Some(status == "failed")
        );
        let children: Vec<&str> = t
            .iter()
            .filter(|s| s.parent_span_id == run.span_id)
            .map(|s| s.name.as_str())
            .collect();
        for want in ["pubsub.publish", "db.insert", "agent.call"] {
            assert!(children.contains(&want), "{want} missing: {children:?}");
        }
        if status == "succeeded" {
            for want in ["render", "qa.gate", "db.update"] {
                assert!(children.contains(&want), "{want} missing: {children:?}");
            }
        }
        assert_eq!(
            children.len() + 2,
            t.len(),
            "every other span is a child of pipeline.run"
        );
        let agent = t
            .iter()
            .find(|s| s.name == "agent.call")
            .expect("agent.call");
        assert_eq!(attr(agent, "gen_ai.system").as_deref(), Some("gemini"));
        assert!(attr(agent, "gen_ai.request.model").is_some_and(|m| m.starts_with("gemini")));
    }
}

#[test]
fn shutdown_fails_queued_jobs_after_the_grace_and_flushes() {
    let rt = rt();
    let mut stub = Stub::start(&["--shutdown-grace-s", "0.2"], &[]);
    rt.block_on(async {
        reqwest::Client::new()
            .put(format!("{}/admin/faults", stub.base))
            .json(&json!({"consumer_stall": true}))
            .send()
            .await
            .expect("PUT faults");
    });
    for i in 0..3 {
        submit(
            &rt,
            &stub.base,
            "short",
            &format!("{:032x}", 0xdd00 + i),
            "c",
        );
    }
    let m = parse_metrics(&scrape(&rt, &stub.base)).0;
    assert_eq!(sum_of(&m, "pubsub_queue_depth", &[]), 3.0);
    assert!(stub.terminate().success());
    let errors: Vec<Value> = stub
        .logs()
        .into_iter()
        .filter(|l| l["level"] == "ERROR")
        .collect();
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(errors.iter().all(|l| {
        l["message"]
            .as_str()
            .is_some_and(|m| m.contains("shutdown"))
    }));
}

#[test]
fn refuses_non_loopback_without_token_and_bad_defects() {
    obsgate()
        .args(["stub", "--listen", "0.0.0.0:0"])
        .env_remove("OBSGATE_ADMIN_TOKEN")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--admin-token"));
    obsgate()
        .args([
            "stub",
            "--listen",
            "127.0.0.1:0",
            "--defect",
            "rename-metric=oops",
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("OLD:NEW"));
}

#[test]
fn otel_environment_variables_are_honoured() {
    let rt = rt();
    let (url, spans) = receiver(&rt);
    let base = url.trim_end_matches("/v1/traces").to_string();
    let mut stub = Stub::start(
        &[],
        &[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", &base),
            ("OTEL_SERVICE_NAME", "video-api"),
        ],
    );
    run_jobs(&rt, &stub, 1);
    assert!(stub.terminate().success());
    let spans = spans.lock().expect("spans").clone();
    assert!(
        !spans.is_empty(),
        "spans exported to OTEL_EXPORTER_OTLP_ENDPOINT/v1/traces"
    );
    assert!(spans.iter().all(|(svc, _)| svc == "video-api"));
    assert!(stub.logs().iter().all(|l| l["service"] == "video-api"));
}

// One test per defect switch: the same action with and without the defect, and the telemetry
// differs where the defect says.

#[test]
fn defect_drop_traceparent_starts_new_traces() {
    let rt = rt();
    let (url, spans) = receiver(&rt);
    let mut stub = Stub::start(
        &["--otlp-endpoint", &url, "--defect", "drop-traceparent"],
        &[],
    );
    let jobs = run_jobs(&rt, &stub, 2);
    assert!(stub.terminate().success());
    let spans = spans.lock().expect("spans").clone();
    for (i, (_, trace, _)) in jobs.iter().enumerate() {
        assert_ne!(
            trace,
            &format!("{:032x}", 0xabc000 + i),
            "incoming trace id ignored"
        );
        let server = spans
            .iter()
            .map(|(_, s)| s)
            .find(|s| hex(&s.trace_id) == *trace && s.name == "POST /v1/jobs")
            .expect("server span");
        assert!(
            server.parent_span_id.is_empty(),
            "no parent with the defect"
        );
    }
}

#[test]
fn defect_omit_log_field_removes_the_key_everywhere() {
    let rt = rt();
    let mut stub = Stub::start(&["--defect", "omit-log-field=correlation_id"], &[]);
    run_jobs(&rt, &stub, 1);
    assert!(stub.terminate().success());
    let logs = stub.logs();
    assert!(!logs.is_empty());
    assert!(
        logs.iter()
            .all(|l| l.get("correlation_id").is_none() && l.get("trace_id").is_some())
    );
}

#[test]
fn defect_rename_metric_exposes_the_new_name_only() {
    let rt = rt();
    let stub = Stub::start(
        &[
            "--defect",
            "rename-metric=render_failures_total:render_failure_total",
        ],
        &[],
    );
    let (s, types) = parse_metrics(&scrape(&rt, &stub.base));
    assert_eq!(
        types.get("render_failure_total").map(String::as_str),
        Some("counter")
    );
    assert!(!types.contains_key("render_failures_total"));
    assert!(s.iter().all(|(n, _, _)| n != "render_failures_total"));
}

#[test]
fn defect_wrong_metric_type_lies_about_the_type() {
    let rt = rt();
    let stub = Stub::start(
        &["--defect", "wrong-metric-type=pipeline_duration_seconds"],
        &[],
    );
    run_jobs(&rt, &stub, 1);
    let (s, types) = parse_metrics(&scrape(&rt, &stub.base));
    assert_eq!(
        types.get("pipeline_duration_seconds").map(String::as_str),
        Some("gauge")
    );
    assert!(
        s.iter()
            .all(|(n, _, _)| n != "pipeline_duration_seconds_count")
    );
    assert!(
        s.iter()
            .any(|(n, _, v)| n == "pipeline_duration_seconds" && *v > 0.0)
    );
}

#[test]
fn defect_unbounded_label_adds_one_series_per_job() {
    let rt = rt();
    let stub = Stub::start(&["--defect", "unbounded-label"], &[]);
    let jobs = run_jobs(&rt, &stub, 3);
    let (s, _) = parse_metrics(&scrape(&rt, &stub.base));
    let ids: std::collections::BTreeSet<&str> = s
        .iter()
        .filter(|(n, _, _)| n == "pipeline_duration_seconds_count")
        .filter_map(|(_, l, _)| l.get("job_id").map(String::as_str))
        .collect();
    assert_eq!(ids.len(), 3);
    assert!(jobs.iter().all(|(id, _, _)| ids.contains(id.as_str())));
}

#[test]
fn defect_no_trace_export_sends_nothing() {
    let rt = rt();
    let (url, spans) = receiver(&rt);
    let mut stub = Stub::start(
        &["--otlp-endpoint", &url, "--defect", "no-trace-export"],
        &[],
    );
    run_jobs(&rt, &stub, 2);
    assert!(
        stub.terminate().success(),
        "shutdown flushed whatever was queued"
    );
    assert!(spans.lock().expect("spans").is_empty(), "no span exported");
}
