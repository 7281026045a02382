//! Per-line field rules of log checks: presence (optionally conditional on another field), JSON
//! type, string format, allowed values, equality with another field, templates; and the
//! bounded offender samples log checks keep.

use serde_json::{Map, Value};

use crate::evidence::LogLine;
use crate::expect::logs::{FieldExpectation, FieldType, Format, TemplatePart};
use crate::verdict::MAX_EVIDENCE;

/// What is wrong with one field of one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    /// The field is absent (or null) though required.
    pub missing: bool,
    /// Expected vs found.
    pub message: String,
}

fn problem(message: String) -> Option<FieldProblem> {
    Some(FieldProblem {
        missing: false,
        message,
    })
}

/// True for exactly `n` lowercase hex digits, not all zero (W3C forbids all-zero ids).
pub fn is_hex_id(s: &str, n: usize) -> bool {
    s.len() == n
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && s.bytes().any(|b| b != b'0')
}

fn format_ok(fmt: Format, s: &str) -> Result<(), String> {
    match fmt {
        Format::Rfc3339 => chrono::DateTime::parse_from_rfc3339(s)
            .map(|_| ())
            .map_err(|e| format!("`{s}` is not an RFC 3339 timestamp ({e})")),
        Format::Rfc3339Utc => match chrono::DateTime::parse_from_rfc3339(s) {
            Ok(t) if t.offset().local_minus_utc() == 0 => Ok(()),
            Ok(_) => Err(format!("`{s}` is not in UTC")),
            Err(e) => Err(format!("`{s}` is not an RFC 3339 timestamp ({e})")),
        },
        Format::Hex32 if is_hex_id(s, 32) => Ok(()),
        Format::Hex32 => Err(format!("`{s}` is not 32 lowercase hex digits (non-zero)")),
        Format::Hex16 if is_hex_id(s, 16) => Ok(()),
        Format::Hex16 => Err(format!("`{s}` is not 16 lowercase hex digits (non-zero)")),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn type_ok(t: FieldType, v: &Value) -> bool {
    match t {
        FieldType::String => v.is_string(),
        FieldType::Number => v.is_number(),
        FieldType::Integer => v.is_i64() || v.is_u64(),
        FieldType::Bool => v.is_boolean(),
        FieldType::Object => v.is_object(),
        FieldType::Array => v.is_array(),
    }
}

/// A scalar as text (strings unquoted), for matchers and templates.
pub fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Check one field of one JSON line; `None` when it is fine (or not required here).
pub fn check_field(obj: &Map<String, Value>, f: &FieldExpectation) -> Option<FieldProblem> {
    let v = obj.get(&f.name).filter(|v| !v.is_null());
    let Some(v) = v else {
        let required = f.required
            && f.when_present
                .as_ref()
                .is_none_or(|o| obj.get(o).is_some_and(|x| !x.is_null()));
        return required.then(|| FieldProblem {
            missing: true,
            message: match &f.when_present {
                Some(o) => format!("`{}` missing (required when `{o}` is present)", f.name),
                None => format!("`{}` missing", f.name),
            },
        });
    };
    if let Some(t) = f.ftype
        && !type_ok(t, v)
    {
        return problem(
            format!("`{}` is a {}, expected {:?}", f.name, type_name(v), t).to_lowercase(),
        );
    }
    let text = as_text(v);
    if let Some(fmt) = f.format {
        if !v.is_string() {
            return problem(format!(
                "`{}` is a {}, expected a string",
                f.name,
                type_name(v)
            ));
        }
        if let Err(m) = format_ok(fmt, &text) {
            return problem(format!("`{}`: {m}", f.name));
        }
    }
    if let Some(m) = &f.value
        && !m.matches(&text)
    {
        let hint = m
            .nearest(&text)
            .map(|n| format!("; did you mean `{n}`?"))
            .unwrap_or_default();
        return problem(format!(
            "`{}`=`{text}` is not {}{hint}",
            f.name,
            m.describe()
        ));
    }
    if let Some(other) = &f.equals_field {
        let o = obj.get(other);
        if o != Some(v) {
            let found = o.map(as_text).unwrap_or_else(|| "absent".to_string());
            return problem(format!(
                "`{}`=`{text}` differs from `{other}`=`{found}`",
                f.name
            ));
        }
    }
    if let Some(parts) = &f.template {
        let mut want = String::new();
        for p in parts {
            match p {
                TemplatePart::Lit(s) => want.push_str(s),
                TemplatePart::Field(n) => {
                    want.push_str(&obj.get(n).map(as_text).unwrap_or_default());
                }
            }
        }
        if want != text {
            return problem(format!("`{}`=`{text}`, expected `{want}`", f.name));
        }
    }
    None
}

/// Longest line excerpt kept as evidence.
const EXCERPT_CHARS: usize = 240;

/// A line, truncated, for evidence.
pub fn excerpt(l: &LogLine) -> String {
    let mut t: String = l.text.chars().take(EXCERPT_CHARS).collect();
    if t.len() < l.text.len() {
        t.push('…');
    }
    format!("line {}: {t}", l.line)
}

/// Offender counter with a bounded sample.
#[derive(Debug, Default, Clone)]
pub struct Offenders {
    /// Offending lines.
    pub count: u64,
    /// Of which the field was missing.
    pub missing: u64,
    /// The first problem, for the message.
    pub first: Option<String>,
    /// At most `MAX_EVIDENCE` offending lines.
    pub samples: Vec<String>,
}

impl Offenders {
    /// Count one offending line.
    pub fn add(&mut self, what: &str, l: &LogLine) {
        self.count += 1;
        if self.first.is_none() {
            self.first = Some(what.to_string());
        }
        if self.samples.len() < MAX_EVIDENCE {
            self.samples.push(format!("{} ({what})", excerpt(l)));
        }
    }
}

/// The JSON type of a value, for messages.
pub fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_ids() {
        assert!(is_hex_id("0af7651916cd43dd8448eb211c80319c", 32));
        assert!(!is_hex_id("0AF7651916CD43DD8448EB211C80319C", 32));
        assert!(!is_hex_id("00000000000000000000000000000000", 32));
        assert!(!is_hex_id("b7ad6b7169203331", 32));
        assert!(is_hex_id("b7ad6b7169203331", 16));
    }

    #[test]
    fn formats() {
        assert!(format_ok(Format::Rfc3339, "2026-11-29T20:00:00.123+01:00").is_ok());
        assert!(format_ok(Format::Rfc3339Utc, "2026-11-29T20:00:00.123+01:00").is_err());
        assert!(format_ok(Format::Rfc3339Utc, "2026-11-29T20:00:00Z").is_ok());
        assert!(format_ok(Format::Rfc3339, "29/11/2026 20:00").is_err());
    }
}
