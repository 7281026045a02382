//! Alertmanager label matchers: the string syntax (`severity="critical"`, `team=~"a|b"`,
//! `{a="1", b!~"x.*"}`, unquoted values, spaces around operators) and the deprecated
//! `match`/`match_re` maps. Regexes are anchored, as Alertmanager anchors them.

use std::collections::BTreeMap;

use regex::Regex;

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
    /// The value as written.
    pub value: String,
}

impl Matcher {
    /// Build a matcher; regex values are compiled anchored.
    pub fn new(name: &str, op: &str, value: &str) -> Result<Self, String> {
        let anchored = || {
            Regex::new(&format!("^(?:{value})$"))
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
/// optionally inside `{...}`.
pub fn parse_matchers(s: &str) -> Result<Vec<Matcher>, String> {
    let t = s.trim();
    let t = t
        .strip_prefix('{')
        .and_then(|x| x.strip_suffix('}'))
        .unwrap_or(t);
    split_top_level(t)
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| parse_one(p).map_err(|e| format!("matcher `{p}`: {e}")))
        .collect()
}

/// Build matchers from the deprecated `match` and `match_re` maps.
pub fn from_maps(
    eq: &BTreeMap<String, String>,
    re: &BTreeMap<String, String>,
) -> Result<Vec<Matcher>, String> {
    let mut out = Vec::new();
    for (k, v) in eq {
        out.push(Matcher::new(k, "=", v)?);
    }
    for (k, v) in re {
        out.push(Matcher::new(k, "=~", v)?);
    }
    Ok(out)
}

/// Split on commas outside double quotes.
fn split_top_level(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut in_quotes = false;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_quotes => escaped = true,
            '"' => in_quotes = !in_quotes,
            ',' if !in_quotes => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

fn parse_one(s: &str) -> Result<Matcher, String> {
    // The operator is the first of = != =~ !~ outside a quoted name.
    let (name_part, rest) = if let Some(stripped) = s.strip_prefix('"') {
        let end = stripped.find('"').ok_or("unterminated quoted label name")?;
        (&stripped[..end], stripped[end + 1..].trim_start())
    } else {
        let pos = s
            .find(['=', '!'])
            .ok_or("no operator (expected = != =~ !~)")?;
        (s[..pos].trim(), &s[pos..])
    };
    let (op, value) = ["=~", "!~", "!=", "="]
        .iter()
        .find_map(|op| rest.strip_prefix(op).map(|v| (*op, v.trim())))
        .ok_or("no operator (expected = != =~ !~)")?;
    if name_part.is_empty() {
        return Err("empty label name".into());
    }
    let value = unquote(value)?;
    Matcher::new(name_part, op, &value)
}

fn unquote(v: &str) -> Result<String, String> {
    let Some(inner) = v.strip_prefix('"') else {
        return Ok(v.to_string());
    };
    let inner = inner
        .strip_suffix('"')
        .ok_or_else(|| format!("unterminated quoted value `{v}`"))?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => return Err("value ends with a lone backslash".into()),
            }
        } else {
            out.push(c);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ls(pairs: &[(&str, &str)]) -> LabelSet {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn string_syntax_forms() {
        let m = parse_matchers(r#"service=~"foo1|foo2|baz""#).expect("parses");
        assert!(m[0].matches(&ls(&[("service", "foo2")])));
        assert!(
            !m[0].matches(&ls(&[("service", "foo22")])),
            "regex is anchored"
        );
        let m = parse_matchers("severity =~ warning|info").expect("parses");
        assert!(m[0].matches(&ls(&[("severity", "info")])));
        let m = parse_matchers(r#"{a="1", b!="x,y", c!~"z.*"}"#).expect("parses");
        assert_eq!(m.len(), 3);
        assert!(all_match(&m, &ls(&[("a", "1"), ("b", "q"), ("c", "w")])));
        assert!(!all_match(&m, &ls(&[("a", "1"), ("b", "x,y")])));
        let m = parse_matchers(r#"msg="say \"hi\"""#).expect("parses");
        assert_eq!(m[0].value, "say \"hi\"");
        assert!(parse_matchers("novalue").is_err());
        assert!(parse_matchers(r#"a=~"(""#).is_err());
    }

    #[test]
    fn missing_label_is_empty() {
        let m = parse_matchers(r#"team!="x""#).expect("parses");
        assert!(m[0].matches(&LabelSet::new()));
        let m = parse_matchers(r#"team="""#).expect("parses");
        assert!(m[0].matches(&LabelSet::new()));
    }
}
