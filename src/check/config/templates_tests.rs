//! Tests of the template checks' pure parts: the annotation approximation, the label
//! references a field reads, the plan built from a config and the judging of amtool's answers.

use std::collections::BTreeMap;

use super::templates::{label_refs, template_checks};
use super::templates_plan::fields;
use super::templates_prom::approximate;
use crate::config::alertmanager::AlertmanagerConfig;
use crate::evidence::{TemplatePlan, TemplateRender, TemplateRuns, ToolRun};
use crate::verdict::Status;

fn labels() -> BTreeMap<String, String> {
    BTreeMap::from([("severity".to_string(), "critical".to_string())])
}

#[test]
fn annotations_are_expanded_on_stand_ins() {
    let l = labels();
    assert_eq!(approximate("{{ $value }} jobs", &l), "42.5 jobs");
    assert_eq!(approximate("{{ $value | printf \"%.1f\" }}", &l), "42.5");
    assert_eq!(approximate("{{ printf \"%.0f\" $value }}", &l), "42");
    assert_eq!(
        approximate("{{ $value | humanizePercentage }}", &l),
        "4250%"
    );
    assert_eq!(approximate("{{ $value | humanizeDuration }}", &l), "42.5s");
    assert_eq!(approximate("{{ $labels.severity }}", &l), "critical");
    assert_eq!(approximate("{{ $labels.topic }}", &l), "sample-topic");
    assert_eq!(
        approximate("{{ index $labels \"topic\" }}", &l),
        "sample-topic"
    );
    assert_eq!(
        approximate("{{ .Labels.severity | toUpper }}", &l),
        "CRITICAL"
    );
    assert_eq!(
        approximate("{{ if gt $value 1.0 }}high{{ end }}!", &l),
        "high!"
    );
    assert_eq!(approximate("{{/* note */}}x{{- $value -}}", &l), "x42.5");
    // Never a `{{` left for the Alertmanager checks to find.
    assert_eq!(approximate("a {{ $value", &l), "a ");
    assert_eq!(
        approximate("{{ $labels.x | printf \"%d\" }}", &l),
        "%!d(string=sample-x)"
    );
}

#[test]
fn label_references_are_read_inside_actions_only() {
    let refs = label_refs(
        "{{ .CommonLabels.alertname }} .CommonLabels.outside {{ range .Alerts }}{{ .Labels.job }}\
         {{ index .Labels \"instance\" }}{{ end }}{{ .GroupLabels.team }}{{ .CommonLabels.SortedPairs }}",
    );
    let got: Vec<String> = refs.iter().map(|(m, l)| format!("{m}.{l}")).collect();
    assert_eq!(
        got,
        [
            "CommonLabels.alertname",
            "GroupLabels.team",
            "Labels.instance",
            "Labels.job"
        ]
    );
}

#[test]
fn a_label_tested_by_a_condition_is_optional() {
    let refs = label_refs(
        "{{ if .CommonLabels.cluster }} in {{ .CommonLabels.cluster }}{{ end }}\
         {{ or .CommonLabels.region \"eu\" }}{{ .CommonLabels.zone }}",
    );
    let got: Vec<String> = refs.iter().map(|(m, l)| format!("{m}.{l}")).collect();
    assert_eq!(got, ["CommonLabels.zone"]);
}

#[test]
fn resolved_fields_follow_send_resolved_and_its_defaults() {
    let am: AlertmanagerConfig = serde_saphyr::from_str(
        "receivers:\n  - name: r\n    slack_configs:\n      - title: '{{ .Status }}'\n        footer: 'plain text'\n        fields:\n          - {title: '{{ .Status }}', value: '{{ .Status }}'}\n    pagerduty_configs:\n      - description: '{{ .Status }}'\n        details: {x: '{{ .Status }}'}\n    email_configs:\n      - to: 'ops@example.com'\n        html: '{{ .Status }}'\n",
    )
    .expect("parses");
    let r = &am.receivers[0];
    let firing: Vec<String> = fields(r, false).into_iter().map(|(f, _)| f).collect();
    assert_eq!(
        firing,
        [
            "slack_configs[0].title",
            "slack_configs[0].fields[0].title",
            "slack_configs[0].fields[0].value",
            "pagerduty_configs[0].description",
            "pagerduty_configs[0].details.x",
            "email_configs[0].html"
        ]
    );
    // Slack and e-mail send no resolved notification by default, PagerDuty does.
    let resolved: Vec<String> = fields(r, true).into_iter().map(|(f, _)| f).collect();
    assert_eq!(
        resolved,
        [
            "pagerduty_configs[0].description",
            "pagerduty_configs[0].details.x"
        ]
    );
}

fn render(fields: &[(&str, &str)]) -> TemplateRender {
    TemplateRender {
        receiver: "chat".into(),
        alert: "A".into(),
        status: "firing".into(),
        labels: BTreeMap::from([("alertname".to_string(), "A".to_string())]),
        group_labels: BTreeMap::new(),
        group_by_all: false,
        group_by: vec!["alertname".into()],
        fields: fields
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect(),
        data: "{}".into(),
    }
}

fn ran(out: &str) -> ToolRun {
    ToolRun::Ran {
        success: true,
        stdout: out.into(),
        stderr: String::new(),
    }
}

fn judge(fields: &[(&str, &str)], results: Vec<ToolRun>) -> crate::verdict::Check {
    let runs = TemplateRuns {
        plan: TemplatePlan {
            globs: vec![],
            receivers: vec!["chat".into()],
            renders: vec![render(fields)],
            left_out: BTreeMap::new(),
        },
        results: vec![results],
        invocations: 1,
        files: Vec::new(),
    };
    let expr = BTreeMap::from([("A".to_string(), Some(Default::default()))]);
    template_checks(&runs, &expr).remove(0)
}

#[test]
fn each_defect_of_the_output_fails() {
    for out in ["x <no value>", "%!f(string=a)", "{{ .X }}"] {
        let c = judge(&[("slack_configs[0].title", "t")], vec![ran(out)]);
        assert_eq!(c.status, Status::Fail, "{out}");
        assert!(
            c.message.contains("slack_configs[0].title"),
            "{}",
            c.message
        );
    }
    let c = judge(&[("slack_configs[0].title", "t")], vec![ran("fine")]);
    assert_eq!(c.status, Status::Pass, "{}", c.message);
}

#[test]
fn a_label_outside_group_by_or_the_alert_fails() {
    let c = judge(
        &[("slack_configs[0].title", "{{ .GroupLabels.severity }}")],
        vec![ran("")],
    );
    assert_eq!(c.status, Status::Fail);
    assert!(c.message.contains("groups by"), "{}", c.message);
    let c = judge(
        &[(
            "slack_configs[0].text",
            "{{ range .Alerts }}{{ .Labels.job }}{{ end }}",
        )],
        vec![ran("")],
    );
    assert_eq!(c.status, Status::Fail);
    assert!(c.message.contains("label `job`"), "{}", c.message);
}

#[test]
fn amtool_errors_fail_and_absence_skips() {
    let err = ToolRun::Ran {
        success: false,
        stdout: String::new(),
        stderr: "amtool: error: template: :1: unclosed action\n".into(),
    };
    let c = judge(&[("slack_configs[0].title", "{{ .X")], vec![err]);
    assert_eq!(c.status, Status::Fail);
    assert!(c.message.contains("unclosed action"), "{}", c.message);
    let c = judge(
        &[("slack_configs[0].title", "t")],
        vec![ToolRun::Missing {
            tool: "amtool".into(),
        }],
    );
    assert_eq!(c.status, Status::Skip);
}
