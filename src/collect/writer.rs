//! Writing a snapshot directory: each file written atomically (a temporary file in the same
//! directory, then a rename), pretty JSON with a final newline like the AWS CLI, and
//! `snapshot.json` last, so that a run that dies never leaves a directory that looks complete.
//! Before writing, the files of an earlier snapshot in the same directory are removed (a file
//! this run could not collect must not survive from the last one); a non-empty directory that
//! holds no snapshot is refused rather than touched.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use serde_json::Value;

use super::coverage::CoverageEntry;
use super::plan::is_account_id;

/// Why a snapshot could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("cannot write `{path}`: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("`{0}` is not empty and holds no snapshot: choose an empty or new directory")]
    NotASnapshotDirectory(PathBuf),
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// `snapshot.json`.
#[derive(Debug, Clone, Serialize)]
pub struct SnapshotHeader {
    pub schema_version: u32,
    pub account_id: String,
    pub partition: String,
    pub collected_at: String,
    /// The account's organization (`collect --organization`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    pub regions: Vec<String>,
    pub coverage: Vec<CoverageEntry>,
}

impl SnapshotHeader {
    pub fn new(
        account_id: &str,
        partition: &str,
        collected_at: DateTime<Utc>,
        regions: &[String],
        mut coverage: Vec<CoverageEntry>,
    ) -> SnapshotHeader {
        coverage.sort();
        coverage.dedup();
        SnapshotHeader {
            schema_version: 1,
            account_id: account_id.to_owned(),
            partition: partition.to_owned(),
            collected_at: collected_at.to_rfc3339_opts(SecondsFormat::Secs, true),
            organization_id: None,
            regions: regions.to_vec(),
            coverage,
        }
    }
}

/// Makes `dir` ready for a new snapshot: creates it, or clears the earlier snapshot it holds.
pub fn prepare_directory(dir: &Path) -> Result<(), WriteError> {
    if !dir.exists() {
        return fs::create_dir_all(dir).map_err(io_error(dir));
    }
    let entries: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(io_error(dir))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .collect();
    if entries.is_empty() {
        return Ok(());
    }
    let name_of = |path: &Path| {
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned()
    };
    let is_snapshot_entry = |path: &Path| {
        let name = name_of(path);
        name == "snapshot.json"
            || name == "iam"
            || name == "organizations"
            || crate::arn::is_region_name(&name)
            || (is_account_id(&name) && path.join("snapshot.json").exists())
    };
    let holds_snapshot = dir.join("snapshot.json").exists()
        || entries
            .iter()
            .any(|path| is_account_id(&name_of(path)) && path.join("snapshot.json").exists());
    if !holds_snapshot {
        return Err(WriteError::NotASnapshotDirectory(dir.to_path_buf()));
    }
    for path in entries.iter().filter(|path| is_snapshot_entry(path)) {
        let result = if path.is_dir() {
            fs::remove_dir_all(path)
        } else {
            fs::remove_file(path)
        };
        result.map_err(io_error(path))?;
    }
    Ok(())
}

/// Writes `value` to `path` atomically as pretty JSON with a final newline.
pub fn write_json(path: &Path, value: &impl Serialize) -> Result<(), WriteError> {
    let parent = path.parent().unwrap_or_else(|| Path::new("."));
    fs::create_dir_all(parent).map_err(io_error(parent))?;
    let mut file = tempfile::NamedTempFile::new_in(parent).map_err(io_error(parent))?;
    {
        let mut writer = std::io::BufWriter::new(file.as_file_mut());
        serde_json::to_writer_pretty(&mut writer, value).map_err(|error| WriteError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::other(error),
        })?;
        writer.write_all(b"\n").map_err(io_error(path))?;
        writer.flush().map_err(io_error(path))?;
    }
    file.persist(path).map_err(|error| WriteError::Io {
        path: path.to_path_buf(),
        source: error.error,
    })?;
    Ok(())
}

/// Writes the collected files of one account, then its `snapshot.json`.
pub fn write_account(
    dir: &Path,
    files: &[(PathBuf, Value)],
    header: &SnapshotHeader,
) -> Result<(), WriteError> {
    for (relative, value) in files {
        write_json(&dir.join(relative), value)?;
    }
    write_json(&dir.join("snapshot.json"), header)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_earlier_snapshot_is_cleared_but_other_directories_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let snapshot = dir.path().join("snap");
        prepare_directory(&snapshot).unwrap();
        let header = SnapshotHeader::new(
            "111111111111",
            "aws",
            DateTime::UNIX_EPOCH,
            &["us-east-1".into()],
            vec![],
        );
        let files = vec![(
            PathBuf::from("us-east-1/kms/list-aliases.json"),
            serde_json::json!({"Aliases": []}),
        )];
        write_account(&snapshot, &files, &header).unwrap();
        fs::write(snapshot.join("README.txt"), "mine").unwrap();
        prepare_directory(&snapshot).unwrap();
        assert!(!snapshot.join("us-east-1").exists());
        assert!(!snapshot.join("snapshot.json").exists());
        assert!(
            snapshot.join("README.txt").exists(),
            "files that are not the snapshot's stay"
        );

        let other = dir.path().join("other");
        fs::create_dir_all(&other).unwrap();
        fs::write(other.join("notes.txt"), "x").unwrap();
        assert!(matches!(
            prepare_directory(&other),
            Err(WriteError::NotASnapshotDirectory(_))
        ));
    }

    #[test]
    fn header_is_sorted_and_timestamped_like_design() {
        let entry = |region: &str| CoverageEntry::ok(region, "kms:ListAliases");
        let header = SnapshotHeader::new(
            "111111111111",
            "aws",
            DateTime::parse_from_rfc3339("2026-11-01T00:00:00Z")
                .unwrap()
                .with_timezone(&Utc),
            &["us-east-1".into()],
            vec![entry("us-east-1"), entry("eu-west-1"), entry("us-east-1")],
        );
        let value = serde_json::to_value(&header).unwrap();
        assert_eq!(value["collected_at"], "2026-11-01T00:00:00Z");
        assert_eq!(value["coverage"].as_array().unwrap().len(), 2);
        assert_eq!(value["coverage"][0]["region"], "eu-west-1");
    }
}
