//! `secaudit lint` driven through the built binary: located findings on the hand-written
//! Terraform plan and CloudFormation fixtures (tests/fixtures/lint), the project's own example
//! policies free of errors, `--kind`, `--fail-on` and the exit codes, and the SARIF output
//! validated against the SARIF 2.1.0 JSON schema (from the npm package that
//! `scripts/sarif-schema.sh` installs) with Python's `jsonschema`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step is a failed test"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

mod support;
use support::code;

fn secaudit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_secaudit"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// The findings of a JSON report as (line, level, id, path) tuples.
fn findings(args: &[&str]) -> (i32, Vec<(u64, String, String, String)>) {
    let mut all = vec!["lint", "--format", "json", "--fail-on", "none"];
    all.extend_from_slice(args);
    let output = secaudit(&all);
    let document: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let list = document["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["line"].as_u64().unwrap(),
                f["level"].as_str().unwrap().to_owned(),
                f["id"].as_str().unwrap().to_owned(),
                f["path"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (code(&output), list)
}

fn has(list: &[(u64, String, String, String)], line: u64, level: &str, id: &str, path: &str) {
    assert!(
        list.iter()
            .any(|(l, lv, i, p)| *l == line && lv == level && i == id && p == path),
        "missing {line} {level} {id} {path} in {list:#?}"
    );
}

#[test]
fn terraform_plan_findings_are_located() {
    let (code, list) = findings(&["tests/fixtures/lint/plan.json"]);
    assert_eq!(code, 0);
    has(
        &list,
        18,
        "error",
        "unknown-action",
        "planned_values.root_module.resources[0].values.policy.Statement[0].Action[0]",
    );
    has(
        &list,
        18,
        "warning",
        "secret-name-wildcard",
        "planned_values.root_module.resources[0].values.policy.Statement[0].Resource",
    );
    has(
        &list,
        34,
        "warning",
        "principal-star-unrestricted",
        "planned_values.root_module.resources[1].values.policy.Statement[0].Principal",
    );
    has(
        &list,
        65,
        "warning",
        "getsecretvalue-on-all-secrets",
        "planned_values.root_module.resources[3].values.inline_policy[0].policy.Statement[0].Resource",
    );
    has(
        &list,
        90,
        "error",
        "unknown-condition-key",
        "planned_values.root_module.child_modules[0].resources[0].values.policy.Statement[0].Condition.StringEquals.aws:PrincipalTagg/team",
    );
    // The data source rendered as `json`, read from the plan's prior state.
    has(
        &list,
        136,
        "warning",
        "forallvalues-without-null-guard",
        "prior_state.values.root_module.resources[0].values.json.Statement[0].Condition.ForAllValues:StringEquals.aws:TagKeys",
    );
    // The key policy's `Principal: {"AWS": "*"}` is restricted by its conditions: no finding.
    assert!(
        !list.iter().any(|(_, _, _, p)| p.contains("resources[2]")),
        "{list:#?}"
    );
    assert_eq!(list.len(), 6, "{list:#?}");
}

#[test]
fn cloudformation_yaml_with_short_form_tags_is_located() {
    let (_, list) = findings(&["tests/fixtures/lint/template.yaml"]);
    has(
        &list,
        28,
        "warning",
        "principal-star-unrestricted",
        "Resources.DbSecretPolicy.Properties.ResourcePolicy.Statement[1].Principal",
    );
    // `!Join` with `!Ref AWS::Region`/`AWS::AccountId` resolved: `…:secret:prod/db-*`.
    has(
        &list,
        50,
        "warning",
        "secret-name-wildcard",
        "Resources.AppRole.Properties.Policies[0].PolicyDocument.Statement[0].Resource",
    );
    has(
        &list,
        61,
        "error",
        "unknown-condition-key",
        "Resources.AppRole.Properties.Policies[0].PolicyDocument.Statement[1].Condition.StringEquals.kms:ViaServce",
    );
    // The statement naming `!Sub …${TrustedAccount}:root` is the template's trusted account.
    assert_eq!(list.len(), 3, "{list:#?}");
}

#[test]
fn cloudformation_json_and_kind_override() {
    let (_, list) = findings(&["tests/fixtures/lint/template.json"]);
    has(
        &list,
        13,
        "error",
        "policy-variable-in-2008-policy",
        "Resources.ReadersPolicy.Properties.PolicyDocument.Statement[0].Resource",
    );
    has(
        &list,
        17,
        "warning",
        "not-action-with-allow",
        "Resources.ReadersPolicy.Properties.PolicyDocument.Statement[1].NotAction",
    );

    // `--kind resource` on an identity policy: a resource policy needs a Principal.
    let output = secaudit(&[
        "lint",
        "--kind",
        "resource",
        "examples/policy-tests/policies/orders-app-role.json",
    ]);
    assert_eq!(code(&output), 1);
    assert!(
        stdout(&output).contains("error invalid-policy"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn the_projects_own_policies_have_no_lint_error() {
    for path in ["examples", "policies"] {
        let output = secaudit(&["lint", path]);
        assert_eq!(code(&output), 0, "{path}: {}", stdout(&output));
        assert!(!stdout(&output).contains(": error "), "{}", stdout(&output));
        assert!(
            stdout(&output).starts_with("0 errors")
                || stdout(&output).contains("\n0 errors")
                || stdout(&output).contains("0 errors,")
        );
    }
}

#[test]
fn fail_on_and_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let warning_only = dir.path().join("wildcard.json");
    std::fs::write(
        &warning_only,
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Action": "secretsmanager:GetSecretValue",
            "Resource": "arn:aws:secretsmanager:us-east-1:111122223333:secret:app-*"}]})
        .to_string(),
    )
    .unwrap();
    let file = warning_only.display().to_string();
    assert_eq!(code(&secaudit(&["lint", &file])), 0);
    assert_eq!(code(&secaudit(&["lint", "--fail-on", "warning", &file])), 1);
    assert_eq!(code(&secaudit(&["lint", "--fail-on", "note", &file])), 1);
    assert_eq!(
        code(&secaudit(&[
            "lint",
            "--fail-on",
            "none",
            "tests/fixtures/lint/plan.json"
        ])),
        0
    );
    assert_eq!(
        code(&secaudit(&["lint", "tests/fixtures/lint/plan.json"])),
        1
    );

    let missing = secaudit(&["lint", "no/such/file.json"]);
    assert_eq!(code(&missing), 2);
    let case_file = secaudit(&["lint", "examples/policy-tests/orders-app.json"]);
    assert_eq!(code(&case_file), 2);
    assert!(String::from_utf8_lossy(&case_file.stderr).contains("not a policy"));
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "{\"Statement\": [").unwrap();
    let output = secaudit(&["lint", &broken.display().to_string()]);
    assert_eq!(code(&output), 2);
    let bad_yaml = dir.path().join("bad.yaml");
    std::fs::write(&bad_yaml, "Resources: [unclosed\n").unwrap();
    assert_eq!(
        code(&secaudit(&["lint", &bad_yaml.display().to_string()])),
        2
    );
}

#[test]
fn trusted_accounts_decide_cross_account_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("secret-policy.json");
    std::fs::write(
        &policy,
        json!({"Version": "2012-10-17", "Statement": [{"Sid": "Audit", "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::444455556666:role/audit"},
            "Action": "secretsmanager:DescribeSecret", "Resource": "*"}]})
        .to_string(),
    )
    .unwrap();
    let file = policy.display().to_string();
    let (_, without) = findings(&[&file]);
    assert!(without.is_empty(), "{without:#?}");
    let (_, untrusted) = findings(&["--trusted-account", "111122223333", &file]);
    assert_eq!(untrusted.len(), 1);
    assert_eq!(untrusted[0].2, "untrusted-account-access");
    let (_, trusted) = findings(&["--trusted-account", "444455556666", &file]);
    assert!(trusted.is_empty());
}

/// The schema file and a Python with `jsonschema`, prepared by `scripts/sarif-schema.sh` (run
/// here when missing). `SECAUDIT_SARIF_SCHEMA` and `SECAUDIT_PYTHON` point elsewhere.
fn sarif_validator() -> (PathBuf, PathBuf) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let schema = std::env::var_os("SECAUDIT_SARIF_SCHEMA")
        .map_or_else(|| root.join(".venv/sarif-schema-2.1.0.json"), PathBuf::from);
    let python = std::env::var_os("SECAUDIT_PYTHON")
        .map_or_else(|| root.join(".venv/bin/python"), PathBuf::from);
    if !schema.is_file() || !python.is_file() {
        let status = Command::new(root.join("scripts/sarif-schema.sh"))
            .status()
            .unwrap();
        assert!(status.success(), "scripts/sarif-schema.sh failed");
    }
    (schema, python)
}

#[test]
fn sarif_output_validates_against_the_2_1_0_schema() {
    let (schema, python) = sarif_validator();
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("lint.sarif");
    let output = secaudit(&[
        "lint",
        "--format",
        "sarif",
        "--output",
        &sarif.display().to_string(),
        "tests/fixtures/lint",
        "no/such/file.json",
    ]);
    assert_eq!(code(&output), 2);
    let text = std::fs::read_to_string(&sarif).unwrap();
    let document: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(document["version"], "2.1.0");
    let results = document["runs"][0]["results"].as_array().unwrap();
    let located = results
        .iter()
        .find(|r| r["ruleId"] == "unknown-action")
        .unwrap();
    let physical = &located["locations"][0]["physicalLocation"];
    assert_eq!(
        physical["artifactLocation"]["uri"],
        "tests/fixtures/lint/plan.json"
    );
    assert_eq!(physical["region"]["startLine"], 18);
    assert_eq!(located["level"], "error");
    assert!(results.iter().any(|r| r["ruleId"] == "lint-error"));

    let check = "import json, sys, jsonschema\n\
        schema = json.load(open(sys.argv[1]))\n\
        document = json.load(open(sys.argv[2]))\n\
        jsonschema.validators.validator_for(schema)(schema).validate(document)\n\
        print('valid')\n";
    let run = |file: &Path| {
        Command::new(&python)
            .args(["-c", check])
            .arg(&schema)
            .arg(file)
            .output()
            .unwrap()
    };
    let valid = run(&sarif);
    assert!(
        valid.status.success(),
        "{}",
        String::from_utf8_lossy(&valid.stderr)
    );
    // The validator can fail: a result without its message is rejected.
    let mut broken = document.clone();
    broken["runs"][0]["results"][0]
        .as_object_mut()
        .unwrap()
        .remove("message");
    let broken_file = dir.path().join("broken.sarif");
    std::fs::write(&broken_file, broken.to_string()).unwrap();
    assert!(!run(&broken_file).status.success());
}

/// Every policy document inside the demo snapshot (resource policies, key policies, IAM policy
/// versions, SCPs and RCPs, as objects or as JSON strings), written to its own file.
fn demo_policies(dir: &Path) -> usize {
    fn collect(value: &Value, out: &mut Vec<Value>) {
        match value {
            Value::Object(map) if map.contains_key("Statement") => out.push(value.clone()),
            Value::Object(map) => map.values().for_each(|v| collect(v, out)),
            Value::Array(items) => items.iter().for_each(|v| collect(v, out)),
            Value::String(text) if text.contains("\"Statement\"") => {
                if let Ok(inner) = serde_json::from_str::<Value>(text) {
                    collect(&inner, out);
                }
            }
            _ => {}
        }
    }
    fn walk(path: &Path, out: &mut Vec<Value>) {
        for entry in std::fs::read_dir(path).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "json") {
                let text = std::fs::read_to_string(&path).unwrap();
                if let Ok(value) = serde_json::from_str::<Value>(&text) {
                    collect(&value, out);
                }
            }
        }
    }
    let mut found = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/snapshots/demo"),
        &mut found,
    );
    for (index, policy) in found.iter().enumerate() {
        std::fs::write(dir.join(format!("{index}.json")), policy.to_string()).unwrap();
    }
    found.len()
}

#[test]
fn the_demo_snapshot_policies_have_no_lint_error() {
    let dir = tempfile::tempdir().unwrap();
    let count = demo_policies(dir.path());
    assert!(count >= 20, "{count} policies");
    let output = secaudit(&[
        "lint",
        "--format",
        "json",
        &dir.path().display().to_string(),
    ]);
    let document: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(document["summary"]["policies"], json!(count));
    assert_eq!(
        document["summary"]["errors"],
        json!(0),
        "{}",
        stdout(&output)
    );
    assert_eq!(code(&output), 0);
}
