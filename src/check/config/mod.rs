//! Static checks of the stack's files, as read by [`crate::config`]: Prometheus rule files,
//! Alertmanager routes and receivers, Grafana dashboards and provisioning, the compose file and
//! the runbooks the config links to.

pub mod compose;
pub mod compose_links;
#[cfg(test)]
mod compose_tests;
pub mod dashboards;
pub mod dashboards_ds;
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
