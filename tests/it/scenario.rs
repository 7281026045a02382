//! Integration tests: scenario files (shipped scenarios are valid; bad files exit 2 naming
//! every error with its line and column; nothing runs).

use std::path::Path;

use obsgate::scenario::{load_scenario, parse_scenario};

use crate::util::{obsgate, repo_root};

#[test]
fn smoke_is_valid_short_and_sized() {
    let plan =
        load_scenario(&repo_root().join("scenarios/smoke.yaml")).expect("smoke.yaml is valid");
    assert!(
        plan.total_wall().as_secs_f64() <= 30.0,
        "smoke runs at most 30 wall seconds"
    );
    let jobs: f64 = plan
        .phases
        .iter()
        .map(|p| p.rate.expected_jobs(p.duration_s))
        .sum();
    assert!(
        (100.0..1000.0).contains(&jobs),
        "a few hundred jobs, got {jobs}"
    );
    assert!(
        plan.phases.iter().all(|p| p.faults == Default::default()),
        "smoke is healthy"
    );
}

#[test]
fn example_uses_every_field_and_only_misses_expectation_files() {
    let path = repo_root().join("scenarios/example.yaml");
    let text = std::fs::read_to_string(&path).expect("example.yaml");
    for field in [
        "name:",
        "description:",
        "seed:",
        "time_scale:",
        "max_in_flight:",
        "overload:",
        "users:",
        "presets:",
        "job_timeout:",
        "tolerances:",
        "rate_error_pct:",
        "late_threshold_ms:",
        "late_pct:",
        "expectations:",
        "phases:",
        "duration:",
        "rate:",
        "arrivals:",
        "faults:",
        "allow_dropped:",
        "from:",
        "to:",
    ] {
        assert!(text.contains(field), "example.yaml does not show `{field}`");
    }
    // The expectation files belong to the expectations folder; everything else must be valid.
    if let Err(errs) = load_scenario(&path) {
        for e in &errs.0 {
            assert!(
                e.field.starts_with("expectations["),
                "unexpected error: {e}"
            );
        }
    }
}

const BAD: &str = "name: smoke test
time_scale: 0
presets: {short: 1, premum: 2}
phases:
  - name: a
    duration: soon
    rate: fast
  - name: a
    duration: 99999999999999999999999999999999999999999999999999m
    rate: {from: 1/s, to: 20/minute}
    faults: {job_failure_ratio: 1.5}
expectations: [missing.yaml]
";

#[test]
fn every_error_at_once_with_line_and_column() {
    let errs = parse_scenario(BAD, Path::new("bad.yaml")).expect_err("invalid");
    let lines: Vec<String> = errs.0.iter().map(ToString::to_string).collect();
    let want = [
        "bad.yaml:1:7: name: expected letters, digits",
        "bad.yaml:2:13: time_scale: expected a number from 0.001 to 1000000, got `0`",
        "bad.yaml:3:29: presets.premum: expected one of short, standard, premium, got `premum`; did you mean `premium`?",
        "bad.yaml:6:15: phases[0].duration: expected a number followed by ms, s, m or h (e.g. `30s`, `5m`), got `soon`",
        "bad.yaml:7:11: phases[0].rate: expected a number followed by /s, /m or /h (e.g. `10/s`), got `fast`",
        "bad.yaml:8:11: phases[1].name: expected a name not used by an earlier phase, got `a` again",
        "bad.yaml:9:15: phases[1].duration: expected a duration of at most 8784h (366 days), got `9999",
        "bad.yaml:10:11: phases[1].rate.to: expected a number followed by /s, /m or /h (e.g. `10/s`), got `20/minute`",
        "bad.yaml:11:13: phases[1].faults: job_failure_ratio: expected a probability from 0 to 1, got `1.5`",
        "bad.yaml:12:16: expectations[0]: expected an existing file",
    ];
    assert_eq!(lines.len(), want.len(), "{lines:#?}");
    for (got, w) in lines.iter().zip(want) {
        assert!(got.starts_with(w), "got `{got}`\nwant `{w}...`");
    }
}

#[test]
fn cli_exits_2_and_names_each_error_without_running() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bad.yaml");
    std::fs::write(&path, BAD).expect("write");
    let report_dir = dir.path().join("report");
    let out = obsgate()
        .arg("run")
        .arg(&path)
        .arg("--report-dir")
        .arg(&report_dir)
        .arg("--target")
        .arg("http://127.0.0.1:9")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("invalid scenario (10 errors)"), "{stderr}");
    for line in [
        ":1:7: name",
        ":6:15: phases[0].duration",
        ":7:11: phases[0].rate",
        ":9:15: phases[1].duration",
        ":11:13: phases[1].faults",
    ] {
        assert!(stderr.contains(line), "stderr lacks `{line}`:\n{stderr}");
    }
    assert!(!report_dir.exists(), "nothing runs on a bad scenario");
}

#[test]
fn unknown_field_is_located() {
    let errs = parse_scenario(
        "name: x\nphases:\n  - name: a\n    duration: 1s\n    rate: 1/s\n    rat: 2\n",
        Path::new("s.yaml"),
    )
    .expect_err("invalid");
    let e = errs.0.first().expect("one error").to_string();
    assert!(
        e.starts_with("s.yaml:6:5:") && e.contains("unknown field `rat`"),
        "{e}"
    );
}
