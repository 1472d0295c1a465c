//! KMS keys of one account-region: `kms/list-aliases.json` (all pages, to resolve alias
//! `KmsKeyId`s) and `kms/describe-key.json`, a JSON array of describe-key outputs for each
//! distinct key the region's secrets name (once per key). A key of another account that cannot
//! be described (its key policy does not let us) is expected and left out, not a coverage gap;
//! a key ARN of another region is described by that region's run, if collected.

use std::collections::BTreeSet;

use aws_sdk_kms::Client;
use aws_sdk_kms::types::{AliasListEntry, KeyMetadata};
use serde_json::{Value, json};

use super::cli_shape::JsonObject;
use super::coverage::{CallFailure, classify};
use super::next_page_token;
use super::region_run::RegionRun;
use super::secretsmanager::ListedSecret;

pub(crate) const DESCRIBE_KEY: &str = "kms:DescribeKey";
pub(crate) const LIST_ALIASES: &str = "kms:ListAliases";

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

/// The distinct key ids the secrets of `region` name, without those that are ARNs of another
/// region.
pub(crate) fn keys_to_describe(secrets: &[ListedSecret], region: &str) -> Vec<String> {
    let keys: BTreeSet<String> = secrets
        .iter()
        .filter_map(|secret| secret.kms_key_id.clone())
        .filter(|key| !key.is_empty())
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

/// A JSON array of describe-key outputs, sorted by key ARN; a key of another account that
/// cannot be described, or a key that no longer exists, is left out.
pub(crate) async fn describe_keys(
    run: &RegionRun,
    client: &Client,
    keys: &[String],
) -> Result<Value, CallFailure> {
    let mut described = Vec::new();
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
                if let Some(metadata) = output.key_metadata()
                    && seen.insert(metadata.key_id().to_owned())
                {
                    described.push(json!({ "KeyMetadata": key_metadata(metadata) }));
                }
            }
            Err(failure) if failure.is_not_found() => {
                tracing::info!(region = %run.region, "kms key `{key}` no longer exists");
            }
            Err(failure)
                if key_arn_parts(key).is_some_and(|(_, account)| account != &*run.account_id) =>
            {
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
    Ok(Value::Array(described))
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
        }
    }

    #[test]
    fn each_key_is_described_once_and_only_in_its_region() {
        let secrets = vec![
            secret(None),
            secret(Some("alias/app")),
            secret(Some("alias/app")),
            secret(Some("arn:aws:kms:us-east-1:111111111111:key/k1")),
            secret(Some("arn:aws:kms:eu-west-1:111111111111:key/k2")),
            secret(Some("arn:aws:kms:us-east-1:222222222222:key/k3")),
        ];
        assert_eq!(
            keys_to_describe(&secrets, "us-east-1"),
            vec![
                "alias/app",
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
