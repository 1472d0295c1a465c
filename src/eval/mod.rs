//! The request evaluator: the request (principal, action, resource, context), the set of
//! policies that apply to it, and the decision with its trace, per `docs/semantics.md`. Evaluating
//! parsed policies never fails; bad input is rejected earlier, when a principal or a context is
//! built. It does no I/O and never parses policy JSON (that is `crate::policy`).

mod condition;
mod context;
mod decision;
mod flow;
mod principal;
mod record;
mod request;
mod set;
mod statement;
mod tri;

pub use context::{Context, ContextValue};
pub use decision::{Decision, Evaluation, Layer, StatementRef};
pub use flow::{decide, evaluate};
pub use principal::{Principal, PrincipalArn, PrincipalType};
pub use request::{Request, RequestError};
pub use set::{NamedPolicy, PolicySet};

#[cfg(test)]
mod tests;
