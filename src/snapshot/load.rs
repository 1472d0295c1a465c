//! Reads a snapshot directory (the layout of `docs/file-formats.md`) into a `Snapshot`.
//!
//! Every data file is optional: a missing file leaves its field `None` (not collected), and so
//! does a file whose API `coverage` marks as not `ok` (coverage is trusted over files; such a
//! file is not even read). `snapshot.json` is the one required file, and a bad one is an error.
//!
//! What was collected is never trusted (`LoadMode::Tolerant`, what `audit` uses): a bad record
//! is skipped and recorded as a `LoadProblem` naming the file and the JSON path; a file that
//! cannot be used at all (unreadable, not JSON, not a regular file, larger than
//! `MAX_FILE_BYTES`, not the shape the AWS CLI prints) is recorded too and its data stays
//! `None`. With `LoadMode::Strict` (what `Snapshot::load` does) the first such problem is a
//! `SnapshotError`. Only regular files are read (a FIFO would hang the run, a symlink to
//! `/dev/zero` would read forever). This is the only module of `snapshot` that touches the file
//! system, and it only reads.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{ErrorKind, Read};
use std::path::Path;

use serde_json::Value;

use super::cloudtrail::{LookupEventsReader, secret_id_matches};
use super::coverage::{Api, apply_resource_coverage, blocking_entry};
use super::error::SnapshotError;
use super::iam::read_authorization_details;
use super::json_path::{FieldError, JsonAt};
use super::kms::{read_describe_keys, read_key_policies, read_list_aliases};
use super::meta::read_meta;
use super::model::{RegionData, Snapshot, SnapshotMeta};
use super::organizations::{OrganizationPolicies, read_organization_policies};
use super::problem::{Concerns, LoadMode, LoadProblem, Reading};
use super::rds::{read_db_clusters, read_db_instances};
use super::secrets::{
    DescribeSecretsReader, ListSecretsReader, ResourcePoliciesReader, Secret, SecretVersionsReader,
};
use super::stream::{PieceReader, StreamError, read_stream};
use crate::policy::PolicyKind;

/// The name of the metadata file at the root of a snapshot directory.
pub const META_FILE: &str = "snapshot.json";

/// The largest snapshot file read: 4 GiB. The largest real output (list-secrets of an account
/// with 200,000 secrets) is about 270 MB; a larger file is not AWS CLI output (or a symlink to a
/// device) and is recorded as unreadable instead of exhausting memory.
pub const MAX_FILE_BYTES: u64 = 4 << 30;

/// Directories at the root of a snapshot that are not regions.
const NON_REGION_DIRS: [&str; 2] = ["iam", "organizations"];

impl Snapshot {
    /// Loads the snapshot in `dir`; the first bad record or unreadable file is an error
    /// (`LoadMode::Strict`).
    pub fn load(dir: &Path) -> Result<Snapshot, SnapshotError> {
        Snapshot::load_with(dir, LoadMode::Strict)
    }

    /// Loads the snapshot in `dir`; with `LoadMode::Tolerant`, bad records and unreadable files
    /// become `Snapshot::problems` (only `snapshot.json` must be good).
    pub fn load_with(dir: &Path, mode: LoadMode) -> Result<Snapshot, SnapshotError> {
        SnapshotDir {
            root: dir,
            display: dir.display().to_string(),
            mode,
            problems: Vec::new(),
        }
        .load()
    }
}

struct SnapshotDir<'a> {
    root: &'a Path,
    display: String,
    mode: LoadMode,
    problems: Vec<LoadProblem>,
}

/// Why a file could not be read.
enum Failure {
    /// Not readable, or not JSON.
    File(FileError),
    /// JSON, but not the shape the AWS CLI prints.
    Content(FieldError),
}

/// Why a file could not be used at all.
enum FileError {
    Read(String),
    Json(String),
}

impl SnapshotDir<'_> {
    fn load(mut self) -> Result<Snapshot, SnapshotError> {
        if !self.root.is_dir() {
            return Err(SnapshotError::NotADirectory {
                dir: self.display.clone(),
            });
        }
        let meta = self.load_meta()?;
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
            |root, reading| {
                let policies = read_organization_policies(root)?;
                check_organization_policies(&policies, reading);
                Ok(policies)
            },
        )?;
        Ok(Snapshot {
            meta,
            regions,
            iam,
            organizations,
            problems: self.problems,
        })
    }

    fn load_meta(&self) -> Result<SnapshotMeta, SnapshotError> {
        let value = match self.read_json(META_FILE) {
            Ok(Some(value)) => value,
            Ok(None) => {
                return Err(SnapshotError::MissingMeta {
                    dir: self.display.clone(),
                });
            }
            Err(error) => return Err(self.file_error(META_FILE, error)),
        };
        read_meta(&JsonAt::root(&value)).map_err(|error| SnapshotError::Content {
            dir: self.display.clone(),
            file: META_FILE.to_owned(),
            error,
        })
    }

    fn file_error(&self, file: &str, error: FileError) -> SnapshotError {
        match error {
            FileError::Read(message) => SnapshotError::Read {
                dir: self.display.clone(),
                file: file.to_owned(),
                message,
            },
            FileError::Json(message) => SnapshotError::Json {
                dir: self.display.clone(),
                file: file.to_owned(),
                message,
            },
        }
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
                && crate::arn::is_region_name(&name)
            {
                names.push(name);
            }
        }
        Ok(names)
    }

    fn load_region(
        &mut self,
        meta: &SnapshotMeta,
        region: &str,
    ) -> Result<RegionData, SnapshotError> {
        let listed =
            self.stream_api(meta, region, Api::ListSecrets, ListSecretsReader::default())?;
        let described = self.stream_api(
            meta,
            region,
            Api::DescribeSecret,
            DescribeSecretsReader::default(),
        )?;
        let described_arns = described
            .as_ref()
            .map(|secrets| described_or_complete(secrets, listed.as_deref()));
        let secrets = merge_secrets(listed, described);
        let mut data = RegionData {
            secrets,
            described: described_arns,
            versions: self.stream_api(
                meta,
                region,
                Api::ListSecretVersionIds,
                SecretVersionsReader::default(),
            )?,
            resource_policies: self.stream_api(
                meta,
                region,
                Api::GetResourcePolicy,
                ResourcePoliciesReader::default(),
            )?,
            db_clusters: self.parse_api(meta, region, Api::DescribeDbClusters, read_db_clusters)?,
            db_instances: self.parse_api(
                meta,
                region,
                Api::DescribeDbInstances,
                read_db_instances,
            )?,
            kms_keys: self.parse_api(meta, region, Api::DescribeKey, |root, _| {
                read_describe_keys(root)
            })?,
            kms_aliases: self.parse_api(meta, region, Api::ListAliases, |root, _| {
                read_list_aliases(root)
            })?,
            key_policies: self.parse_api(meta, region, Api::GetKeyPolicy, |root, _| {
                read_key_policies(root)
            })?,
            cloudtrail_events: self.stream_api(
                meta,
                region,
                Api::LookupEvents,
                LookupEventsReader::default(),
            )?,
        };
        apply_resource_coverage(&meta.coverage, region, &mut data);
        self.resolve_event_secrets(region, &data);
        Ok(data)
    }

    /// A bad CloudTrail event names its secret as the caller wrote it (name, ARN or partial
    /// ARN): resolve it to the ARN of the region's secret.
    fn resolve_event_secrets(&mut self, region: &str, data: &RegionData) {
        let secrets = data.secrets.as_deref().unwrap_or_default();
        for problem in &mut self.problems {
            if problem.api != Api::LookupEvents || problem.region != region {
                continue;
            }
            if let Concerns::Secret { arn } = &mut problem.concerns
                && let Some(secret) = secrets
                    .iter()
                    .find(|secret| secret_id_matches(arn, &secret.arn, &secret.name))
            {
                arn.clone_from(&secret.arn);
            }
        }
    }

    /// Reads the file of `api` unless coverage marks it as not collected.
    fn parse_api<T>(
        &mut self,
        meta: &SnapshotMeta,
        region: &str,
        api: Api,
        read: impl FnOnce(&JsonAt<'_>, &mut Reading) -> Result<T, FieldError>,
    ) -> Result<Option<T>, SnapshotError> {
        if blocking_entry(&meta.coverage, region, api).is_some() {
            return Ok(None);
        }
        let relative = api.relative_path(region);
        let mut reading = Reading::new(meta.collected_at);
        let outcome = match self.read_json(&relative) {
            Ok(None) => return Ok(None),
            Ok(Some(value)) => read(&JsonAt::root(&value), &mut reading).map_err(Failure::Content),
            Err(error) => Err(Failure::File(error)),
        };
        self.record(region, api, relative, outcome, reading)
    }

    /// Reads the file of `api` record by record (`stream`), unless coverage marks it as not
    /// collected: the big files, whose whole JSON tree would not fit in memory at scale.
    fn stream_api<R: PieceReader>(
        &mut self,
        meta: &SnapshotMeta,
        region: &str,
        api: Api,
        reader: R,
    ) -> Result<Option<R::Output>, SnapshotError> {
        if blocking_entry(&meta.coverage, region, api).is_some() {
            return Ok(None);
        }
        let relative = api.relative_path(region);
        let mut reading = Reading::new(meta.collected_at);
        let outcome = match self.open(&relative) {
            Ok(None) => return Ok(None),
            Ok(Some(file)) => {
                let input = std::io::BufReader::with_capacity(1 << 16, file);
                read_stream(input, &mut reading, reader).map_err(|error| match error {
                    StreamError::Json(error) if error.is_io() => {
                        Failure::File(FileError::Read(error.to_string()))
                    }
                    StreamError::Json(error)
                        if error.is_eof() && error.line() == 1 && error.column() == 0 =>
                    {
                        Failure::File(FileError::Json(
                            "empty file (did the command that wrote it fail?)".to_owned(),
                        ))
                    }
                    StreamError::Json(error) => Failure::File(FileError::Json(error.to_string())),
                    StreamError::Content(error) => Failure::Content(error),
                })
            }
            Err(error) => Err(Failure::File(error)),
        };
        self.record(region, api, relative, outcome, reading)
    }

    /// Turns the outcome of reading one file into data and problems (or, strict, an error).
    fn record<T>(
        &mut self,
        region: &str,
        api: Api,
        relative: String,
        outcome: Result<T, Failure>,
        reading: Reading,
    ) -> Result<Option<T>, SnapshotError> {
        let problem = |path: String, reason: String, concerns: Concerns| LoadProblem {
            region: region.to_owned(),
            api,
            file: relative.clone(),
            path,
            reason,
            concerns,
        };
        match outcome {
            Ok(data) => {
                if let Some(first) = reading.skipped.first()
                    && self.mode == LoadMode::Strict
                {
                    return Err(SnapshotError::Content {
                        dir: self.display.clone(),
                        file: relative.clone(),
                        error: first.error.clone(),
                    });
                }
                for skipped in reading.skipped {
                    self.problems.push(problem(
                        skipped.error.path,
                        skipped.error.message,
                        skipped.concerns,
                    ));
                }
                Ok(Some(data))
            }
            Err(Failure::File(error)) => {
                if self.mode == LoadMode::Strict {
                    return Err(self.file_error(&relative, error));
                }
                let reason = match error {
                    FileError::Read(message) => format!("cannot read: {message}"),
                    FileError::Json(message) => format!("invalid JSON: {message}"),
                };
                self.problems
                    .push(problem(String::new(), reason, Concerns::WholeFile));
                Ok(None)
            }
            Err(Failure::Content(error)) => {
                if self.mode == LoadMode::Strict {
                    return Err(SnapshotError::Content {
                        dir: self.display.clone(),
                        file: relative.clone(),
                        error,
                    });
                }
                self.problems
                    .push(problem(error.path, error.message, Concerns::WholeFile));
                Ok(None)
            }
        }
    }

    /// Opens one file for reading; `None` when it does not exist. Only regular files (symlinks
    /// to them included) are opened, and at most `MAX_FILE_BYTES` of them is read.
    fn open(&self, relative: &str) -> Result<Option<std::io::Take<std::fs::File>>, FileError> {
        let path = relative
            .split('/')
            .fold(self.root.to_path_buf(), |path, part| path.join(part));
        let metadata = match std::fs::metadata(&path) {
            Ok(metadata) => metadata,
            Err(error) if error.kind() == ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(FileError::Read(error.to_string())),
        };
        if !metadata.is_file() {
            return Err(FileError::Read(
                "not a regular file (a directory, FIFO, socket or device): not read".to_owned(),
            ));
        }
        if metadata.len() > MAX_FILE_BYTES {
            return Err(FileError::Read(format!(
                "{} bytes: larger than the {} bytes a snapshot file may have",
                metadata.len(),
                MAX_FILE_BYTES
            )));
        }
        let file =
            std::fs::File::open(&path).map_err(|error| FileError::Read(error.to_string()))?;
        // The file may have grown since `metadata`: never read more than the cap.
        Ok(Some(file.take(MAX_FILE_BYTES)))
    }

    /// Reads one JSON file whole; `None` when it does not exist.
    fn read_json(&self, relative: &str) -> Result<Option<Value>, FileError> {
        let Some(mut file) = self.open(relative)? else {
            return Ok(None);
        };
        let mut text = String::new();
        file.read_to_string(&mut text)
            .map_err(|error| FileError::Read(error.to_string()))?;
        if text.trim().is_empty() {
            return Err(FileError::Json(
                "empty file (did the command that wrote it fail?)".to_owned(),
            ));
        }
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|error| FileError::Json(error.to_string()))
    }
}

/// Records every SCP and RCP the evaluator cannot load, naming it.
fn check_organization_policies(policies: &OrganizationPolicies, reading: &mut Reading) {
    let kinds = [
        ("scps", "SCP", PolicyKind::Scp, &policies.scps),
        ("rcps", "RCP", PolicyKind::Rcp, &policies.rcps),
    ];
    for (key, label, kind, levels) in kinds {
        for (level, list) in levels.iter().enumerate() {
            for (index, policy) in list.iter().enumerate() {
                reading.check_policy(
                    format!("{key}[{level}][{index}]"),
                    &format!("{label} `{}`", policy.name),
                    &policy.document,
                    kind,
                    Concerns::Record {
                        resource_type: "AWS::Organizations::Policy".to_owned(),
                        id: policy.name.clone(),
                    },
                );
            }
        }
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
