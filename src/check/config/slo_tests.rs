//! The SLO checks on the shipped config, and on realistic defects of it.

use std::path::{Path, PathBuf};

use super::slo::{CURRENT, INHIBITION, LOADED, RULES_PARSE, SloCheckInput, check_slos};
use crate::config::alertmanager::AlertmanagerConfig;
use crate::config::stack::SloInputs;
use crate::verdict::{Check, Status};

fn config() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("config")
}

fn shipped() -> SloInputs {
    SloInputs::load(&config()).expect("config/slos.yaml exists")
}

fn alertmanager(text: &str) -> AlertmanagerConfig {
    serde_saphyr::from_str(text).expect("alertmanager.yml parses")
}

fn shipped_am() -> String {
    std::fs::read_to_string(config().join("alertmanager.yml")).expect("read")
}

fn run(s: &SloInputs, am: &str, loaded: bool) -> Vec<Check> {
    let am = alertmanager(am);
    check_slos(&SloCheckInput {
        slos: s,
        loaded,
        alertmanager: Some(&am),
    })
}

fn by_id<'a>(c: &'a [Check], id: &str) -> &'a Check {
    c.iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no {id} in {c:?}"))
}

#[test]
fn shipped_config_passes_every_slo_check() {
    let c = run(&shipped(), &shipped_am(), true);
    assert_eq!(c.len(), 5);
    for x in &c {
        assert_eq!(x.status, Status::Pass, "{}: {}", x.id, x.message);
    }
}

#[test]
fn a_hand_edited_burn_factor_is_out_of_date() {
    let mut s = shipped();
    let text = s.rules_text.take().expect("generated file");
    s.rules_text = Some(text.replacen("(14.4 * 0.005)", "(1.44 * 0.005)", 1));
    let c = run(&s, &shipped_am(), true);
    let cur = by_id(&c, CURRENT);
    assert_eq!(cur.status, Status::Fail);
    assert!(cur.message.contains("(1.44 * 0.005)"), "{}", cur.message);
    assert!(cur.message.contains("slo-rules.yaml:"), "{}", cur.message);
    assert!(
        cur.message.contains("obsgate slo generate"),
        "{}",
        cur.message
    );
}

#[test]
fn a_rule_that_does_not_parse_is_named_with_its_line() {
    let mut s = shipped();
    let text = s.rules_text.take().expect("generated file");
    s.rules_text = Some(text.replacen("[5m])))", "[5m]))", 1));
    let c = run(&s, &shipped_am(), true);
    let p = by_id(&c, RULES_PARSE);
    assert_eq!(p.status, Status::Fail);
    assert!(p.message.contains("slo-rules.yaml:8:15"), "{}", p.message);
}

#[test]
fn rules_prometheus_does_not_load_fail() {
    let c = run(&shipped(), &shipped_am(), false);
    assert_eq!(by_id(&c, LOADED).status, Status::Fail);
}

#[test]
fn missing_or_too_wide_inhibition_fails() {
    let am = shipped_am();
    let without = am.replace("    equal: ['slo']\n", "");
    let c = run(&shipped(), &without, true);
    let i = by_id(&c, INHIBITION);
    assert_eq!(i.status, Status::Fail);
    assert!(
        i.message
            .contains("inhibits JobSuccessBudgetBurn1d of another SLO `job-success`"),
        "{}",
        i.message
    );
    let none = am.replace(
        "target_matchers: ['tier=\"ticket\"']",
        "target_matchers: ['tier=\"none\"']",
    );
    let c = run(&shipped(), &none, true);
    let i = by_id(&c, INHIBITION);
    assert!(
        i.message
            .contains("does not inhibit JobSuccessBudgetBurn1d of the same SLO"),
        "{}",
        i.message
    );
}

#[test]
fn a_bad_slo_file_is_one_failure_with_positions() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(
        dir.path().join("slos.yaml"),
        "slos:\n  - name: x\n    objective_percent: 120\n",
    )
    .expect("w");
    let s = SloInputs::load(dir.path()).expect("present");
    let c = run(&s, &shipped_am(), true);
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].status, Status::Fail);
    assert!(c[0].message.contains("slos.yaml"), "{}", c[0].message);
}

#[test]
fn line_endings_alone_are_named_and_do_not_hang() {
    let mut s = shipped();
    let text = s.rules_text.take().expect("generated file");
    s.rules_text = Some(text.replace('\n', "\r\n"));
    let c = run(&s, &shipped_am(), true);
    let cur = by_id(&c, CURRENT);
    assert_eq!(cur.status, Status::Fail);
    assert!(cur.message.contains("line endings"), "{}", cur.message);
}
