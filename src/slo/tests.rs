use super::generate::{alert_expr, canonical_window, rules_file, windows};
use super::*;

fn set(objective: f64, window: &str) -> SloSet {
    let text = format!(
        "slos:\n  - name: job-success\n    objective_percent: {objective}\n    window: {window}\n    sli:\n      good: 'jobs_total{{status=\"ok\"}}'\n      total: jobs_total\n    runbook_url: https://example.com/rb\n"
    );
    parse(&text, "slos.yaml").expect("parses")
}

fn factors(s: &SloSet) -> Vec<f64> {
    s.slos[0]
        .tiers
        .iter()
        .map(|t| (t.factor * 1e6).round() / 1e6)
        .collect()
}

#[test]
fn workbook_factors_for_30_days() {
    // The SRE workbook's table for a 30-day window: 14.4, 6, 3 and 1.
    assert_eq!(factors(&set(99.5, "30d")), vec![14.4, 6.0, 3.0, 1.0]);
}

#[test]
fn factors_are_recomputed_for_28_days() {
    // 2 % of 28 d in 1 h = 13.44; 5 % in 6 h = 5.6; 10 % in 1 d = 2.8; 10 % in 3 d = 0.933333.
    assert_eq!(factors(&set(99.9, "28d")), vec![13.44, 5.6, 2.8, 0.933333]);
    let s = set(99.9, "28d");
    assert!((s.slos[0].budget() - 0.001).abs() < 1e-12);
}

#[test]
fn detection_time_is_the_workbook_formula() {
    let s = set(99.5, "30d");
    let fast = &s.slos[0].tiers[0];
    // At 28.8x, 2 % of 30 d is spent in 30 minutes.
    assert_eq!(
        fast.detection_s(30.0 * 86_400.0, 28.8).map(f64::round),
        Some(1800.0)
    );
    assert_eq!(
        fast.detection_s(30.0 * 86_400.0, 14.4),
        None,
        "at the factor it never fires"
    );
}

#[test]
fn generated_alert_reads_both_windows_above_the_threshold() {
    let s = set(99.5, "30d");
    let slo = &s.slos[0];
    assert_eq!(
        alert_expr(slo, &slo.tiers[0]),
        "slo:sli_error:ratio_rate1h{slo=\"job-success\"} > (14.4 * 0.005) and ignoring(window) slo:sli_error:ratio_rate5m{slo=\"job-success\"} > (14.4 * 0.005)"
    );
    assert_eq!(
        windows(slo),
        ["5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"]
    );
    assert_eq!(slo.alert_name(&slo.tiers[3]), "JobSuccessBudgetBurn3d");
}

#[test]
fn every_generated_expression_parses() {
    let text = rules_file(&set(99.5, "30d"), "slos.yaml");
    let f: crate::config::rules_file::RuleFile =
        serde_saphyr::from_str(&text).expect("a strict Prometheus rule file");
    let mut n = 0;
    for g in &f.groups {
        for r in &g.rules {
            let e = r.expr.value.text();
            promql_parser::parser::parse(&e).unwrap_or_else(|err| panic!("{e}: {err}"));
            n += 1;
        }
    }
    // 8 ratio windows + 6 constants + 4 alerts.
    assert_eq!(n, 18);
}

#[test]
fn windows_are_canonical() {
    assert_eq!(canonical_window(86_400.0), "1d");
    assert_eq!(canonical_window(5400.0), "90m");
    assert_eq!(canonical_window(45.0), "45s");
}

#[test]
fn bad_files_name_every_problem_with_its_position() {
    let text = "slos:\n  - name: Job_Success\n    objective_percent: 100\n    window: 30x\n    sli:\n      good: 'rate(x[5m])'\n      total: y\n    runbook_url: r\n    tiers:\n      - {severity: page, budget_percent: 2, long_window: 5m, short_window: 1h}\n";
    let e = parse(text, "slos.yaml").unwrap_err().message;
    for want in [
        "slos.yaml:2:",
        "Job_Success",
        "slos.yaml:3:",
        "objective_percent 100",
        "slos.yaml:4:",
        "unknown unit `x`",
        "slos.yaml:6:",
        "counter selector",
        "short_window `1h` must be shorter",
    ] {
        assert!(e.contains(want), "missing `{want}` in:\n{e}");
    }
    let unknown = parse("slos: []\nextra: 1\n", "f.yaml").unwrap_err().message;
    assert!(unknown.contains("extra"), "{unknown}");
}

#[test]
fn tiers_can_be_configured() {
    let text = "tiers:\n  - {severity: page, budget_percent: 1, long_window: 30m, short_window: 2m, for: 1m}\nslos:\n  - name: api\n    objective_percent: 99.9\n    window: 7d\n    sli: {good: 'a{x=\"1\"}', total: a}\n    runbook_url: r\n";
    let s = parse(text, "s.yaml").expect("parses");
    let t = &s.slos[0].tiers[0];
    // 1 % of 7 d in 30 min = 3.36.
    assert!((t.factor - 3.36).abs() < 1e-9);
    assert_eq!(t.for_s, 60.0);
    assert!(rules_file(&s, "s.yaml").contains("for: 1m"));
}

/// Regenerate with `OBSGATE_WRITE_SCHEMA=1 cargo test --lib slo::tests::committed_schema`.
#[test]
fn committed_schema_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/slos.schema.json");
    let fresh = schema_json();
    if std::env::var_os("OBSGATE_WRITE_SCHEMA").is_some() {
        crate::util::write_atomic(&path, fresh.as_bytes()).expect("write schema");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "{} is stale: OBSGATE_WRITE_SCHEMA=1 cargo test --lib slo::tests::committed_schema",
        path.display()
    );
    for f in [
        "objective_percent",
        "budget_percent",
        "long_window",
        "runbook_url",
    ] {
        assert!(fresh.contains(f), "schema lacks {f}");
    }
}

#[test]
fn shipped_slos_generate_the_committed_rules() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
    let set = load(&dir.join("slos.yaml")).expect("config/slos.yaml");
    assert_eq!(set.slos.len(), 3);
    let text = rules_file(&set, "slos.yaml");
    let committed = std::fs::read_to_string(dir.join("slo-rules.yaml")).unwrap_or_default();
    assert!(
        committed == text,
        "config/slo-rules.yaml is stale: run `obsgate slo generate`"
    );
}

#[test]
fn a_total_outage_still_has_an_error_ratio() {
    // With no good event at all the good selector has no series; `or vector(0)` keeps the
    // ratio at 1 instead of empty, so the burn alerts fire on an outage.
    let text = rules_file(&set(99.5, "30d"), "slos.yaml");
    let rec = text.lines().find(|l| {
        l.contains("expr: '1 - ((sum(rate(jobs_total{status=\"ok\"}[5m])) or vector(0))")
    });
    assert!(rec.is_some(), "{text}");
}
