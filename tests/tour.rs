//! The README's tour runs as written: every command of the first `sh` block after `## A tour` is
//! run by `sh` with the built `secaudit` first on `PATH`, in a scratch directory that sees the
//! repository's `fixtures/`, `examples/`, `policies/` and `tests/` (so `--output report.json` writes there).
//! Each must run (exit 0; 1 for findings or a denied request; 3 for the demo's deliberately
//! uncollected resource policy), print something, and never say `error:`.
#![cfg(unix)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step is a failed test"
)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The commands of the tour block, continuation lines joined, comments and blanks dropped.
fn tour_commands(readme: &str) -> Vec<String> {
    let start = readme
        .find("## A tour")
        .expect("README has a `## A tour` section");
    let rest = &readme[start..];
    let open = rest.find("```sh\n").expect("the tour has an sh block") + "```sh\n".len();
    let close = rest[open..].find("```").expect("the sh block is closed") + open;
    let mut commands = Vec::new();
    let mut current = String::new();
    for line in rest[open..close].lines() {
        let trimmed = line.trim();
        if current.is_empty() && (trimmed.is_empty() || trimmed.starts_with('#')) {
            continue;
        }
        if let Some(head) = trimmed.strip_suffix('\\') {
            current.push_str(head.trim_end());
            current.push(' ');
        } else {
            current.push_str(trimmed);
            commands.push(std::mem::take(&mut current));
        }
    }
    commands
}

#[test]
fn every_tour_command_runs_as_written() {
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    let commands = tour_commands(&readme);
    assert!(
        commands.len() >= 6,
        "the tour lost its commands: {commands:?}"
    );
    assert!(commands.iter().all(|c| c.starts_with("secaudit ")));

    let scratch = tempfile::tempdir().unwrap();
    for dir in ["fixtures", "examples", "policies", "tests"] {
        std::os::unix::fs::symlink(root().join(dir), scratch.path().join(dir)).unwrap();
    }
    let binary = Path::new(env!("CARGO_BIN_EXE_secaudit"));
    let path = format!(
        "{}:{}",
        binary.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for command in &commands {
        let output = Command::new("sh")
            .arg("-c")
            .arg(command)
            .current_dir(scratch.path())
            .env("PATH", &path)
            .env_remove("NO_COLOR")
            .env_remove("RUST_LOG")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let code = output.status.code();
        assert!(
            matches!(code, Some(0 | 1 | 3)),
            "`{command}` exited {code:?}\nstderr: {stderr}"
        );
        assert!(!stderr.contains("error:"), "`{command}`: {stderr}");
        // stderr is a pipe here: no colour escape codes, even without NO_COLOR.
        assert!(
            !stderr.contains('\x1b'),
            "`{command}` coloured a pipe: {stderr:?}"
        );
        let wrote = command.contains("--output ");
        assert!(
            wrote || !stdout.trim().is_empty(),
            "`{command}` printed nothing"
        );
    }
    // The first command wrote its report where the tour says.
    let report = fs::read_to_string(scratch.path().join("report.json")).unwrap();
    assert!(report.contains("\"schema_version\""));
}

#[test]
fn tour_parser_joins_continuation_lines() {
    let readme = "## A tour\n\n```sh\n# comment\nsecaudit a \\\n  --b c\n\nsecaudit d\n```\n";
    assert_eq!(tour_commands(readme), ["secaudit a --b c", "secaudit d"]);
}
