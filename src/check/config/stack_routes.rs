//! [`super::CHECKS`] entries for `alertmanager.yml` and the routes expectations, and the
//! `amtool config routes test` runs they need.

use std::collections::BTreeMap;

use crate::check::config::CheckCtx;
use crate::check::config::promql_labels::label_flow;
use crate::check::config::routes::{
    AmtoolCase, RoutingModel, alert_labels, amtool_cross_check, check_routes,
};
use crate::check::config::routes_cases::case_checks;
use crate::check::config::routes_inhibit_contract::inhibit_contract_check;
use crate::check::config::routes_inhibit_lint::inhibit_check;
use crate::check::config::routes_intervals::parse_intervals;
use crate::check::config::routes_intervals_check::intervals_check;
use crate::check::config::routes_lint::shadowed_check;
use crate::check::config::routes_receivers_lint::receivers_check;
use crate::check::config::routes_style_lint::style_checks;
use crate::check::config::rules_tool::tool_check;
use crate::check::config::templates::template_checks;
use crate::config::alertmanager::AlertmanagerConfig;
use crate::config::stack::StackConfig;
use crate::evidence::{RouteTest, StackTools, ToolRun};
use crate::verdict::{Check, Kind};

/// The routing cases amtool must evaluate: every expected alert with the labels it arrives
/// with, when `alertmanager.yml` parses (amtool is not asked about a config obsgate cannot
/// read itself).
pub fn route_tests(cfg: &StackConfig) -> Vec<RouteTest> {
    if cfg.alertmanager_ok().is_none() {
        return Vec::new();
    }
    let rules = super::rule_labels(cfg);
    super::routes_expectations(cfg)
        .alerts
        .iter()
        .map(|a| RouteTest {
            alert: a.alert.clone(),
            labels: alert_labels(&a.alert, &a.labels, &rules),
        })
        .collect()
}

/// The routing cases amtool must evaluate: every case of the routes expectations with its
/// label set, keyed as its check id, when `alertmanager.yml` parses.
pub fn case_tests(cfg: &StackConfig) -> Vec<RouteTest> {
    if cfg.alertmanager_ok().is_none() {
        return Vec::new();
    }
    super::routes_expectations(cfg)
        .cases
        .iter()
        .enumerate()
        .map(|(i, c)| RouteTest {
            alert: c.key(i),
            labels: c.labels.value.clone(),
        })
        .collect()
}

/// `alertmanager.parse`: a failure when `alertmanager.yml` cannot be read or parsed (a defect
/// of the file, as Alertmanager would refuse it); nothing otherwise.
pub(super) fn alertmanager_parse(cfg: &StackConfig, _: &StackTools, _: &CheckCtx) -> Vec<Check> {
    cfg.alertmanager
        .iter()
        .filter_map(|l| l.err())
        .map(|e| {
            Check::fail(
                "alertmanager.parse",
                Kind::Routes,
                format!("cannot parse: {e}"),
            )
        })
        .collect()
}

/// `alertmanager.config`: what `amtool check-config` said.
pub(super) fn amtool_config(cfg: &StackConfig, tools: &StackTools, _: &CheckCtx) -> Vec<Check> {
    if cfg.alertmanager.is_none() {
        return Vec::new();
    }
    vec![tool_check(
        "alertmanager.config",
        Kind::Routes,
        "amtool check-config",
        &tools.amtool_config,
    )]
}

/// `routes.expectations`: skipped when the file is absent, an error when it does not parse.
pub(super) fn expectations(cfg: &StackConfig, _: &StackTools, _: &CheckCtx) -> Vec<Check> {
    let id = "routes.expectations";
    if !cfg.paths.contract {
        return Vec::new();
    }
    match &cfg.routes_expectations {
        None => vec![Check::skip(
            id,
            Kind::Routes,
            format!(
                "{} not found: routes not checked against expectations",
                cfg.paths.routes_expectations().display()
            ),
        )],
        Some(l) => l
            .err()
            .map(|e| Check::error(id, Kind::Routes, format!("cannot parse: {e}")))
            .into_iter()
            .collect(),
    }
}

/// Every routing check of a parsed `alertmanager.yml` against the expectations.
pub(super) fn routes(cfg: &StackConfig, _: &StackTools, ctx: &CheckCtx) -> Vec<Check> {
    let (Some(loaded), Some(am)) = (&cfg.alertmanager, cfg.alertmanager_ok()) else {
        return Vec::new();
    };
    let model = RoutingModel::new(am);
    check_routes(&loaded.file(), &model, &ctx.routes, &ctx.rule_labels)
        .into_iter()
        .map(|c| c.about_file(loaded.file()))
        .collect()
}

/// `routes.lint.*`: the routing tree, time intervals, receivers and inhibit rules on their
/// own, and the inhibitions the rule labels decide against the routes expectations.
pub(super) fn lint(cfg: &StackConfig, _: &StackTools, ctx: &CheckCtx) -> Vec<Check> {
    let (Some(loaded), Some(am)) = (&cfg.alertmanager, cfg.alertmanager_ok()) else {
        return Vec::new();
    };
    let file = loaded.file();
    let model = RoutingModel::new(am);
    let mut out = lint_checks(&file, am, &model);
    out.extend(inhibit_contract_check(
        &file,
        &model,
        &ctx.routes,
        &ctx.rule_labels,
    ));
    out.into_iter().map(|c| c.about_file(&file)).collect()
}

/// The `routes.lint.*` checks that need nothing but `alertmanager.yml`.
pub fn lint_checks(file: &str, am: &AlertmanagerConfig, model: &RoutingModel) -> Vec<Check> {
    vec![
        shadowed_check(file, model),
        intervals_check(file, am, model),
        receivers_check(file, am, model),
        inhibit_check(file, model),
    ]
    .into_iter()
    .chain(style_checks(file, am, model))
    .collect()
}

/// `routes.case.<case>`: every routing case of the routes expectations, beside amtool's
/// answers.
pub(super) fn cases(cfg: &StackConfig, tools: &StackTools, ctx: &CheckCtx) -> Vec<Check> {
    let (Some(loaded), Some(am)) = (&cfg.alertmanager, cfg.alertmanager_ok()) else {
        return Vec::new();
    };
    if ctx.routes.cases.is_empty() {
        return Vec::new();
    }
    let model = RoutingModel::new(am);
    let mut bad = Vec::new();
    let mut intervals = parse_intervals(&am.time_intervals, &mut bad);
    intervals.extend(parse_intervals(&am.mute_time_intervals, &mut bad));
    let runs: BTreeMap<String, ToolRun> = tools
        .amtool_cases
        .iter()
        .map(|(t, run)| (t.alert.clone(), run.clone()))
        .collect();
    case_checks(&model, &intervals, &ctx.routes.cases, &runs)
        .into_iter()
        .map(|c| c.about_file(loaded.file()))
        .collect()
}

/// `routes.amtool`: obsgate's routing beside amtool's on every route test that ran.
pub(super) fn amtool_routes(cfg: &StackConfig, tools: &StackTools, _: &CheckCtx) -> Vec<Check> {
    let Some(am) = cfg.alertmanager_ok() else {
        return Vec::new();
    };
    if tools.amtool_routes.is_empty() {
        return Vec::new();
    }
    let model = RoutingModel::new(am);
    let cases: Vec<AmtoolCase> = tools
        .amtool_routes
        .iter()
        .map(|(t, run)| AmtoolCase {
            alert: t.alert.clone(),
            ours: model.receivers_for(&t.labels),
            run: run.clone(),
        })
        .collect();
    vec![amtool_cross_check(&cases)]
}

/// `alertmanager.templates.<receiver>`: the receivers' templated fields as amtool rendered
/// them, with the labels each alert's expression carries (from the catalog) for the static
/// label check.
pub(super) fn templates(cfg: &StackConfig, tools: &StackTools, ctx: &CheckCtx) -> Vec<Check> {
    let (Some(loaded), Some(_)) = (&cfg.alertmanager, cfg.alertmanager_ok()) else {
        return Vec::new();
    };
    let expr_labels = cfg
        .alert_rules()
        .map(|(name, r)| {
            let flow = crate::config::promql::parse(&r.expr.value.text())
                .ok()
                .and_then(|e| label_flow(&e, &ctx.known).output);
            (name.to_string(), flow)
        })
        .collect();
    template_checks(&tools.amtool_templates, &expr_labels)
        .into_iter()
        .map(|c| c.about_file(loaded.file()))
        .collect()
}
