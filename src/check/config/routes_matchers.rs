//! Alertmanager label matchers: the string syntax (`severity="critical"`, `team=~"a|b"`,
//! `{a="1", b!~"x.*"}`, unquoted values, spaces around operators) and the deprecated
//! `match`/`match_re` maps, read exactly as Alertmanager 0.25 reads them (`pkg/labels/parse.go`
//! and `config.Regexp`), quirks included:
//! - one `{` and one `}` are stripped first, before any whitespace is trimmed;
//! - the list splits on commas outside double quotes; only the last piece is trimmed and may be
//!   empty (`a=b,` is fine, `a=b,,c=d` is not);
//! - a label name is `[a-zA-Z_:][a-zA-Z0-9_:]*` and cannot be quoted;
//! - values are unescaped whether quoted or not: `\n`, `\"` and `\\` stand for a newline, a
//!   quote and a backslash, any other `\x` stays `\x` (so `\d` reaches the regex intact), a
//!   final `\` is literal, and an unescaped `"` is allowed only closing a quoted value;
//! - regex values are compiled as `^(?:value)$` in Go's dialect (see `routes_goregex`);
//! - `match`/`match_re` values are taken literally, with keys that must be label names
//!   without `:`.

use std::collections::BTreeMap;

use regex::Regex;

use crate::check::config::routes_goregex::compile_anchored;

/// A set of labels; a missing label matches as the empty string.
pub type LabelSet = BTreeMap<String, String>;

/// Matching operator.
#[derive(Debug, Clone)]
pub enum MatchKind {
    /// `=`
    Equal,
    /// `!=`
    NotEqual,
    /// `=~` (anchored)
    Regex(Regex),
    /// `!~` (anchored)
    NotRegex(Regex),
}

/// One matcher.
#[derive(Debug, Clone)]
pub struct Matcher {
    /// Label name.
    pub name: String,
    /// Operator (with the compiled regex).
    pub kind: MatchKind,
    /// The value after unescaping (for regexes, the Go pattern).
    pub value: String,
}

impl Matcher {
    /// Build a matcher from an already unescaped value; regex values are compiled anchored,
    /// with Go's regex semantics.
    pub fn new(name: &str, op: &str, value: &str) -> Result<Self, String> {
        let anchored = || {
            compile_anchored(value)
                .map_err(|e| format!("invalid regex `{value}` for label `{name}`: {e}"))
        };
        let kind = match op {
            "=" => MatchKind::Equal,
            "!=" => MatchKind::NotEqual,
            "=~" => MatchKind::Regex(anchored()?),
            "!~" => MatchKind::NotRegex(anchored()?),
            other => return Err(format!("unknown operator `{other}` (allowed: = != =~ !~)")),
        };
        Ok(Self {
            name: name.to_string(),
            kind,
            value: value.to_string(),
        })
    }

    /// Whether the label set satisfies this matcher.
    pub fn matches(&self, labels: &LabelSet) -> bool {
        let v = labels.get(&self.name).map(String::as_str).unwrap_or("");
        match &self.kind {
            MatchKind::Equal => v == self.value,
            MatchKind::NotEqual => v != self.value,
            MatchKind::Regex(r) => r.is_match(v),
            MatchKind::NotRegex(r) => !r.is_match(v),
        }
    }

    /// The operator as written.
    pub fn op(&self) -> &'static str {
        match self.kind {
            MatchKind::Equal => "=",
            MatchKind::NotEqual => "!=",
            MatchKind::Regex(_) => "=~",
            MatchKind::NotRegex(_) => "!~",
        }
    }
}

impl std::fmt::Display for Matcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}{:?}", self.name, self.op(), self.value)
    }
}

/// All matchers match.
pub fn all_match(ms: &[Matcher], labels: &LabelSet) -> bool {
    ms.iter().all(|m| m.matches(labels))
}

/// Parse one entry of a `matchers:` list: one matcher, or several separated by commas,
/// optionally inside `{...}` (Alertmanager's `ParseMatchers`).
pub fn parse_matchers(s: &str) -> Result<Vec<Matcher>, String> {
    let s = s.strip_prefix('{').unwrap_or(s);
    let s = s.strip_suffix('}').unwrap_or(s);
    split_tokens(s)
        .iter()
        .map(|t| parse_one(t).map_err(|e| format!("matcher `{t}`: {e}")))
        .collect()
}

/// Build matchers from the deprecated `match` and `match_re` maps: keys must be label names
/// (`[a-zA-Z_][a-zA-Z0-9_]*`), values are literal (no unescaping), `match_re` values anchored.
pub fn from_maps(
    eq: &BTreeMap<String, String>,
    re: &BTreeMap<String, String>,
) -> Result<Vec<Matcher>, String> {
    let mut out = Vec::new();
    for (ops, map) in [("=", eq), ("=~", re)] {
        for (k, v) in map {
            if !is_label_name(k, false) {
                return Err(format!(
                    "invalid label name `{k}` in match/match_re (allowed: [a-zA-Z_][a-zA-Z0-9_]*)"
                ));
            }
            out.push(Matcher::new(k, ops, v)?);
        }
    }
    Ok(out)
}

/// Whether `s` is a label name; `colon` allows `:` as the string syntax does.
fn is_label_name(s: &str, colon: bool) -> bool {
    let ok = |c: char, first: bool| {
        c.is_ascii_alphabetic() || c == '_' || (colon && c == ':') || (!first && c.is_ascii_digit())
    };
    let mut cs = s.chars();
    cs.next().is_some_and(|c| ok(c, true)) && cs.all(|c| ok(c, false))
}

/// Split on commas outside double quotes, with Alertmanager's quote tracking: a `"` toggles
/// quoting unless escaped, a `\` toggles escaping, any other character but a quoted comma ends
/// an escape. Only the last piece is trimmed (of Unicode whitespace) and dropped when empty.
fn split_tokens(s: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut token = String::new();
    let (mut quoted, mut escaped) = (false, false);
    for c in s.chars() {
        match c {
            ',' if !quoted => {
                tokens.push(std::mem::take(&mut token));
                continue;
            }
            ',' => {}
            '"' if escaped => escaped = false,
            '"' => quoted = !quoted,
            '\\' => escaped = !escaped,
            _ => escaped = false,
        }
        token.push(c);
    }
    let last = token.trim();
    if !last.is_empty() {
        tokens.push(last.to_string());
    }
    tokens
}

/// Whitespace as Go's regex `\s` knows it (ASCII, without `\v`).
fn is_go_space(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\x0C' | '\r' | ' ')
}

/// One matcher (Alertmanager's `ParseMatcher`): the text must match
/// `^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(=~|=|!=|!~)\s*((?s).*?)\s*$`.
fn parse_one(s: &str) -> Result<Matcher, String> {
    let bad = || {
        if s.trim().is_empty() {
            "empty matcher (two commas in a row?)".to_string()
        } else {
            "bad matcher format: expected NAME OP VALUE with NAME matching \
             [a-zA-Z_:][a-zA-Z0-9_:]* (label names cannot be quoted) and OP one of = != =~ !~"
                .to_string()
        }
    };
    let rest = s.trim_start_matches(is_go_space);
    let name_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
        .unwrap_or(rest.len());
    let name = &rest[..name_len];
    if !is_label_name(name, true) {
        return Err(bad());
    }
    let rest = rest[name_len..].trim_start_matches(is_go_space);
    let (op, rest) = ["=~", "=", "!=", "!~"]
        .iter()
        .find_map(|op| rest.strip_prefix(op).map(|r| (*op, r)))
        .ok_or_else(bad)?;
    let raw = rest
        .trim_start_matches(is_go_space)
        .trim_end_matches(is_go_space);
    Matcher::new(name, op, &unescape(raw)?)
}

/// A value as Alertmanager unescapes it, quoted or not.
fn unescape(raw: &str) -> Result<String, String> {
    let (raw, mut want_quote) = match raw.strip_prefix('"') {
        Some(r) => (r, true),
        None => (raw, false),
    };
    let unescaped_quote = || {
        format!(
            "unescaped double quote in value `{raw}` (write \\\" inside a value; a quoted \
             value must end with its closing quote)"
        )
    };
    let mut out = String::with_capacity(raw.len());
    let mut escaped = false;
    for (i, c) in raw.char_indices() {
        let last = i + c.len_utf8() == raw.len();
        if escaped {
            escaped = false;
            match c {
                'n' => out.push('\n'),
                '"' | '\\' => out.push(c),
                // A spurious escape keeps its backslash.
                _ => {
                    out.push('\\');
                    out.push(c);
                }
            }
            continue;
        }
        match c {
            '\\' if !last => escaped = true,
            '"' if want_quote && last => want_quote = false,
            '"' => return Err(unescaped_quote()),
            _ => out.push(c),
        }
    }
    if want_quote {
        return Err(unescaped_quote());
    }
    Ok(out)
}
