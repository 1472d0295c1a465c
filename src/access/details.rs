//! The conditions that left an entry open (`condition_details`): for a request the evaluator
//! found `Conditional`, each condition of a statement that can apply to it (action, resource,
//! principal) whose outcome is unknown on a key the decision hinges on, as written in the
//! policy (operator, key, values). The evaluator's own matchers decide which statements apply
//! and what a condition's outcome is (`crate::eval::partial`); nothing is re-implemented here.

use crate::arn::wildcard::Piece;
use crate::eval::partial::{condition_outcome, principal_element};
use crate::eval::{Layer, NamedPolicy, PolicySet, Request};
use crate::policy::Statement;

/// One condition an entry depends on, as the policy writes it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConditionDetail {
    /// The operator as written (`StringEquals`, `ForAnyValue:StringLike`, `IpAddressIfExists`).
    pub operator: String,
    /// The key as written.
    pub key: String,
    pub values: Vec<String>,
}

/// The layers of a set with their policies.
fn layers(set: &PolicySet) -> impl Iterator<Item = (Layer, &NamedPolicy)> {
    set.identity
        .iter()
        .map(|p| (Layer::Identity, p))
        .chain(set.resource.iter().map(|p| (Layer::Resource, p)))
        .chain(set.boundary.iter().map(|p| (Layer::Boundary, p)))
        .chain(set.session.iter().map(|p| (Layer::Session, p)))
        .chain(set.scps.iter().flatten().map(|p| (Layer::Scp, p)))
        .chain(set.rcps.iter().flatten().map(|p| (Layer::Rcp, p)))
}

/// Whether the statement's `Resource` / `NotResource` can cover `arn` (a pattern with a policy
/// variable counts as covering it: its condition may still be what decides).
fn may_cover(statement: &Statement, arn: &str) -> bool {
    let Some(resources) = &statement.resources else {
        return true;
    };
    let matched = resources.items.iter().any(|pattern| {
        pattern.text.contains("${")
            || crate::arn::resource_matches(&[Piece::Wild(&pattern.text)], arn)
    });
    matched != resources.negated || resources.items.iter().any(|p| p.text.contains("${"))
}

/// The conditions of `request` against `set` that are unknown on one of `unsettled` (the keys
/// the decision hinges on), sorted and without duplicates.
pub(crate) fn open_conditions(
    set: &PolicySet,
    request: &Request,
    unsettled: &[String],
) -> Vec<ConditionDetail> {
    if unsettled.is_empty() {
        return Vec::new();
    }
    let hinges = |key: &String| unsettled.iter().any(|u| u.eq_ignore_ascii_case(key));
    let has_boundary = set.boundary.is_some();
    let mut out = Vec::new();
    for (layer, policy) in layers(set) {
        for statement in policy.policy.statements_for(&request.action) {
            if statement.conditions.is_empty()
                || !may_cover(statement, &request.resource)
                || principal_element(statement, layer, has_boundary, &request.principal).is_none()
            {
                continue;
            }
            for condition in &statement.conditions {
                let (outcome, unknown) = condition_outcome(condition, &request.context);
                if outcome.is_none() && unknown.iter().any(hinges) {
                    out.push(ConditionDetail {
                        operator: condition.operator.to_string(),
                        key: condition.key.clone(),
                        values: condition.values.clone(),
                    });
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}
