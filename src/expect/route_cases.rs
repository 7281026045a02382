//! The `cases:` of `expectations/routes.yaml`: batch routing tests. Each case is a full label
//! set and exactly the receivers it must notify, optionally at an instant (`at:`, so that time
//! intervals are evaluated) and with the alerts that must, or must not, inhibit it. Serde reads
//! the shape (unknown keys stop there); [`validate`] then reports every bad value at once, each
//! with its `file:line:column`.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, FixedOffset};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::config::ConfigError;

/// A label set as written in a case.
pub type CaseLabels = BTreeMap<String, String>;

/// One routing case.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RouteCase {
    /// Names the case in its check id, `routes.case.<name>`; unique in the file. A letter, then
    /// letters, digits, `_`, `-` or `.`. Without a name the case is named by its position in
    /// the list, from 1 (`routes.case.3`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub name: Option<Spanned<String>>,
    /// The alert's full label set, exactly as Alertmanager receives it (nothing is added: no
    /// rule labels, no `alertname` unless given). At least one label.
    #[schemars(with = "BTreeMap<String, String>")]
    pub labels: Spanned<CaseLabels>,
    /// Exactly the receivers the alert notifies, by name, in any order. `[]`: it notifies
    /// nobody (every route it reaches is muted at `at`).
    #[schemars(with = "Vec<String>")]
    pub receivers: Spanned<Vec<Spanned<String>>>,
    /// An instant, RFC 3339 (`2026-03-07T10:00:00Z`, `2026-03-07T11:00:00+01:00`). With it,
    /// a route whose `mute_time_intervals` cover the instant does not notify, nor does a route
    /// with `active_time_intervals` none of which covers it (as Alertmanager 0.25 applies
    /// them). Without it, time intervals are not evaluated.
    #[serde(default)]
    #[schemars(with = "Option<String>", extend("format" = "date-time"))]
    pub at: Option<Spanned<String>>,
    /// Alerts (full label sets) each of which, firing, must inhibit this one under the
    /// config's `inhibit_rules`.
    #[serde(default)]
    #[schemars(with = "Vec<BTreeMap<String, String>>")]
    pub inhibited_by: Vec<Spanned<CaseLabels>>,
    /// Alerts (full label sets) none of which, firing, may inhibit this one.
    #[serde(default)]
    #[schemars(with = "Vec<BTreeMap<String, String>>")]
    pub not_inhibited_by: Vec<Spanned<CaseLabels>>,
}

impl RouteCase {
    /// What names the case in its check id: its name, else its position from 1.
    pub fn key(&self, index: usize) -> String {
        match &self.name {
            Some(n) => n.value.clone(),
            None => (index + 1).to_string(),
        }
    }

    /// The expected receivers, as a set.
    pub fn expected(&self) -> BTreeSet<String> {
        self.receivers
            .value
            .iter()
            .map(|r| r.value.clone())
            .collect()
    }

    /// The instant of `at:` (`None` without one, or when it does not parse: loading rejects
    /// that).
    pub fn at_time(&self) -> Option<DateTime<FixedOffset>> {
        self.at
            .as_ref()
            .and_then(|a| DateTime::parse_from_rfc3339(&a.value).ok())
    }

    /// Whether the case asserts inhibition (which amtool cannot evaluate).
    pub fn asserts_inhibition(&self) -> bool {
        !self.inhibited_by.is_empty() || !self.not_inhibited_by.is_empty()
    }
}

/// Collects the problems of one file.
struct Errors<'a> {
    file: &'a str,
    out: Vec<ConfigError>,
}

impl Errors<'_> {
    fn push<T>(&mut self, at: &Spanned<T>, message: String) {
        let (line, column) = (at.referenced.line(), at.referenced.column());
        self.out.push(ConfigError {
            file: self.file.to_string(),
            line: (line > 0).then_some(line),
            column: (column > 0).then_some(column),
            message,
        });
    }
}

/// Every problem of `cases` in `file`, in file order.
pub fn validate(file: &str, cases: &[RouteCase]) -> Vec<ConfigError> {
    let mut errs = Errors {
        file,
        out: Vec::new(),
    };
    let mut names: BTreeMap<&str, u64> = BTreeMap::new();
    for (i, c) in cases.iter().enumerate() {
        let what = format!("cases[{i}]");
        if let Some(n) = &c.name {
            check_name(&mut errs, n, &mut names);
        }
        if c.labels.value.is_empty() {
            errs.push(
                &c.labels,
                format!(
                    "{what}: `labels` is empty: give the alert's full label set (e.g. \
                     alertname and severity)"
                ),
            );
        }
        check_labels(&mut errs, &format!("{what}.labels"), &c.labels);
        check_receivers(&mut errs, &what, &c.receivers);
        if let Some(at) = &c.at
            && let Err(e) = DateTime::parse_from_rfc3339(&at.value)
        {
            errs.push(
                at,
                format!(
                    "{what}.at: `{}` is not an RFC 3339 timestamp ({e}); allowed: a date, `T`, a \
                     time and an offset, e.g. 2026-03-07T10:00:00Z or 2026-03-07T11:00:00+01:00",
                    at.value
                ),
            );
        }
        check_inhibitors(&mut errs, &what, c);
    }
    errs.out
}

fn check_name<'a>(errs: &mut Errors, n: &'a Spanned<String>, names: &mut BTreeMap<&'a str, u64>) {
    let v = n.value.as_str();
    let ok = v.starts_with(|c: char| c.is_ascii_alphabetic())
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c));
    if !ok {
        errs.push(
            n,
            format!(
                "case name `{v}` is not allowed: a letter, then letters, digits, `_`, `-` or \
                 `.` (it becomes the check id routes.case.<name>)"
            ),
        );
    }
    let line = n.referenced.line();
    if let Some(first) = names.insert(v, line) {
        names.insert(v, first);
        errs.push(
            n,
            format!("case name `{v}` is used twice (first at line {first}): names are unique"),
        );
    }
}

/// A label name Alertmanager 0.25 accepts: `[a-zA-Z_][a-zA-Z0-9_]*`.
fn label_name_ok(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn check_labels(errs: &mut Errors, what: &str, labels: &Spanned<CaseLabels>) {
    for name in labels.value.keys().filter(|n| !label_name_ok(n)) {
        errs.push(
            labels,
            format!("{what}: label name `{name}` is not valid: allowed [a-zA-Z_][a-zA-Z0-9_]*"),
        );
    }
}

fn check_receivers(errs: &mut Errors, what: &str, receivers: &Spanned<Vec<Spanned<String>>>) {
    let mut seen = BTreeSet::new();
    for r in &receivers.value {
        if r.value.trim().is_empty() {
            errs.push(
                r,
                format!("{what}.receivers: an empty receiver name (`[]` means no receiver)"),
            );
        } else if !seen.insert(r.value.as_str()) {
            errs.push(
                r,
                format!(
                    "{what}.receivers: `{}` is listed twice: receivers are a set",
                    r.value
                ),
            );
        }
    }
}

fn check_inhibitors(errs: &mut Errors, what: &str, c: &RouteCase) {
    for (key, list) in [
        ("inhibited_by", &c.inhibited_by),
        ("not_inhibited_by", &c.not_inhibited_by),
    ] {
        for (j, src) in list.iter().enumerate() {
            let at = format!("{what}.{key}[{j}]");
            if src.value.is_empty() {
                errs.push(
                    src,
                    format!("{at}: an empty label set: give the source alert's full label set"),
                );
            }
            check_labels(errs, &at, src);
            if src.value == c.labels.value {
                errs.push(
                    src,
                    format!(
                        "{at}: the case's own label set: Alertmanager never lets an alert \
                         inhibit itself"
                    ),
                );
            }
        }
    }
    for src in &c.not_inhibited_by {
        if c.inhibited_by.iter().any(|i| i.value == src.value) {
            errs.push(
                src,
                format!(
                    "{what}.not_inhibited_by: {} is also in `inhibited_by`: a case cannot \
                     expect both",
                    fmt_set(&src.value)
                ),
            );
        }
    }
}

/// `{a="1", b="2"}`.
pub fn fmt_set(l: &CaseLabels) -> String {
    let inner: Vec<String> = l.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
    format!("{{{}}}", inner.join(", "))
}
