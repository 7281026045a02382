//! The heartbeat of an alerts expectations file (`heartbeat:`): an always-firing alert (a
//! Watchdog) whose repeated notifications to one receiver (a dead-man's switch) prove the
//! alerting path is up for the whole run. Strict and located like the rest of the file.

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::config::duration::parse_prom_duration;

/// `heartbeat:` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawHeartbeat {
    /// The always-firing alert, e.g. `Watchdog`.
    alert: Spanned<String>,
    /// The receiver its notifications must reach, e.g. `watchdog` (the dead-man's switch).
    receiver: Spanned<String>,
    /// Scenario duration two consecutive notifications are never further apart than, e.g. `1m`
    /// (the route's `repeat_interval`; Alertmanager's `group_interval` is allowed on top).
    interval: Spanned<String>,
}

/// A resolved heartbeat expectation.
#[derive(Debug, Clone, PartialEq)]
pub struct Heartbeat {
    /// The always-firing alert.
    pub alert: String,
    /// The receiver (Alertmanager receiver name) its notifications reach.
    pub receiver: String,
    /// Longest scenario time between two notifications, seconds (> 0).
    pub interval_s: f64,
    /// `file:line:column` of the `heartbeat:` alert (for messages).
    pub at: String,
}

fn at<T>(src: &str, s: &Spanned<T>) -> String {
    format!("{src}:{}:{}", s.referenced.line(), s.referenced.column())
}

/// Resolve `raw`; every problem goes to `errs` as `file:line:column: message`.
pub(super) fn resolve(src: &str, raw: RawHeartbeat, errs: &mut Vec<String>) -> Option<Heartbeat> {
    let before = errs.len();
    for (what, s) in [("alert", &raw.alert), ("receiver", &raw.receiver)] {
        if s.value.trim().is_empty() {
            errs.push(format!(
                "{}: heartbeat: `{what}` is empty (allowed: an alert name / a receiver name)",
                at(src, s)
            ));
        }
    }
    let interval_s = match parse_prom_duration(&raw.interval.value) {
        Ok(s) if s > 0.0 => s,
        Ok(_) => {
            errs.push(format!(
                "{}: heartbeat: interval `{}` must be longer than 0s",
                at(src, &raw.interval),
                raw.interval.value
            ));
            0.0
        }
        Err(e) => {
            errs.push(format!("{}: heartbeat: {e}", at(src, &raw.interval)));
            0.0
        }
    };
    (errs.len() == before).then(|| Heartbeat {
        at: at(src, &raw.alert),
        alert: raw.alert.value,
        receiver: raw.receiver.value,
        interval_s,
    })
}

#[cfg(test)]
mod tests {
    use crate::expect::alerts::parse;

    const BASE: &str =
        "heartbeat: {alert: Watchdog, receiver: watchdog, interval: 1m}\nalerts: []\n";

    #[test]
    fn parses_into_seconds_with_its_place() {
        let e = parse(BASE, "a.yaml").unwrap_or_else(|e| panic!("{e}"));
        let h = e.heartbeat.unwrap_or_else(|| panic!("no heartbeat"));
        assert_eq!(
            (h.alert.as_str(), h.receiver.as_str()),
            ("Watchdog", "watchdog")
        );
        assert_eq!(h.interval_s, 60.0);
        assert_eq!(h.at, "a.yaml:1:20");
        let none = parse("alerts: []\n", "a.yaml").unwrap_or_else(|e| panic!("{e}"));
        assert!(none.heartbeat.is_none());
    }

    #[test]
    fn bad_values_are_located_and_name_the_value() {
        let bad = BASE.replace("interval: 1m", "interval: 1 minute");
        let err = parse(&bad, "a.yaml").unwrap_err().message;
        assert!(
            err.contains("a.yaml:1:60") && err.contains("1 minute"),
            "{err}"
        );
        let zero = BASE.replace("interval: 1m", "interval: 0s");
        let err = parse(&zero, "a.yaml").unwrap_err().message;
        assert!(
            err.contains("interval `0s` must be longer than 0s"),
            "{err}"
        );
        let empty = BASE.replace("receiver: watchdog", "receiver: ''");
        let err = parse(&empty, "a.yaml").unwrap_err().message;
        assert!(err.contains("`receiver` is empty"), "{err}");
        let unknown = BASE.replace("interval:", "every:");
        let err = parse(&unknown, "a.yaml").unwrap_err().message;
        assert!(err.contains("every"), "{err}");
    }
}
