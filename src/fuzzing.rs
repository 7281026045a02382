//! What each fuzz target in `fuzz/` feeds its bytes to, shared with the replay test of
//! `fuzz/regressions/` (`tests/it/fuzz_replay.rs`), so both call exactly the same code.
//! Not part of the API: every function takes arbitrary bytes, ignores the result of the
//! loader it calls, and panics only when a property documented in `fuzz/README.md` fails.

use std::collections::BTreeSet;
use std::path::Path;

use promql_parser::parser::{BinModifier, Expr, LabelModifier, VectorSelector};
use serde::de::IgnoredAny;
use serde_json::Value;

use crate::check::config::dashboards::{
    DashboardPolicy, check_dashboard, check_unique_uids, panel_queries,
};
use crate::check::config::routes::{RoutingModel, check_routes};
use crate::check::config::rules::{RulesPolicy, check_rule_file};
use crate::check::config::rules_metrics::KnownMetrics;
use crate::config::alertmanager::AlertmanagerConfig;
use crate::config::grafana::ProvisionedDatasource;
use crate::config::rules_file::RuleFile;
use crate::evidence::ExpositionFormat;
use crate::expect::routes::RoutesExpectations;
use crate::observe::otlp::Encoding;

/// Every fuzz target, by the name of its file in `fuzz/fuzz_targets/`.
pub const TARGETS: [&str; 8] = [
    "scenario",
    "expectations",
    "exposition",
    "otlp",
    "receivers",
    "rules_alertmanager",
    "dashboard",
    "promql_rewrite",
];

/// Largest gunzipped body the `otlp` target accepts (the receiver allows 64 MiB; a smaller
/// bound keeps one execution cheap while exercising the same limit logic).
pub const OTLP_GUNZIP_LIMIT: usize = 1 << 20;

/// Feeds `data` to the entry point of `target`; false when there is no such target.
pub fn run(target: &str, data: &[u8]) -> bool {
    match target {
        "scenario" => scenario(data),
        "expectations" => expectations(data),
        "exposition" => exposition(data),
        "otlp" => otlp(data),
        "receivers" => receivers(data),
        "rules_alertmanager" => rules_alertmanager(data),
        "dashboard" => dashboard(data),
        "promql_rewrite" => promql_rewrite(data),
        _ => return false,
    }
    true
}

/// A scenario file: parsed, resolved and validated.
pub fn scenario(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = crate::scenario::parse_scenario(text, Path::new("fuzz/scenario.yaml"));
}

/// The top-level keys that choose an expectation file's reader.
#[derive(serde::Deserialize)]
struct ExpectationKeys {
    kind: Option<IgnoredAny>,
    criteria: Option<IgnoredAny>,
    alerts: Option<IgnoredAny>,
    label_values: Option<IgnoredAny>,
    cases: Option<IgnoredAny>,
    slos: Option<IgnoredAny>,
}

/// An expectation file, given to each reader its top-level keys call for, as the expectation
/// set does: `kind:` files (metrics, logs, traces; also what has none of these keys),
/// acceptance criteria (`criteria`), alert expectations (`alerts`), routes expectations
/// (`alerts`, `label_values`, `cases`), and the SLO file (`slos`, whose burn-rate rules are generated).
pub fn expectations(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let file = "fuzz/expectations.yaml";
    let Ok(keys) = serde_saphyr::from_str::<ExpectationKeys>(text) else {
        let _ = crate::expect::parse_str(file, text);
        return;
    };
    let none = keys.criteria.is_none() && keys.alerts.is_none() && keys.slos.is_none();
    let routes = keys.label_values.is_some() || keys.cases.is_some();
    if keys.kind.is_some() || (none && !routes) {
        let _ = crate::expect::parse_str(file, text);
    }
    if keys.criteria.is_some() {
        let _ = crate::expect::acceptance::parse(text, file);
    }
    if keys.alerts.is_some() {
        let _ = crate::expect::alerts::parse(text, file);
    }
    if keys.alerts.is_some() || routes {
        let _ = crate::expect::routes::parse(file, text);
    }
    if keys.slos.is_some()
        && let Ok(set) = crate::slo::parse(text, file)
    {
        let _ = crate::slo::generate::rules_file(&set, "slos.yaml");
    }
}

/// An exposition: the first byte picks the format (even: text 0.0.4, odd: OpenMetrics; `t`
/// and `o` in the seeds), the rest is parsed strictly and with every error listed.
pub fn exposition(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let format = if selector & 1 == 0 {
        ExpositionFormat::Text004
    } else {
        ExpositionFormat::OpenMetrics
    };
    let _ = crate::observe::exposition::parse(text, format);
    let _ = crate::observe::exposition::parse_all_errors(text, format);
}

/// An OTLP/HTTP trace export body: the first byte's bit 0 picks the encoding (0 protobuf,
/// 1 JSON) and bit 1 whether the rest is gunzipped first (as for `Content-Encoding: gzip`).
pub fn otlp(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let encoding = if selector & 1 == 0 {
        Encoding::Protobuf
    } else {
        Encoding::Json
    };
    if selector & 2 == 0 {
        let _ = crate::observe::otlp::decode(rest, encoding);
        return;
    }
    if let Ok(body) = crate::observe::otlp::gunzip_limited(rest, OTLP_GUNZIP_LIMIT) {
        assert!(body.len() <= OTLP_GUNZIP_LIMIT, "gunzip exceeded its limit");
        let _ = crate::observe::otlp::decode(&body, encoding);
    }
}

/// A notification body as the fake receivers get it: JSON, then read as Slack, PagerDuty
/// and Alertmanager webhook payloads.
pub fn receivers(data: &[u8]) {
    let Ok(v) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let _ = crate::observe::receivers::parse_slack("fuzz", &v, 0);
    let _ = crate::observe::receivers::parse_pagerduty("fuzz", &v, 0);
    let _ = crate::observe::receivers::parse_webhook("fuzz", &v, 0);
}

/// A YAML file read both as a Prometheus rule file (then checked, and compressed for a stack
/// ten times faster) and as `alertmanager.yml` (then resolved into a routing model and routed).
pub fn rules_alertmanager(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let file = "fuzz/rules.yaml";
    let parsed = crate::config::parse_yaml::<RuleFile>(file, text);
    if parsed.is_ok() {
        let policy = RulesPolicy::shipped(known_metrics(), Some(BTreeSet::new()));
        let _ = check_rule_file(file, &parsed, &policy);
        let mut timers = crate::stack::clock::Timers::new(10.0);
        let _ = crate::stack::clock::compress_rule_file(text, file, &mut timers, 15.0);
    }
    if let Ok(cfg) = crate::config::parse_yaml::<AlertmanagerConfig>("fuzz/am.yml", text) {
        let model = RoutingModel::new(&cfg);
        let labels = [("alertname", "Fuzz"), ("severity", "critical")]
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .into();
        let _ = model.receivers_for(&labels);
        let _ = check_routes(
            "fuzz/am.yml",
            &model,
            &RoutesExpectations::default(),
            &Default::default(),
        );
    }
}

fn known_metrics() -> KnownMetrics {
    KnownMetrics::contract_plus(Vec::<String>::new())
}

/// A Grafana dashboard: JSON, walked and located (line and column of panels and targets),
/// then every static dashboard check (the dashboard-linter advice included) and the live
/// check's query extraction (template substitution, PromQL parsing).
pub fn dashboard(data: &[u8]) {
    let Ok(v) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let mut d = crate::config::dashboard::walk("fuzz/dashboard.json", &v);
    // Positions come from the same text serde_json accepted, as `load_dashboard` reads them.
    let text = String::from_utf8_lossy(data);
    d.locate(&crate::config::json_pos::positions(&text));
    let provisioned = [ProvisionedDatasource {
        name: "Prometheus".into(),
        uid: Some("prometheus".into()),
        kind: "prometheus".into(),
        url: Some("http://prometheus:9090".into()),
        is_default: true,
    }];
    let _ = check_dashboard(
        &d,
        &provisioned,
        &known_metrics(),
        &DashboardPolicy::default(),
    );
    let _ = panel_queries(&d);
    let _ = check_unique_uids(std::slice::from_ref(&d));
}

/// The time scales and production scrape intervals the `promql_rewrite` target picks from.
pub const REWRITE_SCALES: [f64; 4] = [1.0, 2.0, 10.0, 100.0];
pub const REWRITE_SCRAPES: [f64; 4] = [15.0, 5.0, 60.0, 1.0];

/// A PromQL expression compressed by `compress_expr`. The first byte picks the time scale
/// (bits 0-1) and scrape interval (bits 2-3); the rest is the expression. Panics when:
/// the rewriter refuses its own output (`rewrite`), an accepted rewrite does not parse, a
/// rewrite does not print back to itself, or at K = 1 valid PromQL is refused (but for
/// nesting past `clock::promql::MAX_DEPTH`, or a duration or `@` time the printer cannot
/// write exactly)
/// or parses back to a different expression.
pub fn promql_rewrite(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(expr) = std::str::from_utf8(rest) else {
        return;
    };
    let k = REWRITE_SCALES[usize::from(selector & 3)];
    let scrape = REWRITE_SCRAPES[usize::from((selector >> 2) & 3)];
    let input = crate::config::promql::parse(expr);
    let out = match crate::stack::clock::compress_expr(expr, k, scrape) {
        Ok(out) => out,
        Err(r) => {
            assert!(r.construct != "rewrite", "k={k}: {expr:?}: {r}");
            let deep = r.construct == "nesting";
            // A duration or an `@` time the printer cannot write back exactly.
            let unspelled = r.message.contains("cannot be written back as a PromQL");
            assert!(
                k != 1.0 || input.is_err() || deep || unspelled,
                "k=1 refused {expr:?}: {r}"
            );
            return;
        }
    };
    let reparsed = crate::config::promql::parse(&out.text)
        .unwrap_or_else(|e| panic!("k={k}: {expr:?} -> {:?} does not parse: {e}", out.text));
    assert_eq!(
        reparsed.to_string(),
        out.text,
        "k={k}: {expr:?}: the rewrite does not print back to itself"
    );
    if k == 1.0 {
        let input = input.unwrap_or_else(|e| panic!("accepted {expr:?} does not parse: {e}"));
        // Where the printer cannot write the input (`ignoring ()` before a group modifier),
        // the rewrite spells it another way; the AST comparison below still holds it.
        let printed = input.to_string();
        if crate::config::promql::parse(&printed).is_ok() {
            assert_eq!(printed, out.text, "k=1: {expr:?} is not printed as itself");
        }
        assert_eq!(
            sorted_matchers(reparsed),
            sorted_matchers(input),
            "k=1: {expr:?} -> {:?} is another expression",
            out.text
        );
    }
}

/// `e` with the label matchers of every selector in one order (the printer sorts them, and
/// their order does not change what a selector selects), and `by ()` and `ignoring ()` as no
/// modifier.
fn sorted_matchers(mut e: Expr) -> Expr {
    sort_in(&mut e);
    e
}

fn sort_in(e: &mut Expr) {
    let sort = |vs: &mut VectorSelector| {
        vs.matchers.matchers.sort_by_key(ToString::to_string);
        for group in &mut vs.matchers.or_matchers {
            group.sort_by_key(ToString::to_string);
        }
    };
    match e {
        Expr::Aggregate(a) => {
            // `by ()` groups by nothing, as no modifier does; the printer drops it.
            if matches!(&a.modifier, Some(LabelModifier::Include(l)) if l.labels.is_empty()) {
                a.modifier = None;
            }
            sort_in(&mut a.expr);
            if let Some(p) = a.param.as_mut() {
                sort_in(p);
            }
        }
        Expr::Unary(u) => sort_in(&mut u.expr),
        Expr::Binary(b) => {
            // `ignoring ()` and `ignoring (__name__)` match as no modifier does (matching
            // always leaves the metric name out); the printer drops the first.
            if let Some(m) = b.modifier.as_mut() {
                if matches!(&m.matching, Some(LabelModifier::Exclude(l))
                    if l.labels.iter().all(|n| n == "__name__"))
                {
                    m.matching = None;
                }
                if *m == BinModifier::default() {
                    b.modifier = None;
                }
            }
            sort_in(&mut b.lhs);
            sort_in(&mut b.rhs);
        }
        Expr::Paren(p) => sort_in(&mut p.expr),
        Expr::Subquery(s) => sort_in(&mut s.expr),
        Expr::VectorSelector(vs) => sort(vs),
        Expr::MatrixSelector(m) => sort(&mut m.vs),
        Expr::Call(c) => c.args.args.iter_mut().for_each(|a| sort_in(a)),
        Expr::NumberLiteral(_) | Expr::StringLiteral(_) | Expr::Extension(_) => {}
    }
}
