//! The policies that apply to one request, grouped by layer.

use std::sync::Arc;

use crate::policy::Policy;

/// A compiled policy and the name the trace reports for it (a file name, a policy ARN…).
#[derive(Debug, Clone)]
pub struct NamedPolicy {
    /// Shown in the trace.
    pub name: String,
    /// The compiled policy.
    pub policy: Arc<Policy>,
}

/// Every policy that takes part in deciding a request.
#[derive(Debug, Default, Clone)]
pub struct PolicySet {
    /// Identity-based policies of the principal (user + groups, or role).
    pub identity: Vec<NamedPolicy>,
    /// The resource-based policy of the resource.
    pub resource: Option<NamedPolicy>,
    /// The principal's permissions boundary.
    pub boundary: Option<NamedPolicy>,
    /// The session policy of a role session or federated-user session.
    pub session: Option<NamedPolicy>,
    /// SCPs of the principal's account, one list per organization level, root first;
    /// empty when the account is not in an organization.
    pub scps: Vec<Vec<NamedPolicy>>,
    /// RCPs of the resource's account, one list per level, root first; empty = no RCPs.
    pub rcps: Vec<Vec<NamedPolicy>>,
}
