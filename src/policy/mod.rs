//! The IAM policy language: the document model (statements, actions, resources, principals,
//! conditions), the parser from JSON with path-carrying errors, and the compiled form the
//! evaluator matches against (lower-cased actions indexed by service, ARN patterns with their
//! policy variables, typed condition values). It owns validation of documents as AWS accepts
//! them; it does not decide requests (that is `crate::eval`) and it never reads files.

mod condition;
mod error;
pub(crate) mod index;
mod json_text;
mod model;
mod parse;
pub(crate) mod principal;
pub(crate) mod scalar;
pub(crate) mod template;

pub use error::PolicyError;
pub use json_text::{DuplicateKey, JsonTextError, parse_json_text};
pub use model::{
    ActionPattern, BaseOperator, Clause, Condition, Effect, Operator, Policy, PolicyKind,
    PrincipalPattern, ResourcePattern, SetQualifier, Statement, add_variable_keys,
};

pub(crate) use condition::{KeyName, ValueTest};

#[cfg(test)]
mod tests;
