//! The sample report's notifications: for each alert, the Slack message when it fires and when
//! it resolves (title, text, fields, buttons), and for the critical ones the PagerDuty trigger
//! and resolve with their links. PipelineHighErrorRate's firing message and page repeat once
//! (`repeat_interval`), RenderFailures lists three presets in a long text, and DatabaseLatency
//! also reaches an audit webhook. Times are on the alerts' clock (scenario seconds at time
//! scale 10), like the sample's alert events.

use crate::evidence::{
    AlertEvent, MessageField, MessageLink, Notification, NotificationKind, NotificationStatus,
    Rendered,
};

/// The sample's start, Unix ms (`2026-01-05T10:00:00Z`).
const START_UNIX_MS: i64 = 1_767_607_200_000;

/// The routing key the sample's expectations name.
const ROUTING_KEY: &str = "pipeline-critical";

/// When and where one alert's messages go: the alert, its channel (`slack:#critical` and the
/// like), and the scenario seconds since the run start of its first notification and of its
/// resolved one.
pub struct Plan<'a> {
    /// The alert name.
    pub alert: &'a str,
    /// `slack:#channel`.
    pub receiver: &'a str,
    /// First notification, scenario seconds since the run start.
    pub notified_s: f64,
    /// Resolved notification, scenario seconds since the run start.
    pub resolved_s: f64,
}

/// Every notification of one alert, in arrival order.
pub fn notifications(p: &Plan<'_>) -> Vec<Notification> {
    let channel = p.receiver.trim_start_matches("slack:");
    let receiver = channel.trim_start_matches('#');
    let critical = receiver == "critical";
    let mut out = vec![slack(p, channel, p.notified_s, NotificationStatus::Firing)];
    if critical {
        out.push(page(p, p.notified_s + 0.4, NotificationStatus::Firing));
    }
    if p.alert == "PipelineHighErrorRate" {
        // Repeated after `repeat_interval` (1h) with the same content.
        out.push(slack(
            p,
            channel,
            p.notified_s + 3600.0,
            NotificationStatus::Firing,
        ));
        out.push(page(p, p.notified_s + 3600.4, NotificationStatus::Firing));
    }
    if p.alert == "DatabaseLatency" {
        out.push(webhook(p, p.notified_s + 0.2, NotificationStatus::Firing));
        out.push(webhook(p, p.resolved_s + 0.2, NotificationStatus::Resolved));
    }
    out.push(slack(
        p,
        channel,
        p.resolved_s,
        NotificationStatus::Resolved,
    ));
    if critical {
        out.push(page(p, p.resolved_s + 0.4, NotificationStatus::Resolved));
    }
    out.sort_by_key(|n| n.at_unix_ms);
    out
}

/// The alert events the notifications make (`notified`, `notified_resolved`), as a run's
/// timeline has them.
pub fn events(notes: &[Notification]) -> Vec<AlertEvent> {
    notes
        .iter()
        .map(|n| AlertEvent {
            state: match n.status {
                NotificationStatus::Firing => "notified".into(),
                NotificationStatus::Resolved => "notified_resolved".into(),
            },
            at_s: (n.at_unix_ms - START_UNIX_MS) as f64 / 1000.0,
            receiver: Some(n.destination()),
        })
        .collect()
}

fn at(s: f64) -> i64 {
    START_UNIX_MS + (s * 1000.0).round() as i64
}

fn word(status: NotificationStatus) -> &'static str {
    match status {
        NotificationStatus::Firing => "FIRING",
        NotificationStatus::Resolved => "RESOLVED",
    }
}

fn runbook(alert: &str) -> String {
    format!("https://github.com/obsgate/obsgate/blob/main/docs/runbooks/{alert}.md")
}

/// The summary annotation of the shipped rule.
fn summary(alert: &str) -> &'static str {
    match alert {
        "PipelineHighErrorRate" => "More than 5% of pipeline jobs are failing",
        "PipelineCostThreshold" => "Pipeline spend is above $500 per hour",
        "SLABreach" => "Pipeline P95 duration is above the 300 s SLA",
        "PubSubQueueDepth" => "Pub/Sub topic render-jobs has more than 100 queued messages",
        "AIAgentTimeouts" => "AI agent calls time out more than 3 times per minute",
        "QAGateRejection" => "QA gate rejects more than 20% of outputs",
        "RenderFailures" => "More than 5 render failures in 10 minutes",
        "DatabaseLatency" => "Database P95 latency is above 100 ms",
        "PrometheusDown" => "Scrape target pipeline (127.0.0.1:40123) is down",
        _ => "More than 50 pipeline jobs are running at once",
    }
}

/// The Slack text: one line per alert of the group (three presets for RenderFailures).
fn slack_text(alert: &str) -> String {
    let line = format!("{} - {}", summary(alert), runbook(alert));
    if alert != "RenderFailures" {
        return line;
    }
    ["preset=shorts-1080p reason=oom", "preset=trailer-4k reason=timeout", "preset=podcast-720p reason=codec"]
        .iter()
        .map(|labels| format!("{line}\n  *{labels}*: 7 failures in the last 10 minutes, renders are being retried with backoff and the queue keeps growing"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn slack(p: &Plan<'_>, channel: &str, at_s: f64, status: NotificationStatus) -> Notification {
    let severity = if channel == "#critical" {
        "critical"
    } else {
        "warning"
    };
    let count = if p.alert == "RenderFailures" { 3 } else { 1 };
    let rendered = Rendered {
        title: format!("[{}:{count}] {}", word(status), p.alert),
        text: slack_text(p.alert),
        fields: vec![
            field("severity", severity),
            field("service", "video-pipeline"),
        ],
        links: vec![
            link("Runbook", &runbook(p.alert)),
            link(
                "Dashboard",
                "http://127.0.0.1:3000/d/pipeline-overview/video-pipeline",
            ),
            link(
                "Silence",
                &format!(
                    "http://127.0.0.1:9093/#/silences/new?filter=%7Balertname%3D%22{}%22%7D",
                    p.alert
                ),
            ),
        ],
        ..Rendered::default()
    };
    note(
        p,
        at_s,
        status,
        NotificationKind::Slack,
        Some(channel),
        rendered,
    )
}

fn page(p: &Plan<'_>, at_s: f64, status: NotificationStatus) -> Notification {
    let rendered = Rendered {
        title: format!("{}: {}", p.alert, summary(p.alert)),
        links: vec![
            link(
                "Alertmanager",
                "http://127.0.0.1:9093/#/alerts?receiver=critical",
            ),
            link("Runbook", &runbook(p.alert)),
        ],
        severity: Some("critical".into()),
        source: Some("prometheus 127.0.0.1:9090".into()),
        custom_details: Some(serde_json::json!({
            "firing": if status == NotificationStatus::Firing { summary(p.alert) } else { "" },
            "num_firing": if status == NotificationStatus::Firing { "1" } else { "0" },
            "num_resolved": if status == NotificationStatus::Resolved { "1" } else { "0" },
        })),
        ..Rendered::default()
    };
    let mut n = note(p, at_s, status, NotificationKind::Pagerduty, None, rendered);
    n.receiver = "critical".into();
    n.routing_key = Some(ROUTING_KEY.into());
    n.event_action = Some(
        match status {
            NotificationStatus::Firing => "trigger",
            NotificationStatus::Resolved => "resolve",
        }
        .into(),
    );
    n.dedup_key = Some(format!(
        "{{}}/{{severity=\"critical\"}}:{{alertname=\"{}\"}}",
        p.alert
    ));
    n
}

fn webhook(p: &Plan<'_>, at_s: f64, status: NotificationStatus) -> Notification {
    let mut n = note(
        p,
        at_s,
        status,
        NotificationKind::Webhook,
        None,
        Rendered::default(),
    );
    n.receiver = "audit-log".into();
    n
}

fn note(
    p: &Plan<'_>,
    at_s: f64,
    status: NotificationStatus,
    kind: NotificationKind,
    channel: Option<&str>,
    rendered: Rendered,
) -> Notification {
    Notification {
        at_unix_ms: at(at_s),
        receiver: p.receiver.trim_start_matches("slack:#").into(),
        kind,
        channel: channel.map(Into::into),
        routing_key: None,
        event_action: None,
        dedup_key: None,
        status,
        alertnames: vec![p.alert.into()],
        rendered,
        body: serde_json::Value::Null,
        headers: Default::default(),
    }
}

fn field(title: &str, value: &str) -> MessageField {
    MessageField {
        title: title.into(),
        value: value.into(),
    }
}

fn link(text: &str, href: &str) -> MessageLink {
    MessageLink {
        text: text.into(),
        href: href.into(),
    }
}
