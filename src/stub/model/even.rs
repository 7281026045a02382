//! Evenly spread fault draws ([`crate::stub::faults::Spread::Even`]): each ratio knob keeps a
//! running remainder across the jobs of a stub, so that n successive draws at ratio p hold
//! n × p faults, give or take one, with no counting noise. The remainder starts at one half, so
//! the first fault comes after about half a period rather than a whole one.

/// The ratio knobs that can be spread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Knob {
    JobFailure,
    AgentTimeout,
    AgentError,
    RenderFailure,
    QaReject,
}

/// One running remainder per [`Knob`], shared by the jobs of one stub.
#[derive(Debug, Clone)]
pub struct EvenDraws {
    remainder: [f64; 5],
}

impl Default for EvenDraws {
    fn default() -> Self {
        Self {
            remainder: [0.5; 5],
        }
    }
}

impl EvenDraws {
    /// One draw of `knob` at probability `p`: true when the remainder crosses a whole fault.
    pub fn take(&mut self, knob: Knob, p: f64) -> bool {
        let Some(r) = self.remainder.get_mut(knob as usize) else {
            return false;
        };
        *r += p.clamp(0.0, 1.0);
        if *r >= 1.0 {
            *r -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_run_of_draws_holds_its_share_of_faults() {
        let mut e = EvenDraws::default();
        let draws: Vec<bool> = (0..1000)
            .map(|_| e.take(Knob::RenderFailure, 0.035))
            .collect();
        for w in draws.windows(200) {
            let n = w.iter().filter(|b| **b).count();
            assert!((6..=8).contains(&n), "{n} faults in 200 draws at 3.5 %");
        }
        assert!(!e.take(Knob::QaReject, 0.0));
        let mut all = EvenDraws::default();
        assert!((0..10).all(|_| all.take(Knob::JobFailure, 1.0)));
    }
}
