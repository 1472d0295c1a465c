//! The IAM policy language: the document model (statements, actions, resources, principals,
//! conditions), the parser from JSON with path-carrying errors, and the compiled form the
//! evaluator matches against. It owns validation of documents as AWS accepts them; it does not
//! decide requests (that is `crate::eval`) and it never reads files.

mod error;
mod model;
mod parse;

pub use error::PolicyError;
pub use model::{
    ActionPattern, BaseOperator, Clause, Condition, Effect, Operator, Policy, PolicyKind,
    PrincipalPattern, ResourcePattern, SetQualifier, Statement,
};
