//! The one error type of the rules module: a rule file or a `--config` file that cannot be read,
//! an unknown rule id, a parameter of the wrong type. Messages are one line, lowercase, user
//! input in backticks, the file and JSON path first:
//! ``rules/secretsmanager-secret-tagged.json: $.parameters.requiredTagKeys.type: unknown type `list` ``.

use crate::json_error::JsonError;

/// Why the catalogue, the configuration or an audit run could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    /// A rule file that does not parse or does not describe a rule.
    #[error("{file}: {error}")]
    RuleFile { file: String, error: JsonError },
    /// A rules directory or rule file that cannot be read.
    #[error("cannot read `{path}`: {message}")]
    Read { path: String, message: String },
    /// A rule file whose id has no rule function.
    #[error("{file}: id: no rule function is registered for `{id}`")]
    NoFunction { file: String, id: String },
    /// Two rule files with the same id.
    #[error("{file}: id: rule `{id}` is defined twice")]
    Duplicate { file: String, id: String },
    /// A `--config` document that is not valid (the path is a JSON path into it).
    #[error("{0}")]
    Config(JsonError),
    /// A `--rule` id that is not in the catalogue.
    #[error("unknown rule `{0}`: `secaudit rules list` shows the rules")]
    UnknownRule(String),
    /// A rule asked for a parameter its rule file does not declare (a bug in the rule or an
    /// edited rule file).
    #[error("rule `{rule}`: parameter `{parameter}`: {message}")]
    Parameter {
        rule: String,
        parameter: String,
        message: String,
    },
}
