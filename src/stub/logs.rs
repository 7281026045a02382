//! Structured JSON logs: one object per line on stdout (or in memory for tests), with the
//! fields of docs/ARCHITECTURE.md §4 and the Google Cloud Logging keys. Lines go through a bounded channel
//! to a writer thread, so logging never blocks a request: when the channel is full the line is
//! dropped and counted (reported on stderr at shutdown).

use super::config::Defects;
use parking_lot::Mutex;
use serde_json::Value;
use std::fmt::Write as _;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};

/// Lines buffered between the handlers and the writer thread.
const CHANNEL_LINES: usize = 65_536;

/// Log level (`level` and `severity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Debug,
    Info,
    Warning,
    Error,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warning => "WARNING",
            Level::Error => "ERROR",
        }
    }
}

/// The correlation fields of one line ("" when not known).
#[derive(Debug, Clone, Default)]
pub struct LogCtx {
    pub correlation_id: String,
    pub trace_id: String,
    pub span_id: String,
    pub user_id: String,
    pub job_id: String,
    pub preset: String,
    pub stage: String,
}

enum Msg {
    Line(String),
    Close(std::sync::mpsc::Sender<()>),
}

/// Where lines go.
pub enum Target {
    Stdout,
    /// Kept in memory (unit tests read them back).
    Memory(Arc<Mutex<Vec<String>>>),
}

/// The logger handle shared by the whole stub.
#[derive(Debug)]
pub struct Logger {
    tx: SyncSender<Msg>,
    service: String,
    omit: Vec<String>,
    debug: bool,
    dropped: AtomicU64,
}

impl Logger {
    /// Start the writer thread.
    pub fn start(target: Target, service: &str, defects: &Defects, debug: bool) -> Logger {
        let (tx, rx) = sync_channel(CHANNEL_LINES);
        std::thread::spawn(move || writer(rx, target));
        Logger {
            tx,
            service: service.to_string(),
            omit: defects.omitted_log_fields(),
            debug,
            dropped: AtomicU64::new(0),
        }
    }

    /// True when lines of this level are written.
    pub fn enabled(&self, level: Level) -> bool {
        level > Level::Debug || self.debug
    }

    /// Write one line. `extra` adds event-specific keys.
    pub fn log(&self, level: Level, message: &str, ctx: &LogCtx, extra: &[(&str, Value)]) {
        if !self.enabled(level) {
            return;
        }
        // Written by hand rather than through a map or `serde_json::Value`s: this runs several
        // times per request, and per-field `Value`s and their `to_string` were the largest
        // cost of the request path. Strings are escaped exactly as serde_json escapes them.
        let mut line = String::with_capacity(640);
        line.push('{');
        let omit = &self.omit;
        let key = |line: &mut String, k: &str| -> bool {
            if omit.iter().any(|o| o == k) {
                return false;
            }
            if line.len() > 1 {
                line.push(',');
            }
            push_json_str(line, k);
            line.push(':');
            true
        };
        let put = |line: &mut String, k: &str, v: &str| {
            if key(line, k) {
                push_json_str(line, v);
            }
        };
        let ts = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        put(&mut line, "timestamp", &ts);
        put(&mut line, "level", level.as_str());
        put(&mut line, "severity", level.as_str());
        put(&mut line, "message", message);
        put(&mut line, "service", &self.service);
        put(&mut line, "correlation_id", &ctx.correlation_id);
        put(&mut line, "trace_id", &ctx.trace_id);
        put(&mut line, "span_id", &ctx.span_id);
        // Fields a line has no value for are left out rather than written empty: a request
        // that names no user or job has none, and "" would read as a broken value.
        for (k, v) in [
            ("user_id", &ctx.user_id),
            ("job_id", &ctx.job_id),
            ("preset", &ctx.preset),
        ] {
            if !v.is_empty() {
                put(&mut line, k, v);
            }
        }
        put(&mut line, "stage", &ctx.stage);
        if key(&mut line, "logging.googleapis.com/trace") {
            if ctx.trace_id.is_empty() {
                line.push_str("\"\"");
            } else {
                line.push_str("\"projects/obsgate/traces/");
                push_json_str_contents(&mut line, &ctx.trace_id);
                line.push('"');
            }
        }
        put(&mut line, "logging.googleapis.com/spanId", &ctx.span_id);
        for (k, v) in extra {
            if key(&mut line, k) {
                match v {
                    Value::String(s) => push_json_str(&mut line, s),
                    other => {
                        let _ = write!(line, "{other}");
                    }
                }
            }
        }
        line.push('}');
        match self.tx.try_send(Msg::Line(line)) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => {
                self.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Write everything queued so far and wait for it (shutdown, tests). Returns how many
    /// lines were dropped because the channel was full.
    pub fn flush(&self) -> u64 {
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        if self.tx.send(Msg::Close(done_tx)).is_ok() {
            let _ = done_rx.recv_timeout(std::time::Duration::from_secs(10));
        }
        self.dropped.load(Ordering::Relaxed)
    }
}

/// Append `s` as a JSON string literal.
fn push_json_str(out: &mut String, s: &str) {
    out.push('"');
    push_json_str_contents(out, s);
    out.push('"');
}

/// Append `s` escaped for the inside of a JSON string, byte for byte as serde_json does it:
/// quote and backslash backslashed, the short escapes for backspace, form feed, newline,
/// carriage return and tab, `\u00XX` for other control characters, everything else
/// (including non-ASCII) verbatim.
fn push_json_str_contents(out: &mut String, s: &str) {
    let mut plain_from = 0;
    for (i, b) in s.bytes().enumerate() {
        let esc: &str = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        // Escaped bytes are ASCII, so `i` is a char boundary.
        out.push_str(s.get(plain_from..i).unwrap_or(""));
        if esc.is_empty() {
            let _ = write!(out, "\\u{b:04x}");
        } else {
            out.push_str(esc);
        }
        plain_from = i + 1;
    }
    out.push_str(s.get(plain_from..).unwrap_or(""));
}

fn writer(rx: Receiver<Msg>, target: Target) {
    // Stdout is locked per write, never for the thread's lifetime (others print too).
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout());
    let write = |line: String, out: &mut std::io::BufWriter<std::io::Stdout>| match &target {
        Target::Stdout => {
            let _ = out.write_all(line.as_bytes());
            let _ = out.write_all(b"\n");
        }
        Target::Memory(v) => v.lock().push(line),
    };
    while let Ok(msg) = rx.recv() {
        let mut pending = Some(msg);
        // Under load, drain in rounds a few milliseconds apart instead of waking on every line:
        // one wake-up per round rather than one per line. When idle, block in `recv`.
        loop {
            let mut n = 0usize;
            while let Some(m) = pending.take() {
                n += 1;
                match m {
                    Msg::Line(l) => write(l, &mut out),
                    Msg::Close(done) => {
                        let _ = out.flush();
                        let _ = done.send(());
                    }
                }
                pending = rx.try_recv().ok();
            }
            let _ = out.flush();
            if n < 2 {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
            match rx.try_recv() {
                Ok(m) => pending = Some(m),
                Err(_) => break,
            }
        }
    }
    let _ = out.flush();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stub::config::Defect;

    #[test]
    fn lines_carry_every_field_and_honour_omissions() {
        let mem = Arc::new(Mutex::new(Vec::new()));
        let d = Defects(vec![Defect::OmitLogField("trace_id".into())]);
        let log = Logger::start(Target::Memory(mem.clone()), "pipeline-stub", &d, false);
        let ctx = LogCtx {
            trace_id: "ab".repeat(16),
            job_id: "j1".into(),
            ..LogCtx::default()
        };
        log.log(
            Level::Error,
            "job failed",
            &ctx,
            &[("error", Value::from("x"))],
        );
        log.log(Level::Debug, "hidden", &ctx, &[]);
        assert_eq!(log.flush(), 0);
        let lines = mem.lock().clone();
        assert_eq!(lines.len(), 1, "{lines:?}");
        let v: Value = serde_json::from_str(&lines[0]).unwrap_or_default();
        assert_eq!(v["severity"], "ERROR");
        assert_eq!(v["service"], "pipeline-stub");
        assert_eq!(
            v["logging.googleapis.com/trace"],
            format!("projects/obsgate/traces/{}", "ab".repeat(16))
        );
        assert!(v.get("trace_id").is_none(), "omitted by the defect");
        assert!(v.get("job_id").is_some());
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        for raw in [
            "plain",
            "",
            "quote \" and backslash \\",
            "nl\ncr\rtab\tbs\u{8}ff\u{c}nul\u{0}us\u{1f}del\u{7f}",
            "non-ascii: é ü 🎬 \u{2028}",
            "\"",
        ] {
            let mut out = String::new();
            push_json_str(&mut out, raw);
            assert_eq!(out, Value::from(raw).to_string(), "{raw:?}");
        }
    }

    #[test]
    fn a_line_is_the_object_serde_json_would_write() {
        let mem = Arc::new(Mutex::new(Vec::new()));
        let log = Logger::start(Target::Memory(mem.clone()), "svc", &Defects(vec![]), true);
        let ctx = LogCtx {
            correlation_id: "c\"1".into(),
            trace_id: "ab".repeat(16),
            span_id: "cd".repeat(8),
            stage: "render".into(),
            ..LogCtx::default()
        };
        let extra = [
            ("latency_ms", Value::from(1.5)),
            ("http_status", Value::from(202)),
            ("reason", Value::from("oom\n")),
        ];
        log.log(Level::Debug, "m\u{1}", &ctx, &extra);
        assert_eq!(log.flush(), 0);
        let lines = mem.lock().clone();
        let line = lines.first().cloned().unwrap_or_default();
        let v: Value = serde_json::from_str(&line).unwrap_or_default();
        // The same line built the slow way, field by field through `serde_json::Value`.
        let s = |x: &str| Value::from(x);
        let expected_fields = [
            ("timestamp", v["timestamp"].clone()),
            ("level", s("DEBUG")),
            ("severity", s("DEBUG")),
            ("message", s("m\u{1}")),
            ("service", s("svc")),
            ("correlation_id", s("c\"1")),
            ("trace_id", s(&"ab".repeat(16))),
            ("span_id", s(&"cd".repeat(8))),
            ("stage", s("render")),
            (
                "logging.googleapis.com/trace",
                Value::from(format!("projects/obsgate/traces/{}", "ab".repeat(16))),
            ),
            ("logging.googleapis.com/spanId", s(&"cd".repeat(8))),
        ];
        let expected: Vec<String> = expected_fields
            .iter()
            .chain(extra.iter())
            .map(|(k, v)| format!("{}:{v}", Value::from(*k)))
            .collect();
        assert_eq!(line, format!("{{{}}}", expected.join(",")));
        assert!(
            v["timestamp"].as_str().is_some_and(|t| t.len() == 27),
            "{line}"
        );
        assert_eq!(v["correlation_id"], "c\"1");
    }
}
