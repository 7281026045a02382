//! A component that dies mid-run: obsgate stops the schedule, writes an `incomplete` report
//! naming what died, when and in which phase, turns the checks that read it into errors, and
//! exits 3. Prometheus, Alertmanager and the stub are each SIGKILLed during the compressed SLO
//! fixture run (about 24 wall seconds).

use std::path::Path;
use std::time::Duration;

use crate::util::{obsgate_path, poll_until, repo_root, stack_binaries};

/// A child of `ppid` whose command name is `comm`.
fn child_named(ppid: u32, comm: &str) -> Option<u32> {
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
        let pid: u32 = e.file_name().to_str()?.parse().ok()?;
        let stat = std::fs::read_to_string(e.path().join("stat")).ok()?;
        let (head, rest) = stat.rsplit_once(')')?;
        let name = head.split_once('(')?.1;
        let parent: u32 = rest.split_whitespace().nth(1)?.parse().ok()?;
        (parent == ppid && name == comm).then_some(pid)
    })
}

/// Start `obsgate run` of the SLO fixture on the managed stack; return once Prometheus runs.
/// The stub starts first, then the stack; the load follows within a few seconds and lasts
/// about 24.
fn start_fixture_run(report: &Path) -> std::process::Child {
    let run = std::process::Command::new(obsgate_path())
        .current_dir(repo_root())
        .args([
            "run",
            "tests/fixtures/slo/scenario.yaml",
            "--quiet",
            "--stack",
            "managed",
        ])
        .arg("--report-dir")
        .arg(report)
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("obsgate run starts");
    poll_until(Duration::from_secs(60), "Prometheus to start", || {
        child_named(run.id(), "prometheus")
    });
    run
}

/// Run the fixture, SIGKILL the child named `comm` once the load runs; (exit code, report).
fn kill_mid_run(comm: &str, report: &Path) -> (i32, serde_json::Value) {
    let mut run = start_fixture_run(report);
    std::thread::sleep(Duration::from_secs(8));
    let victim = child_named(run.id(), comm).expect("the child to kill runs");
    let _ = std::process::Command::new("kill")
        .args(["-9", &victim.to_string()])
        .status();
    let status = poll_until(Duration::from_secs(90), "obsgate to exit", || {
        run.try_wait().expect("wait")
    });
    let text = std::fs::read_to_string(report.join("report.json")).expect("report.json written");
    (
        status.code().unwrap_or(-1),
        serde_json::from_str(&text).expect("json"),
    )
}

fn assert_incomplete_naming(comm: &str, component: &str) {
    if !stack_binaries("fault test") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let (code, r) = kill_mid_run(comm, dir.path());
    assert_eq!(code, 3, "{}", r["component_down"]);
    assert_eq!(r["verdict"], "incomplete");
    let why = r["component_down"].as_str().unwrap_or("");
    assert!(
        why.starts_with(&format!("{component} exited by signal 9 at ")),
        "{why}"
    );
    assert!(why.contains("into phase `"), "{why}");
    // The stack's state stays for whoever debugs the run, inside the report folder.
    let kept = r["kept_stack_data"].as_str().unwrap_or("");
    assert_eq!(Path::new(kept), dir.path().join("stack-data"));
    assert!(Path::new(kept).join("prometheus.yml").is_file(), "{kept}");
    let checks = r["checks"].as_array().expect("checks");
    let own = checks
        .iter()
        .find(|c| c["id"] == format!("stack.component.{component}"));
    assert_eq!(own.map(|c| &c["status"]), Some(&serde_json::json!("error")));
    // Nothing is blamed on the thing under test: what read the dead component is an error.
    let blamed: Vec<&serde_json::Value> = checks
        .iter()
        .filter(|c| {
            c["status"] == "fail" && ["alerts", "slo"].contains(&c["kind"].as_str().unwrap_or(""))
        })
        .collect();
    assert!(blamed.is_empty(), "{blamed:?}");
}

#[test]
fn prometheus_killed_mid_run_is_incomplete_and_exit_3() {
    assert_incomplete_naming("prometheus", "prometheus");
}

#[test]
fn alertmanager_killed_mid_run_is_incomplete_and_exit_3() {
    // The kernel keeps 15 characters of a command name.
    assert_incomplete_naming("prometheus-aler", "alertmanager");
}

#[test]
fn the_stub_killed_mid_run_is_incomplete_and_exit_3() {
    assert_incomplete_naming("obsgate", "stub");
}

/// Whether `pid` still runs (a zombie has ended: only its exit status is left).
fn running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| s.rsplit_once(')').map(|(_, r)| r.trim_start().to_string()))
        .is_some_and(|r| !r.starts_with('Z') && !r.starts_with('X'))
}

#[test]
fn a_sigkilled_run_leaves_no_process_behind() {
    if !stack_binaries("orphan test") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let mut run = start_fixture_run(dir.path());
    std::thread::sleep(Duration::from_secs(3));
    let kids: Vec<u32> = ["prometheus", "prometheus-aler", "obsgate"]
        .iter()
        .filter_map(|c| child_named(run.id(), c))
        .collect();
    assert_eq!(kids.len(), 3, "the stub, Prometheus and Alertmanager run");
    let _ = run.kill();
    let _ = run.wait();
    poll_until(
        Duration::from_secs(10),
        "every child of the killed run to end",
        || kids.iter().all(|p| !running(*p)).then_some(()),
    );
    // Its state is inside the report folder, not in /tmp.
    assert!(dir.path().join("stack-data").is_dir());
}
