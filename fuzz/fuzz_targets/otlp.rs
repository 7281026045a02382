#![no_main]
//! `otlp`: see fuzz/README.md and `obsgate::fuzzing::otlp`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| obsgate::fuzzing::otlp(data));
