//! Unit tests of the HTML writer: structure, charts, criteria, escaping, self-containment.

use super::*;
use crate::evidence::LoadReport;
use crate::expect::acceptance::SEED_CRITERIA;
use crate::report::html_sample::sample_report;
use crate::verdict::Kind;
use crate::verdict::{Check, Status};

/// A small well-formedness check: every non-void element is closed in order, `<style>` content
/// is skipped, and nothing is left open. Returns the first problem.
fn check_balanced(html: &str) -> Result<(), String> {
    const VOID: [&str; 7] = ["meta", "br", "hr", "img", "input", "link", "wbr"];
    let mut stack: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let end = rest.find('>').ok_or("unterminated tag")?;
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        if tag.starts_with('!') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            let open = stack
                .pop()
                .ok_or(format!("close </{name}> with nothing open"))?;
            if open != name.trim() {
                return Err(format!("</{name}> closes <{open}>"));
            }
            continue;
        }
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>();
        if name.is_empty() {
            return Err(format!("bad tag <{tag}>"));
        }
        if tag.ends_with('/') || VOID.contains(&name.as_str()) {
            continue;
        }
        if name == "style" {
            let close = rest.find("</style>").ok_or("unclosed <style>")?;
            rest = &rest[close + "</style>".len()..];
            continue;
        }
        stack.push(name);
    }
    if stack.is_empty() {
        Ok(())
    } else {
        Err(format!("left open: {stack:?}"))
    }
}

#[test]
fn sample_renders_well_formed_with_one_svg_per_chart() {
    let html = render(&sample_report());
    check_balanced(&html).unwrap_or_else(|e| panic!("{e}"));
    assert!(html.starts_with("<!DOCTYPE html>"));
    // Rate chart, latency chart, alert timeline.
    assert_eq!(html.matches("<svg").count(), 3);
    assert_eq!(html.matches("</svg>").count(), 3);
    assert!(html.contains("Target vs achieved rate"));
    assert!(html.contains("HTTP latency from intended start"));
    assert!(html.contains("Alert timeline"));
    // Phase bands are labelled on the charts.
    assert!(html.matches(">storm</text>").count() >= 3, "phase labels");
    assert!(html.contains("@media print"));
}

#[test]
fn criteria_come_first_with_status_and_linked_checks() {
    let html = render(&sample_report());
    let crit_at = html.find("id=\"criteria\"").unwrap_or(usize::MAX);
    let phases_at = html.find("id=\"phases\"").unwrap_or(0);
    assert!(crit_at < phases_at, "criteria before the phases");
    for (id, title) in SEED_CRITERIA {
        assert!(
            html.contains(&format!("<td class=\"ac\">{id}</td>")),
            "{id}"
        );
        assert!(html.contains(&escape(title)), "{title}");
    }
    assert!(html.contains("8 of 10 criteria pass."));
    assert!(html.contains("no check matched `traces.*`"));
    // A link from the criterion to the check row, and the row's anchor.
    let link = "href=\"#check-metrics.exposed.render_failures_total\">metrics.<wbr>exposed.<wbr>render_failures_total</a>";
    assert!(html.contains(link));
    assert!(html.contains("<tr id=\"check-metrics.exposed.render_failures_total\">"));
}

#[test]
fn failing_checks_show_their_evidence() {
    let html = render(&sample_report());
    let failures = html
        .split("id=\"failures\"")
        .nth(1)
        .and_then(|s| s.split("id=\"all-checks\"").next())
        .unwrap_or_default();
    assert!(failures.contains("Failing checks (1)") || html.contains("Failing checks (1)"));
    assert!(failures.contains("render_failures_total</span>"));
    assert!(failures.contains(
        "<pre>render_failure_total{reason=&quot;oom&quot;} 3 &lt;b&gt;&amp;amp;&lt;/b&gt;</pre>"
    ));
    assert!(
        !failures.contains("load.rate.storm"),
        "passing checks are not failures"
    );
}

#[test]
fn text_from_checks_cannot_inject_markup() {
    let mut r = sample_report();
    r.checks.push(
        Check::fail(
            "x\"><img src=http://evil.example/x onerror=alert(1)>",
            Kind::Dashboards,
            "<script>alert('pwned')</script>",
        )
        .with_evidence(["</pre><script>alert(2)</script>"]),
    );
    r.scenario = "<script>document.write(1)</script>".into();
    r.deviations
        .push("<iframe src=https://evil.example>".into());
    let html = render(&r);
    check_balanced(&html).unwrap_or_else(|e| panic!("{e}"));
    let lower = html.to_ascii_lowercase();
    assert!(!lower.contains("<script"), "raw script tag");
    assert!(!lower.contains("<img"), "raw img tag");
    assert!(!lower.contains("<iframe"), "raw iframe tag");
    assert!(html.contains("&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;"));
    assert!(html.contains("id=\"check-x&quot;&gt;&lt;img"));
}

#[test]
fn page_is_self_contained() {
    let page = render(&sample_report()).to_ascii_lowercase();
    // The notification cards' buttons are links a reader may follow (nothing is fetched):
    // each is an `<a>` that sends no referrer; the rest of the page has no absolute URL.
    let (start, end) = (
        page.find("<section id=\"notifications\">")
            .expect("notifications"),
        page.find("<section id=\"clock\">").expect("clock"),
    );
    let cards = &page[start..end];
    assert!(cards.matches("<a class=\"btn\" href=\"http").count() > 20);
    assert_eq!(
        cards.matches(" href=\"").count(),
        cards.matches(" rel=\"noreferrer noopener\"").count()
    );
    assert!(!cards.contains("src=") && !cards.contains("<img"));
    let html = format!("{}{}", &page[..start], &page[end..]);
    for banned in [
        "src=",
        "href=\"http",
        "href='http",
        "<link",
        "@import",
        "url(",
        "<script",
    ] {
        assert!(!html.contains(banned), "found {banned}");
    }
    // The only absolute URL is the SVG namespace, which is an identifier, not a fetch.
    let urls = html.matches("http://").count() + html.matches("https://").count();
    assert_eq!(
        urls,
        html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count()
            + html.matches("http://127.0.0.1").count()
    );
}

#[test]
fn static_report_without_load_has_no_charts() {
    let mut r = sample_report();
    r.load = LoadReport::default();
    r.alerts.clear();
    r.criteria.clear();
    let html = render(&r);
    check_balanced(&html).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(html.matches("<svg").count(), 0);
    assert!(html.contains("No load was driven"));
    assert!(html.contains("No acceptance file was evaluated"));
    assert!(html.contains("none (static checks)"));
}

#[test]
fn incomplete_runs_say_so() {
    let mut r = sample_report();
    r.verdict = crate::verdict::Verdict::Incomplete;
    let html = render(&r);
    assert!(html.contains("class=\"badge verdict v-incomplete\">incomplete<"));
    assert!(html.contains("Incomplete run."));
    for c in &mut r.checks {
        c.status = Status::Pass;
    }
    r.verdict = crate::verdict::Verdict::Pass;
    let html = render(&r);
    assert!(html.contains("Failing checks (0)"));
    assert!(html.contains("v-pass\">pass<"));
}

#[test]
fn balance_checker_catches_broken_markup() {
    assert!(check_balanced("<div><p></div>").is_err());
    assert!(check_balanced("<div>").is_err());
    assert!(check_balanced("<div><svg><path d=\"\"/></svg></div>").is_ok());
}

#[test]
fn long_check_lists_are_capped_and_write_puts_the_file_in_place() {
    let mut r = sample_report();
    r.criteria[1].checks = (0..45).map(|i| format!("metrics.type.m{i}")).collect();
    let html = render(&r);
    assert!(html.contains("and 5 more (all in report.json)"));
    assert!(html.contains("href=\"#check-metrics.type.m39\""));
    assert!(!html.contains("href=\"#check-metrics.type.m40\""));
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = write(dir.path(), &r).unwrap_or_else(|e| panic!("{e}"));
    let back = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(back, html);
    assert!(path.ends_with("report.html"));
}

/// The part of `html` from `<section id="{id}">` to its end.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let open = format!("<section id=\"{id}\">");
    let start = html
        .find(&open)
        .unwrap_or_else(|| panic!("no section {id}"));
    let rest = &html[start..];
    &rest[..rest.find("</section>").unwrap_or(rest.len())]
}

#[test]
fn the_sample_shows_its_clock_and_every_rewritten_rule() {
    let html = render(&sample_report());
    let clock = section(&html, "clock");
    assert!(
        clock.contains(
            "<p>Time scale 10, 170m0s of scenario in 17m15s wall; alert timings in scenario seconds.</p>"
        ),
        "{clock}"
    );
    assert!(clock.contains("allows time scales up to 100."), "{clock}");
    assert!(clock.contains("<th>As written</th><th>As evaluated</th><th>For</th>"));
    assert_eq!(
        clock.matches("<tr><td class=\"id\">").count(),
        10,
        "{clock}"
    );
    assert!(clock.contains(
        "<tr><td class=\"id\">SLABreach</td><td class=\"id\">config/alert-rules.yaml:19</td><td><code>histogram_quantile(0.95, sum by (le) (rate(pipeline_duration_seconds_bucket[10m]))) &gt; 300</code></td><td><code>histogram_quantile(0.95, sum by (le) ((rate(pipeline_duration_seconds_bucket[1m]) / 10))) &gt; 300</code></td><td>5m → 30s</td></tr>"
    ), "{clock}");
    assert!(
        clock.contains("{status=&quot;failed&quot;}[30s]) / 10))"),
        "{clock}"
    );
    // The alerts say their unit, on the timeline and in the table.
    let alerts = section(&html, "alerts");
    assert!(alerts.contains(">scenario time since run start (s)</text>"));
    assert!(alerts.contains("Times below are scenario seconds from the start"));
    assert!(alerts.contains("<th class=\"num\">Pending (scenario s)</th>"));
    assert!(section(&html, "phases").contains("Duration (scenario s)"));
}

#[test]
fn rule_expressions_are_escaped_in_the_clock_section() {
    let mut r = crate::report::writer_tests::clocked();
    r.clock.rules[1].rule = "TooFew<script>alert(1)</script>".into();
    let html = render(&r);
    check_balanced(&html).unwrap_or_else(|e| panic!("{e}"));
    let clock = section(&html, "clock");
    assert!(clock.contains("<code>sum(up) &lt; 2</code>"), "{clock}");
    assert!(clock.contains("[10s]) / 30)) &gt; 0.05</code>"), "{clock}");
    assert!(clock.contains("x{code=~&quot;5..|429&quot;}"), "{clock}");
    assert!(clock.contains("TooFew&lt;script&gt;"), "{clock}");
    for raw in ["< 2", "> 0.05", "<script"] {
        assert!(!clock.contains(raw), "unescaped `{raw}` in {clock}");
    }
    assert!(
        clock.contains("5m → 10s; keep_firing_for 10m → 20s"),
        "{clock}"
    );
}

#[test]
fn alerts_of_an_external_stack_are_in_wall_seconds() {
    let mut r = sample_report();
    r.clock.alert_clock = "wall".into();
    r.clock.rules.clear();
    let html = render(&r);
    let alerts = section(&html, "alerts");
    assert!(alerts.contains(">wall time since run start (s)</text>"));
    assert!(alerts.contains("Times below are wall seconds from the start"));
    assert!(alerts.contains("<th class=\"num\">Firing (wall s)</th>"));
    let clock = section(&html, "clock");
    assert!(clock.contains("alert timings in wall seconds."), "{clock}");
    assert!(clock.contains("No rule was rewritten"), "{clock}");
    assert!(!clock.contains("<table>"), "{clock}");
}
