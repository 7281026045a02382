//! One clock for the whole run: what a managed stack needs so that, running K times faster
//! than wall time (`--time-scale K`), its rules keep their production meaning in scenario
//! seconds (docs/ARCHITECTURE.md §4, "Time").
//!
//! `promql` rewrites expressions and `duration` the rules' `for` and the intervals; both are
//! pure and not yet used by the overlays.
pub mod duration;
pub mod promql;

pub use duration::compress_duration;
pub use promql::{Refusal, Rewritten, compress_expr};

#[cfg(test)]
mod corpus_tests;
#[cfg(test)]
mod tests;
