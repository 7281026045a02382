//! The sharded schedule: N slices of a plan are disjoint, together exactly the unsharded
//! schedule, and the same on every computation.

use super::*;
use crate::scenario::parse_scenario;
use std::path::Path;

/// Two phases (a ramp with Poisson arrivals, then a constant rate) so the global sequence
/// number crosses a phase boundary whose job count is not a multiple of N.
fn plan() -> Plan {
    let text = "name: t\nseed: 11\nusers: 7\nphases:\n  \
        - {name: a, duration: 20s, rate: {from: 1/s, to: 9/s}, arrivals: poisson}\n  \
        - {name: b, duration: 7s, rate: 13/s}\n";
    parse_scenario(text, Path::new("t.yaml")).expect("valid test scenario")
}

/// Every job of the plan, phase by phase, as (phase, job).
fn all_jobs(p: &Plan) -> Vec<(usize, JobSpec)> {
    (0..p.phases.len())
        .flat_map(|i| PhaseSchedule::new(p, i).map(move |j| (i, j)))
        .collect()
}

fn sharded(p: &Plan, index: u64, count: u64) -> Vec<(usize, JobSpec)> {
    let mut s = p.clone();
    s.shard = Some(shard_slice(p, index, count));
    all_jobs(&s)
}

#[test]
fn union_of_shards_is_the_unsharded_schedule() {
    let p = plan();
    let whole = all_jobs(&p);
    assert!(whole.len() > 100, "{} jobs", whole.len());
    for n in [1, 2, 3, 7] {
        let mut union: Vec<(usize, JobSpec)> = (0..n).flat_map(|i| sharded(&p, i, n)).collect();
        union.sort_by_key(|a| (a.0, a.1.index));
        assert_eq!(union, whole, "{n} shards");
    }
}

#[test]
fn shards_are_disjoint_and_interleaved() {
    let p = plan();
    let whole = all_jobs(&p);
    let shards: Vec<Vec<(usize, JobSpec)>> = (0..3).map(|i| sharded(&p, i, 3)).collect();
    let sizes: Vec<usize> = shards.iter().map(Vec::len).collect();
    assert_eq!(sizes.iter().sum::<usize>(), whole.len());
    // Every third job: sizes differ by at most one.
    assert!(sizes.iter().max().unwrap_or(&0) - sizes.iter().min().unwrap_or(&0) <= 1);
    let key = |(ph, j): &(usize, JobSpec)| (*ph, j.index);
    for (a, sa) in shards.iter().enumerate() {
        for sb in shards.iter().skip(a + 1) {
            assert!(sa.iter().all(|x| !sb.iter().any(|y| key(x) == key(y))));
        }
    }
    // Shard i holds the jobs whose global position is i modulo 3, across the phase boundary.
    for (i, s) in shards.iter().enumerate() {
        for job in s {
            let pos = whole.iter().position(|w| key(w) == key(job));
            assert_eq!(pos.map(|g| g % 3), Some(i), "{job:?}");
        }
    }
}

#[test]
fn sharding_is_deterministic() {
    let p = plan();
    assert_eq!(sharded(&p, 1, 3), sharded(&p, 1, 3));
    assert_eq!(shard_slice(&p, 2, 3), shard_slice(&p, 2, 3));
    let offsets = shard_slice(&p, 0, 3).phase_offsets;
    assert_eq!(offsets[0], 0);
    assert_eq!(offsets[1], PhaseSchedule::new(&p, 0).count() as u64);
}
