//! Integration tests: every input kept in `fuzz/regressions/<target>/` (past crashes, and one
//! or more valid seeds per target) is fed to the same entry point as that fuzz target
//! (`obsgate::fuzzing`), on the stable toolchain, so a fixed crash stays fixed.

use std::path::PathBuf;

use obsgate::fuzzing::{TARGETS, run};

use crate::util::repo_root;

fn inputs(target: &str) -> Vec<PathBuf> {
    let dir = repo_root().join("fuzz/regressions").join(target);
    assert!(dir.is_dir(), "{} is missing", dir.display());
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn every_regression_input_replays_without_a_crash() {
    for target in TARGETS {
        let files = inputs(target);
        assert!(
            !files.is_empty(),
            "fuzz/regressions/{target}/ has no input to replay"
        );
        for f in &files {
            let data = std::fs::read(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            assert!(run(target, &data), "no fuzz entry point named {target}");
        }
    }
}

#[test]
fn every_regression_folder_is_a_target() {
    let dir = repo_root().join("fuzz/regressions");
    for e in std::fs::read_dir(&dir).expect("fuzz/regressions/ exists") {
        let name = e.expect("directory entry").file_name();
        let name = name.to_string_lossy();
        assert!(
            TARGETS.contains(&name.as_ref()),
            "fuzz/regressions/{name}/ names no fuzz target (one of {TARGETS:?})"
        );
    }
}

#[test]
fn every_target_has_a_fuzz_target_file() {
    for target in TARGETS {
        let p = repo_root().join(format!("fuzz/fuzz_targets/{target}.rs"));
        let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        assert!(
            text.contains(&format!("obsgate::fuzzing::{target}(")),
            "{} does not call obsgate::fuzzing::{target}",
            p.display()
        );
    }
}
