//! Unit tests of the notification cards: what the reader sees of each message, and that hostile
//! content stays text.

use super::*;
use crate::evidence::{MessageField, Notification};
use crate::report::html_sample::sample_report;

fn rendered(r: &Report) -> String {
    let mut out = String::new();
    section(&mut out, r);
    out
}

/// The HTML of one alert's conversation.
fn conv<'a>(html: &'a str, alert: &str) -> &'a str {
    let start = html
        .find(&format!("id=\"notes-{alert}\""))
        .unwrap_or_else(|| panic!("no conversation for {alert}:\n{html}"));
    let end = html[start..].find("</article>").expect("closed") + start;
    &html[start..end]
}

#[test]
fn slack_cards_show_title_text_fields_buttons_and_time() {
    let html = rendered(&sample_report());
    let c = conv(&html, "PipelineHighErrorRate");
    assert!(c.contains("<div class=\"card firing\">"), "{c}");
    assert!(c.contains("<span class=\"chan\">#critical</span>"), "{c}");
    assert!(
        c.contains("<div class=\"card-title\">[FIRING:1] PipelineHighErrorRate</div>"),
        "{c}"
    );
    assert!(
        c.contains("More than 5% of pipeline jobs are failing - https://github.com/obsgate/obsgate/blob/main/docs/runbooks/PipelineHighErrorRate.md"),
        "{c}"
    );
    assert!(
        c.contains("<div><dt>severity</dt><dd>critical</dd></div>"),
        "{c}"
    );
    assert!(
        c.contains("<a class=\"btn\" href=\"https://github.com/obsgate/obsgate/blob/main/docs/runbooks/PipelineHighErrorRate.md\" rel=\"noreferrer noopener\">Runbook</a>"),
        "{c}"
    );
    assert!(
        c.contains(
            "<time datetime=\"2026-01-05T10:02:36.400Z\">10:02:36 UTC</time> (+1564 scenario s)"
        ),
        "{c}"
    );
    // The repeat is folded with its count and last time.
    assert!(
        c.contains(
            "<span class=\"repeat\">×2, last at <time datetime=\"2026-01-05T10:08:36.400Z\">"
        ),
        "{c}"
    );
    // The resolved message follows the firing one, with its own bar.
    let firing = c.find("card firing").expect("firing card");
    let resolved = c.find("card resolved").expect("resolved card");
    assert!(firing < resolved, "{c}");
    assert!(c.contains("[RESOLVED:1] PipelineHighErrorRate"), "{c}");
}

#[test]
fn long_text_keeps_its_lines_and_bold_markup() {
    let html = rendered(&sample_report());
    let c = conv(&html, "RenderFailures");
    assert!(
        c.contains("<b>preset=trailer-4k reason=timeout</b>: 7 failures"),
        "{c}"
    );
    let text_start = c.find("<div class=\"card-text\">").expect("text");
    let text = &c[text_start..c[text_start..].find("</div>").unwrap() + text_start];
    assert_eq!(text.matches('\n').count(), 5, "{text}");
}

#[test]
fn pagerduty_events_are_incident_lines_and_webhooks_compact_lines() {
    let html = rendered(&sample_report());
    let c = conv(&html, "SLABreach");
    assert!(
        c.contains("<span class=\"pd-action\">PagerDuty trigger</span> <span class=\"badge sev-critical\">critical</span> <strong class=\"pd-title\">SLABreach: Pipeline P95 duration is above the 300 s SLA</strong>"),
        "{c}"
    );
    assert!(c.contains("source prometheus 127.0.0.1:9090"), "{c}");
    assert!(
        c.contains("routing key <code>pipeline-critical</code>"),
        "{c}"
    );
    assert!(c.contains(">Alertmanager</a>"), "{c}");
    assert!(
        c.contains("<span class=\"pd-action\">PagerDuty resolve</span>"),
        "{c}"
    );
    let d = conv(&html, "DatabaseLatency");
    assert!(
        d.contains("<div class=\"hook\">webhook <code>audit-log</code> firing"),
        "{d}"
    );
    assert!(
        d.contains("<div class=\"hook\">webhook <code>audit-log</code> resolved"),
        "{d}"
    );
    assert!(!d.contains("PagerDuty"), "{d}");
}

/// A Slack message with markup and links an attacker controls (alert labels and annotations
/// end up in the text).
fn hostile() -> Notification {
    let r = sample_report();
    let mut n = r.alerts[0].notifications[0].clone();
    n.channel = Some("#<b>ops</b>".into());
    n.rendered.title = "<script>alert(1)</script>".into();
    n.rendered.text =
        "<javascript:alert(1)|click me> and <https://ok.example/a\"b|fine> *<img src=x>*".into();
    n.rendered.fields = vec![MessageField {
        title: "\" onmouseover=\"x".into(),
        value: "<iframe>".into(),
    }];
    n.rendered.links = vec![
        MessageLink {
            text: "Run me".into(),
            href: "javascript:alert(document.cookie)".into(),
        },
        MessageLink {
            text: "quote".into(),
            href: "https://example.com/\" onclick=\"x".into(),
        },
        MessageLink {
            text: "q".into(),
            href: "https://example.com/a\"b".into(),
        },
    ];
    n
}

#[test]
fn hostile_content_is_escaped_and_unsafe_links_refused() {
    let mut r = sample_report();
    r.alerts[0].notifications = vec![hostile()];
    let html = rendered(&r);
    for raw in [
        "<script",
        "<b>ops",
        "<img",
        "<iframe",
        "href=\"javascript:",
        "onmouseover=\"",
        "onclick=\"",
    ] {
        assert!(!html.contains(raw), "{raw} survived:\n{html}");
    }
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(
        html.contains("&lt;javascript:alert(1)|click me&gt;"),
        "{html}"
    );
    assert!(
        html.contains("<span class=\"btn refused\">Run me</span><span class=\"why\">link refused (not http(s) or a relative path): <code>javascript:alert(document.cookie)</code></span>"),
        "{html}"
    );
    // A quote in a safe URL stays inside the attribute.
    assert!(
        html.contains("href=\"https://example.com/a&quot;b\""),
        "{html}"
    );
    assert!(
        html.contains(
            "<a href=\"https://ok.example/a&quot;b\" rel=\"noreferrer noopener\">fine</a>"
        ),
        "{html}"
    );
    assert!(html.contains("<b>&lt;img src=x&gt;</b>"), "{html}");
}

#[test]
fn slack_markup_is_minimal_and_never_markup_of_its_own() {
    assert_eq!(slack_markup("a *b* c"), "a <b>b</b> c");
    assert_eq!(slack_markup("2 * 3 * 4"), "2 * 3 * 4");
    assert_eq!(slack_markup("*open\nline*"), "*open\nline*");
    assert_eq!(
        slack_markup("<https://x.example|x> <https://y.example>"),
        "<a href=\"https://x.example\" rel=\"noreferrer noopener\">x</a> <a href=\"https://y.example\" rel=\"noreferrer noopener\">https://y.example</a>"
    );
    assert_eq!(slack_markup("a < b > c"), "a &lt; b &gt; c");
    assert_eq!(slack_markup("<unclosed"), "&lt;unclosed");
    assert_eq!(slack_markup("<data:x|y>"), "&lt;data:x|y&gt;");
}

#[test]
fn without_notifications_the_section_says_so() {
    let mut r = sample_report();
    for a in &mut r.alerts {
        a.notifications.clear();
    }
    let html = rendered(&r);
    assert!(html.contains("No notification was received"), "{html}");
    assert!(!html.contains("class=\"card"), "{html}");
    r.alerts.clear();
    assert!(rendered(&r).is_empty());
}
