//! Coverage of Alertmanager's routing tree and receivers. Routes: the labels of every alert
//! instance that was notified go through the routing model (`check::config::routes_tree`,
//! `continue` honoured); a node is covered when the dispatch matched it for at least one of
//! them. Receivers: each integration (`critical/slack[0]`) is covered when a fake receiver got
//! a notification for it.

use std::collections::{BTreeMap, BTreeSet};

use super::{AlertsView, NO_CONFIG, alerts_lost};
use crate::check::config::routes::RoutingModel;
use crate::check::config::routes_matchers::{LabelSet, all_match};
use crate::check::config::routes_tree::RouteNode;
use crate::config::alertmanager::{AlertmanagerConfig, Receiver};
use crate::config::stack::StackConfig;
use crate::evidence::coverage::{Dimension, MAX_NAMES, ReceiverCoverage, RouteCoverage};
use crate::evidence::{
    AlertObservations, AlertState, Notification, NotificationKind, RoutingEvidence,
};

/// The routing tree's path in the report's notation: `root`, `root.routes[0]`.
pub fn route_path(tree_path: &str) -> String {
    match tree_path.strip_prefix("route") {
        Some(rest) => format!("root{rest}"),
        None => tree_path.to_string(),
    }
}

/// The label sets of every alert instance that reached firing and whose alert was notified
/// (named by a notification, or routed to a receiver by Alertmanager's API), without repeats.
pub fn notified_instances(obs: &AlertObservations) -> Vec<LabelSet> {
    let mut notified: BTreeSet<&str> = obs
        .notifications
        .iter()
        .flat_map(|n| n.alertnames.iter().map(String::as_str))
        .collect();
    notified.extend(
        obs.am_receivers
            .iter()
            .filter(|(_, r)| !r.is_empty())
            .map(|(a, _)| a.as_str()),
    );
    let mut out: Vec<LabelSet> = Vec::new();
    for c in &obs.changes {
        if c.state != AlertState::Firing || !notified.contains(c.alertname.as_str()) {
            continue;
        }
        let mut labels = c.labels.clone();
        labels.insert("alertname".into(), c.alertname.clone());
        if !out.contains(&labels) {
            out.push(labels);
        }
    }
    out
}

/// Per node path: (matched, handled, alert names).
type Hits = BTreeMap<String, (usize, usize, BTreeSet<String>)>;

/// Alertmanager's dispatch of `labels` from `node`, marking every node it matched and the ones
/// that delivered. True when `node` matched.
fn dispatch(node: &RouteNode, labels: &LabelSet, hits: &mut Hits) -> bool {
    if !all_match(&node.matchers, labels) {
        return false;
    }
    let mut taken = false;
    for child in &node.children {
        if dispatch(child, labels, hits) {
            taken = true;
            if !child.continue_matching {
                break;
            }
        }
    }
    let h = hits.entry(node.path.clone()).or_default();
    h.0 += 1;
    if !taken {
        h.1 += 1;
    }
    if let Some(a) = labels.get("alertname") {
        h.2.insert(a.clone());
    }
    true
}

fn route_items(model: &RoutingModel, instances: &[LabelSet]) -> Vec<RouteCoverage> {
    let mut hits = Hits::new();
    for labels in instances {
        dispatch(&model.tree, labels, &mut hits);
    }
    let mut nodes = Vec::new();
    crate::check::config::routes_tree::walk(&model.tree, &mut nodes);
    nodes
        .into_iter()
        .map(|n| {
            let (matched, handled, names) = hits.remove(&n.path).unwrap_or_default();
            RouteCoverage {
                path: route_path(&n.path),
                matchers: n.matchers.iter().map(ToString::to_string).collect(),
                receiver: n.receiver.clone(),
                continue_matching: n.continue_matching,
                matched,
                handled,
                alerts: names.into_iter().take(MAX_NAMES).collect(),
            }
        })
        .collect()
}

/// One receiver's integrations: (kind, channel, observable), in config order per kind.
fn integrations(r: &Receiver) -> Vec<(&'static str, Option<String>, bool)> {
    let mut out: Vec<(&'static str, Option<String>, bool)> = Vec::new();
    out.extend(
        r.slack_configs
            .iter()
            .map(|s| ("slack", s.channel.clone(), true)),
    );
    out.extend(
        r.pagerduty_configs
            .iter()
            .map(|_| ("pagerduty", None, true)),
    );
    let webhooks = r.webhook_configs.as_ref().map_or(0, Vec::len);
    out.extend((0..webhooks).map(|_| ("webhook", None, true)));
    out.extend(r.email_configs.iter().map(|_| ("email", None, false)));
    let others = [
        ("opsgenie", &r.opsgenie_configs),
        ("pushover", &r.pushover_configs),
        ("victorops", &r.victorops_configs),
        ("wechat", &r.wechat_configs),
        ("telegram", &r.telegram_configs),
        ("sns", &r.sns_configs),
        ("webex", &r.webex_configs),
        ("discord", &r.discord_configs),
        ("msteams", &r.msteams_configs),
        ("msteamsv2", &r.msteamsv2_configs),
        ("jira", &r.jira_configs),
        ("rocketchat", &r.rocketchat_configs),
    ];
    for (kind, list) in others {
        let n = list.as_ref().map_or(0, Vec::len);
        out.extend((0..n).map(|_| (kind, None, false)));
    }
    out
}

/// The index, among `r`'s integrations of the notification's kind, that sent `n`: the Slack
/// config with its channel, the PagerDuty config with its key, else the first of the kind.
fn integration_index(r: &Receiver, n: &Notification) -> usize {
    let found = match n.kind {
        NotificationKind::Slack => r
            .slack_configs
            .iter()
            .position(|s| s.channel.is_some() && s.channel == n.channel),
        NotificationKind::Pagerduty => r.pagerduty_configs.iter().position(|p| {
            n.routing_key.is_some()
                && (p.routing_key == n.routing_key || p.service_key == n.routing_key)
        }),
        NotificationKind::Webhook => None,
    };
    found.unwrap_or(0)
}

fn kind_name(k: NotificationKind) -> &'static str {
    match k {
        NotificationKind::Slack => "slack",
        NotificationKind::Pagerduty => "pagerduty",
        NotificationKind::Webhook => "webhook",
    }
}

fn receiver_items(
    am: &AlertmanagerConfig,
    notifications: &[Notification],
) -> Vec<ReceiverCoverage> {
    let mut counts: BTreeMap<(String, &'static str, usize), usize> = BTreeMap::new();
    for n in notifications {
        let Some(r) = am.receivers.iter().find(|r| r.name.value == n.receiver) else {
            continue;
        };
        let key = (
            n.receiver.clone(),
            kind_name(n.kind),
            integration_index(r, n),
        );
        *counts.entry(key).or_default() += 1;
    }
    let mut out = Vec::new();
    for r in &am.receivers {
        let mut index: BTreeMap<&str, usize> = BTreeMap::new();
        for (kind, channel, observable) in integrations(r) {
            let i = index.entry(kind).or_default();
            let name = r.name.value.clone();
            out.push(ReceiverCoverage {
                integration: format!("{name}/{kind}[{i}]"),
                notifications: counts.get(&(name.clone(), kind, *i)).copied().unwrap_or(0),
                receiver: name,
                kind: kind.to_string(),
                channel,
                unobservable: !observable,
            });
            *i += 1;
        }
    }
    out
}

/// The routes and receivers dimensions.
pub fn routes_and_receivers(
    config: Option<&StackConfig>,
    alerts: AlertsView<'_>,
) -> (Dimension<RouteCoverage>, Dimension<ReceiverCoverage>) {
    let am = config
        .and_then(|c| c.alertmanager.as_ref())
        .and_then(|l| l.ok());
    let Some(am) = am else {
        let why = "alertmanager.yml could not be read";
        let why = if config.is_some() { why } else { NO_CONFIG };
        return (
            Dimension::unobserved(why, Vec::new()),
            Dimension::unobserved(why, Vec::new()),
        );
    };
    let model = RoutingModel::new(am);
    let (obs, routing) = match alerts {
        AlertsView::NotWatched(why) => {
            return (
                Dimension::unobserved(why, route_items(&model, &[])),
                Dimension::unobserved(why, receiver_items(am, &[])),
            );
        }
        AlertsView::Watched(o, r) => (o, r),
    };
    let routes = Dimension {
        lost: alerts_lost(obs, true),
        ..Dimension::observed(route_items(&model, &notified_instances(obs)))
    };
    let items = receiver_items(am, &obs.notifications);
    let receivers = match routing {
        RoutingEvidence::AlertmanagerApi => Dimension::unobserved(
            "an external Alertmanager notifies its own receivers: obsgate sees none of them",
            items,
        ),
        RoutingEvidence::Notifications => Dimension {
            lost: obs.receivers_lost.clone(),
            ..Dimension::observed(items)
        },
    };
    (routes, receivers)
}
