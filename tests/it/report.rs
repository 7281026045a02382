//! Integration tests: report. `obsgate report diff` on written report.json fixtures; the
//! notification cards of the sample report screenshotted in headless Chromium
//! (`/usr/bin/chromium`) and judged by their pixels (`report_pixels.rs`); and a preview of the
//! whole HTML report (ignored by default; run with
//! `cargo test --test it report::html_in_chromium -- --ignored --nocapture`; it prints where
//! the PDF and PNG were written).

use crate::util::obsgate;
use obsgate::evidence::{JobTimeS, LatencyMs, LoadReport, PhaseReport};
use obsgate::report::html_notifications::{FIRING_BAR, RESOLVED_BAR};
use obsgate::report::model::{Report, SCHEMA_VERSION};
use obsgate::verdict::{Check, Kind, Verdict};
use std::path::Path;

/// A small report of scenario `smoke` with one phase whose p99 latency is `p99_ms`.
fn report(p99_ms: f64, check_passes: bool) -> Report {
    Report {
        schema_version: SCHEMA_VERSION,
        scenario: "smoke".into(),
        verdict: if check_passes {
            Verdict::Pass
        } else {
            Verdict::Fail
        },
        started_at: "2026-01-05T10:00:00Z".into(),
        finished_at: "2026-01-05T10:01:00Z".into(),
        obsgate_version: "test".into(),
        time_scale: 1.0,
        clock: Default::default(),
        deviations: vec![],
        load: LoadReport {
            target: "http://127.0.0.1:1".into(),
            phases: vec![PhaseReport {
                name: "steady".into(),
                duration_s: 60.0,
                target_rate: 50.0,
                achieved_rate: 49.9,
                scheduled: 3000,
                sent: 3000,
                succeeded: 3000,
                latency_ms: LatencyMs {
                    p50: 3.0,
                    p90: 6.0,
                    p99: p99_ms,
                    max: 40.0,
                },
                job_time_s: JobTimeS {
                    p50: 20.0,
                    p90: 30.0,
                    p99: 40.0,
                    max: 50.0,
                },
                ..PhaseReport::default()
            }],
            timeline: vec![],
        },
        checks: vec![Check::from_bool(
            "load.rate.steady",
            Kind::Load,
            check_passes,
            "achieved rate",
        )],
        alerts: vec![],
        criteria: vec![],
        slo: vec![],
        coverage: None,
        component_down: None,
        kept_stack_data: None,
        shard: None,
    }
}

fn write(dir: &Path, r: &Report) {
    std::fs::create_dir_all(dir).expect("create report dir");
    let text = serde_json::to_string_pretty(r).expect("serialise report");
    std::fs::write(dir.join("report.json"), text).expect("write report.json");
}

#[test]
fn diff_flags_a_latency_regression_with_exit_1() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (old, new) = (tmp.path().join("old"), tmp.path().join("new"));
    write(&old, &report(12.0, true));
    write(&new, &report(18.0, true));
    let out = obsgate()
        .args(["report", "diff"])
        .arg(&old)
        .arg(&new)
        .output()
        .expect("run obsgate");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let line = stdout
        .lines()
        .find(|l| l.contains("REGRESSION"))
        .unwrap_or_default();
    assert!(
        line.contains("phase steady") && line.contains("latency_ms.p99") && line.contains("+50.0%"),
        "{stdout}"
    );
    assert!(stdout.contains("1 regression(s)"), "{stdout}");
}

#[test]
fn diff_of_identical_runs_exits_0_and_json_is_parseable() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (old, new) = (tmp.path().join("old"), tmp.path().join("new"));
    write(&old, &report(12.0, true));
    write(&new, &report(12.0, true));
    obsgate()
        .args(["report", "diff"])
        .arg(&old)
        .arg(&new)
        .assert()
        .code(0);
    let out = obsgate()
        .args(["report", "diff", "--output", "json"])
        .arg(&old)
        .arg(&new)
        .output()
        .expect("run obsgate");
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("diff JSON");
    assert_eq!(v["regressions"], 0);
    assert_eq!(v["scenario"], "smoke");
}

#[test]
fn diff_flags_a_check_that_stopped_passing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (old, new) = (tmp.path().join("old"), tmp.path().join("new"));
    write(&old, &report(12.0, true));
    write(&new, &report(12.0, false));
    let out = obsgate()
        .args(["report", "diff"])
        .arg(&old)
        .arg(&new)
        .output()
        .expect("run obsgate");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("check load.rate.steady"), "{stdout}");
    assert!(stdout.contains("pass → fail"), "{stdout}");
}

#[test]
fn diff_refuses_missing_invalid_or_mismatched_reports_with_exit_2() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (old, new, bad, other) = (
        tmp.path().join("old"),
        tmp.path().join("new"),
        tmp.path().join("bad"),
        tmp.path().join("other"),
    );
    write(&old, &report(12.0, true));
    std::fs::create_dir_all(&bad).expect("mkdir");
    std::fs::write(
        bad.join("report.json"),
        "{\"schema_version\": 1,\n \"scenario\": 3}",
    )
    .expect("write");
    let mut r = report(12.0, true);
    r.scenario = "alert-storm".into();
    write(&other, &r);
    let cases = [
        (&new, "cannot read the report"),
        (&bad, "not a valid report"),
        (&other, "different scenarios"),
    ];
    for (dir, wanted) in cases {
        let out = obsgate()
            .args(["report", "diff"])
            .arg(&old)
            .arg(dir)
            .output()
            .expect("run obsgate");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(wanted), "{wanted}: {stderr}");
    }
}

/// Run headless Chromium with `extra` flags on `page`, stopping it after a deadline.
pub(crate) fn chromium(page: &Path, extra: &[String]) -> std::process::ExitStatus {
    let profile = tempfile::tempdir().expect("profile dir");
    let mut child = std::process::Command::new("/usr/bin/chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start chromium");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
    loop {
        if let Some(status) = child.try_wait().expect("wait for chromium") {
            return status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 90 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// Renders the sample report and prints it to PDF and PNG with headless Chromium, for a look.
/// Run: `cargo test --test it report::html_in_chromium -- --ignored --nocapture`
/// (needs `/usr/bin/chromium`, e.g. `apt-get install chromium`). Files land in
/// `target/tmp/report-preview/`.
#[test]
#[ignore = "needs /usr/bin/chromium; run by hand to look at the HTML report"]
fn html_in_chromium() {
    if !Path::new("/usr/bin/chromium").exists() {
        eprintln!("/usr/bin/chromium is absent: nothing to do");
        return;
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-preview");
    std::fs::create_dir_all(&dir).expect("preview dir");
    let page = dir.join("report.html");
    let html = obsgate::report::html::render(&obsgate::report::html_sample::sample_report());
    std::fs::write(&page, html).expect("write report.html");
    let (png, pdf) = (dir.join("report.png"), dir.join("report.pdf"));
    let _ = std::fs::remove_file(&png);
    let _ = std::fs::remove_file(&pdf);
    let shot = chromium(
        &page,
        &[
            format!("--screenshot={}", png.display()),
            "--window-size=1200,2400".into(),
        ],
    );
    assert!(shot.success(), "chromium screenshot: {shot}");
    let print = chromium(
        &page,
        &[
            format!("--print-to-pdf={}", pdf.display()),
            "--no-pdf-header-footer".into(),
        ],
    );
    assert!(print.success(), "chromium print: {print}");
    for f in [&png, &pdf] {
        let len = std::fs::metadata(f).map(|m| m.len()).unwrap_or(0);
        assert!(len > 10_000, "{} is {len} bytes", f.display());
        println!("wrote {}", f.display());
    }
}

/// A page holding only the notifications section of `r`'s HTML (with the report's CSS).
fn cards_page(r: &Report) -> String {
    let html = obsgate::report::html::render(r);
    let head = &html[..html.find("<body>").expect("body") + "<body>".len()];
    let start = html
        .find("<section id=\"notifications\">")
        .expect("a notifications section");
    let end = html[start..].find("</section>").expect("closed") + start;
    format!(
        "{head}\n{}</section>\n</body>\n</html>\n",
        &html[start..end]
    )
}

/// Screenshot `page` (written to `dir/name.html`) in headless Chromium and decode it.
fn screenshot(dir: &Path, name: &str, page: &str) -> crate::report_pixels::Shot {
    let (html, png) = (
        dir.join(format!("{name}.html")),
        dir.join(format!("{name}.png")),
    );
    std::fs::write(&html, page).expect("write page");
    let status = chromium(
        &html,
        &[
            format!("--screenshot={}", png.display()),
            format!("--window-size={CARDS_WIDTH_PX},{CARDS_HEIGHT_PX}"),
            "--force-device-scale-factor=1".into(),
            "--force-color-profile=srgb".into(),
        ],
    );
    assert!(status.success(), "chromium screenshot of {name}: {status}");
    crate::report_pixels::Shot::read(&png).unwrap_or_else(|e| panic!("{e}"))
}

/// The screenshot's size: wide like a laptop, tall enough for the sample's every card.
const CARDS_WIDTH_PX: u32 = 1100;
const CARDS_HEIGHT_PX: u32 = 7000;

/// The sample report's notification cards as Chromium draws them: a red bar per firing Slack
/// message and a green one per resolved message, as many as the HTML has cards; the same
/// check fails on the same report without its notifications.
#[test]
fn notification_cards_in_chromium_show_firing_and_resolved_bars() {
    assert!(
        Path::new("/usr/bin/chromium").exists(),
        "needs /usr/bin/chromium (apt-get install chromium; .ci/run installs it)"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let sample = obsgate::report::html_sample::sample_report();
    let page = cards_page(&sample);
    let firing = page.matches("<div class=\"card firing\">").count();
    let resolved = page.matches("<div class=\"card resolved\">").count();
    // Ten alerts, each one firing and one resolved Slack message (a repeat folded).
    assert_eq!((firing, resolved), (10, 10));
    let shot = screenshot(dir.path(), "cards", &page);
    assert_eq!((shot.width, shot.height), (CARDS_WIDTH_PX, CARDS_HEIGHT_PX));
    crate::report_pixels::check_cards(&shot, firing, resolved)
        .unwrap_or_else(|e| panic!("the sample's cards: {e}"));
    // Each card holds a title, text, fields and buttons: a bar the height of all of them.
    let red = crate::report_pixels::bars(&shot, FIRING_BAR);
    let green = crate::report_pixels::bars(&shot, RESOLVED_BAR);
    let mut order: Vec<(u32, &str)> = red.iter().map(|b| (b.top, "firing")).collect();
    order.extend(green.iter().map(|b| (b.top, "resolved")));
    order.sort();
    let order: Vec<&str> = order.into_iter().map(|(_, s)| s).collect();
    // Each alert's conversation: its firing message, then its resolved one.
    assert_eq!(
        order,
        ["firing", "resolved"].repeat(10),
        "{red:?} {green:?}"
    );
    let short: Vec<_> = red
        .iter()
        .chain(&green)
        .filter(|b| b.bottom - b.top < 80)
        .collect();
    assert!(
        short.is_empty(),
        "bars too short for a full card: {short:?}"
    );

    // A seeded defect in the CSS: resolved messages drawn like firing ones.
    let wrong = page.replace(".card.resolved { border-left-color: #2eb67d; }", "");
    assert_ne!(wrong, page, "the resolved bar's CSS rule moved");
    let shot = screenshot(dir.path(), "all-red", &wrong);
    let err = crate::report_pixels::check_cards(&shot, firing, resolved)
        .expect_err("resolved cards with a firing bar must fail the cards check");
    assert!(
        err.contains("expected 10 #e01e5a bars of firing Slack cards, saw 20")
            && err.contains("saw 0"),
        "{err}"
    );

    // The seeded defect: the notifications are lost, the cards are not drawn.
    let mut bare = sample.clone();
    for a in &mut bare.alerts {
        a.notifications.clear();
    }
    let shot = screenshot(dir.path(), "no-cards", &cards_page(&bare));
    let err = crate::report_pixels::check_cards(&shot, firing, resolved)
        .expect_err("a report without notifications must fail the cards check");
    assert!(
        err.contains("expected 10 #e01e5a bars of firing Slack cards, saw 0")
            && err.contains("expected 10 #2eb67d bars of resolved Slack cards, saw 0")
            && err.contains("the page looks blank"),
        "{err}"
    );
}
