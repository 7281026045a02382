//! Unit tests of whole rule files on a compressed clock: the shipped `config/alert-rules.yaml`,
//! the identity at K = 1, refusals with file, line, rule and the way out, and every rule file
//! of `../shared/corpus/rules` (skipped when the folder is absent).
use std::path::Path;

use serde_json::Value;

use super::config_tests::shipped;
use super::*;
use crate::config::rules_file::RuleFile;

/// The production scrape interval of `config/prometheus.yml`.
const SCRAPE_S: f64 = 15.0;

fn compress(text: &str, file: &str, k: f64) -> Result<CompressedRules, Vec<String>> {
    compress_rule_file(text, file, &mut Timers::new(k), SCRAPE_S)
}

/// The compressed text as the typed rule file Prometheus would load; every expression parses.
fn reparsed(c: &CompressedRules) -> RuleFile {
    let typed: RuleFile = crate::config::parse_yaml("compressed", &c.text)
        .unwrap_or_else(|e| panic!("compressed text is not a rule file: {e}\n{}", c.text));
    for r in typed.groups.iter().flat_map(|g| &g.rules) {
        let expr = r.expr.value.text();
        promql_parser::parser::parse(&expr).unwrap_or_else(|e| panic!("`{expr}`: {e}"));
    }
    typed
}

#[test]
fn every_shipped_rule_is_rewritten_at_k_30() {
    let file = "config/alert-rules.yaml";
    let c = compress(&shipped("alert-rules.yaml"), file, 30.0).unwrap_or_else(|e| panic!("{e:?}"));
    let typed = reparsed(&c);
    let rules: Vec<_> = typed.groups.iter().flat_map(|g| &g.rules).collect();
    // The ten seed alerts and the Watchdog heartbeat.
    assert_eq!(c.rewrites.len(), 11);
    assert_eq!(rules.len(), 11);
    for (rw, loaded) in c.rewrites.iter().zip(&rules) {
        assert_eq!(rw.file, file);
        assert!(rw.line > 0, "{rw:?}");
        assert_eq!(
            loaded.expr.value.text(),
            rw.rewritten,
            "the file loads what is reported"
        );
        if rw.original.contains("rate(") {
            assert!(rw.rewritten.contains(" / 30)"), "{rw:?}");
        }
        if rw.rule == "Watchdog" {
            // The heartbeat fires at once: no `for` to compress.
            assert_eq!((&rw.for_duration, &loaded.for_duration), (&None, &None));
            continue;
        }
        let (written, evaluated) = rw
            .for_duration
            .clone()
            .expect("every shipped alert but the heartbeat has `for`");
        assert_eq!(compress_duration(&written, 30.0).as_ref(), Ok(&evaluated));
        assert_eq!(loaded.for_duration.as_deref(), Some(evaluated.as_str()));
    }
    let first = &c.rewrites[0];
    assert_eq!(
        (first.rule.as_str(), first.line),
        ("PipelineHighErrorRate", 9)
    );
    assert_eq!(
        first.rewritten,
        "sum((rate(pipeline_duration_seconds_count{status=\"failed\"}[10s]) / 30)) / \
         sum((rate(pipeline_duration_seconds_count[10s]) / 30)) > 0.05"
    );
    assert_eq!(first.for_duration, Some(("5m".into(), "10s".into())));
    let render = c
        .rewrites
        .iter()
        .find(|r| r.rule == "RenderFailures")
        .expect("rule");
    assert!(
        render
            .rewritten
            .contains("increase(render_failures_total[20s])"),
        "{render:?}"
    );
    assert!(
        !render.rewritten.contains("/ 30"),
        "counts need no division: {render:?}"
    );
    assert_eq!(render.for_duration, Some(("1m".into(), "2s".into())));
}

#[test]
fn at_k_1_the_rule_file_is_the_identity() {
    let text = shipped("alert-rules.yaml");
    let c = compress(&text, "config/alert-rules.yaml", 1.0).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(c.text, text);
    assert!(c.rewrites.is_empty());
}

const TIMERS: &str = r#"groups:
  - name: g
    interval: 1m
    rules:
      - alert: Keeps
        expr: rate(errors_total[5m]) > 1
        for: 10m
        keep_firing_for: 10m
      - record: job:errors:rate5m
        expr: sum by (job) (rate(errors_total[5m]))
"#;

#[test]
fn keep_firing_for_and_the_group_interval_are_compressed() {
    let mut t = Timers::new(30.0);
    let c =
        compress_rule_file(TIMERS, "t.yaml", &mut t, SCRAPE_S).unwrap_or_else(|e| panic!("{e:?}"));
    reparsed(&c);
    let v: Value = serde_json::from_str(&c.text).expect("JSON");
    let g = &v["groups"][0];
    assert_eq!(g["interval"], "2s");
    assert_eq!(g["rules"][0]["for"], "20s");
    assert_eq!(g["rules"][0]["keep_firing_for"], "20s");
    assert_eq!(g["rules"][0]["expr"], "(rate(errors_total[10s]) / 30) > 1");
    assert_eq!(g["rules"][1]["record"], "job:errors:rate5m");
    let keeps = &c.rewrites[0];
    assert_eq!((keeps.rule.as_str(), keeps.line), ("Keeps", 6));
    assert_eq!(keeps.keep_firing_for, Some(("10m".into(), "20s".into())));
    let record = &c.rewrites[1];
    assert_eq!(
        (record.rule.as_str(), record.line),
        ("job:errors:rate5m", 10)
    );
    assert_eq!(
        (
            record.for_duration.as_ref(),
            record.keep_firing_for.as_ref()
        ),
        (None, None)
    );
    // The group interval is a timer: it bounds K (1 m over 100 ms is 600).
    assert_eq!(t.largest_k(), Some(600.0));
    // K 700 keeps every window above four scrapes but takes the interval to 86 ms.
    let mut fast = Timers::new(700.0);
    compress_rule_file(TIMERS, "t.yaml", &mut fast, SCRAPE_S).expect("compresses");
    let e = fast.check_floor().unwrap_err();
    assert!(
        e.contains("t.yaml:2: group `g` interval (1m) to 86 ms"),
        "{e}"
    );
}

const BAD: &str = r#"groups:
  - name: bad
    rules:
      - alert: Stale
        expr: 'time() - last_success_timestamp_seconds > 600'
      - alert: Fine
        expr: 'up == 0'
      - alert: Pinned
        expr: 'up @ 1700000000 == 0'
      - record: short:rate30s
        expr: 'rate(x_total[30s])'
"#;

#[test]
fn every_rule_that_cannot_be_compressed_is_refused_at_once() {
    let e = compress(BAD, "rules/bad.yaml", 30.0).expect_err("refused");
    assert_eq!(e.len(), 3, "{e:#?}");
    let expect = [
        (
            "rules/bad.yaml:5: alert `Stale`: time()",
            "reads the wall clock",
        ),
        (
            "rules/bad.yaml:9: alert `Pinned`: @ modifier",
            "absolute time",
        ),
        (
            "rules/bad.yaml:11: recording rule `short:rate30s`: range [30s]",
            "fewer than 4",
        ),
    ];
    for (msg, (head, why)) in e.iter().zip(expect) {
        assert!(msg.starts_with(head), "`{head}` does not start: {msg}");
        assert!(msg.contains(why), "`{why}` missing from: {msg}");
        assert_eq!(
            msg.matches("`--time-scale 1`").count(),
            1,
            "said once: {msg}"
        );
    }
    // At K = 1 the same file runs as written.
    assert_eq!(
        compress(BAD, "rules/bad.yaml", 1.0).map(|c| c.text),
        Ok(BAD.to_string())
    );
}

#[test]
fn a_file_that_is_not_a_rule_file_is_one_error_with_its_location() {
    let e = compress("groups:\n  - name: g\n    rulez: []\n", "x.yaml", 30.0).expect_err("refused");
    assert_eq!(e.len(), 1);
    assert!(e[0].starts_with("x.yaml:3:"), "{e:?}");
}

/// `msg` starts with `file:LINE:` (a 1-based line number).
fn has_line(msg: &str, file: &str) -> bool {
    msg.strip_prefix(file)
        .and_then(|r| r.strip_prefix(':'))
        .and_then(|r| r.split_once(':'))
        .is_some_and(|(n, _)| n.parse::<u64>().is_ok_and(|n| n > 0))
}

#[test]
fn every_corpus_rule_file_compresses_or_lists_located_refusals() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/rules");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("{} is absent: corpus run skipped", dir.display());
        return;
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    paths.sort();
    let (mut compressed, mut refused) = (0usize, 0usize);
    for path in &paths {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).expect("readable corpus file");
        match compress(&text, &file, 30.0) {
            Ok(c) => {
                reparsed(&c);
                compressed += 1;
            }
            Err(list) => {
                assert!(!list.is_empty(), "{file}: refused without a reason");
                for msg in &list {
                    assert!(has_line(msg, &file), "no `{file}:line:` in: {msg}");
                }
                refused += 1;
            }
        }
    }
    eprintln!("corpus rule files at K 30: {compressed} compress, {refused} refused");
    assert_eq!(compressed + refused, paths.len());
    assert!(
        compressed > 0,
        "no corpus file compresses in {}",
        dir.display()
    );
}
