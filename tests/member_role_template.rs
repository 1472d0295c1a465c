//! The CloudFormation member-role template (`policies/secaudit-member-role.template.json`) that a
//! StackSet deploys to every account for `collect --organization`: its inline policy is exactly
//! the shipped read-only policy, it trusts only the auditor role (with the optional external
//! id), and `cfn-lint` (installed into `.venv` by `scripts/moto-env.sh`) accepts it and rejects a
//! broken copy. Without cfn-lint the lint step skips with a message, except under `CI=true`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step is a failed test"
)]

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

mod support;

const TEMPLATE: &str = "policies/secaudit-member-role.template.json";

fn read(path: &str) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn the_role_has_the_read_only_policy_and_trusts_only_the_auditor() {
    let template = read(TEMPLATE);
    let role = &template["Resources"]["SecauditReadOnlyRole"];
    assert_eq!(role["Type"], "AWS::IAM::Role");
    let properties = &role["Properties"];
    assert_eq!(
        properties["Policies"][0]["PolicyDocument"],
        read("policies/secaudit-read-only.json"),
        "the template's policy must be the shipped read-only policy: copy it over"
    );
    assert_eq!(properties["Policies"].as_array().unwrap().len(), 1);
    assert!(properties.get("ManagedPolicyArns").is_none());
    let trust = &properties["AssumeRolePolicyDocument"]["Statement"];
    assert_eq!(trust.as_array().unwrap().len(), 1);
    assert_eq!(trust[0]["Action"], "sts:AssumeRole");
    assert_eq!(
        trust[0]["Principal"],
        json!({"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AuditorAccountId}:role/${AuditorRoleName}"}})
    );
    assert_eq!(properties["RoleName"], json!({"Ref": "RoleName"}));
    assert_eq!(
        template["Parameters"]["RoleName"]["Default"],
        "SecauditReadOnly"
    );
}

#[test]
fn cfn_lint_accepts_the_template_and_rejects_a_broken_copy() {
    let Some(lint) = support::cfn_lint() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "cfn-lint not found under CI: run `scripts/moto-env.sh` and set SECAUDIT_CFN_LINT"
        );
        eprintln!("SKIPPED: cfn-lint not found (run `scripts/moto-env.sh`)");
        return;
    };
    let run = |path: &Path| {
        Command::new(&lint)
            .arg(path)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .output()
            .unwrap_or_else(|e| panic!("cannot run `{}`: {e}", lint.display()))
    };
    let output = run(Path::new(TEMPLATE));
    assert!(
        output.status.success(),
        "cfn-lint: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );

    // The check bites: an unknown property and a wrong resource type are reported.
    let mut broken = read(TEMPLATE);
    broken["Resources"]["SecauditReadOnlyRole"]["Properties"]["MaxSessionDurationSeconds"] =
        json!(3600);
    broken["Resources"]["SecauditReadOnlyRole"]["Type"] = json!("AWS::IAM::Rolle");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.template.json");
    std::fs::write(&path, serde_json::to_string_pretty(&broken).unwrap()).unwrap();
    let output = run(&path);
    assert!(
        !output.status.success(),
        "cfn-lint accepted a broken template"
    );
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("AWS::IAM::Rolle"), "{text}");
}
