//! The judge stage of `obsgate run`: the whole [`Evidence`] of a run against its
//! [`ExpectationSet`], into every [`Check`] and the alert timings. The one place that decides
//! which signal checks run; each signal's rules live in [`super::signals`].

use super::alert_clock::AlertClock;
use super::signals::facts::RunFacts;
use super::signals::log_feed::LogFeed;
use super::signals::trace_feed::TraceFeed;
use super::signals::{METRICS, TRACES};
use crate::evidence::{
    AlertTiming, AlertsSeen, DashboardAnswers, Evidence, Exposition, StackHealth, StaticInputs,
};
use crate::evidence::{LoadOutcome, PhaseWindow};
use crate::expect::ExpectationSet;
use crate::scenario::Plan;
use crate::verdict::{Check, Kind};

/// What judging a run gives: the checks, and per alert its timing for the report.
#[derive(Debug, Default)]
pub struct Judgement {
    /// Every verdict, in report order.
    pub checks: Vec<Check>,
    /// One per expected alert that was watched.
    pub alerts: Vec<AlertTiming>,
    /// One per SLO expectation file whose events were counted.
    pub slo: Vec<crate::evidence::SloReport>,
    /// What the run exercised of the stack (`None` for the static checks alone).
    pub coverage: Option<crate::evidence::coverage::Coverage>,
}

/// Judge a run. `logs` and `traces` are the state of the log and trace checkers that were fed
/// while the run streamed.
pub fn judge(
    plan: &Plan,
    exps: &ExpectationSet,
    ev: &Evidence,
    logs: LogFeed<'_>,
    traces: TraceFeed<'_>,
) -> Judgement {
    let facts = run_facts(plan, ev);
    use super::signals::unobserved::mark_kind;
    let mut checks = super::signals::load::load_checks(plan, &ev.outcome);
    let log_coverage = logs.coverage();
    let mut log_checks = logs.finish(&facts);
    if let Some(e) = &ev.log_capture_error {
        mark_kind(
            &mut log_checks,
            Kind::Logs,
            &format!("log capture broke ({e})"),
        );
        log_checks.push(Check::error("logs.capture", Kind::Logs, e.clone()));
    }
    checks.extend(log_checks);
    checks.extend(metric_checks(exps, ev, &facts));
    let held_dropped = traces.dropped_spans();
    let mut trace_checks = traces.finish();
    let lost = ev
        .spans_lost
        .iter()
        .cloned()
        .chain((held_dropped > 0).then(|| {
            format!(
                "{held_dropped} spans were not judged: the trace checks already held {} spans",
                super::signals::trace_ledger::MAX_HELD_SPANS
            )
        }));
    for lost in lost {
        mark_kind(&mut trace_checks, TRACES, &lost);
        trace_checks.push(Check::error("traces.receiver", TRACES, lost));
    }
    checks.extend(trace_checks);
    if let Some(e) = &ev.trace_backend_error {
        checks.push(Check::error("traces.backend", TRACES, e.clone()));
    }
    let mut out = Judgement {
        checks,
        ..Judgement::default()
    };
    judge_stack(plan, exps, ev, &mut out);
    let (coverage, coverage_checks) = super::coverage::run::from_run(exps, ev, log_coverage);
    out.coverage = Some(coverage);
    out.checks.extend(coverage_checks);
    if let Some(d) = &ev.death {
        let phases = phase_windows(plan, &ev.outcome);
        super::signals::death::apply(d, &phases, plan.time_scale, &mut out.checks);
    }
    out
}

/// What the harness itself knows about the run, for the signal checks to compare with.
fn run_facts<'a>(plan: &Plan, ev: &'a Evidence) -> RunFacts<'a> {
    let ctx = &ev.context;
    let mut facts = RunFacts::from_outcome(
        &ev.outcome,
        &ctx.phase_faults,
        ev.outcome.started_unix_nano,
        ctx.end_unix_nano,
        ctx.own_healthy_stub,
    );
    facts.time_scale = plan.time_scale;
    facts
}

/// The metrics verdicts: the last scrape (after the drain) against each metrics expectation,
/// with the scrapes during the run for the monotonicity checks.
fn metric_checks(exps: &ExpectationSet, ev: &Evidence, facts: &RunFacts<'_>) -> Vec<Check> {
    if exps.metrics.is_empty() {
        return Vec::new();
    }
    let scrapes = &ev.scrapes;
    let Some(last) = scrapes.recent.back() else {
        return vec![Check::error(
            "metrics.exposition",
            METRICS,
            format!(
                "no scrape of /metrics got an answer ({} attempts; last error: {})",
                scrapes.attempts,
                scrapes.last_transport_error.as_deref().unwrap_or("none")
            ),
        )];
    };
    // The run's first scrape leads, however long the run: the bounded history may have lost
    // it, and `metrics.moves` compares the final scrape with it.
    let first = scrapes
        .first
        .as_ref()
        .filter(|f| scrapes.recent.front().map(|r| r.at_unix_ms) != Some(f.at_unix_ms));
    let parsed: Vec<Exposition> = first
        .into_iter()
        .chain(&scrapes.recent)
        .filter_map(|s| s.result.as_ref().ok().cloned())
        .collect();
    if let Some(why) = &scrapes.final_failure {
        return exps
            .metrics
            .iter()
            .flat_map(|(_, m)| super::signals::metrics::not_observed(m, parsed.last(), facts, why))
            .collect();
    }
    let during = parsed.get(..parsed.len().saturating_sub(1)).unwrap_or(&[]);
    exps.metrics
        .iter()
        .flat_map(|(_, m)| {
            super::signals::metrics::check_scrape(m, last.result.as_ref(), during, facts)
        })
        .collect()
}

/// The stack's verdicts: health, live dashboards, alerts, and the static checks.
fn judge_stack(plan: &Plan, exps: &ExpectationSet, ev: &Evidence, out: &mut Judgement) {
    let stack = &ev.stack;
    if let Some(h) = &stack.health {
        out.checks.extend(health(h));
    }
    if let Some((g, dashboards)) = &stack.grafana {
        out.checks.extend(super::signals::health::grafana(g));
        out.checks
            .extend(super::signals::health::grafana_dashboards(dashboards));
    }
    for d in &stack.dashboards {
        out.checks.extend(live_dashboards(d));
    }
    let phases = phase_windows(plan, &ev.outcome);
    let start_ms = i64::try_from(ev.outcome.started_unix_nano / 1_000_000).unwrap_or(0);
    for ((_, exp), seen) in exps.alerts.iter().zip(&stack.alerts) {
        let (checks, timings) = alerts(exp, seen, &phases, start_ms);
        out.checks.extend(checks);
        out.alerts.extend(timings);
    }
    let spans: Vec<super::signals::slo::PhaseSpan> = plan
        .phases
        .iter()
        .map(|p| super::signals::slo::PhaseSpan {
            name: p.name.clone(),
            duration_s: p.duration_s,
        })
        .collect();
    for ((_, exp), seen) in exps.slo.iter().zip(&stack.slo) {
        let (checks, timings, report) =
            super::signals::slo_file::judge_file(exp, seen, &spans, &phases, start_ms);
        out.checks.extend(checks);
        out.alerts.extend(timings);
        out.slo.extend(report);
    }
    out.checks.extend(notifications(exps, stack, start_ms));
    if let Some(inputs) = &stack.static_inputs {
        out.checks.extend(static_checks(inputs));
    }
    if exps.expects_alerts() && !stack.prometheus_present {
        // Skipped alert checks must not let a scenario that expects alerts pass.
        out.checks.push(Check::error(
            "alerts.stack",
            Kind::Alerts,
            "the scenario expects alerts but no Prometheus/Alertmanager was observed (--stack none or binaries missing): alert expectations were not checked",
        ));
    }
}

/// The static checks of `obsgate check`, as part of a run: a required input that is missing or
/// broken is an error of the run (`static.input`), not a skip.
fn static_checks(inputs: &Result<StaticInputs, String>) -> Vec<Check> {
    let inputs = match inputs {
        Ok(i) => i,
        Err(e) => return vec![Check::error("static", Kind::Static, e.clone())],
    };
    let opts = super::config::JudgeOptions::default();
    let (mut out, bad) = super::config::judge_static(inputs, &opts);
    out.extend(
        bad.into_iter()
            .map(|b| Check::error("static.input", Kind::Static, b)),
    );
    out
}

/// The health verdicts of the target and the stack components.
fn health(h: &StackHealth) -> Vec<Check> {
    use super::signals::health;
    let mut out = health::target(&h.target);
    out.extend(h.prometheus.iter().flat_map(health::prometheus));
    out.extend(h.alertmanager.iter().flat_map(health::alertmanager));
    out
}

/// Each phase on the wall clock: the schedule starts phase i at `start_s / time_scale` after the
/// run start (absolute deadlines, so this is when its fault profile took effect).
pub fn phase_windows(plan: &Plan, o: &LoadOutcome) -> Vec<PhaseWindow> {
    let start_ms = (o.started_unix_nano / 1_000_000) as f64;
    let k = plan.time_scale;
    plan.phases
        .iter()
        .map(|p| PhaseWindow {
            name: p.name.clone(),
            start_unix_ms: (start_ms + p.start_s / k * 1000.0) as i64,
            end_unix_ms: (start_ms + (p.start_s + p.duration_s) / k * 1000.0) as i64,
        })
        .collect()
}

/// One dashboards expectation's live checks.
fn live_dashboards(d: &DashboardAnswers) -> Vec<Check> {
    if let Some(why) = &d.not_evaluated {
        // Expected and not observed: an error, as for alerts without a stack.
        return vec![Check::error(
            "dashboards.live",
            Kind::Dashboards,
            format!("the dashboards' queries were not evaluated: {why}"),
        )];
    }
    let mut out: Vec<Check> = d
        .unreadable
        .iter()
        .map(|(f, e)| Check::error(format!("dashboards.live.{f}"), Kind::Dashboards, e.clone()))
        .collect();
    out.extend(super::signals::dashboards_live::check(&d.answers));
    out
}

/// The notification checks, once per run over the one alert timeline every alerts and SLO
/// file shares (nothing without alert expectations: then nobody watched).
fn notifications(
    exps: &ExpectationSet,
    stack: &crate::evidence::StackEvidence,
    run_start_unix_ms: i64,
) -> Vec<Check> {
    use super::signals::notifications::{NotificationInput, check_notifications, skipped};
    let seen = stack
        .alerts
        .iter()
        .chain(stack.slo.iter().map(|s| &s.alerts))
        .find(|s| matches!(s, AlertsSeen::Watched { .. }));
    let Some(AlertsSeen::Watched {
        observations,
        routing,
        timing,
        clock_scale,
    }) = seen
    else {
        return match stack.alerts.first() {
            Some(AlertsSeen::NotWatched(why)) => vec![skipped(why)],
            _ => Vec::new(),
        };
    };
    let clock = AlertClock {
        start_unix_ms: run_start_unix_ms,
        scale: *clock_scale,
    };
    let mut obs = clock.observations(observations);
    let files: Vec<_> = exps.alerts.iter().map(|(_, e)| e.clone()).collect();
    super::signals::alerts::hide_keys_except(&mut obs, &super::signals::alerts::named_keys(&files));
    check_notifications(&NotificationInput {
        observations: &obs,
        routing: *routing,
        timing: timing.as_ref(),
        margin_s: timing.as_ref().map_or(0.0, |t| t.evaluation_interval_s) + 2.0 * clock_scale,
    })
}

/// One alerts expectation file against what was seen of the alerts, with the phases on the
/// wall clock and the run's wall start (Unix ms). Everything is judged on the stack's clock
/// ([`AlertClock`]): scenario seconds for a managed stack, wall seconds for an external one.
pub fn alerts(
    exp: &crate::expect::alerts::AlertExpectations,
    seen: &AlertsSeen,
    phases: &[PhaseWindow],
    run_start_unix_ms: i64,
) -> (Vec<Check>, Vec<AlertTiming>) {
    use super::signals::alerts::{AlertCheckInput, check_alerts, skipped};
    match seen {
        AlertsSeen::NotWatched(reason) => (skipped(exp, reason), Vec::new()),
        AlertsSeen::Watched {
            observations,
            routing,
            timing,
            clock_scale,
        } => {
            let clock = AlertClock {
                start_unix_ms: run_start_unix_ms,
                scale: *clock_scale,
            };
            let mut observations = clock.observations(observations);
            super::signals::alerts::hide_unnamed_keys(&mut observations, exp);
            check_alerts(&AlertCheckInput {
                expectations: exp,
                observations: &observations,
                phases: &clock.phases(phases),
                timing: timing.as_ref(),
                run_start_unix_ms,
                clock_scale: *clock_scale,
                routing: *routing,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::Status;

    #[test]
    fn dashboards_expected_without_a_prometheus_are_an_error_not_a_skip() {
        let d = DashboardAnswers {
            not_evaluated: Some(
                "no Prometheus to evaluate dashboard queries on (--stack none)".into(),
            ),
            ..DashboardAnswers::default()
        };
        let checks = live_dashboards(&d);
        assert_eq!(checks.len(), 1);
        assert_eq!(checks[0].status, Status::Error);
        assert!(
            checks[0].message.contains("--stack none"),
            "{}",
            checks[0].message
        );
    }
}
