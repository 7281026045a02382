//! Open-model load: the pure schedule ([`schedule`]), the executor with absolute deadlines and a
//! max-in-flight cap ([`executor`]), HDR stats ([`stats`]), the timeline ([`timeline`]), the
//! progress line (`progress`), compact job records (`records`), drivers ([`driver`],
//! [`stub_driver`]), the stub child process ([`target`]) and the merge of sharded runs' load
//! ([`merge`]). The load's own checks are
//! `crate::check::signals::load`.

mod accounting;
pub mod driver;
pub mod executor;
pub mod merge;
pub mod outcome;
pub(crate) mod progress;
mod records;
pub mod schedule;
pub mod stats;
pub mod stub_driver;
pub mod target;
pub mod timeline;

pub use driver::{Driver, JobRequest, JobResult};
pub use executor::{ExecOptions, execute};
pub use stub_driver::StubDriver;
pub use target::{StubChild, StubOptions};

#[cfg(test)]
mod executor_tests;
