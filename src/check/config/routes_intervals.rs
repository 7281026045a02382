//! Alertmanager time intervals read as Alertmanager 0.25 reads them (`timeinterval.go`):
//! `times` (`HH:MM`, end up to `24:00`, start before end), `weekdays` (names, ranges
//! `monday:friday`), `days_of_month` (1..31, -31..-1, ranges), `months` (names or 1..12,
//! ranges), `years` (ranges), `location`. Every bad value is a [`Bad`] with its position; the
//! values that parse give an [`Entry`] whose [`Entry::always`] and [`Entry::never`] are exact
//! answers about the calendar (or `false` when unsure).

use serde_saphyr::Spanned;

use crate::config::alertmanager::{NamedTimeInterval, TimeIntervalEntry};

/// One value Alertmanager rejects.
#[derive(Debug, Clone, PartialEq)]
pub struct Bad {
    /// 1-based line and column, 0 when unknown.
    pub line: u64,
    pub column: u64,
    /// What is wrong and what is allowed.
    pub message: String,
}

/// An inclusive range of integers.
pub type Range = (i32, i32);

/// One entry, as far as it parsed. A field is `None` when unset.
#[derive(Debug, Clone, Default)]
pub struct Entry {
    /// Line of the entry.
    pub line: u64,
    /// Minutes of the day, `[start, end)`.
    pub times: Option<Vec<Range>>,
    /// Weekdays, sunday = 0.
    pub weekdays: Option<Vec<Range>>,
    /// Days of the month as written (negative counts from the end).
    pub days: Option<Vec<Range>>,
    /// Months, january = 1.
    pub months: Option<Vec<Range>>,
    /// Years.
    pub years: Option<Vec<Range>>,
    /// `location` as written (`None`: UTC).
    pub location: Option<String>,
    /// A value did not parse or a list is explicitly empty: no claim is made about it.
    pub unsure: bool,
}

/// One named interval, parsed.
#[derive(Debug, Clone)]
pub struct Interval {
    pub name: String,
    pub line: u64,
    pub entries: Vec<Entry>,
}

impl Interval {
    /// Active at every instant: one of its entries is.
    pub fn always(&self) -> Option<&Entry> {
        self.entries.iter().find(|e| e.always())
    }
    /// Never active: it has no entry, or none of its entries is ever active.
    pub fn never(&self) -> bool {
        self.entries.iter().all(Entry::never)
    }
}

const WEEKDAYS: [&str; 7] = [
    "sunday",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
];
const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Parse every interval of `list`, collecting the bad values.
pub fn parse_intervals(list: &[NamedTimeInterval], bad: &mut Vec<Bad>) -> Vec<Interval> {
    list.iter()
        .map(|n| Interval {
            name: n.name.value.clone(),
            line: n.name.referenced.line(),
            entries: n
                .time_intervals
                .iter()
                .map(|e| parse_entry(&n.name.value, e, bad))
                .collect(),
        })
        .collect()
}

fn bad_at<T>(s: &Spanned<T>, message: String) -> Bad {
    Bad {
        line: s.referenced.line(),
        column: s.referenced.column(),
        message,
    }
}

fn parse_entry(name: &str, e: &Spanned<TimeIntervalEntry>, bad: &mut Vec<Bad>) -> Entry {
    let before = bad.len();
    let v = &e.value;
    let mut unsure = false;
    let mut list =
        |field: &str, vals: &Option<Vec<Spanned<String>>>, f: fn(&str) -> Result<Range, String>| {
            let vals = vals.as_ref()?;
            unsure |= vals.is_empty();
            let mut out = Vec::new();
            for s in vals {
                match f(&s.value) {
                    Ok(r) => out.push(r),
                    Err(m) => bad.push(bad_at(
                        s,
                        format!("time interval `{name}`: {field} value `{}`: {m}", s.value),
                    )),
                }
            }
            Some(out)
        };
    let weekdays = list("weekdays", &v.weekdays, weekday_range);
    let days = list("days_of_month", &v.days_of_month, day_range);
    let months = list("months", &v.months, month_range);
    let years = list("years", &v.years, year_range);
    let times = v.times.as_ref().map(|ts| {
        unsure |= ts.is_empty();
        ts.iter()
            .filter_map(|t| match time_range(t) {
                Ok(r) => Some(r),
                Err(b) => {
                    bad.push(Bad {
                        message: format!("time interval `{name}`: {}", b.message),
                        ..b
                    });
                    None
                }
            })
            .collect()
    });
    if let Some(loc) = &v.location
        && let Err(m) = location(&loc.value)
    {
        bad.push(bad_at(
            loc,
            format!("time interval `{name}`: location `{}`: {m}", loc.value),
        ));
    }
    Entry {
        line: e.referenced.line(),
        times,
        weekdays,
        days,
        months,
        years,
        location: v.location.as_ref().map(|l| l.value.clone()),
        unsure: unsure || bad.len() > before,
    }
}

/// `HH:MM` in minutes: hours 00..23 with two digits, or exactly `24:00`.
fn minutes(s: &str) -> Option<i32> {
    if s == "24:00" {
        return Some(24 * 60);
    }
    let (h, m) = s.split_once(':')?;
    let two = |x: &str| x.len() == 2 && x.bytes().all(|b| b.is_ascii_digit());
    if !two(h) || !two(m) {
        return None;
    }
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

fn time_range(t: &Spanned<crate::config::alertmanager::TimeRangeEntry>) -> Result<Range, Bad> {
    let (Some(start), Some(end)) = (&t.value.start_time, &t.value.end_time) else {
        return Err(bad_at(
            t,
            "times: both start_time and end_time must be given (HH:MM)".into(),
        ));
    };
    let parse = |s: &Spanned<String>, field: &str| {
        minutes(&s.value).ok_or_else(|| {
            bad_at(
                s,
                format!(
                    "{field} `{}` is not a time of day: allowed HH:MM from 00:00 to 23:59, or 24:00",
                    s.value
                ),
            )
        })
    };
    let (a, b) = (parse(start, "start_time")?, parse(end, "end_time")?);
    if a >= b {
        return Err(bad_at(
            start,
            format!(
                "times {}-{}: start_time must be before end_time (Alertmanager rejects an empty \
                 or reversed range; a range cannot cross midnight: split it in two)",
                start.value, end.value
            ),
        ));
    }
    Ok((a, b))
}

/// `a` or `a:b`, lowercased, each side read by `member`.
fn range_of(s: &str, member: impl Fn(&str) -> Result<i32, String>) -> Result<Range, String> {
    let s = s.to_lowercase();
    match s.split(':').collect::<Vec<_>>()[..] {
        [one] => member(one).map(|v| (v, v)),
        [a, b] => Ok((member(a)?, member(b)?)),
        _ => Err("not a value or a range `start:end`".into()),
    }
}

fn weekday_range(s: &str) -> Result<Range, String> {
    let member = |x: &str| {
        WEEKDAYS
            .iter()
            .position(|d| *d == x)
            .map(|i| i as i32)
            .ok_or_else(|| {
                format!("`{x}` is not a weekday (allowed: monday..sunday, or a range like monday:friday)")
            })
    };
    let (a, b) = range_of(s, member)?;
    if a > b {
        return Err(
            "the range ends before it starts (weeks run sunday..saturday: write \
                    `saturday` and `sunday` as two values)"
                .into(),
        );
    }
    Ok((a, b))
}

fn day_range(s: &str) -> Result<Range, String> {
    let member = |x: &str| {
        x.trim()
            .parse::<i32>()
            .map_err(|_| format!("`{x}` is not a day of the month (allowed: 1..31, -31..-1)"))
    };
    let (a, b) = range_of(s, member)?;
    for d in [a, b] {
        if d == 0 || !(-31..=31).contains(&d) {
            return Err(format!(
                "{d} is out of range (allowed: 1..31, or -31..-1 from the end)"
            ));
        }
    }
    if a < 0 && b > 0 {
        return Err("a range starting from the end of the month must end there too".into());
    }
    let rel = |d: i32| if d < 0 { 28 + d } else { d };
    if rel(a) > rel(b) {
        return Err("the range ends before it starts".into());
    }
    Ok((a, b))
}

fn month_range(s: &str) -> Result<Range, String> {
    let member = |x: &str| match x.parse::<i32>() {
        Ok(n) if (1..=12).contains(&n) => Ok(n),
        Ok(n) => Err(format!("month {n} is out of range (allowed: 1..12)")),
        Err(_) => MONTHS
            .iter()
            .position(|m| *m == x)
            .map(|i| i as i32 + 1)
            .ok_or_else(|| format!("`{x}` is not a month (allowed: january..december or 1..12)")),
    };
    let (a, b) = range_of(s, member)?;
    if a > b {
        return Err("the range ends before it starts (a range cannot wrap past december)".into());
    }
    Ok((a, b))
}

fn year_range(s: &str) -> Result<Range, String> {
    let member = |x: &str| x.parse::<i32>().map_err(|_| format!("`{x}` is not a year"));
    let (a, b) = range_of(s, member)?;
    if a > b {
        return Err("the range ends before it starts".into());
    }
    Ok((a, b))
}

/// A time zone name in the form Go's `time.LoadLocation` accepts (`Local`, `UTC`,
/// `Area/City`); whether the zone exists depends on the host's tz database.
fn location(s: &str) -> Result<(), String> {
    let part_ok = |p: &str| {
        !p.is_empty()
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || "_+-".contains(c))
    };
    if s.split('/').all(part_ok) && !s.starts_with(|c: char| c.is_ascii_digit()) {
        Ok(())
    } else {
        Err("not a time zone name (allowed: Local, UTC, or an IANA name like Europe/Berlin)".into())
    }
}

/// Whether the union of `ranges` covers every integer of `lo..=hi`.
fn covers(ranges: &[Range], lo: i32, hi: i32) -> bool {
    (lo..=hi).all(|x| ranges.iter().any(|(a, b)| *a <= x && x <= *b))
}

/// The days `r` selects in a month of `len` days, as Alertmanager resolves it.
pub(crate) fn resolve(r: Range, len: i32) -> Option<Range> {
    let abs = |d: i32| if d < 0 { len + d + 1 } else { d };
    let (begin, end) = (abs(r.0), abs(r.1));
    if begin > len {
        return None;
    }
    let (begin, end) = (begin.clamp(1, len), end.clamp(-len, len));
    (begin <= end).then_some((begin, end))
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// The lengths month `m` has in `years` (both February lengths when the years are unset or
/// too many to list).
fn lengths(m: i32, years: Option<&Vec<Range>>) -> Vec<i32> {
    match m {
        2 => {
            let listed: Option<Vec<i32>> = years
                .filter(|ys| ys.iter().map(|(a, b)| i64::from(b - a)).sum::<i64>() < 1000)
                .map(|ys| ys.iter().flat_map(|(a, b)| *a..=*b).collect());
            match listed {
                Some(ys) => {
                    let mut l: Vec<i32> = ys
                        .iter()
                        .map(|y| if is_leap(*y) { 29 } else { 28 })
                        .collect();
                    l.sort_unstable();
                    l.dedup();
                    l
                }
                None => vec![28, 29],
            }
        }
        4 | 6 | 9 | 11 => vec![30],
        _ => vec![31],
    }
}

impl Entry {
    /// Active at every instant (an entry with nothing set is).
    pub fn always(&self) -> bool {
        let all = |f: &Option<Vec<Range>>, lo, hi| f.as_ref().is_none_or(|r| covers(r, lo, hi));
        !self.unsure
            && self.years.is_none()
            && all(&self.times, 0, 24 * 60 - 1)
            && all(&self.weekdays, 0, 6)
            && all(&self.months, 1, 12)
            && self.days.as_ref().is_none_or(|ds| {
                (28..=31).all(|len| {
                    let r: Vec<Range> = ds.iter().filter_map(|d| resolve(*d, len)).collect();
                    covers(&r, 1, len)
                })
            })
    }

    /// Never active: no month it allows (in the years it allows) has a day it allows.
    pub fn never(&self) -> bool {
        if self.unsure {
            return false;
        }
        let Some(days) = &self.days else {
            return false;
        };
        let months: Vec<i32> = match &self.months {
            Some(ms) => ms.iter().flat_map(|(a, b)| *a..=*b).collect(),
            None => (1..=12).collect(),
        };
        !months.iter().any(|m| {
            lengths(*m, self.years.as_ref())
                .iter()
                .any(|len| days.iter().any(|d| resolve(*d, *len).is_some()))
        })
    }
}
