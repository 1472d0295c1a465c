//! The defaults a new user meets in the first hour, through the built binary: `--output` refuses
//! a format name, `--fail-on` says on stderr what tripped it, and the terminal table fits the
//! terminal's width.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step is a failed test"
)]

use std::path::PathBuf;
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn secaudit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_secaudit"))
        .args(args)
        .current_dir(root())
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

const DEMO: &str = "fixtures/snapshots/demo";

#[test]
fn output_refuses_a_format_name_with_a_hint() {
    for (command, format) in [
        (
            vec!["audit", "--snapshot", DEMO, "--output", "json"],
            "json",
        ),
        (vec!["audit", "--snapshot", DEMO, "--output", "CSV"], "csv"),
        (
            vec!["access", "--snapshot", DEMO, "--output", "table"],
            "table",
        ),
        (
            vec!["test", "examples/policy-tests", "--output", "junit"],
            "junit",
        ),
    ] {
        let scratch = tempfile::tempdir().unwrap();
        let output = Command::new(env!("CARGO_BIN_EXE_secaudit"))
            .args(command.iter().map(|arg| {
                if *arg == DEMO || arg.starts_with("examples/") {
                    root().join(arg).display().to_string()
                } else {
                    (*arg).to_owned()
                }
            }))
            .current_dir(scratch.path())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{command:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&format!("did you mean --format {format}?")),
            "{command:?}: {stderr}"
        );
        // Nothing was written under the format's name.
        assert_eq!(std::fs::read_dir(scratch.path()).unwrap().count(), 0);
    }
}

#[test]
fn output_takes_a_format_name_written_as_a_path() {
    let scratch = tempfile::tempdir().unwrap();
    let target = scratch.path().join("json");
    let output = secaudit(&[
        "audit",
        "--snapshot",
        DEMO,
        "--format",
        "json",
        "--output",
        target.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(target.is_file());
}

#[test]
fn fail_on_names_what_tripped_it() {
    let output = secaudit(&[
        "audit",
        "--snapshot",
        DEMO,
        "--format",
        "json",
        "--fail-on",
        "critical",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let first = stderr.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("exit 1: ") && first.ends_with("at or above `--fail-on critical`:"),
        "{stderr}"
    );
    assert!(
        stderr.contains("  secretsmanager-policy-not-public (critical): "),
        "{stderr}"
    );
    // Only findings at or above the threshold are named.
    assert!(!stderr.contains("(high)"), "{stderr}");
    assert!(!stderr.contains('\x1b'), "{stderr:?}");

    // Clean below the threshold: no explanation.
    let quiet = secaudit(&[
        "audit",
        "--snapshot",
        DEMO,
        "--format",
        "json",
        "--rule",
        "secretsmanager-secret-tagged",
        "--fail-on",
        "critical",
    ]);
    assert_eq!(quiet.status.code(), Some(0));
    assert!(!String::from_utf8_lossy(&quiet.stderr).contains("exit 1"));
}

/// The demo table fits 80 and 200 columns (`COLUMNS`, as a terminal would give), line by line;
/// the renderings are kept as golden files (`UPDATE_GOLDEN=1` rewrites them).
#[test]
fn the_table_fits_the_terminal_width() {
    for width in [80usize, 200] {
        let output = Command::new(env!("CARGO_BIN_EXE_secaudit"))
            .args([
                "-q",
                "audit",
                "--snapshot",
                DEMO,
                "--now",
                "2026-11-01T00:00:00Z",
                "--format",
                "table",
            ])
            .current_dir(root())
            .env("COLUMNS", width.to_string())
            .env_remove("NO_COLOR")
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{output:?}");
        let text = String::from_utf8(output.stdout).unwrap();
        for line in text.lines() {
            assert!(
                line.chars().count() <= width,
                "{width} columns: {} wide: {line}",
                line.chars().count()
            );
        }
        // The managed secret's name keeps its start and its unique end.
        assert!(text.contains("rds!cluste"), "{text}");
        assert!(text.contains("e7f60a2b"), "{text}");
        assert!(!text.contains('\x1b'));
        let golden = root().join(format!("tests/golden/demo-{width}.txt"));
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&golden, &text).unwrap();
        }
        assert_eq!(
            std::fs::read_to_string(&golden).unwrap_or_default(),
            text,
            "{} is stale: UPDATE_GOLDEN=1 regenerates it",
            golden.display()
        );
    }
}
