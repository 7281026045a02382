//! A small healthy run (8 jobs, one failed) as the stub would expose it, with the stub's defect
//! switches applied to the fixture data, and a tiny exposition-text reader for tests.

use std::collections::BTreeMap;

use crate::check::signals::facts::RunFacts;
use crate::evidence::{
    Exposition, ExpositionFormat, JobOutcome, JobRecord, MetricFamily, MetricType, Sample,
};
use crate::expect::{self, ExpectationFile};
use crate::stub::faults::FaultProfile;
use crate::verdict::{Check, Status};

pub use super::telemetry::*;

pub const START: u64 = 1_800_000_000_000_000_000;
const PRESETS: [&str; 3] = ["short", "standard", "premium"];
/// Index of the job that failed.
pub const FAILED: usize = 5;

fn shipped(name: &str) -> ExpectationFile {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("expectations")
        .join(name);
    expect::load_file(&p).unwrap_or_else(|e| panic!("{e}"))
}
pub fn metrics_exp() -> expect::MetricsExpectations {
    match shipped("metrics.yaml") {
        ExpectationFile::Metrics(m) => m,
        other => panic!("{}", other.kind()),
    }
}
pub fn logs_exp() -> expect::LogsExpectations {
    match shipped("logs.yaml") {
        ExpectationFile::Logs(m) => m,
        other => panic!("{}", other.kind()),
    }
}
pub fn traces_exp() -> expect::TracesExpectations {
    match shipped("traces.yaml") {
        ExpectationFile::Traces(m) => m,
        other => panic!("{}", other.kind()),
    }
}

pub fn trace_id(i: usize) -> String {
    format!("{:032x}", 0xabc0_0000_u64 + i as u64)
}
pub fn client_span(i: usize) -> String {
    format!("{:016x}", 0xc100_0000_u64 + i as u64)
}

/// The harness's records of the healthy run.
pub fn jobs() -> Vec<JobRecord> {
    (0..8)
        .map(|i| {
            let sent = START + i as u64 * 1_000_000_000;
            JobRecord {
                job_id: Some(format!("job-{i}")),
                correlation_id: format!("corr-{i}"),
                trace_id: trace_id(i),
                client_span_id: client_span(i),
                returned_trace_id: Some(trace_id(i)),
                preset: PRESETS[i % 3].to_string(),
                user_id: format!("user-{}", i % 2),
                phase: "steady".into(),
                outcome: if i == FAILED {
                    JobOutcome::Failed
                } else {
                    JobOutcome::Succeeded
                },
                http_status: Some(202),
                sent_unix_nano: sent,
                end_unix_nano: Some(sent + 5_000_000_000),
            }
        })
        .collect()
}

pub fn facts(jobs: &[JobRecord]) -> RunFacts<'_> {
    facts_with(jobs, FaultProfile::default())
}

pub fn facts_with(jobs: &[JobRecord], faults: FaultProfile) -> RunFacts<'_> {
    RunFacts::from_jobs(
        jobs,
        &[("steady".into(), faults)],
        START,
        START + 20_000_000_000,
        true,
    )
}

/// Which stub defect to apply to the fixture data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Defect {
    None,
    DropTraceparent,
    OmitCorrelationId,
    RenameRenderFailures,
    WrongTypeActiveJobs,
    UnboundedLabel,
    NoTraceExport,
}

fn hist(out: &mut String, name: &str, help: &str, series: &[(String, u64)], bounds: &[f64]) {
    out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} histogram\n"));
    for (labels, n) in series {
        let sep = if labels.is_empty() { "" } else { "," };
        for b in bounds {
            out.push_str(&format!("{name}_bucket{{{labels}{sep}le=\"{b}\"}} {n}\n"));
        }
        out.push_str(&format!("{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {n}\n"));
        out.push_str(&format!("{name}_sum{{{labels}}} {}\n", *n as f64 * 1.5));
        out.push_str(&format!("{name}_count{{{labels}}} {n}\n"));
    }
}

/// The stub's final `/metrics` for `jobs`, in text format 0.0.4.
pub fn exposition_text(jobs: &[JobRecord], d: Defect) -> String {
    let mut t = String::new();
    let mut by: BTreeMap<(String, &str), u64> = BTreeMap::new();
    for j in jobs {
        let st = if j.outcome == JobOutcome::Failed {
            "failed"
        } else {
            "succeeded"
        };
        *by.entry((j.preset.clone(), st)).or_default() += 1;
    }
    let dur: Vec<(String, u64)> = if d == Defect::UnboundedLabel {
        jobs.iter()
            .map(|j| {
                let st = if j.outcome == JobOutcome::Failed {
                    "failed"
                } else {
                    "succeeded"
                };
                (
                    format!(
                        "preset=\"{}\",status=\"{st}\",job_id=\"{}\"",
                        j.preset,
                        j.job_id.clone().unwrap_or_default()
                    ),
                    1,
                )
            })
            .collect()
    } else {
        by.iter()
            .map(|((p, s), n)| (format!("preset=\"{p}\",status=\"{s}\""), *n))
            .collect()
    };
    hist(
        &mut t,
        "pipeline_duration_seconds",
        "Job processing time.",
        &dur,
        &[30.0, 60.0, 120.0, 300.0, 600.0],
    );
    let per_preset = |ok_only: bool| -> Vec<(String, u64)> {
        PRESETS
            .iter()
            .map(|p| {
                let n = jobs
                    .iter()
                    .filter(|j| j.preset == *p && (!ok_only || j.outcome == JobOutcome::Succeeded))
                    .count() as u64;
                (format!("preset=\"{p}\""), n)
            })
            .collect()
    };
    let cost: Vec<(String, u64)> = per_preset(false)
        .into_iter()
        .map(|(l, n)| (format!("{l},backend=\"gpu\""), n))
        .collect();
    hist(
        &mut t,
        "pipeline_cost_dollars",
        "Cost per job.",
        &cost,
        &[0.01, 0.05, 0.1],
    );
    t.push_str("# HELP ai_agent_calls_total Agent calls.\n# TYPE ai_agent_calls_total counter\n");
    t.push_str("ai_agent_calls_total{agent=\"script\",model=\"gpt-x\",outcome=\"success\"} 14\n");
    t.push_str("ai_agent_calls_total{agent=\"script\",model=\"gpt-x\",outcome=\"timeout\"} 1\n");
    t.push_str("# HELP render_failures_total Render attempts that failed.\n# TYPE render_failures_total counter\n");
    t.push_str("render_failures_total{preset=\"premium\",reason=\"encoder_crash\"} 1\n");
    t.push_str("# HELP user_jobs_completed_total Jobs completed.\n# TYPE user_jobs_completed_total counter\n");
    for (l, n) in per_preset(true) {
        t.push_str(&format!("user_jobs_completed_total{{{l}}} {n}\n"));
    }
    let active_type = if d == Defect::WrongTypeActiveJobs {
        "counter"
    } else {
        "gauge"
    };
    t.push_str(&format!("# HELP pipeline_active_jobs Jobs in progress.\n# TYPE pipeline_active_jobs {active_type}\npipeline_active_jobs 0\n"));
    t.push_str(
        "# HELP qa_gate_acceptance_total QA decisions.\n# TYPE qa_gate_acceptance_total counter\n",
    );
    t.push_str("qa_gate_acceptance_total{result=\"accepted\"} 7\nqa_gate_acceptance_total{result=\"rejected\"} 0\n");
    t.push_str("# HELP pubsub_queue_depth Messages waiting.\n# TYPE pubsub_queue_depth gauge\npubsub_queue_depth{topic=\"jobs\"} 0\n");
    let db = vec![
        ("operation=\"insert\"".to_string(), 8),
        ("operation=\"update\"".to_string(), 8),
    ];
    hist(
        &mut t,
        "db_operation_latency_seconds",
        "DB latency.",
        &db,
        &[0.01, 0.05, 0.1, 0.5],
    );
    let api = vec![
        (
            "method=\"POST\",route=\"/v1/jobs\",status=\"202\"".to_string(),
            8,
        ),
        (
            "method=\"GET\",route=\"/v1/jobs/{id}\",status=\"200\"".to_string(),
            30,
        ),
    ];
    hist(
        &mut t,
        "api_response_time_seconds",
        "API latency.",
        &api,
        &[0.01, 0.1, 1.0],
    );
    hist(
        &mut t,
        "ai_agent_latency_seconds",
        "Agent latency.",
        &[("agent=\"script\"".to_string(), 15)],
        &[1.0, 5.0],
    );
    hist(
        &mut t,
        "video_output_size_bytes",
        "Output size.",
        &per_preset(true),
        &[1e6, 1e8],
    );
    if d == Defect::RenameRenderFailures {
        t = t.replace("render_failures_total", "render_failure_total");
    }
    t
}

/// A tiny reader for the fixture text above (HELP/TYPE/samples, no escapes); the real parser
/// lives in `observe` and is tested there.
pub fn parse(text: &str) -> Exposition {
    let mut families: Vec<MetricFamily> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let (name, help) = rest.split_once(' ').unwrap_or((rest, ""));
            family(&mut families, name).help = Some(help.to_string());
        } else if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, ty) = rest.split_once(' ').unwrap_or((rest, ""));
            family(&mut families, name).mtype = match ty {
                "counter" => MetricType::Counter,
                "gauge" => MetricType::Gauge,
                "histogram" => MetricType::Histogram,
                "summary" => MetricType::Summary,
                _ => MetricType::Untyped,
            };
        } else if !line.is_empty() {
            let (head, value) = line.rsplit_once(' ').expect("sample value");
            let (name, labels) = match head.split_once('{') {
                Some((n, l)) => (n, l.trim_end_matches('}')),
                None => (head, ""),
            };
            let labels = labels
                .split("\",")
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let (k, v) = p.split_once('=').expect("label");
                    (k.to_string(), v.trim_matches('"').to_string())
                })
                .collect();
            let base = ["_bucket", "_sum", "_count"]
                .iter()
                .find_map(|s| {
                    name.strip_suffix(s).filter(|b| {
                        families
                            .iter()
                            .any(|f| f.name == *b && f.mtype == MetricType::Histogram)
                    })
                })
                .unwrap_or(name);
            family(&mut families, base).samples.push(Sample {
                name: name.to_string(),
                labels,
                value: value.parse().expect("number"),
                timestamp_ms: None,
                line: i + 1,
            });
        }
    }
    Exposition {
        format: ExpositionFormat::Text004,
        families,
    }
}

fn family<'a>(fams: &'a mut Vec<MetricFamily>, name: &str) -> &'a mut MetricFamily {
    if let Some(i) = fams.iter().position(|f| f.name == name) {
        return &mut fams[i];
    }
    fams.push(MetricFamily {
        name: name.to_string(),
        help: None,
        mtype: MetricType::Untyped,
        unit: None,
        samples: Vec::new(),
    });
    fams.last_mut().expect("just pushed")
}

/// Ids of the checks that failed or errored.
pub fn failing(checks: &[Check]) -> Vec<String> {
    checks
        .iter()
        .filter(|c| matches!(c.status, Status::Fail | Status::Error))
        .map(|c| c.id.clone())
        .collect()
}

/// The check with `id` (panics with every id when absent).
pub fn find<'a>(checks: &'a [Check], id: &str) -> &'a Check {
    checks.iter().find(|c| c.id == id).unwrap_or_else(|| {
        panic!(
            "no check {id} in {:?}",
            checks.iter().map(|c| &c.id).collect::<Vec<_>>()
        )
    })
}
