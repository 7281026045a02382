//! One clock for the whole run: what a managed stack needs so that, running K times faster
//! than wall time (`--time-scale K`), its rules keep their production meaning in scenario
//! seconds (docs/ARCHITECTURE.md §4, "Time").
//!
//! `promql` rewrites expressions, `duration` divides one duration, `rules` compresses whole
//! rule files and `timers` the Prometheus and Alertmanager configs and flags (with the floor
//! that bounds K). All of it is pure; the managed stack's overlays call it
//! ([`super::overlay`], [`super::generated`]).
pub mod duration;
pub mod promql;
pub mod rules;
pub mod timers;

pub use duration::compress_duration;
pub use promql::{Refusal, Rewritten, compress_expr};
pub use rules::{CompressedRules, compress_rule_file};
pub use timers::{FLOOR_MS, Timers, compress_alertmanager, compress_prometheus};

#[cfg(test)]
mod config_tests;
#[cfg(test)]
mod corpus_tests;
#[cfg(test)]
mod rules_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod writeback_tests;
