#![no_main]
//! `rules_alertmanager`: see fuzz/README.md and `obsgate::fuzzing::rules_alertmanager`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| obsgate::fuzzing::rules_alertmanager(data));
