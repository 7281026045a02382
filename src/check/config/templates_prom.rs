//! An approximation of Prometheus's expansion of an alert's annotations, for the sample alerts
//! the Alertmanager template checks render. Prometheus expands annotations with the alert's
//! labels and value before it sends the alert; offline there is no value and some labels come
//! from the expression, so each action is evaluated on stand-ins:
//!
//! - `$value` / `.Value` is [`SAMPLE_VALUE`] (42.5);
//! - `$labels.x`, `.Labels.x`, `index $labels "x"` is the rule's label value, else `sample-x`
//!   (a label the expression carries has no known value);
//! - `$externalLabels.x` is `sample-x`, `$externalURL` a fixed address;
//! - a pipeline applies `humanize*`, `printf`, `toUpper`, `toLower`, `title` to that; any other
//!   function passes its input through;
//! - every other action (`if`, `range`, `end`, `query`, `template`, comments) renders nothing.
//!
//! The result never contains `{{`: an unclosed action is dropped, so the Alertmanager checks
//! only ever see their own defects. Pure.

use std::collections::BTreeMap;

/// The number every `$value` stands for.
pub const SAMPLE_VALUE: f64 = 42.5;

/// One value of a pipeline.
#[derive(Debug, Clone, PartialEq)]
enum V {
    Num(f64),
    Str(String),
}

impl V {
    fn text(&self) -> String {
        match self {
            V::Num(n) => num(*n),
            V::Str(s) => s.clone(),
        }
    }
}

/// Go's `%v` of a float64 for the values used here (shortest form).
fn num(n: f64) -> String {
    format!("{n}")
}

/// `text` with every `{{ … }}` action replaced by its approximate value.
pub fn approximate(text: &str, labels: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            // Prometheus would refuse the template; what follows is not the checks' business.
            return out;
        };
        out.push_str(&action(&after[..end], labels));
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

/// The value of one action's text (between the braces).
fn action(inner: &str, labels: &BTreeMap<String, String>) -> String {
    let a = inner
        .trim()
        .trim_start_matches('-')
        .trim_end_matches('-')
        .trim();
    if a.starts_with("/*") {
        return String::new();
    }
    let stages = split_pipes(a);
    let Some((first, more)) = stages.split_first() else {
        return String::new();
    };
    let Some(mut v) = stage(first, None, labels) else {
        return String::new();
    };
    for s in more {
        match stage(s, Some(v.clone()), labels) {
            Some(next) => v = next,
            None => return String::new(),
        }
    }
    v.text()
}

/// Split a pipeline on `|` outside double-quoted strings.
fn split_pipes(a: &str) -> Vec<String> {
    words_or_pipes(a, '|')
}

/// Split on `sep` outside double-quoted strings (quotes kept), trimming each piece.
fn words_or_pipes(a: &str, sep: char) -> Vec<String> {
    let (mut out, mut cur, mut quoted, mut escaped) = (Vec::new(), String::new(), false, false);
    for c in a.chars() {
        if quoted {
            cur.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => quoted = false,
                _ => {}
            }
        } else if c == sep || (sep == ' ' && c.is_whitespace()) {
            if !cur.trim().is_empty() {
                out.push(cur.trim().to_string());
            }
            cur.clear();
        } else {
            quoted = c == '"';
            cur.push(c);
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

/// One stage: an operand or a function call, with the piped value as its last argument.
/// `None`: an action that renders nothing here (`if`, `range`, `end`, …).
fn stage(s: &str, piped: Option<V>, labels: &BTreeMap<String, String>) -> Option<V> {
    let words = words_or_pipes(s, ' ');
    let (head, args) = words.split_first()?;
    if args.is_empty() && piped.is_none() {
        return operand(head, labels);
    }
    let mut vals: Vec<V> = Vec::new();
    let mut i = 0;
    while i < args.len() {
        if args[i] == "$labels" || args[i] == ".Labels" {
            // `index $labels "x"` reads one label.
            vals.push(index_label(args.get(i + 1).map(String::as_str), labels));
            i += 2;
            continue;
        }
        vals.push(operand(&args[i], labels).unwrap_or(V::Str(String::new())));
        i += 1;
    }
    vals.extend(piped);
    call(head, vals)
}

fn index_label(key: Option<&str>, labels: &BTreeMap<String, String>) -> V {
    let key = key.map(unquote).unwrap_or_default();
    label(&key, labels)
}

fn label(key: &str, labels: &BTreeMap<String, String>) -> V {
    V::Str(
        labels
            .get(key)
            .cloned()
            .unwrap_or_else(|| format!("sample-{key}")),
    )
}

fn unquote(s: &str) -> String {
    s.strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .map(|t| t.replace("\\\"", "\"").replace("\\\\", "\\"))
        .unwrap_or_else(|| s.to_string())
}

/// A lone operand: a variable, a field, a literal. `None` for keywords and unknown names.
fn operand(w: &str, labels: &BTreeMap<String, String>) -> Option<V> {
    if w == "$value" || w == ".Value" || w == "$.Value" {
        return Some(V::Num(SAMPLE_VALUE));
    }
    for prefix in ["$labels.", ".Labels.", "$.Labels.", "$externalLabels."] {
        if let Some(key) = w.strip_prefix(prefix) {
            let known = prefix != "$externalLabels.";
            return Some(if known {
                label(key, labels)
            } else {
                V::Str(format!("sample-{key}"))
            });
        }
    }
    if w == "$externalURL" || w == ".ExternalURL" {
        return Some(V::Str("http://prometheus.example".into()));
    }
    if w.starts_with('"') {
        return Some(V::Str(unquote(w)));
    }
    w.parse::<f64>().ok().map(V::Num)
}

/// A function applied to its arguments (the piped value last).
fn call(name: &str, args: Vec<V>) -> Option<V> {
    let last = args.last().cloned();
    let n = |v: &Option<V>| match v {
        Some(V::Num(n)) => Some(*n),
        Some(V::Str(s)) => s.trim().parse::<f64>().ok(),
        None => None,
    };
    let out = match name {
        "humanize" | "humanize1024" => V::Str(n(&last).map(num).unwrap_or_default()),
        "humanizeDuration" => V::Str(n(&last).map(|x| format!("{}s", num(x))).unwrap_or_default()),
        "humanizePercentage" => V::Str(
            n(&last)
                .map(|x| format!("{}%", num(x * 100.0)))
                .unwrap_or_default(),
        ),
        "humanizeTimestamp" => V::Str("1970-01-01 00:00:42.5 +0000 UTC".into()),
        "printf" => V::Str(printf(args)),
        "toUpper" => V::Str(last?.text().to_uppercase()),
        "toLower" => V::Str(last?.text().to_lowercase()),
        "title" => V::Str(title(&last?.text())),
        // `index $labels "x"`: its arguments were read as that one label.
        "index" => args.first().cloned()?,
        "if" | "else" | "end" | "range" | "with" | "define" | "template" | "block" | "query"
        | "first" | "len" => return None,
        _ => last?,
    };
    Some(out)
}

fn title(s: &str) -> String {
    s.split(' ')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `printf FORMAT ARGS…` for the verbs annotations use (`%f`, `%d`, `%s`, `%v`, `%g`, with a
/// precision); a verb given the wrong type prints Go's `%!verb(type=value)`.
fn printf(args: Vec<V>) -> String {
    let mut it = args.into_iter();
    let Some(fmt) = it.next().map(|f| f.text()) else {
        return String::new();
    };
    let mut out = String::new();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = String::new();
        while let Some(&d) = chars.peek() {
            if d.is_ascii_digit() || d == '.' || d == '-' || d == '+' {
                spec.push(d);
                chars.next();
            } else {
                break;
            }
        }
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        out.push_str(&verb_of(verb, &spec, it.next()));
    }
    out
}

fn verb_of(verb: char, spec: &str, arg: Option<V>) -> String {
    let prec = spec
        .split_once('.')
        .and_then(|(_, p)| p.parse::<usize>().ok());
    match (verb, arg) {
        (_, None) => format!("%!{verb}(MISSING)"),
        ('f' | 'F' | 'e' | 'g', Some(V::Num(n))) => match prec {
            Some(p) => format!("{n:.p$}"),
            None if verb == 'g' => num(n),
            None => format!("{n:.6}"),
        },
        ('d', Some(V::Num(n))) => format!("%!d(float64={})", num(n)),
        ('s' | 'v' | 'q', Some(v)) => v.text(),
        (_, Some(V::Str(s))) => {
            let shown: String = match prec {
                Some(p) => s.chars().take(p).collect(),
                None => s,
            };
            format!("%!{verb}(string={shown})")
        }
        (_, Some(V::Num(n))) => num(n),
    }
}
