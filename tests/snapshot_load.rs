//! Loading account snapshots: the demo snapshot, every kind of malformed file (the exact error
//! line, one fixture directory each under `tests/fixtures/snapshots/bad/`), epoch and ISO
//! timestamps, URL-encoded IAM documents, coverage that marks an API as not collected, and a
//! snapshot assembled only from AWS CLI output as `docs/snapshot.md` documents it.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions fail loudly by design"
)]

use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use secaudit::snapshot::{Api, Availability, ResourcePolicyState, Snapshot};
use serde_json::{Value, json};

const DEMO: &str = "fixtures/snapshots/demo";
const ACCOUNT: &str = "111122223333";

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn demo() -> Snapshot {
    Snapshot::load(Path::new(DEMO)).unwrap()
}

fn demo_arn(region: &str, name_and_suffix: &str) -> String {
    format!("arn:aws:secretsmanager:{region}:{ACCOUNT}:secret:{name_and_suffix}")
}

/// Writes `files` (relative path → JSON value or raw text) into a fresh temporary directory.
fn snapshot_dir(files: &[(&str, Value)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (relative, content) in files {
        let path = dir.path().join(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        let text = match content {
            Value::String(raw) => raw.clone(),
            other => serde_json::to_string_pretty(other).unwrap(),
        };
        fs::write(path, text).unwrap();
    }
    dir
}

fn meta(coverage: Value) -> Value {
    json!({"schema_version": 1, "account_id": ACCOUNT, "partition": "aws",
           "collected_at": "2026-11-01T00:00:00Z", "regions": ["us-east-1", "eu-west-1"],
           "coverage": coverage})
}

// --- the demo --------------------------------------------------------------------------------

#[test]
fn demo_loads_with_its_accounts_regions_and_secrets() {
    let snapshot = demo();
    assert_eq!(snapshot.meta.account_id, ACCOUNT);
    assert_eq!(snapshot.meta.partition, "aws");
    assert_eq!(snapshot.meta.collected_at, utc("2026-11-01T00:00:00Z"));
    assert_eq!(snapshot.meta.regions, ["us-east-1", "eu-west-1"]);
    assert_eq!(
        snapshot.regions.keys().collect::<Vec<_>>(),
        ["eu-west-1", "us-east-1"]
    );
    let count = |region: &str| {
        snapshot.regions[region]
            .secrets
            .as_ref()
            .map(Vec::len)
            .unwrap()
    };
    assert_eq!((count("us-east-1"), count("eu-west-1")), (21, 7));
    assert_eq!(snapshot.secrets().count(), 28);
    // Secrets are sorted by ARN within a region.
    let arns: Vec<&str> = snapshot.regions["us-east-1"]
        .secrets
        .as_ref()
        .unwrap()
        .iter()
        .map(|secret| secret.arn.as_str())
        .collect();
    let mut sorted = arns.clone();
    sorted.sort_unstable();
    assert_eq!(arns, sorted);
}

#[test]
fn demo_collects_every_api_in_every_region() {
    let snapshot = demo();
    for region in ["us-east-1", "eu-west-1"] {
        for api in Api::ALL {
            assert_eq!(
                snapshot.availability(region, api),
                Availability::Collected,
                "{region} {api:?}"
            );
        }
    }
    assert!(matches!(
        snapshot.availability("ap-south-1", Api::ListSecrets),
        Availability::Missing { reason } if reason == "region `ap-south-1` is not in the snapshot"
    ));
}

#[test]
fn demo_secret_fields_merge_list_and_describe() {
    let snapshot = demo();
    let (region, db) = snapshot
        .find_secret(&demo_arn("us-east-1", "prod/db-Xk9pQ2"))
        .unwrap();
    assert_eq!(region, "us-east-1");
    assert_eq!(db.name, "prod/db");
    assert_eq!(db.kms_key_id.as_deref(), Some("alias/prod-secrets"));
    assert!(db.rotation_is_enabled());
    let rules = db.rotation_rules.as_ref().unwrap();
    assert_eq!(rules.schedule_expression.as_deref(), Some("rate(30 days)"));
    assert_eq!(rules.automatically_after_days, Some(30));
    assert_eq!(rules.duration.as_deref(), Some("2h"));
    assert_eq!(db.last_rotated_date, Some(utc("2026-10-15T04:12:33.412Z")));
    assert_eq!(db.last_accessed_date, Some(utc("2026-10-31T00:00:00Z")));
    assert_eq!(db.tag("team"), Some("orders"));
    assert_eq!(
        db.version_with_stage("AWSCURRENT"),
        Some("d6c2a8f0-3b1e-4c5d-9a7f-0e2b4c6d8a1f")
    );

    // ReplicationStatus only comes from describe-secret.
    let redis = snapshot
        .find_secret(&demo_arn("us-east-1", "prod/orders/redis-auth-Kl9Mn0"))
        .unwrap()
        .1;
    assert_eq!(redis.replication_status.len(), 1);
    assert_eq!(redis.replication_status[0].region, "eu-west-1");
    assert_eq!(
        redis.replication_status[0].status.as_deref(),
        Some("Failed")
    );
    assert!(
        snapshot.regions["us-east-1"]
            .described
            .as_ref()
            .unwrap()
            .contains(&redis.arn)
    );

    let replica = snapshot
        .find_secret(&demo_arn("eu-west-1", "prod/orders/rabbitmq-Gh7Ij8"))
        .unwrap()
        .1;
    assert!(replica.is_replica());
    assert!(!redis.is_replica());

    let deleted = snapshot
        .find_secret(&demo_arn("us-east-1", "legacy/ldap-bind-Mn7Op8"))
        .unwrap()
        .1;
    assert!(deleted.is_pending_deletion());

    let scratch = snapshot
        .find_secret(&demo_arn("us-east-1", "dev/scratch/test-token-Uv1Wx2"))
        .unwrap()
        .1;
    assert_eq!(scratch.rotation_enabled, None);
    assert_eq!(scratch.user_tags().count(), 0);
    assert_eq!(scratch.last_accessed_date, None);

    let managed = snapshot
        .find_secret(&demo_arn(
            "us-east-1",
            "rds!cluster-b71d0c4e-2f9a-4e83-a6c5-19d8e7f60a2b-Ef3Gh4",
        ))
        .unwrap()
        .1;
    assert_eq!(managed.owning_service.as_deref(), Some("rds"));
    assert_eq!(managed.rotation_lambda_arn, None);
    assert_eq!(
        managed.tag("aws:rds:primaryDBClusterArn"),
        Some("arn:aws:rds:us-east-1:111122223333:cluster:analytics-aurora")
    );
    assert_eq!(managed.user_tags().count(), 0);
}

#[test]
fn demo_rds_kms_policies_and_versions() {
    let snapshot = demo();
    let us = &snapshot.regions["us-east-1"];
    let impaired: Vec<&str> = us
        .db_clusters
        .as_ref()
        .unwrap()
        .iter()
        .filter_map(|cluster| {
            let secret = cluster.master_user_secret.as_ref()?;
            (secret.secret_status.as_deref() == Some("impaired"))
                .then_some(cluster.identifier.as_str())
        })
        .collect();
    assert_eq!(impaired, ["analytics-aurora"]);
    let billing = us
        .db_instances
        .as_ref()
        .unwrap()
        .iter()
        .find(|instance| instance.identifier == "billing-postgres")
        .unwrap();
    let secret_arn = &billing.master_user_secret.as_ref().unwrap().secret_arn;
    assert!(us.secret(secret_arn).is_some());

    // KMS: alias, alias ARN, key id and key ARN all resolve; the AWS managed key is AWS.
    let prod = us.resolve_kms_key("alias/prod-secrets").unwrap();
    assert!(prod.is_customer_managed());
    assert_eq!(
        us.resolve_kms_key("arn:aws:kms:us-east-1:111122223333:alias/prod-secrets"),
        Some(prod)
    );
    assert_eq!(us.resolve_kms_key(&prod.key_id), Some(prod));
    assert_eq!(us.resolve_kms_key(prod.arn.as_deref().unwrap()), Some(prod));
    let default = us.resolve_kms_key("alias/aws/secretsmanager").unwrap();
    assert_eq!(default.key_manager.as_deref(), Some("AWS"));
    assert_eq!(
        us.resolve_kms_key("alias/analytics")
            .unwrap()
            .key_state
            .as_deref(),
        Some("Disabled")
    );
    assert_eq!(us.resolve_kms_key("alias/aws/dynamodb"), None);

    // Resource policies: a document, none, and not collected for the secret pending deletion.
    match us.resource_policy(&demo_arn("us-east-1", "shared/datadog-api-key-Yz3Ab4")) {
        ResourcePolicyState::Policy(document) => {
            assert_eq!(document["Statement"][0]["Principal"], json!("*"));
        }
        other => panic!("expected a policy, got {other:?}"),
    }
    assert_eq!(
        us.resource_policy(&demo_arn("us-east-1", "dev/scratch/test-token-Uv1Wx2")),
        ResourcePolicyState::NoPolicy
    );
    assert_eq!(
        us.resource_policy(&demo_arn("us-east-1", "legacy/ldap-bind-Mn7Op8")),
        ResourcePolicyState::NotCollected
    );

    let versions = us
        .versions_of(&demo_arn("us-east-1", "prod/reporting/warehouse-Hb2Kc5"))
        .unwrap();
    assert_eq!(versions.len(), 3);
    assert!(
        versions
            .iter()
            .any(|version| version.version_stages == ["AWSPENDING"])
    );
}

#[test]
fn demo_cloudtrail_iam_and_organizations() {
    let snapshot = demo();
    let events = snapshot.regions["us-east-1"]
        .cloudtrail_events
        .as_ref()
        .unwrap();
    // Oldest first.
    assert!(
        events
            .windows(2)
            .all(|pair| pair[0].event_time <= pair[1].event_time)
    );
    let warehouse = demo_arn("us-east-1", "prod/reporting/warehouse-Hb2Kc5");
    let failures: Vec<_> = events
        .iter()
        .filter(|event| {
            event.event_name == "RotationFailed"
                && event.concerns_secret(&warehouse, "prod/reporting/warehouse")
        })
        .collect();
    assert_eq!(failures.len(), 5);
    assert!(
        failures[0]
            .error_message
            .as_deref()
            .unwrap()
            .starts_with("setSecret: Unable to log into database")
    );
    let ldap = demo_arn("us-east-1", "legacy/ldap-bind-Mn7Op8");
    let marked: Vec<_> = events
        .iter()
        .filter(|event| {
            event.event_name == "GetSecretValue"
                && event.concerns_secret(&ldap, "legacy/ldap-bind")
                && event
                    .error_message
                    .as_deref()
                    .is_some_and(|message| message.contains("marked for deletion"))
        })
        .collect();
    assert_eq!(marked.len(), 3);
    assert_eq!(
        marked[0].error_code.as_deref(),
        Some("InvalidRequestException")
    );
    assert_eq!(
        marked[0].user_arn.as_deref(),
        Some("arn:aws:sts::111122223333:assumed-role/legacy-ldap-sync/i-0a1b2c3d4e5f60718")
    );

    let iam = snapshot.iam.as_ref().unwrap();
    assert_eq!(
        (
            iam.users.len(),
            iam.groups.len(),
            iam.roles.len(),
            iam.policies.len()
        ),
        (4, 3, 6, 5)
    );
    let jane = iam
        .user("arn:aws:iam::111122223333:user/contractors/contractor-jane")
        .unwrap();
    let documents = iam.user_documents(jane);
    assert_eq!(
        documents
            .boundary
            .as_ref()
            .map(|boundary| boundary.name.as_str()),
        Some("arn:aws:iam::111122223333:policy/boundaries/DeveloperBoundary")
    );
    assert_eq!(documents.identity.len(), 1);
    assert!(documents.unresolved.is_empty());
    // The default version (v2), not v1.
    assert_eq!(
        documents.identity[0].document["Statement"][0]["Sid"],
        "ReadDevSecrets"
    );

    let orders = iam
        .role("arn:aws:iam::111122223333:role/orders-api")
        .unwrap();
    assert_eq!(orders.tags.len(), 2);
    let role_documents = iam.role_documents(orders);
    assert_eq!(
        role_documents.identity[0].name,
        "role/orders-api/orders-secrets"
    );
    assert_eq!(
        role_documents.identity[0].document["Statement"][0]["Resource"][1],
        "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-*"
    );

    let organizations = snapshot.organizations.as_ref().unwrap();
    assert_eq!(organizations.scps.len(), 3);
    assert_eq!(organizations.rcps.len(), 3);
    assert_eq!(organizations.scps[0][0].name, "FullAWSAccess");
    assert_eq!(organizations.scps[1][1].name, "workloads-allowed-regions");
    assert!(organizations.scps[0][1].document["Statement"].is_array());
}

#[test]
fn demo_loads_identically_twice() {
    assert_eq!(demo(), demo());
}

// --- malformed files -------------------------------------------------------------------------

#[test]
fn every_bad_fixture_fails_with_its_exact_error_line() {
    let root = Path::new("tests/fixtures/snapshots/bad");
    let mut cases: Vec<PathBuf> = fs::read_dir(root)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 20, "found only {} bad fixtures", cases.len());
    for case in cases {
        let expected = fs::read_to_string(case.join("expected-error.txt")).unwrap();
        let dir = format!(
            "tests/fixtures/snapshots/bad/{}",
            case.file_name().unwrap().to_str().unwrap()
        );
        let error = Snapshot::load(Path::new(&dir)).unwrap_err();
        assert_eq!(error.to_string(), expected.trim_end(), "case {dir}");
        assert!(!error.to_string().contains('\n'), "one line: {dir}");
    }
}

#[test]
fn not_a_directory_is_an_error() {
    let error = Snapshot::load(Path::new("tests/snapshot_load.rs")).unwrap_err();
    assert_eq!(
        error.to_string(),
        "cannot load snapshot `tests/snapshot_load.rs`: not a directory"
    );
}

// --- timestamps ------------------------------------------------------------------------------

#[test]
fn epoch_and_iso_timestamps_load_to_the_same_secret() {
    let iso = json!({"SecretList": [{
        "ARN": "arn:aws:secretsmanager:us-east-1:111122223333:secret:app-AbCdEf", "Name": "app",
        "RotationEnabled": true, "RotationRules": {"AutomaticallyAfterDays": 30},
        "LastRotatedDate": "2026-10-15T04:12:33.500000+00:00",
        "LastChangedDate": "2026-10-15T06:12:33.5+02:00",
        "LastAccessedDate": "2026-10-31T00:00:00Z",
        "NextRotationDate": "2026-11-14T23:59:59",
        "CreatedDate": "2025-01-01T00:00:00+00:00"}]});
    // CLI v1 / the raw API: epoch seconds, integer or fractional.
    let epoch = json!({"SecretList": [{
        "ARN": "arn:aws:secretsmanager:us-east-1:111122223333:secret:app-AbCdEf", "Name": "app",
        "RotationEnabled": true, "RotationRules": {"AutomaticallyAfterDays": 30},
        "LastRotatedDate": 1_792_037_553.5,
        "LastChangedDate": 1_792_037_553.5,
        "LastAccessedDate": 1_793_404_800,
        "NextRotationDate": 1_794_700_799.0,
        "CreatedDate": 1_735_689_600}]});
    let load = |list: Value| {
        let dir = snapshot_dir(&[
            ("snapshot.json", meta(json!([]))),
            ("us-east-1/secretsmanager/list-secrets.json", list),
        ]);
        Snapshot::load(dir.path()).unwrap().regions["us-east-1"]
            .secrets
            .clone()
            .unwrap()
    };
    let from_iso = load(iso);
    let from_epoch = load(epoch);
    assert_eq!(from_iso, from_epoch);
    assert_eq!(
        from_iso[0].last_rotated_date,
        Some(utc("2026-10-15T04:12:33.5Z"))
    );
    assert_eq!(
        from_iso[0].next_rotation_date,
        Some(utc("2026-11-14T23:59:59Z"))
    );
}

#[test]
fn collected_at_may_be_epoch_seconds() {
    let mut meta = meta(json!([]));
    meta["collected_at"] = json!(1_793_491_200);
    let dir = snapshot_dir(&[("snapshot.json", meta)]);
    let snapshot = Snapshot::load(dir.path()).unwrap();
    assert_eq!(snapshot.meta.collected_at, utc("2026-11-01T00:00:00Z"));
}

// --- IAM documents -----------------------------------------------------------------------------

/// Percent-encodes like the IAM API (RFC 3986: everything but unreserved characters).
fn url_encode(document: &Value) -> String {
    let text = document.to_string();
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[test]
fn url_encoded_gaad_documents_decode_to_the_cli_v2_form() {
    let decoded =
        fs::read_to_string(format!("{DEMO}/iam/get-account-authorization-details.json")).unwrap();
    let decoded: Value = serde_json::from_str(&decoded).unwrap();
    // Turn every document of the CLI v2 output into the API's URL-encoded string.
    let mut encoded = decoded.clone();
    for list in ["UserDetailList", "GroupDetailList", "RoleDetailList"] {
        for entity in encoded[list].as_array_mut().unwrap() {
            for inline in ["UserPolicyList", "GroupPolicyList", "RolePolicyList"] {
                if let Some(policies) = entity.get_mut(inline).and_then(Value::as_array_mut) {
                    for policy in policies {
                        policy["PolicyDocument"] = json!(url_encode(&policy["PolicyDocument"]));
                    }
                }
            }
            if let Some(trust) = entity.get_mut("AssumeRolePolicyDocument") {
                *trust = json!(url_encode(trust));
            }
        }
    }
    for policy in encoded["Policies"].as_array_mut().unwrap() {
        for version in policy["PolicyVersionList"].as_array_mut().unwrap() {
            version["Document"] = json!(url_encode(&version["Document"]));
        }
    }
    assert!(
        encoded["RoleDetailList"][0]["AssumeRolePolicyDocument"]
            .as_str()
            .unwrap()
            .starts_with("%7B%22")
    );
    let load = |gaad: Value| {
        let dir = snapshot_dir(&[
            ("snapshot.json", meta(json!([]))),
            ("iam/get-account-authorization-details.json", gaad),
        ]);
        Snapshot::load(dir.path()).unwrap().iam.unwrap()
    };
    let from_decoded = load(decoded);
    let from_encoded = load(encoded);
    assert_eq!(from_decoded, from_encoded);
    assert_eq!(from_encoded.roles.len(), 6);
}

// --- coverage ------------------------------------------------------------------------------------

#[test]
fn coverage_that_denies_an_api_wins_over_a_present_file() {
    let coverage = json!([
        {"region": "eu-west-1", "api": "*", "status": "denied",
         "message": "SCP workloads-allowed-regions denies eu-west-1"},
        {"region": "us-east-1", "api": "secretsmanager:GetResourcePolicy", "status": "throttled",
         "message": "ThrottlingException: Rate exceeded"},
        {"region": "global", "api": "iam:GetAccountAuthorizationDetails", "status": "denied",
         "message": "AccessDenied"},
        {"region": "us-east-1", "api": "secretsmanager:ListSecrets", "status": "ok"}
    ]);
    let list = json!({"SecretList": [{
        "ARN": "arn:aws:secretsmanager:us-east-1:111122223333:secret:app-AbCdEf", "Name": "app"}]});
    let dir = snapshot_dir(&[
        ("snapshot.json", meta(coverage)),
        ("us-east-1/secretsmanager/list-secrets.json", list.clone()),
        // Present, even malformed, but coverage says not collected: not read at all.
        (
            "us-east-1/secretsmanager/get-resource-policy.json",
            json!("{ broken"),
        ),
        (
            "eu-west-1/secretsmanager/list-secrets.json",
            json!({"SecretList": []}),
        ),
        (
            "iam/get-account-authorization-details.json",
            json!({"UserDetailList": []}),
        ),
    ]);
    let snapshot = Snapshot::load(dir.path()).unwrap();

    assert_eq!(
        snapshot.availability("us-east-1", Api::ListSecrets),
        Availability::Collected
    );
    assert_eq!(
        snapshot.availability("us-east-1", Api::GetResourcePolicy),
        Availability::Missing {
            reason: "coverage: `secretsmanager:GetResourcePolicy` in `us-east-1` was throttled: \
                     ThrottlingException: Rate exceeded"
                .into()
        }
    );
    assert_eq!(snapshot.regions["us-east-1"].resource_policies, None);
    assert_eq!(
        snapshot.regions["us-east-1"]
            .resource_policy("arn:aws:secretsmanager:us-east-1:111122223333:secret:app-AbCdEf"),
        ResourcePolicyState::NotCollected
    );
    for api in Api::REGIONAL {
        assert!(
            matches!(
                snapshot.availability("eu-west-1", api),
                Availability::Missing { ref reason } if reason.ends_with(
                    "in `eu-west-1` was denied: SCP workloads-allowed-regions denies eu-west-1")
            ),
            "{api:?}"
        );
    }
    assert_eq!(snapshot.regions["eu-west-1"].secrets, None);
    assert_eq!(snapshot.iam, None);
    assert_eq!(
        snapshot.availability_by_name("us-east-1", "iam:GetAccountAuthorizationDetails"),
        Availability::Missing {
            reason: "coverage: `iam:GetAccountAuthorizationDetails` was denied: AccessDenied"
                .into()
        }
    );
    // A file that is simply absent.
    assert_eq!(
        snapshot.availability("us-east-1", Api::LookupEvents),
        Availability::Missing {
            reason: "not collected: `us-east-1/cloudtrail/lookup-events.json` is missing from \
                     the snapshot"
                .into()
        }
    );
}

// --- a snapshot built with the AWS CLI alone ---------------------------------------------------

/// The files as `docs/snapshot.md` builds them: the CLI's own output (here CLI v1 style, epoch
/// timestamps, URL-encoded IAM documents), per-secret outputs gathered with `jq -s`, and a
/// hand-written `snapshot.json`. Fields the loader does not know are ignored.
#[test]
fn a_snapshot_built_only_from_aws_cli_output_loads() {
    let arn = "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/app-a1B2c3";
    let list_secrets = r#"{
    "SecretList": [
        {
            "ARN": "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/app-a1B2c3",
            "Name": "prod/app",
            "KmsKeyId": "alias/app",
            "RotationEnabled": true,
            "RotationLambdaARN": "arn:aws:lambda:us-east-1:111122223333:function:rotate",
            "RotationRules": {"AutomaticallyAfterDays": 30, "ScheduleExpression": "rate(30 days)"},
            "LastRotatedDate": 1792037553.521,
            "LastChangedDate": 1792037553.521,
            "LastAccessedDate": 1793404800.0,
            "NextRotationDate": 1794700799.0,
            "Tags": [{"Key": "team", "Value": "app"}],
            "SecretVersionsToStages": {"v-1": ["AWSCURRENT"]},
            "CreatedDate": 1735689600.0,
            "SomeFieldAddedIn2030": {"nested": true}
        }
    ]
}"#;
    let describe = format!(
        r#"[{{"ARN": "{arn}", "Name": "prod/app", "PrimaryRegion": "us-east-1",
              "ReplicationStatus": [{{"Region": "us-west-2", "Status": "InSync",
                                     "LastAccessedDate": 1793318400.0}}],
              "VersionIdsToStages": {{"v-1": ["AWSCURRENT"]}}}}]"#
    );
    let versions = format!(
        r#"[{{"Versions": [{{"VersionId": "v-1", "VersionStages": ["AWSCURRENT"],
              "LastAccessedDate": 1793404800.0, "CreatedDate": 1792037553.0,
              "KmsKeyIds": ["DefaultEncryptionKey"]}}], "ARN": "{arn}", "Name": "prod/app"}}]"#
    );
    let policy = format!(
        r#"[{{"ARN": "{arn}", "Name": "prod/app",
              "ResourcePolicy": "{{\n  \"Version\" : \"2012-10-17\",\n  \"Statement\" : [ {{\n    \"Effect\" : \"Deny\",\n    \"Principal\" : \"*\",\n    \"Action\" : \"secretsmanager:DeleteSecret\",\n    \"Resource\" : \"*\"\n  }} ]\n}}"}}]"#
    );
    let gaad = r#"{"UserDetailList": [], "GroupDetailList": [], "Policies": [],
        "RoleDetailList": [{"Path": "/", "RoleName": "app", "RoleId": "AROAEXAMPLE",
            "Arn": "arn:aws:iam::111122223333:role/app", "CreateDate": 1700000000.0,
            "AssumeRolePolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22ecs-tasks.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D",
            "InstanceProfileList": [], "RolePolicyList": [], "AttachedManagedPolicies": [],
            "RoleLastUsed": {}}],
        "IsTruncated": false}"#;
    let keys = r#"[{"KeyMetadata": {"AWSAccountId": "111122223333",
        "KeyId": "0a1b2c3d-0000-4000-8000-000000000001",
        "Arn": "arn:aws:kms:us-east-1:111122223333:key/0a1b2c3d-0000-4000-8000-000000000001",
        "CreationDate": 1700000000.0, "Enabled": true, "KeyManager": "CUSTOMER",
        "KeyState": "Enabled"}}]"#;
    let aliases = r#"{"Aliases": [{"AliasName": "alias/app",
        "AliasArn": "arn:aws:kms:us-east-1:111122223333:alias/app",
        "TargetKeyId": "0a1b2c3d-0000-4000-8000-000000000001"}]}"#;
    let snapshot_json = r#"{"schema_version": 1, "account_id": "111122223333",
        "partition": "aws", "collected_at": "2026-11-01T00:00:00Z",
        "regions": ["us-east-1"], "coverage": []}"#;
    let dir = snapshot_dir(&[
        ("snapshot.json", json!(snapshot_json)),
        (
            "us-east-1/secretsmanager/list-secrets.json",
            json!(list_secrets),
        ),
        (
            "us-east-1/secretsmanager/describe-secret.json",
            json!(describe),
        ),
        (
            "us-east-1/secretsmanager/list-secret-version-ids.json",
            json!(versions),
        ),
        (
            "us-east-1/secretsmanager/get-resource-policy.json",
            json!(policy),
        ),
        ("us-east-1/kms/describe-key.json", json!(keys)),
        ("us-east-1/kms/list-aliases.json", json!(aliases)),
        ("iam/get-account-authorization-details.json", json!(gaad)),
    ]);
    let snapshot = Snapshot::load(dir.path()).unwrap();
    let (_, secret) = snapshot.find_secret(arn).unwrap();
    assert_eq!(secret.last_accessed_date, Some(utc("2026-10-31T00:00:00Z")));
    assert_eq!(secret.replication_status[0].region, "us-west-2");
    assert_eq!(secret.primary_region.as_deref(), Some("us-east-1"));
    let us = &snapshot.regions["us-east-1"];
    assert!(
        us.resolve_kms_key("alias/app")
            .unwrap()
            .is_customer_managed()
    );
    assert_eq!(
        us.versions_of(arn).unwrap()[0].kms_key_ids,
        ["DefaultEncryptionKey"]
    );
    match us.resource_policy(arn) {
        ResourcePolicyState::Policy(document) => {
            assert_eq!(document["Statement"][0]["Effect"], "Deny");
        }
        other => panic!("expected a policy, got {other:?}"),
    }
    let role = &snapshot.iam.as_ref().unwrap().roles[0];
    assert_eq!(
        role.assume_role_policy_document.as_ref().unwrap()["Statement"][0]["Principal"]["Service"],
        "ecs-tasks.amazonaws.com"
    );
    // Files not built are reported as not collected, never as empty.
    assert!(
        !snapshot
            .availability("us-east-1", Api::LookupEvents)
            .is_collected()
    );
    assert!(
        !snapshot
            .availability("us-east-1", Api::DescribeDbClusters)
            .is_collected()
    );
    assert!(
        !snapshot
            .availability("global", Api::OrganizationsPolicies)
            .is_collected()
    );
    assert_eq!(snapshot.organizations, None);
}

// --- the script of docs/snapshot.md, run against a fake AWS CLI --------------------------------

/// A stand-in for the `aws` command that answers from the demo snapshot: the organization is
/// root → one OU → the account, eu-west-1 CloudTrail is throttled, and `get-resource-policy`
/// refuses the secret marked for deletion, as AWS does. Every call is appended to `$CALLS`.
const FAKE_AWS: &str = r#"
import json, os, sys
DEMO = os.environ["DEMO"]
args = sys.argv[1:]
with open(os.environ["CALLS"], "a") as f:
    f.write(" ".join(args) + "\n")
def opt(name):
    return args[args.index(name) + 1] if name in args else None
def load(rel):
    with open(os.path.join(DEMO, rel)) as f:
        return json.load(f)
def out(value):
    print(json.dumps(value, indent=4))
    sys.exit(0)
def fail(code, message):
    sys.stderr.write(f"\nAn error occurred ({code}) when calling the operation: {message}\n")
    sys.exit(254)
service, op, region = args[0], args[1], opt("--region")
if "get-secret-value" in args or "batch-get-secret-value" in args:
    fail("Forbidden", "the snapshot must never read secret values")
if service == "sts":
    print("111122223333" if opt("--query") == "Account" else "arn:aws:sts::111122223333:assumed-role/auditor/s")
    sys.exit(0)
if service == "secretsmanager":
    if op == "list-secrets":
        if "--include-planned-deletion" not in args:
            fail("InvalidArgument", "expected --include-planned-deletion")
        out(load(f"{region}/secretsmanager/list-secrets.json"))
    secret_id = opt("--secret-id")
    if op == "get-resource-policy" and "ldap-bind" in secret_id:
        fail("InvalidRequestException", "You can't perform this operation on the secret because it was marked for deletion.")
    for item in load(f"{region}/secretsmanager/{op}.json"):
        if item["ARN"] == secret_id:
            out(item)
    fail("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
if service == "rds":
    out(load(f"{region}/rds/{op}.json"))
if service == "kms":
    if op == "list-aliases":
        out(load(f"{region}/kms/list-aliases.json"))
    key_id = opt("--key-id")
    if op == "get-key-policy":
        if opt("--policy-name") != "default":
            fail("InvalidArgument", "expected --policy-name default")
        for policy in load(f"{region}/kms/get-key-policy.json"):
            if policy["KeyId"] == key_id:
                out({"Policy": policy["Policy"], "PolicyName": "default"})
        fail("NotFoundException", f"Key '{key_id}' does not exist")
    aliases = load(f"{region}/kms/list-aliases.json")["Aliases"]
    target = next((a.get("TargetKeyId") for a in aliases if a["AliasName"] == key_id), key_id)
    for key in load(f"{region}/kms/describe-key.json"):
        if target in (key["KeyMetadata"]["KeyId"], key["KeyMetadata"]["Arn"]):
            out(key)
    fail("NotFoundException", f"Key '{key_id}' does not exist")
if service == "cloudtrail":
    if region == "eu-west-1":
        fail("ThrottlingException", "Rate exceeded")
    out(load(f"{region}/cloudtrail/lookup-events.json"))
if service == "iam":
    out(load("iam/get-account-authorization-details.json"))
if service == "organizations":
    if op == "describe-organization":
        print(load("snapshot.json")["organization_id"])
        sys.exit(0)
    org = load("organizations/policies.json")
    chain = ["r-ab12", "ou-ab12-wkld0001", "111122223333"]
    if op == "list-parents":
        i = chain.index(opt("--child-id"))
        print(f"{chain[i - 1]}\t{'ROOT' if i == 1 else 'ORGANIZATIONAL_UNIT'}")
        sys.exit(0)
    if op == "list-policies-for-target":
        kind = "scps" if opt("--filter") == "SERVICE_CONTROL_POLICY" else "rcps"
        level = org[kind][chain.index(opt("--target-id"))]
        print("\t".join(p["Policy"]["PolicySummary"]["Id"] for p in level))
        sys.exit(0)
    if op == "describe-policy":
        for kind in ("scps", "rcps"):
            for level in org[kind]:
                for p in level:
                    if p["Policy"]["PolicySummary"]["Id"] == opt("--policy-id"):
                        out(p)
fail("InvalidArgument", f"fake aws: unsupported call {args}")
"#;

/// The script of "The one-command version" in `docs/snapshot.md`.
fn documented_script() -> String {
    let doc = fs::read_to_string("docs/snapshot.md").unwrap();
    let section = &doc[doc.find("## The one-command version").unwrap()..];
    let start = section.find("```bash\n").unwrap() + "```bash\n".len();
    let end = section[start..].find("\n```\n").unwrap();
    section[start..start + end].to_owned()
}

fn tools_present() -> bool {
    ["bash", "jq", "python3"].iter().all(|tool| {
        std::process::Command::new(tool)
            .arg("--version")
            .output()
            .is_ok_and(|output| output.status.success())
    })
}

#[test]
fn the_documented_cli_script_rebuilds_the_demo_snapshot() {
    if !tools_present() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "bash, jq and python3 are needed to run the documented snapshot script"
        );
        eprintln!("skipped: bash, jq or python3 missing");
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let bin = work.path().join("bin");
    fs::create_dir_all(&bin).unwrap();
    // The interpreter itself, not a version-manager shim, and `-S`: the script makes ~150 calls.
    let python = std::process::Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .unwrap();
    let python = String::from_utf8(python.stdout).unwrap();
    let fake = bin.join("aws");
    fs::write(&fake, format!("#!{} -S{FAKE_AWS}", python.trim())).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&fake, fs::Permissions::from_mode(0o755)).unwrap();
    }
    let script = work.path().join("snapshot.sh");
    fs::write(&script, documented_script()).unwrap();
    let out_dir = work.path().join("snap");
    let calls = work.path().join("calls.txt");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let demo_dir = fs::canonicalize(DEMO).unwrap();
    let status = std::process::Command::new("bash")
        .arg(&script)
        .env("PATH", path)
        .env("DEMO", &demo_dir)
        .env("CALLS", &calls)
        .env("DIR", &out_dir)
        .env("REGIONS", "us-east-1 eu-west-1")
        .status()
        .unwrap();
    assert!(status.success());

    let built = Snapshot::load(&out_dir).unwrap();
    let demo = demo();
    assert_eq!(built.meta.account_id, ACCOUNT);
    assert_eq!(built.meta.organization_id, demo.meta.organization_id);
    assert!(built.meta.organization_id.is_some());
    for region in ["us-east-1", "eu-west-1"] {
        let (got, want) = (&built.regions[region], &demo.regions[region]);
        assert_eq!(got.secrets, want.secrets, "{region}");
        assert_eq!(got.described, want.described, "{region}");
        assert_eq!(got.versions, want.versions, "{region}");
        assert_eq!(got.resource_policies, want.resource_policies, "{region}");
        assert_eq!(got.db_clusters, want.db_clusters, "{region}");
        assert_eq!(got.db_instances, want.db_instances, "{region}");
        assert_eq!(got.kms_aliases, want.kms_aliases, "{region}");
        assert_eq!(got.key_policies, want.key_policies, "{region}");
        // Only the keys in use are described; each resolves as in the demo.
        for (_, secret) in built.secrets().filter(|(r, _)| *r == region) {
            if let Some(key) = secret.kms_key_id.as_deref() {
                assert_eq!(got.resolve_kms_key(key), want.resolve_kms_key(key), "{key}");
            }
        }
    }
    assert_eq!(
        built.regions["us-east-1"].cloudtrail_events,
        demo.regions["us-east-1"].cloudtrail_events
    );
    assert_eq!(built.iam, demo.iam);
    assert_eq!(built.organizations, demo.organizations);
    // The throttled call is recorded, so the loader reports it instead of an empty answer.
    assert_eq!(
        built.availability("eu-west-1", Api::LookupEvents),
        Availability::Missing {
            reason: "coverage: `cloudtrail:LookupEvents` in `eu-west-1` was throttled: An error \
                     occurred (ThrottlingException) when calling the operation: Rate exceeded"
                .into()
        }
    );
    let calls = fs::read_to_string(&calls).unwrap();
    assert!(!calls.contains("get-secret-value"));
}

/// With `--strict`, every bad fixture stops the run: exit 2 and the loader's line. Without it,
/// only a bad `snapshot.json` does; any other bad file or record is reported in the written
/// report (exit 3) with the same file, JSON path and reason.
#[test]
fn the_cli_exits_2_with_the_loader_line_for_every_bad_fixture() {
    let root = Path::new("tests/fixtures/snapshots/bad");
    let mut cases: Vec<PathBuf> = fs::read_dir(root)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .collect();
    cases.sort();
    for case in cases {
        let name = case.file_name().unwrap().to_str().unwrap().to_owned();
        let dir = format!("tests/fixtures/snapshots/bad/{name}");
        let expected = fs::read_to_string(case.join("expected-error.txt")).unwrap();
        let expected = expected.trim_end();
        let run = |strict: bool| {
            let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_secaudit"));
            command.args(["audit", "--snapshot", &dir, "--format", "json"]);
            if strict {
                command.arg("--strict");
            }
            command.output().unwrap()
        };
        let output = run(true);
        assert_eq!(output.status.code(), Some(2), "{dir}");
        assert!(output.stdout.is_empty(), "{dir}: no report on stdout");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(stderr.contains(expected), "{dir}: stderr was {stderr:?}");

        let output = run(false);
        if name.starts_with("snapshot-json") {
            assert_eq!(output.status.code(), Some(2), "{dir}");
            assert!(output.stdout.is_empty(), "{dir}: no report on stdout");
            continue;
        }
        assert_eq!(output.status.code(), Some(3), "{dir}");
        let report = String::from_utf8(output.stdout).unwrap();
        // `cannot load snapshot `DIR`: FILE: PATH: REASON` → `FILE: PATH`, as JSON text.
        let located = expected.split_once("`: ").unwrap().1;
        let file_and_path: String = located
            .splitn(3, ": ")
            .take(2)
            .collect::<Vec<_>>()
            .join(": ");
        let quoted = serde_json::to_string(&file_and_path).unwrap();
        let needle = quoted.trim_matches('"');
        assert!(report.contains(needle), "{dir}: {needle} not in {report}");
    }
}

#[test]
fn the_demo_files_are_what_generate_py_writes() {
    if !tools_present() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "python3 is needed to check the demo generator"
        );
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("python3")
        .arg(format!("{DEMO}/generate.py"))
        .env("DEMO_OUT", out.path())
        .status()
        .unwrap();
    assert!(status.success());
    let mut stack = vec![PathBuf::new()];
    let mut compared = 0;
    while let Some(relative) = stack.pop() {
        for entry in fs::read_dir(out.path().join(&relative)).unwrap() {
            let entry = entry.unwrap();
            let child = relative.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                stack.push(child);
            } else {
                let generated = fs::read(out.path().join(&child)).unwrap();
                let committed = fs::read(Path::new(DEMO).join(&child)).unwrap();
                assert!(
                    generated == committed,
                    "{} differs from generate.py's output: edit the script and rerun it",
                    child.display()
                );
                compared += 1;
            }
        }
    }
    assert_eq!(compared, 23);
}
