//! obsgate: a synthetic testing and load harness that gates an observability stack.
//!
//! Data flows one way through these modules (see DESIGN.md §1):
//! - [`scenario`] reads scenario YAML into a validated plan (nothing runs on bad input);
//! - [`load`] turns the plan into an open-model schedule and executes it, measuring with HDR histograms;
//! - [`stub`] is the system under test: a fake video pipeline emitting metrics, logs and OTLP traces;
//! - [`stack`] starts (or points at) Prometheus and Alertmanager and their fake receivers;
//! - [`observe`] does I/O only: scrapes, receives traces, captures logs, polls APIs, into evidence;
//! - [`expect`] reads expectation files; [`check`] judges evidence against them without I/O;
//! - [`report`] writes the verdicts as Markdown, JSON, JUnit and HTML.
//!
//! [`cli`] and [`app`] wire the subcommands (`run`, `stub`, `check`, `health`, `report`) to these.

pub mod app;
pub mod check;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod evidence;
pub mod exit;
pub mod expect;
pub mod load;
pub mod observe;
pub mod report;
pub mod run;
pub mod scenario;
pub mod stack;
pub mod stub;
pub mod util;
pub mod verdict;
