//! The check registry: every check id obsgate can emit, declared next to the code that emits
//! it (`pub const CHECKS` in each check module) and gathered here. A declaration says what a
//! pass proves and what a failure means, so a report line can be explained
//! (`obsgate checks explain ID`) without reading the code, and a check id nobody declared is
//! caught by the tests instead of reaching a report unexplained.
//!
//! Ids are patterns: `<placeholder>` stands for the variable part (an alert, a metric family,
//! a file), e.g. `alerts.fired.<alert>`. [`find`] maps a concrete id onto its pattern.

use serde::Serialize;

use crate::check::{config, registry_misc, signals};
use crate::verdict::Kind;

/// What one check (one id pattern) is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CheckInfo {
    /// The id pattern, e.g. `alerts.fired.<alert>`, `metrics.type.<family>`,
    /// `rules.parse.<file>`; a `<placeholder>` matches one or more characters.
    pub id: &'static str,
    /// The kind the check is reported under.
    pub kind: Kind,
    /// One line: what a pass proves.
    pub proves: &'static str,
    /// One line: what a failure means and where to look.
    pub failure: &'static str,
    /// Longer text, with an example failure message.
    #[serde(skip)]
    pub explain: &'static str,
}

/// Every module's declarations. A new check module adds its list here.
const LISTS: &[&[CheckInfo]] = &[
    signals::notifications::CHECKS,
    config::compose::CHECKS,
    config::compose_links::CHECKS,
    config::compose_templates::CHECKS,
    config::dashboards::CHECKS,
    config::dashboards_lint::CHECKS,
    config::dashboards_provider::CHECKS,
    config::docs::CHECKS,
    config::routes::CHECKS,
    config::routes_amtool::CHECKS,
    config::routes_cases::CHECKS,
    config::routes_inhibit_contract::CHECKS,
    config::routes_inhibit_lint::CHECKS,
    config::routes_intervals_check::CHECKS,
    config::routes_labels::CHECKS,
    config::routes_lint::CHECKS,
    config::routes_receivers_lint::CHECKS,
    config::routes_style_lint::CHECKS,
    config::rules::CHECKS,
    config::rules_runbook::CHECKS,
    config::slo::CHECKS,
    config::stack_catalog::CHECKS,
    config::templates::CHECKS,
    signals::dashboards_live::CHECKS,
    signals::death::CHECKS,
    signals::load::CHECKS,
    signals::load_accounting::CHECKS,
    signals::logs_registry::CHECKS,
    signals::metric_series::CHECKS,
    signals::metrics::CHECKS,
    signals::relations::CHECKS,
    signals::shard::CHECKS,
    signals::slo::CHECKS,
    signals::slo_inhibition::CHECKS,
    signals::trace_checks::CHECKS,
    signals::traces::CHECKS,
    signals::health_registry::CHECKS,
    crate::check::coverage::CHECKS,
    registry_misc::CHECKS,
    registry_misc::RUN_CHECKS,
];

/// Every registered check, sorted by id.
pub fn all() -> Vec<&'static CheckInfo> {
    let mut v: Vec<&'static CheckInfo> = LISTS
        .iter()
        .chain(signals::alerts::CHECK_LISTS)
        .flat_map(|l| l.iter())
        .collect();
    v.sort_by_key(|c| c.id);
    v
}

/// One piece of an id pattern.
#[derive(Debug, PartialEq)]
enum Piece<'a> {
    Lit(&'a str),
    Hole,
}

/// Split a pattern into literals and `<placeholder>`s.
fn pieces(pattern: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = pattern;
    while let Some(open) = rest.find('<') {
        let Some(close) = rest[open..].find('>').map(|c| open + c) else {
            break;
        };
        if open > 0 {
            out.push(Piece::Lit(&rest[..open]));
        }
        out.push(Piece::Hole);
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        out.push(Piece::Lit(rest));
    }
    out
}

/// Whether `id` matches `pieces` (a hole takes one or more characters, dots included).
fn matches(pieces: &[Piece<'_>], id: &str) -> bool {
    match pieces.split_first() {
        None => id.is_empty(),
        Some((Piece::Lit(l), rest)) => id.strip_prefix(l).is_some_and(|r| matches(rest, r)),
        Some((Piece::Hole, rest)) => id
            .char_indices()
            .skip(1)
            .map(|(i, _)| i)
            .chain(std::iter::once(id.len()))
            .filter(|&i| i > 0)
            .any(|i| matches(rest, &id[i..])),
    }
}

/// How much of a pattern is literal: the more, the more specific.
fn literal_len(pieces: &[Piece<'_>]) -> usize {
    pieces
        .iter()
        .map(|p| match p {
            Piece::Lit(l) => l.len(),
            Piece::Hole => 0,
        })
        .sum()
}

/// The check a concrete id (or a pattern as registered) belongs to. Of several matching
/// patterns the one with the most literal characters wins, so `routes.inhibit.X` is an
/// inhibition check, not the route of an alert named `inhibit.X`.
pub fn find(id: &str) -> Option<&'static CheckInfo> {
    let all = all();
    if let Some(c) = all.iter().find(|c| c.id == id) {
        return Some(c);
    }
    all.into_iter()
        .filter_map(|c| {
            let p = pieces(c.id);
            matches(&p, id).then(|| (literal_len(&p), c))
        })
        .max_by_key(|(n, _)| *n)
        .map(|(_, c)| c)
}

/// Registered patterns close to an unknown `id`, best first (at most five): by similarity,
/// else those sharing its first dotted segment.
pub fn suggest(id: &str) -> Vec<&'static str> {
    let mut scored: Vec<(f64, &'static str)> = all()
        .into_iter()
        .map(|c| (strsim::jaro_winkler(id, c.id), c.id))
        .filter(|(s, _)| *s >= 0.8)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut out: Vec<&'static str> = scored.into_iter().map(|(_, p)| p).take(5).collect();
    if out.is_empty() {
        let head = id.split('.').next().unwrap_or(id);
        out = all()
            .into_iter()
            .map(|c| c.id)
            .filter(|p| p.split('.').next() == Some(head))
            .take(5)
            .collect();
    }
    out
}

/// The human listing: id, kind, what a pass proves.
pub fn table(checks: &[&CheckInfo]) -> String {
    let w = checks.iter().map(|c| c.id.len()).max().unwrap_or(2).max(2);
    let k = Kind::ALL
        .iter()
        .map(|k| k.as_str().len())
        .max()
        .unwrap_or(4);
    let mut s = format!("{:<w$}  {:<k$}  proves\n", "id", "kind");
    for c in checks {
        s.push_str(&format!(
            "{:<w$}  {:<k$}  {}\n",
            c.id,
            c.kind.as_str(),
            c.proves
        ));
    }
    s.push_str(&format!("{} registered checks\n", checks.len()));
    s
}

/// The JSON listing: an array of `{id, kind, proves, failure}`.
pub fn json(checks: &[&CheckInfo]) -> String {
    format!(
        "{}\n",
        serde_json::to_string_pretty(checks).unwrap_or_default()
    )
}

/// The long text of `c`; `asked` is the id the user gave when it is a concrete one.
pub fn explain(c: &CheckInfo, asked: &str) -> String {
    let matched = if asked == c.id {
        String::new()
    } else {
        format!("`{asked}` is an instance of:\n")
    };
    let body: Vec<String> = c.explain.lines().map(|l| wrap(l, 96)).collect();
    format!(
        "{matched}{}  (kind {})\n\nproves:  {}\nfailure: {}\n\n{}\n",
        c.id,
        c.kind,
        c.proves,
        c.failure,
        body.join("\n")
    )
}

/// `line` broken at spaces so that no piece is wider than `width` (a longer word stays whole).
fn wrap(line: &str, width: usize) -> String {
    let mut out = String::new();
    let mut col = 0;
    for word in line.split(' ') {
        let w = word.chars().count();
        if col > 0 && col + 1 + w > width {
            out.push('\n');
            col = 0;
        } else if col > 0 {
            out.push(' ');
            col += 1;
        }
        out.push_str(word);
        col += w;
    }
    out
}

#[cfg(test)]
#[path = "registry_tests.rs"]
mod tests;
