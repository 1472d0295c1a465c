//! Pieces of a statement's evaluation that the access analysis settles once per principal
//! instead of once per request (partial evaluation): whether a `Principal` / `NotPrincipal`
//! element names the caller, and the outcome of one condition against a context. Both are the
//! evaluator's own matchers (`statement`, `condition`), so a statement reduced with them
//! decides exactly as the flow does; the equivalence tests of `crate::access` check it.

use super::condition::holds;
use super::principal::Principal;
use super::record::Notes;
use super::statement::{self, Grant};
use super::{Context, Layer};
use crate::policy::{Condition, Statement};

/// How a statement's principal element treats the caller: `None` when the statement cannot
/// apply to it, else the grant it makes (0 account, 1 role, 2 direct; `Deny` statements and
/// statements without the element count as direct). Mirrors the flow's scan: a `Deny` with
/// `NotPrincipal` always applies to a principal with a permissions boundary.
pub(crate) fn principal_element(
    statement: &Statement,
    layer: Layer,
    has_boundary: bool,
    principal: &Principal,
) -> Option<u8> {
    let grant = match &statement.principals {
        None => Grant::Direct,
        Some(clause) if clause.negated => {
            let boundary_rule = layer == Layer::Resource && has_boundary;
            if !boundary_rule && statement::not_principal_exempts(statement, principal) {
                return None;
            }
            Grant::Direct
        }
        Some(_) => statement::principal_grant(statement, principal)?,
    };
    Some(match grant {
        Grant::Account => 0,
        Grant::Role => 1,
        Grant::Direct => 2,
    })
}

/// The outcome of one condition against `context` (`None`: unknown) and the keys (lower case)
/// it found `Unknown` on the way, as the traced evaluation records them.
pub(crate) fn condition_outcome(
    condition: &Condition,
    context: &Context,
) -> (Option<bool>, Vec<String>) {
    let mut notes = Notes::default();
    let outcome = match holds(condition, context, &mut notes) {
        super::tri::Tri::True => Some(true),
        super::tri::Tri::False => Some(false),
        super::tri::Tri::Unknown => None,
    };
    (outcome, notes.unknown.into_keys().collect())
}
