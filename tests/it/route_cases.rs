//! `obsgate check` on routing cases (`cases:` of the routes expectations): a passing file, a
//! wrong receiver, an `at:` inside a mute interval, a wrong `inhibited_by`, amtool's
//! cross-check where it can and the evidence where it cannot, and bad case files (exit 2 with
//! file:line:column).

use std::path::Path;

use crate::util::{
    assert_registered, check_evidence as evidence, check_status, have, obsgate_check,
};

const FIX: &str = "tests/fixtures/check/route-cases";

/// `obsgate check --alertmanager FIX/alertmanager.yml --expect-dir FIX/<cases>` (amtool when on
/// PATH); (exit code, stdout + stderr, report.json).
fn check(cases: &str, dir: &Path) -> (i32, String, serde_json::Value) {
    let am = format!("{FIX}/alertmanager.yml");
    let exp = format!("{FIX}/{cases}");
    obsgate_check(&["--alertmanager", &am, "--expect-dir", &exp], dir)
}

#[test]
fn passing_cases_pass_and_say_what_amtool_could_check() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (code, out, report) = check("pass", tmp.path());
    assert_eq!(code, 0, "{out}");
    assert_registered(&report);
    for id in [
        "routes.case.page-and-chat",
        "routes.case.2",
        "routes.case.office-hours-page",
        "routes.case.maintenance-mutes-everything",
        "routes.case.warning-inhibited-in-its-cluster",
    ] {
        assert_eq!(check_status(&report, id).0, "pass", "{id}: {out}");
    }
    let (_, msg) = check_status(&report, "routes.case.maintenance-mutes-everything");
    assert!(
        msg.contains("at 2026-03-01T03:30:00+01:00 notifies exactly []"),
        "{msg}"
    );
    let ev = evidence(&report, "routes.case.page-and-chat");
    if have("amtool") {
        assert!(
            ev.contains(
                "amtool config routes test agrees with obsgate's routing tree: [chat, pager]"
            ),
            "{ev}"
        );
    } else {
        assert!(
            ev.contains("amtool is not on PATH: routing not cross-checked"),
            "{ev}"
        );
    }
    let ev = evidence(&report, "routes.case.office-hours-page");
    assert!(ev.contains("amtool cannot evaluate time intervals"), "{ev}");
    let ev = evidence(&report, "routes.case.warning-inhibited-in-its-cluster");
    assert!(ev.contains("amtool cannot evaluate inhibition"), "{ev}");
}

#[test]
fn wrong_cases_fail_naming_receivers_interval_and_rule() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (code, out, report) = check("fail", tmp.path());
    assert_eq!(code, 1, "{out}");
    assert_registered(&report);
    let (st, msg) = check_status(&report, "routes.case.wrong-receiver");
    assert_eq!(st, "fail");
    assert!(
        msg.contains(
            "case `wrong-receiver` {alertname=\"ApiSlow\", severity=\"warning\"}: notifies \
             [chat], expected exactly [pager]"
        ),
        "{msg}"
    );
    let (st, msg) = check_status(&report, "routes.case.page-during-maintenance");
    assert_eq!(st, "fail");
    assert!(
        msg.contains("at 2026-03-01T02:30:00Z: notifies [], expected exactly [pager]"),
        "{msg}"
    );
    let ev = evidence(&report, "routes.case.page-during-maintenance");
    assert!(
        ev.contains(
            "route.routes[0] (receiver `pager`, line 8): muted by mute_time_intervals \
             `maintenance` (line 9; its entry at line 25 covers 2026-03-01T02:30:00+00:00)"
        ),
        "{ev}"
    );
    assert!(
        ev.contains(
            "route.routes[1] (receiver `chat`, line 12): not active: active_time_intervals \
             `office-hours` (line 13) does not cover 2026-03-01T02:30:00+00:00"
        ),
        "{ev}"
    );
    let (st, msg) = check_status(&report, "routes.case.wrong-inhibitor");
    assert_eq!(st, "fail");
    assert!(
        msg.contains(
            "not inhibited by {alertname=\"ApiSlow\", cluster=\"us\", severity=\"critical\"}: \
             inhibit_rules[0] (line 31; source severity=\"critical\"; target \
             severity=\"warning\"; equal [alertname, cluster]) does not apply: equal label \
             `cluster` differs: the source alert has \"us\", the alert \"eu\""
        ),
        "{msg}"
    );
}

#[test]
fn bad_case_files_exit_2_with_file_line_column() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (code, out, _) = check("bad-key", tmp.path());
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains(&format!(
            "{FIX}/bad-key/routes.yaml:4:5: unknown field `receiver`, expected one of name, \
             labels, receivers, at, inhibited_by, not_inhibited_by"
        )),
        "{out}"
    );
    let (code, out, _) = check("bad-values", tmp.path());
    assert_eq!(code, 2, "{out}");
    for want in [
        format!(
            "{FIX}/bad-values/routes.yaml:5:9: cases[0].at: `2026-03-01 02:30` is not an RFC \
             3339 timestamp"
        ),
        format!(
            "{FIX}/bad-values/routes.yaml:6:11: case name `bad-time` is used twice (first at \
             line 2)"
        ),
        format!("{FIX}/bad-values/routes.yaml:8:24: cases[1].receivers: `pager` is listed twice"),
    ] {
        assert!(out.contains(&want), "{want}\n{out}");
    }
}
