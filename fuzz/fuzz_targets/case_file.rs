//! Fuzz target `case_file`: see `fuzz/harness.rs` (shared with the replay test `tests/fuzz_replay.rs`).
#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::case_file(data));
