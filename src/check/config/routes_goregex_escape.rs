//! Escapes of Go's regex dialect outside and inside classes (`\d`, `\b`, octal, `\x`, `\Q…\E`,
//! escaped punctuation) and the literal form every character is emitted in. Part of the
//! translation described in `routes_goregex`.

use crate::check::config::routes_goregex::Tr;

impl Tr {
    /// After a `\` outside a class.
    pub(crate) fn escape(&mut self) -> Result<(), String> {
        let c = self
            .bump()
            .ok_or("trailing backslash at end of expression")?;
        match c {
            'A' => self.atom("\\A", 1),
            'z' => self.atom("\\z", 1),
            'b' => self.atom("(?-u:\\b)", 1),
            'B' => self.atom("(?-u:\\B)", 1),
            'Q' => {
                let rest: String = self.s[self.i..].iter().collect();
                let quoted = rest.split_once("\\E").map_or(rest.as_str(), |(q, _)| q);
                let n = quoted.chars().count();
                let consumed = if n < rest.chars().count() { n + 2 } else { n };
                for q in quoted.chars() {
                    self.atom(&lit(q), 1);
                }
                self.i += consumed;
                self.prev_repeat = false;
            }
            'p' | 'P' => {
                let class = self.unicode_class(c == 'P')?;
                self.atom(&class, 1);
            }
            'd' | 'D' | 's' | 'S' | 'w' | 'W' => self.atom(perl_class(c), 1),
            _ => {
                let ch = self.escaped_char(c)?;
                self.atom(&lit(ch), 1);
            }
        }
        Ok(())
    }

    /// The character an escape other than a class or an assertion stands for (Go's
    /// `parseEscape`): octal, `\x`, the control letters, escaped punctuation.
    pub(crate) fn escaped_char(&mut self, c: char) -> Result<char, String> {
        let octal = |c: Option<char>| c.filter(|c| ('0'..='7').contains(c));
        match c {
            '1'..='7' if octal(self.peek()).is_none() => Err(format!(
                "invalid escape sequence `\\{c}` (backreferences are not supported)"
            )),
            '0'..='7' => {
                let mut v = c as u32 - '0' as u32;
                for _ in 0..2 {
                    let Some(d) = octal(self.peek()) else { break };
                    v = v * 8 + (d as u32 - '0' as u32);
                    self.i += 1;
                }
                Ok(char::from_u32(v).expect("octal escapes stay below 512"))
            }
            'x' => self.hex(),
            'a' => Ok('\x07'),
            'f' => Ok('\x0C'),
            'n' => Ok('\n'),
            'r' => Ok('\r'),
            't' => Ok('\t'),
            'v' => Ok('\x0B'),
            _ if c.is_ascii() && !c.is_ascii_alphanumeric() => Ok(c),
            _ => Err(format!("invalid escape sequence `\\{c}`")),
        }
    }

    /// After `\x`: two hex digits or `{hex…}`.
    fn hex(&mut self) -> Result<char, String> {
        let bad = || "invalid escape sequence `\\x` (expected two hex digits or {…})".to_string();
        let v = if self.peek() == Some('{') {
            self.i += 1;
            let mut v: u32 = 0;
            let mut n = 0;
            loop {
                let c = self.bump().ok_or_else(bad)?;
                if c == '}' {
                    break;
                }
                v = v * 16 + c.to_digit(16).ok_or_else(bad)?;
                if v > 0x10FFFF {
                    return Err(bad());
                }
                n += 1;
            }
            if n == 0 {
                return Err(bad());
            }
            v
        } else {
            let hi = self.bump().and_then(|c| c.to_digit(16)).ok_or_else(bad)?;
            let lo = self.bump().and_then(|c| c.to_digit(16)).ok_or_else(bad)?;
            hi * 16 + lo
        };
        char::from_u32(v).ok_or_else(|| {
            format!("`\\x{{{v:X}}}` is a surrogate code point, which no UTF-8 label value holds")
        })
    }
}

/// Go's Perl classes are ASCII; emitted as bracket classes, which also nest inside `[...]`.
/// Under `(?i)` both dialects fold these classes the same way (`\w` reaches U+212A KELVIN).
pub(crate) fn perl_class(c: char) -> &'static str {
    match c {
        'd' => "[0-9]",
        'D' => "[^0-9]",
        's' => "[\\t\\n\\x0C\\r ]",
        'S' => "[^\\t\\n\\x0C\\r ]",
        'w' => "[0-9A-Za-z_]",
        _ => "[^0-9A-Za-z_]",
    }
}

/// A literal character, escaped unless it is alphanumeric or non-ASCII (never special).
pub(crate) fn lit(c: char) -> String {
    if c.is_ascii_alphanumeric() || !c.is_ascii() {
        c.to_string()
    } else {
        format!("\\x{{{:X}}}", c as u32)
    }
}
