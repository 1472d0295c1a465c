//! Secrets Manager metadata of one account-region, in the CLI's shapes: `list-secrets.json`
//! (`ListSecrets` with `IncludePlannedDeletion`, all pages), and per secret
//! `list-secret-version-ids.json` (`IncludeDeprecated`), `get-resource-policy.json` (not for
//! secrets pending deletion, which it refuses) and `describe-secret.json` (only for multi-Region
//! secrets, those ListSecrets gives a `PrimaryRegion`: for the others ListSecrets already
//! returns everything DescribeSecret would) as JSON arrays sorted by ARN. A secret thus costs
//! two calls, three when replicated, plus its share of a ListSecrets page (100 secrets).
//!
//! Never reads a secret value: GetSecretValue and BatchGetSecretValue are not called anywhere.
//! Coverage is recorded at the granularity of the failure: a secret deleted between the listing
//! and a per-secret call is `gone`, a per-secret call that fails is recorded for that secret
//! alone, and only a failed ListSecrets marks the region's Secrets Manager data as missing.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use tokio::task::JoinSet;

use super::aws_api::AwsApi;
use super::aws_json::{self, epoch_time, list, text};
use super::cli_shape::JsonObject;
use super::coverage::{CallFailure, CoverageStatus};
use super::region_run::RegionRun;
use super::{RegionFiles, next_page_token};

pub(crate) const LIST_SECRETS: &str = "secretsmanager:ListSecrets";
pub(crate) const DESCRIBE_SECRET: &str = "secretsmanager:DescribeSecret";
pub(crate) const LIST_VERSIONS: &str = "secretsmanager:ListSecretVersionIds";
pub(crate) const GET_POLICY: &str = "secretsmanager:GetResourcePolicy";

/// One Secrets Manager call (awsJson 1.1).
async fn call(client: &AwsApi, operation: &str, body: &Value) -> Result<Value, CallFailure> {
    aws_json::json_1_1(client, &format!("secretsmanager.{operation}"), body).await
}

/// `body` with `NextToken` set when there is one.
fn paged(mut body: Value, token: &Option<String>) -> Value {
    if let Some(token) = token {
        body["NextToken"] = json!(token);
    }
    body
}

/// What the other collectors of the region need to know about its secrets.
#[derive(Debug, Clone, Default)]
pub(crate) struct ListedSecret {
    pub(crate) arn: String,
    pub(crate) kms_key_id: Option<String>,
    pub(crate) pending_deletion: bool,
    /// A multi-Region secret (ListSecrets gives its `PrimaryRegion`): only its DescribeSecret
    /// adds something (`ReplicationStatus`).
    pub(crate) replicated: bool,
    /// `OwningService` is `rds`: an RDS-managed master user secret.
    pub(crate) rds_owned: bool,
}

impl ListedSecret {
    /// The per-secret calls this secret costs.
    pub(crate) fn calls(&self) -> usize {
        1 + usize::from(!self.pending_deletion) + usize::from(self.replicated)
    }
}

/// Lists the secrets (all pages); on failure, records it and returns `None`.
pub(crate) async fn list_secrets(
    run: &RegionRun,
    client: &AwsApi,
    files: &mut RegionFiles,
) -> Option<Vec<ListedSecret>> {
    let mut entries: Vec<Value> = Vec::new();
    let mut listed = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let body = paged(
            json!({"IncludePlannedDeletion": true, "MaxResults": 100}),
            &token,
        );
        let page = run
            .call(LIST_SECRETS, || call(client, "ListSecrets", &body))
            .await;
        let page = match page {
            Ok(page) => page,
            Err(failure) => {
                files.failed(LIST_SECRETS, &failure);
                for api in [DESCRIBE_SECRET, LIST_VERSIONS, GET_POLICY] {
                    files.skipped(api, "ListSecrets failed");
                }
                return None;
            }
        };
        for entry in list(&page, "SecretList") {
            listed.push(ListedSecret {
                arn: text(entry, "ARN").unwrap_or_default().to_owned(),
                kms_key_id: text(entry, "KmsKeyId").map(str::to_owned),
                pending_deletion: entry.get("DeletedDate").and_then(epoch_time).is_some(),
                replicated: text(entry, "PrimaryRegion").is_some_and(|r| !r.is_empty()),
                rds_owned: text(entry, "OwningService") == Some("rds"),
            });
            entries.push(secret_list_entry(entry));
        }
        match next_page_token(&token, text(&page, "NextToken")) {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    entries.sort_by(|a, b| a["ARN"].as_str().cmp(&b["ARN"].as_str()));
    listed.sort_by(|a, b| a.arn.cmp(&b.arn));
    listed.dedup_by(|a, b| a.arn == b.arn);
    files.ok(LIST_SECRETS);
    files.write(
        "secretsmanager/list-secrets.json",
        json!({ "SecretList": entries }),
    );
    Some(listed)
}

/// The outcome of one per-secret call.
enum ItemOutcome {
    Found(Value),
    /// The secret was deleted after the listing (ResourceNotFoundException).
    Gone(CallFailure),
    /// The call is refused because the secret is marked for deletion.
    MarkedForDeletion(CallFailure),
    Failed(CallFailure),
}

/// The per-secret APIs and the file each fills.
const PER_SECRET: [(&str, &str); 3] = [
    (DESCRIBE_SECRET, "secretsmanager/describe-secret.json"),
    (LIST_VERSIONS, "secretsmanager/list-secret-version-ids.json"),
    (GET_POLICY, "secretsmanager/get-resource-policy.json"),
];

/// True when AWS refuses a call because the secret is scheduled for deletion.
fn is_marked_for_deletion(failure: &CallFailure) -> bool {
    failure.code.as_deref() == Some("InvalidRequestException")
        && failure.message.contains("marked for deletion")
}

/// Lists every secret's versions, reads its resource policy, and describes the multi-Region
/// secrets (the only ones DescribeSecret tells more about than ListSecrets). A call that fails
/// is recorded for that secret alone (`"resource": <ARN>` in coverage), a secret deleted after
/// the listing is recorded as `gone`, and each file holds every secret that answered; only when
/// every call of an API failed the same way (a missing permission) is one entry written for the
/// whole region instead of one per secret. GetResourcePolicy is not called for secrets pending
/// deletion (AWS refuses it): they get a `skipped` entry. The APIs in `left_out` are not called
/// at all (one `skipped` entry for the region).
pub(crate) async fn describe_secrets(
    run: &RegionRun,
    client: &AwsApi,
    secrets: &[ListedSecret],
    left_out: &[&str],
    files: &mut RegionFiles,
) {
    for api in left_out {
        files.skipped(api, "not called: the rule run does not read it");
    }
    let mut tasks: JoinSet<(&'static str, String, ItemOutcome)> = JoinSet::new();
    let mut attempted: BTreeMap<&'static str, usize> = BTreeMap::new();
    for secret in secrets.iter().filter(|secret| !secret.arn.is_empty()) {
        for (api, _) in PER_SECRET {
            if left_out.contains(&api) {
                continue;
            }
            if api == DESCRIBE_SECRET && !secret.replicated {
                // ListSecrets returned everything DescribeSecret would, ReplicationStatus
                // aside, which only a multi-Region secret has.
                continue;
            }
            if api == GET_POLICY && secret.pending_deletion {
                files.resource(
                    api,
                    &secret.arn,
                    CoverageStatus::Skipped,
                    "not called: the secret is marked for deletion, which GetResourcePolicy refuses"
                        .to_owned(),
                );
                continue;
            }
            *attempted.entry(api).or_default() += 1;
            let run = run.clone();
            let client = client.clone();
            let arn = secret.arn.clone();
            tasks.spawn(async move {
                let result = match api {
                    DESCRIBE_SECRET => describe_secret(&run, &client, &arn).await,
                    LIST_VERSIONS => list_versions(&run, &client, &arn).await,
                    _ => get_resource_policy(&run, &client, &arn).await,
                };
                run.call_done();
                let outcome = match result {
                    Ok(value) => ItemOutcome::Found(value),
                    Err(failure) if failure.is_not_found() => ItemOutcome::Gone(failure),
                    Err(failure) if is_marked_for_deletion(&failure) => {
                        ItemOutcome::MarkedForDeletion(failure)
                    }
                    Err(failure) => ItemOutcome::Failed(failure),
                };
                (api, arn, outcome)
            });
        }
    }
    let mut found: BTreeMap<&'static str, BTreeMap<String, Value>> = BTreeMap::new();
    let mut failures: BTreeMap<&'static str, BTreeMap<String, CallFailure>> = BTreeMap::new();
    let mut gone: BTreeMap<String, (&'static str, CallFailure)> = BTreeMap::new();
    while let Some(joined) = tasks.join_next().await {
        let (api, arn, outcome) = match joined {
            Ok(result) => result,
            Err(error) => {
                tracing::warn!("a collection task stopped: {error}");
                continue;
            }
        };
        match outcome {
            ItemOutcome::Found(value) => {
                found.entry(api).or_default().insert(arn, value);
            }
            ItemOutcome::Gone(failure) => {
                gone.entry(arn).or_insert((api, failure));
            }
            ItemOutcome::MarkedForDeletion(failure) => {
                files.resource(api, &arn, CoverageStatus::Skipped, failure.message);
            }
            ItemOutcome::Failed(failure) => {
                failures.entry(api).or_default().insert(arn, failure);
            }
        }
    }
    if !gone.is_empty() {
        tracing::info!(region = %run.region, "{} secrets were deleted after the listing", gone.len());
    }
    // One `gone` entry per secret, under the first API that found it missing.
    for (arn, (api, failure)) in &gone {
        files.resource(
            api,
            arn,
            CoverageStatus::Gone,
            format!("deleted after ListSecrets: {}", failure.message),
        );
    }
    for (api, file) in PER_SECRET {
        if left_out.contains(&api) {
            continue;
        }
        let failed = failures.remove(api).unwrap_or_default();
        let attempts = attempted.get(api).copied().unwrap_or(0);
        let first = failed.values().next();
        let uniform = first.is_some_and(|first| {
            failed
                .values()
                .all(|failure| failure.status == first.status && failure.code == first.code)
        });
        if let Some(first) = first.filter(|_| uniform && failed.len() == attempts && attempts > 1) {
            // Every call failed alike: the region's data of this API is missing as a whole.
            let failure = CallFailure {
                message: format!("all {attempts} calls failed: {}", first.message),
                ..first.clone()
            };
            files.failed(api, &failure);
            continue;
        }
        for (arn, failure) in &failed {
            files.resource(api, arn, failure.status, failure.message.clone());
        }
        let values: Vec<Value> = found
            .remove(api)
            .unwrap_or_default()
            .into_values()
            .collect();
        if failed.is_empty() {
            files.ok(api);
        } else {
            files.ok_with(
                api,
                format!(
                    "{} of {attempts} secrets not collected (see their entries)",
                    failed.len()
                ),
            );
        }
        files.write(file, Value::Array(values));
    }
}

pub(crate) async fn describe_secret(
    run: &RegionRun,
    client: &AwsApi,
    arn: &str,
) -> Result<Value, CallFailure> {
    let body = json!({"SecretId": arn});
    let output = run
        .call(DESCRIBE_SECRET, || call(client, "DescribeSecret", &body))
        .await?;
    Ok(secret_fields(&output, "VersionIdsToStages")
        .list(
            "ReplicationStatus",
            list(&output, "ReplicationStatus")
                .iter()
                .map(replication_status)
                .collect(),
        )
        .build())
}

async fn list_versions(run: &RegionRun, client: &AwsApi, arn: &str) -> Result<Value, CallFailure> {
    let mut versions = Vec::new();
    let mut name = None;
    let mut listed_arn = None;
    let mut token: Option<String> = None;
    loop {
        let body = paged(
            json!({"SecretId": arn, "IncludeDeprecated": true, "MaxResults": 100}),
            &token,
        );
        let page = run
            .call(LIST_VERSIONS, || {
                call(client, "ListSecretVersionIds", &body)
            })
            .await?;
        versions.extend(list(&page, "Versions").iter().map(version_entry));
        name = name.or(text(&page, "Name").map(str::to_owned));
        listed_arn = listed_arn.or(text(&page, "ARN").map(str::to_owned));
        match next_page_token(&token, text(&page, "NextToken")) {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    Ok(JsonObject::new()
        .value("Versions", Value::Array(versions))
        .str("ARN", Some(listed_arn.as_deref().unwrap_or(arn)))
        .str("Name", name.as_deref())
        .build())
}

async fn get_resource_policy(
    run: &RegionRun,
    client: &AwsApi,
    arn: &str,
) -> Result<Value, CallFailure> {
    let body = json!({"SecretId": arn});
    let output = run
        .call(GET_POLICY, || call(client, "GetResourcePolicy", &body))
        .await?;
    Ok(JsonObject::new()
        .str("ARN", Some(text(&output, "ARN").unwrap_or(arn)))
        .str("Name", text(&output, "Name"))
        .str("ResourcePolicy", text(&output, "ResourcePolicy"))
        .build())
}

/// The members a `SecretList` entry and a DescribeSecret output share, in the CLI's order;
/// `stages` names the version-to-stages map (`SecretVersionsToStages` in ListSecrets,
/// `VersionIdsToStages` in DescribeSecret).
fn secret_fields(entry: &Value, stages: &str) -> JsonObject {
    let time = |name: &str| entry.get(name).and_then(epoch_time);
    JsonObject::new()
        .str("ARN", text(entry, "ARN"))
        .str("Name", text(entry, "Name"))
        .str("Type", text(entry, "Type"))
        .str("Description", text(entry, "Description"))
        .str("KmsKeyId", text(entry, "KmsKeyId"))
        .bool(
            "RotationEnabled",
            entry.get("RotationEnabled").and_then(Value::as_bool),
        )
        .str("RotationLambdaARN", text(entry, "RotationLambdaARN"))
        .opt(
            "RotationRules",
            entry
                .get("RotationRules")
                .filter(|v| v.is_object())
                .map(rotation_rules),
        )
        .list(
            "ExternalSecretRotationMetadata",
            list(entry, "ExternalSecretRotationMetadata")
                .iter()
                .map(external_metadata)
                .collect(),
        )
        .str(
            "ExternalSecretRotationRoleArn",
            text(entry, "ExternalSecretRotationRoleArn"),
        )
        .time("LastRotatedDate", time("LastRotatedDate"))
        .time("LastChangedDate", time("LastChangedDate"))
        .time("LastAccessedDate", time("LastAccessedDate"))
        .time("DeletedDate", time("DeletedDate"))
        .time("NextRotationDate", time("NextRotationDate"))
        .list("Tags", tags(list(entry, "Tags")))
        .opt(stages, entry.get(stages).and_then(stages_map))
        .str("OwningService", text(entry, "OwningService"))
        .time("CreatedDate", time("CreatedDate"))
        .str("PrimaryRegion", text(entry, "PrimaryRegion"))
}

/// One `SecretList` entry of `list-secrets`.
pub(crate) fn secret_list_entry(entry: &Value) -> Value {
    secret_fields(entry, "SecretVersionsToStages").build()
}

fn rotation_rules(rules: &Value) -> Value {
    JsonObject::new()
        .int(
            "AutomaticallyAfterDays",
            rules.get("AutomaticallyAfterDays").and_then(Value::as_i64),
        )
        .str("Duration", text(rules, "Duration"))
        .str("ScheduleExpression", text(rules, "ScheduleExpression"))
        .build()
}

fn external_metadata(item: &Value) -> Value {
    JsonObject::new()
        .str("Key", text(item, "Key"))
        .str("Value", text(item, "Value"))
        .build()
}

fn tags(tags: &[Value]) -> Vec<Value> {
    tags.iter()
        .map(|tag| {
            JsonObject::new()
                .str("Key", text(tag, "Key"))
                .str("Value", text(tag, "Value"))
                .build()
        })
        .collect()
}

/// Strings of a JSON list (others left out).
fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// A version-to-stages map, sorted by version id; `None` when not an object.
fn stages_map(map: &Value) -> Option<Value> {
    let sorted: BTreeMap<&String, Vec<String>> = map
        .as_object()?
        .iter()
        .map(|(version, stages)| (version, strings(stages)))
        .collect();
    Some(json!(sorted))
}

fn replication_status(status: &Value) -> Value {
    JsonObject::new()
        .str("Region", text(status, "Region"))
        .str("KmsKeyId", text(status, "KmsKeyId"))
        .str("Status", text(status, "Status"))
        .str("StatusMessage", text(status, "StatusMessage"))
        .time(
            "LastAccessedDate",
            status.get("LastAccessedDate").and_then(epoch_time),
        )
        .build()
}

fn version_entry(version: &Value) -> Value {
    let time = |name: &str| version.get(name).and_then(epoch_time);
    JsonObject::new()
        .str("VersionId", text(version, "VersionId"))
        .value(
            "VersionStages",
            json!(strings(
                version.get("VersionStages").unwrap_or(&Value::Null)
            )),
        )
        .time("LastAccessedDate", time("LastAccessedDate"))
        .time("CreatedDate", time("CreatedDate"))
        .strings(
            "KmsKeyIds",
            &strings(version.get("KmsKeyIds").unwrap_or(&Value::Null)),
        )
        .build()
}
