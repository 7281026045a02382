//! `obsgate check` rendering Alertmanager templates offline (`alertmanager.templates.*`): the
//! shipped config renders cleanly, and each seeded defect of `tests/fixtures/check/templates/`
//! (a label the alert lacks, `printf "%.1f"` on a string, a template file that does not parse)
//! fails naming the alert, the receiver and the field. Skipped without amtool.

use std::path::Path;

use crate::util::{
    assert_registered, check_evidence as evidence, check_status, have, obsgate_check as check,
};

const FIX: &str = "tests/fixtures/check/templates";

/// The fixture's `alertmanager.yml` beside the shared rules.
fn check_fixture(name: &str, dir: &Path) -> (i32, String, serde_json::Value) {
    let rules = format!("{FIX}/rules.yaml");
    let am = format!("{FIX}/{name}/alertmanager.yml");
    check(&["--rules", &rules, "--alertmanager", &am], dir)
}

#[test]
fn templates_of_the_shipped_config_render_cleanly() {
    if !have("amtool") {
        eprintln!("skipped: amtool is not on PATH");
        return;
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let started = std::time::Instant::now();
    let (code, out, report) = check(&[], tmp.path());
    assert_eq!(code, 0, "{out}");
    assert_registered(&report);
    for r in ["critical", "sla", "infra"] {
        let id = format!("alertmanager.templates.{r}");
        let (status, msg) = check_status(&report, &id);
        assert_eq!(status, "pass", "{id}: {msg}\n{}", evidence(&report, &id));
    }
    let ev = evidence(&report, "alertmanager.templates.critical");
    assert!(ev.contains("amtool runs for the whole config"), "{ev}");
    assert!(!ev.contains("capped"), "{ev}");
    // The whole check, every validator included, stays interactive.
    assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
}

#[test]
fn a_label_the_alert_lacks_fails_naming_alert_receiver_field_and_label() {
    if !have("amtool") {
        eprintln!("skipped: amtool is not on PATH");
        return;
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let (code, out, report) = check_fixture("missing-label", tmp.path());
    assert_eq!(code, 1, "{out}");
    assert_registered(&report);
    let (status, msg) = check_status(&report, "alertmanager.templates.chat");
    assert_eq!(status, "fail", "{msg}");
    for part in [
        "QueueBacklog (firing)",
        "receiver chat",
        "slack_configs[0].title",
        "label `cluster`",
        "[FIRING] QueueBacklog in ",
    ] {
        assert!(msg.contains(part), "{part:?} missing from {msg}");
    }
    // The pager's fields read only labels every alert carries.
    assert_eq!(
        check_status(&report, "alertmanager.templates.pager").0,
        "pass"
    );
}

#[test]
fn printf_float_on_a_string_fails_naming_the_go_format_error() {
    if !have("amtool") {
        eprintln!("skipped: amtool is not on PATH");
        return;
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let (code, out, report) = check_fixture("printf", tmp.path());
    assert_eq!(code, 1, "{out}");
    let (status, msg) = check_status(&report, "alertmanager.templates.pager");
    assert_eq!(status, "fail", "{msg}");
    assert!(msg.contains("pagerduty_configs[0].description"), "{msg}");
    assert!(msg.contains("%!f(string="), "{msg}");
    // Both alerts, firing and resolved (PagerDuty sends resolved notifications by default).
    let ev = evidence(&report, "alertmanager.templates.pager");
    assert!(ev.contains("QueueBacklog (resolved)"), "{ev}");
    assert!(ev.contains("JobsFailing (firing)"), "{ev}");
}

#[test]
fn a_template_file_that_does_not_parse_fails_with_amtools_message() {
    if !have("amtool") {
        eprintln!("skipped: amtool is not on PATH");
        return;
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let (code, out, report) = check_fixture("syntax", tmp.path());
    assert_eq!(code, 1, "{out}");
    let (status, msg) = check_status(&report, "alertmanager.templates.chat");
    assert_eq!(status, "fail", "{msg}");
    assert!(msg.contains("slack_configs[0].title"), "{msg}");
    assert!(msg.contains("amtool cannot render it"), "{msg}");
    assert!(msg.contains("chat.tmpl:1"), "{msg}");
}

#[test]
fn without_tools_the_templates_are_skipped_with_the_reason() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let rules = format!("{FIX}/rules.yaml");
    let am = format!("{FIX}/printf/alertmanager.yml");
    let (_, out, report) = check(
        &["--no-tools", "--rules", &rules, "--alertmanager", &am],
        tmp.path(),
    );
    let (status, msg) = check_status(&report, "alertmanager.templates.pager");
    assert_eq!(status, "skip", "{out}");
    assert!(msg.contains("--no-tools"), "{msg}");
}

/// The shipped config in a temporary folder with `edit` applied to one of its template files.
fn shipped_with(file: &str, from: &str, to: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("temp dir");
    crate::util::copy_dir(
        &crate::util::repo_root().join("config"),
        &tmp.path().join("config"),
    );
    let path = tmp.path().join("config/templates").join(file);
    let text = std::fs::read_to_string(&path).expect("shipped template");
    assert!(text.contains(from), "{from:?} not in {file}");
    std::fs::write(&path, text.replacen(from, to, 1)).expect("seeded");
    tmp
}

#[test]
fn a_missing_label_in_the_shipped_slack_template_fails_naming_receiver_file_and_field() {
    if !have("amtool") {
        eprintln!("skipped: amtool is not on PATH");
        return;
    }
    let title_end = "{{ .CommonLabels.alertname }}\n{{- end }}";
    let tmp = shipped_with(
        "slack.tmpl",
        title_end,
        "{{ .CommonLabels.alertname }} {{ .CommonLabels.nosuchlabel }}\n{{- end }}",
    );
    let cfg = tmp.path().join("config");
    let (code, out, report) = check(&["--config-dir", &cfg.display().to_string()], tmp.path());
    assert_eq!(code, 1, "{out}");
    assert_registered(&report);
    for r in ["critical", "sla", "infra"] {
        let (status, msg) = check_status(&report, &format!("alertmanager.templates.{r}"));
        assert_eq!(status, "fail", "{r}: {msg}");
        for part in [
            &format!("at receiver {r}"),
            "slack_configs[0].title",
            "template `slack.pipeline.title`",
            "templates/slack.tmpl:7",
            "label `nosuchlabel`",
        ] {
            assert!(msg.contains(part), "{part:?} missing from {msg}");
        }
    }
}

#[test]
fn printf_float_on_a_label_in_the_shipped_pagerduty_template_fails_naming_receiver_file_and_field()
{
    if !have("amtool") {
        eprintln!("skipped: amtool is not on PATH");
        return;
    }
    let tmp = shipped_with(
        "pagerduty.tmpl",
        "{{ (index .Alerts 0).Annotations.summary }}\n",
        "{{ (index .Alerts 0).Annotations.summary }} ({{ .CommonLabels.severity | printf \"%.1f\" }})\n",
    );
    let cfg = tmp.path().join("config");
    let (code, out, report) = check(&["--config-dir", &cfg.display().to_string()], tmp.path());
    assert_eq!(code, 1, "{out}");
    let (status, msg) = check_status(&report, "alertmanager.templates.critical");
    assert_eq!(status, "fail", "{msg}");
    for part in [
        "at receiver critical",
        "pagerduty_configs[0].description",
        "template `pagerduty.pipeline.description`",
        "templates/pagerduty.tmpl:6",
        "%!f(string=",
    ] {
        assert!(msg.contains(part), "{part:?} missing from {msg}");
    }
    // Slack-only receivers do not call the PagerDuty template.
    assert_eq!(
        check_status(&report, "alertmanager.templates.sla").0,
        "pass"
    );
}
