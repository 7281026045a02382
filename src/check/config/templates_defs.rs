//! The named templates a receiver field calls (`{{ template "slack.pipeline.title" . }}`),
//! found in the config's template files: each `{{ define "name" }}…{{ end }}` with its file
//! and line, so a defect inside a definition is reported at the field that calls it and the
//! file that holds it, and the labels a definition reads are checked like the field's own.
//! Pure.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use crate::evidence::TemplateFile;

static ACTION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)\{\{-?\s*(.*?)\s*-?\}\}").expect("static regex"));
static CALL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"\b(?:template|block)\s+"([^"]+)""#).expect("static regex"));
static DEFINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"^(?:define|block)\s+"([^"]+)""#).expect("static regex"));

/// At most this many definitions are followed from one field (recursion in a template file).
const MAX_FOLLOWED: usize = 32;

/// One `{{ define }}`: where it is and its body.
#[derive(Debug, Clone, PartialEq)]
pub struct Definition {
    /// The template's name.
    pub name: String,
    /// `file:line` of its `define`.
    pub at: String,
    /// The text between `{{ define … }}` and its `{{ end }}`.
    pub body: String,
}

/// Every definition of `files`, by name (a later file's wins, as when Alertmanager parses them
/// in order).
pub fn definitions(files: &[TemplateFile]) -> BTreeMap<String, Definition> {
    let mut out = BTreeMap::new();
    for f in files {
        let actions: Vec<(usize, usize, &str)> = ACTION
            .captures_iter(&f.text)
            .filter_map(|c| {
                let (all, inner) = (c.get(0)?, c.get(1)?);
                Some((all.start(), all.end(), inner.as_str()))
            })
            .collect();
        for (i, (start, end, inner)) in actions.iter().enumerate() {
            let Some(name) = DEFINE.captures(inner).and_then(|c| c.get(1)) else {
                continue;
            };
            let close = closing(&actions[i + 1..]).unwrap_or(f.text.len());
            let line = f.text[..*start].matches('\n').count() + 1;
            out.insert(
                name.as_str().to_string(),
                Definition {
                    name: name.as_str().to_string(),
                    at: format!("{}:{line}", f.path),
                    body: f.text[*end..close.max(*end)].to_string(),
                },
            );
        }
    }
    out
}

/// The start of the `{{ end }}` closing a block opened just before `after`.
fn closing(after: &[(usize, usize, &str)]) -> Option<usize> {
    let mut depth = 0usize;
    for (start, _, inner) in after {
        let word = inner.split_whitespace().next().unwrap_or("");
        match word {
            "if" | "range" | "with" | "define" | "block" => depth += 1,
            "end" if depth == 0 => return Some(*start),
            "end" => depth -= 1,
            _ => {}
        }
    }
    None
}

/// The definitions `text` calls, directly or through other definitions, in call order.
pub fn called<'a>(text: &str, defs: &'a BTreeMap<String, Definition>) -> Vec<&'a Definition> {
    let mut out: Vec<&Definition> = Vec::new();
    let mut queue: Vec<String> = names(text);
    while let Some(n) = queue.first().cloned() {
        queue.remove(0);
        if out.len() >= MAX_FOLLOWED || out.iter().any(|d| d.name == n) {
            continue;
        }
        if let Some(d) = defs.get(&n) {
            queue.extend(names(&d.body));
            out.push(d);
        }
    }
    out
}

fn names(text: &str) -> Vec<String> {
    CALL.captures_iter(text)
        .filter_map(|c| c.get(1).map(|m| m.as_str().to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "{{/* c */}}\n{{ define \"a.title\" -}}\n[{{ if eq .Status \"firing\" }}F{{ end }}] {{ template \"a.name\" . }}\n{{- end }}\n\n{{ define \"a.name\" }}{{ .CommonLabels.alertname }}{{ end }}\n";

    fn defs() -> BTreeMap<String, Definition> {
        definitions(&[TemplateFile {
            path: "t/a.tmpl".into(),
            text: FILE.into(),
        }])
    }

    #[test]
    fn definitions_keep_their_file_line_and_whole_body() {
        let d = defs();
        assert_eq!(d["a.title"].at, "t/a.tmpl:2");
        assert!(
            d["a.title"].body.contains("{{ end }}] {{ template"),
            "{:?}",
            d["a.title"]
        );
        assert_eq!(d["a.name"].at, "t/a.tmpl:6");
        assert_eq!(d["a.name"].body, "{{ .CommonLabels.alertname }}");
    }

    #[test]
    fn calls_are_followed_through_definitions_once() {
        let d = defs();
        let c = called(
            "{{ template \"a.title\" . }} {{ template \"a.title\" . }}",
            &d,
        );
        let names: Vec<&str> = c.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["a.title", "a.name"]);
        assert!(called("{{ template \"slack.default.title\" . }}", &d).is_empty());
    }
}
