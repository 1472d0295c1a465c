//! The shipped least-privilege policy (`policies/secaudit-read-only.json`), checked with our own
//! evaluator: it allows every action the collector and the Config-rule mode call (the lists in
//! `src/collect/actions.rs`, included here so that this test runs with or without the `aws`
//! feature), denies reading secret values even when another policy would allow it, and grants
//! nothing else. A source scan proves no code path calls GetSecretValue or BatchGetSecretValue.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step is a failed test"
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use secaudit::eval::{Context, Decision, NamedPolicy, PolicySet, Principal, Request, decide};
use secaudit::policy::{Policy, PolicyKind};

#[path = "../src/collect/actions.rs"]
mod actions;

const POLICY: &str = include_str!("../policies/secaudit-read-only.json");
const AUDITOR: &str = "arn:aws:sts::111122223333:assumed-role/secaudit/secaudit";
const SECRET: &str = "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbCdEf";

fn policy_set(extra: Option<&str>) -> PolicySet {
    let mut set = PolicySet::default();
    set.identity.push(NamedPolicy {
        name: "secaudit-read-only".into(),
        policy: Arc::new(Policy::parse(POLICY, PolicyKind::Identity).unwrap()),
    });
    if let Some(text) = extra {
        set.identity.push(NamedPolicy {
            name: "extra".into(),
            policy: Arc::new(Policy::parse(text, PolicyKind::Identity).unwrap()),
        });
    }
    set
}

fn resource_for(action: &str) -> &'static str {
    match action.split(':').next() {
        Some("secretsmanager") => SECRET,
        Some("kms") => {
            "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        }
        Some("rds") => "arn:aws:rds:us-east-1:111122223333:cluster:prod",
        Some("config") => "*",
        _ => "*",
    }
}

/// The default key policy (its statement naming the account enables IAM policies): a KMS key
/// needs a key policy before any identity policy counts (docs/semantics.md §2.1).
const DEFAULT_KEY_POLICY: &str = r#"{"Version": "2012-10-17", "Statement": [{"Sid": "Enable IAM User Permissions",
    "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]}"#;

fn decision(set: &PolicySet, action: &str) -> Decision {
    let mut set = set.clone();
    if action.starts_with("kms:") {
        set.resource = Some(NamedPolicy {
            name: "default key policy".into(),
            policy: Arc::new(Policy::parse(DEFAULT_KEY_POLICY, PolicyKind::Resource).unwrap()),
        });
    }
    let set = &set;
    let request = Request {
        principal: Principal::parse(AUDITOR).unwrap(),
        action: action.to_owned(),
        resource: resource_for(action).to_owned(),
        resource_account: None,
        context: Context::new(),
    };
    decide(set, &request)
}

#[test]
fn allows_every_call_the_collector_and_config_rule_make() {
    let set = policy_set(None);
    for action in actions::COLLECTOR_ACTIONS
        .iter()
        .chain(actions::CONFIG_RULE_ACTIONS)
    {
        assert_eq!(decision(&set, action), Decision::Allowed, "{action}");
    }
    // The Config rule's base set is made of those calls (the Lambda role holds it).
    for action in actions::CONFIG_RULE_BASE_ACTIONS {
        assert!(
            actions::COLLECTOR_ACTIONS.contains(action)
                || actions::CONFIG_RULE_ACTIONS.contains(action),
            "{action}"
        );
    }
}

#[test]
fn denies_reading_secret_values_even_next_to_a_broad_allow() {
    let admin = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#;
    for set in [policy_set(None), policy_set(Some(admin))] {
        for action in actions::FORBIDDEN_ACTIONS {
            assert_eq!(decision(&set, action), Decision::ExplicitDeny, "{action}");
        }
    }
}

#[test]
fn grants_nothing_beyond_the_listed_actions() {
    let set = policy_set(None);
    for action in [
        "secretsmanager:PutSecretValue",
        "secretsmanager:DeleteSecret",
        "secretsmanager:RotateSecret",
        "kms:Decrypt",
        "iam:PassRole",
        "config:DeleteEvaluationResults",
        "sts:AssumeRole",
    ] {
        assert_eq!(decision(&set, action), Decision::ImplicitDeny, "{action}");
    }
    let document: serde_json::Value = serde_json::from_str(POLICY).unwrap();
    let allowed: BTreeSet<String> = document["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|statement| statement["Effect"] == "Allow")
        .flat_map(|statement| statement["Action"].as_array().unwrap().clone())
        .map(|action| action.as_str().unwrap().to_owned())
        .collect();
    let needed: BTreeSet<String> = actions::COLLECTOR_ACTIONS
        .iter()
        .chain(actions::CONFIG_RULE_ACTIONS)
        .map(|action| (*action).to_owned())
        .collect();
    assert_eq!(
        allowed, needed,
        "the policy allows exactly the actions the tool calls"
    );
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn no_code_path_reads_secret_values() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    rust_files(&root.join("tests"), &mut files);
    assert!(files.len() > 10, "scanned {} files", files.len());
    // How code would call the two value-reading operations with the SDK: the client methods
    // (`client.get_secret_value()`), their operation modules and fluent builders. (Names such as
    // `is_get_secret_value` in the analysis code are about the action, not calls.)
    let forbidden = [
        ".get_secret_value(",
        ".batch_get_secret_value(",
        "operation::get_secret_value",
        "operation::batch_get_secret_value",
        "GetSecretValueFluentBuilder",
        "BatchGetSecretValueFluentBuilder",
    ];
    // The scan would catch a call written the usual way.
    let call = "let v = client.get_secret_value().secret_id(arn).send().await?;";
    assert!(forbidden.iter().any(|needle| call.contains(needle)));
    let this_file = root.join("tests").join("read_only_policy.rs");
    for file in files.iter().filter(|file| **file != this_file) {
        let text = std::fs::read_to_string(file).unwrap();
        for needle in forbidden {
            assert!(
                !text.contains(needle),
                "`{}` mentions `{needle}`",
                file.display()
            );
        }
    }
}

const ORGANIZATION_POLICY: &str = include_str!("../policies/secaudit-organization.json");

#[test]
fn the_organization_policy_reads_the_organization_and_assumes_only_the_member_role() {
    let mut set = PolicySet::default();
    set.identity.push(NamedPolicy {
        name: "secaudit-organization".into(),
        policy: Arc::new(Policy::parse(ORGANIZATION_POLICY, PolicyKind::Identity).unwrap()),
    });
    // A role's trust policy trusting the auditor's account (IAM policies then decide, as for
    // any same-account role): what the member-role template writes.
    let mut with_trust = set.clone();
    with_trust.resource = Some(NamedPolicy {
        name: "trust policy".into(),
        policy: Arc::new(
            Policy::parse(
                r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole"}]}"#,
                PolicyKind::Resource,
            )
            .unwrap(),
        ),
    });
    let ask = |action: &str, resource: &str| {
        let set = if action == "sts:AssumeRole" {
            &with_trust
        } else {
            &set
        };
        decide(
            set,
            &Request {
                principal: Principal::parse(AUDITOR).unwrap(),
                action: action.to_owned(),
                resource: resource.to_owned(),
                resource_account: None,
                context: Context::new(),
            },
        )
    };
    for action in actions::ORGANIZATION_ACTIONS {
        assert_eq!(ask(action, "*"), Decision::Allowed, "{action}");
    }
    assert_eq!(
        ask(
            "sts:AssumeRole",
            "arn:aws:iam::111122223333:role/SecauditReadOnly"
        ),
        Decision::Allowed
    );
    for (action, resource) in [
        (
            "sts:AssumeRole",
            "arn:aws:iam::111122223333:role/OrganizationAccountAccessRole",
        ),
        ("organizations:CreateAccount", "*"),
        ("organizations:AttachPolicy", "*"),
        ("secretsmanager:GetSecretValue", SECRET),
    ] {
        assert_eq!(
            ask(action, resource),
            Decision::ImplicitDeny,
            "{action} {resource}"
        );
    }
}
