//! Go RE2 regular expressions, the dialect Alertmanager compiles regex matchers in, rewritten
//! into the `regex` crate's syntax so that a matcher accepts here exactly the values it accepts
//! in Alertmanager 0.25 (built with Go 1.19).
//!
//! The two dialects share most of their syntax but not all of its meaning, so the pattern is
//! parsed with Go's rules and re-emitted in a form whose meaning is the same in Rust:
//! - `\d \s \w \b` and their negations are ASCII in Go, Unicode in Rust: emitted as explicit
//!   ASCII classes (`\s` is `[\t\n\f\r ]`, without `\v`) and `(?-u:\b)`;
//! - `\pC` lacks unassigned code points in Go, `\p{Cs}` has no Rust counterpart, and Go only
//!   knows general categories, `Any` and the scripts of Unicode 13, spelled exactly;
//! - `{` is a literal unless it starts a valid `{n}`, `{n,}` or `{n,m}` (no leading zeros, at
//!   most 1000, nested counts multiplying to at most 1000); `a{,3}` is literal text in Go;
//! - inside `[...]`, `[`, `&&`, `--` and `~~` are plain characters in Go, set syntax in Rust,
//!   so every class member is emitted escaped and ranges are checked with Go's rules;
//! - octal escapes (`\0`, `\012`), `\Q...\E` and `(?)` exist only in Go and are rewritten;
//!   `(?<name>`, `(?x)`, `\u`, `\<` and stacked repetitions (`a**`) exist only in Rust and are
//!   refused, as Go refuses them; capture names follow Go's rules (`(?P<1>x)` is fine).
//!
//! The whole anchored text `^(?:value)$` is parsed, as Alertmanager builds it by concatenation:
//! a value such as `a)|(b` is valid there and changes what the anchors apply to.

use regex::{Regex, RegexBuilder};

use crate::check::config::routes_goregex_escape::lit;

/// Go's largest repetition count, also the bound on nested counts multiplied together.
const MAX_REPEAT: u64 = 1000;

/// Compile a regex matcher value the way Alertmanager does: `^(?:value)$` in Go syntax.
pub fn compile_anchored(value: &str) -> Result<Regex, String> {
    let rust = translate(&format!("^(?:{value})$"))?;
    RegexBuilder::new(&rust)
        // Go allows 1000 levels of nesting; the translation adds a few of its own.
        .nest_limit(1100)
        .size_limit(256 << 20)
        .build()
        .map_err(|e| {
            let detail = e.to_string();
            let last = detail.lines().last().unwrap_or("").trim();
            format!("cannot compile `{value}` for evaluation: {last}")
        })
}

/// Rewrite a Go regular expression into the same expression in the `regex` crate's syntax.
pub fn translate(go: &str) -> Result<String, String> {
    let mut t = Tr {
        s: go.chars().collect(),
        i: 0,
        out: String::with_capacity(go.len() * 2),
        frames: vec![Frame::default()],
        prev_repeat: false,
        names: Vec::new(),
    };
    t.run()?;
    Ok(t.out)
}

/// One group level: the repetition weight of what it holds so far and of its last operand
/// (`None` when a repetition here would have nothing to repeat).
#[derive(Default)]
struct Frame {
    done: u64,
    last: Option<u64>,
}

/// The translator: Go pattern text, a cursor, the Rust output.
pub(crate) struct Tr {
    pub(crate) s: Vec<char>,
    pub(crate) i: usize,
    out: String,
    frames: Vec<Frame>,
    pub(crate) prev_repeat: bool,
    names: Vec<String>,
}

impl Tr {
    pub(crate) fn peek(&self) -> Option<char> {
        self.s.get(self.i).copied()
    }

    pub(crate) fn peek_at(&self, n: usize) -> Option<char> {
        self.s.get(self.i + n).copied()
    }

    pub(crate) fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }

    fn frame(&mut self) -> &mut Frame {
        self.frames
            .last_mut()
            .expect("the outermost frame is never popped")
    }

    fn run(&mut self) -> Result<(), String> {
        while let Some(c) = self.bump() {
            match c {
                '\\' => self.escape()?,
                '[' => {
                    let class = self.class()?;
                    self.atom(&class, 1);
                }
                '(' => self.open()?,
                ')' => self.close()?,
                '|' => {
                    let f = self.frame();
                    f.done = f.done.max(f.last.unwrap_or(0));
                    f.last = None;
                    self.out.push('|');
                    self.prev_repeat = false;
                }
                '*' | '+' | '?' => self.repeat(&c.to_string(), None)?,
                '{' => self.brace()?,
                '^' | '$' | '.' => self.atom(&c.to_string(), 1),
                _ => self.atom(&lit(c), 1),
            }
        }
        if self.frames.len() > 1 {
            return Err("missing closing )".into());
        }
        Ok(())
    }

    /// Emit one operand with the repetition weight it carries.
    pub(crate) fn atom(&mut self, text: &str, weight: u64) {
        let f = self.frame();
        f.done = f.done.max(f.last.unwrap_or(0));
        f.last = Some(weight);
        self.out.push_str(text);
        self.prev_repeat = false;
    }

    /// `op` (`*`, `+`, `?` or a count) applies to the last operand; `count` is (min, max)
    /// with max `None` for `{n,}`.
    fn repeat(&mut self, op: &str, count: Option<(u64, Option<u64>)>) -> Result<(), String> {
        let lazy = if self.peek() == Some('?') {
            self.i += 1;
            "?"
        } else {
            ""
        };
        if self.prev_repeat {
            return Err(format!("invalid nested repetition operator `{op}{lazy}`"));
        }
        let Some(last) = self.frame().last else {
            return Err(format!("missing argument to repetition operator `{op}`"));
        };
        let mut weight = last;
        if let Some((min, max)) = count {
            let m = max.unwrap_or(min);
            weight = if m == 0 { 1 } else { m * last };
            if (min >= 2 || max.unwrap_or(0) >= 2) && weight > MAX_REPEAT {
                return Err(format!(
                    "invalid repeat count `{op}`: nested counts multiply past {MAX_REPEAT}"
                ));
            }
        }
        self.frame().last = Some(weight);
        self.out.push_str(op);
        self.out.push_str(lazy);
        self.prev_repeat = true;
        Ok(())
    }

    /// `{` starts a count only when Go can parse one; otherwise it is a literal.
    fn brace(&mut self) -> Result<(), String> {
        let start = self.i;
        let Some((min, max)) = self.count() else {
            self.i = start;
            self.atom("\\{", 1);
            return Ok(());
        };
        let text: String = std::iter::once('{')
            .chain(self.s[start..self.i].iter().copied())
            .collect();
        // `{n}` repeats exactly n times; `None` is the open end of `{n,}`.
        let max = max.unwrap_or(Some(min));
        if min > MAX_REPEAT || max.is_some_and(|m| m > MAX_REPEAT) {
            return Err(format!(
                "invalid repeat count `{text}` (at most {MAX_REPEAT})"
            ));
        }
        if max.is_some_and(|m| min > m) {
            return Err(format!("invalid repeat count `{text}` (min above max)"));
        }
        self.repeat(&text, Some((min, max)))
    }

    /// After `{`: `n}`, `n,}` or `n,m}` as Go reads them; the max is `None` for `{n}` and
    /// `Some(None)` for `{n,}`.
    fn count(&mut self) -> Option<(u64, Option<Option<u64>>)> {
        let min = self.int()?;
        let max = if self.peek() == Some(',') {
            self.i += 1;
            if self.peek() == Some('}') {
                Some(None)
            } else {
                Some(Some(self.int()?))
            }
        } else {
            None
        };
        if self.peek() != Some('}') {
            return None;
        }
        self.i += 1;
        Some((min, max))
    }

    /// Decimal digits without a leading zero (Go does not read `{01}` as a count); numbers
    /// too large to be valid saturate.
    fn int(&mut self) -> Option<u64> {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        let digits: String = self.s[start..self.i].iter().collect();
        if digits.is_empty() || digits.len() >= 2 && digits.starts_with('0') {
            return None;
        }
        Some(digits.parse::<u64>().unwrap_or(u64::MAX))
    }

    fn open(&mut self) -> Result<(), String> {
        if self.peek() != Some('?') {
            self.frames.push(Frame::default());
            self.out.push('(');
            self.prev_repeat = false;
            return Ok(());
        }
        self.i += 1;
        if self.peek() == Some('P') && self.peek_at(1) == Some('<') {
            self.i += 2;
            let rest: String = self.s[self.i..].iter().collect();
            let name = rest
                .split_once('>')
                .map(|(n, _)| n.to_string())
                .ok_or("invalid named capture: no closing `>`")?;
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(format!("invalid named capture `(?P<{name}>`"));
            }
            if self.names.contains(&name) {
                return Err(format!("duplicate capture group name `{name}`"));
            }
            self.i += name.chars().count() + 1;
            self.names.push(name);
            // Names do not change what matches; Rust's naming rules are stricter than Go's.
            self.frames.push(Frame::default());
            self.out.push('(');
            self.prev_repeat = false;
            return Ok(());
        }
        self.flags()
    }

    /// `(?flags)` or `(?flags:`, read with Go's rules (flags `imsU`, one `-` followed by at
    /// least one flag) and re-emitted without repeats, which Rust refuses.
    fn flags(&mut self) -> Result<(), String> {
        let start = self.i;
        let (mut on, mut off) = (String::new(), String::new());
        let mut negated = false;
        let mut saw = false;
        while let Some(c) = self.bump() {
            match c {
                'i' | 'm' | 's' | 'U' => {
                    let (add, drop) = if negated {
                        (&mut off, &mut on)
                    } else {
                        (&mut on, &mut off)
                    };
                    if !add.contains(c) {
                        add.push(c);
                    }
                    drop.retain(|d| d != c);
                    saw = true;
                }
                '-' if !negated => {
                    negated = true;
                    saw = false;
                }
                ':' | ')' if !negated || saw => {
                    let set = match (on.is_empty(), off.is_empty()) {
                        (true, true) => String::new(),
                        (_, true) => on.clone(),
                        _ => format!("{on}-{off}"),
                    };
                    if c == ':' {
                        self.frames.push(Frame::default());
                        self.out.push_str(&format!("(?{set}:"));
                    } else if !set.is_empty() {
                        self.out.push_str(&format!("(?{set})"));
                    }
                    self.prev_repeat = false;
                    return Ok(());
                }
                _ => break,
            }
        }
        let text: String = self.s[start..self.i].iter().collect();
        Err(format!(
            "invalid or unsupported Perl syntax `(?{text}` (Go allows only the flags i, m, s, U and `(?P<name>`)"
        ))
    }

    fn close(&mut self) -> Result<(), String> {
        if self.frames.len() == 1 {
            return Err("unexpected )".into());
        }
        let f = self.frames.pop().expect("more than one frame");
        let weight = f.done.max(f.last.unwrap_or(0)).max(1);
        self.atom(")", weight);
        Ok(())
    }
}
