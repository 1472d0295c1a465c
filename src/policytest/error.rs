//! The errors of loading case files: where in the file (a JSON path) and what went wrong.

use std::fmt;

/// What is wrong inside one case document, with the JSON path of the offending value
/// (`requests[3].expect`, `identity_policies[0].Statement[1].Effect`); an empty path means the
/// whole document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseError {
    pub location: String,
    pub message: String,
}

impl CaseError {
    pub(crate) fn new(location: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            location: location.into(),
            message: message.into(),
        }
    }

    /// The same error seen from one level up: `prefix` goes in front of the location.
    pub(crate) fn within(self, prefix: &str) -> Self {
        let location = match (prefix.is_empty(), self.location.is_empty()) {
            (true, _) => self.location,
            (false, true) => prefix.to_owned(),
            (false, false) if self.location.starts_with('[') => {
                format!("{prefix}{}", self.location)
            }
            (false, false) => format!("{prefix}.{}", self.location),
        };
        Self { location, ..self }
    }
}

impl fmt::Display for CaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.location.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.location, self.message)
        }
    }
}

impl std::error::Error for CaseError {}

/// Why a case file (or a JSON Lines file of cases) could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseFileError {
    /// The file itself could not be read.
    #[error("cannot read `{file}`: {reason}")]
    Unreadable { file: String, reason: String },
    /// The file was read but its content is not a valid case document.
    #[error("cannot load `{file}`: {error}")]
    Invalid { file: String, error: CaseError },
}

impl CaseFileError {
    /// The file the error is about, as the user named it.
    pub fn file(&self) -> &str {
        match self {
            CaseFileError::Unreadable { file, .. } | CaseFileError::Invalid { file, .. } => file,
        }
    }
}

/// An I/O error as one lowercase phrase without the `(os error N)` tail.
pub(crate) fn io_reason(error: &std::io::Error) -> String {
    let text = error.to_string();
    let text = match text.find(" (os error") {
        Some(at) => &text[..at],
        None => text.as_str(),
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::from("unknown i/o error"),
    }
}

/// A `serde_json` syntax error as `invalid JSON at line L column C: <what>`.
/// A JSON text error of a case or policy file: a duplicate key names its JSON path (AWS rejects
/// such policies), anything else is a syntax error with its line and column.
pub(crate) fn json_text_error(error: &crate::policy::JsonTextError) -> CaseError {
    match &error.duplicate {
        Some(duplicate) => CaseError::new(duplicate.path.clone(), duplicate.to_string()),
        None => json_syntax_error(&error.error),
    }
}

pub(crate) fn json_syntax_error(error: &serde_json::Error) -> CaseError {
    let text = error.to_string();
    let what = match text.rfind(" at line ") {
        Some(at) => &text[..at],
        None => text.as_str(),
    };
    CaseError::new(
        "",
        format!(
            "invalid JSON at line {} column {}: {what}",
            error.line(),
            error.column()
        ),
    )
}
