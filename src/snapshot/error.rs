//! The one error type of the snapshot loader. Every message is one line that names the snapshot
//! directory, the file (relative, `/`-separated) and, for bad content, the JSON path:
//! ``cannot load snapshot `fixtures/x`: us-east-1/secretsmanager/list-secrets.json: SecretList[3].LastRotatedDate: expected a timestamp``.

use super::json_path::FieldError;

/// Why a snapshot directory could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SnapshotError {
    #[error("cannot load snapshot `{dir}`: not a directory")]
    NotADirectory { dir: String },
    #[error("cannot load snapshot `{dir}`: snapshot.json: missing (every snapshot needs it)")]
    MissingMeta { dir: String },
    #[error("cannot load snapshot `{dir}`: {file}: cannot read: {message}")]
    Read {
        dir: String,
        file: String,
        message: String,
    },
    #[error("cannot load snapshot `{dir}`: {file}: invalid JSON: {message}")]
    Json {
        dir: String,
        file: String,
        message: String,
    },
    #[error("cannot load snapshot `{dir}`: {file}: {error}")]
    Content {
        dir: String,
        file: String,
        error: FieldError,
    },
}
