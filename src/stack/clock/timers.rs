//! The timers of a compressed stack: every interval, timeout and wait of the Prometheus and
//! Alertmanager configs divided by K, the Prometheus flags whose defaults are wall-clock
//! durations, and the floor under all of them.
//!
//! Each duration goes through one [`Timers`] value, which remembers the production value it
//! divided, so that the largest K a config allows is known once everything is compressed:
//! it is the shortest production timer divided by [`FLOOR_MS`].

use std::time::Duration;

use promql_parser::util::parse_duration;
use serde_json::{Map, Value};

use super::compress_duration;

/// The shortest compressed interval or timer. At 100 ms Prometheus 2.42 and Alertmanager 0.25
/// keep their schedule on two cores: the alert storm at K = 100 (scrapes every 150 ms, a
/// 100 ms scrape timeout and `group_wait`) passes with every timing within 25 scenario seconds
/// of the same storm at K = 30 (bench/README.md). Shorter timers were not measured, so they
/// are refused rather than trusted.
pub const FLOOR_MS: u64 = 100;

/// Prometheus flags whose defaults are wall-clock durations, with those defaults: without
/// compressing them, staleness, the `for` state restored after a restart and the resending of
/// firing alerts keep wall-time behaviour.
const PROMETHEUS_FLAGS: [(&str, &str); 3] = [
    ("query.lookback-delta", "5m"),
    ("rules.alert.for-grace-period", "10m"),
    ("rules.alert.resend-delay", "1m"),
];

/// Compresses durations at one time scale and remembers each production value. Rules' `for`
/// and `keep_firing_for` are not among them: Prometheus judges them at evaluation ticks, so a
/// `for` shorter than the (floored) evaluation interval means "at the next evaluation" on any
/// clock, as it does in production.
#[derive(Debug, Clone)]
pub struct Timers {
    k: f64,
    /// (what, production duration) of every timer compressed so far.
    seen: Vec<(String, Duration)>,
}

impl Timers {
    /// Timers at time scale `k` (≥ 1).
    pub fn new(k: f64) -> Self {
        Self {
            k,
            seen: Vec::new(),
        }
    }

    /// The time scale.
    pub fn k(&self) -> f64 {
        self.k
    }

    /// `d / K` (`what` names it in errors and in the floor check).
    pub fn compress(&mut self, what: &str, d: &str) -> Result<String, String> {
        let out = compress_duration(d, self.k).map_err(|e| format!("{what}: {e}"))?;
        if let Ok(p) = parse_duration(d) {
            self.seen.push((what.to_string(), p));
        }
        Ok(out)
    }

    /// Compresses `obj[key]` in place, or writes `default / K` when the key is absent and a
    /// default is given (the process would otherwise use the uncompressed default). Returns
    /// the deviation sentence when something changed.
    pub fn compress_key(
        &mut self,
        obj: &mut Map<String, Value>,
        key: &str,
        what: &str,
        default: Option<&str>,
    ) -> Result<Option<String>, String> {
        let (old, shown) = match obj.get(key).and_then(Value::as_str) {
            Some(v) => (v.to_string(), v.to_string()),
            None => match default {
                Some(d) => (d.to_string(), format!("{d} (default)")),
                None => return Ok(None),
            },
        };
        let new = self.compress(what, &old)?;
        // At K = 1 the timer is only recorded (for the largest K): the config stays as written.
        if self.k == 1.0 {
            return Ok(None);
        }
        obj.insert(key.to_string(), Value::String(new.clone()));
        Ok((shown != new).then(|| format!("{what}: {shown} → {new} (time scale {})", self.k)))
    }

    /// The Prometheus command-line flags of a compressed stack (none at K = 1).
    pub fn prometheus_flags(&mut self) -> Result<Vec<String>, String> {
        if self.k == 1.0 {
            return Ok(Vec::new());
        }
        PROMETHEUS_FLAGS
            .iter()
            .map(|(flag, default)| {
                let v = self.compress(&format!("--{flag}"), default)?;
                Ok(format!("--{flag}={v}"))
            })
            .collect()
    }

    /// The shortest production timer seen, and its name.
    pub fn shortest(&self) -> Option<(&str, Duration)> {
        self.seen
            .iter()
            .filter(|(_, d)| !d.is_zero())
            .min_by_key(|(_, d)| *d)
            .map(|(w, d)| (w.as_str(), *d))
    }

    /// The largest K that keeps every timer seen at or above [`FLOOR_MS`] (None: no timer).
    pub fn largest_k(&self) -> Option<f64> {
        self.shortest()
            .map(|(_, d)| (d.as_millis() as f64 / FLOOR_MS as f64).floor().max(1.0))
    }

    /// Err when K takes a timer below the floor, naming it and the largest usable K.
    pub fn check_floor(&self) -> Result<(), String> {
        let (Some((what, d)), Some(max)) = (self.shortest(), self.largest_k()) else {
            return Ok(());
        };
        let ms = d.as_secs_f64() * 1000.0 / self.k;
        if ms + 1e-9 >= FLOOR_MS as f64 {
            return Ok(());
        }
        Err(format!(
            "time scale {k} compresses {what} ({}) to {ms:.0} ms, below the {FLOOR_MS} ms floor \
             that Prometheus and Alertmanager keep on time; the largest time scale this config \
             allows is {max}",
            promql_parser::util::display_duration(&d),
            k = self.k
        ))
    }
}

/// Compresses the Prometheus config's intervals (global and per scrape job) in place;
/// returns the deviation sentences.
pub fn compress_prometheus(
    root: &mut Map<String, Value>,
    t: &mut Timers,
) -> Result<Vec<String>, String> {
    let mut dev = Vec::new();
    let global = root
        .entry("global")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Some(g) = global.as_object_mut() {
        // Prometheus's default timeout is 10s, or the interval when that is shorter.
        let interval = g
            .get("scrape_interval")
            .and_then(Value::as_str)
            .unwrap_or("1m");
        let timeout = match parse_duration(interval) {
            Ok(i) if i < Duration::from_secs(10) => interval.to_string(),
            _ => "10s".to_string(),
        };
        for (key, default) in [
            ("scrape_interval", Some("1m")),
            ("scrape_timeout", Some(timeout.as_str())),
            ("evaluation_interval", Some("1m")),
            ("rule_query_offset", None),
        ] {
            dev.extend(t.compress_key(g, key, &format!("prometheus {key}"), default)?);
        }
    }
    let jobs = root.get_mut("scrape_configs").and_then(Value::as_array_mut);
    for job in jobs.into_iter().flatten().filter_map(Value::as_object_mut) {
        let name = job
            .get("job_name")
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_string();
        for key in ["scrape_interval", "scrape_timeout"] {
            let what = format!("scrape job `{name}` {key}");
            dev.extend(t.compress_key(job, key, &what, None)?);
        }
    }
    Ok(dev)
}

/// Alertmanager's root defaults of the route timers.
const ROUTE_TIMERS: [(&str, &str); 3] = [
    ("group_wait", "30s"),
    ("group_interval", "5m"),
    ("repeat_interval", "4h"),
];

/// Compresses Alertmanager's `resolve_timeout` and every route's timers in place. Time
/// intervals read the wall clock and cannot be compressed: under K ≠ 1 they are refused.
pub fn compress_alertmanager(
    root: &mut Map<String, Value>,
    t: &mut Timers,
    file: &str,
) -> Result<Vec<String>, String> {
    let mut dev = Vec::new();
    if t.k() != 1.0 {
        refuse_time_intervals(root, t.k(), file)?;
    }
    let global = root
        .entry("global")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Some(g) = global.as_object_mut() {
        let what = "alertmanager resolve_timeout";
        dev.extend(t.compress_key(g, "resolve_timeout", what, Some("5m"))?);
    }
    if let Some(route) = root.get_mut("route").and_then(Value::as_object_mut) {
        compress_route(route, t, "route", true, &mut dev)?;
    }
    Ok(dev)
}

/// One route and its children: the root gets the defaults written out, children inherit.
fn compress_route(
    route: &mut Map<String, Value>,
    t: &mut Timers,
    path: &str,
    root: bool,
    dev: &mut Vec<String>,
) -> Result<(), String> {
    let name = match route.get("receiver").and_then(Value::as_str) {
        Some(r) => format!("{path} (receiver `{r}`)"),
        None => path.to_string(),
    };
    for (key, default) in ROUTE_TIMERS {
        let what = format!("alertmanager {name} {key}");
        dev.extend(t.compress_key(route, key, &what, root.then_some(default))?);
    }
    let children = route.get_mut("routes").and_then(Value::as_array_mut);
    for (i, child) in children.into_iter().flatten().enumerate() {
        if let Some(c) = child.as_object_mut() {
            compress_route(c, t, &format!("{path}.routes[{i}]"), false, dev)?;
        }
    }
    Ok(())
}

/// Err when the config mutes or activates routes by time of day: those intervals read the
/// wall clock, which a compressed stack does not share with the scenario.
fn refuse_time_intervals(root: &Map<String, Value>, k: f64, file: &str) -> Result<(), String> {
    let non_empty = |v: Option<&Value>| v.and_then(Value::as_array).is_some_and(|a| !a.is_empty());
    let mut found: Vec<String> = ["time_intervals", "mute_time_intervals"]
        .into_iter()
        .filter(|k| non_empty(root.get(*k)))
        .map(|k| format!("`{k}`"))
        .collect();
    let mut stack: Vec<&Value> = root.get("route").into_iter().collect();
    while let Some(r) = stack.pop() {
        for key in ["mute_time_intervals", "active_time_intervals"] {
            let name = format!("route `{key}`");
            if non_empty(r.get(key)) && !found.contains(&name) {
                found.push(name);
            }
        }
        stack.extend(
            r.get("routes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten(),
        );
    }
    if found.is_empty() {
        return Ok(());
    }
    Err(format!(
        "{file}: {} read the wall clock and the calendar, which a stack running {k} times faster \
         than the scenario does not keep; run this config with `--time-scale 1`",
        found.join(", ")
    ))
}
