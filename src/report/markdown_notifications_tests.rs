//! Unit tests of the Markdown notifications: the quoted Slack messages, the PagerDuty lines,
//! the resolved messages and times, and hostile text kept inert.

use super::*;
use crate::evidence::MessageLink;
use crate::report::html_sample::sample_report;

fn rendered(r: &Report) -> String {
    let mut o = String::new();
    markdown_section(&mut o, r);
    o
}

/// The Markdown of one alert, up to the next alert's heading.
fn alert<'a>(md: &'a str, name: &str) -> &'a str {
    let start = md
        .find(&format!("### {name}\n"))
        .unwrap_or_else(|| panic!("no {name}:\n{md}"));
    let end = md[start + 4..]
        .find("\n### ")
        .map_or(md.len(), |e| e + start + 4);
    &md[start..end]
}

#[test]
fn slack_messages_are_quoted_with_fields_links_and_times() {
    let md = rendered(&sample_report());
    let a = alert(&md, "PipelineHighErrorRate");
    assert!(
        a.contains("- **Slack #critical** (receiver `critical`), firing, 10:02:36 UTC (+1564 scenario s), ×2, last at 10:08:36 UTC (+5164 scenario s)\n  > **\\[FIRING:1\\] PipelineHighErrorRate**\n  > More than 5% of pipeline jobs are failing - https://github.com/obsgate/obsgate/blob/main/docs/runbooks/PipelineHighErrorRate.md\n"),
        "{a}"
    );
    assert!(
        a.contains("  > severity: critical · service: video-pipeline\n"),
        "{a}"
    );
    assert!(
        a.contains("[Runbook](https://github.com/obsgate/obsgate/blob/main/docs/runbooks/PipelineHighErrorRate.md) · [Dashboard](http://127.0.0.1:3000/d/pipeline-overview/video-pipeline)"),
        "{a}"
    );
    assert!(
        a.contains("  > **\\[RESOLVED:1\\] PipelineHighErrorRate**"),
        "{a}"
    );
    let firing = a.find("FIRING:1").expect("firing");
    let resolved = a.find("RESOLVED:1").expect("resolved");
    assert!(firing < resolved, "{a}");
}

#[test]
fn pagerduty_events_are_one_line_each_with_severity_and_links() {
    let md = rendered(&sample_report());
    let a = alert(&md, "SLABreach");
    assert!(
        a.contains("- **PagerDuty trigger** · severity critical · *SLABreach: Pipeline P95 duration is above the 300 s SLA* · source prometheus 127.0.0.1:9090 · routing key `pipeline-critical`, "),
        "{a}"
    );
    assert!(
        a.contains("- **PagerDuty resolve** · severity critical"),
        "{a}"
    );
    assert!(
        a.contains("  - links: [Alertmanager](http://127.0.0.1:9093/#/alerts?receiver=critical)"),
        "{a}"
    );
    let d = alert(&md, "DatabaseLatency");
    assert!(d.contains("- webhook `audit-log` resolved, "), "{d}");
}

#[test]
fn hostile_text_stays_text_and_unsafe_links_are_refused() {
    let mut r = sample_report();
    let n = &mut r.alerts[0].notifications[0];
    n.rendered.title = "<script>alert(1)</script> [x](javascript:alert(1))".into();
    n.rendered.text = "line `one`\n<img src=x onerror=alert(1)>".into();
    n.rendered.links = vec![
        MessageLink {
            text: "Run".into(),
            href: "javascript:alert(1)".into(),
        },
        MessageLink {
            text: "paren".into(),
            href: "https://example.com/a)(b".into(),
        },
    ];
    let md = rendered(&r);
    for raw in ["<script", "<img", "[x]"] {
        assert!(!md.contains(raw), "{raw} survived:\n{md}");
    }
    assert!(
        md.contains("&lt;script&gt;alert(1)&lt;/script&gt; \\[x\\](javascript:alert(1))"),
        "{md}"
    );
    assert!(
        md.contains("  > line \\`one\\`\n  > &lt;img src=x onerror=alert(1)&gt;\n"),
        "{md}"
    );
    assert!(
        md.contains("Run (link refused: `javascript:alert(1)`)"),
        "{md}"
    );
    assert!(md.contains("[paren](https://example.com/a%29%28b)"), "{md}");
}

#[test]
fn no_section_without_notifications() {
    let mut r = sample_report();
    for a in &mut r.alerts {
        a.notifications.clear();
    }
    assert!(rendered(&r).is_empty());
    assert!(!crate::report::render_markdown(&r).contains("## Notifications"));
    assert!(crate::report::render_markdown(&sample_report()).contains("## Notifications"));
}
