//! KMS records of a snapshot (`describe-key` `KeyMetadata`, `list-aliases` entries, the key
//! policies of `get-key-policy.json`), the lookup that resolves a secret's `KmsKeyId` (key id,
//! key ARN, alias name or alias ARN) to a key, and the question "what is the key policy of the
//! key that encrypts this secret?" ([`Snapshot::secret_key_policy`]), whose answer tells a
//! policy that was collected from one that was not (and why).
//!
//! Key policies are decoded JSON documents like secrets' resource policies, ready for
//! `crate::policy::Policy::from_value`. It reads the AWS CLI's JSON; it judges nothing.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use super::coverage::{Api, Availability, blocking_resource_entry, coverage_reason};
use super::json_path::{FieldError, JsonAt};
use super::model::Snapshot;
use super::policy_document::decode_policy_document;
use super::secrets::{Secret, outputs, pages};

/// The key a secret without `KmsKeyId` is encrypted with: the AWS managed key of Secrets Manager.
pub const DEFAULT_SECRETS_KEY_ALIAS: &str = "alias/aws/secretsmanager";

/// `KeyMetadata` from `describe-key`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KmsKeyMetadata {
    pub key_id: String,
    pub arn: Option<String>,
    /// `AWS` or `CUSTOMER`.
    pub key_manager: Option<String>,
    /// `Enabled`, `Disabled`, `PendingDeletion`, …
    pub key_state: Option<String>,
    pub aws_account_id: Option<String>,
    pub creation_date: Option<DateTime<Utc>>,
}

impl KmsKeyMetadata {
    /// A customer managed key (`KeyManager` is `CUSTOMER`).
    pub fn is_customer_managed(&self) -> bool {
        self.key_manager.as_deref() == Some("CUSTOMER")
    }
}

/// An entry of `list-aliases` `Aliases`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KmsAlias {
    /// `alias/…`.
    pub alias_name: String,
    pub alias_arn: Option<String>,
    /// Absent for AWS managed aliases whose key was never created.
    pub target_key_id: Option<String>,
}

/// Resolves `reference` (key id, key ARN, `alias/name` or alias ARN) against the keys and aliases
/// of one region; `None` when the snapshot does not know the key.
pub fn resolve_kms_key<'a>(
    keys: &'a [KmsKeyMetadata],
    aliases: &[KmsAlias],
    reference: &str,
) -> Option<&'a KmsKeyMetadata> {
    let target = if reference.starts_with("alias/") || reference.contains(":alias/") {
        let alias = aliases.iter().find(|alias| {
            alias.alias_name == reference || alias.alias_arn.as_deref() == Some(reference)
        })?;
        alias.target_key_id.as_deref()?
    } else {
        reference
    };
    keys.iter()
        .find(|key| key.key_id == target || key.arn.as_deref() == Some(target))
}

fn read_key_metadata(at: &JsonAt<'_>) -> Result<KmsKeyMetadata, FieldError> {
    Ok(KmsKeyMetadata {
        key_id: at.required_string("KeyId")?,
        arn: at.opt_string("Arn")?,
        key_manager: at.opt_string("KeyManager")?,
        key_state: at.opt_string("KeyState")?,
        aws_account_id: at.opt_string("AWSAccountId")?,
        creation_date: at.opt_timestamp("CreationDate")?,
    })
}

fn read_alias(at: &JsonAt<'_>) -> Result<KmsAlias, FieldError> {
    Ok(KmsAlias {
        alias_name: at.required_string("AliasName")?,
        alias_arn: at.opt_string("AliasArn")?,
        target_key_id: at.opt_string("TargetKeyId")?,
    })
}

/// Reads `describe-key.json`: an array of describe-key outputs `{"KeyMetadata": {...}}`.
pub(crate) fn read_describe_keys(root: &JsonAt<'_>) -> Result<Vec<KmsKeyMetadata>, FieldError> {
    outputs(root)?
        .iter()
        .map(|output| read_key_metadata(&output.required("KeyMetadata")?))
        .collect()
}

/// Reads `list-aliases.json`: `{"Aliases": [...]}` (or an array of pages).
pub(crate) fn read_list_aliases(root: &JsonAt<'_>) -> Result<Vec<KmsAlias>, FieldError> {
    let mut aliases = Vec::new();
    for page in pages(root)? {
        aliases.extend(page.list_or_empty("Aliases", read_alias)?);
    }
    Ok(aliases)
}

/// Reads `get-key-policy.json`: an array of `{"KeyId": <key ARN>, "PolicyName": "default",
/// "Policy": <policy JSON text>}` (the CLI's get-key-policy output with the key added). Keyed by
/// `KeyId` as written.
pub(crate) fn read_key_policies(root: &JsonAt<'_>) -> Result<BTreeMap<String, Value>, FieldError> {
    let mut policies = BTreeMap::new();
    for output in outputs(root)? {
        let key = output.required_string("KeyId")?;
        let name = output.opt_string("PolicyName")?;
        if name.as_deref().is_some_and(|name| name != "default") {
            // KMS keys have one policy, `default`; anything else is not a key policy.
            continue;
        }
        let document = decode_policy_document(&output.required("Policy")?)?;
        policies.insert(key, document);
    }
    Ok(policies)
}

/// What a snapshot knows of one key's policy.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum KeyPolicyState<'a> {
    /// The key policy of `key_arn`, a decoded policy document.
    Collected {
        key_arn: String,
        document: &'a Value,
    },
    /// Not in the snapshot. `key` is the key ARN when the reference could be resolved, else the
    /// reference as written (an alias); `reason` is one line for annotations.
    NotCollected { key: String, reason: String },
}

impl KeyPolicyState<'_> {
    pub fn is_collected(&self) -> bool {
        matches!(self, KeyPolicyState::Collected { .. })
    }
}

/// `(partition, region, account, resource)` of a KMS ARN (`key/…` or `alias/…`).
fn kms_arn_parts(arn: &str) -> Option<(&str, &str, &str, &str)> {
    let mut parts = arn.strip_prefix("arn:")?.splitn(5, ':');
    let partition = parts.next()?;
    let service = parts.next()?;
    let region = parts.next()?;
    let account = parts.next()?;
    let resource = parts.next()?;
    (service == "kms").then_some((partition, region, account, resource))
}

fn is_alias(reference: &str) -> bool {
    reference.starts_with("alias/") || reference.contains(":alias/")
}

impl Snapshot {
    /// The policy of the key that encrypts `secret` (its `KmsKeyId`, else the AWS managed key
    /// `aws/secretsmanager`).
    pub fn secret_key_policy(&self, region: &str, secret: &Secret) -> KeyPolicyState<'_> {
        self.key_policy(region, secret.kms_key_id.as_deref())
    }

    /// The policy of the key `reference` names in `region` (key id, key ARN, alias name, alias
    /// ARN; `None` or empty: `aws/secretsmanager`).
    pub fn key_policy(&self, region: &str, reference: Option<&str>) -> KeyPolicyState<'_> {
        let reference = reference
            .filter(|r| !r.is_empty())
            .unwrap_or(DEFAULT_SECRETS_KEY_ALIAS);
        // An entry about the reference itself (a key or alias of another account).
        if let Some(entry) =
            blocking_resource_entry(&self.meta.coverage, region, Api::GetKeyPolicy, reference)
        {
            return KeyPolicyState::NotCollected {
                key: reference.to_owned(),
                reason: coverage_reason(entry, region, Api::GetKeyPolicy),
            };
        }
        let key_arn = match self.key_arn(region, reference) {
            Ok(arn) => arn,
            Err(reason) => {
                return KeyPolicyState::NotCollected {
                    key: reference.to_owned(),
                    reason,
                };
            }
        };
        if let Availability::Missing { reason } =
            self.resource_availability(region, Api::GetKeyPolicy, &key_arn)
        {
            return KeyPolicyState::NotCollected {
                key: key_arn,
                reason,
            };
        }
        let policies = self
            .region(region)
            .and_then(|data| data.key_policies.as_ref());
        let bare_id = kms_arn_parts(&key_arn)
            .and_then(|(_, _, _, resource)| resource.strip_prefix("key/"))
            .unwrap_or(&key_arn);
        match policies.and_then(|map| map.get(&key_arn).or_else(|| map.get(bare_id))) {
            Some(document) => KeyPolicyState::Collected { key_arn, document },
            None => KeyPolicyState::NotCollected {
                reason: format!(
                    "`{}` has no policy of key `{key_arn}`",
                    Api::GetKeyPolicy.relative_path(region)
                ),
                key: key_arn,
            },
        }
    }

    /// The ARN of the key `reference` names in `region`: key ARNs as they are, aliases through
    /// `list-aliases` `TargetKeyId`, key ids completed with the snapshot's partition, the
    /// region and the account. `Err` says why it cannot be resolved.
    pub fn key_arn(&self, region: &str, reference: &str) -> Result<String, String> {
        let partition = self.meta.partition.as_str();
        let account = self.meta.account_id.as_str();
        if let Some((_, _, _, resource)) = kms_arn_parts(reference)
            && resource.starts_with("key/")
        {
            return Ok(reference.to_owned());
        }
        let data = self.region(region);
        let target = if is_alias(reference) {
            let aliases = match self.availability(region, Api::ListAliases) {
                Availability::Collected => data
                    .and_then(|data| data.kms_aliases.as_deref())
                    .unwrap_or_default(),
                Availability::Missing { reason } => {
                    return Err(format!("alias `{reference}` cannot be resolved: {reason}"));
                }
            };
            let alias = aliases
                .iter()
                .find(|alias| {
                    alias.alias_name == reference || alias.alias_arn.as_deref() == Some(reference)
                })
                .ok_or_else(|| format!("alias `{reference}` is not in `{region}` list-aliases"))?;
            let target = alias
                .target_key_id
                .as_deref()
                .ok_or_else(|| format!("alias `{reference}` names no key (no TargetKeyId)"))?;
            if kms_arn_parts(target).is_some() {
                return Ok(target.to_owned());
            }
            // The alias's own ARN says which account and region the key is in.
            if let Some((partition, alias_region, alias_account, _)) =
                alias.alias_arn.as_deref().and_then(kms_arn_parts)
            {
                return Ok(format!(
                    "arn:{partition}:kms:{alias_region}:{alias_account}:key/{target}"
                ));
            }
            target
        } else {
            reference
        };
        let described = data
            .and_then(|data| data.kms_keys.as_deref())
            .unwrap_or_default()
            .iter()
            .find(|key| key.key_id == target)
            .and_then(|key| key.arn.clone());
        Ok(described
            .unwrap_or_else(|| format!("arn:{partition}:kms:{region}:{account}:key/{target}")))
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;
    use crate::snapshot::{CoverageEntry, CoverageStatus, RegionData};

    const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/k-app";
    const DEFAULT_KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/k-default";
    const FOREIGN_KEY: &str = "arn:aws:kms:us-east-1:444455556666:key/k-foreign";

    fn document(sid: &str) -> Value {
        json!({"Version": "2012-10-17", "Statement": [{"Sid": sid, "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]})
    }

    fn alias(name: &str, target: Option<&str>) -> KmsAlias {
        KmsAlias {
            alias_name: name.to_owned(),
            alias_arn: Some(format!("arn:aws:kms:us-east-1:111122223333:{name}")),
            target_key_id: target.map(str::to_owned),
        }
    }

    fn snapshot(coverage: Vec<CoverageEntry>) -> Snapshot {
        let mut snapshot = Snapshot::default();
        snapshot.meta.account_id = "111122223333".into();
        snapshot.meta.partition = "aws".into();
        snapshot.meta.coverage = coverage;
        let data = RegionData {
            kms_aliases: Some(vec![
                alias("alias/app", Some("k-app")),
                alias("alias/aws/secretsmanager", Some("k-default")),
                alias("alias/dangling", None),
            ]),
            key_policies: Some(BTreeMap::from([
                (KEY.to_owned(), document("app")),
                (DEFAULT_KEY.to_owned(), document("default")),
            ])),
            ..RegionData::default()
        };
        snapshot.regions.insert("us-east-1".into(), data);
        snapshot
    }

    fn entry(resource: Option<&str>, status: CoverageStatus, message: &str) -> CoverageEntry {
        CoverageEntry {
            region: "us-east-1".into(),
            api: "kms:GetKeyPolicy".into(),
            resource: resource.map(str::to_owned),
            status,
            message: Some(message.into()),
        }
    }

    fn collected(state: KeyPolicyState<'_>) -> (String, Value) {
        match state {
            KeyPolicyState::Collected { key_arn, document } => (key_arn, document.clone()),
            other => panic!("expected a collected policy, got {other:?}"),
        }
    }

    fn reason(state: KeyPolicyState<'_>) -> (String, String) {
        match state {
            KeyPolicyState::NotCollected { key, reason } => (key, reason),
            other => panic!("expected a policy not collected, got {other:?}"),
        }
    }

    #[test]
    fn every_form_of_reference_finds_the_same_policy() {
        let snapshot = snapshot(vec![entry(None, CoverageStatus::Ok, "")]);
        for reference in [
            "alias/app",
            "arn:aws:kms:us-east-1:111122223333:alias/app",
            "k-app",
            KEY,
        ] {
            assert_eq!(
                collected(snapshot.key_policy("us-east-1", Some(reference))),
                (KEY.to_owned(), document("app")),
                "{reference}"
            );
        }
        // No KmsKeyId (or an empty one): the AWS managed key of Secrets Manager.
        for reference in [None, Some("")] {
            assert_eq!(
                collected(snapshot.key_policy("us-east-1", reference)).0,
                DEFAULT_KEY
            );
        }
    }

    #[test]
    fn a_key_whose_policy_failed_is_not_collected_alone() {
        let snapshot = snapshot(vec![
            entry(None, CoverageStatus::Ok, ""),
            entry(
                Some(KEY),
                CoverageStatus::Denied,
                "AccessDeniedException: no",
            ),
            entry(
                Some(FOREIGN_KEY),
                CoverageStatus::Skipped,
                "key of account 444455556666",
            ),
        ]);
        let (key, why) = reason(snapshot.key_policy("us-east-1", Some("alias/app")));
        assert_eq!(key, KEY);
        assert_eq!(
            why,
            format!(
                "coverage: `kms:GetKeyPolicy` for `{KEY}` in `us-east-1` was denied: AccessDeniedException: no"
            )
        );
        let (key, why) = reason(snapshot.key_policy("us-east-1", Some(FOREIGN_KEY)));
        assert_eq!(key, FOREIGN_KEY);
        assert!(
            why.contains("was skipped: key of account 444455556666"),
            "{why}"
        );
        // The other key is unaffected.
        assert!(snapshot.key_policy("us-east-1", None).is_collected());
    }

    #[test]
    fn missing_files_and_unresolvable_aliases_say_why() {
        let snapshot = snapshot(vec![]);
        let (key, why) = reason(snapshot.key_policy("us-east-1", Some("alias/dangling")));
        assert_eq!(key, "alias/dangling");
        assert!(why.contains("names no key"), "{why}");
        let (_, why) = reason(snapshot.key_policy("us-east-1", Some("alias/unknown")));
        assert!(why.contains("is not in `us-east-1` list-aliases"), "{why}");
        let (key, why) = reason(snapshot.key_policy("us-east-1", Some("k-other")));
        assert_eq!(key, "arn:aws:kms:us-east-1:111122223333:key/k-other");
        assert!(why.contains("has no policy of key"), "{why}");

        let mut without_file = snapshot.clone();
        without_file
            .regions
            .get_mut("us-east-1")
            .unwrap()
            .key_policies = None;
        let (_, why) = reason(without_file.key_policy("us-east-1", Some(KEY)));
        assert_eq!(
            why,
            "not collected: `us-east-1/kms/get-key-policy.json` is missing from the snapshot"
        );
        let denied = snapshot_with_region_denied();
        let (_, why) = reason(denied.key_policy("us-east-1", Some(KEY)));
        assert!(
            why.starts_with("coverage: `kms:GetKeyPolicy` in `us-east-1` was denied"),
            "{why}"
        );
    }

    fn snapshot_with_region_denied() -> Snapshot {
        snapshot(vec![entry(None, CoverageStatus::Denied, "AccessDenied")])
    }

    #[test]
    fn the_file_reads_text_or_objects_and_names_bad_records() {
        let file = json!([
            {"KeyId": KEY, "PolicyName": "default", "Policy": document("a").to_string()},
            {"KeyId": DEFAULT_KEY, "Policy": document("b")},
        ]);
        let read = read_key_policies(&JsonAt::root(&file)).unwrap();
        assert_eq!(read[KEY], document("a"));
        assert_eq!(read[DEFAULT_KEY], document("b"));
        let bad = json!([{"KeyId": KEY, "Policy": "{not json"}]);
        let error = read_key_policies(&JsonAt::root(&bad))
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("$[0].Policy: not a JSON policy document"),
            "{error}"
        );
        let no_key = json!([{"Policy": "{}"}]);
        assert!(read_key_policies(&JsonAt::root(&no_key)).is_err());
    }

    #[test]
    fn every_secret_of_the_demo_has_its_key_policy() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/snapshots/demo");
        let snapshot = Snapshot::load(&dir).unwrap();
        let mut count = 0;
        for (region, secret) in snapshot.secrets() {
            let (key_arn, document) = collected(snapshot.secret_key_policy(region, secret));
            assert!(key_arn.starts_with(&format!("arn:aws:kms:{region}:111122223333:key/")));
            assert!(document["Statement"].is_array());
            count += 1;
        }
        assert!(count > 20, "{count}");
        let (_, stripe) = snapshot
            .secrets()
            .find(|(_, secret)| secret.name == "prod/api/stripe-key")
            .unwrap();
        let (_, document) = collected(snapshot.secret_key_policy("us-east-1", stripe));
        assert_eq!(
            document["Statement"][0]["Condition"]["StringEquals"]["kms:ViaService"],
            "secretsmanager.us-east-1.amazonaws.com"
        );
    }
}
