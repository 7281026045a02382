//! obsgate: a synthetic testing and load harness that gates an observability stack.
//!
//! A run flows one way through these modules (the walk, file by file, is in
//! docs/ARCHITECTURE.md):
//! - [`scenario`] reads scenario YAML into a validated plan; [`expect`] reads expectation
//!   files into an expectation set; [`config`] reads the stack's own files into typed models;
//! - [`run`] opens a session (the [`stub`] child or a target, the [`stack`], the observers),
//!   drives the [`load`] and collects one `Evidence`;
//! - [`observe`] does I/O only: scrapes, traces, logs, alert and health APIs, promtool/amtool;
//! - [`check`] judges evidence against expectations without I/O: `check::judge` for a run,
//!   `check::config::judge` for the static checks;
//! - [`report`] builds the report (one constructor) and writes it as JSON, Markdown, JUnit and
//!   HTML.
//!
//! They meet in two vocabularies at the bottom: [`verdict`] (checks, kinds, the verdict rule)
//! and [`evidence`] (what observers produce and checks read). [`cli`], [`app`] and [`cmd`]
//! wire the subcommands to these.

pub mod app;
pub mod check;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod evidence;
pub mod exit;
pub mod expect;
#[doc(hidden)]
pub mod fuzzing;
pub mod load;
pub mod observe;
pub mod report;
pub mod run;
pub mod scenario;
pub mod slo;
pub mod stack;
pub mod stub;
pub mod util;
pub mod verdict;
