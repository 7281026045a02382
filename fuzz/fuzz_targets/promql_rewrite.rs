#![no_main]
//! `promql_rewrite`: see fuzz/README.md and `obsgate::fuzzing::promql_rewrite`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| obsgate::fuzzing::promql_rewrite(data));
