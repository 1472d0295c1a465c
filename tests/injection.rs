//! Attacker-controlled names never reach a terminal or a spreadsheet raw (issue 11, item 6),
//! driven through the built binary: a policy `Sid` and a file name with an escape sequence or a
//! right-to-left override in `eval` and `test` text output, a secret name with U+202E in the
//! audit table, and a `;`-separated formula in CSV, whose every cell is quoted.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::{Value, json};

const NOW: &str = "2026-11-01T00:00:00Z";
const ESC_SID: &str = "Read\u{1b}]0;owned\u{7}\u{1b}[2J\u{202e}gpj.exe";

fn secaudit(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_secaudit"))
        .args(args)
        .current_dir(dir)
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// No raw escape, bell, or bidirectional override; the escaped forms are there instead.
fn assert_terminal_safe(text: &str) {
    for bad in ['\u{1b}', '\u{7}', '\u{202e}', '\u{9b}'] {
        assert!(!text.contains(bad), "raw {bad:?} in {text:?}");
    }
}

fn policy_with_sid() -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Sid": ESC_SID, "Effect": "Allow",
        "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]})
}

#[test]
fn eval_escapes_the_sid_and_the_file_name() {
    let dir = tempfile::tempdir().unwrap();
    let name = "evil\u{1b}[31m\u{202e}.json";
    fs::write(dir.path().join(name), policy_with_sid().to_string()).unwrap();
    let output = secaudit(
        &[
            "eval",
            "--policy",
            name,
            "--principal",
            "arn:aws:iam::111122223333:user/alice",
            "--action",
            "secretsmanager:GetSecretValue",
            "--resource",
            "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbCdEf",
        ],
        dir.path(),
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("decision: Allowed"), "{stdout}");
    assert_terminal_safe(&stdout);
    assert!(stdout.contains("\\u{1b}[2J\\u{202e}gpj.exe"), "{stdout}");
    assert!(stdout.contains("evil\\u{1b}[31m\\u{202e}.json"), "{stdout}");
}

#[test]
fn test_escapes_the_sid_and_the_file_name() {
    let dir = tempfile::tempdir().unwrap();
    let name = "case\u{1b}[2K\u{202e}.json";
    let case = json!({
        "name": "injected\u{1b}[1A",
        "identity_policies": [policy_with_sid()],
        "requests": [{
            "name": "wrong on purpose",
            "principal": "arn:aws:iam::111122223333:user/alice",
            "action": "secretsmanager:GetSecretValue",
            "resource": "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbCdEf",
            "expect": "ImplicitDeny"
        }]
    });
    fs::write(dir.path().join(name), case.to_string()).unwrap();
    let output = secaudit(&["test", "--format", "text", "."], dir.path());
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stdout.contains("FAIL"), "{stdout} {stderr}");
    assert_terminal_safe(&stdout);
    assert_terminal_safe(&stderr);
    assert!(stdout.contains("\\u{1b}[2J\\u{202e}gpj.exe"), "{stdout}");
    assert!(stdout.contains("case\\u{1b}[2K\\u{202e}.json"), "{stdout}");
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The demo snapshot with the first us-east-1 secret renamed.
fn demo_with_name(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_dir(&root.join("fixtures/snapshots/demo"), dir.path());
    for file in ["list-secrets.json", "describe-secret.json"] {
        let path = dir.path().join("us-east-1/secretsmanager").join(file);
        let mut value: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        let list = match value.get_mut("SecretList") {
            Some(list) => list,
            None => &mut value,
        };
        for secret in list.as_array_mut().unwrap() {
            secret["Name"] = json!(name);
        }
        fs::write(&path, value.to_string()).unwrap();
    }
    dir
}

#[test]
fn the_audit_table_escapes_a_right_to_left_override() {
    let snapshot = demo_with_name("prod/\u{202e}gpj.exe\u{2066}");
    let output = secaudit(
        &[
            "-q",
            "audit",
            "--snapshot",
            snapshot.path().to_str().unwrap(),
            "--now",
            NOW,
            "--format",
            "table",
        ],
        snapshot.path(),
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(!stdout.contains('\u{2066}'), "raw isolate in {stdout}");
    assert_terminal_safe(&stdout);
    assert!(
        stdout.contains("prod/\\u{202e}gpj.exe\\u{2066}"),
        "{stdout}"
    );
}

#[test]
fn csv_quotes_every_cell_so_a_semicolon_formula_stays_one_cell() {
    let snapshot = demo_with_name(";=cmd|' /C calc'!A0");
    let output = secaudit(
        &[
            "-q",
            "audit",
            "--snapshot",
            snapshot.path().to_str().unwrap(),
            "--now",
            NOW,
            "--format",
            "csv",
        ],
        snapshot.path(),
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains(",\";=cmd|' /C calc'!A0\","), "{stdout}");
    for line in stdout.lines() {
        assert!(
            line.starts_with('"') && line.ends_with('"'),
            "unquoted cell in {line}"
        );
    }
}
