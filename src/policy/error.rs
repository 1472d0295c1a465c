//! The one error type of policy parsing: a JSON path and a one-line message.

/// Why a policy document was rejected: where (`Statement[1].Condition.StringLikee`) and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct PolicyError {
    /// JSON path inside the document (`Statement[0].Effect`); `$` for the whole document.
    pub path: String,
    /// Lowercase, one line, user input in backticks.
    pub message: String,
}

impl PolicyError {
    pub(crate) fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }
}
