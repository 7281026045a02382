//! The notifications section of `report.md`: per alert, every message in time order
//! (`conversation.rs`): a Slack message's title and text quoted (`> `) with its fields and
//! links, a PagerDuty event as one line (action, severity, summary, source), a webhook call as
//! a short line, each with its receive time. Message text is escaped so it cannot open a link,
//! an HTML tag or a code span; a link is written only when [`safe_href`] allows it.

use std::fmt::Write as _;

use crate::evidence::{MessageLink, Notification, NotificationKind};
use crate::report::clock::{alert_unit, alert_unit_short};
use crate::report::conversation::{
    Entry, Stamp, conversation, pagerduty_action, safe_href, status_word,
};
use crate::report::html_sections::num;
use crate::report::model::Report;

/// The section (nothing when no alert has a notification).
pub fn markdown_section(o: &mut String, r: &Report) {
    if r.alerts.iter().all(|a| a.notifications.is_empty()) {
        return;
    }
    let unit = alert_unit_short(r);
    let _ = writeln!(
        o,
        "\n## Notifications\n\nEvery message each alert sent, firing and resolved, in arrival order; times are UTC and, in brackets, {} since the run start; identical repeats to one destination are folded with their count.",
        alert_unit(r)
    );
    for a in r.alerts.iter().filter(|a| !a.notifications.is_empty()) {
        let _ = writeln!(o, "\n### {}\n", text(&a.alert));
        for e in conversation(r, a) {
            match e.note.kind {
                NotificationKind::Slack => slack(o, &e, unit),
                NotificationKind::Pagerduty => pagerduty(o, &e, unit),
                NotificationKind::Webhook => {
                    let _ = writeln!(
                        o,
                        "- webhook `{}` {}, {}",
                        code(&e.note.receiver),
                        status_word(e.note),
                        when(&e, unit)
                    );
                }
            }
        }
    }
}

fn slack(o: &mut String, e: &Entry<'_>, unit: &str) {
    let n: &Notification = e.note;
    let _ = writeln!(
        o,
        "- **Slack {}** (receiver `{}`), {}, {}",
        text(n.channel.as_deref().unwrap_or("(no channel)")),
        code(&n.receiver),
        status_word(n),
        when(e, unit)
    );
    if !n.rendered.title.is_empty() {
        let _ = writeln!(o, "  > **{}**", text(&n.rendered.title));
    }
    for line in n.rendered.text.lines() {
        let _ = writeln!(o, "  > {}", text(line));
    }
    if !n.rendered.fields.is_empty() {
        let fields: Vec<String> = n
            .rendered
            .fields
            .iter()
            .map(|f| format!("{}: {}", text(&f.title), text(&f.value)))
            .collect();
        let _ = writeln!(o, "  >\n  > {}", fields.join(" · "));
    }
    if !n.rendered.links.is_empty() {
        let _ = writeln!(o, "  >\n  > {}", links(&n.rendered.links));
    }
}

fn pagerduty(o: &mut String, e: &Entry<'_>, unit: &str) {
    let n = e.note;
    let mut parts = vec![format!("**PagerDuty {}**", text(pagerduty_action(n)))];
    if let Some(s) = &n.rendered.severity {
        parts.push(format!("severity {}", text(s)));
    }
    if !n.rendered.title.is_empty() {
        parts.push(format!("*{}*", text(&n.rendered.title)));
    }
    if let Some(s) = &n.rendered.source {
        parts.push(format!("source {}", text(s)));
    }
    if let Some(k) = &n.routing_key {
        parts.push(format!("routing key `{}`", code(k)));
    }
    let _ = writeln!(o, "- {}, {}", parts.join(" · "), when(e, unit));
    if !n.rendered.links.is_empty() {
        let _ = writeln!(o, "  - links: {}", links(&n.rendered.links));
    }
}

/// `10:02:06 UTC (+1263 scenario s)`, with `×2, last at …` for repeats.
fn when(e: &Entry<'_>, unit: &str) -> String {
    let stamp = |s: &Stamp| format!("{} UTC (+{} {unit})", s.clock, num(s.into_run_s));
    match &e.last {
        Some(last) => format!("{}, ×{}, last at {}", stamp(&e.first), e.count, stamp(last)),
        None => stamp(&e.first),
    }
}

fn links(links: &[MessageLink]) -> String {
    links
        .iter()
        .map(|l| {
            let label = text(if l.text.is_empty() { &l.href } else { &l.text });
            if safe_href(&l.href) {
                format!("[{label}]({})", href(&l.href))
            } else {
                format!("{label} (link refused: `{}`)", code(&l.href))
            }
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Text that stays text: no HTML tag or entity, no link, no code span, no table cell break.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '[' | ']' | '`' | '|' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Text inside a code span: a backtick would close it, a newline break the line.
fn code(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '`' => '\'',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect()
}

/// A safe href inside `(...)`: the characters that would end or break it, percent-encoded.
fn href(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
#[path = "markdown_notifications_tests.rs"]
mod tests;
