#![no_main]
//! `scenario`: see fuzz/README.md and `obsgate::fuzzing::scenario`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| obsgate::fuzzing::scenario(data));
