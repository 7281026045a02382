//! Checks of what a run observed: `(&Expectation, &Evidence) -> Vec<Check>`.
//!
//! One file per signal: [`load`] (the engine's own rate, drops, lag and fault delivery),
//! [`metrics`] (plus [`metric_series`] and [`relations`], its expression evaluator), [`logs`]
//! (plus [`log_fields`]), [`traces`] (plus [`trace_feed`], [`trace_ledger`], [`trace_checks`] and
//! [`trace_tree`]),
//! [`alerts`] (fired, routed, resolved, silent, labelled, inhibited: one file per aspect),
//! [`dashboards_live`] (panel queries answered by Prometheus), [`health`] (the stack's
//! components answer and are sound), [`shard`] (what a sharded run judges once); [`facts`] is the harness's own
//! ground truth they are compared with.

use crate::verdict::Kind;

pub mod alerts;
pub mod dashboards_live;
pub mod death;
pub mod facts;
pub mod health;
pub mod health_registry;
pub mod load;
pub mod load_accounting;
pub mod log_budgets;
pub mod log_feed;
pub mod log_fields;
pub mod log_ledger;
pub mod logs;
pub mod logs_registry;
pub mod metric_series;
pub mod metrics;
pub mod notifications;
pub mod relations;
pub mod shard;
pub mod slo;
pub mod slo_file;
pub mod slo_inhibition;
#[cfg(test)]
mod slo_tests;
pub mod trace_checks;
pub mod trace_feed;
pub mod trace_ledger;
pub mod trace_tree;
pub mod traces;
pub mod unobserved;

/// Check kinds.
pub const METRICS: Kind = Kind::Metrics;
pub const LOGS: Kind = Kind::Logs;
pub const TRACES: Kind = Kind::Traces;

#[cfg(test)]
mod tests;
