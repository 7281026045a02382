//! Routing checks: for each expected alert, the receivers the routing tree reaches (evaluated in
//! obsgate, see `routes_tree`) must be exactly the expected ones, each delivering to exactly the
//! expected Slack channels and PagerDuty routing keys; expected inhibitions must hold; route
//! matchers on constrained labels must be able to match an allowed value; every receiver named
//! by a route exists. `amtool` results (run by the command layer) are cross-checked here.

use std::collections::{BTreeMap, BTreeSet};

pub use crate::check::config::routes_amtool::{AmtoolCase, amtool_cross_check};
use crate::check::config::routes_labels::{coverage_check, label_values_check};
use crate::check::config::routes_matchers::LabelSet;
use crate::check::config::routes_tree::{
    Inhibition, RouteNode, build_inhibitions, build_tree, inhibited_by, matching_routes, walk,
};
use crate::check::registry::CheckInfo;
use crate::config::alertmanager::AlertmanagerConfig;
use crate::expect::routes::{AlertRouteExpectation, ReceiverExpectation, RoutesExpectations};
use crate::verdict::Check;
use crate::verdict::Kind;

const KIND: Kind = Kind::Routes;

/// Static labels of each alerting rule, by alert name (from the rule files).
pub type RuleLabels = BTreeMap<String, BTreeMap<String, String>>;

/// Where a receiver delivers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Delivery {
    /// Slack channels (`(webhook default)` when a Slack config names none).
    pub slack_channels: BTreeSet<String>,
    /// PagerDuty routing (or service) keys.
    pub pagerduty_keys: BTreeSet<String>,
}

/// A loaded Alertmanager config, resolved for evaluation.
#[derive(Debug, Clone)]
pub struct RoutingModel {
    /// The routing tree.
    pub tree: RouteNode,
    /// Inhibition rules.
    pub inhibitions: Vec<Inhibition>,
    /// Receivers by name.
    pub receivers: BTreeMap<String, Delivery>,
    /// Problems met while resolving (bad matchers, missing root receiver).
    pub problems: Vec<String>,
}

impl RoutingModel {
    /// Resolve a parsed config.
    pub fn new(cfg: &AlertmanagerConfig) -> Self {
        let (tree, mut problems) = match &cfg.route {
            Some(r) => build_tree(r),
            None => {
                let (t, _) = build_tree(&crate::config::alertmanager::Route::default());
                (t, vec!["no `route:` section".to_string()])
            }
        };
        let (inhibitions, errs) = build_inhibitions(&cfg.inhibit_rules);
        problems.extend(errs);
        let receivers = cfg
            .receivers
            .iter()
            .map(|r| {
                let d = Delivery {
                    slack_channels: r
                        .slack_configs
                        .iter()
                        .map(|s| {
                            s.channel
                                .clone()
                                .unwrap_or_else(|| "(webhook default)".into())
                        })
                        .collect(),
                    pagerduty_keys: r
                        .pagerduty_configs
                        .iter()
                        .filter_map(|p| p.routing_key.clone().or_else(|| p.service_key.clone()))
                        .collect(),
                };
                (r.name.value.clone(), d)
            })
            .collect();
        Self {
            tree,
            inhibitions,
            receivers,
            problems,
        }
    }

    /// Receiver names reached by `labels`, in routing order, without repeats.
    pub fn receivers_for(&self, labels: &LabelSet) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for r in matching_routes(&self.tree, labels) {
            if !out.contains(&r.receiver) {
                out.push(r.receiver.clone());
            }
        }
        out
    }
}

/// The label set an alert arrives with: `alertname`, its rule's labels, then the
/// expectation's extra labels.
pub fn alert_labels(alert: &str, extra: &BTreeMap<String, String>, rules: &RuleLabels) -> LabelSet {
    let mut l = LabelSet::new();
    l.insert("alertname".into(), alert.into());
    if let Some(r) = rules.get(alert) {
        l.extend(r.clone());
    }
    l.extend(extra.clone());
    l
}

fn fmt_labels(l: &LabelSet) -> String {
    let inner: Vec<String> = l.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
    format!("{{{}}}", inner.join(", "))
}

/// Every routing check of one Alertmanager config against the expectations.
pub fn check_routes(
    file: &str,
    model: &RoutingModel,
    exp: &RoutesExpectations,
    rules: &RuleLabels,
) -> Vec<Check> {
    let mut out = Vec::new();
    out.push(structure_check(file, model));
    out.push(label_values_check(file, model, exp, rules));
    if !exp.alerts.is_empty() && !rules.is_empty() {
        out.push(coverage_check(exp, rules));
    }
    for a in &exp.alerts {
        out.push(alert_route_check(model, a, rules));
        if !a.inhibited_by.is_empty() {
            out.push(inhibition_check(model, a, rules));
        }
    }
    out
}

fn structure_check(file: &str, model: &RoutingModel) -> Check {
    let mut nodes = Vec::new();
    walk(&model.tree, &mut nodes);
    let mut problems = model.problems.clone();
    for n in nodes {
        if !model.receivers.contains_key(&n.receiver) {
            let hint =
                crate::util::nearest(&n.receiver, model.receivers.keys().map(String::as_str))
                    .map(|h| format!("; did you mean `{h}`?"))
                    .unwrap_or_default();
            problems.push(format!(
                "{} (line {}) routes to receiver `{}`, which is not defined{hint}",
                n.path, n.line, n.receiver
            ));
        }
    }
    if problems.is_empty() {
        Check::pass(
            "routes.structure",
            KIND,
            format!("{file}: every route's matchers parse and its receiver exists"),
        )
    } else {
        Check::fail("routes.structure", KIND, format!("{file}: {}", problems[0]))
            .with_all_evidence(problems)
    }
}

fn describe(name: &str, d: Option<&Delivery>) -> String {
    match d {
        None => format!("{name} (undefined)"),
        Some(d) => {
            let mut parts: Vec<String> = d
                .slack_channels
                .iter()
                .map(|c| format!("Slack {c}"))
                .collect();
            parts.extend(d.pagerduty_keys.iter().map(|k| format!("PagerDuty {k}")));
            if parts.is_empty() {
                name.to_string()
            } else {
                format!("{name} ({})", parts.join(" + "))
            }
        }
    }
}

fn alert_route_check(model: &RoutingModel, a: &AlertRouteExpectation, rules: &RuleLabels) -> Check {
    let id = format!("routes.{}", a.alert);
    let labels = alert_labels(&a.alert, &a.labels, rules);
    let got = model.receivers_for(&labels);
    let got_set: BTreeSet<&String> = got.iter().collect();
    let want_set: BTreeSet<&String> = a.receivers.keys().collect();
    // The config's PagerDuty keys are secrets: a message shows only those the expectations
    // name (already in the user's files), the others as the redacted configs' fingerprint.
    let named: BTreeSet<String> = a
        .receivers
        .values()
        .flat_map(|e| e.pagerduty_routing_keys.iter().cloned())
        .collect();
    let shown = |d: &Delivery| Delivery {
        slack_channels: d.slack_channels.clone(),
        pagerduty_keys: d
            .pagerduty_keys
            .iter()
            .map(|k| {
                if named.contains(k) {
                    k.clone()
                } else {
                    crate::config::secrets::fingerprint(k)
                }
            })
            .collect(),
    };
    let got_desc: Vec<String> = got
        .iter()
        .map(|r| describe(r, model.receivers.get(r).map(shown).as_ref()))
        .collect();
    let want_desc: Vec<String> = a
        .receivers
        .iter()
        .map(|(n, e)| describe_expect(n, e))
        .collect();
    let mut problems = Vec::new();
    if got_set != want_set {
        problems.push(format!(
            "reaches [{}], expected exactly [{}]",
            got_desc.join(", "),
            want_desc.join(", ")
        ));
    }
    for (name, e) in &a.receivers {
        let Some(d) = model.receivers.get(name) else {
            if got_set.contains(name) {
                problems.push(format!("receiver `{name}` is not defined"));
            }
            continue;
        };
        let want_slack: BTreeSet<String> = e.slack_channels.iter().cloned().collect();
        let want_pd: BTreeSet<String> = e.pagerduty_routing_keys.iter().cloned().collect();
        if d.slack_channels != want_slack {
            problems.push(mismatch(
                name,
                "Slack channel",
                &d.slack_channels,
                &want_slack,
            ));
        }
        if d.pagerduty_keys != want_pd {
            problems.push(mismatch(
                name,
                "PagerDuty routing key",
                &shown(d).pagerduty_keys,
                &want_pd,
            ));
        }
    }
    if problems.is_empty() {
        Check::pass(
            id,
            KIND,
            format!(
                "`{}` {} reaches exactly [{}]",
                a.alert,
                fmt_labels(&labels),
                got_desc.join(", ")
            ),
        )
    } else {
        Check::fail(
            id,
            KIND,
            format!(
                "`{}` {}: {}",
                a.alert,
                fmt_labels(&labels),
                problems.join("; ")
            ),
        )
    }
}

/// "receiver `critical` has no PagerDuty routing key; expected video-pipeline-critical".
fn mismatch(name: &str, what: &str, got: &BTreeSet<String>, want: &BTreeSet<String>) -> String {
    let list = |s: &BTreeSet<String>| s.iter().cloned().collect::<Vec<_>>().join(", ");
    match (got.is_empty(), want.is_empty()) {
        (true, _) => format!("receiver `{name}` has no {what}; expected {}", list(want)),
        (false, true) => format!("receiver `{name}` has {what} {}; expected none", list(got)),
        (false, false) => format!(
            "receiver `{name}` has {what} {}; expected {}",
            list(got),
            list(want)
        ),
    }
}

fn describe_expect(name: &str, e: &ReceiverExpectation) -> String {
    let d = Delivery {
        slack_channels: e.slack_channels.iter().cloned().collect(),
        pagerduty_keys: e.pagerduty_routing_keys.iter().cloned().collect(),
    };
    describe(name, Some(&d))
}

fn inhibition_check(model: &RoutingModel, a: &AlertRouteExpectation, rules: &RuleLabels) -> Check {
    let id = format!("routes.inhibit.{}", a.alert);
    let target = alert_labels(&a.alert, &a.labels, rules);
    let mut problems = Vec::new();
    let mut held = Vec::new();
    for src in &a.inhibited_by {
        let source = alert_labels(&src.alert, &src.labels, rules);
        match inhibited_by(&target, std::slice::from_ref(&source), &model.inhibitions) {
            Some((rule, _)) => held.push(format!("{} by {} ({})", a.alert, src.alert, rule.path)),
            None => problems.push(format!(
                "{} {} is not inhibited by {} {}",
                a.alert,
                fmt_labels(&target),
                src.alert,
                fmt_labels(&source)
            )),
        }
    }
    if problems.is_empty() {
        Check::pass(
            id,
            KIND,
            format!("inhibited as expected: {}", held.join(", ")),
        )
    } else {
        Check::fail(id, KIND, problems.join("; "))
    }
}

/// The checks this module emits (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[
    CheckInfo {
        id: "routes.structure",
        kind: KIND,
        proves: "every route's matchers parse and every receiver a route names exists",
        failure: "Alertmanager would reject or misroute: the message gives the route's line",
        explain: "The routing tree of alertmanager.yml is resolved in obsgate: bad matchers, a \
                  missing root receiver or a route to an undefined receiver fail here.\n\
                  Example failure: config/alertmanager.yml: route[1] (line 23) routes to receiver \
                  `critcal`, which is not defined; did you mean `critical`?",
    },
    CheckInfo {
        id: "routes.<alert>",
        kind: KIND,
        proves: "the alert reaches exactly the expected receivers, channels and routing keys",
        failure: "the alert would page the wrong people (or nobody): see the route it matches",
        explain: "The alert's labels (alertname, its rule's labels, the expectation's extras) \
                  are routed through the tree; the receivers reached, their Slack channels and \
                  PagerDuty routing keys must be exactly those in expectations/routes.yaml.\n\
                  Example failure: `SLABreach` {alertname=\"SLABreach\", severity=\"critical\"}: \
                  receiver `critical` has no PagerDuty routing key; expected video-pipeline-critical",
    },
    CheckInfo {
        id: "routes.inhibit.<alert>",
        kind: KIND,
        proves: "the alert is inhibited by the alerts the expectations say inhibit it",
        failure: "no inhibit rule covers the pair: see `inhibit_rules` in alertmanager.yml",
        explain: "For each `inhibited_by` of the alert's routing expectation, an inhibit rule \
                  must match the source alert's labels and this alert's labels with equal `equal:` labels.\n\
                  Example failure: PipelineDegraded {severity=\"warning\"} is not inhibited by \
                  PipelineDown {severity=\"critical\"}",
    },
];
