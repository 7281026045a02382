#![no_main]
//! `dashboard`: see fuzz/README.md and `obsgate::fuzzing::dashboard`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| obsgate::fuzzing::dashboard(data));
