//! KMS records of a snapshot (`describe-key` `KeyMetadata`, `list-aliases` entries) and the
//! lookup that resolves a secret's `KmsKeyId` (key id, key ARN, alias name or alias ARN) to a key.
//!
//! It reads the AWS CLI's JSON; it judges nothing.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::json_path::{FieldError, JsonAt};
use super::secrets::{outputs, pages};

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
