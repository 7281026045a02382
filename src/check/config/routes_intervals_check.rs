//! `routes.lint.intervals`: the time intervals of `alertmanager.yml` and the routes using them.
//! Bad values (with file:line:column), duplicate names, intervals on the root route (all three
//! rejected by Alertmanager), references to undefined intervals, a route muted at every instant
//! by an interval that is always active, and a route never active because its active interval
//! never is.

use std::collections::BTreeMap;

use crate::check::config::routes::RoutingModel;
use crate::check::config::routes_intervals::{Bad, Entry, Interval, parse_intervals};
use crate::check::config::routes_tree::{RouteNode, walk};
use crate::check::registry::CheckInfo;
use crate::config::alertmanager::AlertmanagerConfig;
use crate::verdict::{Check, Kind};

const ID: &str = "routes.lint.intervals";

/// `routes.lint.intervals` of one parsed config.
pub fn intervals_check(file: &str, am: &AlertmanagerConfig, model: &RoutingModel) -> Check {
    let mut bad: Vec<Bad> = Vec::new();
    let mut intervals = parse_intervals(&am.time_intervals, &mut bad);
    intervals.extend(parse_intervals(&am.mute_time_intervals, &mut bad));
    let mut problems: Vec<String> = bad
        .iter()
        .map(|b| format!("{file}:{}:{}: {}", b.line, b.column, b.message))
        .collect();
    let mut by_name: BTreeMap<&str, &Interval> = BTreeMap::new();
    for i in &intervals {
        if let Some(first) = by_name.insert(&i.name, i) {
            problems.push(format!(
                "{file}:{}: time interval `{}` is defined twice (also line {}); Alertmanager \
                 rejects duplicate names",
                i.line, i.name, first.line
            ));
        }
    }
    let root = &model.tree;
    if let Some((n, line)) = root
        .mute_intervals
        .iter()
        .chain(&root.active_intervals)
        .next()
    {
        problems.push(format!(
            "{file}:{line}: the root route names time interval `{n}`; Alertmanager rejects time \
             intervals on the root route: move them to a child route"
        ));
    }
    let mut nodes = Vec::new();
    walk(root, &mut nodes);
    let mut refs = 0;
    for node in nodes {
        refs += node.mute_intervals.len() + node.active_intervals.len();
        route_problems(file, node, &by_name, &mut problems);
    }
    if problems.is_empty() && intervals.is_empty() && refs == 0 {
        return Check::pass(
            ID,
            Kind::Routes,
            format!("{file}: no time intervals defined or used"),
        );
    }
    if problems.is_empty() {
        return Check::pass(
            ID,
            Kind::Routes,
            format!(
                "{file}: {} time interval(s) valid as Alertmanager reads them; {refs} route \
                 reference(s) defined; no route muted at every instant or never active",
                intervals.len()
            ),
        );
    }
    let head = format!(
        "{} time interval problem(s); first: {}",
        problems.len(),
        problems[0]
    );
    Check::fail(ID, Kind::Routes, head).with_all_evidence(problems)
}

fn route_problems(
    file: &str,
    node: &RouteNode,
    by_name: &BTreeMap<&str, &Interval>,
    problems: &mut Vec<String>,
) {
    let who = format!("route `{}` (receiver `{}`)", node.path, node.receiver);
    let lists = [
        ("mute", &node.mute_intervals),
        ("active", &node.active_intervals),
    ];
    for (what, list) in lists {
        for (name, line) in list {
            let Some(i) = by_name.get(name.as_str()) else {
                let hint = crate::util::nearest(name, by_name.keys().copied())
                    .map(|h| format!("; did you mean `{h}`?"))
                    .unwrap_or_default();
                problems.push(format!(
                    "{file}:{line}: {who} names {what} time interval `{name}`, which is not \
                     defined (Alertmanager rejects the config){hint}"
                ));
                continue;
            };
            match what {
                "mute" => {
                    if let Some(e) = i.always() {
                        problems.push(format!(
                            "{file}:{line}: {who} is muted all week by time interval `{name}`: \
                             {}; it never notifies. Restrict the interval or drop it from \
                             `mute_time_intervals`",
                            why_always(i, e)
                        ));
                    }
                }
                _ => {
                    if i.never() {
                        problems.push(format!(
                            "{file}:{line}: {who} is never active: its active time interval \
                             `{name}` (line {}) {}; it never notifies",
                            i.line,
                            why_never(i)
                        ));
                    }
                }
            }
        }
    }
}

fn why_always(i: &Interval, e: &Entry) -> String {
    let nothing_set = e.times.is_none()
        && e.weekdays.is_none()
        && e.days.is_none()
        && e.months.is_none()
        && e.years.is_none();
    if nothing_set {
        format!(
            "its entry at line {} sets no field, which Alertmanager reads as always (line {})",
            e.line, i.line
        )
    } else {
        format!(
            "its entry at line {} covers every time of day, weekday, day and month (line {})",
            e.line, i.line
        )
    }
}

fn why_never(i: &Interval) -> String {
    if i.entries.is_empty() {
        "has no entry, which Alertmanager reads as never".to_string()
    } else {
        "selects only days that do not exist in the months (and years) it names, such as \
         February 30"
            .to_string()
    }
}

/// The checks this module emits (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[CheckInfo {
    id: ID,
    kind: Kind::Routes,
    proves: "time intervals are valid, defined where routes use them, and mute or activate \
             routes at some instants only",
    failure: "a bad interval value, an undefined interval, a route muted all week or never \
              active: the message gives file:line",
    explain: "`time_intervals` and `mute_time_intervals` are read as Alertmanager 0.25 reads \
              them: times HH:MM (start before end, up to 24:00), weekdays by name or range, \
              days_of_month 1..31 or -31..-1, months by name or number, years, location. A bad \
              value, a duplicate name, an interval on the root route or a route naming an \
              undefined interval fail (Alertmanager rejects them); so does a route whose \
              `mute_time_intervals` name an interval active at every instant (an entry with no \
              field set is), or whose `active_time_intervals` name one never active (no entry, \
              or only days that do not exist, like February 30-31).\n\
              Example failure: config/alertmanager.yml:31: route `route.routes[0]` (receiver \
              `pager`) is muted all week by time interval `offhours`: its entry at line 52 \
              covers every time of day, weekday, day and month (line 50); it never notifies",
}];
