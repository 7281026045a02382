//! Line and column of values in a JSON text, by the path the dashboard walker names them with
//! (`panels[3].targets[1].expr`). `serde_json::Value` keeps no positions, so a finding about a
//! panel target would otherwise carry only a JSON path; this scanner reads the text once more,
//! after serde_json accepted it, and records where each array element and each `expr` value
//! begins (1-based line, 1-based column in characters, as editors count them).
//!
//! It never fails: on text it cannot follow it stops and keeps what it found.

use std::collections::HashMap;

/// Deeper than serde_json's own recursion limit (128): the scanner never sees deeper text
/// that serde_json accepted, and stops rather than recursing further on anything else.
const MAX_DEPTH: usize = 256;

/// Where values begin, by path.
#[derive(Debug, Default, Clone)]
pub struct JsonPositions {
    at: HashMap<String, (u32, u32)>,
}

impl JsonPositions {
    /// Line and column of the value at `path`, when it was recorded.
    pub fn get(&self, path: &str) -> Option<(u32, u32)> {
        self.at.get(path).copied()
    }
}

/// Scan `text` for the positions of every array element and every `expr` value.
pub fn positions(text: &str) -> JsonPositions {
    let mut s = Scanner {
        b: text.as_bytes(),
        i: 0,
        line: 1,
        col: 1,
        out: JsonPositions::default(),
    };
    s.value(String::new(), 0);
    s.out
}

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
    line: u32,
    col: u32,
    out: JsonPositions,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn bump(&mut self) {
        let Some(c) = self.peek() else { return };
        self.i += 1;
        if c == b'\n' {
            self.line = self.line.saturating_add(1);
            self.col = 1;
        } else if c & 0xC0 != 0x80 {
            // Only the first byte of a UTF-8 sequence starts a character.
            self.col = self.col.saturating_add(1);
        }
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.bump();
        }
    }

    /// Scan one value at `path`; false when the text cannot be followed further.
    fn value(&mut self, path: String, depth: usize) -> bool {
        self.ws();
        if depth > MAX_DEPTH {
            return false;
        }
        if path.ends_with(']') || path == "expr" || path.ends_with(".expr") {
            self.out.at.insert(path.clone(), (self.line, self.col));
        }
        match self.peek() {
            Some(b'{') => self.object(&path, depth),
            Some(b'[') => self.array(&path, depth),
            Some(b'"') => self.string().is_some(),
            Some(_) => self.scalar(),
            None => false,
        }
    }

    fn object(&mut self, path: &str, depth: usize) -> bool {
        self.bump();
        loop {
            self.ws();
            match self.peek() {
                Some(b'}') => {
                    self.bump();
                    return true;
                }
                Some(b',') => self.bump(),
                Some(b'"') => {
                    let Some(key) = self.string() else {
                        return false;
                    };
                    self.ws();
                    if self.peek() != Some(b':') {
                        return false;
                    }
                    self.bump();
                    let child = if path.is_empty() {
                        key
                    } else {
                        format!("{path}.{key}")
                    };
                    if !self.value(child, depth + 1) {
                        return false;
                    }
                }
                _ => return false,
            }
        }
    }

    fn array(&mut self, path: &str, depth: usize) -> bool {
        self.bump();
        let mut index = 0usize;
        loop {
            self.ws();
            match self.peek() {
                Some(b']') => {
                    self.bump();
                    return true;
                }
                Some(b',') => self.bump(),
                Some(_) => {
                    if !self.value(format!("{path}[{index}]"), depth + 1) {
                        return false;
                    }
                    index += 1;
                }
                None => return false,
            }
        }
    }

    /// A string's text, escapes kept as written (keys that matter here have none).
    fn string(&mut self) -> Option<String> {
        self.bump();
        let start = self.i;
        loop {
            match self.peek()? {
                b'"' => {
                    let s = String::from_utf8_lossy(self.b.get(start..self.i)?).into_owned();
                    self.bump();
                    return Some(s);
                }
                b'\\' => {
                    self.bump();
                    self.bump();
                }
                _ => self.bump(),
            }
        }
    }

    fn scalar(&mut self) -> bool {
        let start = self.i;
        while let Some(c) = self.peek() {
            if matches!(c, b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r') {
                break;
            }
            self.bump();
        }
        self.i > start
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn array_elements_and_exprs_are_located() {
        let text = "{\n  \"panels\": [\n    {\"title\": \"é\", \"targets\": [\n      {\"expr\": \"up\"}\n    ]}\n  ]\n}";
        let p = positions(text);
        assert_eq!(p.get("panels[0]"), Some((3, 5)));
        assert_eq!(p.get("panels[0].targets[0]"), Some((4, 7)));
        assert_eq!(p.get("panels[0].targets[0].expr"), Some((4, 16)));
        assert_eq!(p.get("panels[1]"), None);
    }

    #[test]
    fn columns_count_characters_and_escapes_do_not_end_strings() {
        let text = r#"{"t": "a\"é", "panels": [1, {"expr": "x"}]}"#;
        let p = positions(text);
        assert_eq!(p.get("panels[1].expr"), Some((1, 38)));
        assert_eq!(p.get("panels[0]"), Some((1, 26)));
    }

    #[test]
    fn broken_or_deep_text_stops_without_panicking() {
        for t in [
            "",
            "{",
            "[[[",
            "{\"a\": [1,",
            "{\"a\"",
            "\"\\",
            &"[".repeat(10_000),
        ] {
            let _ = positions(t);
        }
        assert_eq!(positions("[1, [2]]").get("[1][0]"), Some((1, 6)));
    }
}
