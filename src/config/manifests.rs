//! Rule files and dashboards in the wrappers real projects ship them in: multi-document YAML,
//! Kubernetes `PrometheusRule` manifests (`spec.groups`), `ConfigMap`s and `ConfigMapList`s
//! carrying rule files or dashboard JSON in `data`, and dashboards exported through Grafana's
//! API (`{"dashboard": …, "meta": …}`).
//!
//! Every line a check prints must point into the file the user has: documents are parsed one
//! slice at a time and a rule group keeps the line offset of the text it was read from
//! ([`crate::config::rules_file::RuleGroup::line_offset`]), so `file:line` of an embedded rule
//! is its line in the manifest.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::config::rules_file::RuleFile;
use crate::config::{ConfigError, line_of, parse_json, parse_yaml};

/// One YAML document of a file: its text and the number of lines before it.
#[derive(Debug, Clone, PartialEq)]
pub struct YamlDoc<'a> {
    /// The document's text (without its `---` line).
    pub text: &'a str,
    /// Lines of the file before the document's first line.
    pub line_offset: u64,
}

/// Split YAML text at `---` document markers (a line that is `---`, or starts with `--- `).
/// Documents with nothing but comments and blanks are left out.
pub fn split_documents(text: &str) -> Vec<YamlDoc<'_>> {
    let mut out = Vec::new();
    let (mut start, mut start_line, mut line_no) = (0usize, 0u64, 0u64);
    let mut pos = 0usize;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end();
        if bare == "---" || bare.starts_with("--- ") || bare == "..." {
            push_doc(&mut out, &text[start..pos], start_line);
            start = pos + line.len();
            start_line = line_no + 1;
        }
        pos += line.len();
        line_no += 1;
    }
    push_doc(&mut out, &text[start..], start_line);
    out
}

fn push_doc<'a>(out: &mut Vec<YamlDoc<'a>>, text: &'a str, line_offset: u64) {
    let content = text.lines().any(|l| {
        let t = l.trim();
        !t.is_empty() && !t.starts_with('#')
    });
    if content {
        out.push(YamlDoc { text, line_offset });
    }
}

/// The `kind:` and top-level keys of a document, read leniently to pick its model.
fn doc_kind(doc: &YamlDoc<'_>) -> (Option<String>, bool) {
    let v = serde_saphyr::from_str::<serde_json::Value>(doc.text).unwrap_or_default();
    let kind = v.get("kind").and_then(|k| k.as_str()).map(str::to_string);
    (kind, v.get("groups").is_some())
}

/// `PrometheusRule` (prometheus-operator): the rule file is its `spec`.
#[derive(Debug, Deserialize)]
struct PrometheusRuleDoc {
    spec: RuleFile,
}

/// A `ConfigMap`'s data: file name → content.
#[derive(Debug, Deserialize)]
struct ConfigMapDoc {
    #[serde(default)]
    data: BTreeMap<String, Spanned<String>>,
}

/// A `ConfigMapList` or `List` of them.
#[derive(Debug, Deserialize)]
struct ListDoc {
    #[serde(default)]
    items: Vec<ConfigMapDoc>,
}

/// Shift an error of a document or an embedded file to its place in the whole file.
fn shifted(mut e: ConfigError, lines: u64) -> ConfigError {
    e.line = e.line.map(|l| l + lines);
    e
}

/// Read a rule file in any of the shapes above; every document's groups are kept, in order.
/// A file with none (a manifest of another kind) is an error that says what was found.
pub fn parse_rule_sources(file: &str, text: &str) -> Result<RuleFile, ConfigError> {
    let mut all = RuleFile::default();
    let mut kinds = Vec::new();
    let docs = split_documents(text);
    all.wrapped = docs.len() > 1;
    for doc in docs {
        let (kind, has_groups) = doc_kind(&doc);
        let parsed = match kind.as_deref() {
            Some("PrometheusRule" | "ConfigMap" | "ConfigMapList" | "List") if !has_groups => {
                all.wrapped = true;
                wrapped_rules(file, &doc, kind.as_deref())?
            }
            Some(k) if !has_groups => {
                kinds.push(k.to_string());
                continue;
            }
            _ => parse_yaml::<RuleFile>(file, doc.text)
                .map(|r| vec![(r, 0)])
                .map_err(|e| shifted(e, doc.line_offset))?,
        };
        for (mut rf, inner) in parsed {
            for g in &mut rf.groups {
                g.line_offset += doc.line_offset + inner;
            }
            all.groups.append(&mut rf.groups);
        }
    }
    if all.groups.is_empty() && !kinds.is_empty() {
        return Err(ConfigError {
            file: file.to_string(),
            line: None,
            column: None,
            message: format!(
                "no rule groups: found kind {}, expected a rule file, PrometheusRule or \
                 ConfigMap carrying one",
                kinds.join(", ")
            ),
        });
    }
    Ok(all)
}

/// The rule files of a PrometheusRule, ConfigMap or list document, with their line offsets
/// inside it.
fn wrapped_rules(
    file: &str,
    doc: &YamlDoc<'_>,
    kind: Option<&str>,
) -> Result<Vec<(RuleFile, u64)>, ConfigError> {
    match kind {
        Some("PrometheusRule") => parse_yaml::<PrometheusRuleDoc>(file, doc.text)
            .map(|d| vec![(d.spec, 0)])
            .map_err(|e| shifted(e, doc.line_offset)),
        Some("ConfigMap") => config_map_rules(file, doc, |d| Ok(vec![d])),
        _ => config_map_rules(file, doc, list_items),
    }
}

fn list_items(d: ListDoc) -> Result<Vec<ConfigMapDoc>, ConfigError> {
    Ok(d.items)
}

/// The rule files a ConfigMap document (or a list of them) carries in `data`, each with the
/// line offset of its text inside the document.
fn config_map_rules<T: serde::de::DeserializeOwned>(
    file: &str,
    doc: &YamlDoc<'_>,
    maps: impl Fn(T) -> Result<Vec<ConfigMapDoc>, ConfigError>,
) -> Result<Vec<(RuleFile, u64)>, ConfigError> {
    let wrapped = parse_yaml::<T>(file, doc.text).map_err(|e| shifted(e, doc.line_offset))?;
    let mut out = Vec::new();
    for cm in maps(wrapped)? {
        for (key, value) in &cm.data {
            if !is_rule_key(key) {
                continue;
            }
            // The span of a scalar is its first line of text (for a block scalar, the line
            // after its key): that line is the embedded file's line 1.
            let inner = line_of(value).saturating_sub(1);
            let rf = parse_yaml::<RuleFile>(&format!("{file} (data.{key})"), &value.value)
                .map_err(|e| shifted(e, doc.line_offset + inner))?;
            out.push((rf, inner));
        }
    }
    Ok(out)
}

fn is_rule_key(key: &str) -> bool {
    [".yaml", ".yml", ".rules"].iter().any(|e| key.ends_with(e))
}

/// Dashboards of a file: a dashboard JSON document, one exported through the API
/// (`{"dashboard": …}`), or, for YAML files, the `.json` entries of ConfigMaps. Each comes
/// with the name it is reported under (`file`, or `file (data.name.json)`).
pub fn dashboard_sources(
    file: &str,
    text: &str,
) -> Vec<Result<(String, serde_json::Value), ConfigError>> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.is_empty() {
        return vec![parse_json(file, text).map(|v| (file.to_string(), unwrap_dashboard(v)))];
    }
    let mut out = Vec::new();
    for doc in split_documents(text) {
        let (kind, _) = doc_kind(&doc);
        let maps = match kind.as_deref() {
            Some("ConfigMapList" | "List") => {
                parse_yaml::<ListDoc>(file, doc.text).map(|l| l.items)
            }
            _ => parse_yaml::<ConfigMapDoc>(file, doc.text).map(|d| vec![d]),
        };
        let maps = match maps {
            Ok(m) => m,
            Err(e) => {
                out.push(Err(shifted(e, doc.line_offset)));
                continue;
            }
        };
        for (key, value) in maps.iter().flat_map(|m| m.data.iter()) {
            if !key.ends_with(".json") {
                continue;
            }
            let name = format!("{file} (data.{key})");
            let inner = doc.line_offset + line_of(value).saturating_sub(1);
            out.push(
                parse_json(&name, &value.value)
                    .map(|v| (name.clone(), unwrap_dashboard(v)))
                    .map_err(|e| shifted(e, inner)),
            );
        }
    }
    out
}

/// The dashboard of an API export (`{"dashboard": {…}, "meta": {…}}`), else the value itself.
pub fn unwrap_dashboard(v: serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Object(mut m)
            if m.get("dashboard").is_some_and(|d| d.is_object()) && !m.contains_key("panels") =>
        {
            m.remove("dashboard").unwrap_or_default()
        }
        other => other,
    }
}

#[cfg(test)]
#[path = "manifests_tests.rs"]
mod tests;
