//! Checker tests on fixture data: a healthy run passes everything; each stub defect flips
//! exactly the expected checks.

mod fixtures;
mod log_stream;
mod logs;
mod metrics;
mod relations;
mod telemetry;
mod trace_stream;
mod traces;
