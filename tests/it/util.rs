//! Helpers shared by the integration tests: the binary under test, paths, deadline polling.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// `obsgate` as built by cargo for this test run.
pub fn obsgate() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("obsgate").expect("obsgate binary is built by cargo test")
}

/// Path to the built `obsgate` binary (for spawning long-running children).
pub fn obsgate_path() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_obsgate"))
}

/// The repository root (where Cargo.toml is).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shared third-party corpus, when present beside the repository.
pub fn corpus_dir() -> Option<PathBuf> {
    let p = repo_root().join("../shared/corpus");
    p.is_dir().then_some(p)
}

/// Poll `f` until it returns `Some`, or panic with `what` after `timeout`.
pub fn poll_until<T>(timeout: Duration, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// True when `bin` is on PATH.
pub fn have(bin: &str) -> bool {
    std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|p| p.join(bin).is_file()))
        .unwrap_or(false)
}

/// Fail naming every check id of a report (report.json, or `obsgate check --output json`)
/// that no registered check matches: every id a report shows must be explainable by
/// `obsgate checks explain`, so a new check must be declared in its module's `CHECKS`.
pub fn assert_registered(report: &serde_json::Value) {
    let checks = report["checks"].as_array().expect("checks[]");
    let unknown: Vec<&str> = checks
        .iter()
        .filter_map(|c| c["id"].as_str())
        .filter(|id| obsgate::check::registry::find(id).is_none())
        .collect();
    assert!(
        unknown.is_empty(),
        "check ids missing from the registry (declare them in a CHECKS list): {unknown:?}"
    );
}

/// [`assert_registered`] on `dir/report.json`.
pub fn assert_registered_dir(dir: &Path) {
    let path = dir.join("report.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    assert_registered(&serde_json::from_str(&text).expect("report.json is JSON"));
}

/// A temp folder holding a copy of the shipped `config/` with `file` replaced by the one of
/// `tests/fixtures/config/<fixture>/` (a seeded defect).
pub fn config_with(fixture: &str, file: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("temp dir");
    copy_dir(&repo_root().join("config"), &tmp.path().join("config"));
    let src = repo_root()
        .join("tests/fixtures/config")
        .join(fixture)
        .join(file);
    std::fs::copy(&src, tmp.path().join("config").join(file)).expect("fixture copied");
    tmp
}

/// Copy a folder tree.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read config dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).expect("copy");
        }
    }
}

/// `obsgate run SCENARIO --quiet --stack none` from the repository root with `extra` flags,
/// into a temporary report folder; (exit code, report.json), every check id registered.
pub fn run_scenario(scenario: &str, extra: &[&std::ffi::OsStr]) -> (i32, serde_json::Value) {
    run_scenario_on("none", scenario, extra)
}

/// [`run_scenario`] with `--stack STACK` (`none`, `managed`).
pub fn run_scenario_on(
    stack: &str,
    scenario: &str,
    extra: &[&std::ffi::OsStr],
) -> (i32, serde_json::Value) {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = obsgate()
        .current_dir(repo_root())
        .args(["run", scenario, "--quiet", "--stack", stack, "--report-dir"])
        .arg(dir.path())
        .args(extra)
        .timeout(Duration::from_secs(300))
        .output()
        .expect("obsgate run starts");
    let text = std::fs::read_to_string(dir.path().join("report.json")).unwrap_or_else(|e| {
        panic!(
            "no report.json ({e}); stdout:\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let report: serde_json::Value = serde_json::from_str(&text).expect("report.json is JSON");
    assert_registered(&report);
    // A passing run leaves no stack state behind; any other names the folder it kept.
    let data = dir.path().join("stack-data");
    match report["kept_stack_data"].as_str() {
        Some(kept) => assert!(report["verdict"] != "pass" && data.is_dir(), "{kept}"),
        None => assert!(
            !data.exists(),
            "{} left after {}",
            data.display(),
            report["verdict"]
        ),
    }
    (out.status.code().unwrap_or(-1), report)
}

/// Prometheus and Alertmanager are on PATH; otherwise says which `what` is skipped.
pub fn stack_binaries(what: &str) -> bool {
    let ok = have("prometheus") && have("prometheus-alertmanager");
    if !ok {
        eprintln!("note: prometheus/prometheus-alertmanager not on PATH; {what} skipped");
    }
    ok
}

/// (status, message) of the check `id` in a report.json; panics naming it when absent.
pub fn check_status<'a>(r: &'a serde_json::Value, id: &str) -> (&'a str, &'a str) {
    let c = r["checks"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["id"] == id))
        .unwrap_or_else(|| panic!("no check {id} in {}", r["checks"]));
    (
        c["status"].as_str().unwrap_or(""),
        c["message"].as_str().unwrap_or(""),
    )
}

/// `obsgate check ARGS --report-dir DIR` from the repository root: (exit code, stdout then
/// stderr, report.json or null when none was written).
pub fn obsgate_check(args: &[&str], dir: &Path) -> (i32, String, serde_json::Value) {
    let out = obsgate()
        .current_dir(repo_root())
        .arg("check")
        .args(args)
        .arg("--report-dir")
        .arg(dir)
        .output()
        .expect("obsgate runs");
    let report = std::fs::read_to_string(dir.join("report.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text, report)
}

/// The evidence lines of the check `id` in a report.json, joined by newlines ("" when absent).
pub fn check_evidence(report: &serde_json::Value, id: &str) -> String {
    report["checks"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["id"] == id))
        .and_then(|c| c["evidence"].as_array())
        .map(|ev| {
            ev.iter()
                .filter_map(|e| e.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}
