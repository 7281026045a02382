//! Integration tests: checks. The shipped expectation files load through the public API, the
//! JSON Schema in `schemas/` is the one generated from the types, and the checks run end to end
//! on the shipped files through the public API.

use obsgate::check::signals::facts::RunFacts;
use obsgate::check::signals::logs::LogChecker;
use obsgate::evidence::{JobOutcome, JobRecord, LogLine};
use obsgate::expect;
use obsgate::verdict::Status;

use crate::util::{obsgate, repo_root};

/// Regenerate with `OBSGATE_BLESS=1 cargo test --test it checks::schema`.
#[test]
fn schema_is_up_to_date() {
    let path = repo_root().join("schemas/expectations.schema.json");
    let generated = expect::schema_json();
    if std::env::var_os("OBSGATE_BLESS").is_some() {
        std::fs::write(&path, &generated).expect("write schema");
    }
    let shipped = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        shipped == generated,
        "{} is stale: run `OBSGATE_BLESS=1 cargo test --test it checks::schema`",
        path.display()
    );
    let v: serde_json::Value = serde_json::from_str(&shipped).expect("schema is JSON");
    let text = v.to_string();
    for key in [
        "families",
        "relations",
        "buckets_include",
        "when_present",
        "error_status",
        "completeness_min_ratio",
    ] {
        assert!(text.contains(key), "schema lacks `{key}`");
    }
}

/// Regenerate with `OBSGATE_BLESS=1 cargo test --test it checks::routes_schema`.
#[test]
fn routes_schema_is_up_to_date_and_shipped_cases_load() {
    let path = repo_root().join("schemas/routes.schema.json");
    let generated = expect::routes::schema_json();
    if std::env::var_os("OBSGATE_BLESS").is_some() {
        std::fs::write(&path, &generated).expect("write schema");
    }
    let shipped = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        shipped == generated,
        "{} is stale: run `OBSGATE_BLESS=1 cargo test --test it checks::routes_schema`",
        path.display()
    );
    let v: serde_json::Value = serde_json::from_str(&shipped).expect("schema is JSON");
    let text = v.to_string();
    for key in [
        "label_values",
        "inhibited_by",
        "cases",
        "not_inhibited_by",
        "at",
    ] {
        assert!(text.contains(&format!("\"{key}\"")), "schema lacks `{key}`");
    }
    let exp = expect::routes::load(&repo_root().join("expectations/routes.yaml"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(exp.cases.len() >= 5, "{:?}", exp.cases.len());
    assert!(exp.cases.iter().any(|c| !c.inhibited_by.is_empty()));
}

#[test]
fn shipped_files_load_by_kind() {
    for (file, kind) in [
        ("metrics.yaml", "metrics"),
        ("logs.yaml", "logs"),
        ("traces.yaml", "traces"),
    ] {
        let f = expect::load_file(&repo_root().join("expectations").join(file))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(f.kind(), kind);
    }
}

#[test]
fn missing_file_is_an_error_naming_it() {
    let e = expect::load_metrics(&repo_root().join("expectations/nope.yaml")).unwrap_err();
    assert!(e.to_string().contains("nope.yaml:0:0: cannot read"), "{e}");
}

#[test]
fn a_request_line_without_job_passes_and_a_bare_line_fails() {
    let exp = expect::load_logs(&repo_root().join("expectations/logs.yaml")).expect("logs.yaml");
    let job = JobRecord {
        job_id: None,
        correlation_id: "c1".into(),
        trace_id: "4bf92f3577b34da6a3ce929d0e0e4736".into(),
        client_span_id: "00f067aa0ba902b7".into(),
        returned_trace_id: None,
        preset: "short".into(),
        user_id: "u1".into(),
        phase: "p".into(),
        outcome: JobOutcome::HttpError,
        http_status: Some(503),
        sent_unix_nano: 1,
        end_unix_nano: None,
    };
    let jobs = [job];
    let facts = RunFacts::from_jobs(&jobs, &[], 0, 10_000_000_000, true);
    let good = r#"{"timestamp":"2027-01-01T00:00:00Z","level":"WARNING","severity":"WARNING","message":"queue full","service":"pipeline-stub","correlation_id":"c1","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b8","user_id":"u1","logging.googleapis.com/trace":"projects/obsgate/traces/4bf92f3577b34da6a3ce929d0e0e4736","logging.googleapis.com/spanId":"00f067aa0ba902b8"}"#;
    let now = std::time::Instant::now();
    let timeout = std::time::Duration::from_secs(60);
    let mut c = LogChecker::new(&exp, timeout);
    c.feed(
        &LogLine {
            line: 1,
            text: good.into(),
        },
        now,
    );
    c.job_ended(jobs[0].clone(), now);
    let checks = c.finish(&facts);
    let bad: Vec<_> = checks.iter().filter(|c| c.status == Status::Fail).collect();
    assert!(bad.is_empty(), "{bad:#?}");
    let mut c = LogChecker::new(&exp, timeout);
    c.feed(
        &LogLine {
            line: 1,
            text: r#"{"message":"hi"}"#.into(),
        },
        now,
    );
    c.job_ended(jobs[0].clone(), now);
    let checks = c.finish(&facts);
    let failed: Vec<&str> = checks
        .iter()
        .filter(|c| c.status == Status::Fail)
        .map(|c| c.id.as_str())
        .collect();
    for id in [
        "logs.field.timestamp",
        "logs.field.level",
        "logs.field.service",
        "logs.correlation",
    ] {
        assert!(failed.contains(&id), "{id} not in {failed:?}");
    }
}

/// `obsgate checks ARGS...` exiting with `code`: (stdout, stderr).
fn checks_cmd(args: &[&str], code: i32) -> (String, String) {
    let out = obsgate().arg("checks").args(args).assert().code(code);
    let o = out.get_output();
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn checks_lists_the_registry_and_explains_one_id() {
    let (json, _) = checks_cmd(&["--output", "json"], 0);
    let v: serde_json::Value = serde_json::from_str(&json).expect("stdout is JSON");
    let listed = v.as_array().expect("an array");
    assert_eq!(listed.len(), obsgate::check::registry::all().len());
    assert!(
        listed
            .iter()
            .all(|c| c["id"].is_string() && c["failure"].is_string())
    );
    let (text, _) = checks_cmd(&["explain", "alerts.fired.X"], 0);
    assert!(
        text.contains("alerts.fired.<alert>") && text.contains("Example"),
        "{text}"
    );
    let (_, err) = checks_cmd(&["explain", "alerts.fird.X"], 2);
    assert!(
        err.contains("`alerts.fird.X`") && err.contains("alerts.fired.<alert>"),
        "{err}"
    );
}
