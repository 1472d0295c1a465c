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

use aws_sdk_kms::Client;
use aws_sdk_kms::types::{AliasListEntry, KeyMetadata};
use serde_json::{Value, json};

use super::cli_shape::JsonObject;
use super::coverage::{CallFailure, CoverageStatus, classify};
use super::region_run::RegionRun;
use super::secretsmanager::ListedSecret;
use super::{RegionFiles, next_page_token};
use crate::snapshot::DEFAULT_SECRETS_KEY_ALIAS;

pub(crate) const DESCRIBE_KEY: &str = "kms:DescribeKey";
pub(crate) const LIST_ALIASES: &str = "kms:ListAliases";
pub(crate) const GET_KEY_POLICY: &str = "kms:GetKeyPolicy";
/// The file of the key policies, relative to the region directory.
pub(crate) const KEY_POLICY_FILE: &str = "kms/get-key-policy.json";

/// `{"Aliases": [...]}`, every page.
pub(crate) async fn list_aliases(run: &RegionRun, client: &Client) -> Result<Value, CallFailure> {
    let mut aliases = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let page = run
            .call(LIST_ALIASES, || async {
                client
                    .list_aliases()
                    .limit(100)
                    .set_marker(marker.clone())
                    .send()
                    .await
                    .map_err(|e| classify(&e))
            })
            .await?;
        aliases.extend(page.aliases().iter().map(alias));
        let next = if page.truncated() {
            page.next_marker()
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
    client: &Client,
    keys: &[String],
) -> Result<DescribedKeys, CallFailure> {
    let mut described = Vec::new();
    let mut arns = BTreeMap::new();
    let mut seen = BTreeSet::new();
    for key in keys {
        let result = run
            .call(DESCRIBE_KEY, || async {
                client
                    .describe_key()
                    .key_id(key)
                    .send()
                    .await
                    .map_err(|e| classify(&e))
            })
            .await;
        match result {
            Ok(output) => {
                if let Some(metadata) = output.key_metadata() {
                    if let Some(arn) = metadata.arn() {
                        arns.insert(key.clone(), arn.to_owned());
                    }
                    if seen.insert(metadata.key_id().to_owned()) {
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
    client: &Client,
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
        let result = run
            .call(GET_KEY_POLICY, || async {
                client
                    .get_key_policy()
                    .key_id(&arn)
                    .policy_name("default")
                    .send()
                    .await
                    .map_err(|e| classify(&e))
            })
            .await;
        match result {
            Ok(output) => {
                let policy = output.policy().unwrap_or_default().to_owned();
                let entry = json!({
                    "KeyId": arn,
                    "PolicyName": output.policy_name().unwrap_or("default"),
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

fn alias(entry: &AliasListEntry) -> Value {
    JsonObject::new()
        .str("AliasName", entry.alias_name())
        .str("AliasArn", entry.alias_arn())
        .str("TargetKeyId", entry.target_key_id())
        .time("CreationDate", entry.creation_date())
        .time("LastUpdatedDate", entry.last_updated_date())
        .build()
}

fn key_metadata(metadata: &KeyMetadata) -> Value {
    JsonObject::new()
        .str("AWSAccountId", metadata.aws_account_id())
        .str("KeyId", Some(metadata.key_id()))
        .str("Arn", metadata.arn())
        .time("CreationDate", metadata.creation_date())
        .bool("Enabled", Some(metadata.enabled()))
        .str("Description", metadata.description())
        .str("KeyUsage", metadata.key_usage().map(|v| v.as_str()))
        .str("KeyState", metadata.key_state().map(|v| v.as_str()))
        .time("DeletionDate", metadata.deletion_date())
        .str("Origin", metadata.origin().map(|v| v.as_str()))
        .str("KeyManager", metadata.key_manager().map(|v| v.as_str()))
        .str("KeySpec", metadata.key_spec().map(|v| v.as_str()))
        .list(
            "EncryptionAlgorithms",
            metadata
                .encryption_algorithms()
                .iter()
                .map(|v| json!(v.as_str()))
                .collect(),
        )
        .bool("MultiRegion", metadata.multi_region())
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
