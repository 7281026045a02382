//! Dashboard advice in the spirit of Grafana's dashboard-linter; every finding is a `warn`,
//! since a dashboard that breaks one of these still works, only less well:
//! - `dashboards.lint.datasource.<d>`: a `datasource` template variable, and every panel that
//!   runs PromQL uses it, so the dashboard works against any Prometheus it is pointed at;
//! - `dashboards.lint.rate_interval.<d>`: `rate()` and `irate()` read `[$__rate_interval]`,
//!   which Grafana keeps at least four scrape intervals wide whatever the zoom (or
//!   `[$__range]`, the whole period shown);
//! - `dashboards.lint.units.<d>`: panels that draw numbers say in what unit;
//! - `dashboards.lint.matchers.<d>`: a dashboard templated with `job` or `instance` filters
//!   every selector on it, else picking a job changes nothing.
//!
//! Deliberate differences from dashboard-linter: tables are not asked for a unit (their
//! columns are often text), a `graph` panel's y-axis `format` counts as its unit, and the
//! job/instance advice applies only to dashboards that define those variables.

use std::collections::BTreeMap;

use promql_parser::parser::Expr;

use crate::check::config::dashboards::{dashboard_key, is_promql};
use crate::check::config::dashboards_subst::{dashboard_values, substitute};
use crate::check::registry::CheckInfo;
use crate::config::dashboard::{Dashboard, DsRef, Panel, Target, file_at};
use crate::config::promql::visit;
use crate::verdict::{Check, Kind};

const KIND: Kind = Kind::Dashboards;

/// What `$__rate_interval` is replaced with: a duration no one writes, recognisable in the AST.
const RATE_INTERVAL_MS: u64 = 7_777_777;
/// The same for `$__range`: a rate over the whole time range shown is a deliberate "over the
/// period" figure (an SLA panel), not a resolution choice, so it is not advised against.
const RANGE_MS: u64 = 7_777_778;

/// Panel types that draw numbers and so need a unit.
const NUMERIC_PANELS: &[&str] = &[
    "stat",
    "singlestat",
    "graph",
    "timeseries",
    "gauge",
    "bargauge",
];

/// Every advice check of one dashboard.
pub fn lint_dashboard(d: &Dashboard) -> Vec<Check> {
    let key = dashboard_key(d);
    let targets = promql_targets(d);
    vec![
        advice(
            format!("dashboards.lint.datasource.{key}"),
            format!("{}: PromQL panels use a datasource variable", d.file),
            datasource_advice(d, &targets),
        ),
        advice(
            format!("dashboards.lint.rate_interval.{key}"),
            format!("{}: rate() and irate() use $__rate_interval", d.file),
            rate_interval_advice(d, &targets),
        ),
        advice(
            format!("dashboards.lint.units.{key}"),
            format!("{}: every numeric panel sets a unit", d.file),
            units_advice(d),
        ),
        advice(
            format!("dashboards.lint.matchers.{key}"),
            format!("{}: selectors filter on the job/instance variables", d.file),
            matcher_advice(d, &targets),
        ),
    ]
}

fn advice(id: String, ok: String, found: Vec<String>) -> Check {
    match found.first() {
        None => Check::pass(id, KIND, ok),
        Some(first) => Check::warn(id, KIND, format!("{} advice; first: {first}", found.len()))
            .with_all_evidence(found),
    }
}

/// Every PromQL target with an expression, with its panel.
fn promql_targets(d: &Dashboard) -> Vec<(&Panel, &Target, &str)> {
    d.panels
        .iter()
        .flat_map(|p| p.targets.iter().map(move |t| (p, t)))
        .filter(|(p, t)| is_promql(d, p, t))
        .filter_map(|(p, t)| Some((p, t, t.expr.as_deref().filter(|e| !e.trim().is_empty())?)))
        .collect()
}

fn where_t(d: &Dashboard, p: &Panel, t: &Target) -> String {
    format!(
        "{} panel \"{}\" ({}) refId {}",
        file_at(&d.file, t.at.or(p.at)),
        p.title,
        p.path,
        t.ref_id
    )
}

fn is_variable(ds: &DsRef) -> bool {
    match ds {
        DsRef::Text(s) => s.starts_with('$') && !s.starts_with("${DS_"),
        DsRef::Object { uid: Some(u), .. } => u.starts_with('$') && !u.starts_with("${DS_"),
        _ => false,
    }
}

fn datasource_advice(d: &Dashboard, targets: &[(&Panel, &Target, &str)]) -> Vec<String> {
    if targets.is_empty() {
        return Vec::new();
    }
    if !d.variables.iter().any(|v| v.kind == "datasource") {
        return vec![format!(
            "{}: no datasource template variable: the dashboard is tied to one datasource",
            d.file
        )];
    }
    let mut out = Vec::new();
    for (p, t, _) in targets {
        let ds = t.datasource.as_ref().unwrap_or(&p.datasource);
        if !is_variable(ds) {
            out.push(format!(
                "{}: datasource {} is fixed, not the datasource variable",
                where_t(d, p, t),
                describe(ds)
            ));
        }
    }
    out
}

fn describe(ds: &DsRef) -> String {
    match ds {
        DsRef::Default => "(the default)".into(),
        DsRef::Text(s) => format!("`{s}`"),
        DsRef::Object { uid, kind } => format!(
            "`{}`",
            uid.as_deref().or(kind.as_deref()).unwrap_or_default()
        ),
    }
}

/// Substitute the dashboard's variables, with some replaced by recognisable sentinels.
fn parse_with(expr: &str, vars: &BTreeMap<String, String>) -> Option<Expr> {
    crate::config::promql::parse(&substitute(expr, vars).0).ok()
}

fn rate_interval_advice(d: &Dashboard, targets: &[(&Panel, &Target, &str)]) -> Vec<String> {
    let mut vars = dashboard_values(d);
    vars.insert("__rate_interval".into(), format!("{RATE_INTERVAL_MS}ms"));
    vars.insert("__range".into(), format!("{RANGE_MS}ms"));
    let mut out = Vec::new();
    for (p, t, expr) in targets {
        let Some(ast) = parse_with(expr, &vars) else {
            continue;
        };
        let mut bad = Vec::new();
        visit(&ast, &mut |e| {
            if let Expr::Call(c) = e
                && matches!(c.func.name, "rate" | "irate")
                && let Some(Expr::MatrixSelector(m)) = c.args.args.first().map(|a| a.as_ref())
                && ![RATE_INTERVAL_MS, RANGE_MS].contains(&(m.range.as_millis() as u64))
            {
                bad.push(c.func.name);
            }
        });
        if let Some(f) = bad.first() {
            out.push(format!(
                "{}: {f}() over a fixed range in `{expr}`: use [$__rate_interval]",
                where_t(d, p, t)
            ));
        }
    }
    out
}

fn units_advice(d: &Dashboard) -> Vec<String> {
    d.panels
        .iter()
        .filter(|p| NUMERIC_PANELS.contains(&p.kind.as_str()) && !p.targets.is_empty())
        .filter(|p| p.unit.is_none())
        .map(|p| {
            format!(
                "{} panel \"{}\" ({}): {} panel without a unit",
                file_at(&d.file, p.at),
                p.title,
                p.path,
                p.kind
            )
        })
        .collect()
}

fn matcher_advice(d: &Dashboard, targets: &[(&Panel, &Target, &str)]) -> Vec<String> {
    let templated: Vec<&str> = ["job", "instance"]
        .into_iter()
        .filter(|n| d.variables.iter().any(|v| v.name == *n))
        .collect();
    let mut vars = dashboard_values(d);
    for name in &templated {
        vars.insert((*name).to_string(), sentinel(name));
    }
    let mut out = Vec::new();
    for (p, t, expr) in targets {
        let Some(ast) = parse_with(expr, &vars) else {
            continue;
        };
        for name in &templated {
            let mut unfiltered = 0usize;
            visit(&ast, &mut |e| {
                let vs = match e {
                    Expr::VectorSelector(vs) => vs,
                    Expr::MatrixSelector(m) => &m.vs,
                    _ => return,
                };
                let filtered = vs
                    .matchers
                    .matchers
                    .iter()
                    .any(|m| m.name == *name && m.value.contains(&sentinel(name)));
                unfiltered += usize::from(!filtered);
            });
            if unfiltered > 0 {
                out.push(format!(
                    "{}: {unfiltered} selector(s) without {name}=~\"${name}\" in `{expr}`",
                    where_t(d, p, t)
                ));
            }
        }
    }
    out
}

fn sentinel(name: &str) -> String {
    format!("obsgate_variable_{name}")
}

/// The checks this module emits (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[
    CheckInfo {
        id: "dashboards.lint.datasource.<dashboard>",
        kind: KIND,
        proves: "the dashboard has a datasource variable and its PromQL panels use it",
        failure: "advice (warn): the dashboard is tied to one datasource",
        explain: "A `datasource`-type template variable lets one dashboard serve every \
                  Prometheus; a panel with a fixed uid ignores it.\n\
                  Example warning: 1 advice; first: x.json: no datasource template variable",
    },
    CheckInfo {
        id: "dashboards.lint.rate_interval.<dashboard>",
        kind: KIND,
        proves: "rate() and irate() in panel queries read [$__rate_interval]",
        failure: "advice (warn): a fixed or $__interval range can leave gaps when zoomed in",
        explain: "`$__rate_interval` is at least four scrape intervals wide at every zoom; a \
                  fixed `[1m]` over a 30 s scrape shows gaps, `$__interval` shrinks below it.\n\
                  Example warning: 1 advice; first: x.json:12:19 panel \"Rate\" (panels[0]) \
                  refId A: rate() over a fixed range in `rate(x[5m])`",
    },
    CheckInfo {
        id: "dashboards.lint.units.<dashboard>",
        kind: KIND,
        proves: "every stat, gauge, graph and time series panel sets a unit",
        failure: "advice (warn): a number without a unit leaves the reader guessing",
        explain: "`fieldConfig.defaults.unit`, a unit override, or a graph's y-axis format.\n\
                  Example warning: 1 advice; first: x.json:40:5 panel \"Latency\" (panels[2]): \
                  timeseries panel without a unit",
    },
    CheckInfo {
        id: "dashboards.lint.matchers.<dashboard>",
        kind: KIND,
        proves: "in a dashboard with `job`/`instance` variables, every selector filters on them",
        failure: "advice (warn): a panel ignores the job or instance the viewer picked",
        explain: "Only for dashboards that define a `job` or `instance` variable.\n\
                  Example warning: 1 advice; first: x.json:9:17 panel \"Up\" (panels[0]) \
                  refId A: 1 selector(s) without job=~\"$job\" in `up`",
    },
];
