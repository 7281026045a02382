//! Static checks of the stack's files, as read by [`crate::config`]: Prometheus rule files,
//! Alertmanager routes and receivers, Grafana dashboards and provisioning, the compose file and
//! the runbooks the config links to.
//!
//! [`judge`] runs every check of [`CHECKS`] in order on a loaded [`StackConfig`] and the
//! validators' answers ([`StackTools`]); each entry adapts one area's check functions to that
//! single shape, so adding a check is adding an entry.

use std::collections::BTreeMap;

use crate::config::grafana::ProvisionedDatasource;
use crate::config::stack::StackConfig;
use crate::evidence::{StackTools, StaticInputs};
use crate::expect::routes::RoutesExpectations;
use crate::verdict::Check;

use self::routes::RuleLabels;
use self::rules_metrics::KnownMetrics;

pub mod catalog;
#[cfg(test)]
mod catalog_tests;
pub mod compose;
pub mod compose_links;
pub mod compose_templates;
#[cfg(test)]
mod compose_tests;
pub mod dashboards;
pub mod dashboards_ds;
pub mod dashboards_lint;
pub mod dashboards_provider;
pub mod dashboards_subst;
#[cfg(test)]
mod dashboards_tests;
pub mod docs;
pub mod policy;
pub mod promql_labels;
pub mod routes;
pub mod routes_amtool;
pub mod routes_cases;
pub mod routes_cases_inhibit;
#[cfg(test)]
mod routes_cases_tests;
#[cfg(test)]
mod routes_checks_tests;
pub mod routes_goregex;
mod routes_goregex_class;
mod routes_goregex_escape;
pub mod routes_inhibit_contract;
#[cfg(test)]
mod routes_inhibit_contract_tests;
pub mod routes_inhibit_lint;
pub mod routes_intervals;
pub mod routes_intervals_check;
pub mod routes_labels;
pub mod routes_lint;
#[cfg(test)]
mod routes_lint_tests;
pub mod routes_matchers;
#[cfg(test)]
mod routes_matchers_tests;
pub mod routes_receivers_lint;
pub mod routes_sat;
pub mod routes_style_lint;
#[cfg(test)]
mod routes_tests;
pub mod routes_time;
pub mod routes_tree;
pub mod rules;
pub mod rules_labels_exist;
pub mod rules_metrics;
pub mod rules_runbook;
#[cfg(test)]
mod rules_tests;
pub mod rules_tool;
pub mod slo;
#[cfg(test)]
mod slo_tests;
pub mod stack_catalog;
mod stack_dashboards;
mod stack_files;
mod stack_routes;
mod stack_rules;
pub mod templates;
pub mod templates_defs;
pub mod templates_plan;
pub mod templates_prom;
#[cfg(test)]
mod templates_tests;

pub use stack_routes::{case_tests, lint_checks, route_tests};
pub use templates_plan::template_plan;

/// What the caller adds to the files' own content.
#[derive(Debug, Clone, Default)]
pub struct JudgeOptions {
    /// Metric names rules and dashboards may read besides the contract's and the metrics
    /// expectations' (`--known-metric`).
    pub known_metrics: Vec<String>,
    /// Exceptions of the policy file, applied to every check.
    pub policy: crate::config::policy::Policy,
    /// Catalog sources read by the caller (`--metrics-from`).
    pub metric_sources: Vec<crate::evidence::CatalogSource>,
}

/// Values several checks derive from the same files, computed once per [`judge`].
#[derive(Debug)]
pub struct CheckCtx {
    /// The metric catalog: what rules and dashboards may read, with labels when known.
    pub known: KnownMetrics,
    /// Alert name → the labels its rule sets (a later rule of the same name wins).
    pub rule_labels: RuleLabels,
    /// Alert name → its `runbook_url` annotation.
    pub runbook_urls: BTreeMap<String, Option<String>>,
    /// Every datasource of the provisioning files that parse.
    pub datasources: Vec<ProvisionedDatasource>,
    /// The routes expectations, empty when absent or unparseable.
    pub routes: RoutesExpectations,
}

impl CheckCtx {
    /// Derive the shared values of `cfg`.
    pub fn new(cfg: &StackConfig, opts: &JudgeOptions) -> Self {
        Self {
            known: stack_catalog::build(cfg, opts),
            rule_labels: rule_labels(cfg),
            runbook_urls: cfg
                .alert_rules()
                .map(|(name, r)| (name.to_string(), r.annotations.get("runbook_url").cloned()))
                .collect(),
            datasources: cfg
                .datasource_files
                .iter()
                .filter_map(|f| f.ok())
                .flat_map(|d| d.datasources.iter().cloned())
                .collect(),
            routes: routes_expectations(cfg),
        }
    }
}

/// Alert name → the labels its rule sets; a later rule of the same name wins.
fn rule_labels(cfg: &StackConfig) -> RuleLabels {
    cfg.alert_rules()
        .map(|(name, r)| (name.to_string(), r.labels.clone()))
        .collect()
}

/// The routes expectations, empty when absent or unparseable (their own check reports that).
fn routes_expectations(cfg: &StackConfig) -> RoutesExpectations {
    cfg.routes_expectations
        .as_ref()
        .and_then(|e| e.ok())
        .cloned()
        .unwrap_or_default()
}

/// One static check: a name and the function judging the loaded stack.
pub struct ConfigCheck {
    /// What it covers.
    pub name: &'static str,
    /// The checks it yields (none when its input is absent).
    pub run: fn(&StackConfig, &StackTools, &CheckCtx) -> Vec<Check>,
}

/// Every static check, in report order.
pub const CHECKS: &[ConfigCheck] = &[
    ConfigCheck {
        name: "prometheus.parse",
        run: stack_rules::prometheus_parse,
    },
    ConfigCheck {
        name: "inputs.unmatched",
        run: stack_rules::unmatched,
    },
    ConfigCheck {
        name: "rules.catalog",
        run: stack_catalog::catalog,
    },
    ConfigCheck {
        name: "rules",
        run: stack_rules::rule_files,
    },
    ConfigCheck {
        name: "rules.promtool",
        run: stack_rules::promtool,
    },
    ConfigCheck {
        name: "alertmanager.parse",
        run: stack_routes::alertmanager_parse,
    },
    ConfigCheck {
        name: "alertmanager.config",
        run: stack_routes::amtool_config,
    },
    ConfigCheck {
        name: "routes.expectations",
        run: stack_routes::expectations,
    },
    ConfigCheck {
        name: "routes",
        run: stack_routes::routes,
    },
    ConfigCheck {
        name: "routes.lint",
        run: stack_routes::lint,
    },
    ConfigCheck {
        name: "routes.amtool",
        run: stack_routes::amtool_routes,
    },
    ConfigCheck {
        name: "routes.cases",
        run: stack_routes::cases,
    },
    ConfigCheck {
        name: "alertmanager.templates",
        run: stack_routes::templates,
    },
    ConfigCheck {
        name: "dashboards.provider",
        run: stack_dashboards::providers,
    },
    ConfigCheck {
        name: "dashboards.provisioning",
        run: stack_dashboards::datasource_files,
    },
    ConfigCheck {
        name: "dashboards.datasources",
        run: stack_dashboards::datasources,
    },
    ConfigCheck {
        name: "dashboards.datasource_urls",
        run: stack_dashboards::datasource_urls,
    },
    ConfigCheck {
        name: "dashboards.files",
        run: stack_dashboards::files,
    },
    ConfigCheck {
        name: "dashboards",
        run: stack_dashboards::dashboards,
    },
    ConfigCheck {
        name: "dashboards.uids",
        run: stack_dashboards::uids,
    },
    ConfigCheck {
        name: "compose",
        run: stack_files::compose,
    },
    ConfigCheck {
        name: "slo",
        run: stack_files::slos,
    },
    ConfigCheck {
        name: "docs.readme",
        run: stack_files::readme,
    },
    ConfigCheck {
        name: "docs.runbooks",
        run: stack_files::runbooks,
    },
];

/// Every static check of the stack, in [`CHECKS`] order.
pub fn judge(cfg: &StackConfig, tools: &StackTools, opts: &JudgeOptions) -> Vec<Check> {
    let ctx = CheckCtx::new(cfg, opts);
    CHECKS
        .iter()
        .flat_map(|c| (c.run)(cfg, tools, &ctx))
        .collect()
}

/// [`judge`] on gathered inputs, with the required inputs that were missing or broken (they
/// make `obsgate check` a usage error and a run's `static.input` errors).
pub fn judge_static(inputs: &StaticInputs, opts: &JudgeOptions) -> (Vec<Check>, Vec<String>) {
    let checks = judge(&inputs.config, &inputs.tools, opts);
    (
        policy::apply_policy(checks, &opts.policy),
        inputs.config.bad_inputs(),
    )
}

#[cfg(test)]
mod tests {
    use super::CHECKS;

    #[test]
    fn check_names_are_unique() {
        let mut names: Vec<&str> = CHECKS.iter().map(|c| c.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), CHECKS.len());
    }
}
