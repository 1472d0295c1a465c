//! The errors of loading case files: where in the file (a JSON path) and what went wrong.

/// What is wrong inside one case document, with the JSON path of the offending value
/// (`$.requests[3].expect`, `$.identity_policies[0].Statement[1].Effect`): the one JSON error.
pub use crate::json_error::JsonError as CaseError;

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
        Some(duplicate) => CaseError::new(
            crate::json_error::JsonPath::from_relative(duplicate.path.clone()),
            duplicate.to_string(),
        ),
        None => json_syntax_error(&error.error),
    }
}

pub(crate) fn json_syntax_error(error: &serde_json::Error) -> CaseError {
    let text = error.to_string();
    let what = match text.rfind(" at line ") {
        Some(at) => &text[..at],
        None => text.as_str(),
    };
    CaseError::in_text(format!(
        "invalid JSON at line {} column {}: {what}",
        error.line(),
        error.column()
    ))
}
