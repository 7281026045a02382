#![no_main]
//! `exposition`: see fuzz/README.md and `obsgate::fuzzing::exposition`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| obsgate::fuzzing::exposition(data));
