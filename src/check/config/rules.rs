//! Checks of Prometheus rule files: every expression parses, every metric it reads is known
//! (with "did you mean"), every alert has the advised labels and annotations, and a
//! `runbook_url` that points into this repository resolves to a file. Pure: files are read by
//! the caller (`crate::config::stack`).

use std::collections::{BTreeMap, BTreeSet};

use promql_parser::parser::Expr;

use crate::check::config::rules_labels_exist::{RuleAt, label_check, with_recorded};
use crate::check::config::rules_metrics::{KnownMetrics, metrics_in};
use crate::check::registry::CheckInfo;
use crate::config::rules_file::RuleFile;
use crate::config::{ConfigError, line_of};
use crate::verdict::Check;
use crate::verdict::Kind;

const KIND: Kind = Kind::Rules;

/// What every alerting rule must carry, and what is known to exist.
#[derive(Debug, Clone)]
pub struct RulesPolicy {
    /// Metrics a rule may read (recorded series of the same file are added).
    pub known: KnownMetrics,
    /// Labels every alert must set (e.g. `severity`).
    pub required_labels: Vec<String>,
    /// Annotations every alert must set (e.g. `summary`, `runbook_url`).
    pub required_annotations: Vec<String>,
    /// File names present in `docs/runbooks/`; `None` when the stack's docs are not read
    /// (a `docs/runbooks/` link is then judged like any relative path).
    pub runbooks: Option<BTreeSet<String>>,
    /// Relative `runbook_url`s → whether they name an existing file (from the rule file's
    /// folder or the working folder), as the loader found them.
    pub local_links: BTreeMap<String, bool>,
    /// Alerts the routing tree cannot deliver → why: they fall through to a root receiver
    /// without integrations. Empty when no Alertmanager config was read.
    pub unroutable: BTreeMap<String, String>,
}

impl RulesPolicy {
    /// The advised labels and annotations: `severity`; `summary`, `description` (the
    /// runbook has its own check).
    pub fn shipped(known: KnownMetrics, runbooks: Option<BTreeSet<String>>) -> Self {
        Self {
            known,
            required_labels: vec!["severity".into()],
            required_annotations: vec!["summary".into(), "description".into()],
            runbooks,
            local_links: BTreeMap::new(),
            unroutable: BTreeMap::new(),
        }
    }
}

/// The runbook file a `runbook_url` points at: the part after `docs/runbooks/`, without
/// `#anchor` or `?query` (`https://.../blob/main/docs/runbooks/X.md#y` and `docs/runbooks/X.md`
/// both give `X.md`).
pub fn runbook_file(url: &str) -> Option<String> {
    let (_, rest) = url.split_once("docs/runbooks/")?;
    let rest = rest.split(['#', '?']).next().unwrap_or(rest);
    (!rest.is_empty()).then(|| rest.to_string())
}

/// Every check of one rule file. `parsed` is the loading result (a YAML error becomes a
/// failing `rules.parse.<file>` check with its line).
pub fn check_rule_file(
    file: &str,
    parsed: &Result<RuleFile, ConfigError>,
    policy: &RulesPolicy,
) -> Vec<Check> {
    let parse_id = format!("rules.parse.{}", file_key(file));
    let rf = match parsed {
        Ok(rf) => rf,
        Err(e) => return vec![Check::fail(parse_id, KIND, format!("cannot parse: {e}"))],
    };
    let known = with_recorded(&policy.known, std::iter::once(rf));

    let mut out = Vec::new();
    let mut bad_exprs = Vec::new();
    let mut count = 0usize;
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for g in &rf.groups {
        for r in &g.rules {
            count += 1;
            let (name, is_alert) = r.name();
            let key = unique_key(&mut seen, name);
            let line = line_of(&r.expr);
            let text = r.expr.value.text();
            let expr = match crate::config::promql::parse(&text) {
                Ok(e) => e,
                Err(msg) => {
                    bad_exprs.push(format!("{file}:{line}: rule `{name}`: {msg}"));
                    continue;
                }
            };
            if known.is_given() {
                out.push(metric_check(&key, name, file, line, &text, &expr, &known));
            }
            let column = r.expr.referenced.column();
            let at = RuleAt {
                key: &key,
                name,
                file,
                line,
                column,
            };
            out.push(label_check(&at, r, &expr, &known));
            if is_alert {
                out.push(labels_check(&key, name, file, line, r, policy));
                out.push(crate::check::config::rules_runbook::runbook_check(
                    &key,
                    name,
                    r.annotations.get("runbook_url"),
                    policy,
                ));
            }
        }
    }
    out.insert(0, parse_check(parse_id, file, count, bad_exprs));
    out
}

/// The rule's name as a check id fragment: the same name twice (a real upstream habit) gets a
/// distinct id (`Name#2`).
fn unique_key(seen: &mut BTreeMap<String, usize>, name: &str) -> String {
    let n = seen.entry(name.to_string()).or_insert(0);
    *n += 1;
    if *n == 1 {
        name.to_string()
    } else {
        format!("{name}#{n}")
    }
}

/// `rules.metric.<key>`: every metric the expression reads is known.
fn metric_check(
    key: &str,
    name: &str,
    file: &str,
    line: u64,
    text: &str,
    expr: &Expr,
    known: &KnownMetrics,
) -> Check {
    let unknown: Vec<String> = metrics_in(expr)
        .into_iter()
        .filter(|m| !known.knows(m))
        .map(|m| match known.suggest(&m) {
            Some(s) => format!("`{m}` (did you mean `{s}`?)"),
            None => format!("`{m}`"),
        })
        .collect();
    let metric_id = format!("rules.metric.{key}");
    if unknown.is_empty() {
        Check::pass(
            metric_id,
            KIND,
            format!("`{name}` reads only known metrics"),
        )
    } else {
        Check::fail(
            metric_id,
            KIND,
            format!(
                "`{name}` ({file}:{line}) reads unknown metric {}",
                unknown.join(", ")
            ),
        )
        .with_all_evidence([text.trim().to_string()])
    }
}

/// `rules.parse.<file>`: every expression of the file parses.
fn parse_check(parse_id: String, file: &str, count: usize, bad_exprs: Vec<String>) -> Check {
    if bad_exprs.is_empty() {
        Check::pass(parse_id, KIND, format!("{file}: {count} rules parse"))
    } else {
        Check::fail(
            parse_id,
            KIND,
            format!(
                "{file}: {} of {count} expressions do not parse: {}",
                bad_exprs.len(),
                bad_exprs[0]
            ),
        )
        .with_all_evidence(bad_exprs)
    }
}

fn labels_check(
    key: &str,
    name: &str,
    file: &str,
    line: u64,
    r: &crate::config::rules_file::Rule,
    policy: &RulesPolicy,
) -> Check {
    let mut missing: Vec<String> = policy
        .required_labels
        .iter()
        .filter(|l| r.labels.get(*l).is_none_or(|v| v.trim().is_empty()))
        .map(|l| format!("label `{l}`"))
        .collect();
    missing.extend(
        policy
            .required_annotations
            .iter()
            .filter(|a| r.annotations.get(*a).is_none_or(|v| v.trim().is_empty()))
            .map(|a| format!("annotation `{a}`")),
    );
    let id = format!("rules.labels.{key}");
    let no_severity = r.labels.get("severity").is_none_or(|v| v.trim().is_empty());
    if let Some(why) = policy.unroutable.get(name).filter(|_| no_severity) {
        // Without a severity no route catches it, and the catch-all delivers nowhere.
        return Check::fail(
            id,
            KIND,
            format!(
                "`{name}` ({file}:{line}) has no `severity` label and {why}: it never notifies"
            ),
        );
    }
    if missing.is_empty() {
        Check::pass(
            id,
            KIND,
            format!("`{name}` has its required labels and annotations"),
        )
    } else {
        // Advice: the alert fires and routes without them, but the page says less.
        Check::warn(
            id,
            KIND,
            format!("`{name}` ({file}:{line}) lacks {}", missing.join(", ")),
        )
    }
}

/// A stable id fragment for a file: its file name.
pub fn file_key(file: &str) -> String {
    std::path::Path::new(file)
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.to_string())
}

/// The checks this module emits (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[
    CheckInfo {
        id: "rules.parse.<file>",
        kind: KIND,
        proves: "the rule file parses and every rule expression is valid PromQL",
        failure: "Prometheus would refuse the file: the message gives file:line and the error",
        explain: "The id carries the file name. A YAML error fails with its line; otherwise each \
                  rule's `expr` is parsed.\n\
                  Example failure: config/alert-rules.yaml: 1 of 12 expressions do not parse: \
                  config/alert-rules.yaml:42: rule `RenderFailures`: unexpected `)`",
    },
    CheckInfo {
        id: "rules.files",
        kind: KIND,
        proves: "every rule_files entry and --rules argument names at least one file",
        failure: "an entry matches no file, so no rule is loaded from it: fix the path or glob",
        explain: "Prometheus loads nothing, silently, from a rule_files glob that matches \
                  nothing; obsgate reports each such entry.\n\
                  Example failure: config/prometheus.yml rule_files `rules/*.yml` matches no file",
    },
    CheckInfo {
        id: "rules.metric.<rule>",
        kind: KIND,
        proves: "the rule reads only known metrics (the contract, recorded series, extras)",
        failure: "the rule reads a metric nothing exposes, so it never fires: fix the name",
        explain: "Metric names in the rule's expression are compared with the metric catalog \
                  (see `rules.catalog`): the metrics expectations' families with the contract, \
                  --metrics-from sources, --known-metric names, Prometheus's own series and \
                  every recorded series. Without any catalog source the check is not made. A \
                  rule name used twice gets `#2`.\n\
                  Example failure: `RenderFailures` (config/alert-rules.yaml:42) reads unknown metric \
                  `render_failure_total` (did you mean `render_failures_total`?)",
    },
    CheckInfo {
        id: "rules.labels.<rule>",
        kind: KIND,
        proves: "the alert sets the advised label `severity` and annotations summary, description",
        failure: "advice (warn): the notification says less than it could; add them",
        explain: "Every alerting rule should set `severity` (routing trees usually key on it) and \
                  the annotations `summary` and `description`. Missing ones are a warning.\n\
                  Example warning: `QueueBacklog` (config/alert-rules.yaml:60) lacks label \
                  `severity`, annotation `summary`",
    },
];
