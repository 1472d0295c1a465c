//! Duplicate JSON keys in a policy (issue 11, item 9), driven through the built binary. IAM
//! accepts one of each element and Access Analyzer's policy validation reports duplicate keys
//! as an error, so secaudit rejects them with the JSON path instead of keeping the last one
//! (`Statement` Deny then `Statement` Allow used to come out Allowed).

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

const DENY_THEN_ALLOW: &str = r#"{"Version": "2012-10-17",
  "Statement": [{"Effect": "Deny", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}],
  "Statement": [{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]}"#;

const EFFECT_TWICE: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Deny",
  "Action": "secretsmanager:GetSecretValue", "Resource": "*", "Effect": "Allow"}]}"#;

fn secaudit(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_secaudit"))
        .args(args)
        .current_dir(dir)
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

fn eval(dir: &Path, policy: &str) -> Output {
    secaudit(
        &[
            "eval",
            "--policy",
            policy,
            "--principal",
            "arn:aws:iam::111122223333:user/alice",
            "--action",
            "secretsmanager:GetSecretValue",
            "--resource",
            "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbCdEf",
        ],
        dir,
    )
}

#[test]
fn eval_rejects_a_policy_with_a_duplicate_key_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("top.json"), DENY_THEN_ALLOW).unwrap();
    fs::write(dir.path().join("inner.json"), EFFECT_TWICE).unwrap();
    let output = eval(dir.path(), "top.json");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(output.stdout.is_empty(), "no decision");
    assert!(stderr.contains("duplicate key `Statement`"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");

    let output = eval(dir.path(), "inner.json");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("Statement[0]: duplicate key `Effect`"),
        "{stderr}"
    );
}

#[test]
fn test_reports_a_case_file_with_a_duplicate_key_as_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let case = format!(
        r#"{{"name": "dup", "identity_policies": [{EFFECT_TWICE}], "requests": [{{
        "principal": "arn:aws:iam::111122223333:user/alice",
        "action": "secretsmanager:GetSecretValue",
        "resource": "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbCdEf",
        "expect": "ExplicitDeny"}}]}}"#
    );
    fs::write(dir.path().join("dup.json"), case).unwrap();
    let output = secaudit(&["test", "--format", "text", "."], dir.path());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(2), "{stdout}");
    assert!(
        stdout.contains("identity_policies[0].Statement[0]: duplicate key `Effect`"),
        "{stdout}"
    );
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

#[test]
fn a_collected_resource_policy_with_a_duplicate_key_is_a_bad_record() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_dir(&root.join("fixtures/snapshots/demo"), dir.path());
    let file = dir
        .path()
        .join("us-east-1/secretsmanager/get-resource-policy.json");
    let mut value: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&file).unwrap()).unwrap();
    let output = value
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|output| output.get("ResourcePolicy").is_some())
        .unwrap();
    output["ResourcePolicy"] = serde_json::json!(DENY_THEN_ALLOW);
    fs::write(&file, value.to_string()).unwrap();
    let output = secaudit(
        &[
            "-q",
            "audit",
            "--snapshot",
            dir.path().to_str().unwrap(),
            "--now",
            "2026-11-01T00:00:00Z",
            "--format",
            "json",
        ],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(3));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("ResourcePolicy: policy document: duplicate key `Statement`"),
        "{text}"
    );
}
