//! KMS keys of one account-region: `kms/describe-key.json`, a JSON array of describe-key
//! outputs for each distinct key the region's secrets use (their `KmsKeyId`, and the AWS managed
//! `alias/aws/secretsmanager` for secrets without one), `kms/list-aliases.json` (all pages, to
//! resolve alias `KmsKeyId`s), and `kms/get-key-policy.json`, the policy of each of those keys
//! (`{"KeyId": <key ARN>, "PolicyName": "default", "Policy": <JSON text>}`, sorted by key ARN).
//!
//! A key of another account that cannot be described (its key policy does not let us) is
//! expected and left out of describe-key, not a coverage gap; its policy cannot be read at all
//! (GetKeyPolicy does not work across accounts), which coverage records for that key alone as
//! `skipped`. A key ARN of another region is handled by that region's run, if collected. A key
//! whose policy cannot be read is recorded for that key alone.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::aws_api::AwsApi;
use super::aws_json::{self, epoch_time, list, text};
use super::cli_shape::JsonObject;
use super::coverage::{CallFailure, CoverageStatus};
use super::region_run::RegionRun;
use super::secretsmanager::ListedSecret;
use super::{RegionFiles, next_page_token};
use crate::snapshot::DEFAULT_SECRETS_KEY_ALIAS;

pub(crate) const DESCRIBE_KEY: &str = "kms:DescribeKey";
pub(crate) const LIST_ALIASES: &str = "kms:ListAliases";
pub(crate) const GET_KEY_POLICY: &str = "kms:GetKeyPolicy";
/// The file of the key policies, relative to the region directory.
pub(crate) const KEY_POLICY_FILE: &str = "kms/get-key-policy.json";

/// One KMS call (awsJson 1.1).
async fn call(client: &AwsApi, operation: &str, body: &Value) -> Result<Value, CallFailure> {
    aws_json::json_1_1(client, &format!("TrentService.{operation}"), body).await
}

/// `{"Aliases": [...]}`, every page.
pub(crate) async fn list_aliases(run: &RegionRun, client: &AwsApi) -> Result<Value, CallFailure> {
    let mut aliases = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let mut body = json!({"Limit": 100});
        if let Some(marker) = &marker {
            body["Marker"] = json!(marker);
        }
        let page = run
            .call(LIST_ALIASES, || call(client, "ListAliases", &body))
            .await?;
        aliases.extend(list(&page, "Aliases").iter().map(alias));
        let next = if page.get("Truncated").and_then(Value::as_bool) == Some(true) {
            text(&page, "NextMarker")
        } else {
            None
        };
        match next_page_token(&marker, next) {
            Some(next) => marker = Some(next),
            None => break,
        }
    }
    aliases.sort_by(|a, b| a["AliasArn"].as_str().cmp(&b["AliasArn"].as_str()));
    Ok(json!({ "Aliases": aliases }))
}

/// The distinct keys the secrets of `region` use, as they name them: each `KmsKeyId`, and
/// `alias/aws/secretsmanager` when a secret has none; ARNs of another region left out.
pub(crate) fn keys_used(secrets: &[ListedSecret], region: &str) -> Vec<String> {
    let keys: BTreeSet<String> = secrets
        .iter()
        .map(|secret| {
            secret
                .kms_key_id
                .clone()
                .filter(|key| !key.is_empty())
                .unwrap_or_else(|| DEFAULT_SECRETS_KEY_ALIAS.to_owned())
        })
        .filter(|key| match key_arn_parts(key) {
            Some((key_region, _)) => key_region == region,
            None => true,
        })
        .collect();
    keys.into_iter().collect()
}

/// `(region, account)` of a key or alias ARN.
fn key_arn_parts(key: &str) -> Option<(&str, &str)> {
    let mut parts = key.strip_prefix("arn:")?.splitn(5, ':');
    let _partition = parts.next()?;
    let service = parts.next()?;
    let region = parts.next()?;
    let account = parts.next()?;
    (service == "kms").then_some((region, account))
}

/// The describe-key outputs of a region, and the key ARN each reference resolved to.
#[derive(Debug, Clone, Default)]
pub(crate) struct DescribedKeys {
    /// A JSON array of describe-key outputs, sorted by key ARN.
    pub(crate) value: Value,
    /// Reference (as the secret names the key) → key ARN.
    pub(crate) arns: BTreeMap<String, String>,
}

/// Describes each key; a key of another account that cannot be described, or a key that no
/// longer exists, is left out.
pub(crate) async fn describe_keys(
    run: &RegionRun,
    client: &AwsApi,
    keys: &[String],
) -> Result<DescribedKeys, CallFailure> {
    let mut described = Vec::new();
    let mut arns = BTreeMap::new();
    let mut seen = BTreeSet::new();
    for key in keys {
        let body = json!({"KeyId": key});
        let result = run
            .call(DESCRIBE_KEY, || call(client, "DescribeKey", &body))
            .await;
        match result {
            Ok(output) => {
                if let Some(metadata) = output.get("KeyMetadata") {
                    if let Some(arn) = text(metadata, "Arn") {
                        arns.insert(key.clone(), arn.to_owned());
                    }
                    // A required member: the SDK read a missing one as empty.
                    if seen.insert(text(metadata, "KeyId").unwrap_or_default().to_owned()) {
                        described.push(json!({ "KeyMetadata": key_metadata(metadata) }));
                    }
                }
            }
            Err(failure) if failure.is_not_found() => {
                tracing::info!(region = %run.region, "kms key `{key}` no longer exists");
            }
            Err(failure) if other_account(run, key).is_some() => {
                tracing::info!(region = %run.region, "kms key `{key}` of another account: {}", failure.message);
            }
            Err(failure) => {
                return Err(CallFailure {
                    message: format!("key `{key}`: {}", failure.message),
                    ..failure
                });
            }
        }
    }
    described.sort_by(|a, b| {
        a["KeyMetadata"]["Arn"]
            .as_str()
            .cmp(&b["KeyMetadata"]["Arn"].as_str())
    });
    Ok(DescribedKeys {
        value: Value::Array(described),
        arns,
    })
}

/// The account of a key or alias ARN when it is not the audited account.
fn other_account<'a>(run: &RegionRun, key: &'a str) -> Option<&'a str> {
    key_arn_parts(key)
        .map(|(_, account)| account)
        .filter(|account| *account != &*run.account_id)
}

/// Where the policy of one key used by the region's secrets comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum KeyTarget {
    /// Read it with GetKeyPolicy on this key ARN.
    Key(String),
    /// It cannot be read: the coverage entry for `resource` (the reference as the secret names
    /// it).
    NotCollectable {
        resource: String,
        status: CoverageStatus,
        message: String,
    },
}

/// Resolves the references the secrets use to key ARNs: ARNs of another account cannot be read
/// (GetKeyPolicy takes a key of the caller's account only), key ARNs stay, aliases resolve
/// through DescribeKey's answer, else list-aliases `TargetKeyId`, and key ids are completed
/// with the partition, region and account.
pub(crate) fn resolve_keys(
    run: &RegionRun,
    references: &[String],
    described: &BTreeMap<String, String>,
    aliases: Option<&Value>,
) -> Vec<KeyTarget> {
    let key_arn = |id: &str| {
        format!(
            "arn:{}:kms:{}:{}:key/{id}",
            run.partition, run.region, run.account_id
        )
    };
    let mut targets: Vec<KeyTarget> = references
        .iter()
        .map(|reference| {
            if let Some(account) = other_account(run, reference) {
                return KeyTarget::NotCollectable {
                    resource: reference.clone(),
                    status: CoverageStatus::Skipped,
                    message: format!(
                        "key of account {account}: kms:GetKeyPolicy works only in the key's own account"
                    ),
                };
            }
            if let Some(arn) = described.get(reference) {
                return KeyTarget::Key(arn.clone());
            }
            let is_alias = reference.starts_with("alias/") || reference.contains(":alias/");
            if !is_alias {
                return KeyTarget::Key(if reference.starts_with("arn:") {
                    reference.clone()
                } else {
                    key_arn(reference)
                });
            }
            let target = aliases
                .and_then(|aliases| aliases["Aliases"].as_array())
                .into_iter()
                .flatten()
                .find(|alias| {
                    alias["AliasName"].as_str() == Some(reference)
                        || alias["AliasArn"].as_str() == Some(reference)
                })
                .and_then(|alias| alias["TargetKeyId"].as_str());
            match target {
                Some(target) if target.starts_with("arn:") => KeyTarget::Key(target.to_owned()),
                Some(target) => KeyTarget::Key(key_arn(target)),
                None => KeyTarget::NotCollectable {
                    resource: reference.clone(),
                    status: CoverageStatus::Gone,
                    message: format!("alias `{reference}` names no key (DescribeKey and list-aliases)"),
                },
            }
        })
        .collect();
    targets.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
    targets.dedup();
    targets
}

/// Reads the policy of each key and writes `kms/get-key-policy.json`; a key whose policy could
/// not be read gets its own coverage entry, and the file holds the others.
pub(crate) async fn key_policies(
    run: &RegionRun,
    client: &AwsApi,
    targets: Vec<KeyTarget>,
    files: &mut RegionFiles,
) {
    let mut policies = BTreeMap::new();
    let mut missing = 0usize;
    for target in targets {
        let arn = match target {
            KeyTarget::Key(arn) => arn,
            KeyTarget::NotCollectable {
                resource,
                status,
                message,
            } => {
                if status != CoverageStatus::Gone {
                    missing += 1;
                }
                files.resource(GET_KEY_POLICY, &resource, status, message);
                continue;
            }
        };
        if policies.contains_key(&arn) {
            continue;
        }
        let body = json!({"KeyId": arn, "PolicyName": "default"});
        let result = run
            .call(GET_KEY_POLICY, || call(client, "GetKeyPolicy", &body))
            .await;
        match result {
            Ok(output) => {
                let policy = text(&output, "Policy").unwrap_or_default().to_owned();
                let entry = json!({
                    "KeyId": arn,
                    "PolicyName": text(&output, "PolicyName").unwrap_or("default"),
                    "Policy": policy,
                });
                policies.insert(arn, entry);
            }
            Err(failure) if failure.is_not_found() => {
                files.resource(GET_KEY_POLICY, &arn, CoverageStatus::Gone, failure.message);
            }
            Err(failure) => {
                missing += 1;
                files.resource(GET_KEY_POLICY, &arn, failure.status, failure.message);
            }
        }
    }
    if missing == 0 {
        files.ok(GET_KEY_POLICY);
    } else {
        files.ok_with(
            GET_KEY_POLICY,
            format!("{missing} key policies not collected (see their entries)"),
        );
    }
    files.write(
        KEY_POLICY_FILE,
        Value::Array(policies.into_values().collect()),
    );
}

fn alias(entry: &Value) -> Value {
    JsonObject::new()
        .str("AliasName", text(entry, "AliasName"))
        .str("AliasArn", text(entry, "AliasArn"))
        .str("TargetKeyId", text(entry, "TargetKeyId"))
        .time(
            "CreationDate",
            entry.get("CreationDate").and_then(epoch_time),
        )
        .time(
            "LastUpdatedDate",
            entry.get("LastUpdatedDate").and_then(epoch_time),
        )
        .build()
}

fn key_metadata(metadata: &Value) -> Value {
    let time = |name: &str| metadata.get(name).and_then(epoch_time);
    let flag = |name: &str| metadata.get(name).and_then(Value::as_bool);
    JsonObject::new()
        .str("AWSAccountId", text(metadata, "AWSAccountId"))
        // Required members: the SDK read a missing one as empty or false.
        .str("KeyId", Some(text(metadata, "KeyId").unwrap_or_default()))
        .str("Arn", text(metadata, "Arn"))
        .time("CreationDate", time("CreationDate"))
        .bool("Enabled", Some(flag("Enabled").unwrap_or(false)))
        .str("Description", text(metadata, "Description"))
        .str("KeyUsage", text(metadata, "KeyUsage"))
        .str("KeyState", text(metadata, "KeyState"))
        .time("DeletionDate", time("DeletionDate"))
        .str("Origin", text(metadata, "Origin"))
        .str("KeyManager", text(metadata, "KeyManager"))
        .str("KeySpec", text(metadata, "KeySpec"))
        .list(
            "EncryptionAlgorithms",
            list(metadata, "EncryptionAlgorithms")
                .iter()
                .filter(|v| v.is_string())
                .cloned()
                .collect(),
        )
        .bool("MultiRegion", flag("MultiRegion"))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(key: Option<&str>) -> ListedSecret {
        ListedSecret {
            arn: "arn:aws:secretsmanager:us-east-1:111111111111:secret:x-AbCdEf".into(),
            kms_key_id: key.map(str::to_owned),
            pending_deletion: false,
            replicated: false,
            rds_owned: false,
        }
    }

    #[test]
    fn each_key_is_described_once_and_only_in_its_region() {
        let secrets = vec![
            secret(None),
            secret(Some("")),
            secret(Some("alias/app")),
            secret(Some("alias/app")),
            secret(Some("arn:aws:kms:us-east-1:111111111111:key/k1")),
            secret(Some("arn:aws:kms:eu-west-1:111111111111:key/k2")),
            secret(Some("arn:aws:kms:us-east-1:222222222222:key/k3")),
        ];
        assert_eq!(
            keys_used(&secrets, "us-east-1"),
            vec![
                "alias/app",
                "alias/aws/secretsmanager",
                "arn:aws:kms:us-east-1:111111111111:key/k1",
                "arn:aws:kms:us-east-1:222222222222:key/k3",
            ]
        );
        assert_eq!(
            key_arn_parts("arn:aws:kms:eu-west-1:2:key/x"),
            Some(("eu-west-1", "2"))
        );
        assert_eq!(key_arn_parts("alias/x"), None);
    }
}
