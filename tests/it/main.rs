//! The one integration-test binary. One module per area; shared helpers in `util`.
mod acceptance;
mod checks;
mod clock;
mod config;
mod faults;
mod fuzz_replay;
mod load;
mod observe;
mod rehearsal;
mod report;
mod run;
mod scenario;
mod secrets;
mod slo;
mod stack;
mod stub;
mod util;
