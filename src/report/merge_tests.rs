//! Merging partial reports: the refusals name the defect; two shards merge into the counts,
//! percentiles and checks of one run.

use super::*;
use crate::evidence::shard::{PhaseRules, ShardPhase};
use crate::load::stats::PhaseStats;
use crate::verdict::{Kind, Status, Verdict};

fn names() -> Vec<String> {
    vec!["short".to_string()]
}

fn stats(values: impl IntoIterator<Item = u64>) -> PhaseStats {
    crate::load::merge::tests::filled(values, 1)
}

/// Shard `index` of `count` holding the jobs `values`.
fn partial(index: u64, count: u64, values: Vec<u64>) -> Partial {
    let s = stats(values);
    let mut r = crate::report::html_sample::sample_report();
    r.scenario = "merge-test".into();
    r.load.phases = vec![s.to_report("steady", 10.0 / count as f64, 0.0, 10.0, &names())];
    r.load.timeline = Vec::new();
    r.deviations = vec![format!("shard {index} of {count}: own line")];
    r.component_down = None;
    r.checks = vec![
        Check::pass("metrics.type.m", Kind::Metrics, format!("shard {index} ok")),
        Check::fail("load.rate.steady", Kind::Load, "judged again"),
        once::on_shard(index, count),
    ];
    if index == 0 {
        r.checks
            .push(Check::pass("alerts.fired.X", Kind::Alerts, "fired"));
    }
    r.criteria = Vec::new();
    r.shard = Some(ShardReport {
        index,
        count,
        seed: 5,
        plan_digest: "abc".into(),
        interrupted: false,
        rules: LoadRules {
            max_in_flight: 10,
            rate_error_pct: 1.0,
            late_threshold_ms: 50.0,
            late_pct: 1.0,
            time_scale: 1.0,
            phases: vec![PhaseRules {
                name: "steady".into(),
                start_s: 0.0,
                duration_s: 10.0,
                allow_dropped: false,
                max_errors_pct: 0.0,
            }],
        },
        phases: vec![ShardPhase {
            started: true,
            scheduled_rate: s.scheduled as f64 / 10.0,
            histograms: s.histograms(&names()),
            ..ShardPhase::default()
        }],
    });
    Partial {
        from: format!("dir{index}"),
        report: r,
    }
}

fn three() -> Vec<Partial> {
    (0..3)
        .map(|i| partial(i, 3, (1..=300).filter(|v| v % 3 == i).collect()))
        .collect()
}

#[test]
fn three_shards_merge_into_one_run() {
    let m = merge(three()).expect("merges");
    let p = &m.load.phases[0];
    assert_eq!((p.scheduled, p.sent, p.succeeded), (300, 300, 300));
    let whole = stats(1..=300).to_report("steady", 10.0, 0.0, 10.0, &names());
    assert_eq!(p.latency_ms, whole.latency_ms);
    assert_eq!(p.presets, whole.presets);
    assert!((p.target_rate - 10.0).abs() < 1e-9);
    let status = |id: &str| m.checks.iter().find(|c| c.id == id).map(|c| c.status);
    // The load is judged again over the merged counts: 30/s achieved of 30/s scheduled.
    assert_eq!(status("load.rate.steady"), Some(Status::Pass));
    assert_eq!(status("load.accounting.steady"), Some(Status::Pass));
    assert_eq!(status("alerts.fired.X"), Some(Status::Pass));
    assert_eq!(status("shard.once"), Some(Status::Pass));
    assert_eq!(
        m.checks.iter().filter(|c| c.id == "metrics.type.m").count(),
        1
    );
    assert_eq!(m.verdict, Verdict::Pass);
    assert!(m.shard.is_none());
    assert!(m.deviations[0].starts_with("merged from 3 shard reports"));
    assert!(!m.deviations.iter().any(|d| d.contains("own line")));
}

#[test]
fn refusals_name_the_defect() {
    let err = |parts: Vec<Partial>| merge(parts).err().unwrap_or_default();
    let mut p = three();
    p.remove(2);
    assert!(err(p).contains("shard 2 of 3 missing"));
    let mut p = three();
    p.push(partial(1, 3, vec![1]));
    let e = err(p);
    assert!(e.contains("shard 1 of 3 given twice: dir1 and dir1"), "{e}");
    let mut p = three();
    p[1].report.scenario = "other".into();
    let e = err(p);
    assert!(
        e.contains("dir1: scenario `other`") && e.contains("`merge-test`"),
        "{e}"
    );
    let mut p = three();
    if let Some(s) = &mut p[2].report.shard {
        s.seed = 6;
    }
    assert!(err(p).contains("dir2: seed 6, but dir0 has seed 5"));
    let mut p = three();
    if let Some(s) = &mut p[1].report.shard {
        s.plan_digest = "def".into();
    }
    assert!(err(p).contains("plan digest def"));
    let mut p = three();
    p[0].report.shard = None;
    assert!(err(p).contains("dir0: not a shard's report"));
    let mut p = vec![partial(0, 2, vec![1]), partial(1, 3, vec![2])];
    p.truncate(2);
    assert!(err(p).contains("shard count 3"));
}

#[test]
fn a_shard_judging_the_stack_fails_the_merge() {
    let mut p = three();
    p[2].report
        .checks
        .push(Check::pass("alerts.fired.X", Kind::Alerts, "judged twice"));
    let m = merge(p).expect("merges");
    let once = m.checks.iter().find(|c| c.id == "shard.once");
    assert_eq!(once.map(|c| c.status), Some(Status::Fail));
    assert_eq!(m.verdict, Verdict::Fail);
}
