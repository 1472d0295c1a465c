//! Tests of the access analysis: the seed guide's worked example, conditional and external
//! entries, stage differences, and the class-based result against one-by-one evaluation on
//! generated snapshots.

use std::path::Path;

use serde_json::{Value, json};

use super::*;
use crate::snapshot::Snapshot;

#[path = "../../examples/gen_snapshot.rs"]
#[allow(
    dead_code,
    reason = "the generator's `main` and CLI are not used by the tests"
)]
mod gen_snapshot;

const ACCOUNT: &str = "111122223333";

fn secret_arn(name: &str) -> String {
    format!("arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:{name}-AbCdEf")
}

fn write(dir: &Path, file: &str, value: &Value) {
    let path = dir.join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, serde_json::to_vec_pretty(value).unwrap()).unwrap();
}

fn user(name: &str, statements: Value) -> Value {
    json!({"UserName": name, "UserId": format!("AIDA{}", name.to_uppercase()),
        "Arn": format!("arn:aws:iam::{ACCOUNT}:user/{name}"), "Path": "/",
        "UserPolicyList": [{"PolicyName": "p",
            "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}],
        "GroupList": [], "AttachedManagedPolicies": [], "Tags": []})
}

/// A snapshot with the given users, secrets (name, tags, resource policy, stages) and SCPs.
fn snapshot(
    users: Vec<Value>,
    secrets: &[(&str, Value, Option<Value>, Value)],
    organizations: Option<Value>,
) -> (tempfile::TempDir, Snapshot) {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "snapshot.json",
        &json!({"schema_version": 1, "account_id": ACCOUNT, "partition": "aws",
            "collected_at": "2026-11-01T00:00:00Z", "regions": ["us-east-1"], "coverage": []}),
    );
    write(
        dir.path(),
        "iam/get-account-authorization-details.json",
        &json!({"UserDetailList": users, "GroupDetailList": [], "RoleDetailList": [],
            "Policies": []}),
    );
    if let Some(org) = organizations {
        write(dir.path(), "organizations/policies.json", &org);
    }
    let list: Vec<Value> = secrets
        .iter()
        .map(|(name, tags, _, stages)| {
            json!({"ARN": secret_arn(name), "Name": name, "Tags": tags,
                "SecretVersionsToStages": stages})
        })
        .collect();
    write(
        dir.path(),
        "us-east-1/secretsmanager/list-secrets.json",
        &json!({"SecretList": list}),
    );
    let policies: Vec<Value> = secrets
        .iter()
        .map(|(name, _, policy, _)| {
            let mut entry = json!({"ARN": secret_arn(name), "Name": name});
            if let Some(policy) = policy {
                entry["ResourcePolicy"] = json!(policy.to_string());
            }
            entry
        })
        .collect();
    write(
        dir.path(),
        "us-east-1/secretsmanager/get-resource-policy.json",
        &json!(policies),
    );
    let snapshot = Snapshot::load(dir.path()).unwrap();
    (dir, snapshot)
}

fn current() -> Value {
    json!({"v1": ["AWSCURRENT"]})
}

/// (secret name, principal, action, decision, via, conditions, stages_differ, external)
type Row = (
    String,
    String,
    String,
    String,
    String,
    Vec<String>,
    Vec<String>,
    bool,
);

fn rows(model: &AccessModel, analysis: &AccessAnalysis) -> Vec<Row> {
    let mut out = Vec::new();
    for (position, secret) in analysis.secrets.iter().enumerate() {
        for entry in analysis.entries(position) {
            out.push((
                model.secrets[*secret].name.clone(),
                model.principals[entry.principal].arn.clone(),
                entry.action.to_owned(),
                entry.grant.decision.as_str().to_owned(),
                entry.grant.via.as_str().to_owned(),
                entry.grant.conditions.clone(),
                entry.grant.stages_differ.clone(),
                entry.grant.external,
            ));
        }
    }
    out
}

fn row(secret: &str, principal: &str, action: &str, decision: &str, via: &str) -> Row {
    (
        secret.to_owned(),
        principal.to_owned(),
        action.to_owned(),
        decision.to_owned(),
        via.to_owned(),
        Vec::new(),
        Vec::new(),
        false,
    )
}

fn user_arn(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:user/{name}")
}

const DESCRIBE: &str = "secretsmanager:DescribeSecret";

#[test]
fn the_seed_guides_worked_example() {
    // "Determining Access to a Secret": Secret 1 has no policy, Secret 2 allows Ana and Carlos;
    // Ana has no policy, Bob may do anything in Secrets Manager, Carlos is denied everything.
    let secret2_policy = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": [user_arn("ana"), user_arn("carlos")]},
        "Action": "secretsmanager:*", "Resource": "*"}]});
    let (_dir, snapshot) = snapshot(
        vec![
            user(
                "ana",
                json!([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]),
            ),
            user(
                "bob",
                json!([{"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"}]),
            ),
            user(
                "carlos",
                json!([{"Effect": "Deny", "Action": "secretsmanager:*", "Resource": "*"}]),
            ),
        ],
        &[
            ("secret1", json!([]), None, current()),
            ("secret2", json!([]), Some(secret2_policy), current()),
        ],
        Some(json!({"scps": [], "rcps": []})),
    );
    let model = AccessModel::from_snapshot(&snapshot).unwrap();
    assert!(model.diagnostics.is_empty(), "{:?}", model.diagnostics);
    let query = AccessQuery {
        actions: vec![DESCRIBE.to_owned()],
        ..AccessQuery::default()
    };
    let analysis = analyse(&model, &query).unwrap();
    assert_eq!(
        rows(&model, &analysis),
        vec![
            row("secret1", &user_arn("bob"), DESCRIBE, "Allowed", "identity"),
            row("secret2", &user_arn("ana"), DESCRIBE, "Allowed", "resource"),
            row("secret2", &user_arn("bob"), DESCRIBE, "Allowed", "identity"),
        ]
    );
}

#[test]
fn unsettled_keys_external_principals_and_stages() {
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "444455556666"},
         "Action": "secretsmanager:GetSecretValue", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": user_arn("dana")},
         "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]});
    let (_dir, snapshot) = snapshot(
        vec![
            user(
                "bob",
                json!([
                {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"},
                {"Effect": "Deny", "Action": "secretsmanager:*", "Resource": "*",
                 "Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]),
            ),
            user(
                "erin",
                json!([
                {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*",
                 "Condition": {"StringEquals": {"aws:ResourceTag/env": "dev"}}},
                {"Effect": "Deny", "Action": "secretsmanager:GetSecretValue", "Resource": "*",
                 "Condition": {"StringEquals": {"secretsmanager:VersionStage": "AWSPENDING"}}}]),
            ),
            user(
                "dana",
                json!([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]),
            ),
        ],
        &[
            (
                "dev/app",
                json!([{"Key": "env", "Value": "dev"}]),
                Some(policy),
                json!({"v1": ["AWSCURRENT"], "v2": ["AWSPENDING"]}),
            ),
            (
                "prod/app",
                json!([{"Key": "env", "Value": "prod"}]),
                None,
                current(),
            ),
        ],
        Some(json!({"scps": [], "rcps": []})),
    );
    let model = AccessModel::from_snapshot(&snapshot).unwrap();
    let analysis = analyse(&model, &AccessQuery::default()).unwrap();
    let gsv = "secretsmanager:GetSecretValue";
    let conditional = |secret: &str, principal: &str, conditions: &[&str]| {
        let mut r = row(secret, principal, gsv, "Conditional", "identity");
        r.5 = conditions.iter().map(|c| (*c).to_owned()).collect();
        r
    };
    // The account 444455556666 that the resource policy names is not a reader: the secret is
    // encrypted with `aws/secretsmanager` (no `KmsKeyId`), whose policy admits only the key's
    // own account (`kms:CallerAccount`); its grant reaches the metadata, not the value.
    let mut erin = row("dev/app", &user_arn("erin"), gsv, "Allowed", "identity");
    erin.6 = vec!["AWSPENDING".to_owned()];
    let mut dana = row("dev/app", &user_arn("dana"), gsv, "Allowed", "resource");
    dana.6 = Vec::new();
    let mut bob_dev = conditional("dev/app", &user_arn("bob"), &["aws:SourceIp"]);
    bob_dev.6 = Vec::new();
    let got = rows(&model, &analysis);
    assert_eq!(
        got,
        vec![
            bob_dev,
            dana,
            erin,
            conditional("prod/app", &user_arn("bob"), &["aws:SourceIp"]),
        ]
    );
}

#[test]
fn request_for_gives_the_snapshot_policies_and_context() {
    let (_dir, snapshot) = snapshot(
        vec![user(
            "bob",
            json!([{"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*",
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]),
        )],
        &[(
            "prod/db",
            json!([{"Key": "env", "Value": "prod"}]),
            None,
            current(),
        )],
        None,
    );
    let model = AccessModel::from_snapshot(&snapshot).unwrap();
    assert_eq!(model.diagnostics.len(), 1, "{:?}", model.diagnostics);
    let (set, request) = request_for(
        &model,
        &user_arn("bob"),
        &secret_arn("prod/db"),
        "secretsmanager:GetSecretValue",
        Some("AWSCURRENT"),
    )
    .unwrap();
    assert_eq!(set.identity.len(), 1);
    assert!(set.resource.is_none());
    let context = &request.context;
    let text = |key: &str| match context.get(key) {
        Some(crate::eval::ContextValue::String(s)) => Some(s.clone()),
        _ => None,
    };
    assert_eq!(text("aws:username").as_deref(), Some("bob"));
    assert_eq!(text("aws:PrincipalType").as_deref(), Some("User"));
    assert_eq!(text("aws:resourcetag/ENV").as_deref(), Some("prod"));
    assert_eq!(
        text("secretsmanager:ResourceTag/env").as_deref(),
        Some("prod")
    );
    assert_eq!(
        text("secretsmanager:VersionStage").as_deref(),
        Some("AWSCURRENT")
    );
    assert_eq!(
        context.get("aws:MultiFactorAuthPresent"),
        Some(&crate::eval::ContextValue::Unknown)
    );
    assert!(matches!(
        request_for(
            &model,
            &user_arn("nobody"),
            &secret_arn("prod/db"),
            DESCRIBE,
            None
        ),
        Err(AccessError::UnknownPrincipal(_))
    ));
    assert!(matches!(
        policy_set_for(&model, &user_arn("bob"), &secret_arn("nope")),
        Err(AccessError::UnknownSecret(_))
    ));
}

/// The class-based analysis against one-by-one evaluation, every (principal, secret, action)
/// of a generated snapshot.
fn assert_equivalent(
    principals: usize,
    secrets: usize,
    groups: usize,
    seed: &str,
    organization_id: Option<&str>,
) {
    let dir = tempfile::tempdir().unwrap();
    gen_snapshot::generate(principals, secrets, groups, seed, dir.path()).unwrap();
    assert_equivalent_in(dir.path(), organization_id);
}

/// `assert_equivalent` on the snapshot in `dir`.
fn assert_equivalent_in(dir: &Path, organization_id: Option<&str>) {
    let snapshot = Snapshot::load(dir).unwrap();
    let mut model = AccessModel::from_snapshot(&snapshot).unwrap();
    assert!(model.diagnostics.is_empty(), "{:?}", model.diagnostics);
    model.organization_id = organization_id.map(str::to_owned);
    assert_classes_equal_one_by_one(&model);
}

/// Every (principal, secret, action) of `model`: the class-based entries equal `judge_one`'s.
fn assert_classes_equal_one_by_one(model: &AccessModel) {
    let (principals, secrets) = (model.principals.len(), model.secrets.len());
    let actions: Vec<String> = [
        "secretsmanager:GetSecretValue",
        "secretsmanager:PutSecretValue",
        "secretsmanager:DescribeSecret",
        "secretsmanager:DeleteSecret",
        "secretsmanager:UpdateSecretVersionStage",
    ]
    .iter()
    .map(|a| (*a).to_owned())
    .collect();
    let query = AccessQuery {
        actions: actions.clone(),
        threads: 2,
        ..AccessQuery::default()
    };
    let analysis = analyse(model, &query).unwrap();
    assert!(
        analysis.stats.classes < principals * secrets,
        "classes must group secrets: {:?}",
        analysis.stats
    );
    let sorted = normalise_actions(&actions);
    let mut checked = 0usize;
    let mut granted = 0usize;
    for (position, secret) in analysis.secrets.iter().enumerate() {
        let mut got: Vec<(usize, String, Grant)> = analysis
            .entries(position)
            .map(|e| (e.principal, e.action.to_owned(), e.grant.clone()))
            .collect();
        got.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        let mut want = Vec::new();
        for principal in 0..model.principals.len() {
            for action in &sorted {
                checked += 1;
                if let Some(grant) = judge_one(model, principal, *secret, action) {
                    want.push((principal, action.clone(), grant));
                }
            }
        }
        granted += want.len();
        assert_eq!(got, want, "secret `{}`", model.secrets[*secret].arn);
    }
    assert!(granted > 0 && granted < checked, "{granted} of {checked}");
    let single = analyse(
        model,
        &AccessQuery {
            threads: 1,
            ..query.clone()
        },
    )
    .unwrap();
    assert_eq!(rows(model, &single), rows(model, &analysis));
}

/// An organization directory (`gen_snapshot::generate_organization`: accounts that grant each
/// other by resource policy, a sandbox OU with its own SCP and RCP levels): the class-based
/// result equals one-by-one evaluation, with principals of one account judged on the secrets
/// of the others.
#[test]
fn classes_equal_one_by_one_evaluation_on_an_organization() {
    let dir = tempfile::tempdir().unwrap();
    gen_snapshot::generate_organization(3, 16, 150, 8, "org-equivalence", dir.path()).unwrap();
    let mut builder = AccessModelBuilder::new();
    let dirs = crate::snapshot::account_snapshot_dirs(dir.path());
    assert_eq!(dirs.len(), 3);
    for account in &dirs {
        builder.add(&Snapshot::load(account).unwrap());
    }
    let model = builder.finish();
    assert!(model.diagnostics.is_empty(), "{:?}", model.diagnostics);
    assert!(model.is_organization());
    // Some principal of one account is allowed on a secret of another.
    let query = AccessQuery {
        actions: vec!["secretsmanager:DescribeSecret".to_owned()],
        ..AccessQuery::default()
    };
    let analysis = analyse(&model, &query).unwrap();
    let crossing = (0..analysis.secrets.len()).any(|position| {
        let secret = &model.secrets[analysis.secrets[position]];
        analysis.entries(position).any(|entry| {
            let principal = &model.principals[entry.principal];
            principal.kind != PrincipalKind::External
                && principal.facts.account.as_deref() != Some(secret.account.as_str())
        })
    });
    assert!(
        crossing,
        "no cross-account entry between collected accounts"
    );
    assert_classes_equal_one_by_one(&model);
}

#[test]
fn classes_equal_one_by_one_evaluation_on_a_generated_snapshot() {
    assert_equivalent(24, 240, 3, "equivalence-1", None);
}

#[test]
fn classes_equal_one_by_one_evaluation_with_another_seed() {
    assert_equivalent(30, 300, 3, "equivalence-2", Some("o-a1b2c3d4e5"));
}

/// The structures that make a real account hard for classes, present in the generated one:
/// variables in `Resource`, `Principal: "*"` with conditions, `NotPrincipal`, conditions on
/// the principal, ABAC on a high-cardinality tag, many distinct resource policies.
#[test]
fn classes_equal_one_by_one_evaluation_on_realistic_structures() {
    let dir = tempfile::tempdir().unwrap();
    gen_snapshot::generate(40, 300, 24, "equivalence-3", dir.path()).unwrap();
    let snapshot = Snapshot::load(dir.path()).unwrap();
    let model = AccessModel::from_snapshot(&snapshot).unwrap();
    let statements = || {
        model
            .principals
            .iter()
            .flat_map(|p| p.set.identity.iter())
            .chain(model.resource_policies.iter())
            .flat_map(|p| p.policy.statements().iter())
    };
    let resource_text = |needle: &str| {
        statements().any(|s| {
            s.resources
                .iter()
                .flat_map(|r| r.items.iter())
                .any(|p| p.text.contains(needle))
        })
    };
    assert!(resource_text("${aws:username}"));
    assert!(resource_text("${aws:PrincipalTag/team}"));
    let condition_key = |key: &str| {
        statements().any(|s| s.conditions.iter().any(|c| c.key.eq_ignore_ascii_case(key)))
    };
    assert!(condition_key("aws:PrincipalTag/env"));
    assert!(condition_key("aws:ResourceTag/cost-center"));
    assert!(condition_key("aws:SourceVpce"));
    assert!(
        model
            .resource_policies
            .iter()
            .flat_map(|p| p.policy.statements().iter())
            .any(|s| s.principals.as_ref().is_some_and(|c| c.negated))
    );
    assert!(
        model.resource_policies.len() >= 18,
        "{}",
        model.resource_policies.len()
    );
    // KMS: the AWS managed key and customer keys, all with collected policies.
    assert!(model.keys.len() >= 4, "{:?}", model.keys.len());
    assert!(model.keys.iter().all(|k| k.policy.is_ok() && !k.documented));
    drop(model);
    assert_equivalent(40, 300, 24, "equivalence-3", Some("o-a1b2c3d4e5"));
}

/// A key policy that reads the encryption context (the secret's ARN) makes the KMS outcome
/// differ between secrets of one key: the class path must not share it between them.
#[test]
fn classes_equal_one_by_one_evaluation_when_a_key_policy_reads_the_secret_arn() {
    let dir = tempfile::tempdir().unwrap();
    gen_snapshot::generate(30, 300, 12, "equivalence-4", dir.path()).unwrap();
    let mut changed = 0;
    for region in ["us-east-1", "eu-west-1", "us-west-2"] {
        let file = dir.path().join(region).join("kms/get-key-policy.json");
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let mut keys: Value = serde_json::from_str(&text).unwrap();
        for entry in keys.as_array_mut().unwrap() {
            let mut policy: Value =
                serde_json::from_str(entry["Policy"].as_str().unwrap()).unwrap();
            policy["Statement"].as_array_mut().unwrap().push(json!({
                "Sid": "prod secrets only through their own roles",
                "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt",
                "Resource": "*",
                "Condition": {
                    "StringLike": {"kms:EncryptionContext:SecretARN":
                        "arn:aws:secretsmanager:*:*:secret:prod/*"},
                    "ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/app/*"}}
            }));
            entry["Policy"] = json!(policy.to_string());
            changed += 1;
        }
        std::fs::write(&file, keys.to_string()).unwrap();
    }
    assert!(changed >= 3, "{changed}");
    assert_equivalent_in(dir.path(), Some("o-a1b2c3d4e5"));
}

const KEY_NAMING_ALICE: &str =
    "arn:aws:kms:us-east-1:111122223333:key/1111aaaa-0000-4000-8000-000000000001";
const KEY_DEFAULT_POLICY: &str =
    "arn:aws:kms:us-east-1:111122223333:key/2222bbbb-0000-4000-8000-000000000002";
const KEY_AWS_MANAGED: &str =
    "arn:aws:kms:us-east-1:111122223333:key/3333cccc-0000-4000-8000-000000000003";
const KEY_NOT_COLLECTED: &str =
    "arn:aws:kms:us-east-1:111122223333:key/4444dddd-0000-4000-8000-000000000004";

/// An account with four keys: a customer key whose policy names one user (and not the
/// account), a customer key with the default key policy (the account delegates to IAM), the
/// AWS managed key `aws/secretsmanager` (collected policy) on a secret whose resource policy
/// grants another account, and a key whose policy was not collected.
fn kms_snapshot() -> (tempfile::TempDir, Snapshot) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let coverage: Vec<Value> = [
        "secretsmanager:ListSecrets",
        "secretsmanager:GetResourcePolicy",
        "kms:DescribeKey",
        "kms:ListAliases",
        "kms:GetKeyPolicy",
    ]
    .iter()
    .map(|api| json!({"region": "us-east-1", "api": api, "status": "ok"}))
    .chain([
        json!({"region": "global", "api": "iam:GetAccountAuthorizationDetails",
        "status": "ok"}),
    ])
    .collect();
    write(
        root,
        "snapshot.json",
        &json!({"schema_version": 1, "account_id": ACCOUNT, "partition": "aws",
            "collected_at": "2026-11-01T00:00:00Z", "regions": ["us-east-1"],
            "coverage": coverage}),
    );
    let read_everything = json!([
        {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue",
                                       "secretsmanager:DescribeSecret"], "Resource": "*"}]);
    let with_decrypt = json!([
        {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue",
                                       "secretsmanager:DescribeSecret"], "Resource": "*"},
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]);
    write(
        root,
        "iam/get-account-authorization-details.json",
        &json!({"UserDetailList": [user("alice", read_everything), user("bob", with_decrypt)],
            "GroupDetailList": [], "RoleDetailList": [], "Policies": []}),
    );
    write(
        root,
        "organizations/policies.json",
        &json!({"scps": [], "rcps": []}),
    );
    let secret = |name: &str, key: Option<&str>| {
        let mut entry = json!({"ARN": secret_arn(name), "Name": name,
            "SecretVersionsToStages": {"v1": ["AWSCURRENT"]}});
        if let Some(key) = key {
            entry["KmsKeyId"] = json!(key);
        }
        entry
    };
    write(
        root,
        "us-east-1/secretsmanager/list-secrets.json",
        &json!({"SecretList": [
            secret("customer/names-alice", Some(KEY_NAMING_ALICE)),
            secret("customer/default-policy", Some(KEY_DEFAULT_POLICY)),
            secret("managed/shared", None),
            secret("customer/not-collected", Some(KEY_NOT_COLLECTED))]}),
    );
    let outside = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
         "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
         "Resource": "*"}]});
    write(
        root,
        "us-east-1/secretsmanager/get-resource-policy.json",
        &json!([
            {"ARN": secret_arn("customer/names-alice"), "Name": "customer/names-alice"},
            {"ARN": secret_arn("customer/default-policy"), "Name": "customer/default-policy"},
            {"ARN": secret_arn("managed/shared"), "Name": "managed/shared",
             "ResourcePolicy": outside.to_string()},
            {"ARN": secret_arn("customer/not-collected"), "Name": "customer/not-collected"}]),
    );
    let metadata = |arn: &str, manager: &str| {
        json!({"KeyMetadata": {"KeyId": arn.rsplit('/').next().unwrap(), "Arn": arn,
            "KeyManager": manager, "KeyState": "Enabled", "AWSAccountId": ACCOUNT}})
    };
    write(
        root,
        "us-east-1/kms/describe-key.json",
        &json!([
            metadata(KEY_NAMING_ALICE, "CUSTOMER"),
            metadata(KEY_DEFAULT_POLICY, "CUSTOMER"),
            metadata(KEY_AWS_MANAGED, "AWS"),
            metadata(KEY_NOT_COLLECTED, "CUSTOMER")
        ]),
    );
    write(
        root,
        "us-east-1/kms/list-aliases.json",
        &json!({"Aliases": [{"AliasName": "alias/aws/secretsmanager",
            "AliasArn": format!("arn:aws:kms:us-east-1:{ACCOUNT}:alias/aws/secretsmanager"),
            "TargetKeyId": KEY_AWS_MANAGED.rsplit('/').next().unwrap()}]}),
    );
    let names_alice = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "AliceOnly", "Effect": "Allow", "Principal": {"AWS": user_arn("alice")},
         "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": "*"}]});
    let default_policy = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
         "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")},
         "Action": "kms:*", "Resource": "*"}]});
    let managed = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "*"},
         "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:CreateGrant",
                    "kms:DescribeKey"], "Resource": "*",
         "Condition": {"StringEquals": {"kms:CallerAccount": ACCOUNT,
                                        "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}}},
        {"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")},
         "Action": ["kms:Describe*", "kms:Get*", "kms:List*", "kms:RevokeGrant"],
         "Resource": "*"}]});
    let policy = |arn: &str, document: &Value| json!({"KeyId": arn, "PolicyName": "default", "Policy": document.to_string()});
    write(
        root,
        "us-east-1/kms/get-key-policy.json",
        &json!([
            policy(KEY_NAMING_ALICE, &names_alice),
            policy(KEY_DEFAULT_POLICY, &default_policy),
            policy(KEY_AWS_MANAGED, &managed)
        ]),
    );
    let snapshot = Snapshot::load(root).unwrap();
    (dir, snapshot)
}

/// (secret name, principal, short action, decision, key (ARN, judged))
type KeyRow = (String, String, String, String, Option<(String, bool)>);

#[test]
fn readers_need_the_key_exactly_as_aws_decides() {
    let (_dir, snapshot) = kms_snapshot();
    let model = AccessModel::from_snapshot(&snapshot).unwrap();
    let query = AccessQuery {
        actions: vec![
            "secretsmanager:GetSecretValue".to_owned(),
            "secretsmanager:DescribeSecret".to_owned(),
        ],
        ..AccessQuery::default()
    };
    let analysis = analyse(&model, &query).unwrap();
    let mut got: Vec<KeyRow> = Vec::new();
    for (position, secret) in analysis.secrets.iter().enumerate() {
        for entry in analysis.entries(position) {
            got.push((
                model.secrets[*secret].name.clone(),
                model.principals[entry.principal].arn.clone(),
                entry.action.rsplit(':').next().unwrap().to_owned(),
                entry.grant.decision.as_str().to_owned(),
                entry.grant.key.as_ref().map(|k| (k.arn.clone(), k.judged)),
            ));
        }
    }
    let entry =
        |secret: &str, who: &str, action: &str, decision: &str, key: Option<(&str, bool)>| {
            (
                secret.to_owned(),
                who.to_owned(),
                action.to_owned(),
                decision.to_owned(),
                key.map(|(arn, judged)| (arn.to_owned(), judged)),
            )
        };
    let (alice, bob) = (user_arn("alice"), user_arn("bob"));
    let outside = "arn:aws:iam::444455556666:root";
    let want = vec![
        // The default key policy delegates to IAM: bob (kms:Decrypt in IAM), not alice.
        entry(
            "customer/default-policy",
            &alice,
            "DescribeSecret",
            "Allowed",
            None,
        ),
        entry(
            "customer/default-policy",
            &bob,
            "DescribeSecret",
            "Allowed",
            None,
        ),
        entry(
            "customer/default-policy",
            &bob,
            "GetSecretValue",
            "Allowed",
            Some((KEY_DEFAULT_POLICY, true)),
        ),
        // The key policy names alice only and not the account: bob's IAM grant is useless.
        entry(
            "customer/names-alice",
            &alice,
            "DescribeSecret",
            "Allowed",
            None,
        ),
        entry(
            "customer/names-alice",
            &alice,
            "GetSecretValue",
            "Allowed",
            Some((KEY_NAMING_ALICE, true)),
        ),
        entry(
            "customer/names-alice",
            &bob,
            "DescribeSecret",
            "Allowed",
            None,
        ),
        // Not collected: possible readers, never silently allowed.
        entry(
            "customer/not-collected",
            &alice,
            "DescribeSecret",
            "Allowed",
            None,
        ),
        entry(
            "customer/not-collected",
            &alice,
            "GetSecretValue",
            "Conditional",
            Some((KEY_NOT_COLLECTED, false)),
        ),
        entry(
            "customer/not-collected",
            &bob,
            "DescribeSecret",
            "Allowed",
            None,
        ),
        entry(
            "customer/not-collected",
            &bob,
            "GetSecretValue",
            "Conditional",
            Some((KEY_NOT_COLLECTED, false)),
        ),
        // aws/secretsmanager: every reader of the account; the outside grant reaches only the
        // metadata.
        entry("managed/shared", &alice, "DescribeSecret", "Allowed", None),
        entry(
            "managed/shared",
            &alice,
            "GetSecretValue",
            "Allowed",
            Some((KEY_AWS_MANAGED, true)),
        ),
        entry("managed/shared", &bob, "DescribeSecret", "Allowed", None),
        entry(
            "managed/shared",
            &bob,
            "GetSecretValue",
            "Allowed",
            Some((KEY_AWS_MANAGED, true)),
        ),
        entry(
            "managed/shared",
            outside,
            "DescribeSecret",
            "Conditional",
            None,
        ),
    ];
    assert_eq!(got, want);
    let not_collected = analysis
        .entries(2)
        .find(|e| e.grant.key.as_ref().is_some_and(|k| !k.judged))
        .unwrap();
    assert!(
        not_collected
            .grant
            .reasons
            .iter()
            .any(|r| r.contains(&format!("key policy of {KEY_NOT_COLLECTED} not collected"))),
        "{:?}",
        not_collected.grant.reasons
    );
    let alice_reads = analysis
        .entries(1)
        .find(|e| e.action.ends_with("GetSecretValue"))
        .unwrap();
    assert!(
        alice_reads
            .grant
            .why
            .iter()
            .any(|w| w.side == "key" && w.sid.as_deref() == Some("AliceOnly")),
        "{:?}",
        alice_reads.grant.why
    );
}

#[test]
fn the_reverse_view_holds_the_same_entries_by_principal() {
    let dir = tempfile::tempdir().unwrap();
    gen_snapshot::generate(20, 150, 8, "reverse", dir.path()).unwrap();
    let snapshot = Snapshot::load(dir.path()).unwrap();
    let model = AccessModel::from_snapshot(&snapshot).unwrap();
    let analysis = analyse(&model, &AccessQuery::default()).unwrap();
    let mut by_secret: Vec<(usize, usize, usize, usize)> = Vec::new();
    for position in 0..analysis.secrets.len() {
        for entry in analysis.entries(position) {
            by_secret.push((
                entry.principal,
                position,
                entry.action_index,
                entry.grant_index,
            ));
        }
    }
    let view = analysis.by_principal();
    let principals: Vec<usize> = view.principals().collect();
    let mut by_principal = Vec::new();
    for (k, principal) in principals.iter().enumerate() {
        let entries: Vec<(usize, usize, usize, usize)> = view
            .entries(&analysis, k)
            .map(|(position, e)| (e.principal, position, e.action_index, e.grant_index))
            .collect();
        assert!(entries.iter().all(|e| e.0 == *principal));
        assert!(
            entries
                .windows(2)
                .all(|w| (w[0].1, w[0].2) < (w[1].1, w[1].2))
        );
        by_principal.extend(entries);
    }
    assert!(principals.windows(2).all(|w| w[0] < w[1]));
    by_secret.sort_unstable();
    assert!(!by_secret.is_empty());
    assert_eq!(by_principal, by_secret);
}

#[test]
fn a_not_principal_deny_without_the_account_makes_its_principal_conditional() {
    let read = json!([{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
        "Resource": "*"}]);
    let bare = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "OnlyBob", "Effect": "Deny", "NotPrincipal": {"AWS": [user_arn("bob")]},
         "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]});
    let with_account = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny",
         "NotPrincipal": {"AWS": [user_arn("bob"), format!("arn:aws:iam::{ACCOUNT}:root")]},
         "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]});
    let (_dir, snapshot) = snapshot(
        vec![user("bob", read.clone()), user("carol", read)],
        &[
            ("bare", json!([]), Some(bare), current()),
            ("with-account", json!([]), Some(with_account), current()),
        ],
        Some(json!({"scps": [], "rcps": []})),
    );
    let model = AccessModel::from_snapshot(&snapshot).unwrap();
    let query = AccessQuery {
        actions: vec!["secretsmanager:GetSecretValue".to_owned()],
        ..AccessQuery::default()
    };
    let analysis = analyse(&model, &query).unwrap();
    let mut got: Vec<(String, String, String)> = Vec::new();
    for position in 0..analysis.secrets.len() {
        for e in analysis.entries(position) {
            got.push((
                model.secrets[analysis.secrets[position]].name.clone(),
                model.principals[e.principal].arn.clone(),
                e.grant.decision.as_str().to_owned(),
            ));
        }
    }
    assert_eq!(
        got,
        vec![
            ("bare".to_owned(), user_arn("bob"), "Conditional".to_owned()),
            (
                "with-account".to_owned(),
                user_arn("bob"),
                "Allowed".to_owned()
            ),
        ]
    );
    let bob = analysis.entries(0).next().unwrap();
    assert!(
        bob.grant
            .reasons
            .iter()
            .any(|r| r.contains("NotPrincipal") && r.contains("but not its account")),
        "{:?}",
        bob.grant.reasons
    );
    assert_eq!(
        judge_one(
            &model,
            bob.principal,
            analysis.secrets[0],
            "secretsmanager:GetSecretValue"
        )
        .as_ref(),
        Some(bob.grant)
    );
}

/// The outsider questions of the resource-policy rules, asked of the full model the rules share
/// (`rules::context::SharedAccess`: the account's principals included) and of the model without
/// principals: the same outsiders, the same answers, action by action, KMS key included.
fn assert_outsiders_alike(snapshot: &Snapshot) -> usize {
    use super::outsiders::{Trust, outsider_access, outsiders_of};
    let full = AccessModel::from_snapshot(snapshot).unwrap();
    let bare = AccessModel::resources_of(snapshot);
    assert!(!full.principals.is_empty());
    let trust = Trust {
        owner: snapshot.meta.account_id.clone(),
        partition: snapshot.meta.partition.clone(),
        accounts: std::collections::BTreeSet::new(),
        organizations: snapshot.meta.organization_id.iter().cloned().collect(),
    };
    assert_eq!(
        full.secrets.iter().map(|s| &s.arn).collect::<Vec<_>>(),
        bare.secrets.iter().map(|s| &s.arn).collect::<Vec<_>>()
    );
    let mut granted = 0;
    for (secret, bare_secret) in full.secrets.iter().zip(&bare.secrets) {
        let (Some(index), Some(bare_index)) = (secret.resource_policy, bare_secret.resource_policy)
        else {
            assert_eq!(secret.resource_policy, bare_secret.resource_policy);
            continue;
        };
        for named in [false, true] {
            let answers = |model: &AccessModel, secret: &SecretFacts, index: usize| {
                outsiders_of(model, &model.resource_policies[index].policy, &trust, named)
                    .iter()
                    .map(|who| outsider_access(model, secret, who))
                    .collect::<Vec<_>>()
            };
            let got = answers(&full, secret, index);
            let want = answers(&bare, bare_secret, bare_index);
            granted += got.iter().map(|o| o.actions.len()).sum::<usize>();
            assert_eq!(
                format!("{got:?}"),
                format!("{want:?}"),
                "secret `{}`",
                secret.arn
            );
        }
    }
    granted
}

#[test]
fn the_shared_model_answers_outsiders_as_the_model_without_principals() {
    let (_dir, snapshot) = kms_snapshot();
    assert!(assert_outsiders_alike(&snapshot) > 0);
    let dir = tempfile::tempdir().unwrap();
    gen_snapshot::generate(40, 300, 24, "outsiders-alike", dir.path()).unwrap();
    let snapshot = Snapshot::load(dir.path()).unwrap();
    assert!(assert_outsiders_alike(&snapshot) > 0);
}

/// The KMS request Secrets Manager makes for a caller, from its one builder: the service, the
/// caller's account (unknown for `*`, which stands for every account), the encryption context.
#[test]
fn the_kms_request_carries_the_callers_account_and_the_secret() {
    let value = |context: &crate::eval::Context, key: &str| context.get(key).cloned();
    let text = |s: &str| Some(crate::eval::ContextValue::String(s.to_owned()));
    let (_dir, snapshot) = kms_snapshot();
    let model = AccessModel::from_snapshot(&snapshot).unwrap();
    let secret = &model.secrets[model.secret_index(&secret_arn("managed/shared")).unwrap()];
    let key = &model.keys[secret.key.unwrap()];
    let none = std::collections::BTreeSet::new();
    let alice = &model.principals[model.principal_index(&user_arn("alice")).unwrap()];
    let context = super::kms::key_context(&model, alice, secret, key, &none);
    assert_eq!(value(&context, "kms:CallerAccount"), text(ACCOUNT));
    assert_eq!(
        value(&context, "kms:ViaService"),
        text("secretsmanager.us-east-1.amazonaws.com")
    );
    assert_eq!(
        value(&context, "kms:EncryptionContext:SecretARN"),
        text(&secret.arn)
    );
    assert_eq!(
        value(&context, "kms:EncryptionContext:SecretVersionId"),
        Some(crate::eval::ContextValue::Unknown)
    );
    assert_eq!(
        value(&context, "aws:PrincipalArn"),
        text(&user_arn("alice"))
    );
    let outside = &model.principals[model
        .principal_index("arn:aws:iam::444455556666:root")
        .unwrap()];
    let context = super::kms::key_context(&model, outside, secret, key, &none);
    assert_eq!(value(&context, "kms:CallerAccount"), text("444455556666"));

    let dir = tempfile::tempdir().unwrap();
    gen_snapshot::generate(40, 300, 24, "kms-context", dir.path()).unwrap();
    let snapshot = Snapshot::load(dir.path()).unwrap();
    let model = AccessModel::from_snapshot(&snapshot).unwrap();
    let anyone = &model.principals[model.principal_index("*").unwrap()];
    let secret = &model.secrets[0];
    let key = &model.keys[secret.key.unwrap()];
    let context = super::kms::key_context(&model, anyone, secret, key, &none);
    assert_eq!(
        value(&context, "kms:CallerAccount"),
        Some(crate::eval::ContextValue::Unknown)
    );
    assert_eq!(value(&context, "aws:PrincipalArn"), None);
}

/// A principal a resource policy names outside the collected IAM data gets the keys its ARN
/// determines, from the same mapping as a policy test's `derive_context`; an account principal
/// stands for any principal of its account.
#[test]
fn principals_known_by_arn_get_the_keys_derive_context_derives() {
    use super::model::PrincipalFacts;
    let facts = |arn: &str| PrincipalFacts::from_arn(&crate::eval::Principal::parse(arn).unwrap());
    let user = facts("arn:aws:iam::444455556666:user/ops/carol");
    assert_eq!(
        user.arn.as_deref(),
        Some("arn:aws:iam::444455556666:user/ops/carol")
    );
    assert_eq!(user.account.as_deref(), Some("444455556666"));
    assert_eq!(user.principal_type, Some("User"));
    assert_eq!(user.username.as_deref(), Some("carol"));
    assert_eq!(user.userid, None);
    let session = facts("arn:aws:sts::444455556666:assumed-role/app/session-1");
    assert_eq!(
        session.arn.as_deref(),
        Some("arn:aws:iam::444455556666:role/app")
    );
    assert_eq!(session.principal_type, Some("AssumedRole"));
    assert_eq!(session.username, None);
    let root = facts("arn:aws:iam::444455556666:root");
    assert_eq!(root.account.as_deref(), Some("444455556666"));
    assert_eq!(
        (root.arn, root.principal_type, root.userid),
        (None, None, None)
    );
    let anonymous = PrincipalFacts::from_arn(&crate::eval::Principal::Anonymous);
    assert_eq!(
        anonymous.principal_type,
        Some(super::context::ANONYMOUS_TYPE)
    );
    assert_eq!(anonymous.userid.as_deref(), Some("anonymous"));
}
