//! Differential test of obsgate's Alertmanager matcher parser and routing evaluation against
//! `amtool` 0.25: matcher strings generated from a fixed seed, covering the parser's quirks and
//! the Go regex dialect, must be accepted or refused as `amtool check-config` does, and every
//! generated label set must reach the receivers `amtool config routes test` reports.
//!
//! Not generated: Go regex features whose difference from Rust's `regex` cannot be seen in a
//! short pattern (Unicode 13 versus newer tables, Go's program-size limit on huge patterns).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use obsgate::check::config::routes::RoutingModel;
use obsgate::check::config::routes_matchers::LabelSet;
use obsgate::config::alertmanager::AlertmanagerConfig;
use obsgate::config::load_yaml;

use crate::am_matchers_gen::{Case, cases, label_sets};
use crate::util::have;

/// A config routing to `r<i>` for each case, every child with `continue: true`.
fn config(cases: &[(usize, &Case)]) -> String {
    let mut y = String::from("route:\n  receiver: root\n  routes:\n");
    for (i, c) in cases {
        let _ = writeln!(y, "    - {{receiver: r{i}, continue: true, {}}}", c.yaml());
    }
    y.push_str("receivers:\n  - name: root\n");
    for (i, _) in cases {
        let _ = writeln!(y, "  - name: r{i}");
    }
    y
}

/// amtool's verdict on each file: `Ok(())` or its message. One invocation for all files.
fn amtool_check(files: &[PathBuf]) -> Vec<Result<(), String>> {
    let out = Command::new("amtool")
        .arg("check-config")
        .args(files)
        .output()
        .expect("amtool runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut by_file: BTreeMap<String, Result<(), String>> = BTreeMap::new();
    for block in text.split("Checking '").skip(1) {
        let (file, rest) = block.split_once('\'').expect("file name quoted");
        let rest = rest.trim_start();
        let verdict = match rest.strip_prefix("FAILED:") {
            Some(msg) => Err(msg.trim().to_string()),
            None if rest.starts_with("SUCCESS") => Ok(()),
            None => panic!("unexpected amtool output for {file}: {rest}"),
        };
        by_file.insert(file.to_string(), verdict);
    }
    files
        .iter()
        .map(|f| {
            by_file
                .remove(&f.display().to_string())
                .unwrap_or_else(|| panic!("amtool said nothing about {}", f.display()))
        })
        .collect()
}

/// obsgate's verdict on a file, through the code that loads alertmanager.yml.
fn obsgate_check(file: &Path) -> Result<RoutingModel, String> {
    let cfg = load_yaml::<AlertmanagerConfig>(file).map_err(|e| e.to_string())?;
    let model = RoutingModel::new(&cfg);
    match model.problems.first() {
        Some(p) => Err(p.clone()),
        None => Ok(model),
    }
}

/// A label as amtool's argument parser (Alertmanager's `ParseMatcher`) reads it back exactly.
fn label_arg(k: &str, v: &str) -> String {
    let v = v
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n");
    format!("{k}=\"{v}\"")
}

fn amtool_routes(file: &Path, labels: &LabelSet) -> Result<Vec<String>, String> {
    let out = Command::new("amtool")
        .args(["config", "routes", "test"])
        .arg(format!("--config.file={}", file.display()))
        .args(labels.iter().map(|(k, v)| label_arg(k, v)))
        .output()
        .expect("amtool runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!("{stdout} {}", String::from_utf8_lossy(&out.stderr)));
    }
    Ok(stdout
        .trim()
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect())
}

/// Acceptance of every case by both; returns the disagreements and the cases amtool accepts.
fn acceptance<'a>(dir: &Path, cases: &'a [Case]) -> (Vec<String>, Vec<(usize, &'a Case)>) {
    let files: Vec<PathBuf> = cases
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let f = dir.join(format!("case{i}.yml"));
            std::fs::write(&f, config(&[(i, c)])).expect("write case config");
            f
        })
        .collect();
    let theirs = amtool_check(&files);
    let mut diffs = Vec::new();
    let mut accepted = Vec::new();
    for ((i, c), (f, t)) in cases.iter().enumerate().zip(files.iter().zip(theirs)) {
        let ours = obsgate_check(f).map(|_| ());
        if ours.is_ok() != t.is_ok() {
            diffs.push(format!(
                "{:?} `{}`: obsgate {ours:?}, amtool {t:?}",
                c.kind, c.text
            ));
        }
        if t.is_ok() {
            accepted.push((i, c));
        }
    }
    (diffs, accepted)
}

#[test]
fn matchers_parse_and_route_as_amtool_does() {
    if !have("amtool") {
        eprintln!("note: amtool not on PATH; matcher differential test skipped");
        return;
    }
    let started = std::time::Instant::now();
    let dir = tempfile::tempdir().expect("temp dir");
    let cases = cases();
    let (mut diffs, accepted) = acceptance(dir.path(), &cases);
    let refused = cases.len() - accepted.len();
    assert!(
        accepted.len() > cases.len() / 3 && refused > cases.len() / 10,
        "the generator should yield both accepted and refused matchers: {} accepted of {}",
        accepted.len(),
        cases.len()
    );
    let all = dir.path().join("all.yml");
    std::fs::write(&all, config(&accepted)).expect("write routing config");
    let model = obsgate_check(&all).unwrap_or_else(|e| {
        diffs.push(format!("the combined config: obsgate refuses it: {e}"));
        obsgate_check(&dir.path().join("case0.yml")).expect("some config loads")
    });
    let sets = label_sets();
    for labels in &sets {
        let ours = model.receivers_for(labels);
        match amtool_routes(&all, labels) {
            Ok(theirs) if theirs == ours => {}
            theirs => diffs.push(format!(
                "labels {labels:?}: obsgate {ours:?}, amtool {theirs:?} ({})",
                matchers_of(&ours, &theirs, &cases)
            )),
        }
    }
    eprintln!(
        "{} cases ({} accepted), {} label sets, {} amtool runs, {:?}",
        cases.len(),
        accepted.len(),
        sets.len(),
        1 + sets.len(),
        started.elapsed()
    );
    assert!(
        diffs.is_empty(),
        "{} disagreements with amtool:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

/// The cases behind the receivers only one side reached, for the failure message.
fn matchers_of(ours: &[String], theirs: &Result<Vec<String>, String>, cases: &[Case]) -> String {
    let theirs = theirs.as_ref().map(Vec::as_slice).unwrap_or(&[]);
    ours.iter()
        .filter(|r| !theirs.contains(r))
        .chain(theirs.iter().filter(|r| !ours.contains(r)))
        .filter_map(|r| r.strip_prefix('r')?.parse::<usize>().ok())
        .map(|i| format!("r{i}: {:?} `{}`", cases[i].kind, cases[i].text))
        .collect::<Vec<_>>()
        .join("; ")
}
