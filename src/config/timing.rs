//! The stack's own timing, read from its configs: scrape and evaluation interval, each alert's
//! `for`, and Alertmanager's `group_wait` (root route and per receiver). Gives each alert its
//! theoretical lower bound from fault start to first notification.
//!
//! Read through the typed models of [`super`], so rule files and the Alertmanager config are as
//! strict here as Prometheus and Alertmanager are when they load the same text.

use std::collections::{BTreeMap, BTreeSet};

use super::alertmanager::{AlertmanagerConfig, Receiver, Route};
use super::parse_yaml;
use super::prometheus::PrometheusConfig;
use super::rules_file::RuleFile;
use crate::config::duration::parse_prom_duration;

/// Timing parameters of one stack.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StackTiming {
    /// Global scrape interval, seconds (Prometheus default 60).
    pub scrape_interval_s: f64,
    /// Global evaluation interval, seconds (Prometheus default 60).
    pub evaluation_interval_s: f64,
    /// `for` of each alerting rule, seconds.
    pub for_s: BTreeMap<String, f64>,
    /// Root route `group_wait`, seconds (Alertmanager default 30).
    pub group_wait_s: f64,
    /// `group_wait` of the first route naming each receiver, seconds (inherits from its parent).
    pub group_wait_by_receiver_s: BTreeMap<String, f64>,
    /// Root route `group_interval`, seconds (Alertmanager default 5m).
    pub group_interval_s: f64,
    /// The longest `group_interval` of the routes naming each receiver, seconds (inherited):
    /// a resolved message is due at most this long after the alert resolved.
    pub group_interval_by_receiver_s: BTreeMap<String, f64>,
    /// Per receiver, the integrations (`slack`, `pagerduty`) with `send_resolved` on
    /// (Alertmanager's defaults: Slack off, PagerDuty on).
    pub send_resolved: BTreeMap<String, BTreeSet<String>>,
}

fn dur(v: Option<&String>, default: f64, what: &str) -> Result<f64, String> {
    match v {
        Some(s) => parse_prom_duration(s).map_err(|e| format!("{what}: {e}")),
        None => Ok(default),
    }
}

/// Per receiver: the first route's `group_wait`, the longest `group_interval`.
#[derive(Default)]
struct RouteTimers {
    group_wait: BTreeMap<String, f64>,
    group_interval: BTreeMap<String, f64>,
}

fn walk_routes(route: &Route, inherited: (f64, f64), out: &mut RouteTimers) -> Result<(), String> {
    let gw = dur(route.group_wait.as_ref(), inherited.0, "group_wait")?;
    let gi = dur(route.group_interval.as_ref(), inherited.1, "group_interval")?;
    if let Some(r) = &route.receiver {
        out.group_wait.entry(r.value.clone()).or_insert(gw);
        let e = out.group_interval.entry(r.value.clone()).or_insert(gi);
        *e = e.max(gi);
    }
    for c in &route.routes {
        walk_routes(c, (gw, gi), out)?;
    }
    Ok(())
}

/// The integrations of `r` with `send_resolved` on.
fn resolved_kinds(r: &Receiver) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    if r.slack_configs
        .iter()
        .any(|c| c.send_resolved == Some(true))
    {
        out.insert("slack".to_string());
    }
    if r.pagerduty_configs
        .iter()
        .any(|c| c.send_resolved != Some(false))
    {
        out.insert("pagerduty".to_string());
    }
    out
}

/// `for` of every alerting rule in the rule files' texts, seconds (absent: 0).
fn alert_for_s(rules: &[String]) -> Result<BTreeMap<String, f64>, String> {
    let mut for_s = BTreeMap::new();
    for text in rules {
        let r: RuleFile = parse_yaml("rule file", text).map_err(|e| e.to_string())?;
        for rule in r.groups.iter().flat_map(|g| &g.rules) {
            if let Some(name) = &rule.alert {
                let f = dur(rule.for_duration.as_ref(), 0.0, &name.value)?;
                for_s.insert(name.value.clone(), f);
            }
        }
    }
    Ok(for_s)
}

impl StackTiming {
    /// Read the timing from Prometheus config text, the rule files' texts and Alertmanager config text.
    pub fn from_configs(
        prometheus: &str,
        rules: &[String],
        alertmanager: &str,
    ) -> Result<Self, String> {
        let p: PrometheusConfig =
            parse_yaml("prometheus config", prometheus).map_err(|e| e.to_string())?;
        let g = p.global.as_ref();
        let scrape_interval_s = dur(
            g.and_then(|g| g.scrape_interval.as_ref()),
            60.0,
            "scrape_interval",
        )?;
        let evaluation_interval_s = dur(
            g.and_then(|g| g.evaluation_interval.as_ref()),
            60.0,
            "evaluation_interval",
        )?;
        let for_s = alert_for_s(rules)?;
        let a: AlertmanagerConfig =
            parse_yaml("alertmanager config", alertmanager).map_err(|e| e.to_string())?;
        let route = a.route.unwrap_or_default();
        let group_wait_s = dur(route.group_wait.as_ref(), 30.0, "group_wait")?;
        let group_interval_s = dur(route.group_interval.as_ref(), 300.0, "group_interval")?;
        let mut timers = RouteTimers::default();
        walk_routes(&route, (group_wait_s, group_interval_s), &mut timers)?;
        Ok(Self {
            scrape_interval_s,
            evaluation_interval_s,
            for_s,
            group_wait_s,
            group_wait_by_receiver_s: timers.group_wait,
            group_interval_s,
            group_interval_by_receiver_s: timers.group_interval,
            send_resolved: a
                .receivers
                .iter()
                .map(|r| (r.name.value.clone(), resolved_kinds(r)))
                .collect(),
        })
    }

    /// The same timing with every duration multiplied by `k`: a compressed stack's timing
    /// back in scenario seconds.
    pub fn scaled(mut self, k: f64) -> Self {
        self.scrape_interval_s *= k;
        self.evaluation_interval_s *= k;
        self.group_wait_s *= k;
        self.group_interval_s *= k;
        for v in self
            .for_s
            .values_mut()
            .chain(self.group_wait_by_receiver_s.values_mut())
            .chain(self.group_interval_by_receiver_s.values_mut())
        {
            *v *= k;
        }
        self
    }

    /// Lower bound from fault start to first notification: scrape + evaluation interval + `for`
    /// + `group_wait` (the smallest among the receivers that got it, else the root's). None when
    ///   the alert has no rule.
    pub fn bound_s(&self, alert: &str, receivers: &[String]) -> Option<f64> {
        let f = self.for_s.get(alert)?;
        let gw = receivers
            .iter()
            .filter_map(|r| self.group_wait_by_receiver_s.get(r))
            .copied()
            .reduce(f64::min)
            .unwrap_or(self.group_wait_s);
        Some(self.scrape_interval_s + self.evaluation_interval_s + f + gw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROM: &str = "global:\n  scrape_interval: 15s\n  evaluation_interval: 30s\n";
    const RULES: &str = "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n    for: 5m\n  - alert: B\n    expr: up == 0\n  - record: r\n    expr: up\n";
    const AM: &str = "route:\n  receiver: default\n  group_wait: 30s\n  routes:\n  - receiver: pager\n    group_wait: 10s\n    group_interval: 1m\n  - receiver: slack\nreceivers: []\n";

    #[test]
    fn bound_is_scrape_eval_for_group_wait() {
        let t = StackTiming::from_configs(PROM, &[RULES.to_string()], AM).unwrap_or_default();
        assert_eq!(t.for_s.get("A"), Some(&300.0));
        assert_eq!(t.for_s.get("B"), Some(&0.0));
        assert_eq!(t.bound_s("A", &[]), Some(15.0 + 30.0 + 300.0 + 30.0));
        assert_eq!(
            t.bound_s("A", &["pager".into(), "slack".into()]),
            Some(355.0)
        );
        assert_eq!(t.bound_s("A", &["slack".into()]), Some(375.0));
        assert_eq!(t.bound_s("missing", &[]), None);
        let gi = &t.group_interval_by_receiver_s;
        assert_eq!(
            (gi.get("pager"), gi.get("slack")),
            (Some(&60.0), Some(&300.0))
        );
        assert_eq!(
            t.scaled(30.0).group_interval_by_receiver_s.get("pager"),
            Some(&1800.0)
        );
    }

    #[test]
    fn group_interval_and_send_resolved_per_receiver() {
        let am = "route:\n  receiver: slack\n  group_interval: 5m\n  routes:\n  - receiver: pager\n    group_interval: 2m\nreceivers:\n- name: pager\n  slack_configs: [{channel: '#c', send_resolved: true}]\n  pagerduty_configs: [{routing_key: k}]\n- name: slack\n  slack_configs: [{channel: '#s'}]\n  pagerduty_configs: [{routing_key: k, send_resolved: false}]\n";
        let t = StackTiming::from_configs(PROM, &[], am).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.group_interval_by_receiver_s.get("pager"), Some(&120.0));
        assert_eq!(t.group_interval_by_receiver_s.get("slack"), Some(&300.0));
        let kinds = |r: &str| t.send_resolved[r].iter().cloned().collect::<Vec<_>>();
        assert_eq!(kinds("pager"), ["pagerduty", "slack"]);
        assert!(
            kinds("slack").is_empty(),
            "Slack defaults to off: {:?}",
            kinds("slack")
        );
        let s = t.scaled(10.0);
        assert_eq!(s.group_interval_by_receiver_s.get("pager"), Some(&1200.0));
    }

    #[test]
    fn defaults_and_bad_values() {
        let t = StackTiming::from_configs("{}", &[], "route: {}\n").unwrap_or_default();
        assert_eq!(
            (t.scrape_interval_s, t.evaluation_interval_s, t.group_wait_s),
            (60.0, 60.0, 30.0)
        );
        let e =
            StackTiming::from_configs("global: {scrape_interval: 5x}\n", &[], "{}").unwrap_err();
        assert!(e.contains("5x"), "{e}");
    }
}
