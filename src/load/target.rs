//! The stub as a child process (`obsgate stub --listen 127.0.0.1:0 ...`): spawn it, learn its
//! address from the `listening on ADDR` line on its stderr, hand its stdout (JSON logs) to
//! whoever captures them, and stop it (SIGTERM, then kill after a deadline; also on drop).

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use crate::exit::AppError;

/// Lines of the child's stderr kept for error messages.
const STDERR_TAIL: usize = 20;

/// How to start the stub.
#[derive(Debug, Clone)]
pub struct StubOptions {
    /// The obsgate binary (default: the running executable).
    pub exe: Option<PathBuf>,
    /// Scenario seconds per wall second.
    pub time_scale: f64,
    /// `--defect` switches.
    pub defects: Vec<String>,
    /// `--otlp-endpoint` (full traces URL).
    pub otlp_endpoint: Option<String>,
    /// `--seed` of the pipeline model.
    pub seed: u64,
    /// Any further arguments, passed verbatim after the others.
    pub extra_args: Vec<String>,
    /// How long to wait for the `listening on` line.
    pub start_timeout: Duration,
}

impl Default for StubOptions {
    fn default() -> Self {
        Self {
            exe: None,
            time_scale: 1.0,
            defects: Vec::new(),
            otlp_endpoint: None,
            seed: 1,
            extra_args: Vec::new(),
            start_timeout: Duration::from_secs(15),
        }
    }
}

/// A running stub child process.
#[derive(Debug)]
pub struct StubChild {
    child: Option<Child>,
    addr: SocketAddr,
    base_url: String,
    stdout: Option<ChildStdout>,
    stderr_tail: Arc<Mutex<VecDeque<String>>>,
}

/// The address in a `listening on ADDR` line.
pub fn parse_listening(line: &str) -> Option<SocketAddr> {
    let rest = line.split("listening on ").nth(1)?;
    let token = rest.split_whitespace().next()?;
    let token = token
        .trim_start_matches("http://")
        .trim_end_matches(['/', '"', ',']);
    token.parse().ok()
}

impl StubChild {
    /// Start the stub and wait for its address. Exit-3 errors carry the child's stderr.
    pub fn spawn(opts: &StubOptions) -> Result<Self, AppError> {
        let exe = match &opts.exe {
            Some(p) => p.clone(),
            None => std::env::current_exe()
                .map_err(|e| AppError::harness(format!("cannot find the obsgate binary: {e}")))?,
        };
        let mut cmd = Command::new(&exe);
        cmd.arg("stub")
            .arg("--exit-with-parent")
            .arg("--listen")
            .arg("127.0.0.1:0")
            .arg("--time-scale")
            .arg(opts.time_scale.to_string())
            .arg("--seed")
            .arg(opts.seed.to_string());
        for d in &opts.defects {
            cmd.arg("--defect").arg(d);
        }
        if let Some(u) = &opts.otlp_endpoint {
            cmd.arg("--otlp-endpoint").arg(u);
        }
        // Its own process group: a terminal's Ctrl-C reaches obsgate only (see stack/process.rs).
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        cmd.args(&opts.extra_args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().map_err(|e| {
            AppError::harness(format!(
                "cannot start the stub ({} stub): {e}",
                exe.display()
            ))
        })?;
        let stdout = child.stdout.take();
        let tail = Arc::new(Mutex::new(VecDeque::new()));
        let (tx, rx) = mpsc::channel();
        if let Some(stderr) = child.stderr.take() {
            let tail = tail.clone();
            std::thread::spawn(move || {
                let mut tx = Some(tx);
                for line in BufReader::new(stderr).lines() {
                    let Ok(line) = line else { break };
                    if let Some(addr) = parse_listening(&line)
                        && let Some(tx) = tx.take()
                    {
                        let _ = tx.send(addr);
                    }
                    let mut t = tail.lock();
                    if t.len() == STDERR_TAIL {
                        t.pop_front();
                    }
                    t.push_back(line);
                }
            });
        }
        let mut me = Self {
            child: Some(child),
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            base_url: String::new(),
            stdout,
            stderr_tail: tail,
        };
        match rx.recv_timeout(opts.start_timeout) {
            Ok(addr) => {
                me.addr = addr;
                me.base_url = format!("http://{addr}");
                Ok(me)
            }
            Err(_) => {
                // Give the stderr reader a moment to collect the child's last words.
                me.shutdown(Duration::from_secs(1));
                std::thread::sleep(Duration::from_millis(50));
                Err(AppError::harness(format!(
                    "the stub did not report `listening on ADDR` within {:?}; its stderr:\n{}",
                    opts.start_timeout,
                    me.stderr_tail()
                )))
            }
        }
    }

    /// Base URL of the stub, e.g. `http://127.0.0.1:40123`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The child's process id (0 once stopped).
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    /// The stub's stdout (JSON logs), for a log capturer. `None` once taken.
    pub fn take_stdout(&mut self) -> Option<ChildStdout> {
        self.stdout.take()
    }

    /// When nobody took stdout, read and discard it so the child never blocks on a full pipe.
    pub fn drain_untaken_stdout(&mut self) {
        if let Some(mut out) = self.stdout.take() {
            std::thread::spawn(move || {
                let mut buf = [0u8; 64 * 1024];
                while matches!(out.read(&mut buf), Ok(n) if n > 0) {}
            });
        }
    }

    /// The last lines the stub wrote on stderr.
    pub fn stderr_tail(&self) -> String {
        self.stderr_tail
            .lock()
            .iter()
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Whether the child still runs.
    pub fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// SIGTERM, wait up to `deadline` for a graceful exit, then kill. Idempotent.
    pub fn shutdown(&mut self, deadline: Duration) -> Option<ExitStatus> {
        let mut child = self.child.take()?;
        if let Ok(Some(st)) = child.try_wait() {
            return Some(st);
        }
        // No signal crate in the dependency tree: `kill -TERM` is POSIX and always present.
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let until = Instant::now() + deadline;
        while Instant::now() < until {
            if let Ok(Some(st)) = child.try_wait() {
                return Some(st);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        child.wait().ok()
    }
}

impl Drop for StubChild {
    fn drop(&mut self) {
        self.shutdown(Duration::from_secs(2));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_listening_line() {
        assert_eq!(
            parse_listening("listening on 127.0.0.1:4321"),
            Some(SocketAddr::from(([127, 0, 0, 1], 4321)))
        );
        assert_eq!(
            parse_listening("obsgate stub: listening on http://127.0.0.1:80/ (pid 3)"),
            Some(SocketAddr::from(([127, 0, 0, 1], 80)))
        );
        assert_eq!(parse_listening("starting"), None);
    }
}

#[cfg(test)]
mod child_tests {
    use super::*;
    use std::io::Read;
    use std::os::unix::fs::PermissionsExt;

    fn script(dir: &std::path::Path, body: &str) -> PathBuf {
        let p = dir.join("fake-obsgate");
        std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).expect("write script");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        p
    }

    #[test]
    fn spawn_reads_address_hands_out_stdout_and_stops() {
        let dir = tempfile::tempdir().expect("tempdir");
        let exe = script(
            dir.path(),
            "echo \"args: $*\" >&2\necho 'listening on 127.0.0.1:4555' >&2\necho '{\"level\":\"INFO\"}'\nexec sleep 30",
        );
        let opts = StubOptions {
            exe: Some(exe),
            time_scale: 10.0,
            defects: vec!["drop-traceparent".into()],
            ..StubOptions::default()
        };
        let mut child = StubChild::spawn(&opts).expect("spawn");
        assert_eq!(child.base_url(), "http://127.0.0.1:4555");
        assert!(
            child
                .stderr_tail()
                .contains("--time-scale 10 --seed 1 --defect drop-traceparent")
        );
        let mut out = child.take_stdout().expect("stdout");
        assert!(child.take_stdout().is_none(), "stdout is handed out once");
        let mut first = [0u8; 17];
        out.read_exact(&mut first).expect("a log line");
        assert_eq!(&first, b"{\"level\":\"INFO\"}\n");
        assert!(child.is_running());
        let status = child.shutdown(Duration::from_secs(5)).expect("exit status");
        assert!(!status.success(), "stopped by SIGTERM");
        assert!(!child.is_running());
    }

    #[test]
    fn a_stub_that_never_listens_is_a_harness_error_with_its_stderr() {
        let dir = tempfile::tempdir().expect("tempdir");
        let exe = script(dir.path(), "echo 'error: port busy' >&2\nexit 3");
        let opts = StubOptions {
            exe: Some(exe),
            start_timeout: Duration::from_secs(2),
            ..StubOptions::default()
        };
        let err = StubChild::spawn(&opts).expect_err("never listens");
        assert_eq!(err.outcome, crate::exit::Outcome::Harness);
        assert!(err.message.contains("error: port busy"), "{}", err.message);
    }
}
