//! The stub's resolved configuration (`StubConfig`) and its defect switches (`Defect`). Built
//! once from the command line and the standard `OTEL_*` variables; never changed afterwards
//! (runtime knobs live in the fault profile).

use crate::cli::StubArgs;

/// Default service name (resource `service.name`, log field `service`).
pub const DEFAULT_SERVICE_NAME: &str = "pipeline-stub";

/// A realistic instrumentation bug the stub can be told to have, so that checks can be shown
/// to fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Defect {
    /// Ignore incoming W3C trace context: every job starts a new trace with no parent.
    DropTraceparent,
    /// Leave this key out of every JSON log line.
    OmitLogField(String),
    /// Expose metric family `old` under the name `new`.
    RenameMetric { old: String, new: String },
    /// Declare the named metric family with the wrong type (and samples to match the lie).
    WrongMetricType(String),
    /// Add a `job_id` label to `pipeline_duration_seconds` (one series per job).
    UnboundedLabel,
    /// Build no spans and export nothing.
    NoTraceExport,
}

/// The names `Defect::parse` accepts, for error messages.
pub const DEFECT_FORMS: &str = "drop-traceparent, omit-log-field=FIELD, rename-metric=OLD:NEW, \
     wrong-metric-type=NAME, unbounded-label, no-trace-export";

impl Defect {
    /// Parse one `--defect` value, e.g. `rename-metric=render_failures_total:render_failure_total`.
    pub fn parse(s: &str) -> Result<Defect, String> {
        let (name, arg) = match s.split_once('=') {
            Some((n, a)) => (n.trim(), Some(a.trim())),
            None => (s.trim(), None),
        };
        let need_arg = |what: &str| -> Result<String, String> {
            match arg {
                Some(a) if !a.is_empty() => Ok(a.to_string()),
                _ => Err(format!("defect `{s}`: `{name}` needs `={what}`")),
            }
        };
        let no_arg = |d: Defect| -> Result<Defect, String> {
            match arg {
                None => Ok(d),
                Some(a) => Err(format!("defect `{s}`: `{name}` takes no value (got `{a}`)")),
            }
        };
        match name {
            "drop-traceparent" => no_arg(Defect::DropTraceparent),
            "unbounded-label" => no_arg(Defect::UnboundedLabel),
            "no-trace-export" => no_arg(Defect::NoTraceExport),
            "omit-log-field" => Ok(Defect::OmitLogField(need_arg("FIELD")?)),
            "wrong-metric-type" => Ok(Defect::WrongMetricType(need_arg("NAME")?)),
            "rename-metric" => {
                let v = need_arg("OLD:NEW")?;
                match v.split_once(':') {
                    Some((old, new)) if !old.is_empty() && is_metric_name(new) => {
                        Ok(Defect::RenameMetric {
                            old: old.to_string(),
                            new: new.to_string(),
                        })
                    }
                    _ => Err(format!(
                        "defect `{s}`: expected rename-metric=OLD:NEW with NEW a valid metric name"
                    )),
                }
            }
            other => {
                let names = [
                    "drop-traceparent",
                    "omit-log-field",
                    "rename-metric",
                    "wrong-metric-type",
                    "unbounded-label",
                    "no-trace-export",
                ];
                let hint = crate::util::nearest(other, names)
                    .map(|n| format!(" (did you mean `{n}`?)"))
                    .unwrap_or_default();
                Err(format!(
                    "unknown defect `{other}`{hint}; allowed: {DEFECT_FORMS}"
                ))
            }
        }
    }
}

/// `[a-zA-Z_:][a-zA-Z0-9_:]*`, the Prometheus metric name rule.
fn is_metric_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// The set of active defects, queried by the telemetry code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Defects(pub Vec<Defect>);

impl Defects {
    /// True when `d` is switched on.
    pub fn has(&self, d: &Defect) -> bool {
        self.0.contains(d)
    }
    /// Log keys to leave out.
    pub fn omitted_log_fields(&self) -> Vec<String> {
        self.0
            .iter()
            .filter_map(|d| match d {
                Defect::OmitLogField(f) => Some(f.clone()),
                _ => None,
            })
            .collect()
    }
}

/// Everything the stub needs to start. Runtime knobs are in [`super::faults::FaultProfile`].
#[derive(Debug, Clone)]
pub struct StubConfig {
    /// Full OTLP/HTTP traces URL (None: no export).
    pub otlp_traces_url: Option<String>,
    /// `service.name` and the log `service` field.
    pub service_name: String,
    /// Scenario seconds per wall second (> 0).
    pub time_scale: f64,
    /// Active defect switches.
    pub defects: Defects,
    /// Bearer token required on `/admin` routes when set.
    pub admin_token: Option<String>,
    /// Maximum queued jobs before `POST /v1/jobs` answers 503.
    pub queue_capacity: usize,
    /// Default worker pool size.
    pub workers: usize,
    /// Seed of the pipeline model's random numbers.
    pub seed: u64,
    /// Wall seconds in-flight jobs get on shutdown before they are failed.
    pub shutdown_grace_s: f64,
    /// Finished jobs kept for `GET /v1/jobs/{id}` (oldest evicted first).
    pub finished_retention: usize,
    /// Emit DEBUG log lines (stage start/end) too.
    pub debug_logs: bool,
}

impl Default for StubConfig {
    fn default() -> Self {
        Self {
            otlp_traces_url: None,
            service_name: DEFAULT_SERVICE_NAME.to_string(),
            time_scale: 1.0,
            defects: Defects::default(),
            admin_token: None,
            queue_capacity: 10_000,
            workers: 64,
            seed: 1,
            shutdown_grace_s: 10.0,
            finished_retention: 50_000,
            debug_logs: false,
        }
    }
}

/// Largest accepted `--time-scale`.
pub const MAX_TIME_SCALE: f64 = 1_000_000.0;

impl StubConfig {
    /// Resolve the command line and the process environment. Every problem is reported at once.
    pub fn from_args(args: &StubArgs) -> Result<StubConfig, Vec<String>> {
        Self::from_args_env(args, |k| std::env::var(k).ok())
    }

    /// As [`StubConfig::from_args`], with the environment given as a lookup (for tests).
    pub fn from_args_env(
        args: &StubArgs,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<StubConfig, Vec<String>> {
        let mut errors = Vec::new();
        let mut defects = Vec::new();
        for d in &args.defects {
            match Defect::parse(d) {
                Ok(d) => defects.push(d),
                Err(e) => errors.push(e),
            }
        }
        if !(args.time_scale.is_finite()
            && args.time_scale > 0.0
            && args.time_scale <= MAX_TIME_SCALE)
        {
            errors.push(format!(
                "--time-scale {}: must be a number in (0, {MAX_TIME_SCALE}]",
                args.time_scale
            ));
        }
        if args.queue_capacity == 0 {
            errors.push("--queue-capacity 0: must be at least 1".to_string());
        }
        if args.workers == 0 || args.workers > 100_000 {
            errors.push(format!("--workers {}: must be in 1..=100000", args.workers));
        }
        if !(args.shutdown_grace_s.is_finite() && args.shutdown_grace_s >= 0.0) {
            errors.push(format!(
                "--shutdown-grace-s {}: must be a number >= 0",
                args.shutdown_grace_s
            ));
        }
        let nonempty = |k: &str| env(k).filter(|v| !v.trim().is_empty());
        let exporter_off = nonempty("OTEL_TRACES_EXPORTER").is_some_and(|v| v.trim() == "none");
        let otlp_traces_url = if let Some(u) = &args.otlp_endpoint {
            Some(u.clone())
        } else if exporter_off {
            None
        } else if let Some(u) = nonempty("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") {
            Some(u)
        } else {
            nonempty("OTEL_EXPORTER_OTLP_ENDPOINT")
                .map(|base| format!("{}/v1/traces", base.trim_end_matches('/')))
        };
        if let Some(u) = &otlp_traces_url
            && reqwest::Url::parse(u).is_err()
        {
            errors.push(format!("OTLP traces endpoint `{u}` is not a valid URL"));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(StubConfig {
            otlp_traces_url,
            service_name: nonempty("OTEL_SERVICE_NAME")
                .unwrap_or_else(|| DEFAULT_SERVICE_NAME.to_string()),
            time_scale: args.time_scale,
            defects: Defects(defects),
            admin_token: args.admin_token.clone().filter(|t| !t.is_empty()),
            queue_capacity: args.queue_capacity,
            workers: args.workers,
            seed: args.seed,
            shutdown_grace_s: args.shutdown_grace_s,
            finished_retention: 50_000,
            debug_logs: args.debug_logs,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_defect() {
        assert_eq!(
            Defect::parse("drop-traceparent"),
            Ok(Defect::DropTraceparent)
        );
        assert_eq!(
            Defect::parse("omit-log-field=trace_id"),
            Ok(Defect::OmitLogField("trace_id".into()))
        );
        assert_eq!(
            Defect::parse("rename-metric=a_total:b_total"),
            Ok(Defect::RenameMetric {
                old: "a_total".into(),
                new: "b_total".into()
            })
        );
        assert_eq!(
            Defect::parse("wrong-metric-type=pipeline_duration_seconds"),
            Ok(Defect::WrongMetricType("pipeline_duration_seconds".into()))
        );
        assert_eq!(Defect::parse("unbounded-label"), Ok(Defect::UnboundedLabel));
        assert_eq!(Defect::parse("no-trace-export"), Ok(Defect::NoTraceExport));
    }

    #[test]
    fn rejects_bad_defects_with_details() {
        let e = Defect::parse("drop-traceparnet").unwrap_err();
        assert!(e.contains("did you mean `drop-traceparent`"), "{e}");
        assert!(
            Defect::parse("omit-log-field")
                .unwrap_err()
                .contains("=FIELD")
        );
        assert!(
            Defect::parse("rename-metric=a")
                .unwrap_err()
                .contains("OLD:NEW")
        );
        assert!(Defect::parse("rename-metric=a:1bad").is_err());
        assert!(
            Defect::parse("no-trace-export=1")
                .unwrap_err()
                .contains("takes no value")
        );
    }
}
