//! A realistic, deterministic report (three phases, a timeline, ten alerts with their Slack,
//! PagerDuty and webhook notifications from `html_sample_notes.rs`, passing and failing checks,
//! the ten criteria, the clock of a managed stack at time scale 10 with the shipped rules
//! rewritten) used to preview the HTML writer and to test the writers and `report diff`
//! without a run.

use crate::evidence::{
    AlertEvent, AlertTiming, ClockReport, JobTimeS, LatencyMs, LoadReport, PhaseReport,
    RuleRewrite, TimelinePoint,
};
use crate::expect::acceptance::SEED_CRITERIA;
use crate::report::html_sample_notes::Plan;
use crate::report::model::{Report, SCHEMA_VERSION};
use crate::verdict::Kind;
use crate::verdict::{Check, Criterion, Status, Verdict};

/// Scenario seconds per wall second in the sample.
const TIME_SCALE: f64 = 10.0;

/// Phases of the sample: (name, duration in scenario seconds, target rate in jobs/s).
const PHASES: [(&str, f64, f64); 3] = [
    ("warmup", 1200.0, 0.3),
    ("storm", 6000.0, 0.6),
    ("recovery", 3000.0, 0.3),
];

/// The ten alerts: when each goes pending after the storm starts and its `for`, in scenario
/// seconds (the managed stack runs on the scenario's clock, so every alert time is scenario
/// seconds, like the phases and the timeline), and its receiver.
const ALERTS: [(&str, f64, f64, &str); 10] = [
    ("PipelineHighErrorRate", 45.0, 300.0, "slack:#critical"),
    ("PipelineCostThreshold", 180.0, 600.0, "slack:#sla"),
    ("SLABreach", 240.0, 300.0, "slack:#critical"),
    ("PubSubQueueDepth", 120.0, 300.0, "slack:#infra"),
    ("AIAgentTimeouts", 60.0, 300.0, "slack:#critical"),
    ("QAGateRejection", 150.0, 600.0, "slack:#sla"),
    ("RenderFailures", 30.0, 60.0, "slack:#critical"),
    ("DatabaseLatency", 90.0, 300.0, "slack:#infra"),
    ("PrometheusDown", 20.0, 60.0, "slack:#critical"),
    ("ActiveJobsSpike", 200.0, 300.0, "slack:#sla"),
];

/// The shipped rules at time scale 10: (alert, line, as written, as evaluated, `for`).
const RULES: [(&str, u64, &str, &str, &str); 10] = [
    (
        "PipelineHighErrorRate",
        8,
        "sum(rate(pipeline_duration_seconds_count{status=\"failed\"}[5m])) / sum(rate(pipeline_duration_seconds_count[5m])) > 0.05",
        "sum((rate(pipeline_duration_seconds_count{status=\"failed\"}[30s]) / 10)) / sum((rate(pipeline_duration_seconds_count[30s]) / 10)) > 0.05",
        "5m",
    ),
    (
        "SLABreach",
        19,
        "histogram_quantile(0.95, sum by (le) (rate(pipeline_duration_seconds_bucket[10m]))) > 300",
        "histogram_quantile(0.95, sum by (le) ((rate(pipeline_duration_seconds_bucket[1m]) / 10))) > 300",
        "5m",
    ),
    (
        "AIAgentTimeouts",
        30,
        "sum(rate(ai_agent_calls_total{outcome=\"timeout\"}[5m])) * 60 > 3",
        "sum((rate(ai_agent_calls_total{outcome=\"timeout\"}[30s]) / 10)) * 60 > 3",
        "5m",
    ),
    (
        "RenderFailures",
        41,
        "sum(increase(render_failures_total[10m])) > 5",
        "sum(increase(render_failures_total[1m])) > 5",
        "1m",
    ),
    (
        "ActiveJobsSpike",
        52,
        "sum(pipeline_active_jobs) > 50",
        "sum(pipeline_active_jobs) > 50",
        "5m",
    ),
    (
        "PipelineCostThreshold",
        65,
        "sum(rate(pipeline_cost_dollars_sum[15m])) * 3600 > 500",
        "sum((rate(pipeline_cost_dollars_sum[1m30s]) / 10)) * 3600 > 500",
        "10m",
    ),
    (
        "QAGateRejection",
        76,
        "sum(rate(qa_gate_acceptance_total{result=\"rejected\"}[15m])) / sum(rate(qa_gate_acceptance_total[15m])) > 0.2",
        "sum((rate(qa_gate_acceptance_total{result=\"rejected\"}[1m30s]) / 10)) / sum((rate(qa_gate_acceptance_total[1m30s]) / 10)) > 0.2",
        "10m",
    ),
    (
        "PubSubQueueDepth",
        89,
        "max by (topic) (pubsub_queue_depth) > 100",
        "max by (topic) (pubsub_queue_depth) > 100",
        "5m",
    ),
    (
        "DatabaseLatency",
        100,
        "histogram_quantile(0.95, sum by (le) (rate(db_operation_latency_seconds_bucket[5m]))) > 0.1",
        "histogram_quantile(0.95, sum by (le) ((rate(db_operation_latency_seconds_bucket[30s]) / 10))) > 0.1",
        "5m",
    ),
    ("PrometheusDown", 111, "up == 0", "up == 0", "1m"),
];

/// The clock of the sample: K 10, the ten phases' 170 scenario minutes in a little over 17
/// wall minutes, alerts judged in scenario seconds, every shipped rule rewritten.
fn sample_clock() -> ClockReport {
    let scenario: f64 = PHASES.iter().map(|p| p.1).sum();
    ClockReport {
        time_scale: TIME_SCALE,
        wall_duration_s: scenario / TIME_SCALE + 14.6,
        scenario_duration_s: scenario,
        alert_clock: "scenario".into(),
        largest_time_scale: Some(100.0),
        rules: RULES
            .iter()
            .map(|&(rule, line, original, rewritten, for_s)| RuleRewrite {
                file: "config/alert-rules.yaml".into(),
                line,
                rule: rule.into(),
                original: original.into(),
                rewritten: rewritten.into(),
                for_duration: Some((
                    for_s.into(),
                    // `for` divided by K: 5m → 30s, 10m → 1m, 1m → 6s.
                    match for_s {
                        "10m" => "1m",
                        "5m" => "30s",
                        _ => "6s",
                    }
                    .into(),
                )),
                keep_firing_for: None,
            })
            .collect(),
    }
}

fn phase(name: &str, duration_s: f64, rate: f64, slow: f64) -> PhaseReport {
    let scheduled = (duration_s * rate).round() as u64;
    PhaseReport {
        name: name.into(),
        duration_s,
        target_rate: rate,
        achieved_rate: rate * 0.998,
        scheduled,
        sent: scheduled,
        succeeded: scheduled.saturating_sub(3),
        failed: 3.min(scheduled),
        latency_ms: LatencyMs {
            p50: 4.2 * slow,
            p90: 9.8 * slow,
            p99: 21.5 * slow,
            max: 48.0 * slow,
        },
        job_time_s: JobTimeS {
            p50: 34.0 * slow,
            p90: 88.0 * slow,
            p99: 140.0 * slow,
            max: 210.0 * slow,
        },
        peak_in_flight: (rate * 60.0 * slow) as u64,
        ..PhaseReport::default()
    }
}

/// The sample report; the storm phase is slower (`slow` times the warmup latencies).
pub fn sample_report() -> Report {
    Report {
        schema_version: SCHEMA_VERSION,
        scenario: "alert-storm".into(),
        verdict: Verdict::Fail,
        started_at: "2026-01-05T10:00:00Z".into(),
        finished_at: "2026-01-05T10:17:40Z".into(),
        obsgate_version: env!("CARGO_PKG_VERSION").into(),
        time_scale: TIME_SCALE,
        clock: sample_clock(),
        deviations: vec![
            "prometheus scrape_interval: 15s → 1500ms (time scale 10)".into(),
            "alertmanager route.routes[0] (receiver `critical`) group_wait: 10s → 1s (time scale 10)".into(),
            "prometheus --query.lookback-delta=30s (its default divided by time scale 10)".into(),
        ],
        load: LoadReport {
            target: "http://127.0.0.1:40123".into(),
            phases: PHASES
                .iter()
                .map(|&(n, d, r)| phase(n, d, r, if n == "storm" { 1.6 } else { 1.0 }))
                .collect(),
            timeline: sample_timeline(),
        },
        checks: sample_checks(),
        alerts: sample_alerts(),
        criteria: sample_criteria(),
        slo: Vec::new(),
        coverage: None,
        component_down: None,
        kept_stack_data: None,
        shard: None,
    }
}

/// About a hundred timeline points with a little wobble; the storm has higher latencies
/// (its p99 creeping up) and a few errors.
fn sample_timeline() -> Vec<TimelinePoint> {
    let mut timeline = Vec::new();
    let total: f64 = PHASES.iter().map(|p| p.1).sum();
    let step = total / 102.0;
    let mut t = 0.0;
    let mut i = 0u32;
    while t < total {
        let (name, start, rate) = phase_at(t);
        let wobble = f64::from(i % 7) / 7.0 - 0.5;
        let storm = name == "storm";
        timeline.push(TimelinePoint {
            t_s: t,
            phase: name.into(),
            target_rate: rate,
            achieved_rate: rate * (1.0 + 0.03 * wobble),
            p50_ms: if storm { 6.5 } else { 4.2 } + wobble,
            p99_ms: if storm {
                30.0 + (t - start) / 400.0
            } else {
                21.0
            } + 3.0 * wobble,
            errors: if storm { u64::from(i % 3) } else { 0 },
        });
        t += step;
        i += 1;
    }
    timeline
}

/// Every alert fires and notifies during the storm and resolves after it; critical ones
/// also page (after a 10 s `group_wait`, the others after 30 s). Scenario seconds throughout.
fn sample_alerts() -> Vec<AlertTiming> {
    let storm_start = PHASES[0].1;
    let storm_end = storm_start + PHASES[1].1;
    ALERTS
        .iter()
        .enumerate()
        .map(|(i, &(alert, pending, for_s, receiver))| {
            let group_wait = if receiver == "slack:#critical" {
                10.0
            } else {
                30.0
            };
            // One evaluation after the `for` has elapsed, then the group wait.
            let firing = pending + for_s + 8.0;
            let notified = firing + group_wait + 1.0;
            let resolved = 240.0 + 30.0 * (i % 3) as f64;
            let mut receivers = vec![receiver.to_string()];
            if receiver == "slack:#critical" {
                receivers.push("pagerduty:pipeline-critical".into());
            }
            let notifications = super::html_sample_notes::notifications(&Plan {
                alert,
                receiver,
                notified_s: storm_start + notified,
                resolved_s: storm_end + resolved + 5.0,
            });
            let mut events = vec![
                ev("pending", storm_start + pending, None),
                ev("firing", storm_start + firing, None),
                ev("resolved", storm_end + resolved, None),
            ];
            events.extend(super::html_sample_notes::events(&notifications));
            events.sort_by(|x, y| x.at_s.total_cmp(&y.at_s));
            AlertTiming {
                alert: alert.into(),
                fired: true,
                receivers,
                pending_after_s: Some(pending),
                firing_after_s: Some(firing),
                notified_after_s: Some(notified),
                resolved_after_s: Some(resolved),
                // Scrape + evaluation interval + `for` + `group_wait`, from the onset.
                bound_s: Some(15.0 + 15.0 + for_s + group_wait),
                events,
                notifications,
            }
        })
        .collect()
}

/// Checks of every status, one failing with markup in its message and evidence so the
/// writers' escaping shows.
fn sample_checks() -> Vec<Check> {
    let mut checks = vec![
        Check::pass("load.rate.storm", Kind::Load, "achieved 0.599 jobs/s of 0.6 (within 1%)"),
        Check::pass("stack.prometheus.targets_up", Kind::Stack, "3/3 targets up"),
        Check::fail(
            "metrics.exposed.render_failures_total",
            Kind::Metrics,
            "metric `render_failure_total` not exposed; did you mean `render_failures_total`? <script>alert(1)</script>",
        )
        .with_evidence(["render_failure_total{reason=\"oom\"} 3 <b>&amp;</b>"]),
        Check::skip("traces.jaeger.query", Kind::Traces, "no Jaeger URL given"),
    ];
    for i in 0..11 {
        checks.push(Check::pass(
            format!("metrics.type.m{i}"),
            Kind::Metrics,
            "type matches",
        ));
    }
    for (a, ..) in ALERTS {
        checks.push(Check::pass(
            format!("alerts.fired.{a}"),
            Kind::Alerts,
            "fired within bound",
        ));
    }
    checks
}

/// The seed criteria, the second failing and the seventh skipped, each naming its checks.
fn sample_criteria() -> Vec<Criterion> {
    SEED_CRITERIA
        .iter()
        .enumerate()
        .map(|(i, (id, title))| Criterion {
            id: (*id).into(),
            title: (*title).into(),
            status: match i {
                1 => Status::Fail,
                6 => Status::Skip,
                _ => Status::Pass,
            },
            checks: match i {
                1 => vec!["metrics.exposed.render_failures_total".into()],
                3 => ALERTS
                    .iter()
                    .map(|a| format!("alerts.fired.{}", a.0))
                    .collect(),
                _ => vec![format!("load.rate.storm")],
            },
            message: match i {
                1 => "1 matched check(s) failed: metrics.exposed.render_failures_total".into(),
                6 => "no check matched `traces.*`: those checks did not run".into(),
                _ => String::new(),
            },
        })
        .collect()
}

fn ev(state: &str, at_s: f64, receiver: Option<&str>) -> AlertEvent {
    AlertEvent {
        state: state.into(),
        at_s,
        receiver: receiver.map(Into::into),
    }
}

/// (phase name, phase start, target rate) at scenario second `t`.
fn phase_at(t: f64) -> (&'static str, f64, f64) {
    let mut start = 0.0;
    for (name, d, r) in PHASES {
        if t < start + d {
            return (name, start, r);
        }
        start += d;
    }
    ("recovery", start, 0.3)
}

/// One SLO section: the fast page tier of the slo-burn scenario, detected after `detected_s`
/// (theory 225 s + 66 s of delays), its phase having spent `consumed` of the budget.
pub fn sample_slo(detected_s: f64, consumed: f64) -> crate::evidence::SloReport {
    use crate::evidence::{SloPhaseBudget, SloReport, SloTierTiming};
    SloReport {
        source: "expectations/slo-burn.yaml".into(),
        tiers: vec![SloTierTiming {
            alert: "JobSuccess3dBudgetBurn6m".into(),
            slo: "job-success-3d".into(),
            tier: "page".into(),
            window: "6m".into(),
            phase: "burn-14x".into(),
            factor: 14.4,
            burn: Some(22.74),
            theory_s: Some(228.0),
            allowance_s: 66.0,
            detected_s: Some(detected_s),
        }],
        phases: vec![SloPhaseBudget {
            slo: "job-success-3d".into(),
            phase: "burn-14x".into(),
            total: 360.0,
            error_ratio: Some(0.1137),
            burn: Some(22.74),
            budget_consumed: Some(consumed),
        }],
    }
}
