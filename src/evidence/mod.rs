//! The evidence vocabulary: plain data that observers (`observe`, `load`) produce and checks
//! (`check`) and writers (`report`) consume. No I/O and no judgement here; the types are shared
//! so that those stages meet in this module instead of in each other.
//!
//! - [`telemetry`]: parsed expositions, spans, log lines, and the harness's job records;
//! - [`load`]: what the load engine measured per phase and over time;
//! - [`scrapes`]: the scrapes of a run and their bounded history;
//! - [`alerts`]: alert state changes and the timings derived from them;
//! - [`coverage`]: what a run exercised of the stack (the report's `coverage` section);
//! - [`clock`]: the run's time scale and the rules the compressed stack evaluates;
//! - [`notifications`]: what the fake receivers got;
//! - [`health`]: what the health probes of running stack components saw;
//! - [`shard`]: a shard's partial report (its slice, load rules, serialized histograms);
//! - [`catalog`]: metric names (and labels) that sources say exist, for the static checks.

pub mod alerts;
pub mod catalog;
pub mod clock;
pub mod coverage;
pub mod dashboards;
pub mod health;
pub mod load;
pub mod notifications;
pub mod run;
pub mod scrapes;
pub mod shard;
pub mod slo;
pub mod telemetry;
pub mod tools;

pub use alerts::*;
pub use catalog::*;
pub use clock::*;
pub use dashboards::*;
pub use health::*;
pub use load::*;
pub use notifications::*;
pub use run::*;
pub use scrapes::*;
pub use slo::*;
pub use telemetry::*;
pub use tools::*;
