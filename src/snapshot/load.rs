//! Reads a snapshot directory (the layout of DESIGN.md, "Snapshot format") into a `Snapshot`.
//!
//! Every data file is optional: a missing file leaves its field `None` (not collected), and so
//! does a file whose API `coverage` marks as not `ok` (coverage is trusted over files; such a
//! file is not even read). `snapshot.json` is the one required file. A file that exists but is
//! not what the AWS CLI prints gives one `SnapshotError` naming the file and the JSON path. This
//! is the only module of `snapshot` that touches the file system, and it only reads.

use std::collections::{BTreeMap, BTreeSet};
use std::io::ErrorKind;
use std::path::Path;

use serde_json::Value;

use super::cloudtrail::read_lookup_events;
use super::coverage::{Api, apply_resource_coverage, blocking_entry};
use super::error::SnapshotError;
use super::iam::read_authorization_details;
use super::json_path::{FieldError, JsonAt};
use super::kms::{read_describe_keys, read_key_policies, read_list_aliases};
use super::meta::read_meta;
use super::model::{RegionData, Snapshot, SnapshotMeta};
use super::organizations::read_organization_policies;
use super::rds::{read_db_clusters, read_db_instances};
use super::secrets::{
    Secret, read_describe_secrets, read_list_secrets, read_resource_policies, read_secret_versions,
};

/// The name of the metadata file at the root of a snapshot directory.
pub const META_FILE: &str = "snapshot.json";

/// Directories at the root of a snapshot that are not regions.
const NON_REGION_DIRS: [&str; 2] = ["iam", "organizations"];

impl Snapshot {
    /// Loads the snapshot in `dir`.
    pub fn load(dir: &Path) -> Result<Snapshot, SnapshotError> {
        SnapshotDir {
            root: dir,
            display: dir.display().to_string(),
        }
        .load()
    }
}

struct SnapshotDir<'a> {
    root: &'a Path,
    display: String,
}

impl SnapshotDir<'_> {
    fn load(&self) -> Result<Snapshot, SnapshotError> {
        if !self.root.is_dir() {
            return Err(SnapshotError::NotADirectory {
                dir: self.display.clone(),
            });
        }
        let meta = self
            .parse(META_FILE, read_meta)?
            .ok_or_else(|| SnapshotError::MissingMeta {
                dir: self.display.clone(),
            })?;
        let mut region_names: BTreeSet<String> = meta.regions.iter().cloned().collect();
        region_names.extend(self.region_dirs()?);
        let mut regions = BTreeMap::new();
        for region in region_names {
            let data = self.load_region(&meta, &region)?;
            regions.insert(region, data);
        }
        let iam = self.parse_api(
            &meta,
            "global",
            Api::GetAccountAuthorizationDetails,
            read_authorization_details,
        )?;
        let organizations = self.parse_api(
            &meta,
            "global",
            Api::OrganizationsPolicies,
            read_organization_policies,
        )?;
        Ok(Snapshot {
            meta,
            regions,
            iam,
            organizations,
        })
    }

    /// Subdirectories that hold region data.
    fn region_dirs(&self) -> Result<Vec<String>, SnapshotError> {
        let entries = std::fs::read_dir(self.root).map_err(|error| SnapshotError::Read {
            dir: self.display.clone(),
            file: ".".to_owned(),
            message: error.to_string(),
        })?;
        let mut names = Vec::new();
        for entry in entries.flatten() {
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            let is_dir = entry.file_type().is_ok_and(|kind| kind.is_dir());
            if is_dir
                && !name.starts_with('.')
                && !NON_REGION_DIRS.contains(&name.as_str())
                && super::meta::is_region_name(&name)
            {
                names.push(name);
            }
        }
        Ok(names)
    }

    fn load_region(&self, meta: &SnapshotMeta, region: &str) -> Result<RegionData, SnapshotError> {
        let listed = self.parse_api(meta, region, Api::ListSecrets, read_list_secrets)?;
        let described = self.parse_api(meta, region, Api::DescribeSecret, read_describe_secrets)?;
        let described_arns = described
            .as_ref()
            .map(|secrets| described_or_complete(secrets, listed.as_deref()));
        let secrets = merge_secrets(listed, described);
        let mut data = RegionData {
            secrets,
            described: described_arns,
            versions: self.parse_api(
                meta,
                region,
                Api::ListSecretVersionIds,
                read_secret_versions,
            )?,
            resource_policies: self.parse_api(
                meta,
                region,
                Api::GetResourcePolicy,
                read_resource_policies,
            )?,
            db_clusters: self.parse_api(meta, region, Api::DescribeDbClusters, read_db_clusters)?,
            db_instances: self.parse_api(
                meta,
                region,
                Api::DescribeDbInstances,
                read_db_instances,
            )?,
            kms_keys: self.parse_api(meta, region, Api::DescribeKey, read_describe_keys)?,
            kms_aliases: self.parse_api(meta, region, Api::ListAliases, read_list_aliases)?,
            key_policies: self.parse_api(meta, region, Api::GetKeyPolicy, read_key_policies)?,
            cloudtrail_events: self.parse_api(
                meta,
                region,
                Api::LookupEvents,
                read_lookup_events,
            )?,
        };
        apply_resource_coverage(&meta.coverage, region, &mut data);
        Ok(data)
    }

    /// Reads the file of `api` unless coverage marks it as not collected.
    fn parse_api<T>(
        &self,
        meta: &SnapshotMeta,
        region: &str,
        api: Api,
        read: impl FnOnce(&JsonAt<'_>) -> Result<T, FieldError>,
    ) -> Result<Option<T>, SnapshotError> {
        if blocking_entry(&meta.coverage, region, api).is_some() {
            return Ok(None);
        }
        self.parse(&api.relative_path(region), read)
    }

    /// Reads and interprets one file; `None` when it does not exist.
    fn parse<T>(
        &self,
        relative: &str,
        read: impl FnOnce(&JsonAt<'_>) -> Result<T, FieldError>,
    ) -> Result<Option<T>, SnapshotError> {
        let Some(value) = self.read_json(relative)? else {
            return Ok(None);
        };
        read(&JsonAt::root(&value))
            .map(Some)
            .map_err(|error| SnapshotError::Content {
                dir: self.display.clone(),
                file: relative.to_owned(),
                error,
            })
    }

    fn read_json(&self, relative: &str) -> Result<Option<Value>, SnapshotError> {
        let path = relative
            .split('/')
            .fold(self.root.to_path_buf(), |path, part| path.join(part));
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == ErrorKind::NotFound => return Ok(None),
            Err(error) => {
                return Err(SnapshotError::Read {
                    dir: self.display.clone(),
                    file: relative.to_owned(),
                    message: error.to_string(),
                });
            }
        };
        if text.trim().is_empty() {
            return Err(SnapshotError::Json {
                dir: self.display.clone(),
                file: relative.to_owned(),
                message: "empty file (did the command that wrote it fail?)".to_owned(),
            });
        }
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|error| SnapshotError::Json {
                dir: self.display.clone(),
                file: relative.to_owned(),
                message: error.to_string(),
            })
    }
}

/// The secrets whose describe-secret data is known: those in describe-secret.json, and the
/// listed secrets without `PrimaryRegion` (not multi-Region: list-secrets returns everything
/// describe-secret would, `ReplicationStatus` aside, which they do not have; the collector
/// describes only multi-Region secrets).
fn described_or_complete(described: &[Secret], listed: Option<&[Secret]>) -> BTreeSet<String> {
    let mut arns: BTreeSet<String> = described.iter().map(|secret| secret.arn.clone()).collect();
    arns.extend(
        listed
            .unwrap_or_default()
            .iter()
            .filter(|secret| secret.primary_region.as_deref().is_none_or(str::is_empty))
            .map(|secret| secret.arn.clone()),
    );
    arns
}

/// Merges describe-secret outputs over list-secrets entries by ARN; the result is sorted by ARN.
/// `None` only when neither was collected.
fn merge_secrets(
    listed: Option<Vec<Secret>>,
    described: Option<Vec<Secret>>,
) -> Option<Vec<Secret>> {
    if listed.is_none() && described.is_none() {
        return None;
    }
    let mut by_arn: BTreeMap<String, Secret> = BTreeMap::new();
    for secret in listed
        .into_iter()
        .flatten()
        .chain(described.into_iter().flatten())
    {
        match by_arn.get_mut(&secret.arn) {
            Some(existing) => existing.merge_from(secret),
            None => {
                by_arn.insert(secret.arn.clone(), secret);
            }
        }
    }
    Some(by_arn.into_values().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    fn secret(arn: &str) -> Secret {
        Secret {
            arn: arn.to_owned(),
            name: arn.rsplit(':').next().unwrap_or_default().to_owned(),
            ..Secret::default()
        }
    }

    #[test]
    fn describe_fields_win_and_list_fields_stay() {
        let mut listed = secret("arn:aws:secretsmanager:us-east-1:111122223333:secret:b-AbCdEf");
        listed.last_accessed_date = DateTime::from_timestamp(1_000, 0);
        listed.owning_service = Some("rds".into());
        let mut described = listed.clone();
        described.last_accessed_date = DateTime::from_timestamp(2_000, 0);
        described.owning_service = None;
        described.primary_region = Some("us-east-1".into());
        let only_described =
            secret("arn:aws:secretsmanager:us-east-1:111122223333:secret:a-XyZ123");
        let merged = merge_secrets(
            Some(vec![listed]),
            Some(vec![described, only_described.clone()]),
        )
        .unwrap();
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0], only_described, "sorted by ARN");
        assert_eq!(
            merged[1].last_accessed_date,
            DateTime::from_timestamp(2_000, 0)
        );
        assert_eq!(merged[1].owning_service.as_deref(), Some("rds"));
        assert_eq!(merged[1].primary_region.as_deref(), Some("us-east-1"));
    }

    #[test]
    fn neither_file_means_not_collected_and_empty_means_none_exist() {
        assert_eq!(merge_secrets(None, None), None);
        assert_eq!(merge_secrets(Some(Vec::new()), None), Some(Vec::new()));
    }
}
