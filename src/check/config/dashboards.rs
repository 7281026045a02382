//! Static dashboard checks: every datasource resolves to a provisioned one, every PromQL
//! target parses after template substitution, every metric it reads is known, every variable
//! it references exists; advice on the model (uid, current schemaVersion, import inputs). [`panel_queries`] gives the substituted queries for
//! the live "every panel has data" check.

use std::collections::BTreeMap;

use crate::check::config::dashboards_ds::{Resolved, resolve, type_hint};
use crate::check::config::dashboards_subst::{dashboard_values, substitute};
use crate::check::config::rules_metrics::{KnownMetrics, metrics_in};
use crate::check::registry::CheckInfo;
use crate::config::dashboard::{Dashboard, DsRef, Panel, Target, file_at};
use crate::config::grafana::ProvisionedDatasource;
use crate::evidence::PanelQuery;
use crate::verdict::Check;
use crate::verdict::Kind;

const KIND: Kind = Kind::Dashboards;

/// The dashboard's key in check ids: uid, else title.
pub fn dashboard_key(d: &Dashboard) -> String {
    d.uid.clone().unwrap_or_else(|| d.title.clone())
}

fn target_ds<'a>(p: &'a Panel, t: &'a Target) -> &'a DsRef {
    t.datasource.as_ref().unwrap_or(&p.datasource)
}

/// Whether a target is PromQL judging by its datasource hints (a Loki or other typed source
/// is not; an unhinted one is assumed to be, as in a Prometheus-only stack).
pub(super) fn is_promql(d: &Dashboard, p: &Panel, t: &Target) -> bool {
    let hint = type_hint(d, target_ds(p, t)).or_else(|| type_hint(d, &p.datasource));
    hint.is_none_or(|h| h == "prometheus")
}

/// Every PromQL target of every panel, substituted.
pub fn panel_queries(d: &Dashboard) -> Vec<PanelQuery> {
    let vars = dashboard_values(d);
    let mut out = Vec::new();
    for p in &d.panels {
        for t in &p.targets {
            let Some(expr) = t.expr.as_deref().filter(|e| !e.trim().is_empty()) else {
                continue;
            };
            if !is_promql(d, p, t) {
                continue;
            }
            out.push(PanelQuery {
                dashboard: dashboard_key(d),
                panel_title: p.title.clone(),
                ref_id: t.ref_id.clone(),
                expr_substituted: substitute(expr, &vars).0,
                hidden: t.hidden,
            });
        }
    }
    out
}

/// How a dashboard is judged.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DashboardPolicy {
    /// Provisioned from files (the stack's layout): datasources must resolve to provisioned
    /// ones and a uid is advised. Otherwise (a dashboard checked on its own) only what the
    /// dashboard itself defines is judged.
    pub provisioned: bool,
    /// Lowest schemaVersion that gets no advice.
    pub min_schema_version: i64,
}

impl Default for DashboardPolicy {
    fn default() -> Self {
        Self {
            provisioned: true,
            min_schema_version: 36,
        }
    }
}

fn verdict(id: String, ok_msg: String, problems: Vec<String>) -> Check {
    if problems.is_empty() {
        Check::pass(id, KIND, ok_msg)
    } else {
        Check::fail(
            id,
            KIND,
            format!("{} problem(s); first: {}", problems.len(), problems[0]),
        )
        .with_all_evidence(problems)
    }
}

/// What the panel targets of one dashboard got wrong, by check.
#[derive(Default)]
struct Problems {
    datasource: Vec<String>,
    parse: Vec<String>,
    metric: Vec<String>,
    labels: Vec<String>,
    variable: Vec<String>,
    queries: usize,
    /// Whether a metric catalog was given (else metric names are not judged).
    catalog: bool,
}

impl Problems {
    /// Judge one PromQL target: its variables exist, it parses after substitution, and every
    /// metric it reads is known.
    fn query(
        &mut self,
        where_t: &str,
        expr: &str,
        vars: &BTreeMap<String, String>,
        known: &KnownMetrics,
    ) {
        self.queries += 1;
        let (sub, unknown) = substitute(expr, vars);
        for u in unknown {
            self.variable.push(format!(
                "{where_t}: `${u}` is neither a dashboard variable nor a Grafana built-in"
            ));
        }
        match crate::config::promql::parse(&sub) {
            Err(e) => self.parse.push(format!("{where_t}: {e} in `{sub}`")),
            Ok(ast) => {
                let flow = crate::check::config::promql_labels::label_flow(&ast, known);
                self.labels
                    .extend(flow.findings.iter().map(|f| format!("{where_t}: {f}")));
                let unknown = metrics_in(&ast).into_iter().filter(|m| !known.knows(m));
                for m in unknown.filter(|_| self.catalog) {
                    let hint = known
                        .suggest(&m)
                        .map(|s| format!("; did you mean `{s}`?"))
                        .unwrap_or_default();
                    self.metric
                        .push(format!("{where_t} reads unknown metric `{m}`{hint}"));
                }
            }
        }
    }

    fn verdicts(self, d: &Dashboard, key: &str) -> Vec<Check> {
        vec![
            verdict(
                format!("dashboards.datasource.{key}"),
                format!("{}: every datasource resolves to a provisioned one", d.file),
                self.datasource,
            ),
            verdict(
                format!("dashboards.promql.{key}"),
                format!(
                    "{}: {} PromQL targets parse after substitution",
                    d.file, self.queries
                ),
                self.parse,
            ),
            if self.catalog {
                verdict(
                    format!("dashboards.metrics.{key}"),
                    format!("{}: every metric read is known", d.file),
                    self.metric,
                )
            } else {
                Check::skip(
                    format!("dashboards.metrics.{key}"),
                    KIND,
                    format!(
                        "{}: no metric catalog given: metric names not checked",
                        d.file
                    ),
                )
            },
            verdict(
                format!("dashboards.label_exists.{key}"),
                format!("{}: every label a query names can exist", d.file),
                self.labels,
            ),
            verdict(
                format!("dashboards.variables.{key}"),
                format!("{}: every variable referenced exists", d.file),
                self.variable,
            ),
        ]
    }
}

/// Every static check of one walked dashboard.
pub fn check_dashboard(
    d: &Dashboard,
    provisioned: &[ProvisionedDatasource],
    known: &KnownMetrics,
    policy: &DashboardPolicy,
) -> Vec<Check> {
    let key = dashboard_key(d);
    let vars = dashboard_values(d);
    let provisioning = policy.provisioned.then_some(provisioned);
    let mut found = Problems {
        catalog: known.is_given(),
        ..Problems::default()
    };
    for p in &d.panels {
        let where_p = format!(
            "{} panel \"{}\" ({})",
            file_at(&d.file, p.at),
            p.title,
            p.path
        );
        let panel_res = resolve(d, &p.datasource, provisioning);
        if !p.targets.is_empty()
            && let Err(e) = &panel_res
        {
            found.datasource.push(format!("{where_p}: {e}"));
        }
        for t in &p.targets {
            let where_t = format!(
                "{} panel \"{}\" ({}) refId {}",
                file_at(&d.file, t.at.or(p.at)),
                p.title,
                p.path,
                t.ref_id
            );
            if let Some(tds) = &t.datasource
                && tds != &p.datasource
                && let Err(e) = resolve(d, tds, provisioning)
            {
                found.datasource.push(format!("{where_t}: {e}"));
            }
            let res = match &t.datasource {
                Some(tds) => resolve(d, tds, provisioning),
                None => panel_res.clone(),
            };
            let Some(expr) = t.expr.as_deref().filter(|e| !e.trim().is_empty()) else {
                continue;
            };
            let promql = match &res {
                Ok(Resolved::Typed(k)) => k == "prometheus",
                Ok(Resolved::Builtin) => false,
                _ => is_promql(d, p, t),
            };
            if promql {
                found.query(&where_t, expr, &vars, known);
            }
        }
    }
    let mut out = found.verdicts(d, &key);
    out.push(model_check(d, &key, policy));
    out.extend(crate::check::config::dashboards_lint::lint_dashboard(d));
    out
}

/// `dashboards.model.<key>`: advice on the model, never a failure: Grafana loads each of
/// these as it is (it migrates an old `schemaVersion` itself; rows are a layout choice and not
/// judged).
fn model_check(d: &Dashboard, key: &str, policy: &DashboardPolicy) -> Check {
    let mut advice = Vec::new();
    if policy.provisioned && d.uid.as_deref().is_none_or(str::is_empty) {
        advice.push(format!(
            "{}: no uid: provisioning gives it a new one, so links to it break",
            d.file
        ));
    }
    match d.schema_version {
        Some(v) if v >= policy.min_schema_version => {}
        Some(v) => advice.push(format!(
            "{}: schemaVersion {v} is older than {}: Grafana migrates it on load; save it \
             again from Grafana to keep the file as Grafana reads it",
            d.file, policy.min_schema_version
        )),
        None => advice.push(format!(
            "{}: no schemaVersion: Grafana treats it as the oldest schema and migrates it",
            d.file
        )),
    }
    if !d.inputs.is_empty() {
        advice.push(format!(
            "{}: has __inputs ({}): an export for import through the UI; file provisioning \
             does not resolve them",
            d.file,
            d.inputs.join(", ")
        ));
    }
    if d.panels.is_empty() {
        advice.push(format!("{}: no panels", d.file));
    }
    let id = format!("dashboards.model.{key}");
    if advice.is_empty() {
        return Check::pass(
            id,
            KIND,
            format!(
                "{}: current model (uid, schemaVersion {:?})",
                d.file,
                d.schema_version.unwrap_or_default()
            ),
        );
    }
    Check::warn(
        id,
        KIND,
        format!("{} advice; first: {}", advice.len(), advice[0]),
    )
    .with_all_evidence(advice)
}

/// Across dashboards: uids are unique (Grafana refuses duplicates when provisioning).
pub fn check_unique_uids(dashboards: &[Dashboard]) -> Check {
    let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for d in dashboards {
        if let Some(u) = &d.uid {
            seen.entry(u.clone()).or_default().push(d.file.clone());
        }
    }
    let dups: Vec<String> = seen
        .iter()
        .filter(|(_, f)| f.len() > 1)
        .map(|(u, f)| format!("uid `{u}` in {}", f.join(", ")))
        .collect();
    verdict(
        "dashboards.uids".into(),
        format!("{} dashboards, uids unique", dashboards.len()),
        dups,
    )
}

/// The checks this module emits (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[
    CheckInfo {
        id: "dashboards.datasource.<dashboard>",
        kind: KIND,
        proves: "every panel and target datasource resolves to a provisioned datasource",
        failure: "a panel reads a datasource Grafana does not have: see the panel's datasource",
        explain: "Per dashboard (uid, else title): each panel's and target's datasource, by uid \
                  or name, must be a provisioned one; `${DS_...}` import inputs are refused.\n\
                  Example failure: 1 problem(s); first: sla-tracking.json panel \"Errors\" (panels[2]): \
                  datasource `prometheus-old` is not provisioned (by uid or name)",
    },
    CheckInfo {
        id: "dashboards.promql.<dashboard>",
        kind: KIND,
        proves: "every PromQL target parses after variable substitution",
        failure: "a panel query would error in Grafana: the message quotes the substituted query",
        explain: "Template variables and Grafana built-ins ($__rate_interval, ...) are \
                  substituted, then each PromQL target is parsed; an unknown `$var` is reported too.\n\
                  Example failure: 1 problem(s); first: x.json panel \"Rate\" (panels[0]) refId A: \
                  unexpected `)` in `rate(x[5m]))`",
    },
    CheckInfo {
        id: "dashboards.metrics.<dashboard>",
        kind: KIND,
        proves: "every metric a panel reads is known (the contract plus --known-metric)",
        failure: "a panel reads a metric nothing exposes (a typo?): the message names it",
        explain: "Metric names in the dashboard's queries are compared with the metrics contract, \
                  the expectations' families and --known-metric names, with a suggestion.\n\
                  Example failure: 1 problem(s); first: sla-tracking.json panel \"Render failures\" \
                  (panels[3]) refId A reads unknown metric `render_failure_total`; did you mean \
                  `render_failures_total`?",
    },
    CheckInfo {
        id: "dashboards.variables.<dashboard>",
        kind: KIND,
        proves: "every `$variable` a query references is a dashboard variable or a built-in",
        failure: "a query references an undefined variable: add it under `templating` or fix it",
        explain: "A reference to a variable the dashboard does not define renders literally and \
                  breaks the query.\n\
                  Example failure: 1 problem(s); first: x.json panel \"Jobs\" (panels[1]) refId A: \
                  `$envirnoment` is neither a dashboard variable nor a Grafana built-in",
    },
    CheckInfo {
        id: "dashboards.model.<dashboard>",
        kind: KIND,
        proves: "the dashboard model is current: a uid (provisioned), schemaVersion, no __inputs",
        failure: "advice (warn): Grafana loads it, but migrates it or cannot resolve its inputs",
        explain: "Never a failure. A provisioned dashboard without a uid gets a new one on each \
                  provisioning; a schemaVersion under the policy's minimum is migrated by \
                  Grafana on load; `__inputs` are resolved by an import through the UI, not by \
                  file provisioning. Rows are a layout choice and are not judged.\n\
                  Example warning: 1 advice; first: x.json: schemaVersion 16 is older than 36: \
                  Grafana migrates it on load",
    },
    CheckInfo {
        id: "dashboards.uids",
        kind: KIND,
        proves: "dashboard uids are unique across the provisioned files",
        failure: "two files share a uid and Grafana loads only one: the message names both",
        explain: "Grafana refuses duplicate uids when provisioning a folder.\n\
                  Example failure: 1 problem(s); first: uid `pipeline` in a.json, b.json",
    },
];
