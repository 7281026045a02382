//! What became of every scheduled job: `load.errors.<phase>` judges the jobs that failed at the
//! request level (HTTP failures, rejections, timeouts) against the phase's budget, and
//! `load.accounting.<phase>` checks that every scheduled job ended in exactly one way. Pure.
//!
//! Without the first, a run whose POSTs are mostly answered 503 passes: the trace, log and
//! metric checks only look at the jobs that ran, and those still agree with each other.

use crate::check::registry::CheckInfo;
use crate::evidence::PhaseReport;
use crate::scenario::PhasePlan;
use crate::verdict::{Check, Kind};

const KIND: Kind = Kind::Load;

/// `load.errors.<phase>`: request errors within the phase's `max_errors_pct` of sent jobs.
pub fn errors_check(phase: &PhasePlan, r: &PhaseReport) -> Check {
    let id = format!("load.errors.{}", phase.name);
    let o = &r.outcomes;
    let errors = o.errors();
    let pct = if r.sent > 0 {
        errors as f64 * 100.0 / r.sent as f64
    } else {
        0.0
    };
    let ok = errors == 0 || pct <= phase.max_errors_pct;
    if errors == 0 {
        return Check::pass(id, KIND, format!("none of {} sent jobs failed", r.sent));
    }
    let reasons: Vec<String> = r
        .failed_by_reason
        .iter()
        .filter(|(k, _)| k.as_str() != "job_failed")
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    Check::from_bool(
        id,
        KIND,
        ok,
        format!(
            "{errors} of {} sent jobs ({pct:.2}%) failed at the request level: {} rejected (503/429), {} HTTP failures, {} timed out [{}]; the phase allows {}%{}",
            r.sent,
            o.rejected,
            o.http_failed,
            o.timed_out,
            reasons.join(", "),
            phase.max_errors_pct,
            if ok {
                ""
            } else {
                " (set max_errors_pct on a phase that expects rejections)"
            }
        ),
    )
}

/// `load.accounting.<phase>`: scheduled = succeeded + pipeline failed + HTTP failed + rejected
/// + timed out + dropped + in flight, and sent = every ending but dropped.
pub fn accounting_check(phase: &PhasePlan, r: &PhaseReport) -> Check {
    let id = format!("load.accounting.{}", phase.name);
    let o = &r.outcomes;
    let terms = format!(
        "{} succeeded + {} pipeline failed + {} HTTP failed + {} rejected + {} timed out + {} dropped + {} in flight = {}",
        o.succeeded,
        o.pipeline_failed,
        o.http_failed,
        o.rejected,
        o.timed_out,
        o.dropped,
        o.in_flight,
        o.total()
    );
    let sent_ok = o.ended() + o.in_flight == r.sent;
    if o.total() == r.scheduled && sent_ok {
        return Check::pass(id, KIND, format!("{terms} scheduled"));
    }
    Check::fail(
        id,
        KIND,
        format!(
            "the endings do not add up: {terms}, but {} jobs were scheduled and {} sent; a job was counted twice or lost",
            r.scheduled, r.sent
        ),
    )
}

/// The checks this module emits (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[
    CheckInfo {
        id: "load.errors.<phase>",
        kind: KIND,
        proves: "the jobs that failed at the request level (HTTP failures, 503/429 rejections, \
                 timeouts) stay within the phase's budget (0 unless max_errors_pct is set)",
        failure: "the target turned jobs away or failed them: the message splits them by ending \
                  and reason",
        explain: "Pipeline failures (a job accepted, then reported failed) are job outcomes and \
                  are judged by the metric and trace checks; this check counts the jobs whose \
                  requests failed: turned away, answered with an error, or not followed to \
                  their end within the job timeout (a broken long-poll counts there too). A \
                  fault phase that expects rejections sets `max_errors_pct`.\n\
                  Example failure: 412 of 600 sent jobs (68.67%) failed at the request level: \
                  412 rejected (503/429), 0 HTTP failures, 0 timed out [http_503 412]; the phase \
                  allows 0%",
    },
    CheckInfo {
        id: "load.accounting.<phase>",
        kind: KIND,
        proves: "every scheduled job ended in exactly one way: succeeded, pipeline failed, HTTP \
                 failed, rejected, timed out, dropped or in flight",
        failure: "the engine lost or double-counted a job: its other numbers cannot be trusted",
        explain: "The sum of the endings must equal the scheduled count, and the endings of sent \
                  jobs the sent count.\n\
                  Example failure: the endings do not add up: 90 succeeded + ... = 99, but 100 \
                  jobs were scheduled and 100 sent",
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::Outcomes;
    use crate::verdict::Status;

    fn phase(max_errors_pct: f64) -> PhasePlan {
        let mut p = crate::scenario::parse_scenario(
            "name: t\nphases:\n  - {name: p, duration: 10s, rate: 1/s}\n",
            std::path::Path::new("t.yaml"),
        )
        .expect("valid")
        .phases
        .remove(0);
        p.max_errors_pct = max_errors_pct;
        p
    }

    fn report(o: Outcomes) -> PhaseReport {
        PhaseReport {
            scheduled: o.total(),
            sent: o.total() - o.dropped,
            outcomes: o,
            ..Default::default()
        }
    }

    const MOSTLY_REJECTED: Outcomes = Outcomes {
        succeeded: 8,
        pipeline_failed: 0,
        http_failed: 0,
        rejected: 92,
        timed_out: 0,
        dropped: 0,
        in_flight: 0,
    };

    #[test]
    fn pipeline_failures_are_not_request_errors() {
        let o = Outcomes {
            succeeded: 90,
            pipeline_failed: 10,
            ..Default::default()
        };
        let c = errors_check(&phase(0.0), &report(o));
        assert_eq!(c.status, Status::Pass, "{c:?}");
    }

    #[test]
    fn mostly_rejected_posts_fail_the_phase() {
        let mut r = report(MOSTLY_REJECTED);
        r.failed_by_reason.insert("http_503".into(), 92);
        let c = errors_check(&phase(0.0), &r);
        assert_eq!(c.status, Status::Fail);
        assert!(
            c.message.contains("92 of 100 sent jobs (92.00%)"),
            "{}",
            c.message
        );
        assert!(c.message.contains("92 rejected") && c.message.contains("http_503 92"));
        assert!(c.message.contains("allows 0%"), "{}", c.message);
    }

    #[test]
    fn a_budget_admits_rejections_up_to_it() {
        let within = errors_check(&phase(95.0), &report(MOSTLY_REJECTED));
        assert_eq!(within.status, Status::Pass, "{}", within.message);
        let beyond = errors_check(&phase(50.0), &report(MOSTLY_REJECTED));
        assert_eq!(beyond.status, Status::Fail, "{}", beyond.message);
        let timeouts = Outcomes {
            succeeded: 99,
            timed_out: 1,
            ..Default::default()
        };
        let c = errors_check(&phase(0.0), &report(timeouts));
        assert_eq!(c.status, Status::Fail);
        assert!(c.message.contains("1 timed out"), "{}", c.message);
    }

    #[test]
    fn accounting_holds_and_a_lost_job_fails_it() {
        let o = Outcomes {
            succeeded: 5,
            pipeline_failed: 1,
            http_failed: 1,
            rejected: 1,
            timed_out: 1,
            dropped: 2,
            in_flight: 1,
        };
        let ok = accounting_check(&phase(0.0), &report(o));
        assert_eq!(ok.status, Status::Pass, "{}", ok.message);
        let mut lost = report(o);
        lost.scheduled += 1;
        let c = accounting_check(&phase(0.0), &lost);
        assert_eq!(c.status, Status::Fail);
        assert!(
            c.message.contains("= 12, but 13 jobs were scheduled"),
            "{}",
            c.message
        );
    }
}
