//! The rules tables of the exposition formats: which sample suffixes each metric type owns,
//! the `# TYPE` words of each format, HELP escapes, and series keys for duplicate detection.

use super::lex::Line;
use crate::evidence::{ExpositionError, MetricType};

pub(super) fn same_labels(a: &[&(String, String)], b: &[&(String, String)]) -> bool {
    a.len() == b.len() && a.iter().all(|l| b.contains(l))
}

/// Whether a family of type `t` owns samples named family name + `suffix`.
pub(super) fn accepts(t: MetricType, suffix: &str, om: bool) -> bool {
    use MetricType as T;
    match suffix {
        "" => match t {
            T::Gauge | T::Summary | T::Untyped | T::Unknown | T::Stateset => true,
            T::Counter => !om,
            _ => false,
        },
        "_bucket" => matches!(t, T::Histogram | T::Gaugehistogram),
        "_count" | "_sum" => matches!(t, T::Histogram | T::Summary),
        "_gcount" | "_gsum" => om && t == T::Gaugehistogram,
        "_total" => om && t == T::Counter,
        "_created" => om && matches!(t, T::Counter | T::Histogram | T::Summary),
        "_info" => om && t == T::Info,
        _ => false,
    }
}

pub(super) fn expected_names(name: &str, t: MetricType, om: bool) -> String {
    [
        "", "_bucket", "_gcount", "_gsum", "_count", "_sum", "_total", "_created", "_info",
    ]
    .into_iter()
    .filter(|s| accepts(t, s, om))
    .map(|s| format!("`{name}{s}`"))
    .collect::<Vec<_>>()
    .join(", ")
}

pub(super) fn parse_type(word: &str, om: bool) -> Option<MetricType> {
    use MetricType as T;
    Some(match (word, om) {
        ("counter", _) => T::Counter,
        ("gauge", _) => T::Gauge,
        ("histogram", _) => T::Histogram,
        ("summary", _) => T::Summary,
        ("untyped", false) => T::Untyped,
        ("unknown", true) => T::Unknown,
        ("info", true) => T::Info,
        ("stateset", true) => T::Stateset,
        ("gaugehistogram", true) => T::Gaugehistogram,
        _ => return None,
    })
}

/// HELP text escapes: `\\` and `\n` (plus `\"` in OpenMetrics).
pub(super) fn unescape_help(
    line: &Line<'_>,
    at: usize,
    text: &str,
    om: bool,
) -> Result<String, ExpositionError> {
    if !text.contains('\\') {
        return Ok(text.to_string());
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some((_, '\\')) => out.push('\\'),
            Some((_, 'n')) => out.push('\n'),
            Some((_, '"')) if om => out.push('"'),
            other => {
                let seq =
                    other.map_or(String::from("\\ at end of line"), |(_, c)| format!("\\{c}"));
                let allowed = if om { "\\\\, \\n, \\\"" } else { "\\\\, \\n" };
                return Err(line.err(
                    at + i,
                    format!("invalid escape `{seq}` in HELP text (allowed: {allowed})"),
                ));
            }
        }
    }
    Ok(out)
}

pub(super) fn series_key(name: &str, labels: &[(String, String)], ts: Option<i64>) -> String {
    let mut sorted: Vec<&(String, String)> = labels.iter().collect();
    sorted.sort();
    let mut key = String::with_capacity(name.len() + 16 * labels.len() + 8);
    key.push_str(name);
    for (k, v) in sorted {
        key.push('\u{1}');
        key.push_str(k);
        key.push('\u{2}');
        key.push_str(v);
    }
    if let Some(ts) = ts {
        key.push('\u{3}');
        key.push_str(&ts.to_string());
    }
    key
}

/// `name{a="1",b="x"}` with values re-escaped, for messages.
pub(crate) fn display_series(name: &str, labels: &[(String, String)]) -> String {
    if labels.is_empty() {
        return name.to_string();
    }
    let inner: Vec<String> = labels
        .iter()
        .map(|(k, v)| {
            format!(
                "{k}=\"{}\"",
                v.replace('\\', "\\\\")
                    .replace('"', "\\\"")
                    .replace('\n', "\\n")
            )
        })
        .collect();
    format!("{name}{{{}}}", inner.join(","))
}
