//! Rendering of the metric registry as Prometheus text 0.0.4 or OpenMetrics 1.0, written here
//! rather than with prometheus-client because that crate only emits OpenMetrics. The metric
//! defect switches (rename, wrong type) act here, at exposition time, like a real
//! instrumentation bug would.

use super::config::{Defect, Defects};
use super::metrics::{Family, Kind, Registry, Series};
use std::fmt::Write;

/// Exposition format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text004,
    OpenMetrics,
}

impl Format {
    /// Pick the format from an `Accept` header value.
    pub fn from_accept(accept: Option<&str>) -> Format {
        match accept {
            Some(a) if a.contains("application/openmetrics-text") => Format::OpenMetrics,
            _ => Format::Text004,
        }
    }
    /// `Content-Type` of the response.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Text004 => "text/plain; version=0.0.4; charset=utf-8",
            Format::OpenMetrics => "application/openmetrics-text; version=1.0.0; charset=utf-8",
        }
    }
}

fn escape_label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn escape_help(v: &str) -> String {
    v.replace('\\', "\\\\").replace('\n', "\\n")
}

fn fmt_f64(v: f64) -> String {
    if v.is_infinite() {
        if v > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        }
    } else if v.is_nan() {
        "NaN".into()
    } else {
        format!("{v}")
    }
}

fn labels(names: &[&str], values: &[String], extra: Option<(&str, &str)>) -> String {
    let mut parts: Vec<String> = names
        .iter()
        .zip(values)
        .map(|(n, v)| format!("{n}=\"{}\"", escape_label(v)))
        .collect();
    if let Some((n, v)) = extra {
        parts.push(format!("{n}=\"{}\"", escape_label(v)));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("{{{}}}", parts.join(","))
    }
}

/// The type a family is declared with, after the wrong-metric-type defect.
fn declared_kind(f: &Family, defects: &Defects) -> Kind {
    let lied = defects
        .0
        .iter()
        .any(|d| matches!(d, Defect::WrongMetricType(n) if n == f.name || n == base_name(f.name)));
    match (lied, f.kind) {
        (false, k) => k,
        (true, Kind::Histogram) | (true, Kind::Counter) => Kind::Gauge,
        (true, Kind::Gauge) => Kind::Counter,
    }
}

fn base_name(name: &str) -> &str {
    name.strip_suffix("_total").unwrap_or(name)
}

/// The exposed name of a family, after the rename-metric defect.
fn exposed_name(f: &Family, defects: &Defects) -> String {
    for d in &defects.0 {
        if let Defect::RenameMetric { old, new } = d
            && (old == f.name || old == base_name(f.name))
        {
            return new.clone();
        }
    }
    f.name.to_string()
}

/// Render every family.
pub fn render(reg: &Registry, format: Format, defects: &Defects) -> String {
    let mut out = String::with_capacity(16 * 1024);
    for f in &reg.families {
        render_family(&mut out, f, format, defects);
    }
    if format == Format::OpenMetrics {
        out.push_str("# EOF\n");
    }
    out
}

fn render_family(out: &mut String, f: &Family, format: Format, defects: &Defects) {
    let name = exposed_name(f, defects);
    let kind = declared_kind(f, defects);
    // OpenMetrics names a counter family without `_total` and suffixes its samples.
    let (family_name, sample_name) = match (format, kind) {
        (Format::OpenMetrics, Kind::Counter) => {
            let b = base_name(&name).to_string();
            let s = format!("{b}_total");
            (b, s)
        }
        _ => (name.clone(), name.clone()),
    };
    let type_word = match kind {
        Kind::Counter => "counter",
        Kind::Gauge => "gauge",
        Kind::Histogram => "histogram",
    };
    let _ = writeln!(out, "# HELP {family_name} {}", escape_help(f.help));
    let _ = writeln!(out, "# TYPE {family_name} {type_word}");
    for (values, series) in &f.series {
        match series {
            Series::Value(v) => {
                let l = labels(&f.label_names, values, None);
                let _ = writeln!(out, "{sample_name}{l} {}", fmt_f64(*v));
            }
            Series::Hist {
                buckets,
                sum,
                count,
            } if kind == Kind::Histogram => {
                let mut cum = 0u64;
                for (i, c) in buckets.iter().enumerate() {
                    cum += c;
                    let le = f
                        .bounds
                        .get(i)
                        .map(|b| fmt_f64(*b))
                        .unwrap_or("+Inf".into());
                    let l = labels(&f.label_names, values, Some(("le", &le)));
                    let _ = writeln!(out, "{name}_bucket{l} {cum}");
                }
                let l = labels(&f.label_names, values, None);
                let _ = writeln!(out, "{name}_sum{l} {}", fmt_f64(*sum));
                let _ = writeln!(out, "{name}_count{l} {count}");
            }
            Series::Hist { sum, count, .. } => {
                // A histogram declared as a gauge: the bug exposes the mean observation.
                let l = labels(&f.label_names, values, None);
                let mean = if *count == 0 {
                    0.0
                } else {
                    sum / *count as f64
                };
                let _ = writeln!(out, "{sample_name}{l} {}", fmt_f64(mean));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stub::metrics::{Metrics, TOPIC};
    use crate::stub::model::Preset;

    fn sample() -> Registry {
        let m = Metrics::new(false);
        m.job_finished(Preset::Premium, true, 95.0, 0.05, "j1");
        m.api("POST", "/v1/jobs", 202, 0.002);
        m.snapshot(3, 7)
    }

    #[test]
    fn text_format_has_types_buckets_and_live_gauges() {
        let t = render(&sample(), Format::Text004, &Defects::default());
        assert!(t.contains("# TYPE pipeline_duration_seconds histogram\n"));
        assert!(t.contains(
            "pipeline_duration_seconds_bucket{preset=\"premium\",status=\"succeeded\",le=\"90\"} 0\n"
        ));
        assert!(t.contains(
            "pipeline_duration_seconds_bucket{preset=\"premium\",status=\"succeeded\",le=\"120\"} 1\n"
        ));
        assert!(t.contains("pipeline_active_jobs 3\n"));
        assert!(t.contains(&format!("pubsub_queue_depth{{topic=\"{TOPIC}\"}} 7\n")));
        assert!(t.contains("# TYPE ai_agent_calls_total counter\n"));
        assert!(!t.contains("# EOF"));
    }

    #[test]
    fn openmetrics_names_counters_without_total_and_ends_with_eof() {
        let t = render(&sample(), Format::OpenMetrics, &Defects::default());
        assert!(t.contains("# TYPE user_jobs_completed counter\n"));
        assert!(t.contains("user_jobs_completed_total{preset=\"premium\"} 1\n"));
        assert!(t.ends_with("# EOF\n"));
    }

    #[test]
    fn defects_rename_and_mistype() {
        let d = Defects(vec![
            Defect::RenameMetric {
                old: "render_failures_total".into(),
                new: "render_failure_total".into(),
            },
            Defect::WrongMetricType("pipeline_duration_seconds".into()),
        ]);
        let t = render(&sample(), Format::Text004, &d);
        assert!(t.contains("# TYPE render_failure_total counter"));
        assert!(!t.contains("render_failures_total"));
        assert!(t.contains("# TYPE pipeline_duration_seconds gauge\n"));
        assert!(!t.contains("pipeline_duration_seconds_bucket"));
        assert!(
            t.contains("pipeline_duration_seconds{preset=\"premium\",status=\"succeeded\"} 95\n")
        );
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(
            labels(&["a"], &["x\"y\\z\n".to_string()], None),
            "{a=\"x\\\"y\\\\z\\n\"}"
        );
    }
}
