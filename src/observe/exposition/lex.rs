//! Lexing of one exposition line: sample lines (name, labels, value, timestamp, exemplar) and
//! the pieces of `#` metadata lines. Works on byte offsets of ASCII delimiters, so slicing never
//! splits a UTF-8 character; every error carries the 1-based column where it was found.

use crate::evidence::ExpositionError;

/// The byte that opens a label set, named so the sample and exemplar checks read alike.
const LABELS_OPEN: u8 = b'{';

/// One line being lexed: its text, number and format rules.
pub(super) struct Line<'a> {
    pub text: &'a str,
    pub number: usize,
    /// OpenMetrics rules (single spaces, float-second timestamps, exemplars).
    pub om: bool,
}

/// A lexed sample line, before it is attached to a family.
pub(super) struct RawSample<'a> {
    pub name: &'a str,
    pub labels: Vec<(String, String)>,
    /// Byte offset of each label's name, for error columns.
    pub label_offsets: Vec<usize>,
    pub value: f64,
    pub timestamp_ms: Option<i64>,
    /// Byte offset of the exemplar's `#`, when one is present.
    pub exemplar_at: Option<usize>,
}

impl<'a> Line<'a> {
    /// An error at byte offset `at` of this line.
    pub fn err(&self, at: usize, message: impl Into<String>) -> ExpositionError {
        let at = at.min(self.text.len());
        // Columns count characters, not bytes, so editors point at the right place.
        let column = self.text.get(..at).map_or(at, |s| s.chars().count()) + 1;
        ExpositionError {
            line: self.number,
            column,
            message: message.into(),
        }
    }

    fn byte(&self, at: usize) -> Option<u8> {
        self.text.as_bytes().get(at).copied()
    }

    /// Skip separators inside braces: 0.0.4 tolerates blanks and tabs there, OpenMetrics none.
    fn skip_inner_blanks(&self, mut at: usize) -> usize {
        if !self.om {
            while matches!(self.byte(at), Some(b' ' | b'\t')) {
                at += 1;
            }
        }
        at
    }

    /// Parse a whole sample line.
    pub fn sample(&self) -> Result<RawSample<'a>, ExpositionError> {
        let name_end = metric_name_end(self.text, 0);
        if name_end == 0 {
            return Err(self.err(
                0,
                format!(
                    "expected a metric name matching [a-zA-Z_:][a-zA-Z0-9_:]*, found {}",
                    found(self.text, 0)
                ),
            ));
        }
        let name = &self.text[..name_end];
        let mut at = name_end;
        let mut labels = Vec::new();
        let mut label_offsets = Vec::new();
        if self.byte(at) == Some(LABELS_OPEN) {
            at = self.labels(at + 1, &mut labels, &mut label_offsets)?;
        }
        at = self.separator(at, "the value")?;
        let (value_tok, value_at, next) = self.token(at);
        let value = parse_value(value_tok).ok_or_else(|| {
            self.err(
                value_at,
                format!("invalid sample value `{value_tok}` (expected a float, NaN, +Inf or -Inf)"),
            )
        })?;
        at = next;
        let mut timestamp_ms = None;
        let mut exemplar_at = None;
        if at < self.text.len() {
            at = self.separator(at, "a timestamp")?;
            if !(self.om && self.byte(at) == Some(b'#')) {
                let (ts_tok, ts_at, next) = self.token(at);
                timestamp_ms = Some(self.timestamp(ts_tok, ts_at)?);
                at = next;
                if at < self.text.len() {
                    at = self.separator(at, "an exemplar")?;
                }
            }
            if at < self.text.len() {
                if !self.om || self.byte(at) != Some(b'#') {
                    return Err(self.err(
                        at,
                        format!("unexpected text after the sample: {}", found(self.text, at)),
                    ));
                }
                exemplar_at = Some(at);
                self.exemplar(at)?;
            }
        }
        Ok(RawSample {
            name,
            labels,
            label_offsets,
            value,
            timestamp_ms,
            exemplar_at,
        })
    }

    /// The separator before the next token: one space in OpenMetrics, blanks/tabs in 0.0.4.
    fn separator(&self, at: usize, what: &str) -> Result<usize, ExpositionError> {
        match self.byte(at) {
            Some(b' ') if self.om => {
                if self.byte(at + 1) == Some(b' ') {
                    return Err(self.err(at + 1, "OpenMetrics allows exactly one space here"));
                }
                Ok(at + 1)
            }
            Some(b' ' | b'\t') if !self.om => {
                let mut at = at;
                while matches!(self.byte(at), Some(b' ' | b'\t')) {
                    at += 1;
                }
                if at >= self.text.len() {
                    return Err(self.err(at, format!("trailing blanks: expected {what}")));
                }
                Ok(at)
            }
            None => Err(self.err(at, format!("line ends early: expected {what}"))),
            Some(_) => Err(self.err(
                at,
                format!(
                    "expected a space before {what}, found {}",
                    found(self.text, at)
                ),
            )),
        }
    }

    /// A token up to the next blank: (text, start, end).
    fn token(&self, at: usize) -> (&'a str, usize, usize) {
        let rest = self.text.get(at..).unwrap_or("");
        let len = rest.find([' ', '\t']).unwrap_or(rest.len());
        (&rest[..len], at, at + len)
    }

    fn timestamp(&self, tok: &str, at: usize) -> Result<i64, ExpositionError> {
        if self.om {
            // OpenMetrics timestamps are seconds, possibly fractional.
            match tok.parse::<f64>() {
                Ok(s) if s.is_finite() && (s * 1000.0).abs() < 9.2e18 && plain_number(tok) => {
                    Ok((s * 1000.0).round() as i64)
                }
                _ => Err(self.err(
                    at,
                    format!("invalid timestamp `{tok}` (expected seconds since the epoch)"),
                )),
            }
        } else {
            tok.parse::<i64>().map_err(|_| {
                self.err(
                    at,
                    format!("invalid timestamp `{tok}` (expected integer milliseconds)"),
                )
            })
        }
    }

    /// `{` already consumed at `at - 1`; parse `name="value",...}` and return the offset after `}`.
    fn labels(
        &self,
        mut at: usize,
        labels: &mut Vec<(String, String)>,
        offsets: &mut Vec<usize>,
    ) -> Result<usize, ExpositionError> {
        loop {
            at = self.skip_inner_blanks(at);
            if self.byte(at) == Some(b'}') {
                if self.om && !labels.is_empty() {
                    return Err(
                        self.err(at, "trailing comma before `}` (not allowed in OpenMetrics)")
                    );
                }
                return Ok(at + 1);
            }
            let name_end = label_name_end(self.text, at);
            if name_end == at {
                return Err(self.err(
                    at,
                    format!(
                        "expected a label name matching [a-zA-Z_][a-zA-Z0-9_]* or `}}`, found {}",
                        found(self.text, at)
                    ),
                ));
            }
            let name = &self.text[at..name_end];
            if labels.iter().any(|(n, _)| n == name) {
                return Err(self.err(at, format!("duplicate label name `{name}`")));
            }
            let name_at = at;
            at = self.skip_inner_blanks(name_end);
            if self.byte(at) != Some(b'=') {
                return Err(self.err(
                    at,
                    format!(
                        "expected `=` after label `{name}`, found {}",
                        found(self.text, at)
                    ),
                ));
            }
            at = self.skip_inner_blanks(at + 1);
            if self.byte(at) != Some(b'"') {
                return Err(self.err(
                    at,
                    format!(
                        "expected `\"` opening the value of label `{name}`, found {}",
                        found(self.text, at)
                    ),
                ));
            }
            let (value, next) = self.quoted(at + 1)?;
            labels.push((name.to_string(), value));
            offsets.push(name_at);
            at = self.skip_inner_blanks(next);
            match self.byte(at) {
                Some(b',') => at += 1,
                Some(b'}') => return Ok(at + 1),
                _ => {
                    return Err(self.err(
                        at,
                        format!(
                            "expected `,` or `}}` after the value of label `{name}`, found {}",
                            found(self.text, at)
                        ),
                    ));
                }
            }
        }
    }

    /// A quoted label value starting after its `"`: decoded text and the offset after the
    /// closing quote. Only `\\`, `\"` and `\n` are escapes; anything else is an error.
    fn quoted(&self, start: usize) -> Result<(String, usize), ExpositionError> {
        let bytes = self.text.as_bytes();
        let mut out = String::new();
        let mut run = start;
        let mut at = start;
        while let Some(&b) = bytes.get(at) {
            match b {
                b'"' => {
                    out.push_str(&self.text[run..at]);
                    return Ok((out, at + 1));
                }
                b'\\' => {
                    out.push_str(&self.text[run..at]);
                    match bytes.get(at + 1) {
                        Some(b'\\') => out.push('\\'),
                        Some(b'"') => out.push('"'),
                        Some(b'n') => out.push('\n'),
                        _ => {
                            return Err(self.err(
                                at,
                                format!(
                                    "invalid escape `{}` in label value (allowed: \\\\, \\\", \\n)",
                                    self.text
                                        .get(at..)
                                        .unwrap_or("")
                                        .chars()
                                        .take(2)
                                        .collect::<String>()
                                ),
                            ));
                        }
                    }
                    at += 2;
                    run = at;
                }
                _ => at += 1,
            }
        }
        Err(self.err(
            start.saturating_sub(1),
            "unterminated label value (no closing `\"`)",
        ))
    }

    /// Validate an OpenMetrics exemplar ` # {labels} value [timestamp]` starting at its `#`.
    fn exemplar(&self, at: usize) -> Result<(), ExpositionError> {
        if self.byte(at + 1) != Some(b' ') || self.byte(at + 2) != Some(LABELS_OPEN) {
            return Err(self.err(at, "expected an exemplar `# {labels} value [timestamp]`"));
        }
        let mut labels = Vec::new();
        let mut offsets = Vec::new();
        let mut next = self.labels(at + 3, &mut labels, &mut offsets)?;
        let chars: usize = labels
            .iter()
            .map(|(k, v)| k.chars().count() + v.chars().count())
            .sum();
        if chars > 128 {
            return Err(self.err(
                at,
                format!("exemplar label set has {chars} characters (at most 128 allowed)"),
            ));
        }
        next = self.separator(next, "the exemplar value")?;
        let (tok, tok_at, end) = self.token(next);
        if parse_value(tok).is_none() {
            return Err(self.err(tok_at, format!("invalid exemplar value `{tok}`")));
        }
        if end < self.text.len() {
            let ts_at = self.separator(end, "the exemplar timestamp")?;
            let (ts, ts_at, ts_end) = self.token(ts_at);
            self.timestamp(ts, ts_at)?;
            if ts_end < self.text.len() {
                return Err(self.err(ts_end, "unexpected text after the exemplar"));
            }
        }
        Ok(())
    }
}

/// End offset of a metric name starting at `at` (== `at` when there is none).
pub(super) fn metric_name_end(text: &str, at: usize) -> usize {
    let bytes = text.as_bytes();
    let mut end = at;
    while let Some(&b) = bytes.get(end) {
        let ok =
            b.is_ascii_alphabetic() || b == b'_' || b == b':' || (end > at && b.is_ascii_digit());
        if !ok {
            break;
        }
        end += 1;
    }
    end
}

/// End offset of a label name starting at `at` (== `at` when there is none).
fn label_name_end(text: &str, at: usize) -> usize {
    let bytes = text.as_bytes();
    let mut end = at;
    while let Some(&b) = bytes.get(end) {
        let ok = b.is_ascii_alphabetic() || b == b'_' || (end > at && b.is_ascii_digit());
        if !ok {
            break;
        }
        end += 1;
    }
    end
}

/// A sample value: a decimal float or (any case) `NaN`, `Inf`, `+Inf`, `-Inf`.
pub(super) fn parse_value(tok: &str) -> Option<f64> {
    let lower = tok.trim_start_matches(['+', '-']);
    let special = lower.eq_ignore_ascii_case("inf")
        || lower.eq_ignore_ascii_case("infinity")
        || lower.eq_ignore_ascii_case("nan");
    if !special && !plain_number(tok) {
        return None;
    }
    if tok.eq_ignore_ascii_case("+nan") || tok.eq_ignore_ascii_case("-nan") {
        return None;
    }
    tok.parse::<f64>().ok()
}

/// Only digits, one sign, `.` and an exponent: rejects what Rust would accept but Prometheus
/// would not (and the special words, handled by the caller).
fn plain_number(tok: &str) -> bool {
    !tok.is_empty()
        && tok
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'))
        && tok.bytes().any(|b| b.is_ascii_digit())
}

/// What stands at `at`, for messages: the character quoted, or "end of line".
pub(super) fn found(text: &str, at: usize) -> String {
    match text.get(at..).and_then(|s| s.chars().next()) {
        Some(c) => format!("`{}`", c.escape_default()),
        None => "end of line".to_string(),
    }
}
