//! What the integration tests share to drive the built binary: its path, the crate root it runs
//! from, and readers of its exit code, stderr and JSON stdout. Each test crate includes this
//! module (`mod support;`) and uses the part it needs.

#![allow(dead_code, reason = "each test crate uses only some of these helpers")]
#![allow(clippy::panic, reason = "test support: a failed step is a failed test")]

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

/// Copies the directory tree `from` to `to` (a snapshot to edit in a test).
pub fn copy_dir(from: &Path, to: &Path) {
    fn fail(what: &str, error: std::io::Error) -> ! {
        panic!("cannot {what}: {error}")
    }
    std::fs::create_dir_all(to).unwrap_or_else(|e| fail("create a directory", e));
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| fail("read a directory", e)) {
        let entry = entry.unwrap_or_else(|e| fail("read a directory entry", e));
        let target = to.join(entry.file_name());
        let is_dir = entry
            .file_type()
            .unwrap_or_else(|e| fail("read a file type", e))
            .is_dir();
        if is_dir {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap_or_else(|e| fail("copy a file", e));
        }
    }
}

/// The `cfn-lint` of the test environment (`SECAUDIT_CFN_LINT`, else `.venv/bin/cfn-lint`), or
/// `None` when it is not installed.
pub fn cfn_lint() -> Option<std::path::PathBuf> {
    if let Ok(path) = std::env::var("SECAUDIT_CFN_LINT") {
        return Some(path.into());
    }
    let local = root().join(".venv/bin/cfn-lint");
    local.exists().then_some(local)
}
