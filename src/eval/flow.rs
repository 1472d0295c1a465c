//! The evaluation flow of `SEMANTICS.md` §1.1: explicit denies, RCP and SCP levels, the
//! resource-policy grant rules, identity policies, boundary and session policy, cross-account.

use super::{Decision, Evaluation, PolicySet, Request};

/// Decides `request` against `set` and explains why. Never fails.
pub fn evaluate(set: &PolicySet, request: &Request) -> Evaluation {
    let _ = (set, request);
    Evaluation {
        decision: Decision::ImplicitDeny,
        allowed_by: Vec::new(),
        denied_by: Vec::new(),
        blocked_by: None,
        missing_keys: Vec::new(),
        unsettled_keys: Vec::new(),
    }
}

/// Decides `request` against `set` without a trace; the hot path, it does not allocate.
pub fn decide(set: &PolicySet, request: &Request) -> Decision {
    evaluate(set, request).decision
}
