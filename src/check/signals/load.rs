//! The load's own verdicts (`kind: "load"`): per phase, the achieved rate is within tolerance of
//! the scheduled one (`load.rate.<phase>`), no job was dropped unless allowed
//! (`load.dropped.<phase>`), the generator kept up (`load.generator.<phase>`), and the fault
//! profile reached the target (`load.faults.<phase>`). Pure: no I/O.

use crate::check::registry::CheckInfo;
use crate::evidence::LoadOutcome;
use crate::scenario::Plan;
use crate::verdict::Check;
use crate::verdict::Kind;

const KIND: Kind = Kind::Load;

/// Every load check of `outcome`.
pub fn load_checks(plan: &Plan, outcome: &LoadOutcome) -> Vec<Check> {
    let mut out = Vec::new();
    for ((phase, r), n) in plan.phases.iter().zip(&outcome.phases).zip(&outcome.notes) {
        let name = &phase.name;
        if !n.started {
            out.push(Check::skip(
                format!("load.rate.{name}"),
                KIND,
                format!("phase `{name}` never started: the run was interrupted before it"),
            ));
            continue;
        }
        out.push(match &n.faults_error {
            None => Check::pass(
                format!("load.faults.{name}"),
                KIND,
                "the phase's fault profile was applied on the target",
            ),
            Some(e) => Check::fail(
                format!("load.faults.{name}"),
                KIND,
                format!("the phase's fault profile could not be applied: {e}"),
            ),
        });
        out.push(rate_check(plan, name, r, n));
        let dropped_ok = r.dropped == 0 || phase.allow_dropped;
        out.push(Check::from_bool(
            format!("load.dropped.{name}"),
            KIND,
            dropped_ok,
            if r.dropped == 0 {
                "no job was dropped".to_string()
            } else {
                format!(
                    "{} of {} scheduled jobs were dropped because {} jobs were already in flight (overload policy drop){}",
                    r.dropped,
                    r.scheduled,
                    plan.max_in_flight,
                    if phase.allow_dropped { "; allowed by the phase" } else { "" }
                )
            },
        ));
        out.push(generator_check(plan, name, r, n));
        out.push(super::load_accounting::errors_check(phase, r));
        out.push(super::load_accounting::accounting_check(phase, r));
    }
    out
}

fn rate_check(
    plan: &Plan,
    name: &str,
    r: &crate::evidence::PhaseReport,
    n: &crate::evidence::PhaseNotes,
) -> Check {
    let id = format!("load.rate.{name}");
    if r.scheduled == 0 {
        return Check::from_bool(
            id,
            KIND,
            r.sent == 0,
            format!(
                "no job scheduled (target {:.3}/s), {} sent",
                r.target_rate, r.sent
            ),
        );
    }
    let err_pct = (r.achieved_rate - n.scheduled_rate).abs() / n.scheduled_rate * 100.0;
    // Counting in whole jobs: a gap under one job is rounding, not a rate error.
    let gap_jobs = (n.scheduled_rate - r.achieved_rate).abs() * r.duration_s;
    let ok = err_pct <= plan.tolerances.rate_error_pct || gap_jobs < 1.0;
    Check::from_bool(
        id,
        KIND,
        ok,
        format!(
            "achieved {:.3}/s vs scheduled {:.3}/s (target {:.3}/s): error {:.2}% {} {:.2}%",
            r.achieved_rate,
            n.scheduled_rate,
            r.target_rate,
            err_pct,
            if ok { "within" } else { "beyond" },
            plan.tolerances.rate_error_pct
        ),
    )
}

fn generator_check(
    plan: &Plan,
    name: &str,
    r: &crate::evidence::PhaseReport,
    n: &crate::evidence::PhaseNotes,
) -> Check {
    let id = format!("load.generator.{name}");
    let t = &plan.tolerances;
    let late_pct = if r.sent > 0 {
        r.late as f64 * 100.0 / r.sent as f64
    } else {
        0.0
    };
    let lag = &r.scheduler_lag_ms;
    // One late start is a hiccup (a stack starting beside the run), not a generator that cannot
    // keep up: in a phase of a few dozen jobs, 1% would otherwise be less than one job.
    if late_pct <= t.late_pct || r.late <= 1 {
        return Check::pass(
            id,
            KIND,
            format!(
                "the generator kept up: {} of {} jobs late by more than {} ms ({late_pct:.2}% ≤ {}%), scheduler lag p99 {:.2} ms, peak in flight {}",
                r.late, r.sent, t.late_threshold_ms, t.late_pct, lag.p99, r.peak_in_flight
            ),
        );
    }
    let cause = if n.cap_hits > 0 {
        format!(
            "jobs waited for a free slot {} times: max_in_flight ({}) was reached, so the target answered too slowly for this rate; raise max_in_flight or lower the rate",
            n.cap_hits, plan.max_in_flight
        )
    } else {
        "the harness itself could not send fast enough on this machine; lower the rate or the time scale".to_string()
    };
    Check::fail(
        id,
        KIND,
        format!(
            "the generator could not keep up: {} of {} jobs ({late_pct:.2}%, allowed {}%) started more than {} ms after their intended start (scheduler lag p99 {:.2} ms, max {:.2} ms); {cause}",
            r.late, r.sent, t.late_pct, t.late_threshold_ms, lag.p99, lag.max
        ),
    )
}

/// The checks this module emits (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[
    CheckInfo {
        id: "load.rate.<phase>",
        kind: KIND,
        proves: "the phase's achieved job rate is within tolerance of the scheduled one",
        failure: "the target was not loaded as the scenario says: see load.generator and drops",
        explain: "Jobs sent over the phase's duration are compared with the schedule, in whole \
                  jobs (a gap under one job is rounding). A phase that never started fails.\n\
                  Example failure: achieved 0.512/s vs scheduled 0.600/s (target 0.600/s): \
                  error 14.67% beyond 1.00%",
    },
    CheckInfo {
        id: "load.dropped.<phase>",
        kind: KIND,
        proves: "no scheduled job was dropped (unless the phase allows drops)",
        failure: "max_in_flight was reached and jobs were dropped: the target answered too slowly",
        explain: "With the `drop` overload policy a job due while max_in_flight jobs are open is \
                  dropped; that is a failure unless the phase sets allow_dropped.\n\
                  Example failure: 12 of 300 scheduled jobs were dropped because 64 jobs were \
                  already in flight (overload policy drop)",
    },
    CheckInfo {
        id: "load.generator.<phase>",
        kind: KIND,
        proves: "the generator kept up: jobs started on time (scheduler lag within bounds)",
        failure: "the measurements are not trustworthy: the harness or the target was too slow",
        explain: "Counts jobs that started later than the lateness bound after their intended \
                  start; the message says whether waiting for free slots or the harness itself \
                  is the cause.\n\
                  Example failure: the generator could not keep up: 40 of 300 jobs (13.33%, allowed \
                  1%) started more than 50 ms after their intended start (...); the harness itself \
                  could not send fast enough on this machine; lower the rate or the time scale",
    },
    CheckInfo {
        id: "load.faults.<phase>",
        kind: KIND,
        proves: "the phase's fault profile was applied on the target",
        failure: "the stub refused the fault profile (admin route): the message has its error",
        explain: "A phase with faults sets them on the stub through its admin API before it starts; \
                  checks that expect the fault's effects are meaningless without it.\n\
                  Example failure: the phase's fault profile could not be applied: HTTP 401",
    },
];
