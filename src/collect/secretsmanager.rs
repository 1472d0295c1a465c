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

use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::types::{
    ExternalSecretRotationMetadataItem, ReplicationStatusType, RotationRulesType, SecretListEntry,
    SecretVersionsListEntry, Tag,
};
use serde_json::{Value, json};
use tokio::task::JoinSet;

use super::cli_shape::JsonObject;
use super::coverage::{CallFailure, CoverageStatus, classify};
use super::region_run::RegionRun;
use super::{RegionFiles, next_page_token};

pub(crate) const LIST_SECRETS: &str = "secretsmanager:ListSecrets";
pub(crate) const DESCRIBE_SECRET: &str = "secretsmanager:DescribeSecret";
pub(crate) const LIST_VERSIONS: &str = "secretsmanager:ListSecretVersionIds";
pub(crate) const GET_POLICY: &str = "secretsmanager:GetResourcePolicy";

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
    client: &Client,
    files: &mut RegionFiles,
) -> Option<Vec<ListedSecret>> {
    let mut entries: Vec<Value> = Vec::new();
    let mut listed = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = run
            .call(LIST_SECRETS, || async {
                client
                    .list_secrets()
                    .include_planned_deletion(true)
                    .max_results(100)
                    .set_next_token(token.clone())
                    .send()
                    .await
                    .map_err(|error| classify(&error))
            })
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
        for entry in page.secret_list() {
            listed.push(ListedSecret {
                arn: entry.arn().unwrap_or_default().to_owned(),
                kms_key_id: entry.kms_key_id().map(str::to_owned),
                pending_deletion: entry.deleted_date().is_some(),
                replicated: entry.primary_region().is_some_and(|r| !r.is_empty()),
                rds_owned: entry.owning_service() == Some("rds"),
            });
            entries.push(secret_list_entry(entry));
        }
        match next_page_token(&token, page.next_token()) {
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
    client: &Client,
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
    client: &Client,
    arn: &str,
) -> Result<Value, CallFailure> {
    let output = run
        .call(DESCRIBE_SECRET, || async {
            client
                .describe_secret()
                .secret_id(arn)
                .send()
                .await
                .map_err(|e| classify(&e))
        })
        .await?;
    let object = JsonObject::new()
        .str("ARN", output.arn())
        .str("Name", output.name())
        .str("Type", output.r#type())
        .str("Description", output.description())
        .str("KmsKeyId", output.kms_key_id())
        .bool("RotationEnabled", output.rotation_enabled())
        .str("RotationLambdaARN", output.rotation_lambda_arn())
        .opt("RotationRules", output.rotation_rules().map(rotation_rules))
        .list(
            "ExternalSecretRotationMetadata",
            output
                .external_secret_rotation_metadata()
                .iter()
                .map(external_metadata)
                .collect(),
        )
        .str(
            "ExternalSecretRotationRoleArn",
            output.external_secret_rotation_role_arn(),
        )
        .time("LastRotatedDate", output.last_rotated_date())
        .time("LastChangedDate", output.last_changed_date())
        .time("LastAccessedDate", output.last_accessed_date())
        .time("DeletedDate", output.deleted_date())
        .time("NextRotationDate", output.next_rotation_date())
        .list("Tags", tags(output.tags()))
        .opt(
            "VersionIdsToStages",
            output.version_ids_to_stages().map(stages_map),
        )
        .str("OwningService", output.owning_service())
        .time("CreatedDate", output.created_date())
        .str("PrimaryRegion", output.primary_region())
        .list(
            "ReplicationStatus",
            output
                .replication_status()
                .iter()
                .map(replication_status)
                .collect(),
        );
    Ok(object.build())
}

async fn list_versions(run: &RegionRun, client: &Client, arn: &str) -> Result<Value, CallFailure> {
    let mut versions = Vec::new();
    let mut name = None;
    let mut listed_arn = None;
    let mut token: Option<String> = None;
    loop {
        let page = run
            .call(LIST_VERSIONS, || async {
                client
                    .list_secret_version_ids()
                    .secret_id(arn)
                    .include_deprecated(true)
                    .max_results(100)
                    .set_next_token(token.clone())
                    .send()
                    .await
                    .map_err(|e| classify(&e))
            })
            .await?;
        versions.extend(page.versions().iter().map(version_entry));
        name = name.or(page.name().map(str::to_owned));
        listed_arn = listed_arn.or(page.arn().map(str::to_owned));
        match next_page_token(&token, page.next_token()) {
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
    client: &Client,
    arn: &str,
) -> Result<Value, CallFailure> {
    let output = run
        .call(GET_POLICY, || async {
            client
                .get_resource_policy()
                .secret_id(arn)
                .send()
                .await
                .map_err(|e| classify(&e))
        })
        .await?;
    Ok(JsonObject::new()
        .str("ARN", Some(output.arn().unwrap_or(arn)))
        .str("Name", output.name())
        .str("ResourcePolicy", output.resource_policy())
        .build())
}

/// One `SecretList` entry of `list-secrets`.
pub(crate) fn secret_list_entry(entry: &SecretListEntry) -> Value {
    JsonObject::new()
        .str("ARN", entry.arn())
        .str("Name", entry.name())
        .str("Type", entry.r#type())
        .str("Description", entry.description())
        .str("KmsKeyId", entry.kms_key_id())
        .bool("RotationEnabled", entry.rotation_enabled())
        .str("RotationLambdaARN", entry.rotation_lambda_arn())
        .opt("RotationRules", entry.rotation_rules().map(rotation_rules))
        .list(
            "ExternalSecretRotationMetadata",
            entry
                .external_secret_rotation_metadata()
                .iter()
                .map(external_metadata)
                .collect(),
        )
        .str(
            "ExternalSecretRotationRoleArn",
            entry.external_secret_rotation_role_arn(),
        )
        .time("LastRotatedDate", entry.last_rotated_date())
        .time("LastChangedDate", entry.last_changed_date())
        .time("LastAccessedDate", entry.last_accessed_date())
        .time("DeletedDate", entry.deleted_date())
        .time("NextRotationDate", entry.next_rotation_date())
        .list("Tags", tags(entry.tags()))
        .opt(
            "SecretVersionsToStages",
            entry.secret_versions_to_stages().map(stages_map),
        )
        .str("OwningService", entry.owning_service())
        .time("CreatedDate", entry.created_date())
        .str("PrimaryRegion", entry.primary_region())
        .build()
}

fn rotation_rules(rules: &RotationRulesType) -> Value {
    JsonObject::new()
        .int("AutomaticallyAfterDays", rules.automatically_after_days())
        .str("Duration", rules.duration())
        .str("ScheduleExpression", rules.schedule_expression())
        .build()
}

fn external_metadata(item: &ExternalSecretRotationMetadataItem) -> Value {
    JsonObject::new()
        .str("Key", item.key())
        .str("Value", item.value())
        .build()
}

fn tags(tags: &[Tag]) -> Vec<Value> {
    tags.iter()
        .map(|tag| {
            JsonObject::new()
                .str("Key", tag.key())
                .str("Value", tag.value())
                .build()
        })
        .collect()
}

fn stages_map(map: &std::collections::HashMap<String, Vec<String>>) -> Value {
    let sorted: BTreeMap<&String, &Vec<String>> = map.iter().collect();
    json!(sorted)
}

fn replication_status(status: &ReplicationStatusType) -> Value {
    JsonObject::new()
        .str("Region", status.region())
        .str("KmsKeyId", status.kms_key_id())
        .str("Status", status.status().map(|s| s.as_str()))
        .str("StatusMessage", status.status_message())
        .time("LastAccessedDate", status.last_accessed_date())
        .build()
}

fn version_entry(version: &SecretVersionsListEntry) -> Value {
    JsonObject::new()
        .str("VersionId", version.version_id())
        .value(
            "VersionStages",
            Value::Array(version.version_stages().iter().map(|s| json!(s)).collect()),
        )
        .time("LastAccessedDate", version.last_accessed_date())
        .time("CreatedDate", version.created_date())
        .strings("KmsKeyIds", version.kms_key_ids())
        .build()
}
