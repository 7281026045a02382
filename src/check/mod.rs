//! Pure checks: (&Expectation, &Evidence) -> Vec<Check>. No I/O here, ever.
//!
//! One file per signal: [`metrics`] (plus [`metric_series`] and [`relations`], its expression
//! evaluator), [`logs`] (plus [`log_fields`]), [`traces`] (plus [`trace_checks`] and
//! [`trace_tree`]); [`facts`] is the harness's own ground truth they are compared with.
use crate::verdict::Kind;

pub mod facts;
pub mod log_fields;
pub mod logs;
pub mod metric_series;
pub mod metrics;
pub mod relations;
pub mod trace_checks;
pub mod trace_tree;
pub mod traces;

/// Check kinds.
pub const METRICS: Kind = Kind::Metrics;
pub const LOGS: Kind = Kind::Logs;
pub const TRACES: Kind = Kind::Traces;

#[cfg(test)]
mod tests;

pub mod alerts;
pub mod compose;
pub mod compose_links;
#[cfg(test)]
mod compose_tests;
pub mod dashboards;
pub mod dashboards_ds;
pub mod dashboards_live;
pub mod dashboards_provider;
pub mod dashboards_subst;
#[cfg(test)]
mod dashboards_tests;
pub mod docs;
pub mod routes;
pub mod routes_amtool;
pub mod routes_labels;
pub mod routes_matchers;
#[cfg(test)]
mod routes_tests;
pub mod routes_tree;
pub mod rules;
pub mod rules_metrics;
#[cfg(test)]
mod rules_tests;
pub mod rules_tool;
