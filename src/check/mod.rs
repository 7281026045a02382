//! Pure checks: (&Expectation, &Evidence) -> Vec<Check>. No I/O here, ever.

pub mod compose;
pub mod dashboards;
pub mod dashboards_ds;
pub mod dashboards_subst;
pub mod docs;
pub mod routes;
pub mod routes_matchers;
pub mod routes_tree;
pub mod rules;
pub mod rules_metrics;
pub mod rules_tool;
