//! One phase of a scenario, raw to resolved: its duration, rate curve (checked against the
//! largest wall rate the harness trusts), arrivals, fault profile and budgets.

use std::time::Duration;

use serde_saphyr::Location;

use super::plan::{Arrivals, PhasePlan, RateCurve};
use super::raw::{RawArrivals, RawPhase, RawRate};
use super::resolve::{Errs, MAX_WALL_RATE_PER_S, in_range};
use super::units::{parse_duration_s, parse_rate_per_s};
use crate::stub::faults::FaultProfile;

fn rate(e: &mut Errs, text: &str, loc: Location, field: &str) -> f64 {
    parse_rate_per_s(text).unwrap_or_else(|m| {
        e.at(loc, field, m);
        0.0
    })
}

pub(super) fn phase(
    e: &mut Errs,
    p: &RawPhase,
    i: usize,
    start_s: f64,
    time_scale: f64,
) -> PhasePlan {
    let f = |s: &str| format!("phases[{i}].{s}");
    let duration_s = match parse_duration_s(&p.duration.value) {
        Ok(v) if v > 0.0 => v,
        Ok(_) => {
            e.at(
                p.duration.referenced,
                f("duration"),
                format!("expected a duration above zero, got `{}`", p.duration.value),
            );
            0.0
        }
        Err(m) => {
            e.at(p.duration.referenced, f("duration"), m);
            0.0
        }
    };
    let loc = p.rate.referenced;
    let curve = match &p.rate.value {
        RawRate::Constant(s) => RateCurve::Constant {
            per_s: rate(e, s, loc, &f("rate")),
        },
        RawRate::Ramp(r) => RateCurve::Ramp {
            from_per_s: rate(e, &r.from, loc, &f("rate.from")),
            to_per_s: rate(e, &r.to, loc, &f("rate.to")),
        },
    };
    let peak = curve
        .at(0.0, duration_s)
        .max(curve.at(duration_s, duration_s));
    if peak * time_scale > MAX_WALL_RATE_PER_S {
        e.at(
            loc,
            f("rate"),
            format!(
                "expected at most {MAX_WALL_RATE_PER_S} jobs per wall second after the time scale {time_scale}, got {} per wall second",
                peak * time_scale
            ),
        );
    }
    let faults = match &p.faults {
        None => FaultProfile::default(),
        Some(s) => {
            for m in super::faults::fault_problems(&s.value) {
                e.at(s.referenced, f("faults"), m);
            }
            s.value.clone()
        }
    };
    PhasePlan {
        name: p.name.value.clone(),
        duration_s,
        start_s,
        wall_duration: Duration::from_secs_f64(duration_s / time_scale),
        rate: curve,
        arrivals: match p.arrivals {
            RawArrivals::Uniform => Arrivals::Uniform,
            RawArrivals::Poisson => Arrivals::Poisson,
        },
        faults,
        allow_dropped: p.allow_dropped,
        max_errors_pct: in_range(
            e,
            p.max_errors_pct.as_ref(),
            &f("max_errors_pct"),
            0.0,
            0.0,
            100.0,
        ),
    }
}

#[cfg(test)]
mod tests {
    use crate::scenario::parse_scenario;
    use std::path::Path;

    #[test]
    fn a_wall_rate_beyond_the_bound_is_refused_with_the_rate_and_its_location() {
        let ok = "name: t\nphases:\n  - {name: a, duration: 1s, rate: 1000000/s}\n";
        assert!(parse_scenario(ok, Path::new("t.yaml")).is_ok());
        let fast =
            "name: t\ntime_scale: 10\nphases:\n  - {name: a, duration: 1s, rate: 200000/s}\n";
        let err = parse_scenario(fast, Path::new("t.yaml"))
            .expect_err("2,000,000 per wall second")
            .to_string();
        assert!(
            err.contains("t.yaml:4:") && err.contains("at most 1000000 jobs per wall second"),
            "{err}"
        );
        assert!(err.contains("got 2000000 per wall second"), "{err}");
    }
}
