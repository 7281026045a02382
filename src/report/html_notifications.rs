//! The notifications section of `report.html`: for each alert, the messages as the on-call
//! person saw them, in time order (`conversation.rs`): a Slack-like card per Slack message
//! (channel, a left bar red while firing and green once resolved, bold title, the text with its
//! newlines, fields in two columns, link buttons), a PagerDuty incident line per event (action,
//! severity badge, summary, source, links) and a compact line per webhook call, each with its
//! receive time. Every string is escaped; a link is an `<a>` only when [`safe_href`] allows it.

use crate::evidence::{AlertTiming, MessageLink, NotificationKind, NotificationStatus};
use crate::report::clock::{alert_unit, alert_unit_short};
use crate::report::conversation::{
    Entry, Stamp, conversation, kind_word, pagerduty_action, safe_href, status_word,
};
use crate::report::html_escape::escape;
use crate::report::html_sections::num;
use crate::report::model::Report;
use std::fmt::Write as _;

/// The bar of a firing Slack message.
pub const FIRING_BAR: [u8; 3] = [0xe0, 0x1e, 0x5a];
/// The bar of a resolved Slack message.
pub const RESOLVED_BAR: [u8; 3] = [0x2e, 0xb6, 0x7d];
/// Width of a Slack card's bar, CSS pixels.
pub const BAR_WIDTH_PX: u32 = 6;

/// The section's CSS (the bar colours are [`FIRING_BAR`] and [`RESOLVED_BAR`]).
pub const CSS: &str = r#"
article.conv { margin: 10px 0 18px; } article.conv h3 { font-size: 15px; margin: 0 0 6px; }
.card { border: 1px solid var(--rule); border-left: 6px solid #e01e5a; border-radius: 4px; padding: 8px 12px; margin: 6px 0; max-width: 760px; background: #fff; }
.card.resolved { border-left-color: #2eb67d; }
.card-head { display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; font-size: 12px; color: var(--muted); }
.card-head .chan { font-weight: 700; color: var(--ink); }
.card-title { font-weight: 700; margin: 4px 0 2px; }
.card-text { white-space: pre-wrap; overflow-wrap: anywhere; }
dl.card-fields { display: grid; grid-template-columns: 1fr 1fr; gap: 4px 16px; margin: 6px 0 0; }
dl.card-fields dt { font-weight: 700; font-size: 12px; } dl.card-fields dd { margin: 0; overflow-wrap: anywhere; }
.card-links { margin-top: 6px; display: flex; gap: 6px; flex-wrap: wrap; align-items: baseline; }
.btn { display: inline-block; border: 1px solid #bcccdc; border-radius: 4px; padding: 2px 10px; font-size: 12px; font-weight: 600; color: #1f4e8c; text-decoration: none; }
.btn.refused { color: var(--muted); border-style: dashed; }
.pd, .hook { border: 1px solid var(--rule); border-left: 6px solid #3b4b5c; border-radius: 4px; padding: 6px 12px; margin: 6px 0; max-width: 760px; }
.pd.resolve { border-left-color: #9fb3c8; } .hook { border-left-color: #cbd2d9; font-size: 13px; }
.pd-action { font-weight: 700; text-transform: uppercase; font-size: 12px; letter-spacing: .03em; }
.sev-critical { background: #8e1b1b; } .sev-error { background: #c2410c; } .sev-warning { background: #b7791f; } .sev-info { background: #1f6fb2; } .sev-other { background: #7b8794; }
.when { font-size: 12px; color: var(--muted); white-space: nowrap; }
.repeat { font-size: 12px; font-weight: 600; color: var(--ink); }
details.pd-details summary { font-size: 12px; color: var(--muted); cursor: pointer; }
@media print { .card, .pd, .hook { break-inside: avoid; page-break-inside: avoid; } }
"#;

/// The section (nothing when the report has no alerts).
pub fn section(out: &mut String, r: &Report) {
    if r.alerts.is_empty() {
        return;
    }
    out.push_str("<section id=\"notifications\">\n<h2>Notifications</h2>\n");
    let with: Vec<&AlertTiming> = r
        .alerts
        .iter()
        .filter(|a| !a.notifications.is_empty())
        .collect();
    if with.is_empty() {
        out.push_str("<p class=\"empty\">No notification was received (the receivers are obsgate's fake ones on a managed stack only, and none was sent).</p>\n</section>\n");
        return;
    }
    let unit = alert_unit_short(r);
    let _ = writeln!(
        out,
        "<p class=\"why\">Every message each alert sent, firing and resolved, in the order it arrived; times are UTC and, in brackets, {} since the run start. Identical repeats to one destination are folded into one message with their count.</p>",
        alert_unit(r)
    );
    for a in with {
        let entries = conversation(r, a);
        let _ = writeln!(
            out,
            "<article class=\"conv\" id=\"notes-{}\"><h3>{} <span class=\"why\">{} notification(s)</span></h3>",
            escape(&a.alert),
            escape(&a.alert),
            a.notifications.len()
        );
        for e in &entries {
            match e.note.kind {
                NotificationKind::Slack => slack_card(out, e, unit),
                NotificationKind::Pagerduty => pagerduty_line(out, e, unit),
                NotificationKind::Webhook => webhook_line(out, e, unit),
            }
        }
        out.push_str("</article>\n");
    }
    out.push_str("</section>\n");
}

/// A Slack message as a card.
fn slack_card(out: &mut String, e: &Entry<'_>, unit: &str) {
    let n = e.note;
    let cls = match n.status {
        NotificationStatus::Firing => "card firing",
        NotificationStatus::Resolved => "card resolved",
    };
    let _ = write!(
        out,
        "<div class=\"{cls}\"><div class=\"card-head\"><span class=\"chan\">{}</span><span>slack · receiver {} · {}</span>{}</div>",
        escape(n.channel.as_deref().unwrap_or("(no channel)")),
        escape(&n.receiver),
        status_word(n),
        when(e, unit)
    );
    if !n.rendered.title.is_empty() {
        let _ = write!(
            out,
            "<div class=\"card-title\">{}</div>",
            slack_markup(&n.rendered.title)
        );
    }
    if !n.rendered.text.is_empty() {
        let _ = write!(
            out,
            "<div class=\"card-text\">{}</div>",
            slack_markup(&n.rendered.text)
        );
    }
    if !n.rendered.fields.is_empty() {
        out.push_str("<dl class=\"card-fields\">");
        for f in &n.rendered.fields {
            let _ = write!(
                out,
                "<div><dt>{}</dt><dd>{}</dd></div>",
                escape(&f.title),
                slack_markup(&f.value)
            );
        }
        out.push_str("</dl>");
    }
    links(out, &n.rendered.links);
    out.push_str("</div>\n");
}

/// A PagerDuty event as an incident line.
fn pagerduty_line(out: &mut String, e: &Entry<'_>, unit: &str) {
    let n = e.note;
    let action = pagerduty_action(n);
    let cls = if action == "resolve" {
        "pd resolve"
    } else {
        "pd"
    };
    let _ = write!(
        out,
        "<div class=\"{cls}\"><span class=\"pd-action\">PagerDuty {}</span> ",
        escape(action)
    );
    if let Some(sev) = &n.rendered.severity {
        let known = ["critical", "error", "warning", "info"];
        let c = if known.contains(&sev.as_str()) {
            sev.as_str()
        } else {
            "other"
        };
        let _ = write!(out, "<span class=\"badge sev-{c}\">{}</span> ", escape(sev));
    }
    let title = if n.rendered.title.is_empty() {
        "(no summary)"
    } else {
        &n.rendered.title
    };
    let _ = write!(
        out,
        "<strong class=\"pd-title\">{}</strong> ",
        escape(title)
    );
    let mut about = vec![format!("receiver {}", escape(&n.receiver))];
    if let Some(s) = &n.rendered.source {
        about.push(format!("source {}", escape(s)));
    }
    if let Some(k) = &n.routing_key {
        about.push(format!("routing key <code>{}</code>", escape(k)));
    }
    let _ = write!(
        out,
        "<div class=\"card-head\"><span>{}</span>{}</div>",
        about.join(" · "),
        when(e, unit)
    );
    links(out, &n.rendered.links);
    if let Some(d) = &n.rendered.custom_details {
        let text = serde_json::to_string_pretty(d).unwrap_or_default();
        let _ = write!(
            out,
            "<details class=\"pd-details\"><summary>custom details</summary><pre>{}</pre></details>",
            escape(&text)
        );
    }
    out.push_str("</div>\n");
}

/// A webhook call as one compact line.
fn webhook_line(out: &mut String, e: &Entry<'_>, unit: &str) {
    let n = e.note;
    let _ = writeln!(
        out,
        "<div class=\"hook\">{} <code>{}</code> {} {}</div>",
        kind_word(n),
        escape(&n.receiver),
        status_word(n),
        when(e, unit)
    );
}

/// The receive time, and the repeats when there were some.
fn when(e: &Entry<'_>, unit: &str) -> String {
    let stamp = |s: &Stamp| {
        format!(
            "<time datetime=\"{}\">{} UTC</time> (+{} {unit})",
            escape(&s.utc),
            escape(&s.clock),
            num(s.into_run_s)
        )
    };
    let mut w = format!("<span class=\"when\">{}</span>", stamp(&e.first));
    if let Some(last) = &e.last {
        let _ = write!(
            w,
            " <span class=\"repeat\">×{}, last at {}</span>",
            e.count,
            stamp(last)
        );
    }
    w
}

/// The link buttons: an `<a>` for a safe target, a marked refusal otherwise.
fn links(out: &mut String, links: &[MessageLink]) {
    if links.is_empty() {
        return;
    }
    out.push_str("<div class=\"card-links\">");
    for l in links {
        let text = if l.text.is_empty() { &l.href } else { &l.text };
        if safe_href(&l.href) {
            let _ = write!(
                out,
                "<a class=\"btn\" href=\"{}\" rel=\"noreferrer noopener\">{}</a>",
                escape(&l.href),
                escape(text)
            );
        } else {
            let _ = write!(
                out,
                "<span class=\"btn refused\">{}</span><span class=\"why\">link refused (not http(s) or a relative path): <code>{}</code></span>",
                escape(text),
                escape(&l.href)
            );
        }
    }
    out.push_str("</div>");
}

/// Slack's markup, minimally: `*bold*` within a line, `<url|text>` and `<url>` as links when
/// the URL is an absolute http(s) one; everything else (a refused link included) is shown as written, escaped.
pub fn slack_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(i) = rest.find(['<', '*']) {
        out.push_str(&escape(&rest[..i]));
        rest = &rest[i..];
        let (html, used) = if rest.starts_with('<') {
            slack_link(rest)
        } else {
            slack_bold(rest)
        };
        out.push_str(&html);
        rest = &rest[used..];
    }
    out.push_str(&escape(rest));
    out
}

/// `<url|text>` at the start of `s`: the HTML and the bytes used.
fn slack_link(s: &str) -> (String, usize) {
    let Some(end) = s[1..].find(['>', '\n']).map(|e| e + 1) else {
        return (escape("<"), 1);
    };
    if s.as_bytes()[end] != b'>' {
        return (escape("<"), 1);
    }
    let inner = &s[1..end];
    let (href, label) = inner.split_once('|').unwrap_or((inner, inner));
    // Slack links are absolute: `<script>` is text, not a relative link.
    let absolute = ["http://", "https://"]
        .iter()
        .any(|p| href.len() > p.len() && href[..p.len()].eq_ignore_ascii_case(p));
    if absolute && safe_href(href) {
        let html = format!(
            "<a href=\"{}\" rel=\"noreferrer noopener\">{}</a>",
            escape(href),
            escape(label)
        );
        (html, end + 1)
    } else {
        (escape(&s[..=end]), end + 1)
    }
}

/// `*bold*` at the start of `s` (no space inside the stars' edges, one line).
fn slack_bold(s: &str) -> (String, usize) {
    let body = &s[1..];
    let close = body.find(['*', '\n']);
    match close {
        Some(c)
            if c > 0
                && body.as_bytes()[c] == b'*'
                && !body.starts_with(' ')
                && !body[..c].ends_with(' ') =>
        {
            (format!("<b>{}</b>", escape(&body[..c])), c + 2)
        }
        _ => ("*".into(), 1),
    }
}

#[cfg(test)]
#[path = "html_notifications_tests.rs"]
mod tests;
