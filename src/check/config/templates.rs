//! `alertmanager.templates.<receiver>`: the templated fields of each receiver rendered offline
//! by `amtool template render` (run by the command layer, [`crate::observe::templates`]) with
//! a sample notification per alerting rule routed there, and judged here: an amtool error, or
//! output holding `<no value>`, `%!` (a Go format error) or `{{`, is a failure.
//!
//! A field reading a label the alert does not carry (`.CommonLabels.x`, `.GroupLabels.x`,
//! `.Labels.x`, `index .Labels "x"`) is found statically: Alertmanager's label maps are
//! `map[string]string`, and Go's text/template renders a missing key of such a map as the
//! empty string, not `<no value>` (amtool 0.25 renders `<{{ .CommonLabels.missing }}>` as
//! `<>`), so nothing in the output shows it. Pure.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use regex::Regex;

use crate::check::config::catalog::Labels;
use crate::check::config::templates_defs::{Definition, called};
use crate::check::registry::CheckInfo;
use crate::evidence::{TemplateRender, TemplateRuns, ToolRun};
use crate::verdict::{Check, Kind};

const KIND: Kind = Kind::Routes;

/// What the rendered output of a field must never hold.
const DEFECTS: [(&str, &str); 3] = [
    ("<no value>", "a missing value"),
    ("%!", "a Go format error"),
    ("{{", "an unexpanded template"),
];

static ACTION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)\{\{(.*?)\}\}").expect("static regex"));
static DOT_REF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\.(CommonLabels|GroupLabels|Labels)\.([A-Za-z_][A-Za-z0-9_]*)")
        .expect("static regex")
});
static INDEX_REF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"index\s+\.(CommonLabels|GroupLabels|Labels)\s+"([^"]*)""#).expect("static regex")
});

/// Methods of Alertmanager's label maps, not labels.
const KV_METHODS: [&str; 4] = ["SortedPairs", "Remove", "Names", "Values"];

/// The labels `text` reads inside its actions without a guard: (map, label), the map being
/// `CommonLabels`, `GroupLabels` or `Labels` (an alert's, inside `range .Alerts`). A label an
/// `if`/`with` condition or an `or`/`and` tests anywhere in the text is optional by design
/// (`{{ if .CommonLabels.x }}…{{ .CommonLabels.x }}{{ end }}`), so none of its reads count.
pub fn label_refs(text: &str) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    let mut guarded = BTreeSet::new();
    for a in ACTION.captures_iter(text).filter_map(|c| c.get(1)) {
        let a = a.as_str().trim().trim_start_matches('-').trim_start();
        let first = a.split_whitespace().next().unwrap_or("");
        let guard = matches!(first, "if" | "with" | "else")
            || a.split(|c: char| c.is_whitespace() || c == '(')
                .any(|w| w == "or" || w == "and");
        for re in [&*DOT_REF, &*INDEX_REF] {
            for c in re.captures_iter(a) {
                let (Some(map), Some(label)) = (c.get(1), c.get(2)) else {
                    continue;
                };
                if KV_METHODS.contains(&label.as_str()) {
                    continue;
                }
                if guard {
                    guarded.insert(label.as_str().to_string());
                }
                out.insert((map.as_str().to_string(), label.as_str().to_string()));
            }
        }
    }
    out.retain(|(_, l)| !guarded.contains(l));
    out
}

/// One check per receiver with templated fields. `expr_labels` gives, per alert, the labels
/// its expression's result carries (`None`: not known, so any label may be there).
pub fn template_checks(runs: &TemplateRuns, expr_labels: &BTreeMap<String, Labels>) -> Vec<Check> {
    let plan = &runs.plan;
    let defs = super::templates_defs::definitions(&runs.files);
    plan.receivers
        .iter()
        .map(|recv| {
            let id = format!("alertmanager.templates.{recv}");
            let mine: Vec<(&TemplateRender, &Vec<ToolRun>)> = plan
                .renders
                .iter()
                .zip(&runs.results)
                .filter(|(r, _)| &r.receiver == recv)
                .collect();
            let left_out = plan.left_out.get(recv).copied().unwrap_or(0);
            let known = Known {
                expr_labels,
                defs: &defs,
            };
            receiver_check(&id, &mine, left_out, runs.invocations, known)
        })
        .collect()
}

/// What the fields are judged with: per alert, the labels its expression's result carries, and
/// the template files' definitions.
#[derive(Clone, Copy)]
struct Known<'a> {
    expr_labels: &'a BTreeMap<String, Labels>,
    defs: &'a BTreeMap<String, Definition>,
}

/// One receiver's check from its renderings.
fn receiver_check(
    id: &str,
    mine: &[(&TemplateRender, &Vec<ToolRun>)],
    left_out: usize,
    invocations: usize,
    known: Known<'_>,
) -> Check {
    if mine.is_empty() {
        let why = if left_out > 0 {
            format!(
                "capped: none of its {left_out} sample notifications was rendered (at most {} per config)",
                super::templates_plan::MAX_RENDERS
            )
        } else {
            "no alerting rule is routed to this receiver: its templates were not rendered".into()
        };
        return Check::skip(id, KIND, why);
    }
    let (findings, errors) = match judge_fields(mine, known) {
        Ok(found) => found,
        Err(why) => return Check::skip(id, KIND, why),
    };
    let fields: usize = mine.iter().map(|(r, _)| r.fields.len()).sum();
    let mut evidence = vec![format!(
        "{fields} field renderings over {} sample notifications; {invocations} amtool runs for the whole config",
        mine.len()
    )];
    if left_out > 0 {
        evidence.push(format!(
            "capped: {left_out} sample notifications of this receiver were not rendered (at most {} per config)",
            super::templates_plan::MAX_RENDERS
        ));
    }
    if let Some(first) = findings.first().cloned() {
        evidence.extend(findings);
        return Check::fail(id, KIND, first).with_all_evidence(evidence);
    }
    if let Some(first) = errors.first().cloned() {
        evidence.extend(errors);
        return Check::error(id, KIND, first).with_all_evidence(evidence);
    }
    let alerts: BTreeSet<&str> = mine.iter().map(|(r, _)| r.alert.as_str()).collect();
    Check::pass(
        id,
        KIND,
        if left_out > 0 {
            format!(
                "every templated field renders cleanly for the {} alerts rendered ({left_out} sample notifications not rendered: capped)",
                alerts.len()
            )
        } else {
            format!(
                "every templated field renders cleanly for the {} alerts routed here",
                alerts.len()
            )
        },
    )
    .with_all_evidence(evidence)
}

/// The failures and the errors (amtool could not start) of every field rendering, or why
/// nothing was rendered (amtool missing, `--no-tools`).
fn judge_fields(
    mine: &[(&TemplateRender, &Vec<ToolRun>)],
    known: Known<'_>,
) -> Result<(Vec<String>, Vec<String>), String> {
    let (mut findings, mut errors) = (Vec::new(), Vec::new());
    for (r, results) in mine {
        for ((field, own), run) in r.fields.iter().zip(results.iter()) {
            let called = called(own, known.defs);
            let via: Vec<String> = called
                .iter()
                .map(|d| format!("template `{}` ({})", d.name, d.at))
                .collect();
            let via = if via.is_empty() {
                String::new()
            } else {
                format!(" via {}", via.join(", "))
            };
            let at = format!(
                "{} ({}) at receiver {}: {field}{via}",
                r.alert, r.status, r.receiver
            );
            // The field's text with the bodies of the definitions it calls: their label reads
            // are the field's.
            let text = std::iter::once(own.as_str())
                .chain(called.iter().map(|d| d.body.as_str()))
                .collect::<Vec<_>>()
                .join("\n");
            match run {
                ToolRun::Missing { tool } => {
                    return Err(format!("{tool} is not on PATH: templates not rendered"));
                }
                ToolRun::Skipped { reason } => {
                    return Err(format!("amtool {reason}: templates not rendered"));
                }
                ToolRun::Failed { error } => {
                    errors.push(format!("{at}: amtool could not run: {error}"))
                }
                ToolRun::Ran {
                    success: false,
                    stdout,
                    stderr,
                } => findings.push(format!(
                    "{at}: amtool cannot render it: {}",
                    first_line(&format!("{} {}", stderr.trim(), stdout.trim()))
                )),
                ToolRun::Ran { stdout, .. } => {
                    findings.extend(output_defects(&at, stdout));
                    let expr = known.expr_labels.get(&r.alert).cloned().flatten();
                    findings.extend(missing_labels(&at, r, &text, expr.as_ref(), stdout));
                }
            }
        }
    }
    Ok((findings, errors))
}

fn first_line(s: &str) -> String {
    s.trim().lines().next().unwrap_or("").to_string()
}

/// The defects the rendered output shows.
fn output_defects(at: &str, out: &str) -> Vec<String> {
    DEFECTS
        .iter()
        .filter(|(d, _)| out.contains(d))
        .map(|(d, what)| format!("{at}: renders {what} (`{d}`): {:?}", clip(out)))
        .collect()
}

/// The labels `text` reads that the alert does not carry.
fn missing_labels(
    at: &str,
    r: &TemplateRender,
    text: &str,
    expr: Option<&BTreeSet<String>>,
    out: &str,
) -> Vec<String> {
    let only = format!(
        "the alert carries only {}",
        r.labels
            .keys()
            .map(|l| format!("`{l}`"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let carried = |l: &str| {
        // A label the expression may carry is there unless the expression's labels are known.
        r.labels.contains_key(l) || expr.is_none_or(|e| e.contains(l))
    };
    label_refs(text)
        .into_iter()
        .filter_map(|(map, label)| {
            let why = if map == "GroupLabels" {
                let grouped = r.group_by_all || r.group_by.contains(&label);
                if !grouped {
                    format!("the route groups by {:?} only", r.group_by)
                } else if !carried(&label) {
                    only.clone()
                } else {
                    return None;
                }
            } else if !carried(&label) {
                only.clone()
            } else {
                return None;
            };
            Some(format!(
                "{at}: reads label `{label}` (.{map}.{label}), but {why}: it renders empty: {:?}",
                clip(out)
            ))
        })
        .collect()
}

/// At most 200 characters of a rendered text, for messages.
fn clip(s: &str) -> String {
    let mut t: String = s.chars().take(200).collect();
    if s.chars().count() > 200 {
        t.push('…');
    }
    t
}

/// The checks this module emits (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[CheckInfo {
    id: "alertmanager.templates.<receiver>",
    kind: KIND,
    proves: "every templated Slack, PagerDuty and e-mail field of the receiver renders cleanly for each alert routed to it",
    failure: "a notification of that receiver would show a broken text: the message names the alert, the field and what it renders",
    explain: "Each alerting rule the routing tree sends to the receiver becomes a sample notification \
              (its labels and alertname, its annotations with `$value` = 42.5 and `$labels` filled in), \
              firing and, when an integration sends resolved notifications, resolved. Every templated field \
              is rendered by `amtool template render` with the config's `templates:` files. A failure is an \
              amtool error (a template file or field that does not parse or execute), output holding \
              `<no value>`, `%!` or `{{`, or a field reading a label the alert does not carry (it renders \
              empty). Skipped when amtool is not on PATH, with --no-tools, or when no rule is routed there.\n\
              Example failure: SLABreach (firing) at receiver critical: slack_configs[0].title: reads label \
              `cluster` (.CommonLabels.cluster), but the alert carries only `alertname`, `service`, `severity`, `team`: it renders empty: \"[FIRING] SLABreach in \"",
}];
