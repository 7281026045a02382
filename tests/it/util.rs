//! Helpers shared by the integration tests: the binary under test, paths, deadline polling.
#![allow(dead_code)]

use std::path::PathBuf;
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
