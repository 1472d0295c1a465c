//! `secaudit collect --organization` against moto, from the built binary: an organization with
//! an OU tree, SCPs and RCPs attached at several levels, a suspended account, and secrets in the
//! management account and in members reached through an assumed role. Checks each account's
//! `organizations/policies.json` against what was attached, that the Organizations calls are made
//! once per run, the narrowing options (`--accounts`, `--exclude-accounts`, `--shard`), a policy
//! type that is not enabled, and that the directory audits as one report, sharded or not.
#![cfg(feature = "aws")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step is a failed test"
)]

#[path = "collect_support/moto.rs"]
mod moto;
#[path = "collect_support/seed.rs"]
mod seed_support;

use std::collections::BTreeSet;
use std::path::Path;

use aws_smithy_runtime_api::client::interceptors::SharedInterceptor;
use secaudit::collect::aws_api::{self, AwsApi};
use secaudit::collect::aws_json;
use secaudit::snapshot::Snapshot;
use seed_support::{Keys, MotoAccount, secaudit_with, seed_config};
use serde_json::{Value, json};

const ROLE: &str = "OrganizationAccountAccessRole";

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn deny(sid: &str, action: &str) -> String {
    json!({"Version": "2012-10-17", "Statement": [{"Sid": sid, "Effect": "Deny",
        "Action": action, "Resource": "*"}]})
    .to_string()
}

fn rcp(sid: &str) -> String {
    json!({"Version": "2012-10-17", "Statement": [{"Sid": sid, "Effect": "Deny",
        "Principal": "*", "Action": "secretsmanager:GetSecretValue", "Resource": "*",
        "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-placeholder"}}}]})
    .to_string()
}

/// The organization the tests build.
struct Org {
    id: String,
    management: String,
    root: String,
    /// root → workloads → prod → `prod_account`; root → workloads → `dev_account`;
    /// root → `sandbox_account`; `closed_account` suspended.
    prod_account: String,
    dev_account: String,
    sandbox_account: String,
    closed_account: String,
    client: AwsApi,
}

/// An Organizations client of `account` (no SDK crate: the collector's own JSON call, whose
/// requests moto parses independently).
async fn organizations(endpoint: &str, account: &str) -> AwsApi {
    let sdk = seed_config(endpoint, "us-east-1").await;
    AwsApi::with_interceptors(
        &sdk,
        aws_api::ORGANIZATIONS,
        "us-east-1",
        account,
        aws_json::parse_error,
        vec![SharedInterceptor::new(MotoAccount(account.to_owned()))],
    )
}

/// One seeding call; panics on failure.
async fn org_call(client: &AwsApi, operation: &str, body: Value) -> Value {
    let target = format!("AWSOrganizationsV20161128.{operation}");
    aws_json::json_1_1(client, &target, &body)
        .await
        .unwrap_or_else(|failure| panic!("{operation}: {failure:?}"))
}

/// Creates the secret `name` in `account` (the collector's own JSON call).
async fn create_secret(endpoint: &str, account: &str, name: &str) {
    let sdk = seed_config(endpoint, "us-east-1").await;
    let client = AwsApi::with_interceptors(
        &sdk,
        aws_api::SECRETS_MANAGER,
        "us-east-1",
        account,
        aws_json::parse_error,
        vec![SharedInterceptor::new(MotoAccount(account.to_owned()))],
    );
    let body = json!({"Name": name, "SecretString": "x"});
    aws_json::json_1_1(&client, "secretsmanager.CreateSecret", &body)
        .await
        .unwrap();
}

/// Credentials of `account` (moto maps an assumed role's keys to its account).
async fn keys_of(endpoint: &str, account: &str) -> Keys {
    let sdk = seed_config(endpoint, "us-east-1").await;
    let sts = aws_sdk_sts::Client::new(&sdk);
    let assumed = sts
        .assume_role()
        .role_arn(format!("arn:aws:iam::{account}:role/auditor"))
        .role_session_name("test")
        .send()
        .await
        .unwrap();
    let credentials = assumed.credentials().unwrap();
    Keys {
        access_key: credentials.access_key_id().to_owned(),
        secret_key: credentials.secret_access_key().to_owned(),
        session_token: Some(credentials.session_token().to_owned()),
    }
}

async fn create_account(client: &AwsApi, name: &str) -> String {
    let created = org_call(
        client,
        "CreateAccount",
        json!({"AccountName": name, "Email": format!("{name}@example.com")}),
    )
    .await;
    created["CreateAccountStatus"]["AccountId"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn create_ou(client: &AwsApi, parent: &str, name: &str) -> String {
    let created = org_call(
        client,
        "CreateOrganizationalUnit",
        json!({"ParentId": parent, "Name": name}),
    )
    .await;
    created["OrganizationalUnit"]["Id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn move_account(client: &AwsApi, account: &str, from: &str, to: &str) {
    org_call(
        client,
        "MoveAccount",
        json!({"AccountId": account, "SourceParentId": from, "DestinationParentId": to}),
    )
    .await;
}

async fn attach(client: &AwsApi, target: &str, name: &str, kind: &str, content: String) {
    let policy = org_call(
        client,
        "CreatePolicy",
        json!({"Name": name, "Description": name, "Type": kind, "Content": content}),
    )
    .await;
    let id = policy["Policy"]["PolicySummary"]["Id"].as_str().unwrap();
    org_call(
        client,
        "AttachPolicy",
        json!({"PolicyId": id, "TargetId": target}),
    )
    .await;
}

async fn build_org(endpoint: &str, management: &str) -> Org {
    let client = organizations(endpoint, management).await;
    let created = org_call(&client, "CreateOrganization", json!({"FeatureSet": "ALL"})).await;
    let id = created["Organization"]["Id"].as_str().unwrap().to_owned();
    let roots = org_call(&client, "ListRoots", json!({})).await;
    let root = roots["Roots"][0]["Id"].as_str().unwrap().to_owned();
    for kind in ["SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"] {
        org_call(
            &client,
            "EnablePolicyType",
            json!({"RootId": root, "PolicyType": kind}),
        )
        .await;
    }
    let workloads = create_ou(&client, &root, "workloads").await;
    let prod = create_ou(&client, &workloads, "prod").await;
    let prod_account = create_account(&client, "prod-app").await;
    let dev_account = create_account(&client, "dev-app").await;
    let sandbox_account = create_account(&client, "sandbox").await;
    let closed_account = create_account(&client, "closed").await;
    move_account(&client, &prod_account, &root, &prod).await;
    move_account(&client, &dev_account, &root, &workloads).await;
    org_call(
        &client,
        "CloseAccount",
        json!({"AccountId": closed_account}),
    )
    .await;

    let scp = "SERVICE_CONTROL_POLICY";
    let rcp_type = "RESOURCE_CONTROL_POLICY";
    attach(
        &client,
        &root,
        "root-guardrails",
        scp,
        deny("NoLeave", "organizations:LeaveOrganization"),
    )
    .await;
    attach(
        &client,
        &workloads,
        "workloads-no-iam-users",
        scp,
        deny("NoUsers", "iam:CreateUser"),
    )
    .await;
    attach(
        &client,
        &prod,
        "prod-protect-secrets",
        scp,
        deny("NoDelete", "secretsmanager:DeleteSecret"),
    )
    .await;
    attach(
        &client,
        &prod_account,
        "prod-app-no-kms-delete",
        scp,
        deny("NoKeyDelete", "kms:ScheduleKeyDeletion"),
    )
    .await;
    attach(&client, &root, "rcp-org-only", rcp_type, rcp("OrgOnly")).await;
    attach(&client, &prod, "rcp-prod", rcp_type, rcp("ProdOnly")).await;

    for (account, name) in [
        (management, "mgmt/break-glass"),
        (prod_account.as_str(), "prod/db"),
        (dev_account.as_str(), "dev/db"),
    ] {
        create_secret(endpoint, account, name).await;
    }
    Org {
        id,
        management: management.to_owned(),
        root,
        prod_account,
        dev_account,
        sandbox_account,
        closed_account,
        client,
    }
}

/// Policy names per level of one kind in a policies.json, each level sorted.
fn level_names(file: &Value, kind: &str) -> Vec<Vec<String>> {
    file[kind]
        .as_array()
        .unwrap_or_else(|| panic!("{kind} in {file}"))
        .iter()
        .map(|level| {
            let mut names: Vec<String> = level
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    p["Policy"]["PolicySummary"]["Name"]
                        .as_str()
                        .unwrap()
                        .to_owned()
                })
                .collect();
            names.sort();
            names
        })
        .collect()
}

fn names(list: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = list.iter().map(|s| (*s).to_owned()).collect();
    names.sort();
    names
}

fn collect(endpoint: &str, home: &Path, keys: &Keys, out: &Path, extra: &[&str]) -> (i32, String) {
    let out_text = out.to_str().unwrap();
    let mut args = vec![
        "collect",
        "--organization",
        "--role-name",
        ROLE,
        "--region",
        "us-east-1",
        "--skip",
        "cloudtrail",
        "--max-attempts",
        "1",
        "--output",
        out_text,
    ];
    args.extend_from_slice(extra);
    let output = secaudit_with(endpoint, home, keys, &args);
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn audit(endpoint: &str, home: &Path, dir: &Path) -> (Value, String) {
    let output = secaudit_with(
        endpoint,
        home,
        &Keys::default(),
        &[
            "audit",
            "--snapshot",
            dir.to_str().unwrap(),
            "--format",
            "json",
            "--fail-on",
            "none",
            "--now",
            "2026-12-01T00:00:00Z",
        ],
    );
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let report: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)));
    (report, stdout)
}

#[tokio::test(flavor = "multi_thread")]
async fn an_organization_collects_per_account_with_its_policy_levels_and_audits_as_one_report() {
    let Some(server) = moto::moto() else { return };
    let management = "520000000001";
    let org = build_org(&server.endpoint, management).await;
    let keys = keys_of(&server.endpoint, management).await;
    let home = tempfile::tempdir().unwrap();
    let out = home.path().join("org");
    let (code, stderr) = collect(&server.endpoint, home.path(), &keys, &out, &[]);
    assert_eq!(code, 0, "stderr: {stderr}");

    // ACTIVE accounts only; the suspended one is named on stderr.
    assert!(
        stderr.contains(&format!(
            "skipped: account {} of organization {} is SUSPENDED, not ACTIVE",
            org.closed_account, org.id
        )),
        "{stderr}"
    );
    let collected: BTreeSet<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let expected: BTreeSet<String> = [
        org.management.clone(),
        org.prod_account.clone(),
        org.dev_account.clone(),
        org.sandbox_account.clone(),
    ]
    .into();
    assert_eq!(collected, expected);
    // Organizations calls once per run: DescribeOrganization, ListAccounts, ListRoots; ListParents
    // for the three members and the two OUs; ListPoliciesForTarget for six targets (root, two
    // OUs, three members) and two types; DescribePolicy for eight distinct policies.
    assert!(
        stderr.contains(&format!(
            "organization {}: 4 ACTIVE account(s), 4 collected by this run, 28 Organizations calls",
            org.id
        )),
        "{stderr}"
    );

    for account in &expected {
        let header = read_json(&out.join(account).join("snapshot.json"));
        assert_eq!(header["organization_id"], org.id.as_str(), "{account}");
        assert_eq!(header["account_id"], account.as_str());
        assert!(
            header["coverage"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["api"] == "organizations:ListPoliciesForTarget" && e["status"] == "ok"),
            "{header}"
        );
    }
    // The management account: no SCP or RCP applies.
    assert_eq!(
        read_json(
            &out.join(&org.management)
                .join("organizations/policies.json")
        ),
        json!({"scps": [], "rcps": []})
    );
    // A member four levels down: root, workloads, prod, the account.
    let prod = read_json(
        &out.join(&org.prod_account)
            .join("organizations/policies.json"),
    );
    assert_eq!(
        level_names(&prod, "scps"),
        [
            names(&["FullAWSAccess", "root-guardrails"]),
            names(&["FullAWSAccess", "workloads-no-iam-users"]),
            names(&["FullAWSAccess", "prod-protect-secrets"]),
            names(&["FullAWSAccess", "prod-app-no-kms-delete"]),
        ]
    );
    assert_eq!(
        level_names(&prod, "rcps"),
        [
            names(&["RCPFullAWSAccess", "rcp-org-only"]),
            names(&["RCPFullAWSAccess"]),
            names(&["RCPFullAWSAccess", "rcp-prod"]),
            names(&["RCPFullAWSAccess"]),
        ]
    );
    let dev = read_json(
        &out.join(&org.dev_account)
            .join("organizations/policies.json"),
    );
    assert_eq!(level_names(&dev, "scps").len(), 3);
    assert_eq!(
        level_names(&dev, "scps")[1],
        names(&["FullAWSAccess", "workloads-no-iam-users"])
    );
    let sandbox = read_json(
        &out.join(&org.sandbox_account)
            .join("organizations/policies.json"),
    );
    assert_eq!(level_names(&sandbox, "rcps").len(), 2);
    // The loader reads the levels with their documents.
    let snapshot = Snapshot::load(&out.join(&org.prod_account)).unwrap();
    let policies = snapshot.organizations.as_ref().unwrap();
    assert_eq!(policies.scps.len(), 4);
    assert!(
        policies.scps[2]
            .iter()
            .any(|p| p.name == "prod-protect-secrets"
                && p.document["Statement"][0]["Action"] == "secretsmanager:DeleteSecret")
    );
    assert_eq!(
        snapshot.meta.organization_id.as_deref(),
        Some(org.id.as_str())
    );

    // One report for the whole organization: every member's secrets, under its account.
    let (report, _) = audit(&server.endpoint, home.path(), &out);
    let mut secret_accounts: BTreeSet<(String, String)> = BTreeSet::new();
    for finding in report["findings"].as_array().unwrap() {
        if finding["resource"]["type"] == "AWS::SecretsManager::Secret" {
            secret_accounts.insert((
                finding["resource"]["account_id"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                finding["resource"]["name"].as_str().unwrap().to_owned(),
            ));
        }
    }
    assert_eq!(
        secret_accounts,
        [
            (org.management.clone(), "mgmt/break-glass".to_owned()),
            (org.prod_account.clone(), "prod/db".to_owned()),
            (org.dev_account.clone(), "dev/db".to_owned()),
        ]
        .into()
    );

    // Shards come back together: two shards in `shard-<i>/`, audited from their parent, give
    // the same report as the unsharded run.
    let sharded = home.path().join("sharded");
    let mut shard_accounts = Vec::new();
    for index in 0..2 {
        let dir = sharded.join(format!("shard-{index}"));
        let shard = format!("{index}/2");
        let (code, stderr) = collect(
            &server.endpoint,
            home.path(),
            &keys,
            &dir,
            &["--shard", &shard],
        );
        assert_eq!(code, 0, "{stderr}");
        let accounts: BTreeSet<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(accounts.len(), 2, "{accounts:?}");
        shard_accounts.push(accounts);
    }
    assert!(shard_accounts[0].is_disjoint(&shard_accounts[1]));
    let union: BTreeSet<String> = shard_accounts.iter().flatten().cloned().collect();
    assert_eq!(union, expected);
    let (sharded_report, _) = audit(&server.endpoint, home.path(), &sharded);
    assert_eq!(
        without_collection_times(sharded_report),
        without_collection_times(report),
        "sharded and unsharded reports differ"
    );

    // A policy type not enabled on the root is written as no levels, never as empty levels;
    // `--accounts` narrows and `--exclude-accounts` leaves out.
    org_call(
        &org.client,
        "DisablePolicyType",
        json!({"RootId": org.root, "PolicyType": "RESOURCE_CONTROL_POLICY"}),
    )
    .await;
    let narrowed = home.path().join("narrowed");
    let accounts = format!("{},{}", org.prod_account, org.dev_account);
    let (code, stderr) = collect(
        &server.endpoint,
        home.path(),
        &keys,
        &narrowed,
        &[
            "--accounts",
            &accounts,
            "--exclude-accounts",
            &org.dev_account,
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let only: Vec<String> = std::fs::read_dir(&narrowed)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(only, std::slice::from_ref(&org.prod_account));
    let prod = read_json(
        &narrowed
            .join(&org.prod_account)
            .join("organizations/policies.json"),
    );
    assert_eq!(prod["rcps"], json!([]));
    assert_eq!(level_names(&prod, "scps").len(), 4);
}

/// A report without `collected_at` (each collection run has its own clock).
fn without_collection_times(mut report: Value) -> Value {
    fn strip(value: &mut Value) {
        match value {
            Value::Object(map) => {
                map.remove("collected_at");
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut report);
    report
}

#[tokio::test(flavor = "multi_thread")]
async fn outside_an_organization_the_run_cannot_start() {
    let Some(server) = moto::moto() else { return };
    let account = "520000000099";
    let keys = keys_of(&server.endpoint, account).await;
    let home = tempfile::tempdir().unwrap();
    let (code, stderr) = collect(
        &server.endpoint,
        home.path(),
        &keys,
        &home.path().join("out"),
        &[],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("cannot read the organization")
            && stderr.contains("AWSOrganizationsNotInUseException"),
        "{stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
}
