//! Open-model load: the pure schedule ([`schedule`]) as the workers take it (`feed`), the
//! executor ([`executor`]) with its fixed set of connection workers (`workers`) and the
//! deadline timer (`timer`), HDR stats ([`stats`]), the timeline ([`timeline`]), the progress
//! line (`progress`), compact job records (`records`), the shared HTTP connection layer
//! ([`conn`]), drivers ([`driver`], [`stub_driver`]), the stub child process ([`target`]) and
//! the merge of sharded runs' load ([`merge`]). The load's own checks are
//! `crate::check::signals::load`.

mod accounting;
pub mod conn;
pub mod driver;
pub mod executor;
mod feed;
pub mod merge;
pub mod outcome;
pub(crate) mod progress;
mod records;
pub mod schedule;
pub mod stats;
pub mod stub_driver;
pub mod target;
pub mod timeline;
mod timer;
mod workers;

pub use driver::{Driver, JobRequest, JobResult};
pub use executor::{DEFAULT_RECORD_CAP, ExecOptions, execute};
pub use records::JobTap;
pub use stub_driver::StubDriver;
pub use target::{StubChild, StubOptions};

#[cfg(test)]
mod executor_tests;
