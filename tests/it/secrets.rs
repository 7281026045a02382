//! Secrets of the user's configs stay out of the report dir: a managed-stack run on configs
//! carrying a secret in each place (Slack URLs, a PagerDuty key, basic auth, bearer
//! credentials, a webhook URL with user info and a query) leaves none of them in any file.

use crate::util::{have, obsgate, repo_root};

/// Every file under `dir` (the report dir is flat, but walk it anyway).
fn files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("read report dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn no_secret_of_the_configs_reaches_the_report_dir() {
    if !(have("prometheus") && have("prometheus-alertmanager")) {
        eprintln!("note: prometheus/prometheus-alertmanager not on PATH; secrets test skipped");
        return;
    }
    let report = tempfile::tempdir().expect("temp dir");
    let out = obsgate()
        .current_dir(repo_root())
        .args(["run", "tests/fixtures/secrets/scenario.yaml", "--quiet"])
        .args([
            "--stack",
            "managed",
            "--config-dir",
            "tests/fixtures/secrets/config",
        ])
        .arg("--report-dir")
        .arg(report.path())
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .expect("obsgate run starts");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written = files(report.path());
    assert!(written.len() >= 6, "{written:?}");
    for f in &written {
        let text = String::from_utf8_lossy(&std::fs::read(f).expect("read")).into_owned();
        assert!(!text.contains("SEKRET"), "a secret in {}", f.display());
    }
    let am = std::fs::read_to_string(report.path().join("alertmanager.overlay.yml"))
        .expect("overlay copy");
    assert!(
        am.contains("\"password\": \"<secret>\"") && am.contains("<secret:"),
        "{am}"
    );
    let logs =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(!logs.contains("SEKRET"), "{logs}");
}
