//! The alert checks' clock. Alert state changes and notifications are stamped in wall time;
//! the expectations (`within`, `resolves_within`) and the report's timings are in the time of
//! the stack that produced them. A managed stack runs on the scenario's clock (K scenario
//! seconds per wall second), so its times are stretched back by K; an external stack keeps
//! wall time (K = 1 there, with `--allow-clock-skew`), and so do its timings.

use crate::evidence::{AlertObservations, PhaseWindow};

/// Times on the stack's clock: `start + (t - start) × scale`, Unix ms.
#[derive(Debug, Clone, Copy)]
pub struct AlertClock {
    /// The run's wall start, Unix ms (the origin, unchanged).
    pub start_unix_ms: i64,
    /// Stack seconds per wall second.
    pub scale: f64,
}

impl AlertClock {
    /// One wall instant on the stack's clock.
    pub fn at(&self, wall_unix_ms: i64) -> i64 {
        let since = (wall_unix_ms - self.start_unix_ms) as f64;
        self.start_unix_ms + (since * self.scale).round() as i64
    }

    /// Every time stamp of the observations on the stack's clock.
    pub fn observations(&self, obs: &AlertObservations) -> AlertObservations {
        let mut out = obs.clone();
        for c in &mut out.changes {
            c.at_unix_ms = self.at(c.at_unix_ms);
        }
        for n in &mut out.notifications {
            n.at_unix_ms = self.at(n.at_unix_ms);
        }
        out.until_unix_ms = out.until_unix_ms.map(|t| self.at(t));
        for t in [
            &mut out.watched_from_unix_ms,
            &mut out.watched_until_unix_ms,
        ] {
            *t = t.map(|t| self.at(t));
        }
        out
    }

    /// The phases (on the wall clock) on the stack's clock.
    pub fn phases(&self, phases: &[PhaseWindow]) -> Vec<PhaseWindow> {
        phases
            .iter()
            .map(|p| PhaseWindow {
                name: p.name.clone(),
                start_unix_ms: self.at(p.start_unix_ms),
                end_unix_ms: self.at(p.end_unix_ms),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stretches_from_the_run_start() {
        let c = AlertClock {
            start_unix_ms: 1_000,
            scale: 30.0,
        };
        assert_eq!(c.at(1_000), 1_000);
        assert_eq!(c.at(2_000), 31_000);
        let p = c.phases(&[PhaseWindow {
            name: "storm".into(),
            start_unix_ms: 1_100,
            end_unix_ms: 1_200,
        }]);
        assert_eq!((p[0].start_unix_ms, p[0].end_unix_ms), (4_000, 7_000));
        let wall = AlertClock {
            start_unix_ms: 5,
            scale: 1.0,
        };
        assert_eq!(wall.at(12_345), 12_345);
    }
}
