#![no_main]
//! `expectations`: see fuzz/README.md and `obsgate::fuzzing::expectations`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| obsgate::fuzzing::expectations(data));
