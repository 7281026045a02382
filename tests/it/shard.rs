//! Sharded runs end to end: three `obsgate run --shard I/3` processes of one scenario (each
//! with its own stub on 127.0.0.1:0) plus `obsgate report merge` give the counts and histogram
//! totals of one unsharded run; the merge refuses what is not every shard of one run; bad
//! `--shard` values are usage errors; the Kubernetes manifests wire the completion index to
//! `--shard` consistently.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{assert_registered_dir, check_status, obsgate, obsgate_path, repo_root};

const SCENARIO: &str = "tests/fixtures/scenarios/shard.yaml";

/// Kills the child on drop, so a failing assertion stops every process it started.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `obsgate run SCENARIO --shard SHARD` into `dir`, started (not awaited).
fn start_shard(shard: &str, dir: &Path) -> Running {
    let child = Command::new(obsgate_path())
        .current_dir(repo_root())
        .args([
            "run", SCENARIO, "--quiet", "--stack", "none", "--shard", shard,
        ])
        .arg("--report-dir")
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("obsgate run starts");
    Running(child)
}

/// Wait for every child with one deadline; each must exit 0 (a passing run).
fn wait_all(children: &mut [Running], timeout: Duration) {
    let deadline = Instant::now() + timeout;
    for c in children.iter_mut() {
        loop {
            if let Some(status) = c.0.try_wait().expect("try_wait") {
                assert!(status.success(), "a shard run exited {status}");
                break;
            }
            assert!(
                Instant::now() < deadline,
                "shard runs still going after {timeout:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn report(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("report.json")).expect("report.json written");
    serde_json::from_str(&text).expect("report.json is JSON")
}

/// (scheduled, sent, succeeded) per phase.
fn counts(r: &serde_json::Value) -> Vec<(u64, u64, u64)> {
    let n = |p: &serde_json::Value, k: &str| p[k].as_u64().unwrap_or(u64::MAX);
    r["load"]["phases"]
        .as_array()
        .expect("phases[]")
        .iter()
        .map(|p| (n(p, "scheduled"), n(p, "sent"), n(p, "succeeded")))
        .collect()
}

/// Per phase, the number of latencies each serialized histogram recorded.
fn hist_totals(r: &serde_json::Value) -> Vec<[u64; 3]> {
    let len = |v: &serde_json::Value| {
        obsgate::load::stats::Hist::from_base64(v.as_str().expect("base64 text"))
            .expect("a V2 histogram")
            .len()
    };
    r["shard"]["phases"]
        .as_array()
        .expect("shard.phases[]")
        .iter()
        .map(|p| {
            let h = &p["histograms"];
            [
                len(&h["latency_us"]),
                len(&h["job_time_ms"]),
                len(&h["lag_us"]),
            ]
        })
        .collect()
}

fn merge(args: &[&Path], out: &Path) -> (i32, String) {
    let o = obsgate()
        .current_dir(repo_root())
        .args(["report", "merge"])
        .args(args)
        .arg("--report-dir")
        .arg(out)
        .timeout(Duration::from_secs(60))
        .output()
        .expect("obsgate report merge runs");
    let text =
        String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    (o.status.code().unwrap_or(-1), text)
}

#[test]
fn three_shards_merge_into_the_unsharded_run() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = |name: &str| tmp.path().join(name);
    let shards: Vec<PathBuf> = (0..3).map(|i| dir(&format!("shard-{i}"))).collect();
    // `--shard 0/1` is the whole schedule in one process, with its histograms serialized.
    let mut children: Vec<Running> = shards
        .iter()
        .enumerate()
        .map(|(i, d)| start_shard(&format!("{i}/3"), d))
        .collect();
    children.push(start_shard("0/1", &dir("whole")));
    wait_all(&mut children, Duration::from_secs(240));
    let whole = report(&dir("whole"));
    let parts: Vec<serde_json::Value> = shards.iter().map(|d| report(d)).collect();
    for (i, p) in parts.iter().enumerate() {
        assert_eq!(p["shard"]["index"], i as u64);
        let (status, msg) = check_status(p, "shard.once");
        assert_eq!(status, if i == 0 { "pass" } else { "skip" }, "{msg}");
    }

    let refs: Vec<&Path> = shards.iter().map(PathBuf::as_path).collect();
    let (code, out) = merge(&refs, &dir("merged"));
    assert_eq!(code, 0, "{out}");
    let merged = report(&dir("merged"));
    assert_registered_dir(&dir("merged"));
    for f in ["report.md", "report.html", "junit.xml"] {
        assert!(dir("merged").join(f).is_file(), "{f} written");
    }
    assert_eq!(counts(&merged), counts(&whole), "merged counts");
    assert!(
        counts(&whole).iter().all(|c| c.0 > 20 && c.0 == c.2),
        "{:?}",
        counts(&whole)
    );
    // The shards' histograms add up to the unsharded run's, value count by value count.
    let mut sum = vec![[0u64; 3]; counts(&whole).len()];
    for p in &parts {
        for (s, t) in sum.iter_mut().zip(hist_totals(p)) {
            for k in 0..3 {
                s[k] += t[k];
            }
        }
    }
    assert_eq!(sum, hist_totals(&whole), "histogram totals");
    assert_eq!(merged["verdict"], "pass", "{out}");
    for phase in ["ramp", "steady"] {
        for c in ["rate", "accounting", "errors"] {
            assert_eq!(
                check_status(&merged, &format!("load.{c}.{phase}")).0,
                "pass"
            );
        }
    }
    assert_eq!(check_status(&merged, "shard.once").0, "pass");
    refusals(&shards, &dir("whole"), tmp.path());
}

/// What `report merge` refuses, with exit 2 and a message naming the defect.
fn refusals(shards: &[PathBuf], whole: &Path, tmp: &Path) {
    let out = tmp.join("refused");
    let (s0, s1, s2) = (&shards[0], &shards[1], &shards[2]);
    let cases: Vec<(Vec<&Path>, &str)> = vec![
        (vec![s0, s1], "shard 2 of 3 missing"),
        (vec![s0, s1, s1, s2], "shard 1 of 3 given twice"),
        (vec![s0, s1, whole], "shard count 1"),
    ];
    for (args, says) in cases {
        let (code, text) = merge(&args, &out);
        assert_eq!(code, 2, "{says}: {text}");
        assert!(text.contains(says), "expected `{says}` in: {text}");
    }
    // A shard of another seed: the same report with its seed changed.
    let other = tmp.join("other-seed");
    std::fs::create_dir_all(&other).expect("mkdir");
    let mut r = report(s2);
    r["shard"]["seed"] = serde_json::json!(99);
    std::fs::write(other.join("report.json"), r.to_string()).expect("write");
    let (code, text) = merge(&[s0, s1, &other], &out);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("seed 99, but") && text.contains("other-seed"),
        "{text}"
    );
    assert!(
        !out.join("report.json").exists(),
        "a refused merge writes nothing"
    );
}

#[test]
fn bad_shard_values_are_usage_errors() {
    for (value, says) in [
        ("3/3", "the index 3 is not below the count 3"),
        ("x", "no `/`"),
        ("1/0", "the count 0"),
    ] {
        let dir = tempfile::tempdir().expect("temp dir");
        let o = obsgate()
            .current_dir(repo_root())
            .args([
                "run", SCENARIO, "--quiet", "--stack", "none", "--shard", value,
            ])
            .arg("--report-dir")
            .arg(dir.path())
            .timeout(Duration::from_secs(60))
            .output()
            .expect("obsgate runs");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "--shard {value}: {err}");
        assert!(
            err.contains(&format!("--shard `{value}`")) && err.contains(says),
            "{err}"
        );
        assert!(err.contains("0 ≤ I < N"), "says what is allowed: {err}");
        assert!(!dir.path().join("report.json").exists());
    }
}

#[test]
fn merge_of_a_whole_run_report_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let not_shard = dir.path().join("whole");
    std::fs::create_dir_all(&not_shard).expect("mkdir");
    let mut r = serde_json::to_value(obsgate::report::html_sample::sample_report()).expect("json");
    r["shard"] = serde_json::Value::Null;
    std::fs::write(not_shard.join("report.json"), r.to_string()).expect("write");
    let (code, text) = merge(&[&not_shard], &dir.path().join("out"));
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("not a shard's report"), "{text}");
}
