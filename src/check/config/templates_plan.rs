//! Planning the offline renderings of Alertmanager templates: for every receiver with templated
//! fields, every alerting rule the routing tree sends there becomes one sample notification
//! (firing, and resolved when an integration sends resolved notifications), with Alertmanager's
//! template data built from the rule's labels and its annotations as Prometheus would roughly
//! expand them ([`super::templates_prom`]). Pure: the command layer runs the plan.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Value, json};

use crate::check::config::routes::RoutingModel;
use crate::check::config::routes_tree::matching_routes;
use crate::check::config::templates_prom::approximate;
use crate::config::alertmanager::{PagerDutyConfig, Receiver, SlackConfig};
use crate::config::rules_file::Rule;
use crate::config::stack::StackConfig;
use crate::evidence::{TemplatePlan, TemplateRender};

/// At most this many renderings per config (each is one amtool run of some 25 ms when it
/// renders cleanly): a config with hundreds of rules and receivers still checks in under two
/// seconds. They are shared out among the receivers in turn; the rest is counted and said in
/// the evidence.
pub const MAX_RENDERS: usize = 64;

/// The plan for `cfg`: empty when `alertmanager.yml` is absent or does not parse.
pub fn template_plan(cfg: &StackConfig) -> TemplatePlan {
    let (Some(loaded), Some(am)) = (&cfg.alertmanager, cfg.alertmanager_ok()) else {
        return TemplatePlan::default();
    };
    let dir = loaded.path.parent().unwrap_or(Path::new(""));
    let globs = am
        .templates
        .iter()
        .map(|g| dir.join(g).display().to_string())
        .collect();
    // One rule per alert name, the later winning (as the routing checks read them).
    let rules: BTreeMap<&str, &Rule> = cfg.alert_rules().collect();
    // Prometheus adds its external labels to every alert it sends (the rule's own win).
    let external = cfg
        .prometheus
        .as_ref()
        .and_then(|p| p.ok())
        .and_then(|p| p.global.as_ref())
        .map(|g| g.external_labels.clone())
        .unwrap_or_default();
    let model = RoutingModel::new(am);
    let mut plan = TemplatePlan {
        globs,
        ..TemplatePlan::default()
    };
    let mut wanted: Vec<Vec<TemplateRender>> = Vec::new();
    for r in &am.receivers {
        // A second receiver of the same name is refused by Alertmanager (and reported by
        // `amtool check-config`): one check per name, for the first.
        if fields(r, false).is_empty() || plan.receivers.contains(&r.name.value) {
            continue;
        }
        plan.receivers.push(r.name.value.clone());
        let mut mine = Vec::new();
        for (alert, rule) in &rules {
            plan_alert(&mut mine, (&model, &external), r, alert, rule);
        }
        wanted.push(mine);
    }
    share_out(&mut plan, wanted);
    plan
}

/// Take the receivers' renderings in turn, one each, up to [`MAX_RENDERS`]; count the rest.
/// Each receiver's firing notifications come before its resolved ones, so a cap cuts the
/// resolved variants first.
fn share_out(plan: &mut TemplatePlan, wanted: Vec<Vec<TemplateRender>>) {
    let mut queues: Vec<std::vec::IntoIter<TemplateRender>> = wanted
        .into_iter()
        .map(|mut w| {
            w.sort_by_key(|r| r.status != "firing");
            w.into_iter()
        })
        .collect();
    let mut taken: Vec<TemplateRender> = Vec::new();
    loop {
        let mut any = false;
        for q in &mut queues {
            let Some(r) = q.next() else { continue };
            any = true;
            if taken.len() < MAX_RENDERS {
                taken.push(r);
            } else {
                *plan.left_out.entry(r.receiver).or_default() += 1;
            }
        }
        if !any {
            break;
        }
    }
    // Back in config order, receiver by receiver, as the checks report them.
    let order: BTreeMap<&str, usize> = plan
        .receivers
        .iter()
        .enumerate()
        .map(|(i, r)| (r.as_str(), i))
        .collect();
    taken.sort_by_key(|r| {
        order
            .get(r.receiver.as_str())
            .copied()
            .unwrap_or(usize::MAX)
    });
    plan.renders = taken;
}

/// The sample notifications of `rule` at receiver `r`, when the routing tree sends it there
/// (its labels: Prometheus's external labels, the rule's, `alertname`).
fn plan_alert(
    out: &mut Vec<TemplateRender>,
    (model, external): (&RoutingModel, &BTreeMap<String, String>),
    r: &Receiver,
    alert: &str,
    rule: &Rule,
) {
    let name = &r.name.value;
    let mut labels = external.clone();
    labels.extend(rule.labels.clone());
    labels.insert("alertname".into(), alert.to_string());
    let Some(route) = matching_routes(&model.tree, &labels)
        .into_iter()
        .find(|n| &n.receiver == name)
    else {
        return;
    };
    let group_by_all = route.group_by.iter().any(|g| g == "...");
    let group_labels: BTreeMap<String, String> = labels
        .iter()
        .filter(|(k, _)| group_by_all || route.group_by.contains(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let annotations: BTreeMap<String, String> = rule
        .annotations
        .iter()
        .map(|(k, v)| (k.clone(), approximate(v, &labels)))
        .collect();
    for resolved in [false, true] {
        let fields = fields(r, resolved);
        if fields.is_empty() {
            continue;
        }
        let status = if resolved { "resolved" } else { "firing" };
        let data = template_data(name, status, &labels, &annotations, &group_labels);
        out.push(TemplateRender {
            receiver: name.clone(),
            alert: alert.to_string(),
            status: status.to_string(),
            labels: labels.clone(),
            group_labels: group_labels.clone(),
            group_by_all,
            group_by: route.group_by.clone(),
            fields,
            data: data.to_string(),
        });
    }
}

/// Alertmanager's `template.Data` for one alert alone in its group.
fn template_data(
    receiver: &str,
    status: &str,
    labels: &BTreeMap<String, String>,
    annotations: &BTreeMap<String, String>,
    group_labels: &BTreeMap<String, String>,
) -> Value {
    let ends = if status == "resolved" {
        "2026-01-01T00:10:00Z"
    } else {
        "0001-01-01T00:00:00Z"
    };
    json!({
        "Receiver": receiver,
        "Status": status,
        "Alerts": [{
            "Status": status,
            "Labels": labels,
            "Annotations": annotations,
            "StartsAt": "2026-01-01T00:00:00Z",
            "EndsAt": ends,
            "GeneratorURL": "http://prometheus.example/graph",
            "Fingerprint": "0123456789abcdef",
        }],
        "GroupLabels": group_labels,
        "CommonLabels": labels,
        "CommonAnnotations": annotations,
        "ExternalURL": "http://alertmanager.example",
    })
}

/// Every templated field set on `r`'s Slack, PagerDuty and e-mail integrations (all of them
/// when firing; for `resolved`, those of the integrations that send resolved notifications:
/// Alertmanager's defaults are false for Slack and e-mail, true for PagerDuty). A field left
/// unset takes Alertmanager's default template, which is not rendered; nor is plain text.
pub fn fields(r: &Receiver, resolved: bool) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (i, s) in r.slack_configs.iter().enumerate() {
        if !resolved || s.send_resolved.unwrap_or(false) {
            slack_fields(&format!("slack_configs[{i}]"), s, &mut out);
        }
    }
    for (i, p) in r.pagerduty_configs.iter().enumerate() {
        if !resolved || p.send_resolved.unwrap_or(true) {
            pagerduty_fields(&format!("pagerduty_configs[{i}]"), p, &mut out);
        }
    }
    for (i, e) in r.email_configs.iter().enumerate() {
        if !resolved || e.send_resolved.unwrap_or(false) {
            let at = format!("email_configs[{i}]");
            push(&mut out, format!("{at}.to"), &e.to);
            for (k, v) in &e.headers {
                push(&mut out, format!("{at}.headers.{k}"), &Some(v.clone()));
            }
            push(&mut out, format!("{at}.html"), &e.html);
            push(&mut out, format!("{at}.text"), &e.text);
        }
    }
    out
}

/// Keep a field that holds an action: plain text (an address, a fixed title) renders as itself,
/// so rendering it would only cost an amtool run.
fn push(out: &mut Vec<(String, String)>, at: String, text: &Option<String>) {
    if let Some(t) = text.as_ref().filter(|t| t.contains("{{")) {
        out.push((at, t.clone()));
    }
}

fn slack_fields(at: &str, s: &SlackConfig, out: &mut Vec<(String, String)>) {
    for (name, text) in [
        ("title", &s.title),
        ("title_link", &s.title_link),
        ("pretext", &s.pretext),
        ("text", &s.text),
        ("fallback", &s.fallback),
        ("footer", &s.footer),
    ] {
        push(out, format!("{at}.{name}"), text);
    }
    for (i, f) in s.fields.iter().enumerate() {
        push(out, format!("{at}.fields[{i}].title"), &f.title);
        push(out, format!("{at}.fields[{i}].value"), &f.value);
    }
    for (i, a) in s.actions.iter().enumerate() {
        push(out, format!("{at}.actions[{i}].text"), &a.text);
        push(out, format!("{at}.actions[{i}].url"), &a.url);
    }
}

fn pagerduty_fields(at: &str, p: &PagerDutyConfig, out: &mut Vec<(String, String)>) {
    push(out, format!("{at}.description"), &p.description);
    push(out, format!("{at}.client"), &p.client);
    push(out, format!("{at}.client_url"), &p.client_url);
    for (k, v) in &p.details {
        push(out, format!("{at}.details.{k}"), &Some(v.clone()));
    }
    for (i, l) in p.links.iter().enumerate() {
        push(out, format!("{at}.links[{i}].href"), &l.href);
        push(out, format!("{at}.links[{i}].text"), &l.text);
    }
    for (i, m) in p.images.iter().enumerate() {
        push(out, format!("{at}.images[{i}].src"), &m.src);
        push(out, format!("{at}.images[{i}].alt"), &m.alt);
        push(out, format!("{at}.images[{i}].href"), &m.href);
    }
}
