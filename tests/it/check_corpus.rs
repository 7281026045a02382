//! The third-party corpus checked one file at a time in correctness mode (no expectations),
//! the findings pinned in `tests/fixtures/check/corpus.snap`, as pint keeps `.snap` files: a
//! change to any check that adds, removes or rewords a finding on real files shows up as a diff
//! to review. Regenerate with `OBSGATE_BLESS=1 cargo test --test it check_corpus`.

use std::fmt::Write;
use std::path::Path;

use crate::util::{corpus_dir, obsgate, repo_root};

const SNAPSHOT: &str = "tests/fixtures/check/corpus.snap";

/// `obsgate check --no-tools` on one file (`flag` says which kind): every check that is not a
/// pass, as `status id: message` lines with the corpus path made relative.
fn findings(flag: &str, file: &Path, corpus: &Path) -> (i32, Vec<String>) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = obsgate()
        .current_dir(repo_root())
        .args(["check", "--no-tools", flag])
        .arg(file)
        .arg("--report-dir")
        .arg(tmp.path())
        .output()
        .expect("obsgate runs");
    let text = std::fs::read_to_string(tmp.path().join("report.json")).unwrap_or_default();
    let report: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    let prefix = format!("{}/", corpus.display());
    let lines = report["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["status"] != "pass")
        .map(|c| {
            let msg = c["message"]
                .as_str()
                .unwrap_or_default()
                .replace(&prefix, "");
            format!(
                "{} {}: {msg}",
                c["status"].as_str().unwrap_or_default(),
                c["id"].as_str().unwrap_or_default()
            )
        })
        .collect();
    (out.status.code().unwrap_or(-1), lines)
}

fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    v
}

#[test]
fn corpus_findings_match_the_snapshot() {
    let Some(corpus) = corpus_dir() else {
        eprintln!("skipping: no corpus");
        return;
    };
    let mut snap = String::new();
    for (sub, flag) in [
        ("rules", "--rules"),
        ("dashboards", "--dashboards"),
        ("alertmanager", "--alertmanager"),
    ] {
        for f in files(&corpus.join(sub)) {
            let (code, lines) = findings(flag, &f, &corpus);
            let name = f.strip_prefix(&corpus).unwrap_or(&f).display().to_string();
            let _ = writeln!(snap, "## {name} (exit {code})");
            for l in lines {
                let _ = writeln!(snap, "{l}");
            }
        }
    }
    let path = repo_root().join(SNAPSHOT);
    if std::env::var_os("OBSGATE_BLESS").is_some() {
        std::fs::write(&path, &snap).expect("write snapshot");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != snap {
        let diff: Vec<String> = snap
            .lines()
            .filter(|l| !committed.lines().any(|c| c == *l))
            .map(|l| format!("+ {l}"))
            .chain(
                committed
                    .lines()
                    .filter(|c| !snap.lines().any(|l| l == *c))
                    .map(|l| format!("- {l}")),
            )
            .take(40)
            .collect();
        panic!(
            "{SNAPSHOT} differs (OBSGATE_BLESS=1 to accept):\n{}",
            diff.join("\n")
        );
    }
}
