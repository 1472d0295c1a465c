//! What the integration tests share to drive the built binary: its path, the crate root it runs
//! from, and readers of its exit code, stderr and JSON stdout. Each test crate includes this
//! module (`mod support;`) and uses the part it needs.

#![allow(dead_code, reason = "each test crate uses only some of these helpers")]

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the binary from the crate root with logs quiet and colour left to the binary's own rule.
pub fn secaudit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_secaudit"))
        .args(args)
        .current_dir(root())
        .env_remove("NO_COLOR")
        .env_remove("RUST_LOG")
        .output()
        .unwrap_or_else(|error| panic!("cannot run secaudit: {error}"))
}

pub fn code(output: &Output) -> i32 {
    output
        .status
        .code()
        .unwrap_or_else(|| panic!("secaudit ended by a signal: {}", stderr(output)))
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn json_of(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON: {e}; stderr: {}", stderr(output)))
}
