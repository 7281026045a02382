//! `rules.label_exists.<rule>`: every label a rule names can exist on the series it reads — matchers,
//! `by`/`without`, `on`/`ignoring`, `group_left`/`group_right` (see [`super::promql_labels`]) —
//! and every `$labels.X` of an alert's labels and annotations is a label its expression's
//! result can carry (else it renders empty). Also the labels recording rules give their
//! series, across the files of one check, so that rules reading them are checked too. Pure.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use promql_parser::parser::Expr;
use regex::Regex;

use super::catalog::{Catalog, Labels};
use super::promql_labels::{fmt_labels, label_flow};
use crate::config::rules_file::{Rule, RuleFile};
use crate::verdict::{Check, Kind};

/// Where a rule's expression is, for messages.
pub struct RuleAt<'a> {
    /// Id fragment (`Name`, `Name#2`).
    pub key: &'a str,
    /// Alert or record name.
    pub name: &'a str,
    /// The rule file.
    pub file: &'a str,
    /// 1-based line and column of `expr` (0 when unknown).
    pub line: u64,
    /// See `line`.
    pub column: u64,
}

/// `rules.label_exists.<key>` for one parsed rule.
pub fn label_check(at: &RuleAt<'_>, rule: &Rule, expr: &Expr, catalog: &Catalog) -> Check {
    let flow = label_flow(expr, catalog);
    let mut problems = flow.findings;
    let is_alert = rule.alert.is_some();
    if is_alert && let Some(out) = &flow.output {
        let texts = rule
            .annotations
            .iter()
            .map(|(k, v)| (format!("annotation `{k}`"), v))
            .chain(rule.labels.iter().map(|(k, v)| (format!("label `{k}`"), v)));
        for (what, text) in texts {
            for l in template_labels(text)
                .into_iter()
                .filter(|l| !out.contains(l))
            {
                problems.push(format!(
                    "{what} uses `$labels.{l}`, which the expression's result cannot carry \
                     (it renders empty); the result carries {}",
                    fmt_labels(out)
                ));
            }
        }
    }
    let id = format!("rules.label_exists.{}", at.key);
    let (name, file, line, column) = (at.name, at.file, at.line, at.column);
    if problems.is_empty() {
        let msg = match &flow.output {
            Some(_) => format!("`{name}`: every label it names can exist"),
            None => format!("`{name}`: every label it names that is known can exist"),
        };
        return Check::pass(id, Kind::Rules, msg);
    }
    Check::fail(
        id,
        Kind::Rules,
        format!(
            "`{name}` ({file}:{line}:{column}): {}{}",
            problems[0],
            match problems.len() {
                1 => String::new(),
                n => format!(" (and {} more)", n - 1),
            }
        ),
    )
    .with_evidence(problems)
}

static LABELS_VAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\$labels\.([A-Za-z_][A-Za-z0-9_]*)|index\s+\$labels\s+"([^"]+)""#)
        .expect("static regex")
});
static DOT_LABELS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\.Labels\.([A-Za-z_][A-Za-z0-9_]*)").expect("static regex"));
static ACTION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)\{\{(.*?)\}\}").expect("static regex"));
static REBINDS_DOT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(range|with|define|template|block)\b").expect("static regex"));

/// The alert labels a template reads inside its `{{ … }}` actions: `$labels.X`,
/// `index $labels "X"` and `.Labels.X` (the last only when nothing rebinds `.`, as `range`
/// over a `query` result does). A template that reassigns `$labels` reads nothing here.
pub fn template_labels(text: &str) -> BTreeSet<String> {
    let actions: Vec<&str> = ACTION
        .captures_iter(text)
        .filter_map(|c| c.get(1).map(|m| m.as_str()))
        .collect();
    if actions
        .iter()
        .any(|a| a.contains("$labels :=") || a.contains("$labels ="))
    {
        return BTreeSet::new();
    }
    let dot_is_alert = !actions.iter().any(|a| REBINDS_DOT.is_match(a));
    let mut out = BTreeSet::new();
    for a in &actions {
        for c in LABELS_VAR.captures_iter(a) {
            if let Some(m) = c.get(1).or_else(|| c.get(2)) {
                out.insert(m.as_str().to_string());
            }
        }
        if dot_is_alert {
            out.extend(
                DOT_LABELS
                    .captures_iter(a)
                    .filter_map(|c| c.get(1).map(|m| m.as_str().to_string())),
            );
        }
    }
    out.retain(|l| !l.starts_with("__"));
    out
}

/// The labels a recording rule's series carry: what its expression keeps, plus its own
/// `labels:` and its group's.
fn recorded_labels(rule: &Rule, group: &BTreeMap<String, String>, catalog: &Catalog) -> Labels {
    let expr = crate::config::promql::parse(&rule.expr.value.text()).ok()?;
    label_flow(&expr, catalog).output.map(|mut s| {
        s.extend(rule.labels.keys().cloned());
        s.extend(group.keys().cloned());
        s
    })
}

/// A recording rule and its group's labels.
type Recording<'a> = (&'a Rule, &'a BTreeMap<String, String>);

/// `catalog` with every series the rule files record that it does not know yet, with their
/// labels. Rules reading other
/// recorded series are resolved after them, whatever the file order; a name several rules
/// record gets the union (unknown when one is unknown); a cycle leaves labels unknown.
pub fn with_recorded<'a>(catalog: &Catalog, files: impl Iterator<Item = &'a RuleFile>) -> Catalog {
    let mut by_name: BTreeMap<String, Vec<Recording<'_>>> = BTreeMap::new();
    for f in files {
        for g in &f.groups {
            for r in &g.rules {
                // A name a source already knows keeps what the source says (a Prometheus
                // API shows the recorded series as stored).
                if let Some(rec) = r.record.as_ref().filter(|rec| !catalog.knows(&rec.value)) {
                    by_name
                        .entry(rec.value.clone())
                        .or_default()
                        .push((r, &g.labels));
                }
            }
        }
    }
    let mut out = catalog.clone();
    for name in by_name.keys() {
        out.add_if_absent(name);
    }
    // A name is ready once no rule recording it reads a recorded name still pending.
    let mut pending: BTreeSet<String> = by_name.keys().cloned().collect();
    while !pending.is_empty() {
        let ready: Vec<String> = pending
            .iter()
            .filter(|n| {
                by_name[*n]
                    .iter()
                    .all(|(r, _)| reads_of(r).iter().all(|m| m == *n || !pending.contains(m)))
            })
            .cloned()
            .collect();
        if ready.is_empty() {
            break;
        }
        for n in ready {
            let labels = by_name[&n]
                .iter()
                .map(|(r, g)| recorded_labels(r, g, &out))
                .reduce(|a, b| match (a, b) {
                    (Some(a), Some(b)) => Some(a.union(&b).cloned().collect()),
                    _ => None,
                })
                .flatten();
            out.set_recorded(&n, labels);
            pending.remove(&n);
        }
    }
    out
}

fn reads_of(r: &Rule) -> BTreeSet<String> {
    crate::config::promql::parse(&r.expr.value.text())
        .map(|e| super::rules_metrics::metrics_in(&e))
        .unwrap_or_default()
}
