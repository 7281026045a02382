//! Two shards' phases merge into what one run recording every value reports.

use super::*;
use crate::load::stats::PhaseStats;

fn names() -> Vec<String> {
    vec!["short".to_string(), "long".to_string()]
}

/// A phase with jobs `values` (latency µs), spread over `presets` presets by value.
pub(crate) fn filled(values: impl IntoIterator<Item = u64>, presets: u64) -> PhaseStats {
    let mut s = PhaseStats::new(presets as usize);
    for v in values {
        s.scheduled += 1;
        s.sent += 1;
        s.succeeded += 1;
        s.outcomes.succeeded += 1;
        s.latency_us.record(v);
        s.latency_send_us.record(v / 2 + 1);
        s.job_time_ms.record(v * 10);
        s.lag_us.record(v % 97 + 1);
        let p = &mut s.presets[(v % presets) as usize];
        p.sent += 1;
        p.succeeded += 1;
        p.latency_us.record(v);
        p.job_time_ms.record(v * 10);
    }
    s
}

fn stats(values: impl IntoIterator<Item = u64>) -> PhaseStats {
    filled(values, 2)
}

fn load<'a>(label: &str, r: &'a PhaseReport, n: &'a ShardPhase) -> ShardLoad<'a> {
    ShardLoad {
        label: label.into(),
        phases: std::slice::from_ref(r),
        notes: std::slice::from_ref(n),
    }
}

fn shard(s: &PhaseStats) -> (PhaseReport, ShardPhase) {
    let r = s.to_report("steady", 5.0, 0.0, 10.0, &names());
    let n = ShardPhase {
        started: true,
        scheduled_rate: s.scheduled as f64 / 10.0,
        histograms: s.histograms(&names()),
        ..ShardPhase::default()
    };
    (r, n)
}

#[test]
fn merged_shards_equal_one_run() {
    let whole = stats(1..=3000);
    let a = stats((1..=3000).filter(|v| v % 3 == 0));
    let b = stats((1..=3000).filter(|v| v % 3 != 0));
    let (ra, na) = shard(&a);
    let (rb, nb) = shard(&b);
    let loads = [load("shard 0", &ra, &na), load("shard 1", &rb, &nb)];
    let (phases, notes) = merge_phases(&loads).expect("merges");
    let want = whole.to_report("steady", 10.0, 0.0, 10.0, &names());
    let got = &phases[0];
    assert_eq!(got.scheduled, want.scheduled);
    assert_eq!(got.sent, want.sent);
    assert_eq!(got.outcomes, want.outcomes);
    assert_eq!(got.latency_ms, want.latency_ms);
    assert_eq!(got.latency_from_send_ms, want.latency_from_send_ms);
    assert_eq!(got.job_time_s, want.job_time_s);
    assert_eq!(got.scheduler_lag_ms, want.scheduler_lag_ms);
    assert_eq!(got.presets, want.presets);
    assert_eq!(
        got.target_rate, 10.0,
        "the shards' shares add up to the whole rate"
    );
    assert!((got.achieved_rate - want.achieved_rate).abs() < 1e-9);
    assert!((notes[0].scheduled_rate - 300.0).abs() < 1e-9);
    assert!(notes[0].started);
}

#[test]
fn a_broken_histogram_or_phase_count_names_the_shard() {
    let (r, mut n) = shard(&stats(1..=10));
    n.histograms.lag_us = "not base64!".into();
    let bad = [load("shard 1 (dir)", &r, &n)];
    let e = merge_phases(&bad).err().unwrap_or_default();
    assert!(e.contains("shard 1 (dir)") && e.contains("lag_us"), "{e}");
    let (r2, n2) = shard(&stats(1..=10));
    let loads = [
        load("shard 0", &r2, &n2),
        ShardLoad {
            label: "shard 1".into(),
            phases: &[],
            notes: &[],
        },
    ];
    let e = merge_phases(&loads).err().unwrap_or_default();
    assert!(e.contains("shard 1: 0 phases"), "{e}");
}

#[test]
fn timelines_add_per_bucket() {
    let p = |rate: f64, p99: f64| TimelinePoint {
        t_s: 0.0,
        phase: "a".into(),
        target_rate: rate,
        achieved_rate: rate,
        p50_ms: p99 / 2.0,
        p99_ms: p99,
        errors: 1,
    };
    let a = vec![p(1.0, 5.0), p(2.0, 1.0)];
    let b = vec![p(3.0, 2.0)];
    let m = merge_timelines(&[&a, &b]);
    assert_eq!(m.len(), 2);
    assert_eq!(m[0].achieved_rate, 4.0);
    assert_eq!(m[0].errors, 2);
    assert_eq!(m[0].p99_ms, 5.0);
    assert_eq!(m[1].achieved_rate, 2.0);
}
