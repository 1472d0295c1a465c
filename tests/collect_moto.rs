//! The collector and the Config custom-rule mode, tested with the real AWS SDK.
//!
//! - Against moto in server mode (`collect_support/moto.rs` starts it): secrets, IAM, KMS and an
//!   Aurora cluster are seeded with the SDK, then `secaudit collect` runs **from the built
//!   binary** over two regions, and the snapshot it writes must load with `Snapshot::load`.
//!   Each test uses its own moto account (`x-moto-account-id` for seeding, AssumeRole into that
//!   account for the binary), so tests run in parallel on one server.
//! - Against a hand-written fake of AWS at the HTTP layer (`collect_support/fake_aws.rs`) where
//!   moto has no implementation: CloudTrail LookupEvents, Config GetComplianceDetailsByConfigRule,
//!   PutEvaluations outside test mode, and denied or throttled calls.
#![cfg(feature = "aws")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step is a failed test"
)]

#[path = "collect_support/fake_aws.rs"]
mod fake_aws;
#[path = "collect_support/moto.rs"]
mod moto;
mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use aws_sdk_sts::config::{Credentials, SharedCredentialsProvider};
use chrono::{DateTime, Utc};
use fake_aws::{FakeAws, Recorded, Reply, caller_identity, json_error, query_error};
#[cfg(feature = "config-rule")]
use secaudit::collect::config_rule::{self, Evaluation};
use secaudit::collect::{CollectOptions, CoverageStatus, NoProgress, collect};
#[cfg(feature = "config-rule")]
use secaudit::findings::ComplianceType;
use secaudit::snapshot::{KeyPolicyState, Snapshot};
use serde_json::{Value, json};

const FAKE_ACCOUNT: &str = "111122223333";
const PENDING_SECRET: &str = "arn:aws:secretsmanager:us-east-1:111122223333:secret:old/db-AbCdEf";

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn fake_credentials() -> SharedCredentialsProvider {
    SharedCredentialsProvider::new(Credentials::new(
        "AKIAFAKE",
        "fake-secret",
        None,
        None,
        "test",
    ))
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-01T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn lookup_reply(request: &Recorded) -> Reply {
    let event = |id: &str, name: &str, time: f64| {
        json!({"EventId": id, "EventName": name, "EventTime": time,
            "EventSource": "secretsmanager.amazonaws.com", "ReadOnly": "false",
            "Resources": [{"ResourceType": "AWS::SecretsManager::Secret", "ResourceName": PENDING_SECRET}],
            "CloudTrailEvent": json!({"eventName": name, "additionalEventData": {"SecretId": PENDING_SECRET},
                "errorMessage": "fake"}).to_string()})
    };
    let body: Value = serde_json::from_str(&request.body).unwrap();
    let name = body["LookupAttributes"][0]["AttributeValue"]
        .as_str()
        .unwrap_or_default();
    let reply = match (name, body.get("NextToken").and_then(Value::as_str)) {
        ("RotationFailed", None) => {
            json!({"Events": [event("e1", name, 1_761_000_000.0)], "NextToken": "page-2"})
        }
        ("RotationFailed", Some("page-2")) => {
            json!({"Events": [event("e2", name, 1_761_100_000.5)]})
        }
        ("GetSecretValue", None) => json!({"Events": [event("e3", name, 1_761_200_000.0)]}),
        _ => json!({"Events": []}),
    };
    (200, reply.to_string())
}

/// A fake account with one secret pending deletion: Secrets Manager, KMS and CloudTrail answer;
/// IAM denies; RDS throttles.
fn fake_account(request: &Recorded) -> Reply {
    let secret = json!({"ARN": PENDING_SECRET, "Name": "old/db", "KmsKeyId": "alias/app",
        "CreatedDate": 1_700_000_000.0, "DeletedDate": 1_761_500_000.25, "LastAccessedDate": 1_761_436_800.0,
        "Tags": [{"Key": "env", "Value": "prod"}], "SecretVersionsToStages": {"v1": ["AWSCURRENT"]}});
    match request.operation.as_str() {
        "GetCallerIdentity" => caller_identity(FAKE_ACCOUNT),
        "ListSecrets" => (200, json!({"SecretList": [secret]}).to_string()),
        "DescribeSecret" => (200, secret.to_string()),
        "ListSecretVersionIds" => (200, json!({"ARN": PENDING_SECRET, "Name": "old/db",
            "Versions": [{"VersionId": "v1", "VersionStages": ["AWSCURRENT"], "CreatedDate": 1_700_000_000.0}]}).to_string()),
        "GetResourcePolicy" => (200, json!({"ARN": PENDING_SECRET, "Name": "old/db",
            "ResourcePolicy": "{\"Version\":\"2012-10-17\",\"Statement\":[]}"}).to_string()),
        "ListAliases" => (200, json!({"Aliases": [{"AliasName": "alias/app", "TargetKeyId": "k1",
            "AliasArn": "arn:aws:kms:us-east-1:111122223333:alias/app"}], "Truncated": false}).to_string()),
        "DescribeKey" => (200, json!({"KeyMetadata": {"KeyId": "k1", "Arn": "arn:aws:kms:us-east-1:111122223333:key/k1",
            "AWSAccountId": FAKE_ACCOUNT, "KeyManager": "CUSTOMER", "KeyState": "Enabled", "Enabled": true,
            "CreationDate": 1_700_000_000.0}}).to_string()),
        "LookupEvents" => lookup_reply(request),
        "GetAccountAuthorizationDetails" => query_error(403, "AccessDenied", "not authorized to perform iam:GetAccountAuthorizationDetails"),
        "DescribeDBClusters" | "DescribeDBInstances" => query_error(400, "Throttling", "Rate exceeded"),
        other => json_error(400, "UnknownOperationException", other),
    }
}

fn fake_options(fake: &FakeAws) -> CollectOptions {
    let mut options = CollectOptions::new(now());
    options.regions = vec!["us-east-1".into()];
    options.sdk.credentials = Some(fake_credentials());
    options.sdk.http_client = Some(fake.shared());
    options.sdk.max_attempts = 1;
    options
}

/// CloudTrail LookupEvents is not implemented by moto: the fake serves two pages of
/// `RotationFailed`, and `GetSecretValue` events because a secret is pending deletion.
#[tokio::test]
async fn cloudtrail_pages_and_denied_or_throttled_services_become_coverage() {
    let fake = FakeAws::new(fake_account);
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let report = collect(
        &fake_options(&fake),
        dir.path(),
        std::sync::Arc::new(NoProgress),
    )
    .await
    .unwrap();
    let elapsed = started.elapsed();

    let account = &report.accounts[0];
    assert_eq!(account.account_id, FAKE_ACCOUNT);
    assert_eq!(account.secrets, 1);
    assert!(report.is_partial());
    let status = |api: &str| {
        account
            .coverage
            .iter()
            .find(|e| e.api == api)
            .map(|e| e.status)
            .unwrap_or_else(|| panic!("{api}"))
    };
    assert_eq!(
        status("iam:GetAccountAuthorizationDetails"),
        CoverageStatus::Denied
    );
    assert_eq!(status("rds:DescribeDBClusters"), CoverageStatus::Throttled);
    assert_eq!(status("cloudtrail:LookupEvents"), CoverageStatus::Ok);
    assert_eq!(status("secretsmanager:ListSecrets"), CoverageStatus::Ok);
    assert_eq!(status("kms:DescribeKey"), CoverageStatus::Ok);

    // Denied and throttled APIs leave their file out.
    assert!(
        !dir.path()
            .join("iam/get-account-authorization-details.json")
            .exists()
    );
    assert!(
        !dir.path()
            .join("us-east-1/rds/describe-db-clusters.json")
            .exists()
    );

    // Two pages of RotationFailed, one each for the other names, GetSecretValue because a
    // secret is pending deletion; 2 requests per second at most.
    let lookups = fake.calls("LookupEvents");
    assert_eq!(lookups.len(), 5, "{lookups:?}");
    assert!(
        elapsed >= Duration::from_secs(2),
        "5 lookups at 2/s took {elapsed:?}"
    );
    let events = read_json(&dir.path().join("us-east-1/cloudtrail/lookup-events.json"));
    let ids: Vec<&str> = events["Events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["EventId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["e1", "e2", "e3"]);
    assert_eq!(
        events["Events"][1]["EventTime"],
        "2025-10-22T02:26:40.500000+00:00"
    );

    // CLI v2 timestamps, and nothing read a secret value.
    let listed = read_json(
        &dir.path()
            .join("us-east-1/secretsmanager/list-secrets.json"),
    );
    assert_eq!(
        listed["SecretList"][0]["DeletedDate"],
        "2025-10-26T17:33:20.250000+00:00"
    );
    assert_eq!(
        listed["SecretList"][0]["CreatedDate"],
        "2023-11-14T22:13:20+00:00"
    );
    assert!(
        fake.requests()
            .iter()
            .all(|r| !r.operation.contains("SecretValue"))
    );

    // The loader accepts the files and sees what is missing.
    let snapshot = Snapshot::load(dir.path()).unwrap();
    assert!(snapshot.iam.is_none());
    let region = snapshot.region("us-east-1").unwrap();
    assert_eq!(region.secrets.as_ref().unwrap().len(), 1);
    assert_eq!(region.cloudtrail_events.as_ref().unwrap().len(), 3);
    assert!(region.db_clusters.is_none());
}

#[cfg(feature = "config-rule")]
fn config_fake(request: &Recorded) -> Reply {
    let result = |id: &str| {
        json!({"EvaluationResultIdentifier": {"EvaluationResultQualifier": {
        "ConfigRuleName": "secretsmanager-secret-tagged", "ResourceType": "AWS::SecretsManager::Secret",
        "ResourceId": id}, "OrderingTimestamp": 1_700_000_000.0}, "ComplianceType": "COMPLIANT"})
    };
    match request.operation.as_str() {
        "GetComplianceDetailsByConfigRule" => {
            let body: Value = serde_json::from_str(&request.body).unwrap();
            if body.get("NextToken").is_none() {
                (
                    200,
                    json!({"EvaluationResults": [result("arn:secret-a")], "NextToken": "n2"})
                        .to_string(),
                )
            } else {
                (
                    200,
                    json!({"EvaluationResults": [result("arn:secret-gone")]}).to_string(),
                )
            }
        }
        "PutEvaluations" => {
            let body: Value = serde_json::from_str(&request.body).unwrap();
            let failed: Vec<&Value> = body["Evaluations"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["ComplianceResourceId"] == "arn:secret-rejected")
                .collect();
            (200, json!({"FailedEvaluations": failed}).to_string())
        }
        other => json_error(400, "UnknownOperationException", other),
    }
}

#[cfg(feature = "config-rule")]
fn config_client(fake: &FakeAws) -> aws_sdk_config::Client {
    let config = aws_sdk_config::Config::builder()
        .behavior_version(aws_sdk_config::config::BehaviorVersion::latest())
        .region(aws_sdk_config::config::Region::new("us-east-1"))
        .credentials_provider(fake_credentials())
        .http_client(fake.shared())
        .build();
    aws_sdk_config::Client::from_conf(config)
}

/// Config GetComplianceDetailsByConfigRule and PutEvaluations (outside test mode) are not in
/// moto: the fake answers them.
#[cfg(feature = "config-rule")]
#[tokio::test]
async fn config_rule_reads_prior_results_and_sends_batches_of_100() {
    let fake = FakeAws::new(config_fake);
    let client = config_client(&fake);
    let prior = config_rule::prior_resources(&client, "secretsmanager-secret-tagged")
        .await
        .unwrap();
    assert_eq!(
        prior.iter().map(|(_, id)| id.as_str()).collect::<Vec<_>>(),
        ["arn:secret-a", "arn:secret-gone"]
    );

    let event = json!({"invokingEvent": json!({"messageType": "ScheduledNotification"}).to_string(),
        "ruleParameters": "{}", "resultToken": "token-xyz", "configRuleName": "secretsmanager-secret-tagged"});
    let invocation = config_rule::parse_event(&event.to_string()).unwrap();
    let mut current: Vec<Evaluation> = (0..249)
        .map(|i| Evaluation {
            resource_type: "AWS::SecretsManager::Secret".into(),
            resource_id: format!("arn:secret-{i:03}"),
            compliance_type: if i % 2 == 0 {
                ComplianceType::Compliant
            } else {
                ComplianceType::NonCompliant
            },
            annotation: Some("a".repeat(300)),
            ordering_timestamp: now(),
        })
        .collect();
    current.push(Evaluation {
        resource_id: "arn:secret-a".into(),
        ..current[0].clone()
    });
    current.push(Evaluation {
        resource_id: "arn:secret-rejected".into(),
        ..current[0].clone()
    });
    current.push(Evaluation {
        resource_id: "arn:secret-unknown".into(),
        compliance_type: ComplianceType::InsufficientData,
        ..current[0].clone()
    });
    let planned = config_rule::plan_evaluations(&invocation, current, &prior, now());
    assert_eq!(
        planned.len(),
        252,
        "251 current without INSUFFICIENT_DATA + 1 gone"
    );

    let summary = config_rule::put_evaluations(&client, &invocation.result_token, &planned, false)
        .await
        .unwrap();
    assert_eq!(summary.batches, 3);
    assert_eq!(summary.sent, 252);
    assert_eq!(summary.failed, ["arn:secret-rejected"]);

    let puts = fake.calls("PutEvaluations");
    let sizes: Vec<usize> = puts
        .iter()
        .map(|r| {
            serde_json::from_str::<Value>(&r.body).unwrap()["Evaluations"]
                .as_array()
                .unwrap()
                .len()
        })
        .collect();
    assert_eq!(sizes, [100, 100, 52]);
    let first: Value = serde_json::from_str(&puts[0].body).unwrap();
    assert_eq!(first["ResultToken"], "token-xyz");
    assert!(first.get("TestMode").is_none_or(|t| t == false));
    assert_eq!(
        first["Evaluations"][0]["Annotation"]
            .as_str()
            .unwrap()
            .chars()
            .count(),
        256
    );
    let gone = puts
        .iter()
        .flat_map(|r| {
            serde_json::from_str::<Value>(&r.body).unwrap()["Evaluations"]
                .as_array()
                .unwrap()
                .clone()
        })
        .find(|e| e["ComplianceResourceId"] == "arn:secret-gone")
        .unwrap();
    assert_eq!(gone["ComplianceType"], "NOT_APPLICABLE");

    config_rule::put_evaluations(&client, "t", &planned[..1], true)
        .await
        .unwrap();
    let last: Value =
        serde_json::from_str(&fake.calls("PutEvaluations").last().unwrap().body).unwrap();
    assert_eq!(last["TestMode"], true);
}

// ---------------------------------------------------------------------------------------------
// Against moto, from the built binary.

#[path = "collect_support/deny_proxy.rs"]
mod deny_proxy;

#[path = "collect_support/seed.rs"]
mod seed_support;

use aws_smithy_runtime_api::client::interceptors::SharedInterceptor;
use secaudit::collect::aws_api::{self, AwsApi};
use secaudit::collect::{aws_json, query};
use seed_support::{Keys, MotoAccount, secaudit_with, seed_config};

/// Seeding clients of one moto account and region (`None`: moto's default account). IAM, RDS and
/// KMS have no SDK crate in the build: they are seeded through the collector's own signed call,
/// whose requests moto parses independently.
struct Seed {
    sm: AwsApi,
    kms: AwsApi,
    rds: AwsApi,
    iam: AwsApi,
}

const IAM_VERSION: &str = "2010-05-08";

/// One seeding call of Secrets Manager; panics on failure.
async fn sm(seed: &Seed, operation: &str, body: Value) -> Value {
    let target = format!("secretsmanager.{operation}");
    aws_json::json_1_1(&seed.sm, &target, &body)
        .await
        .unwrap_or_else(|failure| panic!("{target}: {failure:?}"))
}

/// One seeding call of a Query service; the `<{action}Result>` member `member` of the answer.
async fn seed_query(
    api: &AwsApi,
    version: &str,
    action: &str,
    params: &[(&str, &str)],
    member: &[&str],
) -> Option<String> {
    let body = query::call(api, action, version, params)
        .await
        .unwrap_or_else(|failure| panic!("{action}: {failure:?}"));
    let (last, path) = member.split_last()?;
    let document = query::document(&body, action).unwrap();
    let mut element = query::result_element(&document, action).unwrap();
    for name in path {
        element = element.child(name)?;
    }
    element.text(last).map(str::to_owned)
}

async fn seed(endpoint: &str, region: &str, account: Option<&str>) -> Seed {
    let sdk = seed_config(endpoint, region).await;
    let api_client = |service, parse_error| {
        let interceptors = account
            .map(|account| SharedInterceptor::new(MotoAccount(account.to_owned())))
            .into_iter()
            .collect();
        AwsApi::with_interceptors(
            &sdk,
            service,
            region,
            account.unwrap_or("default"),
            parse_error,
            interceptors,
        )
    };
    Seed {
        sm: api_client(aws_api::SECRETS_MANAGER, aws_json::parse_error),
        kms: api_client(aws_api::KMS, aws_json::parse_error),
        rds: api_client(aws_api::RDS, query::parse_error),
        iam: api_client(aws_api::IAM, query::parse_error),
    }
}

const READERS_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"arn:aws:secretsmanager:*:*:secret:prod/*"}]}"#;
const BOUNDARY_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:*","Resource":"*"}]}"#;
const KEY_POLICY: &str = r#"{"Version":"2012-10-17","Id":"app-key","Statement":[{"Sid":"Admins","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Action":"kms:*","Resource":"*"},{"Sid":"Readers","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999999999999:root"},"Action":"kms:Decrypt","Resource":"*"}]}"#;
const TRUST_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

/// Seeds the primary region: a CMK and alias, secrets (CMK and default key, tags, a resource
/// policy, versions and a custom stage, rotation on, pending deletion), an Aurora cluster with an
/// RDS-managed master password, and IAM users, groups, roles and a boundary.
async fn seed_primary(seed: &Seed) -> Vec<String> {
    let kms = |operation: &str, body: Value| {
        let target = format!("TrentService.{operation}");
        async move {
            aws_json::json_1_1(&seed.kms, &target, &body)
                .await
                .unwrap_or_else(|failure| panic!("{target}: {failure:?}"))
        }
    };
    let key = kms(
        "CreateKey",
        json!({"Description": "app key", "Policy": KEY_POLICY}),
    )
    .await;
    let key_id = key["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned();
    kms(
        "CreateAlias",
        json!({"AliasName": "alias/app", "TargetKeyId": key_id}),
    )
    .await;

    sm(
        seed,
        "CreateSecret",
        json!({"Name": "prod/db", "SecretString": "s1", "KmsKeyId": "alias/app",
            "Description": "database",
            "Tags": [{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "core"}]}),
    )
    .await;
    // moto invokes a rotation Lambda when one is named (and needs it to exist); without one it
    // rotates in place, which is all the collector needs to see.
    sm(
        seed,
        "RotateSecret",
        json!({"SecretId": "prod/db", "RotationRules": {"AutomaticallyAfterDays": 30}}),
    )
    .await;
    sm(
        seed,
        "CreateSecret",
        json!({"Name": "prod/api", "SecretString": "s2"}),
    )
    .await;
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999999999999:root"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}"#;
    sm(
        seed,
        "PutResourcePolicy",
        json!({"SecretId": "prod/api", "ResourcePolicy": policy}),
    )
    .await;
    sm(
        seed,
        "CreateSecret",
        json!({"Name": "app/versions", "SecretString": "v1"}),
    )
    .await;
    sm(
        seed,
        "PutSecretValue",
        json!({"SecretId": "app/versions", "SecretString": "v2"}),
    )
    .await;
    let third = sm(
        seed,
        "PutSecretValue",
        json!({"SecretId": "app/versions", "SecretString": "v3"}),
    )
    .await;
    let versions = sm(
        seed,
        "ListSecretVersionIds",
        json!({"SecretId": "app/versions"}),
    )
    .await;
    let second_id = versions["Versions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| {
            v["VersionStages"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s == "AWSPREVIOUS")
        })
        .and_then(|v| v["VersionId"].as_str().map(str::to_owned))
        .unwrap();
    assert_ne!(Some(second_id.as_str()), third["VersionId"].as_str());
    sm(
        seed,
        "UpdateSecretVersionStage",
        json!({"SecretId": "app/versions", "VersionStage": "CANARY",
            "MoveToVersionId": second_id}),
    )
    .await;
    sm(
        seed,
        "CreateSecret",
        json!({"Name": "old/thing", "SecretString": "x"}),
    )
    .await;
    sm(
        seed,
        "DeleteSecret",
        json!({"SecretId": "old/thing", "RecoveryWindowInDays": 7}),
    )
    .await;

    seed_query(
        &seed.rds,
        "2014-10-31",
        "CreateDBCluster",
        &[
            ("DBClusterIdentifier", "aurora-prod"),
            ("Engine", "aurora-postgresql"),
            ("MasterUsername", "dbadmin"),
            ("ManageMasterUserPassword", "true"),
        ],
        &[],
    )
    .await;

    let iam = |action: &'static str, params: &'static [(&'static str, &'static str)]| {
        seed_query(&seed.iam, IAM_VERSION, action, params, &[])
    };
    let create_policy = |name: &'static str, document: &'static str| {
        let params = [("PolicyName", name), ("PolicyDocument", document)];
        async move {
            seed_query(
                &seed.iam,
                IAM_VERSION,
                "CreatePolicy",
                &params,
                &["Policy", "Arn"],
            )
            .await
            .unwrap()
        }
    };
    let readers_arn = create_policy("SecretsReaders", READERS_POLICY).await;
    let boundary_arn = create_policy("Boundary", BOUNDARY_POLICY).await;
    iam("CreateGroup", &[("GroupName", "readers")]).await;
    seed_query(
        &seed.iam,
        IAM_VERSION,
        "AttachGroupPolicy",
        &[("GroupName", "readers"), ("PolicyArn", &readers_arn)],
        &[],
    )
    .await;
    iam("CreateUser", &[("UserName", "alice")]).await;
    iam(
        "AddUserToGroup",
        &[("GroupName", "readers"), ("UserName", "alice")],
    )
    .await;
    iam(
        "PutUserPolicy",
        &[
            ("UserName", "alice"),
            ("PolicyName", "inline"),
            ("PolicyDocument", READERS_POLICY),
        ],
    )
    .await;
    iam(
        "CreateRole",
        &[
            ("RoleName", "app"),
            ("AssumeRolePolicyDocument", TRUST_POLICY),
        ],
    )
    .await;
    seed_query(
        &seed.iam,
        IAM_VERSION,
        "AttachRolePolicy",
        &[("RoleName", "app"), ("PolicyArn", &readers_arn)],
        &[],
    )
    .await;
    seed_query(
        &seed.iam,
        IAM_VERSION,
        "PutRolePermissionsBoundary",
        &[("RoleName", "app"), ("PermissionsBoundary", &boundary_arn)],
        &[],
    )
    .await;

    vec![
        "app/versions".into(),
        "old/thing".into(),
        "prod/api".into(),
        "prod/db".into(),
    ]
}

async fn seed_secondary(seed: &Seed) {
    sm(
        seed,
        "CreateSecret",
        json!({"Name": "dev/one", "SecretString": "d", "Tags": [{"Key": "env", "Value": "dev"}]}),
    )
    .await;
}

/// Runs the built binary against `endpoint` with fake static credentials and no AWS files.
fn secaudit(endpoint: &str, home: &Path, args: &[&str]) -> std::process::Output {
    secaudit_with(endpoint, home, &Keys::default(), args)
}

fn is_cli_timestamp(text: &str) -> bool {
    DateTime::parse_from_rfc3339(text).is_ok() && text.ends_with("+00:00") && !text.contains(' ')
}

fn names(list: &Value) -> Vec<String> {
    let mut names: Vec<String> = list["SecretList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["Name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

/// Two regions of one moto account, collected end to end by the binary through AssumeRole.
#[tokio::test(flavor = "multi_thread")]
async fn collects_two_regions_from_moto_end_to_end() {
    let Some(server) = moto::moto() else { return };
    let account = "210987654321";
    let primary = seed(&server.endpoint, "us-east-1", Some(account)).await;
    let mut expected = seed_primary(&primary).await;
    seed_secondary(&seed(&server.endpoint, "us-west-2", Some(account)).await).await;

    let home = tempfile::tempdir().unwrap();
    let out = home.path().join("snapshot");
    let out_text = out.to_str().unwrap();
    let output = secaudit(
        &server.endpoint,
        home.path(),
        &[
            "collect",
            "--accounts",
            account,
            "--role-name",
            "secaudit",
            "--region",
            "us-east-1",
            "--region",
            "us-west-2",
            "--skip",
            "cloudtrail",
            "--max-attempts",
            "1",
            "--output",
            out_text,
        ],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "stderr: {stderr}");
    assert!(
        stderr.contains("collected 1 account(s), 2 region(s)"),
        "{stderr}"
    );

    let dir = out.join(account);
    let header = read_json(&dir.join("snapshot.json"));
    assert_eq!(header["account_id"], account);
    assert_eq!(header["partition"], "aws");
    assert_eq!(header["regions"], json!(["us-east-1", "us-west-2"]));
    for entry in header["coverage"].as_array().unwrap() {
        // CloudTrail by `--skip`; GetResourcePolicy for the secret pending deletion alone.
        let pending_policy = entry["api"] == "secretsmanager:GetResourcePolicy"
            && entry["resource"]
                .as_str()
                .is_some_and(|arn| arn.contains(":secret:old/thing-"));
        let expected_status = if entry["api"] == "cloudtrail:LookupEvents" || pending_policy {
            "skipped"
        } else {
            "ok"
        };
        assert_eq!(entry["status"], expected_status, "{entry}");
    }

    // Secrets Manager, us-east-1: the managed RDS secret is listed too.
    let listed = read_json(&dir.join("us-east-1/secretsmanager/list-secrets.json"));
    let listed_names = names(&listed);
    let rds_secret = listed["SecretList"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["OwningService"] == "rds")
        .unwrap_or_else(|| panic!("no RDS-managed secret in {listed_names:?}"))
        .clone();
    expected.push(rds_secret["Name"].as_str().unwrap().to_owned());
    expected.sort();
    assert_eq!(listed_names, expected);
    let by_name = |name: &str| {
        listed["SecretList"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["Name"] == name)
            .unwrap()
            .clone()
    };
    let db = by_name("prod/db");
    assert_eq!(db["RotationEnabled"], true);
    assert_eq!(db["RotationRules"]["AutomaticallyAfterDays"], 30);
    assert_eq!(db["KmsKeyId"], "alias/app");
    assert_eq!(
        db["Tags"],
        json!([{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "core"}])
    );
    assert!(
        is_cli_timestamp(db["CreatedDate"].as_str().unwrap()),
        "{}",
        db["CreatedDate"]
    );
    assert!(by_name("prod/api").get("KmsKeyId").is_none(), "default key");
    assert!(is_cli_timestamp(
        by_name("old/thing")["DeletedDate"].as_str().unwrap()
    ));

    // No secret here is multi-Region: ListSecrets said everything, DescribeSecret was not called.
    let described = read_json(&dir.join("us-east-1/secretsmanager/describe-secret.json"));
    assert_eq!(described, json!([]));
    let versions = read_json(&dir.join("us-east-1/secretsmanager/list-secret-version-ids.json"));
    let app_versions = versions
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["Name"] == "app/versions")
        .unwrap();
    let stages: Vec<String> = app_versions["Versions"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|v| {
            v["VersionStages"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_owned())
        })
        .collect();
    for stage in ["AWSCURRENT", "AWSPREVIOUS", "CANARY"] {
        assert!(stages.iter().any(|s| s == stage), "{stage} in {stages:?}");
    }
    assert!(app_versions["Versions"].as_array().unwrap().len() >= 3);
    let policies = read_json(&dir.join("us-east-1/secretsmanager/get-resource-policy.json"));
    let api_policy = policies
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["Name"] == "prod/api")
        .unwrap();
    let document: Value =
        serde_json::from_str(api_policy["ResourcePolicy"].as_str().unwrap()).unwrap();
    assert_eq!(
        document["Statement"][0]["Principal"]["AWS"],
        "arn:aws:iam::999999999999:root"
    );

    // RDS: the cluster's managed master password points at the listed secret.
    let clusters = read_json(&dir.join("us-east-1/rds/describe-db-clusters.json"));
    assert_eq!(
        clusters["DBClusters"][0]["DBClusterIdentifier"],
        "aurora-prod"
    );
    assert_eq!(
        clusters["DBClusters"][0]["MasterUserSecret"]["SecretArn"],
        rds_secret["ARN"]
    );
    assert!(
        dir.join("us-east-1/rds/describe-db-instances.json")
            .exists()
    );

    // KMS: the CMK behind alias/app and the default key (aws/secretsmanager, for the secrets
    // without KmsKeyId) were described once each.
    let keys = read_json(&dir.join("us-east-1/kms/describe-key.json"));
    assert_eq!(keys.as_array().unwrap().len(), 2, "{keys}");
    let aliases = read_json(&dir.join("us-east-1/kms/list-aliases.json"));
    let target_of = |name: &str| {
        aliases["Aliases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["AliasName"] == name)
            .and_then(|a| a["TargetKeyId"].as_str())
            .unwrap_or_else(|| panic!("no {name} in {aliases}"))
            .to_owned()
    };
    let app_key = format!(
        "arn:aws:kms:us-east-1:{account}:key/{}",
        target_of("alias/app")
    );
    let default_key = format!(
        "arn:aws:kms:us-east-1:{account}:key/{}",
        target_of("alias/aws/secretsmanager")
    );
    for key in &keys.as_array().unwrap()[..] {
        assert!(
            [&app_key, &default_key]
                .contains(&&key["KeyMetadata"]["Arn"].as_str().unwrap().to_owned()),
            "{key}"
        );
    }
    // Key policies: one per key, keyed by ARN, the policy as the JSON text KMS returned.
    let key_policies = read_json(&dir.join("us-east-1/kms/get-key-policy.json"));
    let key_ids: Vec<&str> = key_policies
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["KeyId"].as_str().unwrap())
        .collect();
    let mut expected_keys = vec![app_key.as_str(), default_key.as_str()];
    expected_keys.sort_unstable();
    assert_eq!(key_ids, expected_keys);
    let app_policy = key_policies
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["KeyId"] == app_key.as_str())
        .unwrap();
    assert_eq!(app_policy["PolicyName"], "default");
    let app_document: Value = serde_json::from_str(app_policy["Policy"].as_str().unwrap()).unwrap();
    assert_eq!(
        app_document,
        serde_json::from_str::<Value>(KEY_POLICY).unwrap()
    );

    // IAM: documents decoded into objects, as the AWS CLI prints them.
    let iam = read_json(&dir.join("iam/get-account-authorization-details.json"));
    let alice = iam["UserDetailList"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["UserName"] == "alice")
        .unwrap();
    assert_eq!(alice["GroupList"], json!(["readers"]));
    assert_eq!(
        alice["UserPolicyList"][0]["PolicyDocument"]["Statement"][0]["Action"],
        "secretsmanager:GetSecretValue"
    );
    let role = iam["RoleDetailList"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["RoleName"] == "app")
        .unwrap();
    assert!(
        role["PermissionsBoundary"]["PermissionsBoundaryArn"]
            .as_str()
            .unwrap()
            .ends_with(":policy/Boundary")
    );
    assert_eq!(
        role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Service"],
        "ec2.amazonaws.com"
    );
    let readers = iam["Policies"]
        .as_array()
        .unwrap()
        .iter()
        // moto leaves PolicyName out of GAAD's Policies; the collector takes it from the ARN.
        .find(|p| p["PolicyName"] == "SecretsReaders")
        .unwrap();
    assert!(readers["PolicyVersionList"][0]["Document"].is_object());

    // The second region holds only its own secret.
    let west = read_json(&dir.join("us-west-2/secretsmanager/list-secrets.json"));
    assert_eq!(names(&west), ["dev/one"]);

    // The loader reads what the collector wrote.
    let snapshot = Snapshot::load(&dir).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        snapshot
            .region("us-east-1")
            .unwrap()
            .secrets
            .as_ref()
            .unwrap()
            .len(),
        expected.len()
    );
    assert_eq!(
        snapshot
            .region("us-west-2")
            .unwrap()
            .secrets
            .as_ref()
            .unwrap()
            .len(),
        1
    );
    assert!(snapshot.iam.is_some());
    assert_eq!(
        snapshot
            .region("us-east-1")
            .unwrap()
            .described
            .as_ref()
            .unwrap()
            .len(),
        expected.len(),
        "secrets without PrimaryRegion are complete from the listing"
    );
    // Key policies by secret: the CMK's through its alias, the default key's for a secret
    // without KmsKeyId.
    let (_, prod_db) = snapshot
        .find_secret(by_name("prod/db")["ARN"].as_str().unwrap())
        .unwrap();
    match snapshot.secret_key_policy("us-east-1", prod_db) {
        KeyPolicyState::Collected { key_arn, document } => {
            assert_eq!(key_arn, app_key);
            assert_eq!(
                *document,
                serde_json::from_str::<Value>(KEY_POLICY).unwrap()
            );
        }
        other => panic!("{other:?}"),
    }
    let (_, prod_api) = snapshot
        .find_secret(by_name("prod/api")["ARN"].as_str().unwrap())
        .unwrap();
    match snapshot.secret_key_policy("us-east-1", prod_api) {
        KeyPolicyState::Collected { key_arn, document } => {
            assert_eq!(key_arn, default_key);
            assert!(document["Statement"].is_array(), "{document}");
        }
        other => panic!("{other:?}"),
    }

    // The audit of the collected snapshot, end to end from the CLI.
    let audit = secaudit(
        &server.endpoint,
        home.path(),
        &[
            "audit",
            "--snapshot",
            dir.to_str().unwrap(),
            "--fail-on",
            "informational",
            "--format",
            "json",
            "--rule",
            "secretsmanager-using-cmk",
            "--rule",
            "secretsmanager-rotation-enabled-check",
            "--rule",
            "secretsmanager-secret-tagged",
        ],
    );
    let report: Value = serde_json::from_slice(&audit.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&audit.stderr)));
    assert_eq!(audit.status.code(), Some(1), "NON_COMPLIANT findings exist");
    let verdict = |rule: &str, name: &str| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == rule && f["resource"]["name"] == name)
            .map(|f| f["compliance_type"].as_str().unwrap().to_owned())
            .unwrap_or_else(|| panic!("no {rule} finding for {name}"))
    };
    assert_eq!(verdict("secretsmanager-using-cmk", "prod/db"), "COMPLIANT");
    assert_eq!(
        verdict("secretsmanager-using-cmk", "prod/api"),
        "NON_COMPLIANT"
    );
    assert_eq!(
        verdict("secretsmanager-rotation-enabled-check", "prod/db"),
        "COMPLIANT"
    );
    assert_eq!(
        verdict("secretsmanager-rotation-enabled-check", "prod/api"),
        "NON_COMPLIANT"
    );
    assert_eq!(
        verdict("secretsmanager-secret-tagged", "dev/one"),
        "COMPLIANT"
    );
    assert_eq!(
        verdict("secretsmanager-secret-tagged", "prod/api"),
        "NON_COMPLIANT"
    );

    // Without `--skip cloudtrail`, moto's missing LookupEvents makes the run partial (exit 3):
    // CloudTrail is a coverage gap, everything else is still collected.
    let output = secaudit(
        &server.endpoint,
        home.path(),
        &[
            "collect",
            "--accounts",
            account,
            "--role-name",
            "secaudit",
            "--region",
            "us-east-1",
            "--max-attempts",
            "1",
            "--output",
            out_text,
        ],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "stderr: {stderr}");
    let header = read_json(&dir.join("snapshot.json"));
    let gaps: Vec<&Value> = header["coverage"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["status"] != "ok" && e["status"] != "skipped")
        .collect();
    assert_eq!(gaps.len(), 1, "{gaps:?}");
    assert_eq!(gaps[0]["api"], "cloudtrail:LookupEvents");
    assert!(
        !dir.join("us-west-2").exists(),
        "the earlier snapshot's files were cleared"
    );
    // moto answers the unimplemented LookupEvents with an HTTP 500 HTML page: one readable
    // line, never the SDK's debug dump of the response.
    let line = stderr
        .lines()
        .find(|line| {
            line.starts_with(&format!(
                "account {account} us-east-1 cloudtrail:LookupEvents: "
            ))
        })
        .unwrap_or_else(|| panic!("no gap line in {stderr}"));
    assert!(line.contains(": HTTP 500: "), "{line}");
    assert!(line.len() < 300, "{} characters: {line}", line.len());
    assert!(
        !line.contains("Unhandled") && !line.contains("raw:"),
        "{line}"
    );
    let message = gaps[0]["message"].as_str().unwrap();
    assert!(message.starts_with("HTTP 500: "), "{message}");
    assert!(message.len() <= 300, "{message}");
}

/// One region's calls are denied (a proxy in front of moto answers AccessDenied for requests
/// signed for us-west-2): the run completes, writes the other region, records the denials in
/// coverage, and exits 3. Uses the caller's own account (no `--accounts`): moto's default.
#[tokio::test(flavor = "multi_thread")]
async fn a_denied_region_becomes_coverage_and_exit_3() {
    let Some(server) = moto::moto() else { return };
    let seed_east = seed(&server.endpoint, "us-east-1", None).await;
    sm(
        &seed_east,
        "CreateSecret",
        json!({"Name": "denied-test/east", "SecretString": "x"}),
    )
    .await;
    let proxy = deny_proxy::start(&server.endpoint, "us-west-2");

    let home = tempfile::tempdir().unwrap();
    let out = home.path().join("snapshot");
    let output = secaudit(
        &proxy.endpoint,
        home.path(),
        &[
            "collect",
            "--region",
            "us-east-1",
            "--region",
            "us-west-2",
            "--skip",
            "cloudtrail",
            "--max-attempts",
            "2",
            "--output",
            out.to_str().unwrap(),
        ],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "stderr: {stderr}");
    assert!(proxy.denied.load(std::sync::atomic::Ordering::Relaxed) > 0);

    let header = read_json(&out.join("snapshot.json"));
    let coverage = header["coverage"].as_array().unwrap();
    let status = |region: &str, api: &str| {
        coverage
            .iter()
            .find(|e| e["region"] == region && e["api"] == api)
            .map(|e| e["status"].as_str().unwrap().to_owned())
            .unwrap_or_else(|| panic!("{region} {api} in {coverage:?}"))
    };
    assert_eq!(status("us-west-2", "secretsmanager:ListSecrets"), "denied");
    assert_eq!(
        status("us-west-2", "secretsmanager:DescribeSecret"),
        "skipped"
    );
    assert_eq!(status("us-west-2", "rds:DescribeDBClusters"), "denied");
    assert_eq!(status("us-west-2", "kms:ListAliases"), "denied");
    assert_eq!(status("us-east-1", "secretsmanager:ListSecrets"), "ok");
    assert_eq!(status("global", "iam:GetAccountAuthorizationDetails"), "ok");
    assert!(
        !out.join("us-west-2/secretsmanager/list-secrets.json")
            .exists()
    );
    let east = read_json(&out.join("us-east-1/secretsmanager/list-secrets.json"));
    assert!(names(&east).contains(&"denied-test/east".to_owned()));
    assert!(
        stderr.contains(
            "account 123456789012 us-west-2 secretsmanager:ListSecrets: AccessDeniedException: "
        ),
        "{stderr}"
    );

    let snapshot = Snapshot::load(&out).unwrap_or_else(|e| panic!("{e}"));
    assert!(snapshot.region("us-east-1").unwrap().secrets.is_some());

    // `audit` without `--snapshot` collects in memory: the denied region is INSUFFICIENT_DATA,
    // never COMPLIANT; the untagged secret is NON_COMPLIANT (exit 1 outranks 3).
    let audit = secaudit(
        &proxy.endpoint,
        home.path(),
        &[
            "audit",
            "--region",
            "us-east-1",
            "--region",
            "us-west-2",
            "--skip",
            "cloudtrail",
            "--max-attempts",
            "2",
            "--fail-on",
            "informational",
            "--format",
            "json",
            "--rule",
            "secretsmanager-secret-tagged",
        ],
    );
    let report: Value = serde_json::from_slice(&audit.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&audit.stderr)));
    assert_eq!(
        audit.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&audit.stderr)
    );
    let findings = report["findings"].as_array().unwrap();
    assert!(
        findings
            .iter()
            .any(|f| f["resource"]["name"] == "denied-test/east"
                && f["compliance_type"] == "NON_COMPLIANT")
    );
    let west: Vec<&Value> = findings
        .iter()
        .filter(|f| f["resource"]["region"] == "us-west-2")
        .collect();
    assert!(
        !west.is_empty()
            && west
                .iter()
                .all(|f| f["compliance_type"] == "INSUFFICIENT_DATA"),
        "{west:?}"
    );
    assert!(
        !snapshot
            .availability("us-west-2", secaudit::snapshot::Api::ListSecrets)
            .is_collected()
    );
}

/// An account whose role cannot be assumed still gets a snapshot.json marking everything as not
/// collected, and `--shard` picks a stable subset. (moto lets any role be assumed, so the fake
/// denies AssumeRole.)
#[tokio::test]
async fn an_unreachable_account_is_partial_not_fatal() {
    let fake = FakeAws::new(|request| match request.operation.as_str() {
        "GetCallerIdentity" => caller_identity(FAKE_ACCOUNT),
        "AssumeRole" => query_error(
            403,
            "AccessDenied",
            "not authorized to perform sts:AssumeRole",
        ),
        other => json_error(400, "UnknownOperationException", other),
    });
    let mut options = fake_options(&fake);
    options.accounts = secaudit::collect::plan_accounts(
        &[
            "333333333333".into(),
            "222222222222".into(),
            "444444444444".into(),
        ],
        Some(secaudit::collect::Shard::parse("1/2").unwrap()),
    )
    .unwrap();
    assert_eq!(options.accounts, ["333333333333"]);
    options.role_name = Some("SecauditReadOnly".into());
    let dir = tempfile::tempdir().unwrap();
    let report = collect(&options, dir.path(), std::sync::Arc::new(NoProgress))
        .await
        .unwrap();
    assert!(report.is_partial());
    let account = &report.accounts[0];
    assert!(
        account
            .error
            .as_deref()
            .unwrap()
            .contains("cannot assume role `SecauditReadOnly`")
    );
    let header = read_json(&dir.path().join("333333333333/snapshot.json"));
    assert_eq!(header["coverage"][0]["api"], "*");
    assert_eq!(header["coverage"][0]["status"], "denied");
    let snapshot = Snapshot::load(&dir.path().join("333333333333")).unwrap();
    assert!(
        !snapshot
            .availability("us-east-1", secaudit::snapshot::Api::ListSecrets)
            .is_collected()
    );
    assert!(
        fake.calls("AssumeRole")[0]
            .body
            .contains("333333333333%3Arole%2FSecauditReadOnly")
    );
}

/// `secaudit config-rule` from the binary: a scheduled event for the tagging rule, the account
/// collected from moto, PutEvaluations in test mode (moto implements only test mode). moto has no
/// GetComplianceDetailsByConfigRule, so prior results cannot be read: the run says so and exits 3.
#[cfg(feature = "config-rule")]
#[tokio::test(flavor = "multi_thread")]
async fn config_rule_mode_sends_evaluations_in_test_mode() {
    let Some(server) = moto::moto() else { return };
    let account = "310987654321";
    let seeded = seed(&server.endpoint, "us-east-1", Some(account)).await;
    sm(
        &seeded,
        "CreateSecret",
        json!({"Name": "tagged", "SecretString": "x", "Tags": [{"Key": "team", "Value": "core"}]}),
    )
    .await;
    sm(
        &seeded,
        "CreateSecret",
        json!({"Name": "untagged", "SecretString": "x"}),
    )
    .await;

    let home = tempfile::tempdir().unwrap();
    let event = home.path().join("event.json");
    let invoking = json!({"awsAccountId": account, "notificationCreationTime": "2026-11-01T00:00:00.000Z",
        "messageType": "ScheduledNotification", "recordVersion": "1.0"});
    let body = json!({"version": "1.0", "invokingEvent": invoking.to_string(), "ruleParameters": "{\"requiredTagKeys\": \"team\"}",
        "resultToken": "TESTMODE", "eventLeftScope": false,
        "configRuleArn": format!("arn:aws:config:us-east-1:{account}:config-rule/config-rule-abc"),
        "configRuleName": "acme-secretsmanager-secret-tagged", "accountId": account});
    std::fs::write(&event, body.to_string()).unwrap();
    let event_text = event.to_str().unwrap();
    let common = [
        "--accounts",
        account,
        "--role-name",
        "secaudit",
        "--skip",
        "cloudtrail",
        "--max-attempts",
        "1",
    ];

    let mut args = vec!["config-rule", "--event", event_text, "--dry-run"];
    args.extend(common);
    let dry = secaudit(&server.endpoint, home.path(), &args);
    let stderr = String::from_utf8_lossy(&dry.stderr);
    let summary: Value =
        serde_json::from_slice(&dry.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    assert_eq!(summary["rule"], "secretsmanager-secret-tagged");
    let evaluations = summary["evaluations"].as_array().unwrap();
    let verdict = |id_end: &str| {
        evaluations
            .iter()
            .find(|e| e["ComplianceResourceId"].as_str().unwrap().contains(id_end))
            .map(|e| e["ComplianceType"].as_str().unwrap().to_owned())
    };
    assert_eq!(
        verdict(":secret:tagged-").as_deref(),
        Some("COMPLIANT"),
        "{summary}"
    );
    assert_eq!(
        verdict(":secret:untagged-").as_deref(),
        Some("NON_COMPLIANT"),
        "{summary}"
    );
    assert_eq!(
        dry.status.code(),
        Some(3),
        "prior results unreadable in moto: {stderr}"
    );

    let mut args = vec!["config-rule", "--event", event_text, "--test-mode"];
    args.extend(common);
    let sent = secaudit(&server.endpoint, home.path(), &args);
    let stderr = String::from_utf8_lossy(&sent.stderr);
    let summary: Value =
        serde_json::from_slice(&sent.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    assert_eq!(summary["test_mode"], true);
    assert_eq!(summary["sent"], evaluations.len());
    assert_eq!(summary["batches"], 1);
    assert_eq!(summary["failed"], json!([]));
}

/// A run that cannot start is exit 2 with one line: no credentials (nothing answers and no
/// key is set), or no region. Needs no moto.
#[test]
fn no_credentials_or_no_region_is_exit_2() {
    let home = tempfile::tempdir().unwrap();
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let run = |args: &[&str], region: Option<&str>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_secaudit"));
        command
            .args(args)
            .env_clear()
            .env("HOME", home.path())
            .env("AWS_ENDPOINT_URL", &closed)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .env("AWS_MAX_ATTEMPTS", "1");
        if let Some(region) = region {
            command.env("AWS_REGION", region);
        }
        command.output().unwrap()
    };
    let out = home.path().join("snap");
    let output = run(
        &["collect", "--output", out.to_str().unwrap()],
        Some("us-east-1"),
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("error: cannot collect: no AWS credentials found; hint: "),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");

    let output = run(&["collect", "--output", out.to_str().unwrap()], None);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no region"), "{stderr}");

    let output = run(
        &[
            "collect",
            "--shard",
            "1/2",
            "--output",
            out.to_str().unwrap(),
        ],
        Some("us-east-1"),
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("`--shard` needs accounts"));
}

// --- coverage at the granularity of the failure ------------------------------------------------

const PUBLIC_SECRET: &str = "arn:aws:secretsmanager:us-east-1:111122223333:secret:public-AbCdEf";
const DENIED_SECRET: &str = "arn:aws:secretsmanager:us-east-1:111122223333:secret:denied-AbCdEf";
const GONE_SECRET: &str = "arn:aws:secretsmanager:us-east-1:111122223333:secret:gone-AbCdEf";
const FOREIGN_KEY: &str = "arn:aws:kms:us-east-1:444455556666:key/foreign";
const APP_KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/k1";
const DEFAULT_KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/kdefault";

/// A fake account whose per-secret calls fail one secret at a time: GetResourcePolicy is denied
/// for one secret, another was deleted after the listing, a third is pending deletion; one
/// secret uses a key of another account, and the default key's policy is denied.
fn per_secret_account(request: &Recorded) -> Reply {
    let entry = |arn: &str, name: &str, key: Option<&str>, deleted: bool| {
        let mut entry = json!({"ARN": arn, "Name": name, "CreatedDate": 1_700_000_000.0,
            "Tags": [{"Key": "env", "Value": "prod"}]});
        if let Some(key) = key {
            entry["KmsKeyId"] = json!(key);
        }
        if deleted {
            entry["DeletedDate"] = json!(1_761_500_000.0);
        }
        entry
    };
    let secrets = [
        entry(PUBLIC_SECRET, "public", Some("alias/app"), false),
        entry(DENIED_SECRET, "denied", Some(FOREIGN_KEY), false),
        entry(GONE_SECRET, "gone", None, false),
        entry(PENDING_SECRET, "old/db", None, true),
    ];
    let body: Value = serde_json::from_str(&request.body).unwrap_or(Value::Null);
    let secret_id = body["SecretId"].as_str().unwrap_or_default();
    let not_found = || {
        json_error(
            400,
            "ResourceNotFoundException",
            "Secrets Manager can't find the specified secret.",
        )
    };
    match request.operation.as_str() {
        "GetCallerIdentity" => caller_identity(FAKE_ACCOUNT),
        "ListSecrets" => (200, json!({"SecretList": secrets}).to_string()),
        _ if secret_id == GONE_SECRET => not_found(),
        "DescribeSecret" => secrets
            .iter()
            .find(|s| s["ARN"] == secret_id)
            .map_or_else(not_found, |s| (200, s.to_string())),
        "ListSecretVersionIds" => (200, json!({"ARN": secret_id,
            "Versions": [{"VersionId": "v1", "VersionStages": ["AWSCURRENT"], "CreatedDate": 1_700_000_000.0}]}).to_string()),
        "GetResourcePolicy" if secret_id == DENIED_SECRET => json_error(
            400,
            "AccessDeniedException",
            "User: arn:aws:sts::111122223333:assumed-role/auditor/s is not authorized to perform: secretsmanager:GetResourcePolicy",
        ),
        "GetResourcePolicy" => (200, json!({"ARN": secret_id, "ResourcePolicy":
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
                "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]}).to_string()}).to_string()),
        "ListAliases" => (200, json!({"Aliases": [
            {"AliasName": "alias/app", "TargetKeyId": "k1", "AliasArn": "arn:aws:kms:us-east-1:111122223333:alias/app"},
            {"AliasName": "alias/aws/secretsmanager", "TargetKeyId": "kdefault",
             "AliasArn": "arn:aws:kms:us-east-1:111122223333:alias/aws/secretsmanager"}],
            "Truncated": false}).to_string()),
        "DescribeKey" => {
            let (id, arn, manager) = match body["KeyId"].as_str().unwrap_or_default() {
                "alias/app" => ("k1", APP_KEY, "CUSTOMER"),
                "alias/aws/secretsmanager" => ("kdefault", DEFAULT_KEY, "AWS"),
                _ => return json_error(400, "AccessDeniedException", "not allowed by the key policy"),
            };
            (200, json!({"KeyMetadata": {"KeyId": id, "Arn": arn, "AWSAccountId": FAKE_ACCOUNT,
                "KeyManager": manager, "KeyState": "Enabled", "Enabled": true}}).to_string())
        }
        "GetKeyPolicy" if body["KeyId"] == APP_KEY => (200, json!({"PolicyName": "default",
            "Policy": json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]}).to_string()}).to_string()),
        "GetKeyPolicy" => json_error(400, "AccessDeniedException", "no kms:GetKeyPolicy on this key"),
        "LookupEvents" => (200, json!({"Events": []}).to_string()),
        "GetAccountAuthorizationDetails" => (200, "<GetAccountAuthorizationDetailsResponse><GetAccountAuthorizationDetailsResult><IsTruncated>false</IsTruncated><UserDetailList/><GroupDetailList/><RoleDetailList/><Policies/></GetAccountAuthorizationDetailsResult></GetAccountAuthorizationDetailsResponse>".to_owned()),
        "DescribeDBClusters" => (200, "<DescribeDBClustersResponse><DescribeDBClustersResult><DBClusters/></DescribeDBClustersResult></DescribeDBClustersResponse>".to_owned()),
        "DescribeDBInstances" => (200, "<DescribeDBInstancesResponse><DescribeDBInstancesResult><DBInstances/></DescribeDBInstancesResult></DescribeDBInstancesResponse>".to_owned()),
        other => json_error(400, "UnknownOperationException", other),
    }
}

#[tokio::test]
async fn a_failing_per_secret_call_affects_only_that_secret() {
    let fake = FakeAws::new(per_secret_account);
    let dir = tempfile::tempdir().unwrap();
    let mut options = fake_options(&fake);
    options.skip.insert(secaudit::collect::Service::Cloudtrail);
    let report = collect(&options, dir.path(), std::sync::Arc::new(NoProgress))
        .await
        .unwrap();
    let account = &report.accounts[0];
    assert!(report.is_partial(), "a denied per-secret call is a gap");
    let entry = |api: &str, resource: Option<&str>| {
        account
            .coverage
            .iter()
            .find(|e| e.api == api && e.resource.as_deref() == resource)
            .unwrap_or_else(|| panic!("{api} {resource:?} in {:#?}", account.coverage))
            .clone()
    };
    // The region as a whole was collected; the failures are the secrets' own.
    let region_policy = entry("secretsmanager:GetResourcePolicy", None);
    assert_eq!(region_policy.status, CoverageStatus::Ok);
    assert_eq!(
        region_policy.message.as_deref(),
        Some("1 of 3 secrets not collected (see their entries)")
    );
    let denied = entry("secretsmanager:GetResourcePolicy", Some(DENIED_SECRET));
    assert_eq!(denied.status, CoverageStatus::Denied);
    assert!(
        denied
            .message
            .as_deref()
            .unwrap()
            .starts_with("AccessDeniedException: User: ")
    );
    let pending = entry("secretsmanager:GetResourcePolicy", Some(PENDING_SECRET));
    assert_eq!(pending.status, CoverageStatus::Skipped);
    let gone: Vec<_> = account
        .coverage
        .iter()
        .filter(|e| e.status == CoverageStatus::Gone)
        .collect();
    assert_eq!(gone.len(), 1, "one entry per gone secret: {gone:#?}");
    assert_eq!(gone[0].resource.as_deref(), Some(GONE_SECRET));
    assert_eq!(
        entry("secretsmanager:DescribeSecret", None).status,
        CoverageStatus::Ok
    );
    // Key policies: the other account's key cannot be read, the default key's was denied.
    assert_eq!(
        entry("kms:GetKeyPolicy", Some(FOREIGN_KEY)).status,
        CoverageStatus::Skipped
    );
    assert_eq!(
        entry("kms:GetKeyPolicy", Some(DEFAULT_KEY)).status,
        CoverageStatus::Denied
    );
    assert!(
        fake.calls("GetResourcePolicy")
            .iter()
            .all(|r| !r.body.contains("old/db")),
        "GetResourcePolicy is not called for a secret pending deletion"
    );
    assert!(
        fake.calls("GetKeyPolicy")
            .iter()
            .all(|r| !r.body.contains("444455556666")),
        "GetKeyPolicy is not called across accounts"
    );

    // The snapshot records the entries, and the loader honours them.
    let header = read_json(&dir.path().join("snapshot.json"));
    assert!(
        header["coverage"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["resource"] == GONE_SECRET && e["status"] == "gone"),
        "{header}"
    );
    let snapshot = Snapshot::load(dir.path()).unwrap();
    let region = snapshot.region("us-east-1").unwrap();
    let arns: Vec<&str> = region
        .secrets
        .as_ref()
        .unwrap()
        .iter()
        .map(|s| s.arn.as_str())
        .collect();
    assert_eq!(
        arns,
        [DENIED_SECRET, PENDING_SECRET, PUBLIC_SECRET],
        "the gone secret is dropped"
    );
    let (_, public) = snapshot.find_secret(PUBLIC_SECRET).unwrap();
    assert!(
        snapshot
            .secret_key_policy("us-east-1", public)
            .is_collected()
    );
    let (_, denied) = snapshot.find_secret(DENIED_SECRET).unwrap();
    assert!(matches!(
        snapshot.secret_key_policy("us-east-1", denied),
        KeyPolicyState::NotCollected { ref reason, .. } if reason.contains("key of account 444455556666")
    ));

    // The audit: only the denied secret's policy rules lack data.
    let output = Command::new(env!("CARGO_BIN_EXE_secaudit"))
        .args([
            "audit",
            "--snapshot",
            dir.path().to_str().unwrap(),
            "--format",
            "json",
            "--rule",
            "secretsmanager-policy-not-public",
            "--rule",
            "secretsmanager-secret-tagged",
        ])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)));
    let verdict = |rule: &str, arn: &str| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == rule && f["resource"]["id"] == arn)
            .map(|f| {
                (
                    f["compliance_type"].as_str().unwrap().to_owned(),
                    f["annotation"].as_str().unwrap_or_default().to_owned(),
                )
            })
    };
    let (public_verdict, _) = verdict("secretsmanager-policy-not-public", PUBLIC_SECRET).unwrap();
    assert_eq!(public_verdict, "NON_COMPLIANT");
    let (denied_verdict, why) = verdict("secretsmanager-policy-not-public", DENIED_SECRET).unwrap();
    assert_eq!(denied_verdict, "INSUFFICIENT_DATA");
    assert!(why.contains("denied"), "{why}");
    assert_eq!(
        verdict("secretsmanager-secret-tagged", DENIED_SECRET)
            .unwrap()
            .0,
        "COMPLIANT",
        "rules that do not need the resource policy are unaffected"
    );
    assert!(verdict("secretsmanager-secret-tagged", GONE_SECRET).is_none());
}

/// A multi-Region secret costs one DescribeSecret more (its ReplicationStatus), and moto refuses
/// GetResourcePolicy on a replica: that failure is the replica's own coverage gap, not the
/// region's, and the other secret's policy is collected.
#[tokio::test(flavor = "multi_thread")]
async fn a_replica_is_described_and_its_refused_policy_is_its_own_gap() {
    let Some(server) = moto::moto() else { return };
    let account = "210987654322";
    let east = seed(&server.endpoint, "us-east-1", Some(account)).await;
    sm(
        &east,
        "CreateSecret",
        json!({"Name": "multi/db", "SecretString": "m",
            "AddReplicaRegions": [{"Region": "us-west-2"}]}),
    )
    .await;
    let west = seed(&server.endpoint, "us-west-2", Some(account)).await;
    sm(
        &west,
        "CreateSecret",
        json!({"Name": "single/db", "SecretString": "s"}),
    )
    .await;

    let home = tempfile::tempdir().unwrap();
    let out = home.path().join("snapshot");
    let output = secaudit(
        &server.endpoint,
        home.path(),
        &[
            "collect",
            "--accounts",
            account,
            "--role-name",
            "secaudit",
            "--region",
            "us-west-2",
            "--skip",
            "cloudtrail",
            "--max-attempts",
            "1",
            "--output",
            out.to_str().unwrap(),
        ],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "stderr: {stderr}");
    let dir = out.join(account);
    let listed = read_json(&dir.join("us-west-2/secretsmanager/list-secrets.json"));
    let arn_of = |name: &str| {
        listed["SecretList"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["Name"] == name)
            .unwrap_or_else(|| panic!("{name} in {listed}"))["ARN"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let replica = arn_of("multi/db");
    let single = arn_of("single/db");
    let described = read_json(&dir.join("us-west-2/secretsmanager/describe-secret.json"));
    let described: Vec<&str> = described
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["ARN"].as_str().unwrap())
        .collect();
    assert_eq!(
        described,
        [replica.as_str()],
        "only the multi-Region secret is described"
    );

    let header = read_json(&dir.join("snapshot.json"));
    let entries: Vec<&Value> = header["coverage"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["api"] == "secretsmanager:GetResourcePolicy")
        .collect();
    assert_eq!(entries.len(), 2, "{entries:?}");
    let region_entry = entries
        .iter()
        .find(|e| e.get("resource").is_none())
        .unwrap();
    assert_eq!(region_entry["status"], "ok");
    let replica_entry = entries
        .iter()
        .find(|e| e["resource"] == replica.as_str())
        .unwrap();
    assert_eq!(replica_entry["status"], "error");
    assert!(
        stderr.contains(&format!(
            "account {account} us-west-2 secretsmanager:GetResourcePolicy {replica}: InvalidParameterException: "
        )),
        "{stderr}"
    );
    let policies = read_json(&dir.join("us-west-2/secretsmanager/get-resource-policy.json"));
    assert_eq!(policies.as_array().unwrap().len(), 1);
    assert_eq!(policies[0]["ARN"], single.as_str());

    let snapshot = Snapshot::load(&dir).unwrap();
    let data = snapshot.region("us-west-2").unwrap();
    assert_eq!(
        data.resource_policy(&single),
        secaudit::snapshot::ResourcePolicyState::NoPolicy
    );
    assert_eq!(
        data.resource_policy(&replica),
        secaudit::snapshot::ResourcePolicyState::NotCollected
    );
    assert!(
        snapshot
            .resource_availability(
                "us-west-2",
                secaudit::snapshot::Api::GetResourcePolicy,
                &single
            )
            .is_collected()
    );
    assert!(
        !snapshot
            .resource_availability(
                "us-west-2",
                secaudit::snapshot::Api::GetResourcePolicy,
                &replica
            )
            .is_collected()
    );
}

// --- `--region all` ---------------------------------------------------------------------------

/// `per_secret_account`, plus Account ListRegions: two enabled regions (one opted in), or denied.
fn regions_account(request: &Recorded, denied: bool) -> Reply {
    match request.operation.as_str() {
        "ListRegions" if denied => json_error(
            403,
            "AccessDeniedException",
            "not authorized to perform account:ListRegions",
        ),
        "ListRegions" => {
            let body: Value = serde_json::from_str(&request.body).unwrap();
            let asked: Vec<&str> = body["RegionOptStatusContains"]
                .as_array()
                .map(|statuses| statuses.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            assert_eq!(asked, ["ENABLED", "ENABLED_BY_DEFAULT"], "{body}");
            (
                200,
                json!({"Regions": [
                {"RegionName": "us-east-1", "RegionOptStatus": "ENABLED_BY_DEFAULT"},
                {"RegionName": "eu-south-1", "RegionOptStatus": "ENABLED"}]})
                .to_string(),
            )
        }
        _ => per_secret_account(request),
    }
}

#[tokio::test]
async fn region_all_collects_the_enabled_regions_of_the_account() {
    let fake = FakeAws::new(|request: &Recorded| regions_account(request, false));
    let dir = tempfile::tempdir().unwrap();
    let mut options = fake_options(&fake);
    options.regions = Vec::new();
    options.all_regions = true;
    options.skip.insert(secaudit::collect::Service::Cloudtrail);
    let report = collect(&options, dir.path(), std::sync::Arc::new(NoProgress))
        .await
        .unwrap();
    let account = &report.accounts[0];
    assert_eq!(account.regions, ["eu-south-1", "us-east-1"]);
    assert_eq!(fake.calls("ListRegions").len(), 1);
    let header = read_json(&dir.path().join("snapshot.json"));
    assert_eq!(header["regions"], json!(["eu-south-1", "us-east-1"]));
    assert!(
        dir.path()
            .join("eu-south-1/secretsmanager/list-secrets.json")
            .exists()
    );
    assert!(
        header["coverage"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["api"] == "account:ListRegions" && e["status"] == "ok")
    );

    // Denied: the configured region is collected and the gap says so (never a silent "one
    // region" snapshot).
    let fake = FakeAws::new(|request: &Recorded| regions_account(request, true));
    let dir = tempfile::tempdir().unwrap();
    let mut options = fake_options(&fake);
    options.all_regions = true;
    options.skip.insert(secaudit::collect::Service::Cloudtrail);
    let report = collect(&options, dir.path(), std::sync::Arc::new(NoProgress))
        .await
        .unwrap();
    let account = &report.accounts[0];
    assert_eq!(account.regions, ["us-east-1"]);
    assert!(report.is_partial());
    let gap = account
        .coverage
        .iter()
        .find(|e| e.api == "account:ListRegions")
        .unwrap();
    assert_eq!(gap.status, CoverageStatus::Denied);
    assert_eq!(
        gap.message.as_deref(),
        Some(
            "AccessDeniedException: not authorized to perform account:ListRegions; collected only us-east-1"
        )
    );
}

/// `CollectOptions::secret` (a Config change notification): one secret among several costs its
/// own calls only (no ListSecrets, its versions, policy and key, no RDS since RDS does not own
/// it), and every rule judges it exactly as after a full collection of the region.
#[tokio::test]
async fn one_secret_is_collected_with_its_own_calls_and_judged_as_in_a_full_run() {
    use secaudit::rules::{Catalogue, RuleConfig, run_audit};

    let fake = FakeAws::new(per_secret_account);
    let one = tempfile::tempdir().unwrap();
    let mut options = fake_options(&fake);
    options.skip.insert(secaudit::collect::Service::Cloudtrail);
    options.secret = Some(PUBLIC_SECRET.to_owned());
    let report = collect(&options, one.path(), std::sync::Arc::new(NoProgress))
        .await
        .unwrap();
    assert_eq!(report.secrets(), 1);
    assert!(!report.is_partial(), "{:#?}", report.accounts[0].coverage);
    let count = |operation: &str| fake.calls(operation).len();
    assert_eq!(count("ListSecrets"), 0, "no listing of the region");
    for operation in [
        "DescribeSecret",
        "ListSecretVersionIds",
        "GetResourcePolicy",
    ] {
        let calls = fake.calls(operation);
        assert_eq!(calls.len(), 1, "{operation}");
        assert!(
            calls[0].body.contains(PUBLIC_SECRET),
            "{operation}: {calls:?}"
        );
    }
    assert_eq!(count("DescribeKey"), 1, "the secret's one key");
    assert!(fake.calls("DescribeKey")[0].body.contains("alias/app"));
    assert_eq!(count("GetKeyPolicy"), 1);
    assert!(fake.calls("GetKeyPolicy")[0].body.contains(APP_KEY));
    assert_eq!(
        count("DescribeDBClusters") + count("DescribeDBInstances"),
        0
    );
    let expected_calls = [
        "GetCallerIdentity",
        "DescribeSecret",
        "ListSecretVersionIds",
        "GetResourcePolicy",
        "DescribeKey",
        "ListAliases",
        "GetKeyPolicy",
        "GetAccountAuthorizationDetails",
    ];
    assert_eq!(
        fake.requests().len(),
        expected_calls.len(),
        "{:?}",
        fake.requests()
            .iter()
            .map(|r| r.operation.clone())
            .collect::<Vec<_>>()
    );

    let full_fake = FakeAws::new(per_secret_account);
    let full = tempfile::tempdir().unwrap();
    let mut options = fake_options(&full_fake);
    options.skip.insert(secaudit::collect::Service::Cloudtrail);
    collect(&options, full.path(), std::sync::Arc::new(NoProgress))
        .await
        .unwrap();

    let one = Snapshot::load(one.path()).unwrap();
    let full = Snapshot::load(full.path()).unwrap();
    let arns: Vec<&str> = one.secrets().map(|(_, s)| s.arn.as_str()).collect();
    assert_eq!(arns, [PUBLIC_SECRET]);
    assert_eq!(
        one.find_secret(PUBLIC_SECRET),
        full.find_secret(PUBLIC_SECRET)
    );
    let catalogue = Catalogue::builtin().unwrap();
    let judged = |snapshot: &Snapshot| {
        let outcome = run_audit(&catalogue, snapshot, &RuleConfig::default(), &[], now()).unwrap();
        outcome
            .findings
            .into_iter()
            .filter(|f| f.resource.id == PUBLIC_SECRET)
            .map(|f| (f.rule, f.compliance_type, f.annotation))
            .collect::<Vec<_>>()
    };
    let verdicts = judged(&one);
    assert_eq!(
        verdicts.len(),
        catalogue.rules().len() - 1,
        "every secret rule"
    );
    assert_eq!(verdicts, judged(&full));
    assert!(
        verdicts.iter().any(
            |(rule, compliance, _)| rule == "secretsmanager-policy-not-public"
                && *compliance == secaudit::findings::ComplianceType::NonCompliant
        ),
        "{verdicts:#?}"
    );
}

/// A secret that no longer exists: the snapshot holds no secret (the rule judges nothing, the
/// Config rule reports NOT_APPLICABLE), after one DescribeSecret and nothing else of the secret.
#[tokio::test]
async fn one_secret_that_does_not_exist_gives_an_empty_region() {
    let fake = FakeAws::new(per_secret_account);
    let dir = tempfile::tempdir().unwrap();
    let mut options = fake_options(&fake);
    options.skip.insert(secaudit::collect::Service::Cloudtrail);
    options.secret = Some(GONE_SECRET.to_owned());
    let report = collect(&options, dir.path(), std::sync::Arc::new(NoProgress))
        .await
        .unwrap();
    assert!(!report.is_partial());
    assert_eq!(fake.calls("DescribeSecret").len(), 1);
    for operation in [
        "ListSecrets",
        "ListSecretVersionIds",
        "GetResourcePolicy",
        "GetKeyPolicy",
    ] {
        assert!(fake.calls(operation).is_empty(), "{operation}");
    }
    let snapshot = Snapshot::load(dir.path()).unwrap();
    let region = snapshot.region("us-east-1").unwrap();
    assert_eq!(region.secrets.as_deref().map(<[_]>::len), Some(0));
}

/// A Config rule invocation event for the tagging rule with `invoking` as its `invokingEvent`.
#[cfg(feature = "config-rule")]
fn tagging_rule_event(account: &str, invoking: &Value) -> String {
    json!({"version": "1.0", "invokingEvent": invoking.to_string(),
        "ruleParameters": "{\"requiredTagKeys\": \"team\"}", "resultToken": "TESTMODE",
        "eventLeftScope": false,
        "executionRoleArn": format!("arn:aws:iam::{account}:role/config-role"),
        "configRuleArn": format!("arn:aws:config:us-east-1:{account}:config-rule/config-rule-abc"),
        "configRuleName": "acme-secretsmanager-secret-tagged", "configRuleId": "config-rule-abc",
        "accountId": account})
    .to_string()
}

/// `secaudit config-rule` from the binary, for a change of one secret among twelve in moto: the
/// ConfigurationItemChangeNotification and its oversized form (only `configurationItemSummary`)
/// collect that secret alone (the summary counts one secret and a handful of calls, where the
/// region's twelve would cost at least 25) and evaluate it alone; no prior results are read
/// (exit 0); PutEvaluations in test mode sends one evaluation. A deleted secret is
/// NOT_APPLICABLE without any AWS call: the run succeeds against a closed port.
#[cfg(feature = "config-rule")]
#[tokio::test(flavor = "multi_thread")]
async fn config_rule_change_notification_judges_only_the_changed_secret() {
    let Some(server) = moto::moto() else { return };
    let account = "310987654322";
    let seeded = seed(&server.endpoint, "us-east-1", Some(account)).await;
    let mut arns = Vec::new();
    for index in 0..12 {
        let mut body = json!({"Name": format!("app/{index:02}"), "SecretString": "x"});
        if index % 2 == 0 {
            body["Tags"] = json!([{"Key": "team", "Value": "core"}]);
        }
        let created = sm(&seeded, "CreateSecret", body).await;
        arns.push(created["ARN"].as_str().unwrap().to_owned());
    }
    let changed = &arns[5];
    let home = tempfile::tempdir().unwrap();
    let item = |status: &str| {
        json!({"configurationItemCaptureTime": "2026-11-01T01:36:34.043Z", "awsAccountId": account,
            "configurationItemStatus": status, "configurationStateId": "1761960994043",
            "resourceId": changed, "resourceName": "app/05", "ARN": changed,
            "awsRegion": "us-east-1", "availabilityZone": "Not Applicable",
            "resourceType": "AWS::SecretsManager::Secret", "tags": {}, "relationships": [],
            "configuration": {"name": "app/05"}})
    };
    let change = json!({"configurationItem": item("OK"), "notificationCreationTime": "2026-11-01T01:36:35.000Z",
        "messageType": "ConfigurationItemChangeNotification", "recordVersion": "1.3"});
    let oversized = json!({"configurationItemSummary": {"changeType": "UPDATE",
            "configurationItemVersion": "1.3", "configurationItemCaptureTime": "2026-11-01T01:36:34.043Z",
            "configurationStateId": 0, "awsAccountId": account, "configurationItemStatus": "OK",
            "resourceType": "AWS::SecretsManager::Secret", "resourceId": changed,
            "resourceName": "app/05", "ARN": changed, "awsRegion": "us-east-1",
            "availabilityZone": null, "configurationStateMd5Hash": "",
            "resourceCreationTime": "2026-10-01T00:00:00.000Z"},
        "s3DeliverySummary": {"s3BucketLocation": "bucket/AWSLogs/x.json.gz", "errorCode": null, "errorMessage": null},
        "notificationCreationTime": "2026-11-01T01:36:35.000Z",
        "messageType": "OversizedConfigurationItemChangeNotification", "recordVersion": "1.0"});
    let common = [
        "--accounts",
        account,
        "--role-name",
        "secaudit",
        "--max-attempts",
        "1",
    ];
    for (label, invoking) in [("change", &change), ("oversized", &oversized)] {
        let event = home.path().join(format!("{label}.json"));
        std::fs::write(&event, tagging_rule_event(account, invoking)).unwrap();
        let mut args = vec![
            "config-rule",
            "--event",
            event.to_str().unwrap(),
            "--dry-run",
        ];
        args.extend(common);
        let dry = secaudit(&server.endpoint, home.path(), &args);
        let stderr = String::from_utf8_lossy(&dry.stderr);
        let summary: Value = serde_json::from_slice(&dry.stdout)
            .unwrap_or_else(|e| panic!("{label}: {e}: {stderr}"));
        assert_eq!(dry.status.code(), Some(0), "{label}: {summary} {stderr}");
        assert_eq!(summary["trigger"], "change", "{label}");
        assert_eq!(
            summary["collected"]["scope"], "secret",
            "{label}: {summary}"
        );
        assert_eq!(summary["collected"]["secrets"], 1, "{label}: {summary}");
        let calls = summary["collected"]["calls"].as_u64().unwrap();
        assert!(
            calls <= 6,
            "{label}: {calls} calls for one secret: {summary}"
        );
        let evaluations = summary["evaluations"].as_array().unwrap();
        assert_eq!(evaluations.len(), 1, "{label}: {summary}");
        assert_eq!(evaluations[0]["ComplianceResourceId"], changed.as_str());
        assert_eq!(evaluations[0]["ComplianceType"], "NON_COMPLIANT", "{label}");

        let mut args = vec![
            "config-rule",
            "--event",
            event.to_str().unwrap(),
            "--test-mode",
        ];
        args.extend(common);
        let sent = secaudit(&server.endpoint, home.path(), &args);
        let stderr = String::from_utf8_lossy(&sent.stderr);
        let summary: Value = serde_json::from_slice(&sent.stdout)
            .unwrap_or_else(|e| panic!("{label}: {e}: {stderr}"));
        assert_eq!(sent.status.code(), Some(0), "{label}: {summary} {stderr}");
        assert_eq!(summary["sent"], 1, "{label}: {summary}");
        assert_eq!(summary["failed"], json!([]));
    }

    // Deleted (both statuses): NOT_APPLICABLE from the event alone; nothing listens on port 9.
    for status in ["ResourceDeleted", "ResourceDeletedNotRecorded"] {
        let mut invoking = change.clone();
        invoking["configurationItem"] = item(status);
        let event = home.path().join("deleted.json");
        std::fs::write(&event, tagging_rule_event(account, &invoking)).unwrap();
        let mut args = vec![
            "config-rule",
            "--event",
            event.to_str().unwrap(),
            "--dry-run",
        ];
        args.extend(common);
        let output = secaudit("http://127.0.0.1:9", home.path(), &args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{status}: {stderr}");
        let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(summary["collected"]["scope"], "none");
        assert_eq!(
            summary["evaluations"],
            json!([{"ComplianceResourceType": "AWS::SecretsManager::Secret",
                "ComplianceResourceId": changed, "ComplianceType": "NOT_APPLICABLE",
                "Annotation": "the resource was deleted",
                "OrderingTimestamp": summary["evaluations"][0]["OrderingTimestamp"]}]),
            "{status}"
        );
    }
}

/// `config-rule` never trusts what was collected (as `audit`): on a copy of the demo snapshot
/// whose one resource policy is not JSON (`--snapshot`), a change of that secret gets no
/// evaluation (INSUFFICIENT_DATA, which Config refuses) and exits 3, a change of another secret
/// is judged as usual (exit 0), and a scheduled run puts the evaluations of every other secret
/// (PutEvaluations in test mode, to moto) and exits 3.
#[cfg(feature = "config-rule")]
#[tokio::test(flavor = "multi_thread")]
async fn config_rule_judges_a_snapshot_with_a_bad_record_leniently() {
    let Some(server) = moto::moto() else { return };
    let dir = tempfile::tempdir().unwrap();
    support::copy_dir(&support::root().join("fixtures/snapshots/demo"), dir.path());
    let policies = dir
        .path()
        .join("us-east-1/secretsmanager/get-resource-policy.json");
    let mut outputs: Value = read_json(&policies);
    let with_policy = outputs
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|output| output.get("ResourcePolicy").is_some())
        .unwrap();
    let broken = with_policy["ARN"].as_str().unwrap().to_owned();
    with_policy["ResourcePolicy"] = json!("{\"Version\": \"2012-10-17\", \"Statement\": [");
    std::fs::write(&policies, outputs.to_string()).unwrap();
    let listed = read_json(
        &dir.path()
            .join("us-east-1/secretsmanager/list-secrets.json"),
    );
    let intact = listed["SecretList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["ARN"].as_str().unwrap().to_owned())
        .find(|arn| *arn != broken && arn.contains(":secret:prod/"))
        .unwrap_or_else(|| panic!("another secret in {listed}"));

    let home = tempfile::tempdir().unwrap();
    let snapshot = dir.path().to_str().unwrap();
    let rule = "secretsmanager-policy-not-public";
    let run = |endpoint: &str, invoking: Value, extra: &[&str]| {
        let event = home.path().join("event.json");
        let body = json!({"invokingEvent": invoking.to_string(), "ruleParameters": "{}",
            "resultToken": "TESTMODE", "eventLeftScope": false,
            "configRuleArn": "arn:aws:config:us-east-1:111122223333:config-rule/config-rule-abc",
            "configRuleName": rule, "accountId": "111122223333"});
        std::fs::write(&event, body.to_string()).unwrap();
        let mut args = vec![
            "config-rule",
            "--event",
            event.to_str().unwrap(),
            "--snapshot",
            snapshot,
        ];
        args.extend(["--max-attempts", "1"]);
        args.extend(extra);
        let output = secaudit(endpoint, home.path(), &args);
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        let summary: Value =
            serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
        (output.status.code(), summary, stderr)
    };
    let change = |arn: &str| {
        json!({"configurationItem": {"configurationItemCaptureTime": "2026-11-01T01:36:34.043Z",
            "awsAccountId": "111122223333", "configurationItemStatus": "OK", "resourceId": arn,
            "ARN": arn, "awsRegion": "us-east-1", "resourceType": "AWS::SecretsManager::Secret",
            "tags": {}, "relationships": [], "configuration": {}},
            "notificationCreationTime": "2026-11-01T01:36:35.000Z",
            "messageType": "ConfigurationItemChangeNotification", "recordVersion": "1.3"})
    };
    // Offline: nothing listens on port 9.
    let (code, summary, stderr) = run("http://127.0.0.1:9", change(&broken), &["--dry-run"]);
    assert_eq!(code, Some(3), "{summary} {stderr}");
    assert_eq!(summary["evaluations"], json!([]), "{summary}");
    assert_eq!(summary["insufficient_data"], 1, "{summary}");
    assert!(stderr.contains("get-resource-policy.json"), "{stderr}");
    let (code, summary, stderr) = run("http://127.0.0.1:9", change(&intact), &["--dry-run"]);
    assert_eq!(code, Some(0), "{summary} {stderr}");
    let evaluations = summary["evaluations"].as_array().unwrap();
    assert_eq!(evaluations.len(), 1, "{summary}");
    assert_eq!(evaluations[0]["ComplianceResourceId"], intact.as_str());
    assert_ne!(evaluations[0]["ComplianceType"], "INSUFFICIENT_DATA");

    let scheduled = json!({"awsAccountId": "111122223333", "notificationCreationTime": "2026-11-01T00:00:00.000Z",
        "messageType": "ScheduledNotification", "recordVersion": "1.0"});
    let (code, dry, stderr) = run(&server.endpoint, scheduled.clone(), &["--dry-run"]);
    assert_eq!(code, Some(3), "{dry} {stderr}");
    let evaluations = dry["evaluations"].as_array().unwrap();
    assert!(evaluations.len() > 10, "{dry}");
    assert!(
        evaluations
            .iter()
            .all(|e| e["ComplianceResourceId"] != broken.as_str()),
        "{dry}"
    );
    assert!(
        evaluations
            .iter()
            .any(|e| e["ComplianceResourceId"] == intact.as_str())
    );
    assert_eq!(dry["insufficient_data"], 1, "{dry}");
    let (code, sent, stderr) = run(&server.endpoint, scheduled, &["--test-mode"]);
    assert_eq!(code, Some(3), "{sent} {stderr}");
    assert_eq!(sent["sent"], evaluations.len(), "{sent}");
    assert_eq!(sent["failed"], json!([]));
}

/// The Config rule collects for one rule only what that rule reads
/// (`config_rule::unread_services`, from the rules' declared reads): for every rule, its findings
/// on such a collection equal its findings on a full one (the secret deleted after the listing
/// aside). A rule that read data it does not declare would differ here.
#[cfg(feature = "config-rule")]
#[tokio::test]
async fn collecting_only_what_a_rule_reads_judges_as_a_full_collection() {
    use secaudit::rules::{Catalogue, RuleConfig, run_audit};

    let catalogue = Catalogue::builtin().unwrap();
    let collect_with = |skip: Vec<secaudit::collect::Service>| async move {
        let fake = FakeAws::new(per_secret_account);
        let dir = tempfile::tempdir().unwrap();
        let mut options = fake_options(&fake);
        options.skip.extend(skip);
        collect(&options, dir.path(), std::sync::Arc::new(NoProgress))
            .await
            .unwrap();
        (Snapshot::load(dir.path()).unwrap(), fake.requests().len())
    };
    let (full, full_calls) = collect_with(Vec::new()).await;
    // The two rules that judge nothing unconfigured, configured.
    let config = RuleConfig::from_json_for(
        r#"{"secretsmanager-secret-broad-readers": {"maxReaders": 1},
            "secretsmanager-credential-lifetime": {"maxCredentialLifetimeDays": 30}}"#,
        &catalogue,
    )
    .unwrap();
    let mut fewer = 0;
    for meta in catalogue.rules() {
        let skip = config_rule::unread_services(&meta.id);
        let (narrow, calls) = collect_with(skip.clone()).await;
        let judged = |snapshot: &Snapshot| {
            run_audit(
                &catalogue,
                snapshot,
                &config,
                std::slice::from_ref(&meta.id),
                now(),
            )
            .unwrap()
            .findings
            .into_iter()
            // Deleted between the listing and its per-secret calls: only a run that makes
            // those calls learns it is gone (a run without them judges it as listed).
            .filter(|finding| finding.resource.id != GONE_SECRET)
            .collect::<Vec<_>>()
        };
        assert_eq!(
            judged(&narrow),
            judged(&full),
            "{}: skipping {skip:?}",
            meta.id
        );
        assert!(calls <= full_calls);
        if calls < full_calls {
            fewer += 1;
        }
    }
    assert!(fewer >= 10, "most rules need less than everything: {fewer}");
}
