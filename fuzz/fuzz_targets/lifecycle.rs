//! Fuzz target `lifecycle` (mutes and baseline files): see `fuzz/harness.rs` (shared with the replay test `tests/fuzz_replay.rs`).
#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::lifecycle(data));
