//! Fixture telemetry of the healthy run: the stub's log lines and exported spans, with the
//! defect switches applied.

use std::collections::BTreeMap;

use serde_json::json;

use super::fixtures::{Defect, jobs};
use crate::evidence::{
    AttrValue, JobOutcome, JobRecord, LogLine, SpanKind, SpanRecord, SpanStatus,
};

/// Trace id the stub would make up when it ignores `traceparent`.
pub fn own_trace_id(i: usize) -> String {
    format!("{:032x}", 0xdef0_0000_u64 + i as u64)
}

/// Apply a defect to the harness's records (what the stub answered).
pub fn jobs_for(d: Defect) -> Vec<JobRecord> {
    let mut js = jobs();
    if d == Defect::DropTraceparent {
        for (i, j) in js.iter_mut().enumerate() {
            j.returned_trace_id = Some(own_trace_id(i));
        }
    }
    js
}

fn job_trace(j: &JobRecord, i: usize, d: Defect) -> String {
    if d == Defect::DropTraceparent {
        own_trace_id(i)
    } else {
        j.trace_id.clone()
    }
}

fn line(n: &mut u64, v: serde_json::Value, d: Defect) -> LogLine {
    let mut v = v;
    if d == Defect::OmitCorrelationId
        && let Some(o) = v.as_object_mut()
    {
        o.remove("correlation_id");
    }
    *n += 1;
    LogLine {
        line: *n,
        text: v.to_string(),
    }
}

fn log_obj(
    level: &str,
    msg: &str,
    j: &JobRecord,
    tid: &str,
    span: &str,
    stage: Option<&str>,
) -> serde_json::Value {
    let mut v = json!({
        "timestamp": "2027-01-15T08:00:00.123Z",
        "level": level,
        "severity": level,
        "message": msg,
        "service": "pipeline-stub",
        "correlation_id": j.correlation_id,
        "trace_id": tid,
        "span_id": span,
        "user_id": j.user_id,
        "logging.googleapis.com/trace": format!("projects/obsgate/traces/{tid}"),
        "logging.googleapis.com/spanId": span,
    });
    if let (Some(stage), Some(o)) = (stage, v.as_object_mut()) {
        o.insert("job_id".into(), json!(j.job_id));
        o.insert("preset".into(), json!(j.preset));
        o.insert("stage".into(), json!(stage));
    }
    v
}

/// The stub's stdout for the run.
pub fn log_lines(jobs: &[JobRecord], d: Defect) -> Vec<LogLine> {
    let mut n = 0;
    let mut out = Vec::new();
    for (i, j) in jobs.iter().enumerate() {
        let tid = job_trace(j, i, d);
        let span = format!("{:016x}", 0x5e00_0000_u64 + i as u64);
        out.push(line(
            &mut n,
            log_obj("INFO", "POST /v1/jobs accepted", j, &tid, &span, None),
            d,
        ));
        for stage in ["queue", "db", "agent", "render", "qa"] {
            out.push(line(
                &mut n,
                log_obj("INFO", "stage done", j, &tid, &span, Some(stage)),
                d,
            ));
        }
        if j.outcome == JobOutcome::Failed {
            out.push(line(
                &mut n,
                log_obj("ERROR", "job failed", j, &tid, &span, Some("render")),
                d,
            ));
        }
    }
    out
}

fn span(
    tid: &str,
    id: String,
    parent: Option<String>,
    name: &str,
    kind: SpanKind,
    t0: u64,
    ms: u64,
) -> SpanRecord {
    SpanRecord {
        trace_id: tid.to_string(),
        span_id: id,
        parent_span_id: parent,
        name: name.to_string(),
        kind,
        start_unix_nano: t0,
        end_unix_nano: t0 + ms * 1_000_000,
        status: SpanStatus::Unset,
        status_message: String::new(),
        service_name: "pipeline-stub".into(),
        attributes: BTreeMap::new(),
    }
}

fn attr(s: &mut SpanRecord, k: &str, v: &str) {
    s.attributes
        .insert(k.to_string(), AttrValue::Str(v.to_string()));
}

/// The spans the stub exported for the run.
pub fn spans(jobs: &[JobRecord], d: Defect) -> Vec<SpanRecord> {
    if d == Defect::NoTraceExport {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, j) in jobs.iter().enumerate() {
        let tid = job_trace(j, i, d);
        let id = |k: u64| format!("{:016x}", ((i as u64 + 1) << 16) + k);
        let t0 = j.sent_unix_nano + 1_000_000;
        let parent = (d != Defect::DropTraceparent).then(|| j.client_span_id.clone());
        let mut server = span(
            &tid,
            id(1),
            parent,
            "POST /v1/jobs",
            SpanKind::Server,
            t0,
            5,
        );
        attr(&mut server, "http.request.method", "POST");
        attr(&mut server, "http.route", "/v1/jobs");
        out.push(server);
        let failed = j.outcome == JobOutcome::Failed;
        let mut run = span(
            &tid,
            id(2),
            Some(id(1)),
            "pipeline.run",
            SpanKind::Internal,
            t0 + 2_000_000,
            4000,
        );
        if failed {
            run.status = SpanStatus::Error;
            run.status_message = "render failed".into();
        }
        out.push(run);
        let stage = |k: u64, name: &str, kind: SpanKind| {
            span(
                &tid,
                id(k),
                Some(id(2)),
                name,
                kind,
                t0 + k * 10_000_000,
                100,
            )
        };
        let mut p = stage(3, "pubsub.publish", SpanKind::Producer);
        attr(&mut p, "messaging.destination.name", "jobs");
        out.push(p);
        let mut ins = stage(4, "db.insert", SpanKind::Client);
        attr(&mut ins, "db.operation.name", "insert");
        out.push(ins);
        for k in [5, 6] {
            let mut a = stage(k, "agent.call", SpanKind::Client);
            attr(&mut a, "gen_ai.operation.name", "chat");
            attr(&mut a, "gen_ai.request.model", "gpt-x");
            out.push(a);
        }
        let mut r = stage(7, "render", SpanKind::Internal);
        if failed {
            r.status = SpanStatus::Error;
            out.push(r);
            continue;
        }
        r.status = SpanStatus::Unset;
        out.push(r);
        out.push(stage(8, "qa.gate", SpanKind::Internal));
        let mut up = stage(9, "db.update", SpanKind::Client);
        attr(&mut up, "db.operation.name", "update");
        out.push(up);
    }
    out
}
