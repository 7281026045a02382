//! Time intervals at one instant, as Alertmanager 0.25's notification pipeline applies them
//! (`notify.TimeMuteStage`, `notify.TimeActiveStage`, `timeinterval.ContainsTime`): a route
//! whose `mute_time_intervals` cover the instant does not notify, and a route with
//! `active_time_intervals` notifies only when one of them covers it. The intervals are the
//! route's own (children do not inherit them). An interval covers an instant when one of its
//! entries does; an entry does when every field it sets does (`times` as `[start, end)` in
//! minutes of the day, `days_of_month` counted from the end when negative, `weekdays`,
//! `months`, `years`), in its `location` (UTC when unset).

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, Timelike};

use crate::check::config::routes_intervals::{Entry, Interval, Range, resolve};
use crate::check::config::routes_tree::RouteNode;

/// Whether an interval covers an instant.
#[derive(Debug, Clone, PartialEq)]
pub enum Covers {
    /// Yes, by the entry at this line.
    Yes(u64),
    /// No entry covers it.
    No,
    /// obsgate cannot tell, and why.
    Unknown(String),
}

/// Location names that are UTC by another name.
const UTC_NAMES: [&str; 6] = ["UTC", "Etc/UTC", "GMT", "Etc/GMT", "Zulu", "Etc/Zulu"];

/// Whether `interval` covers `at`.
pub fn interval_covers(interval: &Interval, at: DateTime<FixedOffset>) -> Covers {
    let mut unknown = None;
    for e in &interval.entries {
        match entry_covers(e, at) {
            Ok(true) => return Covers::Yes(e.line),
            Ok(false) => {}
            Err(why) => unknown = Some(why),
        }
    }
    unknown.map_or(Covers::No, Covers::Unknown)
}

fn in_any(ranges: &Option<Vec<Range>>, v: i32) -> bool {
    ranges
        .as_ref()
        .is_none_or(|rs| rs.iter().any(|(a, b)| *a <= v && v <= *b))
}

fn days_in_month(t: &NaiveDateTime) -> i32 {
    let (y, m) = (t.year(), t.month());
    let next = if m == 12 {
        NaiveDate::from_ymd_opt(y + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(y, m + 1, 1)
    };
    let first = NaiveDate::from_ymd_opt(y, m, 1);
    match (first, next) {
        (Some(a), Some(b)) => (b - a).num_days() as i32,
        _ => 31,
    }
}

fn entry_covers(e: &Entry, at: DateTime<FixedOffset>) -> Result<bool, String> {
    if let Some(loc) = e.location.as_deref().filter(|l| !UTC_NAMES.contains(l)) {
        return Err(format!(
            "its entry at line {} is in location `{loc}`: obsgate evaluates time intervals in UTC \
             only",
            e.line
        ));
    }
    if e.unsure {
        return Err(format!(
            "its entry at line {} has values obsgate cannot read (see routes.lint.intervals)",
            e.line
        ));
    }
    let t = at.naive_utc();
    let minute = (t.hour() * 60 + t.minute()) as i32;
    let times = e
        .times
        .as_ref()
        .is_none_or(|rs| rs.iter().any(|(a, b)| *a <= minute && minute < *b));
    let len = days_in_month(&t);
    let day = t.day() as i32;
    let days = e.days.as_ref().is_none_or(|ds| {
        ds.iter()
            .filter_map(|d| resolve(*d, len))
            .any(|(a, b)| a <= day && day <= b)
    });
    Ok(times
        && days
        && in_any(&e.months, t.month() as i32)
        && in_any(&e.weekdays, t.weekday().num_days_from_sunday() as i32)
        && in_any(&e.years, t.year()))
}

/// What the time intervals of one route say at one instant.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteTime {
    /// Whether the route notifies (`Err`: obsgate cannot tell, and why).
    pub notifies: Result<bool, String>,
    /// Which interval muted it, or activated it, or did not.
    pub notes: Vec<String>,
}

/// Intervals by name (`time_intervals` and `mute_time_intervals` alike; the first of a name).
pub fn by_name(intervals: &[Interval]) -> BTreeMap<&str, &Interval> {
    let mut out = BTreeMap::new();
    for i in intervals {
        out.entry(i.name.as_str()).or_insert(i);
    }
    out
}

fn covers(intervals: &BTreeMap<&str, &Interval>, name: &str, at: DateTime<FixedOffset>) -> Covers {
    match intervals.get(name) {
        Some(i) => interval_covers(i, at),
        None => Covers::Unknown(format!(
            "time interval `{name}` is not defined (Alertmanager rejects the config)"
        )),
    }
}

/// The time intervals of `node` at `at`.
pub fn route_at(
    node: &RouteNode,
    intervals: &BTreeMap<&str, &Interval>,
    at: DateTime<FixedOffset>,
) -> RouteTime {
    let mut notes = Vec::new();
    let when = at.to_rfc3339();
    let (mut muted, mut unsure) = (false, None);
    for (name, line) in &node.mute_intervals {
        match covers(intervals, name, at) {
            Covers::Yes(entry) => {
                muted = true;
                notes.push(format!(
                    "muted by mute_time_intervals `{name}` (line {line}; its entry at line {entry} \
                     covers {when})"
                ));
            }
            Covers::No => notes.push(format!(
                "not muted: mute_time_intervals `{name}` (line {line}) does not cover {when}"
            )),
            Covers::Unknown(why) => {
                notes.push(format!("mute_time_intervals `{name}` (line {line}): {why}"));
                unsure = Some(why);
            }
        }
    }
    let (mut active, mut active_unsure) = (node.active_intervals.is_empty(), None);
    for (name, line) in &node.active_intervals {
        match covers(intervals, name, at) {
            Covers::Yes(entry) => {
                active = true;
                notes.push(format!(
                    "active: active_time_intervals `{name}` (line {line}; its entry at line \
                     {entry}) covers {when}"
                ));
            }
            Covers::No => notes.push(format!(
                "not active: active_time_intervals `{name}` (line {line}) does not cover {when}"
            )),
            Covers::Unknown(why) => {
                notes.push(format!(
                    "active_time_intervals `{name}` (line {line}): {why}"
                ));
                active_unsure = Some(why);
            }
        }
    }
    let notifies = if muted {
        Ok(false)
    } else if let Some(why) = unsure {
        Err(why)
    } else if active {
        Ok(true)
    } else if let Some(why) = active_unsure {
        Err(why)
    } else {
        Ok(false)
    };
    RouteTime { notifies, notes }
}
