//! Evidence data types: what observers produce and checks consume. Plain data, no I/O.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Metric family type as declared by `# TYPE` (or `Untyped`/`Unknown` when absent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MetricType {
    Counter,
    Gauge,
    Histogram,
    Summary,
    /// Text 0.0.4 `untyped` or no TYPE line.
    Untyped,
    /// OpenMetrics `unknown`.
    Unknown,
    /// OpenMetrics `info`.
    Info,
    /// OpenMetrics `stateset`.
    Stateset,
    /// OpenMetrics `gaugehistogram`.
    Gaugehistogram,
}

impl MetricType {
    /// The name as written in a `# TYPE` line.
    pub fn as_str(self) -> &'static str {
        match self {
            MetricType::Counter => "counter",
            MetricType::Gauge => "gauge",
            MetricType::Histogram => "histogram",
            MetricType::Summary => "summary",
            MetricType::Untyped => "untyped",
            MetricType::Unknown => "unknown",
            MetricType::Info => "info",
            MetricType::Stateset => "stateset",
            MetricType::Gaugehistogram => "gaugehistogram",
        }
    }
}

/// One sample line, labels decoded (escapes resolved), in the order written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// Full sample name, e.g. `pipeline_duration_seconds_bucket`.
    pub name: String,
    /// Label pairs in the order written.
    pub labels: Vec<(String, String)>,
    /// Value (`NaN`, `+Inf`, `-Inf` allowed).
    pub value: f64,
    /// Timestamp in milliseconds since the epoch, when given.
    pub timestamp_ms: Option<i64>,
    /// 1-based line number in the exposition text.
    pub line: usize,
}

impl Sample {
    /// Value of label `name`, if present.
    pub fn label(&self, name: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A metric family: its metadata and every sample that belongs to it (for a histogram, the
/// `_bucket`, `_sum`, `_count` (and `_created`) samples).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricFamily {
    /// Family name (for OpenMetrics counters, without `_total`).
    pub name: String,
    /// `# HELP` text, unescaped.
    pub help: Option<String>,
    /// Declared type.
    pub mtype: MetricType,
    /// OpenMetrics `# UNIT`.
    pub unit: Option<String>,
    /// Samples in the order written.
    pub samples: Vec<Sample>,
}

/// Which text format a body was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExpositionFormat {
    /// Prometheus text format 0.0.4.
    Text004,
    /// OpenMetrics 1.0 text.
    OpenMetrics,
}

/// A parsed exposition body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exposition {
    pub format: ExpositionFormat,
    pub families: Vec<MetricFamily>,
}

impl Exposition {
    /// The family named `name`, if exposed.
    pub fn family(&self, name: &str) -> Option<&MetricFamily> {
        self.families.iter().find(|f| f.name == name)
    }
}

/// A parse error: where and what, never a silent drop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct ExpositionError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Span kind (OTLP enum, without the `SPAN_KIND_` prefix).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SpanKind {
    Unspecified,
    Internal,
    Server,
    Client,
    Producer,
    Consumer,
}

/// Span status code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SpanStatus {
    Unset,
    Ok,
    Error,
}

/// An attribute value, flattened to what checks need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AttrValue {
    Bool(bool),
    Int(i64),
    Double(f64),
    Str(String),
    /// Arrays and key-value lists, rendered as JSON text.
    Other(String),
}

/// One received span, ids as lowercase hex.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpanRecord {
    /// 32 lowercase hex digits.
    pub trace_id: String,
    /// 16 lowercase hex digits.
    pub span_id: String,
    /// 16 lowercase hex digits, `None` for a root span.
    pub parent_span_id: Option<String>,
    pub name: String,
    pub kind: SpanKind,
    pub start_unix_nano: u64,
    pub end_unix_nano: u64,
    pub status: SpanStatus,
    pub status_message: String,
    /// The resource's `service.name`.
    pub service_name: String,
    pub attributes: BTreeMap<String, AttrValue>,
}

/// One captured log line: the raw text and its line number in the stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogLine {
    /// 1-based line number in the captured stream.
    pub line: u64,
    /// The raw text, without the trailing newline.
    pub text: String,
}

/// How a job the harness drove ended, from the harness's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobOutcome {
    /// The stub reported the job succeeded.
    Succeeded,
    /// The stub reported the job failed.
    Failed,
    /// `POST /v1/jobs` answered a non-2xx status.
    HttpError,
    /// No answer or no end within the harness's deadline.
    Timeout,
    /// Never sent (max-in-flight cap with the drop policy).
    Dropped,
    /// Still running when an interrupted run ended.
    InFlight,
}

/// What the harness knows about one job it drove: the ground truth that logs, traces and
/// metrics are checked against. Kept for at most a bounded number of jobs per run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobRecord {
    /// The stub's job id (absent when the POST failed).
    pub job_id: Option<String>,
    /// `X-Correlation-ID` the harness sent.
    pub correlation_id: String,
    /// Trace id of the harness's client span (32 hex).
    pub trace_id: String,
    /// Span id of the harness's client span (16 hex): the parent the stub's server span must name.
    pub client_span_id: String,
    /// The trace id the stub answered with (should equal `trace_id`).
    pub returned_trace_id: Option<String>,
    pub preset: String,
    pub user_id: String,
    /// Phase the job was scheduled in.
    pub phase: String,
    pub outcome: JobOutcome,
    /// HTTP status of `POST /v1/jobs`, when one came back.
    pub http_status: Option<u16>,
    /// Wall-clock time the POST was sent (ns since the epoch).
    pub sent_unix_nano: u64,
    /// Wall-clock time the job's end was observed (ns since the epoch), when it ended.
    pub end_unix_nano: Option<u64>,
}
