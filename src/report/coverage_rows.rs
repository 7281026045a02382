//! The coverage section as tables, shared by the writers (`coverage_render.rs` for Markdown
//! and HTML, `junit.rs` for the properties): one table per dimension, each row marked covered,
//! not covered, or not counted (ignored alerts, unobservable integrations, hidden targets).

use crate::evidence::coverage::{
    AlertRuleStatus, Coverage, Dimension, MetricStatus, PanelStatus, RecordingRuleStatus,
};

/// One dimension, ready to print.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The dimension's key, as in the acceptance file's `coverage:` block.
    pub key: &'static str,
    /// Its heading.
    pub title: &'static str,
    /// Why it was not observed, when it was not.
    pub not_observed: Option<String>,
    /// What was lost of its observations.
    pub lost: Vec<String>,
    /// Column headings.
    pub head: Vec<&'static str>,
    /// Cells, and whether the row counts as covered (None: not counted).
    pub rows: Vec<(Vec<String>, Option<bool>)>,
}

impl Table {
    /// (covered, counted) rows.
    pub fn counts(&self) -> (usize, usize) {
        let counted = self.rows.iter().filter(|(_, c)| c.is_some()).count();
        let covered = self.rows.iter().filter(|(_, c)| *c == Some(true)).count();
        (covered, counted)
    }

    /// `3 of 4 covered`, or `not observed: …`.
    pub fn summary(&self) -> String {
        if let Some(why) = &self.not_observed {
            return format!("not observed: {why}");
        }
        let (covered, counted) = self.counts();
        let mut s = format!("{covered} of {counted} covered");
        if !self.lost.is_empty() {
            s.push_str(&format!(" (not fully observed: {})", self.lost.join("; ")));
        }
        s
    }

    /// The first cell of every counted row that is not covered.
    pub fn missing(&self) -> Vec<&str> {
        self.rows
            .iter()
            .filter(|(_, c)| *c == Some(false))
            .filter_map(|(cells, _)| cells.first().map(String::as_str))
            .collect()
    }
}

fn table<T>(
    key: &'static str,
    title: &'static str,
    head: Vec<&'static str>,
    dim: &Dimension<T>,
    row: impl Fn(&T) -> (Vec<String>, Option<bool>),
) -> Table {
    Table {
        key,
        title,
        not_observed: dim.not_observed.clone(),
        lost: dim.lost.clone(),
        head,
        rows: dim.items.iter().map(row).collect(),
    }
}

fn names(v: &[String]) -> String {
    v.join(", ")
}

/// Every dimension but the logs, in report order.
pub fn tables(c: &Coverage) -> Vec<Table> {
    let rules = table(
        "alerts",
        "Alerting rules",
        vec!["Alert", "Status", "File", "Group"],
        &c.alert_rules,
        |i| {
            let status = match i.status {
                AlertRuleStatus::Fired => "fired",
                AlertRuleStatus::PendingOnly => "pending only",
                AlertRuleStatus::NeverActive => "never active",
            };
            let shown = if i.ignored {
                format!("{status} (ignored)")
            } else {
                status.to_string()
            };
            let counted = (!i.ignored).then_some(i.status == AlertRuleStatus::Fired);
            (
                vec![i.alert.clone(), shown, i.file.clone(), i.group.clone()],
                counted,
            )
        },
    );
    let recording = table(
        "recording_rules",
        "Recording rules",
        vec!["Record", "Labels", "Status", "Series", "File"],
        &c.recording_rules,
        |i| {
            let labels: Vec<String> = i.labels.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
            let status = match i.status {
                RecordingRuleStatus::NonEmpty => "non-empty".to_string(),
                RecordingRuleStatus::Empty => "empty".to_string(),
                RecordingRuleStatus::NotEvaluated => format!(
                    "not evaluated{}",
                    i.detail
                        .as_ref()
                        .map(|d| format!(": {d}"))
                        .unwrap_or_default()
                ),
            };
            let cells = vec![
                i.record.clone(),
                labels.join(", "),
                status,
                i.series.to_string(),
                i.file.clone(),
            ];
            (cells, Some(i.status == RecordingRuleStatus::NonEmpty))
        },
    );
    let mut out = vec![rules, recording];
    out.extend(alertmanager_tables(c));
    out.extend(signal_tables(c));
    out
}

fn alertmanager_tables(c: &Coverage) -> Vec<Table> {
    let routes = table(
        "routes",
        "Routes",
        vec![
            "Route", "Matchers", "Receiver", "Matched", "Handled", "Alerts",
        ],
        &c.routes,
        |i| {
            let path = if i.continue_matching {
                format!("{} (continue)", i.path)
            } else {
                i.path.clone()
            };
            let cells = vec![
                path,
                names(&i.matchers),
                i.receiver.clone(),
                i.matched.to_string(),
                i.handled.to_string(),
                names(&i.alerts),
            ];
            (cells, Some(i.matched > 0))
        },
    );
    let receivers = table(
        "receivers",
        "Receiver integrations",
        vec!["Integration", "Channel", "Notifications"],
        &c.receivers,
        |i| {
            let n = if i.unobservable {
                "not observable".to_string()
            } else {
                i.notifications.to_string()
            };
            let cells = vec![
                i.integration.clone(),
                i.channel.clone().unwrap_or_default(),
                n,
            ];
            (cells, (!i.unobservable).then_some(i.notifications > 0))
        },
    );
    let inhibit = table(
        "inhibit_rules",
        "Inhibition rules",
        vec!["Rule", "Source", "Target", "Equal", "Suppressed", "Alerts"],
        &c.inhibit_rules,
        |i| {
            let cells = vec![
                format!("inhibit_rules[{}]", i.index),
                names(&i.source),
                names(&i.target),
                names(&i.equal),
                i.suppressed.to_string(),
                names(&i.alerts),
            ];
            (cells, Some(i.suppressed > 0))
        },
    );
    vec![routes, receivers, inhibit]
}

fn signal_tables(c: &Coverage) -> Vec<Table> {
    let panels = table(
        "panels",
        "Panel targets",
        vec!["Target", "Status", "Series"],
        &c.panels,
        |i| {
            let status = match i.status {
                PanelStatus::Data => "data".to_string(),
                PanelStatus::Empty => "empty".to_string(),
                PanelStatus::NotEvaluated => format!(
                    "not evaluated{}",
                    i.detail
                        .as_ref()
                        .map(|d| format!(": {d}"))
                        .unwrap_or_default()
                ),
            };
            let cells = vec![
                format!("{} / {} / {}", i.dashboard, i.panel, i.ref_id),
                status,
                i.series.to_string(),
            ];
            (cells, (!i.hidden).then_some(i.status == PanelStatus::Data))
        },
    );
    let metrics = table(
        "metrics",
        "Metric families",
        vec!["Family", "Status", "Scrapes seen"],
        &c.metrics,
        |i| {
            let status = match i.status {
                MetricStatus::Changing => "changing",
                MetricStatus::Constant => "constant",
                MetricStatus::NeverSeen => "never seen",
            };
            (
                vec![
                    i.family.clone(),
                    status.to_string(),
                    i.scrapes_seen.to_string(),
                ],
                Some(i.status == MetricStatus::Changing),
            )
        },
    );
    vec![panels, metrics]
}

/// The logs line: lines, levels and fields with their counts.
pub fn logs_line(c: &Coverage) -> String {
    let l = &c.logs;
    let counts = |m: &std::collections::BTreeMap<String, u64>| {
        m.iter()
            .map(|(k, n)| format!("{k} ({n})"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut s = format!(
        "{} lines ({} JSON); levels: {}; fields: {}",
        l.lines,
        l.json_lines,
        counts(&l.levels),
        counts(&l.fields)
    );
    if l.truncated {
        s.push_str("; more distinct levels or fields than kept");
    }
    if let Some(why) = &l.not_observed {
        s.push_str(&format!("; capture stopped early: {why}"));
    }
    s
}

/// The JUnit properties: per dimension `coverage.<key>` = `covered/counted` (or `not
/// observed: …`) and `coverage.<key>.not_covered`; the log levels and fields.
pub fn properties(c: &Coverage) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for t in tables(c) {
        let value = match &t.not_observed {
            Some(why) => format!("not observed: {why}"),
            None => {
                let (covered, counted) = t.counts();
                format!("{covered}/{counted}")
            }
        };
        out.push((format!("coverage.{}", t.key), value));
        let missing = t.missing();
        if t.not_observed.is_none() && !missing.is_empty() {
            out.push((
                format!("coverage.{}.not_covered", t.key),
                missing.join(", "),
            ));
        }
    }
    let keys = |m: &std::collections::BTreeMap<String, u64>| {
        m.keys().cloned().collect::<Vec<_>>().join(", ")
    };
    out.push(("coverage.logs.levels".into(), keys(&c.logs.levels)));
    out.push(("coverage.logs.fields".into(), keys(&c.logs.fields)));
    out
}
