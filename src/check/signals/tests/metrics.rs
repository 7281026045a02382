//! Metrics checker tests.

use super::fixtures::*;
use crate::check::signals::metrics::{check, check_scrape};
use crate::evidence::ExpositionError;
use crate::stub::faults::FaultProfile;
use crate::verdict::Status;

fn run(d: Defect) -> Vec<crate::verdict::Check> {
    let js = jobs();
    let expo = parse(&exposition_text(&js, d));
    check(&metrics_exp(), &expo, &[], &facts(&js))
}

#[test]
fn healthy_exposition_passes_everything() {
    let checks = run(Defect::None);
    assert_eq!(failing(&checks), Vec::<String>::new(), "{checks:#?}");
    // Every family is judged on presence, type, help, labels, cardinality.
    for f in [
        "pipeline_duration_seconds",
        "render_failures_total",
        "pipeline_active_jobs",
    ] {
        for k in ["present", "type", "help", "labels", "cardinality"] {
            assert_eq!(
                find(&checks, &format!("metrics.{k}.{f}")).status,
                Status::Pass
            );
        }
    }
    assert_eq!(
        find(&checks, "metrics.buckets.pipeline_duration_seconds").status,
        Status::Pass
    );
    assert_eq!(
        find(&checks, "metrics.relation.jobs_completed_match_succeeded").status,
        Status::Pass
    );
    assert_eq!(
        find(&checks, "metrics.relation.duration_count_failed").status,
        Status::Pass
    );
    // No failure fault in the scenario: the ratio relation does not apply.
    assert_eq!(
        find(&checks, "metrics.relation.failure_ratio_matches_fault").status,
        Status::Skip
    );
}

#[test]
fn renamed_metric_fails_presence_with_did_you_mean() {
    let checks = run(Defect::RenameRenderFailures);
    assert_eq!(
        failing(&checks),
        vec!["metrics.present.render_failures_total"]
    );
    let c = find(&checks, "metrics.present.render_failures_total");
    assert!(
        c.message.contains(
            "metric `render_failures_total` not exposed; did you mean `render_failure_total`?"
        ),
        "{}",
        c.message
    );
}

#[test]
fn wrong_type_fails_type_check() {
    let checks = run(Defect::WrongTypeActiveJobs);
    assert_eq!(failing(&checks), vec!["metrics.type.pipeline_active_jobs"]);
    let c = find(&checks, "metrics.type.pipeline_active_jobs");
    assert!(
        c.message
            .contains("should be a gauge, but is exposed as counter"),
        "{}",
        c.message
    );
}

#[test]
fn unbounded_label_fails_cardinality_naming_the_label() {
    let checks = run(Defect::UnboundedLabel);
    assert_eq!(
        failing(&checks),
        vec!["metrics.cardinality.pipeline_duration_seconds"]
    );
    let c = find(&checks, "metrics.cardinality.pipeline_duration_seconds");
    assert!(
        c.message
            .contains("8 series, over its budget 6 series, 3 values per label"),
        "{}",
        c.message
    );
    assert!(
        c.message.contains("label `job_id` has 8 distinct values"),
        "{}",
        c.message
    );
    assert!(
        c.evidence.iter().any(|e| e.contains("job_id=\"job-0\"")),
        "{:?}",
        c.evidence
    );
    assert!(c.evidence.len() <= 5);
}

#[test]
fn a_short_run_with_a_per_job_label_still_fails_cardinality() {
    // 4 jobs: within the series budget, but `job_id` has more values than any bounded label.
    let js: Vec<_> = jobs().into_iter().take(4).collect();
    let expo = parse(&exposition_text(&js, Defect::UnboundedLabel));
    let checks = check(&metrics_exp(), &expo, &[], &facts(&js));
    assert_eq!(
        failing(&checks),
        vec!["metrics.cardinality.pipeline_duration_seconds"]
    );
    let c = find(&checks, "metrics.cardinality.pipeline_duration_seconds");
    assert!(
        c.message.contains("label `job_id` has 4 distinct values"),
        "{}",
        c.message
    );
}

#[test]
fn wrong_type_renamed_by_the_client_library_still_names_the_type() {
    // prometheus-client appends `_total` to a counter's name.
    let checks = with_text(|t| {
        t.replace(
            "# TYPE pipeline_active_jobs gauge",
            "# TYPE pipeline_active_jobs_total counter",
        )
        .replace("pipeline_active_jobs 0", "pipeline_active_jobs_total 0")
        .replace(
            "# HELP pipeline_active_jobs ",
            "# HELP pipeline_active_jobs_total ",
        )
    });
    let c = find(&checks, "metrics.type.pipeline_active_jobs");
    assert_eq!(c.status, Status::Fail);
    assert!(
        c.message.contains(
            "should be a gauge, but is exposed as `pipeline_active_jobs_total`, a counter"
        ),
        "{}",
        c.message
    );
    let p = find(&checks, "metrics.present.pipeline_active_jobs");
    assert!(
        p.message
            .contains("did you mean `pipeline_active_jobs_total`?"),
        "{}",
        p.message
    );
}

#[test]
fn malformed_exposition_is_a_failure_naming_the_position() {
    let js = jobs();
    let err = ExpositionError {
        line: 7,
        column: 12,
        message: "unterminated label value".into(),
    };
    let checks = check_scrape(&metrics_exp(), Err(&err), &[], &facts(&js));
    assert_eq!(
        failing(&checks),
        vec!["metrics.exposition", "metrics.families"]
    );
    assert!(
        checks[0]
            .message
            .contains("line 7:12: unterminated label value"),
        "{}",
        checks[0].message
    );
    let expo = parse(&exposition_text(&js, Defect::None));
    let ok = check_scrape(&metrics_exp(), Ok(&expo), &[], &facts(&js));
    assert_eq!(find(&ok, "metrics.exposition").status, Status::Pass);
}

fn with_text(edit: impl Fn(String) -> String) -> Vec<crate::verdict::Check> {
    let js = jobs();
    let expo = parse(&edit(exposition_text(&js, Defect::None)));
    check(&metrics_exp(), &expo, &[], &facts(&js))
}

#[test]
fn label_value_outside_the_allowed_set_fails_with_suggestion() {
    let checks = with_text(|t| t.replace("status=\"failed\"", "status=\"faild\""));
    let c = find(&checks, "metrics.labels.pipeline_duration_seconds");
    assert_eq!(c.status, Status::Fail);
    assert!(
        c.message
            .contains("`faild` is not one of [succeeded, failed]; did you mean `failed`?"),
        "{}",
        c.message
    );
    assert!(c.evidence[0].starts_with("line "), "{:?}", c.evidence);
    // The relation on failed jobs sees the mislabelled series too.
    assert_eq!(
        find(&checks, "metrics.relation.duration_count_failed").status,
        Status::Fail
    );
}

#[test]
fn raw_path_route_and_missing_label_fail() {
    let checks = with_text(|t| t.replace("route=\"/v1/jobs/{id}\"", "route=\"/v1/jobs/3f2a9c\""));
    let c = find(&checks, "metrics.labels.api_response_time_seconds");
    assert_eq!(c.status, Status::Fail, "{}", c.message);
    let checks = with_text(|t| t.replace("backend=\"gpu\"", "backnd=\"gpu\""));
    let c = find(&checks, "metrics.labels.pipeline_cost_dollars");
    assert!(
        c.message
            .contains("label `backend` missing; did you mean `backnd`?"),
        "{}",
        c.message
    );
}

#[test]
fn missing_help_and_missing_threshold_bucket_fail() {
    let checks = with_text(|t| t.replace("# HELP pubsub_queue_depth Messages waiting.\n", ""));
    assert_eq!(failing(&checks), vec!["metrics.help.pubsub_queue_depth"]);
    let checks = with_text(|t| t.replace("le=\"300\"", "le=\"250\""));
    assert_eq!(
        failing(&checks),
        vec!["metrics.buckets.pipeline_duration_seconds"]
    );
    let c = find(&checks, "metrics.buckets.pipeline_duration_seconds");
    assert!(
        c.message.contains("buckets including [300.0]"),
        "{}",
        c.message
    );
}

#[test]
fn counts_that_disagree_with_the_harness_fail_relations() {
    let checks = with_text(|t| {
        t.replace(
            "user_jobs_completed_total{preset=\"short\"} 3",
            "user_jobs_completed_total{preset=\"short\"} 2",
        )
    });
    assert_eq!(
        failing(&checks),
        vec!["metrics.relation.jobs_completed_match_succeeded"]
    );
    let c = find(&checks, "metrics.relation.jobs_completed_match_succeeded");
    assert!(
        c.message.contains(
            "expected `sum(user_jobs_completed_total)` == `facts.succeeded`, found 6 vs 7"
        ),
        "{}",
        c.message
    );
    let checks = with_text(|t| t.replace("pipeline_active_jobs 0", "pipeline_active_jobs 2"));
    assert_eq!(
        failing(&checks),
        vec!["metrics.relation.active_jobs_zero_after_drain"]
    );
}

#[test]
fn failure_ratio_relation_uses_the_scenario_fault() {
    // 1 failed of 8 = 12.5%; a 20% fault with 8 jobs has a wide binomial tolerance.
    let js = jobs();
    let expo = parse(&exposition_text(&js, Defect::None));
    let f = FaultProfile {
        job_failure_ratio: 0.2,
        ..FaultProfile::default()
    };
    let checks = check(&metrics_exp(), &expo, &[], &facts_with(&js, f));
    assert_eq!(
        find(&checks, "metrics.relation.failure_ratio_matches_fault").status,
        Status::Pass
    );
    // A 90% fault that shows up as 12.5% is a failure.
    let f = FaultProfile {
        job_failure_ratio: 0.9,
        ..FaultProfile::default()
    };
    let checks = check(&metrics_exp(), &expo, &[], &facts_with(&js, f));
    let c = find(&checks, "metrics.relation.failure_ratio_matches_fault");
    assert_eq!(c.status, Status::Fail, "{}", c.message);
    assert!(c.message.contains("found 0.125 vs 0.9"), "{}", c.message);
}

#[test]
fn counter_decreasing_between_scrapes_fails_monotonicity() {
    let js = jobs();
    let last = parse(&exposition_text(&js, Defect::None));
    let earlier = parse(
        &exposition_text(&js, Defect::None)
            .replace("outcome=\"success\"} 14", "outcome=\"success\"} 20"),
    );
    let checks = check(&metrics_exp(), &last, &[earlier], &facts(&js));
    // The earlier scrape already had the final counts, so `moves` fails too (its own test).
    let failing: Vec<String> = failing(&checks)
        .into_iter()
        .filter(|id| !id.starts_with("metrics.moves."))
        .collect();
    assert_eq!(failing, vec!["metrics.monotonic.ai_agent_calls_total"]);
    let same = parse(&exposition_text(&js, Defect::None));
    let checks = check(&metrics_exp(), &last, &[same], &facts(&js));
    assert_eq!(
        find(&checks, "metrics.monotonic.ai_agent_calls_total").status,
        Status::Pass
    );
}

#[test]
fn a_family_with_help_and_type_but_no_samples_is_not_present() {
    // The samples of pipeline_active_jobs removed, its HELP and TYPE lines kept.
    let checks = with_text(|t| {
        t.lines()
            .filter(|l| !l.starts_with("pipeline_active_jobs"))
            .map(|l| format!("{l}\n"))
            .collect()
    });
    let c = find(&checks, "metrics.present.pipeline_active_jobs");
    assert_eq!(c.status, Status::Fail);
    assert!(c.message.contains("no samples"), "{}", c.message);
    // Nothing of it passes vacuously.
    assert!(
        !checks
            .iter()
            .any(|c| c.id == "metrics.labels.pipeline_active_jobs" && c.status == Status::Pass),
        "{checks:#?}"
    );
}

#[test]
fn a_failed_final_scrape_makes_every_metrics_check_an_error() {
    let js = jobs();
    let judged = run(Defect::None);
    let why = "GET http://127.0.0.1:9/metrics: operation timed out";
    // An earlier scrape only names the checks; none of its values is judged.
    let earlier = parse(&exposition_text(&js, Defect::None));
    let lost = crate::check::signals::metrics::not_observed(
        &metrics_exp(),
        Some(&earlier),
        &facts(&js),
        why,
    );
    let ids = |cs: &[crate::verdict::Check]| cs.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
    let mut judged_ids = ids(&judged);
    judged_ids.insert(0, "metrics.exposition".to_string());
    assert_eq!(ids(&lost), judged_ids);
    let without =
        crate::check::signals::metrics::not_observed(&metrics_exp(), None, &facts(&js), why);
    assert!(without.iter().all(|c| c.status == Status::Error));
    assert!(
        without
            .iter()
            .any(|c| c.id == "metrics.present.pipeline_active_jobs")
    );
    for c in &lost {
        assert_eq!(c.status, Status::Error, "{c:?}");
        assert!(
            c.message.contains(why) && c.message.contains("not observed"),
            "{c:?}"
        );
    }
}

#[test]
fn a_family_the_contract_expects_to_move_fails_when_it_never_changed() {
    let js = jobs();
    let last = parse(&exposition_text(&js, Defect::None));
    let before_any_job = parse(&exposition_text(&[], Defect::None));
    let checks = check(&metrics_exp(), &last, &[before_any_job], &facts(&js));
    let moves = find(&checks, "metrics.moves.user_jobs_completed_total");
    assert_eq!(moves.status, Status::Pass, "{}", moves.message);
    // Exposed from the start and never counted: every family that must move fails.
    let stuck = parse(&exposition_text(&js, Defect::None));
    let checks = check(&metrics_exp(), &last, &[stuck], &facts(&js));
    let c = find(&checks, "metrics.moves.user_jobs_completed_total");
    assert_eq!(c.status, Status::Fail);
    assert!(
        c.message
            .starts_with("`user_jobs_completed_total` never changed during the run"),
        "{}",
        c.message
    );
    // Families the contract does not expect to move are not judged on it.
    assert!(
        checks
            .iter()
            .all(|c| c.id != "metrics.moves.pipeline_active_jobs")
    );
}
