//! Log checker tests.

use super::fixtures::*;
use crate::check::signals::logs::LogChecker;
use std::time::{Duration, Instant};

use crate::evidence::{JobRecord, LogLine};
use crate::expect::logs::LogsExpectations;
use crate::verdict::{Check, MAX_EVIDENCE, Status};

fn run_lines(js: &[JobRecord], lines: &[LogLine]) -> Vec<Check> {
    judged(&logs_exp(), js, lines)
}

/// Feed `lines`, then the end of every job of `js`, and finish.
pub(super) fn judged(exp: &LogsExpectations, js: &[JobRecord], lines: &[LogLine]) -> Vec<Check> {
    let now = Instant::now();
    let mut c = LogChecker::new(exp, Duration::from_secs(60));
    for l in lines {
        c.feed(l, now);
    }
    for j in js {
        c.job_ended(j.clone(), now);
    }
    c.finish(&facts(js))
}

fn run(d: Defect) -> Vec<Check> {
    let js = jobs_for(d);
    run_lines(&js, &log_lines(&js, d))
}

fn edited(edit: impl Fn(&mut serde_json::Map<String, serde_json::Value>)) -> Vec<Check> {
    let js = jobs();
    let lines: Vec<LogLine> = log_lines(&js, Defect::None)
        .into_iter()
        .map(|mut l| {
            let mut v: serde_json::Value = serde_json::from_str(&l.text).unwrap();
            if let Some(o) = v.as_object_mut() {
                edit(o);
            }
            l.text = v.to_string();
            l
        })
        .collect();
    run_lines(&js, &lines)
}

#[test]
fn healthy_logs_pass_everything() {
    let checks = run(Defect::None);
    assert_eq!(failing(&checks), Vec::<String>::new(), "{checks:#?}");
    for id in [
        "logs.json",
        "logs.correlation",
        "logs.trace_ids",
        "logs.errors_match_failures",
        "logs.rate.ERROR",
        "logs.field.stage",
    ] {
        assert_eq!(find(&checks, id).status, Status::Pass, "{id}");
    }
}

#[test]
fn omitted_correlation_id_fails_field_and_correlation() {
    let checks = run(Defect::OmitCorrelationId);
    assert_eq!(
        failing(&checks),
        vec!["logs.field.correlation_id", "logs.correlation"]
    );
    let c = find(&checks, "logs.field.correlation_id");
    assert!(
        c.message
            .contains("(49 missing it): `correlation_id` missing"),
        "{}",
        c.message
    );
    assert_eq!(c.evidence.len(), MAX_EVIDENCE);
    let c = find(&checks, "logs.correlation");
    assert!(
        c.message.contains("8 of 8 requests are not correlated"),
        "{}",
        c.message
    );
}

#[test]
fn dropped_traceparent_keeps_log_checks_green() {
    // The stub's own trace ids are still traces of this run (it answered with them).
    let checks = run(Defect::DropTraceparent);
    assert_eq!(failing(&checks), Vec::<String>::new());
}

#[test]
fn non_json_lines_are_findings() {
    let js = jobs();
    let mut lines = log_lines(&js, Defect::None);
    lines.push(LogLine {
        line: 99,
        text: "thread 'main' panicked at src/stub.rs".into(),
    });
    lines.push(LogLine {
        line: 100,
        text: "[1, 2]".into(),
    });
    let checks = run_lines(&js, &lines);
    assert_eq!(failing(&checks), vec!["logs.json"]);
    let c = find(&checks, "logs.json");
    assert!(
        c.message
            .starts_with("2 of 51 lines are not JSON objects: not JSON"),
        "{}",
        c.message
    );
    assert!(
        c.evidence[0].starts_with("line 99: thread 'main' panicked"),
        "{:?}",
        c.evidence
    );
    let none = run_lines(&js, &[]);
    assert!(
        find(&none, "logs.json")
            .message
            .contains("no log lines captured")
    );
}

#[test]
fn field_formats_fail_with_the_bad_value() {
    let checks = edited(|o| {
        o.insert("timestamp".into(), "15/01/2027 08:00".into());
    });
    assert_eq!(failing(&checks), vec!["logs.field.timestamp"]);
    let checks = edited(|o| {
        o.insert("level".into(), "WARN".into());
        o.insert("severity".into(), "WARN".into());
    });
    let c = find(&checks, "logs.field.level");
    assert!(c.message.contains("`level`=`WARN` is not one of [DEBUG, INFO, WARNING, ERROR, CRITICAL]; did you mean `WARNING`?"), "{}", c.message);
    let checks = edited(|o| {
        o.insert("severity".into(), "DEFAULT".into());
    });
    assert_eq!(failing(&checks), vec!["logs.field.severity"]);
    let checks = edited(|o| {
        let t = o
            .get("trace_id")
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_uppercase();
        o.insert("trace_id".into(), t.into());
    });
    let f = failing(&checks);
    assert!(f.contains(&"logs.field.trace_id".to_string()), "{f:?}");
    assert!(
        f.contains(&"logs.field.logging.googleapis.com/trace".to_string()),
        "{f:?}"
    );
    let checks = edited(|o| {
        o.insert(
            "logging.googleapis.com/trace".into(),
            "projects/other/traces/x".into(),
        );
    });
    let c = find(&checks, "logs.field.logging.googleapis.com/trace");
    assert!(
        c.message.contains("expected `projects/obsgate/traces/"),
        "{}",
        c.message
    );
}

#[test]
fn job_fields_are_required_only_on_job_lines() {
    // Request-level lines lack job_id/preset/stage and pass; a job line without preset fails.
    let checks = edited(|o| {
        if o.contains_key("job_id") {
            o.remove("preset");
        }
    });
    assert_eq!(failing(&checks), vec!["logs.field.preset"]);
    let c = find(&checks, "logs.field.preset");
    assert!(
        c.message.contains("required when `job_id` is present"),
        "{}",
        c.message
    );
}

#[test]
fn error_lines_must_match_failed_jobs() {
    let js = jobs();
    let mut lines = log_lines(&js, Defect::None);
    // An ERROR line for a succeeded job.
    let mut v: serde_json::Value = serde_json::from_str(&lines[1].text).unwrap();
    v["level"] = "ERROR".into();
    v["severity"] = "ERROR".into();
    lines[1].text = v.to_string();
    let checks = run_lines(&js, &lines);
    assert_eq!(failing(&checks), vec!["logs.errors_match_failures"]);
    let c = find(&checks, "logs.errors_match_failures");
    assert!(
        c.evidence
            .iter()
            .any(|e| e.contains("succeeded job job-0: 1 ERROR/CRITICAL lines")),
        "{:?}",
        c.evidence
    );
    // The failed job's ERROR line missing.
    let lines: Vec<LogLine> = log_lines(&js, Defect::None)
        .into_iter()
        .filter(|l| !l.text.contains("\"ERROR\""))
        .collect();
    let checks = run_lines(&js, &lines);
    let c = find(&checks, "logs.errors_match_failures");
    assert_eq!(c.status, Status::Fail);
    assert!(
        c.evidence[0].contains("failed job job-5: 0 ERROR/CRITICAL lines, expected exactly 1"),
        "{:?}",
        c.evidence
    );
}

#[test]
fn unknown_trace_ids_and_rate_limits_fail() {
    let checks = edited(|o| {
        let id = format!("{:032x}", 0x1234_u64);
        o.insert("trace_id".into(), id.clone().into());
        o.insert(
            "logging.googleapis.com/trace".into(),
            format!("projects/obsgate/traces/{id}").into(),
        );
    });
    assert_eq!(failing(&checks), vec!["logs.trace_ids"]);
    assert!(
        find(&checks, "logs.trace_ids").evidence[0].contains("00000000000000000000000000001234")
    );
    // 49 lines in a 20 s run: 2.45 INFO lines/s is fine, 200 ERROR lines are not (limit 5/s).
    let js = jobs();
    let mut lines = log_lines(&js, Defect::None);
    let err = lines
        .iter()
        .find(|l| l.text.contains("\"ERROR\""))
        .cloned()
        .unwrap();
    for k in 0..200 {
        lines.push(LogLine {
            line: 1000 + k,
            text: err.text.clone(),
        });
    }
    let checks = run_lines(&js, &lines);
    let c = find(&checks, "logs.rate.ERROR");
    assert_eq!(c.status, Status::Fail);
    assert!(
        c.message
            .contains("201 ERROR lines over 20.0 scenario s = 10.05/s (limit 5/s)"),
        "{}",
        c.message
    );
}

#[test]
fn a_line_naming_a_job_with_another_correlation_id_fails() {
    let checks = edited(|o| {
        if o.get("stage").and_then(|s| s.as_str()) == Some("qa")
            && o.get("job_id").and_then(|s| s.as_str()) == Some("job-2")
        {
            o.insert("correlation_id".into(), "corr-other".into());
        }
    });
    assert_eq!(failing(&checks), vec!["logs.correlation"]);
    let c = find(&checks, "logs.correlation");
    assert!(
        c.evidence[0].contains(
            "job job-2 was sent with correlation_id corr-2 but its lines carry corr-other"
        ),
        "{:?}",
        c.evidence
    );
}

/// The healthy lines plus `n` ERROR lines that name no job (a worker crash outside any job).
fn with_unattributed_errors(n: u64, budget: u64) -> Vec<Check> {
    let js = jobs();
    let mut lines = log_lines(&js, Defect::None);
    for i in 0..n {
        let mut l = lines[0].clone();
        l.line = 10_000 + i;
        l.text = r#"{"level":"ERROR","message":"worker crashed","correlation_id":"-"}"#.into();
        lines.push(l);
    }
    let mut exp = logs_exp();
    exp.max_errors_without_job = budget;
    judged(&exp, &js, &lines)
}

#[test]
fn error_lines_without_a_job_are_judged_against_their_budget() {
    let checks = with_unattributed_errors(3, 0);
    let c = find(&checks, "logs.errors_without_job");
    assert_eq!(c.status, Status::Fail, "{c:?}");
    assert!(
        c.message
            .starts_with("3 ERROR/CRITICAL lines name no job (allowed 0)"),
        "{}",
        c.message
    );
    assert!(
        c.evidence.iter().any(|e| e.contains("worker crashed")),
        "{:?}",
        c.evidence
    );
    let within = with_unattributed_errors(3, 3);
    assert_eq!(
        find(&within, "logs.errors_without_job").status,
        Status::Pass
    );
    let none = with_unattributed_errors(0, 0);
    assert_eq!(find(&none, "logs.errors_without_job").status, Status::Pass);
}

#[test]
fn log_rates_are_per_scenario_second_whatever_the_time_scale() {
    // 60 ERROR lines in 20 wall seconds at time scale 10: 3/s per wall second but 0.3/s per
    // scenario second, the unit `expectations/logs.yaml` promises. A limit of 1/s holds.
    let levels = [("ERROR".to_string(), 60u64)].into_iter().collect();
    let js = jobs();
    let mut f = facts(&js);
    f.time_scale = 10.0;
    let limits = [("ERROR".to_string(), 1.0)];
    let c = &crate::check::signals::log_budgets::rate_checks(&levels, &limits, &f)[0];
    assert_eq!(c.status, Status::Pass, "{}", c.message);
    assert_eq!(
        c.message,
        "60 ERROR lines over 200.0 scenario s = 0.30/s (limit 1/s)"
    );
    f.time_scale = 1.0;
    let c = &crate::check::signals::log_budgets::rate_checks(&levels, &limits, &f)[0];
    assert_eq!(c.status, Status::Fail, "{}", c.message);
}
