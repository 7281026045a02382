//! The Watchdog heartbeat on a real managed stack: Alertmanager is paused (SIGSTOP) mid-run for
//! longer than the heartbeat's interval and resumed (SIGCONT); `alerts.heartbeat.Watchdog` is an
//! error naming the gap and the run is incomplete (exit 3). Skipped without the binaries.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{assert_registered, have, obsgate_path, poll_until, repo_root};

/// The direct child of `parent` whose program (argv[0]) names `what` (Prometheus's flags name
/// Alertmanager too).
fn child_named(parent: u32, what: &str) -> Option<i32> {
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
        let pid: i32 = e.file_name().to_str()?.parse().ok()?;
        let stat = std::fs::read_to_string(e.path().join("stat")).ok()?;
        // `pid (comm) state ppid ...`: the comm may hold spaces, so read after the last `)`.
        let ppid: u32 = stat
            .rsplit_once(')')?
            .1
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()?;
        let cmd = std::fs::read(e.path().join("cmdline")).ok()?;
        let argv0 = cmd.split(|b| *b == 0).next().unwrap_or_default();
        (ppid == parent && String::from_utf8_lossy(argv0).contains(what)).then_some(pid)
    })
}

/// Whether the Alertmanager at `listen` (`127.0.0.1:PORT`) holds a Watchdog alert: the stack is
/// up and the heartbeat has started.
fn watchdog_active(listen: &str) -> bool {
    use std::io::{Read, Write};
    let Ok(mut s) = std::net::TcpStream::connect(listen) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    let req = format!("GET /api/v2/alerts HTTP/1.0\r\nHost: {listen}\r\n\r\n");
    let mut body = String::new();
    s.write_all(req.as_bytes()).is_ok()
        && s.read_to_string(&mut body).is_ok()
        && body.contains("\"Watchdog\"")
}

/// The `--web.listen-address` of the process `pid`.
fn listen_address(pid: i32) -> Option<String> {
    let cmd = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    String::from_utf8_lossy(&cmd)
        .split('\0')
        .find_map(|a| a.strip_prefix("--web.listen-address=").map(str::to_string))
}

/// Resumes the paused process and kills the run when the test ends, however it ends.
struct Guard {
    run: Child,
    paused: Option<i32>,
}

impl Guard {
    fn signal(pid: i32, sig: i32) {
        // SAFETY: kill(2) on a pid this test found as its own grandchild; no memory involved.
        unsafe {
            libc::kill(pid, sig);
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(pid) = self.paused.take() {
            Self::signal(pid, libc::SIGCONT);
        }
        if matches!(self.run.try_wait(), Ok(None)) {
            let _ = self.run.kill();
            let _ = self.run.wait();
        }
    }
}

fn report_of(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("report.json")).expect("report.json");
    serde_json::from_str(&text).expect("JSON")
}

#[test]
fn a_paused_alertmanager_is_a_heartbeat_gap_and_the_run_is_incomplete() {
    if !(have("prometheus") && have("prometheus-alertmanager")) {
        eprintln!("note: prometheus/prometheus-alertmanager not on PATH; heartbeat test skipped");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let run = Command::new(obsgate_path())
        .current_dir(repo_root())
        .args(["run", "tests/fixtures/alerts/heartbeat.yaml", "--quiet"])
        .args(["--stack", "managed"])
        .args(["--config-dir", "tests/fixtures/alerts/heartbeat-config"])
        .arg("--report-dir")
        .arg(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("obsgate run starts");
    let mut g = Guard { run, paused: None };
    let parent = g.run.id();
    let am = poll_until(Duration::from_secs(60), "the managed Alertmanager", || {
        child_named(parent, "alertmanager")
    });
    let listen = listen_address(am).expect("Alertmanager's listen address");
    poll_until(
        Duration::from_secs(60),
        "the Watchdog in Alertmanager",
        || watchdog_active(&listen).then_some(()),
    );
    // Let the heartbeat go on (1 wall second per 30 s of scenario time), then pause for 8 wall
    // seconds: 240 s of scenario time, beyond the 30 s interval + 30 s group_interval + margin.
    std::thread::sleep(Duration::from_secs(3));
    Guard::signal(am, libc::SIGSTOP);
    g.paused = Some(am);
    let paused_at = Instant::now();
    std::thread::sleep(Duration::from_secs(8));
    Guard::signal(am, libc::SIGCONT);
    g.paused = None;
    let paused_s = paused_at.elapsed().as_secs_f64();
    let status = poll_until(Duration::from_secs(300), "the run to end", || {
        g.run.try_wait().ok().flatten()
    });
    let report = report_of(dir.path());
    assert_registered(&report);
    let hb = report["checks"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["id"] == "alerts.heartbeat.Watchdog"))
        .unwrap_or_else(|| panic!("no heartbeat check in {}", report["checks"]));
    let msg = hb["message"].as_str().unwrap_or_default();
    assert_eq!(hb["status"], "error", "{msg}");
    assert!(msg.contains("no heartbeat between "), "{msg}");
    assert!(msg.contains("interval 30 s"), "{msg}");
    assert!(msg.contains("the alerting path was down"), "{msg}");
    // The gap, in scenario seconds, covers most of the pause (30 scenario s per wall s).
    let gap_s: f64 = msg
        .split_once(" s, interval")
        .and_then(|(head, _)| head.rsplit_once('(')?.1.parse().ok())
        .unwrap_or_else(|| panic!("no gap length in {msg}"));
    assert!(
        gap_s >= (paused_s - 4.0) * 30.0,
        "gap {gap_s} s, paused {paused_s} s: {msg}"
    );
    assert_eq!(report["verdict"], "incomplete", "{}", report["checks"]);
    assert_eq!(status.code(), Some(3));
}
