//! Judging: evidence and expectations in, [`Check`](crate::verdict::Check)s out. No I/O here,
//! ever: every file, process and HTTP answer reaches this module as a value.
//!
//! - [`config`]: static checks of the stack's files (rules, routes, dashboards, compose, docs);
//! - [`signals`]: checks of what a run observed (load, metrics, logs, traces, alerts, live
//!   dashboards);
//! - [`coverage`]: what a run exercised of the stack, and the `coverage.*` requirements;
//! - [`registry`]: what every check id means, declared beside the code that emits it.

pub mod alert_clock;
pub mod config;
pub mod coverage;
pub mod judge;
pub mod registry;
mod registry_misc;
pub mod signals;

pub use judge::{Judgement, judge};
