//! The Secrets Manager records of a snapshot (`ListSecrets` / `DescribeSecret` entries, secret
//! versions, resource policies) and how they are read from the AWS CLI's JSON.
//!
//! A `Secret` is the union of a `list-secrets` entry and a `describe-secret` output for the same
//! ARN, the describe fields winning where present. This module reads and merges; it judges
//! nothing (that is the rules' job) and never touches secret values.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use super::json_path::{FieldError, JsonAt, kind};
use super::problem::{Concerns, Reading, secret_of};
use super::stream::{Piece, PieceReader};

/// A resource tag (`{"Key", "Value"}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// `RotationRules`: at most one of the schedule forms is normally set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RotationRules {
    /// `AutomaticallyAfterDays`.
    pub automatically_after_days: Option<u64>,
    /// `Duration`, the rotation window, e.g. `3h`.
    pub duration: Option<String>,
    /// `ScheduleExpression`: `rate(30 days)`, `rate(4 hours)` or `cron(0 4 ? * SUN *)`.
    pub schedule_expression: Option<String>,
}

/// One entry of `ReplicationStatus` (describe-secret only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplicaStatus {
    pub region: String,
    pub kms_key_id: Option<String>,
    /// `InSync`, `Failed` or `InProgress`.
    pub status: Option<String>,
    pub status_message: Option<String>,
    /// A UTC date (midnight), as Secrets Manager truncates it.
    pub last_accessed_date: Option<DateTime<Utc>>,
}

/// A Secrets Manager secret's metadata, never its value.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Secret {
    pub arn: String,
    pub name: String,
    pub description: Option<String>,
    /// `KmsKeyId` as returned: a key id, key ARN, alias name or alias ARN; `None` means the
    /// AWS managed key `aws/secretsmanager`.
    pub kms_key_id: Option<String>,
    /// `RotationEnabled`; `None` when the secret was never configured for rotation.
    pub rotation_enabled: Option<bool>,
    pub rotation_lambda_arn: Option<String>,
    /// Present even when rotation is off if it was configured before (leftover rules).
    pub rotation_rules: Option<RotationRules>,
    pub last_rotated_date: Option<DateTime<Utc>>,
    pub last_changed_date: Option<DateTime<Utc>>,
    /// A UTC date (midnight): compare whole days.
    pub last_accessed_date: Option<DateTime<Utc>>,
    /// Set when the secret is scheduled for deletion.
    pub deleted_date: Option<DateTime<Utc>>,
    pub next_rotation_date: Option<DateTime<Utc>>,
    pub created_date: Option<DateTime<Utc>>,
    /// Tags in the order AWS returned them, `aws:` tags included.
    pub tags: Vec<Tag>,
    /// Version id → staging labels (`SecretVersionsToStages` / `VersionIdsToStages`).
    pub version_ids_to_stages: BTreeMap<String, Vec<String>>,
    /// `OwningService`, e.g. `rds` for RDS-managed master user secrets.
    pub owning_service: Option<String>,
    /// The primary's region; a replica's differs from the region it is listed in.
    pub primary_region: Option<String>,
    /// Replication to other regions (describe-secret on the primary only).
    pub replication_status: Vec<ReplicaStatus>,
    /// `Type` of a managed external secret (the partner that holds it).
    pub secret_type: Option<String>,
    /// `ExternalSecretRotationMetadata` as key/value pairs.
    pub external_secret_rotation_metadata: Vec<Tag>,
    pub external_secret_rotation_role_arn: Option<String>,
}

impl Secret {
    /// The region in the secret's ARN (`arn:aws:secretsmanager:REGION:…`), if the ARN has one.
    pub fn region(&self) -> Option<&str> {
        crate::arn::region_of(&self.arn)
    }

    /// The account in the secret's ARN.
    pub fn account_id(&self) -> Option<&str> {
        crate::arn::account_of(&self.arn)
    }

    /// A replica: `PrimaryRegion` is set and differs from the region the secret lives in.
    pub fn is_replica(&self) -> bool {
        match (self.primary_region.as_deref(), self.region()) {
            (Some(primary), Some(region)) => primary != region,
            _ => false,
        }
    }

    /// Scheduled for deletion (`DeletedDate` set).
    pub fn is_pending_deletion(&self) -> bool {
        self.deleted_date.is_some()
    }

    /// Rotation is on (`RotationEnabled` is exactly true).
    pub fn rotation_is_enabled(&self) -> bool {
        self.rotation_enabled == Some(true)
    }

    /// The tag value for `key` (case-sensitive).
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags
            .iter()
            .find(|tag| tag.key == key)
            .map(|tag| tag.value.as_str())
    }

    /// Tags set by users: those whose key does not start with `aws:`.
    pub fn user_tags(&self) -> impl Iterator<Item = &Tag> {
        self.tags.iter().filter(|tag| !tag.key.starts_with("aws:"))
    }

    /// The version id holding `stage` (e.g. `AWSCURRENT`).
    pub fn version_with_stage(&self, stage: &str) -> Option<&str> {
        self.version_ids_to_stages
            .iter()
            .find(|(_, stages)| stages.iter().any(|s| s == stage))
            .map(|(id, _)| id.as_str())
    }

    /// Overlays the fields `other` has over this secret's (describe-secret over list-secrets).
    pub(crate) fn merge_from(&mut self, other: Secret) {
        fn take<T>(mine: &mut Option<T>, theirs: Option<T>) {
            if theirs.is_some() {
                *mine = theirs;
            }
        }
        fn take_list<T>(mine: &mut Vec<T>, theirs: Vec<T>) {
            if !theirs.is_empty() {
                *mine = theirs;
            }
        }
        if !other.name.is_empty() {
            self.name = other.name;
        }
        take(&mut self.description, other.description);
        take(&mut self.kms_key_id, other.kms_key_id);
        take(&mut self.rotation_enabled, other.rotation_enabled);
        take(&mut self.rotation_lambda_arn, other.rotation_lambda_arn);
        take(&mut self.rotation_rules, other.rotation_rules);
        take(&mut self.last_rotated_date, other.last_rotated_date);
        take(&mut self.last_changed_date, other.last_changed_date);
        take(&mut self.last_accessed_date, other.last_accessed_date);
        take(&mut self.deleted_date, other.deleted_date);
        take(&mut self.next_rotation_date, other.next_rotation_date);
        take(&mut self.created_date, other.created_date);
        take_list(&mut self.tags, other.tags);
        if !other.version_ids_to_stages.is_empty() {
            self.version_ids_to_stages = other.version_ids_to_stages;
        }
        take(&mut self.owning_service, other.owning_service);
        take(&mut self.primary_region, other.primary_region);
        take_list(&mut self.replication_status, other.replication_status);
        take(&mut self.secret_type, other.secret_type);
        take_list(
            &mut self.external_secret_rotation_metadata,
            other.external_secret_rotation_metadata,
        );
        take(
            &mut self.external_secret_rotation_role_arn,
            other.external_secret_rotation_role_arn,
        );
    }
}

/// One entry of `list-secret-version-ids` `Versions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecretVersion {
    pub version_id: String,
    pub version_stages: Vec<String>,
    pub created_date: Option<DateTime<Utc>>,
    pub last_accessed_date: Option<DateTime<Utc>>,
    pub kms_key_ids: Vec<String>,
}

/// What the snapshot knows about one secret's resource policy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ResourcePolicyState<'a> {
    /// The policy was read and the secret has one.
    Policy(&'a Value),
    /// The policy was read and the secret has none.
    NoPolicy,
    /// Not collected for this secret (or for its region).
    NotCollected,
}

pub(crate) fn read_tag(at: &JsonAt<'_>) -> Result<Tag, FieldError> {
    Ok(Tag {
        key: at.required_string("Key")?,
        value: at.opt_string("Value")?.unwrap_or_default(),
    })
}

fn read_rotation_rules(at: &JsonAt<'_>) -> Result<RotationRules, FieldError> {
    Ok(RotationRules {
        automatically_after_days: at.opt_unsigned("AutomaticallyAfterDays")?,
        duration: at.opt_string("Duration")?,
        schedule_expression: at.opt_string("ScheduleExpression")?,
    })
}

fn read_replica_status(at: &JsonAt<'_>, reading: &Reading) -> Result<ReplicaStatus, FieldError> {
    Ok(ReplicaStatus {
        region: at.required_string("Region")?,
        kms_key_id: at.opt_string("KmsKeyId")?,
        status: at.opt_string("Status")?,
        status_message: at.opt_string("StatusMessage")?,
        last_accessed_date: reading.past_date(at, "LastAccessedDate")?,
    })
}

fn read_stages(at: &JsonAt<'_>) -> Result<BTreeMap<String, Vec<String>>, FieldError> {
    at.members()?
        .into_iter()
        .map(|(id, stages)| Ok((id.to_owned(), stages.strings()?)))
        .collect()
}

/// Reads a `SecretListEntry` (list-secrets) or a describe-secret output; the dates of past
/// events must be possible ones.
pub(crate) fn read_secret(at: &JsonAt<'_>, reading: &Reading) -> Result<Secret, FieldError> {
    let stages = match at.get("SecretVersionsToStages")? {
        Some(stages) => read_stages(&stages)?,
        None => match at.get("VersionIdsToStages")? {
            Some(stages) => read_stages(&stages)?,
            None => BTreeMap::new(),
        },
    };
    Ok(Secret {
        arn: at.required_string("ARN")?,
        name: at.opt_string("Name")?.unwrap_or_default(),
        description: at.opt_string("Description")?,
        kms_key_id: at.opt_string("KmsKeyId")?,
        rotation_enabled: at.opt_bool("RotationEnabled")?,
        rotation_lambda_arn: at.opt_string("RotationLambdaARN")?,
        rotation_rules: at
            .get("RotationRules")?
            .map(|rules| read_rotation_rules(&rules))
            .transpose()?,
        last_rotated_date: reading.past_date(at, "LastRotatedDate")?,
        last_changed_date: reading.past_date(at, "LastChangedDate")?,
        last_accessed_date: reading.past_date(at, "LastAccessedDate")?,
        deleted_date: at.opt_timestamp("DeletedDate")?,
        next_rotation_date: at.opt_timestamp("NextRotationDate")?,
        created_date: reading.past_date(at, "CreatedDate")?,
        tags: at.list_or_empty("Tags", read_tag)?,
        version_ids_to_stages: stages,
        owning_service: at.opt_string("OwningService")?,
        primary_region: at.opt_string("PrimaryRegion")?,
        replication_status: at.list_or_empty("ReplicationStatus", |item| {
            read_replica_status(item, reading)
        })?,
        secret_type: at.opt_string("Type")?,
        external_secret_rotation_metadata: at
            .list_or_empty("ExternalSecretRotationMetadata", read_tag)?,
        external_secret_rotation_role_arn: at.opt_string("ExternalSecretRotationRoleArn")?,
    })
}

/// Reads secret records; a bad record that names its ARN stays as a bare secret (ARN and name)
/// so that every rule reports it, INSUFFICIENT_DATA, from the recorded problem.
fn read_secrets(items: &[JsonAt<'_>], reading: &mut Reading) -> Vec<Secret> {
    let mut secrets = Vec::with_capacity(items.len());
    for item in items {
        match read_secret(item, reading) {
            Ok(secret) => secrets.push(secret),
            Err(error) => {
                let concerns = secret_of(item);
                if let Concerns::Secret { arn } = &concerns {
                    let name = item.value().get("Name").and_then(Value::as_str);
                    secrets.push(Secret {
                        arn: arn.clone(),
                        name: name.unwrap_or_default().to_owned(),
                        ..Secret::default()
                    });
                }
                reading.skip(error, concerns);
            }
        }
    }
    secrets
}

/// Reads `list-secrets.json`: `{"SecretList": [...]}`, or an array of such pages.
#[derive(Debug, Default)]
pub(crate) struct ListSecretsReader {
    secrets: Vec<Secret>,
}

impl PieceReader for ListSecretsReader {
    type Output = Vec<Secret>;
    const RECORDS: Option<&'static str> = Some("SecretList");

    fn piece(&mut self, piece: Piece<'_>, reading: &mut Reading) -> Result<(), FieldError> {
        match piece {
            Piece::Page(page) => {
                page.object()?;
                if let Some(list) = page.get("SecretList")? {
                    self.secrets.extend(read_secrets(&list.items()?, reading));
                }
            }
            Piece::Record(record) => self.secrets.extend(read_secrets(&[record], reading)),
        }
        Ok(())
    }

    fn finish(self, _: &mut Reading) -> Vec<Secret> {
        self.secrets
    }
}

/// Reads `describe-secret.json`: an array of describe-secret outputs (or a single one).
#[derive(Debug, Default)]
pub(crate) struct DescribeSecretsReader {
    secrets: Vec<Secret>,
}

impl PieceReader for DescribeSecretsReader {
    type Output = Vec<Secret>;
    const RECORDS: Option<&'static str> = None;

    fn piece(&mut self, piece: Piece<'_>, reading: &mut Reading) -> Result<(), FieldError> {
        let (Piece::Page(output) | Piece::Record(output)) = piece;
        self.secrets.extend(read_secrets(&[output], reading));
        Ok(())
    }

    fn finish(self, _: &mut Reading) -> Vec<Secret> {
        self.secrets
    }
}

fn read_version(at: &JsonAt<'_>, reading: &Reading) -> Result<SecretVersion, FieldError> {
    Ok(SecretVersion {
        version_id: at.required_string("VersionId")?,
        version_stages: at.strings_or_empty("VersionStages")?,
        created_date: reading.past_date(at, "CreatedDate")?,
        last_accessed_date: reading.past_date(at, "LastAccessedDate")?,
        kms_key_ids: at.strings_or_empty("KmsKeyIds")?,
    })
}

/// The ARNs of the secrets a bad record concerns.
fn bad_secrets(reading: &Reading) -> Vec<String> {
    reading
        .skipped
        .iter()
        .filter_map(|skipped| match &skipped.concerns {
            Concerns::Secret { arn } => Some(arn.clone()),
            _ => None,
        })
        .collect()
}

/// Reads `list-secret-version-ids.json`: an array of outputs `{ARN, Name, Versions}`, keyed by
/// ARN. One bad version leaves the whole secret out (its versions are not known).
#[derive(Debug, Default)]
pub(crate) struct SecretVersionsReader {
    versions: BTreeMap<String, Vec<SecretVersion>>,
}

impl PieceReader for SecretVersionsReader {
    type Output = BTreeMap<String, Vec<SecretVersion>>;
    const RECORDS: Option<&'static str> = None;

    fn piece(&mut self, piece: Piece<'_>, reading: &mut Reading) -> Result<(), FieldError> {
        let (Piece::Page(output) | Piece::Record(output)) = piece;
        let read = reading.each(&[output], secret_of, |output, reading| {
            let arn = output.required_string("ARN")?;
            let list =
                output.list_or_empty("Versions", |version| read_version(version, reading))?;
            Ok((arn, list))
        })?;
        for (arn, list) in read {
            self.versions.entry(arn).or_default().extend(list);
        }
        Ok(())
    }

    fn finish(mut self, reading: &mut Reading) -> Self::Output {
        for arn in bad_secrets(reading) {
            self.versions.remove(&arn);
        }
        self.versions
    }
}

/// Reads `get-resource-policy.json`: an array of outputs `{ARN, Name, ResourcePolicy}` where
/// `ResourcePolicy` is the policy as a JSON string (or absent: no policy), keyed by ARN. A policy
/// the evaluator cannot load is kept and recorded.
#[derive(Debug, Default)]
pub(crate) struct ResourcePoliciesReader {
    policies: BTreeMap<String, Option<Value>>,
    places: Vec<(String, String)>,
}

impl PieceReader for ResourcePoliciesReader {
    type Output = BTreeMap<String, Option<Value>>;
    const RECORDS: Option<&'static str> = None;

    fn piece(&mut self, piece: Piece<'_>, reading: &mut Reading) -> Result<(), FieldError> {
        let (Piece::Page(output) | Piece::Record(output)) = piece;
        let read = reading.each(&[output], secret_of, |output, _| {
            let (arn, policy) = read_resource_policy(output)?;
            Ok((output.path().to_owned(), arn, policy))
        })?;
        for (path, arn, policy) in read {
            self.places.push((path, arn.clone()));
            self.policies.insert(arn, policy);
        }
        Ok(())
    }

    fn finish(mut self, reading: &mut Reading) -> Self::Output {
        // A secret with a bad record is not known, even if another record of it was good.
        for arn in bad_secrets(reading) {
            self.policies.remove(&arn);
        }
        for (path, arn) in self.places {
            if let Some(Some(document)) = self.policies.get(&arn) {
                reading.check_policy(
                    format!("{path}.ResourcePolicy"),
                    &format!("resource policy of `{arn}`"),
                    document,
                    crate::policy::PolicyKind::Resource,
                    Concerns::Secret { arn: arn.clone() },
                );
            }
        }
        self.policies
    }
}

/// One get-resource-policy output: the secret's ARN and its policy document, if any.
fn read_resource_policy(output: &JsonAt<'_>) -> Result<(String, Option<Value>), FieldError> {
    {
        let arn = output.required_string("ARN")?;
        let policy = match output.get("ResourcePolicy")? {
            None => None,
            Some(at) => match at.value() {
                Value::String(text) if text.trim().is_empty() => None,
                Value::String(text) => {
                    Some(crate::policy::parse_json_text(text).map_err(|error| {
                        match &error.duplicate {
                            Some(duplicate) => {
                                at.error(super::policy_document::duplicate_message(duplicate))
                            }
                            None => {
                                at.error(format!("not a JSON policy document: {}", error.error))
                            }
                        }
                    })?)
                }
                Value::Object(_) => Some(at.value().clone()),
                other => {
                    return Err(at.error(format!(
                        "expected a policy document as a JSON string, found {}",
                        kind(other)
                    )));
                }
            },
        };
        Ok((arn, policy))
    }
}

/// The pages of a paginated CLI output: the object itself, or each element of an array of pages.
pub(crate) fn pages<'a>(root: &JsonAt<'a>) -> Result<Vec<JsonAt<'a>>, FieldError> {
    match root.value() {
        Value::Array(_) => root.items(),
        _ => {
            root.object()?;
            Ok(vec![root.clone()])
        }
    }
}

/// The outputs of a per-resource CLI call gathered in one file: an array of outputs (a single
/// output object is accepted too).
pub(crate) fn outputs<'a>(root: &JsonAt<'a>) -> Result<Vec<JsonAt<'a>>, FieldError> {
    pages(root)
}
