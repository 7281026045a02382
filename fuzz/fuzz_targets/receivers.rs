#![no_main]
//! `receivers`: see fuzz/README.md and `obsgate::fuzzing::receivers`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| obsgate::fuzzing::receivers(data));
