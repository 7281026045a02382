//! Static dashboard checks: every datasource resolves to a provisioned one, every PromQL
//! target parses after template substitution, every metric it reads is known, every variable
//! it references exists; for provisioned dashboards also the model's shape (uid, current
//! schemaVersion, no import inputs, rows). [`panel_queries`] gives the substituted queries for
//! the live "every panel has data" check.

use std::collections::BTreeMap;

use crate::check::config::dashboards_ds::{Resolved, resolve, type_hint};
use crate::check::config::dashboards_subst::{dashboard_values, substitute};
use crate::check::config::rules_metrics::{KnownMetrics, metrics_in};
use crate::config::dashboard::{Dashboard, DsRef, Panel, Target};
use crate::config::grafana::ProvisionedDatasource;
use crate::verdict::Check;
use crate::verdict::Kind;

const KIND: Kind = Kind::Dashboards;

/// One query of one panel, ready to run on Prometheus.
#[derive(Debug, Clone, PartialEq)]
pub struct PanelQuery {
    /// Dashboard uid (or title when it has none).
    pub dashboard: String,
    /// Panel title.
    pub panel_title: String,
    /// Target `refId`.
    pub ref_id: String,
    /// The PromQL with variables and built-ins substituted.
    pub expr_substituted: String,
    /// Hidden targets are not drawn (a live check may skip them).
    pub hidden: bool,
}

/// The dashboard's key in check ids: uid, else title.
pub fn dashboard_key(d: &Dashboard) -> String {
    d.uid.clone().unwrap_or_else(|| d.title.clone())
}

fn target_ds<'a>(p: &'a Panel, t: &'a Target) -> &'a DsRef {
    t.datasource.as_ref().unwrap_or(&p.datasource)
}

/// Whether a target is PromQL judging by its datasource hints (a Loki or other typed source
/// is not; an unhinted one is assumed to be, as in a Prometheus-only stack).
fn is_promql(d: &Dashboard, p: &Panel, t: &Target) -> bool {
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

/// Whether to also hold the dashboard to the provisioning rules of the shipped stack.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DashboardPolicy {
    /// Require uid, schemaVersion >= `min_schema_version`, no `__inputs`, at least one row.
    pub provisioned: bool,
    /// Lowest acceptable schemaVersion.
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
        .with_evidence(problems)
    }
}

/// What the panel targets of one dashboard got wrong, by check.
#[derive(Default)]
struct Problems {
    datasource: Vec<String>,
    parse: Vec<String>,
    metric: Vec<String>,
    variable: Vec<String>,
    queries: usize,
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
        match promql_parser::parser::parse(&sub) {
            Err(e) => self.parse.push(format!("{where_t}: {e} in `{sub}`")),
            Ok(ast) => {
                for m in metrics_in(&ast).into_iter().filter(|m| !known.knows(m)) {
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
            verdict(
                format!("dashboards.metrics.{key}"),
                format!("{}: every metric read is known", d.file),
                self.metric,
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
    let mut found = Problems::default();
    for p in &d.panels {
        let where_p = format!("{} panel \"{}\" ({})", d.file, p.title, p.path);
        let panel_res = resolve(d, &p.datasource, provisioned);
        if !p.targets.is_empty()
            && let Err(e) = &panel_res
        {
            found.datasource.push(format!("{where_p}: {e}"));
        }
        for t in &p.targets {
            let where_t = format!("{where_p} refId {}", t.ref_id);
            if let Some(tds) = &t.datasource
                && tds != &p.datasource
                && let Err(e) = resolve(d, tds, provisioned)
            {
                found.datasource.push(format!("{where_t}: {e}"));
            }
            let res = match &t.datasource {
                Some(tds) => resolve(d, tds, provisioned),
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
    if policy.provisioned {
        out.push(model_check(d, &key, policy));
    }
    out
}

fn model_check(d: &Dashboard, key: &str, policy: &DashboardPolicy) -> Check {
    let mut problems = Vec::new();
    if d.uid.as_deref().is_none_or(str::is_empty) {
        problems.push(format!(
            "{}: no uid (links and provisioning need a stable one)",
            d.file
        ));
    }
    match d.schema_version {
        Some(v) if v >= policy.min_schema_version => {}
        other => problems.push(format!(
            "{}: schemaVersion {other:?}, expected >= {}",
            d.file, policy.min_schema_version
        )),
    }
    if !d.inputs.is_empty() {
        problems.push(format!(
            "{}: has __inputs {:?} (an export for import, not for provisioning)",
            d.file, d.inputs
        ));
    }
    if !d.uses_rows {
        problems.push(format!("{}: no row groups the panels", d.file));
    }
    if d.panels.is_empty() {
        problems.push(format!("{}: no panels", d.file));
    }
    verdict(
        format!("dashboards.model.{key}"),
        format!(
            "{}: provisionable model (uid, schemaVersion {:?}, rows)",
            d.file, d.schema_version
        ),
        problems,
    )
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
