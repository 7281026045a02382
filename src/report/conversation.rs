//! The notifications of one alert as the on-call person received them, shared by the HTML
//! cards (`html_notifications.rs`) and the Markdown quotes (`markdown_notifications.rs`):
//! every message in time order, repeats of the same content folded into one entry with a
//! count, the receive time in UTC and in seconds into the run on the alerts' clock, and which
//! links a reader may follow.

use crate::evidence::{AlertTiming, Notification, NotificationKind, NotificationStatus};
use crate::report::clock::{alerts_in_scenario_time, time_scale};
use crate::report::model::Report;

/// When a notification arrived.
#[derive(Debug, Clone, PartialEq)]
pub struct Stamp {
    /// Wall time of receipt, RFC 3339 UTC with milliseconds.
    pub utc: String,
    /// `HH:MM:SS` of [`Stamp::utc`].
    pub clock: String,
    /// Seconds since the run start on the alerts' clock (the unit of the alert events).
    pub into_run_s: f64,
}

/// One message of the conversation: a notification and how often the same content came.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    /// The first notification of this content.
    pub note: &'a Notification,
    /// When it first arrived.
    pub first: Stamp,
    /// How many identical notifications arrived (1 when it was not repeated).
    pub count: usize,
    /// When the last repeat arrived (`None` when `count` is 1).
    pub last: Option<Stamp>,
}

/// The alert's notifications in time order, a repeat folded into the previous message to the
/// same destination when nothing it shows differs (a differing message is always its own entry).
pub fn conversation<'a>(r: &Report, a: &'a AlertTiming) -> Vec<Entry<'a>> {
    let clock = AlertsClock::of(r, a);
    let mut notes: Vec<&Notification> = a.notifications.iter().collect();
    notes.sort_by_key(|n| n.at_unix_ms);
    let mut out: Vec<Entry<'a>> = Vec::new();
    for n in notes {
        let previous = out
            .iter_mut()
            .rev()
            .find(|e| e.note.kind == n.kind && e.note.destination() == n.destination());
        match previous {
            Some(e) if same_content(e.note, n) => {
                e.count += 1;
                e.last = Some(clock.stamp(n.at_unix_ms));
            }
            _ => out.push(Entry {
                note: n,
                first: clock.stamp(n.at_unix_ms),
                count: 1,
                last: None,
            }),
        }
    }
    out
}

/// Whether two notifications show the reader the same thing.
fn same_content(a: &Notification, b: &Notification) -> bool {
    a.receiver == b.receiver
        && a.status == b.status
        && a.channel == b.channel
        && a.routing_key == b.routing_key
        && a.event_action == b.event_action
        && a.rendered == b.rendered
}

/// The PagerDuty action: `event_action` as sent, else what the status implies.
pub fn pagerduty_action(n: &Notification) -> &str {
    match (&n.event_action, n.status) {
        (Some(a), _) if !a.is_empty() => a,
        (_, NotificationStatus::Firing) => "trigger",
        (_, NotificationStatus::Resolved) => "resolve",
    }
}

/// `firing` or `resolved`.
pub fn status_word(n: &Notification) -> &'static str {
    match n.status {
        NotificationStatus::Firing => "firing",
        NotificationStatus::Resolved => "resolved",
    }
}

/// `slack`, `pagerduty` or `webhook`.
pub fn kind_word(n: &Notification) -> &'static str {
    match n.kind {
        NotificationKind::Slack => "slack",
        NotificationKind::Pagerduty => "pagerduty",
        NotificationKind::Webhook => "webhook",
    }
}

/// Whether a link may be followed from the report: an `http(s)` URL or a relative path. A
/// link with any other scheme (`javascript:`, `data:`), a protocol-relative `//host`, or any
/// whitespace or control character (which browsers strip from schemes) is refused.
pub fn safe_href(href: &str) -> bool {
    if href.is_empty() || href.starts_with("//") || href.chars().any(char::is_whitespace) {
        return false;
    }
    if href.chars().any(char::is_control) || href.starts_with('\\') {
        return false;
    }
    let head_end = href.find(['/', '?', '#']).unwrap_or(href.len());
    match href[..head_end].find(':') {
        None => true,
        Some(i) => {
            let scheme = href[..i].to_ascii_lowercase();
            (scheme == "http" || scheme == "https") && href[i..].starts_with("://")
        }
    }
}

/// The alerts' clock of one alert: its origin (the run start the alert events count from) and
/// the factor from wall time to the alerts' time.
struct AlertsClock {
    origin_unix_ms: i64,
    scale: f64,
}

impl AlertsClock {
    /// The origin is recovered from the alert's own events (its first notification is its first
    /// `notified*` event), so the times agree with the timeline; else the report's start.
    fn of(r: &Report, a: &AlertTiming) -> AlertsClock {
        let scale = if alerts_in_scenario_time(r) {
            time_scale(r)
        } else {
            1.0
        };
        let first_event = a
            .events
            .iter()
            .filter(|e| e.state.starts_with("notified"))
            .map(|e| e.at_s)
            .fold(f64::INFINITY, f64::min);
        let first_note = a.notifications.iter().map(|n| n.at_unix_ms).min();
        let origin_unix_ms = match first_note {
            Some(t) if first_event.is_finite() => t - (first_event * 1000.0).round() as i64,
            _ => chrono::DateTime::parse_from_rfc3339(&r.started_at)
                .map(|t| t.timestamp_millis())
                .unwrap_or(0),
        };
        AlertsClock {
            origin_unix_ms,
            scale,
        }
    }

    /// A notification's stamp (on the alerts' clock) as wall UTC and seconds into the run.
    fn stamp(&self, at_unix_ms: i64) -> Stamp {
        let since_ms = (at_unix_ms - self.origin_unix_ms) as f64;
        let wall_ms = self.origin_unix_ms + (since_ms / self.scale).round() as i64;
        let t = chrono::DateTime::from_timestamp_millis(wall_ms).unwrap_or_default();
        Stamp {
            utc: t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            clock: t.format("%H:%M:%S").to_string(),
            into_run_s: since_ms / 1000.0,
        }
    }
}

#[cfg(test)]
#[path = "conversation_tests.rs"]
mod tests;
