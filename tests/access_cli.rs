//! `secaudit access` and snapshot-backed `secaudit test`, driven through the built binary on
//! the demo snapshot.
#![allow(
    clippy::expect_used,
    reason = "test helpers outside #[test] functions fail loudly by design"
)]

use std::process::Command;

mod support;

fn secaudit(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_secaudit"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

#[test]
fn access_json_lists_readers_per_secret_deterministically() {
    let args = [
        "access",
        "--snapshot",
        "fixtures/snapshots/demo",
        "--format",
        "json",
        "--secret",
        "prod/db",
        "--action",
        "secretsmanager:GetSecretValue",
    ];
    let first = secaudit(&args);
    let second = secaudit(&args);
    assert_eq!(first.stdout, second.stdout, "same snapshot, same bytes");
    // Exit 3: one secret's resource policy is missing from the demo snapshot.
    assert!(
        matches!(first.status.code(), Some(0 | 3)),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&first.stdout).unwrap();
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["snapshot"]["account_id"], "111122223333");
    assert_eq!(
        report["actions"],
        serde_json::json!(["secretsmanager:GetSecretValue"])
    );
    let secrets = report["secrets"].as_array().unwrap();
    assert_eq!(secrets.len(), 1);
    assert_eq!(secrets[0]["name"], "prod/db");
    let access = secrets[0]["access"].as_array().unwrap();
    let principals: Vec<&str> = access
        .iter()
        .map(|e| e["principal"].as_str().unwrap())
        .collect();
    let mut sorted = principals.clone();
    sorted.sort_unstable();
    assert_eq!(principals, sorted, "sorted by principal");
    let orders = access
        .iter()
        .find(|e| e["principal"] == "arn:aws:iam::111122223333:role/orders-api")
        .expect("the orders API reads prod/db");
    assert_eq!(orders["decision"], "Allowed");
    assert!(orders["stages_differ"].is_array());
    assert!(
        !principals.contains(&"arn:aws:iam::111122223333:user/contractors/contractor-jane"),
        "the contractor's boundary denies prod secrets"
    );
    for entry in access {
        if entry.get("external").is_some() {
            assert_eq!(entry["decision"], "Conditional");
            assert_eq!(entry["via"], "resource");
        }
    }
}

#[test]
fn access_csv_and_table_and_bad_actions() {
    let csv = secaudit(&[
        "access",
        "--snapshot",
        "fixtures/snapshots/demo",
        "--format",
        "csv",
    ]);
    let text = String::from_utf8(csv.stdout).unwrap();
    assert!(text.starts_with(
        "SECRET_ARN,SECRET_NAME,REGION,PRINCIPAL,ACTION,DECISION,VIA,CONDITIONS,STAGES_DIFFER,EXTERNAL"
    ));
    let table = secaudit(&[
        "access",
        "--snapshot",
        "fixtures/snapshots/demo",
        "--format",
        "table",
    ]);
    assert!(String::from_utf8(table.stdout).unwrap().contains("entries"));
    let bad = secaudit(&[
        "access",
        "--snapshot",
        "fixtures/snapshots/demo",
        "--action",
        "secretsmanager:Get*",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("invalid action `secretsmanager:Get*`"));
}

#[test]
fn snapshot_backed_case_files_run_in_secaudit_test() {
    let out = secaudit(&["test", "examples/policy-tests-snapshot"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("4 passed, 0 failed"), "{stdout}");
}

#[test]
fn access_by_principal_lists_what_one_principal_can_do() {
    let out = secaudit(&[
        "access",
        "--snapshot",
        "fixtures/snapshots/demo",
        "--format",
        "json",
        "--by",
        "principal",
        "--principal",
        "*user/alice",
    ]);
    assert!(
        matches!(out.status.code(), Some(0 | 3)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let principals = report["principals"].as_array().unwrap();
    assert_eq!(principals.len(), 1);
    assert_eq!(principals[0]["arn"], "arn:aws:iam::111122223333:user/alice");
    assert_eq!(principals[0]["account_id"], "111122223333");
    let access = principals[0]["access"].as_array().unwrap();
    assert!(!access.is_empty());
    for entry in access {
        assert!(
            entry["secret"]
                .as_str()
                .unwrap()
                .starts_with("arn:aws:secretsmanager:")
        );
        assert!(
            entry["why"].as_array().is_some_and(|w| !w.is_empty()),
            "{entry}"
        );
        if entry["action"] == "secretsmanager:GetSecretValue" {
            assert!(
                entry["key"]["arn"]
                    .as_str()
                    .unwrap()
                    .starts_with("arn:aws:kms:")
            );
        }
    }
    let table = secaudit(&[
        "access",
        "--snapshot",
        "fixtures/snapshots/demo",
        "--format",
        "table",
        "--by",
        "principal",
        "--principal",
        "*user/alice",
        "--why",
    ]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.starts_with("arn:aws:iam::111122223333:user/alice\n"),
        "{text}"
    );
    assert!(
        text.contains("      why: identity side, identity policy"),
        "{text}"
    );
}

/// A secret name is attacker-controlled: a right-to-left override or an escape sequence in it
/// reaches the access table escaped, never raw.
#[test]
fn access_table_escapes_hostile_secret_names() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let snapshot = dir.path().join("demo");
    support::copy_dir(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/snapshots/demo"),
        &snapshot,
    );
    // Renames `prod/api/stripe-key` everywhere the snapshot names it (JSON `\u` escapes).
    for file in [
        "list-secrets.json",
        "describe-secret.json",
        "get-resource-policy.json",
    ] {
        let path = snapshot.join("us-east-1/secretsmanager").join(file);
        let text = std::fs::read_to_string(&path).expect("a demo file");
        let renamed = text.replace("stripe-key", "stripe\\u202e\\u001b[2J-key");
        std::fs::write(&path, renamed).expect("the copy is writable");
    }
    let output = secaudit(&[
        "access",
        "--snapshot",
        snapshot.to_str().expect("a UTF-8 path"),
        "--format",
        "table",
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("stripe\\u{202e}\\u{1b}[2J-key"), "{stdout}");
    assert!(
        !stdout.contains('\u{202e}') && !stdout.contains('\u{1b}'),
        "{stdout:?}"
    );
}
