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

// ---------------------------------------------------------------------------------------------
// Organization directories: every account snapshot under DIR, each side with its own policies.

const ACCOUNT_A: &str = "111111111111";
const ACCOUNT_B: &str = "222222222222";
const OUTSIDE: &str = "333333333333";
const KEY_A: &str = "arn:aws:kms:us-east-1:111111111111:key/aaaa0000-0000-4000-8000-00000000000a";

fn write_json(root: &std::path::Path, relative: &str, value: &serde_json::Value) {
    let path = root.join(relative);
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("a directory");
    std::fs::write(path, serde_json::to_vec_pretty(value).expect("JSON")).expect("written");
}

fn role(account: &str, name: &str, statements: serde_json::Value) -> serde_json::Value {
    serde_json::json!({"RoleName": name, "RoleId": format!("AROA{}", name.to_uppercase()),
        "Arn": format!("arn:aws:iam::{account}:role/{name}"), "Path": "/",
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": []},
        "RolePolicyList": [{"PolicyName": "own",
            "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}],
        "AttachedManagedPolicies": [], "Tags": []})
}

/// `{"Version", "Statement": [...]}`
fn document(statements: serde_json::Value) -> serde_json::Value {
    serde_json::json!({"Version": "2012-10-17", "Statement": statements})
}

/// One account snapshot under `root/<account>`: roles, secrets (name, resource policy, KMS key),
/// key policies, SCP and RCP levels.
fn account_snapshot(
    root: &std::path::Path,
    account: &str,
    roles: Vec<serde_json::Value>,
    secrets: &[(&str, Option<serde_json::Value>, Option<&str>)],
    key_policies: &[(&str, serde_json::Value)],
    organization: serde_json::Value,
) {
    let dir = root.join(account);
    write_json(
        &dir,
        "snapshot.json",
        &serde_json::json!({"schema_version": 1, "account_id": account, "partition": "aws",
            "collected_at": "2026-11-01T00:00:00Z", "organization_id": "o-example1234",
            "regions": ["us-east-1"], "coverage": []}),
    );
    write_json(
        &dir,
        "iam/get-account-authorization-details.json",
        &serde_json::json!({"UserDetailList": [], "GroupDetailList": [],
            "RoleDetailList": roles, "Policies": []}),
    );
    write_json(&dir, "organizations/policies.json", &organization);
    let arn =
        |name: &str| format!("arn:aws:secretsmanager:us-east-1:{account}:secret:{name}-AbCdEf");
    let list: Vec<serde_json::Value> = secrets
        .iter()
        .map(|(name, _, key)| {
            let mut entry = serde_json::json!({"ARN": arn(name), "Name": name,
                "SecretVersionsToStages": {"v1": ["AWSCURRENT"]}});
            if let Some(key) = key {
                entry["KmsKeyId"] = serde_json::json!(key);
            }
            entry
        })
        .collect();
    write_json(
        &dir,
        "us-east-1/secretsmanager/list-secrets.json",
        &serde_json::json!({"SecretList": list}),
    );
    let policies: Vec<serde_json::Value> = secrets
        .iter()
        .map(|(name, policy, _)| {
            let mut entry = serde_json::json!({"ARN": arn(name), "Name": name});
            if let Some(policy) = policy {
                entry["ResourcePolicy"] = serde_json::json!(policy.to_string());
            }
            entry
        })
        .collect();
    write_json(
        &dir,
        "us-east-1/secretsmanager/get-resource-policy.json",
        &serde_json::json!(policies),
    );
    let keys: Vec<serde_json::Value> = key_policies
        .iter()
        .map(|(key, policy)| {
            serde_json::json!({"KeyId": key, "PolicyName": "default", "Policy": policy.to_string()})
        })
        .collect();
    write_json(
        &dir,
        "us-east-1/kms/get-key-policy.json",
        &serde_json::json!(keys),
    );
}

/// Account A holds the secrets; account B's roles read them across accounts; account 3333… is
/// named but not collected.
fn two_account_organization(root: &std::path::Path) {
    let full_access =
        document(serde_json::json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}]));
    let reads_a = serde_json::json!([
        {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
         "Resource": format!("arn:aws:secretsmanager:us-east-1:{ACCOUNT_A}:secret:*")},
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]);
    let b_role = |name: &str| format!("arn:aws:iam::{ACCOUNT_B}:role/{name}");
    let shared = document(serde_json::json!([
        {"Sid": "OtherAccountRoles", "Effect": "Allow",
         "Principal": {"AWS": [b_role("reader"), b_role("no-identity-grant"), b_role("scp-denied"),
                               ACCOUNT_B, format!("arn:aws:iam::{OUTSIDE}:root")]},
         "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]));
    let guarded = document(serde_json::json!([
        {"Effect": "Allow", "Principal": {"AWS": b_role("reader")},
         "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]));
    let key_a = document(serde_json::json!([
        {"Sid": "AccountA", "Effect": "Allow",
         "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT_A}:root")},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "ReaderOfB", "Effect": "Allow",
         "Principal": {"AWS": [b_role("reader"), format!("arn:aws:iam::{OUTSIDE}:root")]},
         "Action": "kms:Decrypt", "Resource": "*"}]));
    // A's RCP: nobody outside A reads `guarded/*`.
    let rcp_a = document(serde_json::json!([
        {"Effect": "Deny", "Principal": "*", "Action": "secretsmanager:GetSecretValue",
         "Resource": format!("arn:aws:secretsmanager:*:{ACCOUNT_A}:secret:guarded/*"),
         "Condition": {"StringNotEquals": {"aws:PrincipalAccount": ACCOUNT_A}}}]));
    account_snapshot(
        root,
        ACCOUNT_A,
        vec![role(
            ACCOUNT_A,
            "app",
            serde_json::json!([
                {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue", "kms:Decrypt"],
                 "Resource": "*"}]),
        )],
        &[
            ("shared/db", Some(shared), Some(KEY_A)),
            ("guarded/db", Some(guarded), Some(KEY_A)),
        ],
        &[(KEY_A, key_a)],
        serde_json::json!({"scps": [[full_access.clone()]],
            "rcps": [[full_access.clone(), rcp_a]]}),
    );
    // B's SCP denies `scp-denied`; B's RCP denies reading B's secrets (it must not touch A's).
    let scp_b = document(serde_json::json!([
        {"Effect": "Deny", "Action": "secretsmanager:GetSecretValue", "Resource": "*",
         "Condition": {"ArnLike": {"aws:PrincipalArn": b_role("scp-denied")}}}]));
    let rcp_b = document(serde_json::json!([
        {"Effect": "Deny", "Principal": "*", "Action": "secretsmanager:GetSecretValue",
         "Resource": "*"}]));
    account_snapshot(
        root,
        ACCOUNT_B,
        vec![
            role(ACCOUNT_B, "reader", reads_a.clone()),
            role(
                ACCOUNT_B,
                "no-identity-grant",
                serde_json::json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]),
            ),
            role(ACCOUNT_B, "scp-denied", reads_a),
        ],
        &[("b/own", None, None)],
        &[],
        serde_json::json!({"scps": [[full_access.clone()], [full_access.clone(), scp_b]],
            "rcps": [[full_access, rcp_b]]}),
    );
}

/// (principal, decision) of every entry of the secret named `name`.
fn readers(report: &serde_json::Value, name: &str) -> Vec<(String, String)> {
    let secret = report["secrets"]
        .as_array()
        .expect("secrets")
        .iter()
        .find(|s| s["name"] == name)
        .expect("the secret is in the report");
    secret["access"]
        .as_array()
        .expect("access")
        .iter()
        .map(|e| {
            (
                e["principal"].as_str().expect("principal").to_owned(),
                e["decision"].as_str().expect("decision").to_owned(),
            )
        })
        .collect()
}

#[test]
fn an_organization_directory_judges_each_account_with_its_own_policies() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    two_account_organization(dir.path());
    let root = dir.path().to_str().expect("UTF-8 path");
    let output = secaudit(&["access", "--snapshot", root, "--format", "json"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert!(report["snapshot"].is_null(), "no one snapshot");
    let accounts: Vec<&str> = report["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .map(|a| a["account_id"].as_str().expect("account id"))
        .collect();
    assert_eq!(accounts, [ACCOUNT_A, ACCOUNT_B]);

    let reader = format!("arn:aws:iam::{ACCOUNT_B}:role/reader");
    let outside = format!("arn:aws:iam::{OUTSIDE}:root");
    let app = format!("arn:aws:iam::{ACCOUNT_A}:role/app");
    let shared = readers(&report, "shared/db");
    let get = |principal: &str| {
        shared
            .iter()
            .find(|(p, _)| p == principal)
            .map(|(_, d)| d.as_str())
    };
    // B's reader: its own identity policy, A's resource policy and A's key policy all allow.
    assert_eq!(get(&reader), Some("Allowed"), "{shared:?}");
    assert_eq!(get(&app), Some("Allowed"), "{shared:?}");
    // Named by the resource policy, but its own identity policy grants nothing.
    assert_eq!(
        get(&format!("arn:aws:iam::{ACCOUNT_B}:role/no-identity-grant")),
        None
    );
    // Its own account's SCP denies it.
    assert_eq!(
        get(&format!("arn:aws:iam::{ACCOUNT_B}:role/scp-denied")),
        None
    );
    // A collected account has no account-level entry; one not collected stays external.
    assert_eq!(
        get(&format!("arn:aws:iam::{ACCOUNT_B}:root")),
        None,
        "{shared:?}"
    );
    assert_eq!(get(&outside), Some("Conditional"), "{shared:?}");
    // A's RCP (the resource account's) stops B's reader on `guarded/db`; B's RCP, which denies
    // every read of B's secrets, touches neither A's secrets nor A's principals.
    let guarded = readers(&report, "guarded/db");
    assert!(guarded.iter().all(|(p, _)| *p != reader), "{guarded:?}");
    assert!(guarded.iter().any(|(p, _)| *p == app), "{guarded:?}");
    assert!(
        readers(&report, "b/own").is_empty(),
        "B's RCP denies reads of b/own"
    );

    // The reverse view names each principal's account; the table names the accounts too.
    let by_principal = secaudit(&[
        "access",
        "--snapshot",
        root,
        "--format",
        "json",
        "--by",
        "principal",
    ]);
    let view: serde_json::Value = serde_json::from_slice(&by_principal.stdout).expect("JSON");
    assert!(view["snapshot"].is_null());
    assert_eq!(view["accounts"].as_array().map(Vec::len), Some(2));
    let entry = view["principals"]
        .as_array()
        .expect("principals")
        .iter()
        .find(|p| p["arn"] == reader.as_str())
        .expect("B's reader in the principal view");
    assert_eq!(entry["account_id"], ACCOUNT_B);
    assert_eq!(entry["access"][0]["decision"], "Allowed");
    let table = secaudit(&["access", "--snapshot", root, "--format", "table"]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.lines()
            .any(|l| l.starts_with("shared/db  (") && l.ends_with(&format!("account {ACCOUNT_A}"))),
        "{text}"
    );
}

#[test]
fn the_key_policy_decides_for_the_other_accounts_principal() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    two_account_organization(dir.path());
    // The key policy of A no longer names B's reader: it may not decrypt, so not read.
    let path = dir
        .path()
        .join(ACCOUNT_A)
        .join("us-east-1/kms/get-key-policy.json");
    let key_a = document(serde_json::json!([
        {"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT_A}:root")},
         "Action": "kms:*", "Resource": "*"}]));
    write_json(
        dir.path(),
        path.strip_prefix(dir.path())
            .expect("inside")
            .to_str()
            .expect("UTF-8"),
        &serde_json::json!([{"KeyId": KEY_A, "PolicyName": "default", "Policy": key_a.to_string()}]),
    );
    let root = dir.path().to_str().expect("UTF-8 path");
    let output = secaudit(&["access", "--snapshot", root, "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let shared = readers(&report, "shared/db");
    let reader = format!("arn:aws:iam::{ACCOUNT_B}:role/reader");
    assert!(shared.iter().all(|(p, _)| *p != reader), "{shared:?}");
    assert!(
        shared
            .iter()
            .any(|(p, _)| *p == format!("arn:aws:iam::{ACCOUNT_A}:role/app")),
        "{shared:?}"
    );
}

#[test]
fn a_bad_record_makes_only_what_it_concerns_conditional() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    two_account_organization(dir.path());
    // `guarded/db`'s resource policy is JSON but not a policy.
    let relative = format!("{ACCOUNT_A}/us-east-1/secretsmanager/get-resource-policy.json");
    let path = dir.path().join(&relative);
    let mut outputs: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("JSON");
    let bad = serde_json::json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Perhaps", "Principal": "*", "Action": "secretsmanager:*", "Resource": "*"}]});
    let arrays = outputs.as_array_mut().expect("an array");
    let guarded = arrays
        .iter()
        .position(|o| o["Name"] == "guarded/db")
        .expect("guarded/db");
    arrays[guarded]["ResourcePolicy"] = serde_json::json!(bad.to_string());
    write_json(dir.path(), &relative, &outputs);
    let root = dir.path().to_str().expect("UTF-8 path");

    let output = secaudit(&["access", "--snapshot", root, "--format", "json"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    let where_ = format!("us-east-1/secretsmanager/get-resource-policy.json: $[{guarded}]");
    assert!(
        stderr.contains(&where_) && stderr.contains(ACCOUNT_A),
        "a warning names the account, file and JSON path: {stderr}"
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("a report");
    let secret = report["secrets"]
        .as_array()
        .expect("secrets")
        .iter()
        .find(|s| s["name"] == "guarded/db")
        .expect("guarded/db is still in the report");
    assert!(
        secret["problems"][0]
            .as_str()
            .is_some_and(|p| p.contains(&where_)),
        "{secret}"
    );
    let access = secret["access"].as_array().expect("access");
    // A's own role is allowed by its identity policy, but the unreadable resource policy could
    // deny it: Conditional, with the reason naming the file and path. Never silently allowed.
    let app = access
        .iter()
        .find(|e| e["principal"] == format!("arn:aws:iam::{ACCOUNT_A}:role/app"))
        .expect("A's app role");
    assert_eq!(app["decision"], "Conditional", "{app}");
    assert!(
        app["reasons"]
            .as_array()
            .expect("reasons")
            .iter()
            .any(|r| r.as_str().is_some_and(|r| r.contains(&where_))),
        "{app}"
    );
    assert!(
        access.iter().all(|e| e["decision"] == "Conditional"),
        "{secret}"
    );
    // What it does not concern is judged as before.
    let shared = readers(&report, "shared/db");
    assert!(
        shared
            .iter()
            .any(|(p, d)| *p == format!("arn:aws:iam::{ACCOUNT_B}:role/reader") && d == "Allowed"),
        "{shared:?}"
    );

    let strict = secaudit(&["access", "--snapshot", root, "--strict", "--format", "json"]);
    assert_eq!(
        strict.status.code(),
        Some(2),
        "--strict refuses the bad record"
    );
    assert!(strict.stdout.is_empty());

    // The same on account A's snapshot alone: lenient by default, the report still written.
    let single = dir.path().join(ACCOUNT_A);
    let single = single.to_str().expect("UTF-8 path");
    let output = secaudit(&["access", "--snapshot", single, "--format", "json"]);
    assert_eq!(
        output.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("a report");
    assert_eq!(report["snapshot"]["account_id"], ACCOUNT_A);
    assert!(
        report.get("accounts").is_none(),
        "one account: no `accounts`"
    );
    let guarded = readers(&report, "guarded/db");
    assert!(
        guarded
            .iter()
            .any(|(p, d)| *p == format!("arn:aws:iam::{ACCOUNT_A}:role/app") && d == "Conditional"),
        "{guarded:?}"
    );
}

#[test]
fn an_unreadable_identity_policy_makes_its_principals_entries_conditional() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    two_account_organization(dir.path());
    // B's `reader` role: its only policy is not a policy any more.
    let relative = format!("{ACCOUNT_B}/iam/get-account-authorization-details.json");
    let path = dir.path().join(&relative);
    let mut details: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("JSON");
    let roles = details["RoleDetailList"].as_array_mut().expect("roles");
    let index = roles
        .iter()
        .position(|r| r["RoleName"] == "reader")
        .expect("the role");
    roles[index]["RolePolicyList"][0]["PolicyDocument"]["Statement"][0]["Effect"] =
        serde_json::json!("Perhaps");
    write_json(dir.path(), &relative, &details);
    let root = dir.path().to_str().expect("UTF-8 path");
    let output = secaudit(&["access", "--snapshot", root, "--format", "json"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    let where_ = format!(
        "iam/get-account-authorization-details.json: $.RoleDetailList[{index}].RolePolicyList[0].PolicyDocument"
    );
    assert!(stderr.contains(&where_), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("a report");
    let shared = report["secrets"]
        .as_array()
        .expect("secrets")
        .iter()
        .find(|s| s["name"] == "shared/db")
        .expect("shared/db");
    // Named by the resource and key policies; what its own policy grants or denies is unknown:
    // not silently allowed (it is `Allowed` when the policy reads, see the organization test),
    // nor silently absent: Conditional with the bad record as reason.
    let entry = shared["access"]
        .as_array()
        .expect("access")
        .iter()
        .find(|e| e["principal"] == format!("arn:aws:iam::{ACCOUNT_B}:role/reader"))
        .expect("listed");
    assert_eq!(entry["decision"], "Conditional", "{entry}");
    assert!(
        entry["reasons"]
            .as_array()
            .expect("reasons")
            .iter()
            .any(|r| r.as_str().is_some_and(|r| r.contains(&where_))),
        "{entry}"
    );
    // The other principals are judged as before.
    assert!(
        readers(&report, "shared/db")
            .iter()
            .any(|(p, d)| *p == format!("arn:aws:iam::{ACCOUNT_A}:role/app") && d == "Allowed")
    );
}
