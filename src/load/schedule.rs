//! The schedule: a pure function from the plan to the intended start of every job (and its
//! preset and user). Starts follow the cumulative rate curve N(t): job k starts where
//! N(t) = k (uniform) or where N(t) equals the k-th point of a unit-rate Poisson process
//! (poisson). Ramps are inverted in closed form, so there is no drift and no step error.
//! Lazily generated: memory does not grow with the phase length.
//!
//! With `--shard I/N` ([`crate::scenario::ShardSlice`]) every shard walks the whole schedule,
//! drawing every job's preset and user as the unsharded run does, and keeps the jobs whose
//! global sequence number is I modulo N: the shards together are exactly the unsharded run.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp1};

use crate::scenario::{Arrivals, PhasePlan, Plan, RateCurve, ShardSlice};

/// One job to start.
#[derive(Debug, Clone, PartialEq)]
pub struct JobSpec {
    /// Index of the job in its phase (0-based).
    pub index: u64,
    /// Intended start, scenario seconds since the run start.
    pub intended_s: f64,
    /// Index into the plan's preset list.
    pub preset: usize,
    /// User number, 1..=users.
    pub user: u64,
}

/// Scenario seconds into a phase at which the cumulative count N(t) reaches `n`, or `None`
/// when it is not reached before the phase ends.
pub fn time_of_count(curve: &RateCurve, duration_s: f64, n: f64) -> Option<f64> {
    if n <= 0.0 {
        return (duration_s > 0.0 && curve.expected_jobs(duration_s) > 0.0).then_some(0.0);
    }
    let (a, c) = match *curve {
        RateCurve::Constant { per_s } => (per_s, 0.0),
        RateCurve::Ramp {
            from_per_s,
            to_per_s,
        } => (from_per_s, (to_per_s - from_per_s) / duration_s),
    };
    // N(t) = a t + c t² / 2; the root in the stable form 2n / (a + sqrt(a² + 2cn)).
    let disc = a * a + 2.0 * c * n;
    if disc < 0.0 {
        return None;
    }
    let den = a + disc.sqrt();
    if den <= 0.0 {
        return None;
    }
    let t = 2.0 * n / den;
    // A tiny tolerance so N(D) = 300 exactly yields 300 jobs, not 301 by rounding.
    (t < duration_s * (1.0 - 1e-12)).then_some(t)
}

/// Start offsets (scenario seconds into the phase) of a phase's jobs.
pub struct PhaseArrivals {
    curve: RateCurve,
    duration_s: f64,
    arrivals: Arrivals,
    rng: ChaCha8Rng,
    next_n: f64,
    k: u64,
    done: bool,
}

impl PhaseArrivals {
    /// Arrivals of `phase`; `seed` and `stream` make Poisson draws reproducible per phase.
    pub fn new(phase: &PhasePlan, seed: u64, stream: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(stream);
        let mut s = Self {
            curve: phase.rate,
            duration_s: phase.duration_s,
            arrivals: phase.arrivals,
            rng,
            next_n: 0.0,
            k: 0,
            done: false,
        };
        if s.arrivals == Arrivals::Poisson {
            s.next_n = s.draw();
        }
        s
    }

    fn draw(&mut self) -> f64 {
        Exp1.sample(&mut self.rng)
    }
}

impl Iterator for PhaseArrivals {
    type Item = f64;
    fn next(&mut self) -> Option<f64> {
        if self.done {
            return None;
        }
        let n = match self.arrivals {
            Arrivals::Uniform => self.k as f64,
            Arrivals::Poisson => self.next_n,
        };
        match time_of_count(&self.curve, self.duration_s, n) {
            Some(t) => {
                self.k += 1;
                if self.arrivals == Arrivals::Poisson {
                    self.next_n += self.draw();
                }
                Some(t)
            }
            None => {
                self.done = true;
                None
            }
        }
    }
}

/// Every job of phase `index` of `plan`, with its preset and user drawn from the seed.
pub struct PhaseSchedule {
    arrivals: PhaseArrivals,
    start_s: f64,
    rng: ChaCha8Rng,
    cumulative: Vec<f64>,
    users: u64,
    index: u64,
    /// (global sequence number of the phase's first job, the slice) with `--shard`.
    shard: Option<(u64, ShardSlice)>,
}

impl PhaseSchedule {
    /// The jobs of `plan.phases[phase]`; an out-of-range index yields nothing.
    pub fn new(plan: &Plan, phase: usize) -> Self {
        let empty = PhasePlan {
            name: String::new(),
            duration_s: 0.0,
            start_s: 0.0,
            wall_duration: std::time::Duration::ZERO,
            rate: RateCurve::Constant { per_s: 0.0 },
            arrivals: Arrivals::Uniform,
            faults: Default::default(),
            allow_dropped: false,
            max_errors_pct: 0.0,
        };
        let p = plan.phases.get(phase).unwrap_or(&empty);
        let stream = phase as u64;
        let mut rng = ChaCha8Rng::seed_from_u64(plan.seed ^ 0x9e37_79b9_7f4a_7c15);
        rng.set_stream(stream);
        let mut acc = 0.0;
        let cumulative = plan
            .presets
            .iter()
            .map(|w| {
                acc += w.weight;
                acc
            })
            .collect();
        Self {
            arrivals: PhaseArrivals::new(p, plan.seed, stream),
            start_s: p.start_s,
            rng,
            cumulative,
            users: plan.users.max(1),
            index: 0,
            shard: plan.shard.as_ref().map(|s| {
                let offset = s.phase_offsets.get(phase).copied().unwrap_or(0);
                (offset, s.clone())
            }),
        }
    }

    /// The next job of the unsharded schedule (every draw made, whichever shard keeps it).
    fn next_unsharded(&mut self) -> Option<JobSpec> {
        let t = self.arrivals.next()?;
        let total = self.cumulative.last().copied().unwrap_or(0.0);
        let x = self.rng.random::<f64>() * total;
        let preset = self
            .cumulative
            .iter()
            .position(|&c| x < c)
            .unwrap_or(self.cumulative.len().saturating_sub(1));
        let user = self.rng.random_range(1..=self.users);
        let index = self.index;
        self.index += 1;
        Some(JobSpec {
            index,
            intended_s: self.start_s + t,
            preset,
            user,
        })
    }
}

/// The slice `index` of `count` of `plan`'s schedule. Counts every phase's unsharded jobs
/// (arrivals only, no preset draws) so each phase knows its first global sequence number;
/// done once, before the clock starts.
pub fn shard_slice(plan: &Plan, index: u64, count: u64) -> ShardSlice {
    let mut offsets = Vec::with_capacity(plan.phases.len());
    let mut seen = 0u64;
    for (i, p) in plan.phases.iter().enumerate() {
        offsets.push(seen);
        seen += PhaseArrivals::new(p, plan.seed, i as u64).count() as u64;
    }
    ShardSlice {
        index,
        count,
        phase_offsets: offsets,
    }
}

impl Iterator for PhaseSchedule {
    type Item = JobSpec;
    fn next(&mut self) -> Option<JobSpec> {
        loop {
            let job = self.next_unsharded()?;
            match &self.shard {
                Some((offset, s)) if !s.owns(offset + job.index) => continue,
                _ => return Some(job),
            }
        }
    }
}

#[cfg(test)]
#[path = "schedule_shard_tests.rs"]
mod shard_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::parse_scenario;
    use std::path::Path;

    fn plan(phases: &str) -> Plan {
        let text = format!("name: t\nseed: 3\nphases:\n{phases}");
        parse_scenario(&text, Path::new("t.yaml")).expect("valid test scenario")
    }

    fn times(p: &Plan, i: usize) -> Vec<f64> {
        PhaseSchedule::new(p, i).map(|j| j.intended_s).collect()
    }

    #[test]
    fn constant_rate_exact() {
        let p = plan("  - {name: a, duration: 30s, rate: 10/s}\n");
        let t = times(&p, 0);
        assert_eq!(t.len(), 300);
        assert_eq!(t[0], 0.0);
        assert!((t[1] - 0.1).abs() < 1e-12);
        assert!((t[299] - 29.9).abs() < 1e-9);
    }

    #[test]
    fn ramp_solved_exactly() {
        // 0 → 20/s over 10 s: N(t) = t², so job k starts at sqrt(k); 100 jobs in all.
        let p = plan("  - {name: a, duration: 10s, rate: {from: 0/s, to: 20/s}}\n");
        let t = times(&p, 0);
        assert_eq!(t.len(), 100);
        for (k, tk) in t.iter().enumerate() {
            assert!((tk - (k as f64).sqrt()).abs() < 1e-9, "job {k} at {tk}");
        }
        // Down-ramp 20 → 0: N(D) = 100 too; the last start is before the end.
        let p = plan("  - {name: a, duration: 10s, rate: {from: 20/s, to: 0/s}}\n");
        let t = times(&p, 0);
        assert_eq!(t.len(), 100);
        assert!(t.windows(2).all(|w| w[0] < w[1]));
        assert!(t[99] < 10.0);
    }

    #[test]
    fn zero_and_sub_one_per_second() {
        let p = plan(
            "  - {name: a, duration: 60s, rate: 0/s}\n  - {name: b, duration: 10s, rate: 0.3/s}\n",
        );
        assert!(times(&p, 0).is_empty());
        let t = times(&p, 1);
        assert_eq!(t.len(), 3);
        // Phase b starts 60 s into the run.
        let want = [60.0, 60.0 + 10.0 / 3.0, 60.0 + 20.0 / 3.0];
        for (a, b) in t.iter().zip(want) {
            assert!((a - b).abs() < 1e-9, "{a} vs {b}");
        }
        let p = plan("  - {name: a, duration: 1m, rate: 30/m}\n");
        assert_eq!(times(&p, 0).len(), 30);
    }

    #[test]
    fn poisson_seeded_and_reproducible() {
        let ph = "  - {name: a, duration: 1000s, rate: 10/s, arrivals: poisson}\n";
        let a = times(&plan(ph), 0);
        let b = times(&plan(ph), 0);
        assert_eq!(a, b, "same seed, same arrivals");
        // 10 000 expected; 4 standard deviations is 400.
        assert!((9_600..=10_400).contains(&a.len()), "{} arrivals", a.len());
        assert!(a.windows(2).all(|w| w[0] <= w[1]));
        let other = parse_scenario(
            &format!("name: t\nseed: 4\nphases:\n{ph}"),
            Path::new("t.yaml"),
        )
        .expect("valid");
        assert_ne!(a, times(&other, 0), "another seed, other arrivals");
    }

    #[test]
    fn preset_mix_and_users_follow_the_plan() {
        let p = plan("  - {name: a, duration: 1000s, rate: 10/s}\n");
        let jobs: Vec<JobSpec> = PhaseSchedule::new(&p, 0).collect();
        let short = jobs
            .iter()
            .filter(|j| p.presets[j.preset].name == "short")
            .count();
        let share = short as f64 / jobs.len() as f64;
        assert!((0.48..0.52).contains(&share), "short share {share}");
        assert!(jobs.iter().all(|j| (1..=p.users).contains(&j.user)));
        let again: Vec<JobSpec> = PhaseSchedule::new(&p, 0).collect();
        assert_eq!(jobs, again);
    }
}
