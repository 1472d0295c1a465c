//! One request to decide, and the errors met while building one.

use super::{Context, Principal};

/// One request: who, what action, on what resource, with which context.
#[derive(Debug, Clone)]
pub struct Request {
    /// The caller.
    pub principal: Principal,
    /// `service:Action`, any case.
    pub action: String,
    /// The resource ARN, or `*` for actions without a resource.
    pub resource: String,
    /// The resource's account when it is not in the ARN (or differs from it).
    pub resource_account: Option<String>,
    /// The request context.
    pub context: Context,
}

/// Why a principal or a context could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// The principal ARN is not one the evaluator understands.
    #[error("invalid principal `{principal}`: {reason}")]
    Principal {
        /// The text given.
        principal: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A context value has a type the evaluator cannot use.
    #[error("context key `{key}`: {reason}")]
    Context {
        /// The key as given.
        key: String,
        /// What is wrong with its value.
        reason: String,
    },
}
