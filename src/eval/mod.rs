//! The request evaluator: the request (principal, action, resource, context), the set of
//! policies that apply to it, and the decision with its trace, per `docs/semantics.md`.
//! Evaluating parsed policies never fails; bad input is rejected earlier, when a principal or a
//! context is built. It does no I/O and never parses policy JSON (that is `crate::policy`).
//!
//! There is one entry point for every kind of request, `decide` (hot path) and `evaluate` (the
//! same decision with its trace); `eval`, `test`, the policy rules and access analysis all call
//! them. The resource policy in `PolicySet::resource` plays the role the request gives it
//! (`resource_policy_role`):
//!
//! - **KMS key policy**: a `kms:` action on `arn:…:kms:REGION:ACCOUNT:key/ID`. Put the key
//!   policy in `PolicySet::resource`, the caller's identity policies, boundary, session policy
//!   and SCPs as usual, and the key's RCPs in `PolicySet::rcps`. The KMS request Secrets
//!   Manager makes for a caller (`kms:ViaService = secretsmanager.REGION.amazonaws.com`,
//!   `kms:CallerAccount`, the key's aliases, the encryption context) is built in one place,
//!   `crate::access::kms`; decide it like any other request. An AWS managed
//!   key (an `alias/aws/…` alias in `kms:ResourceAliases`, or a key policy `Id` such as
//!   `auto-secretsmanager-2`; `is_aws_managed_key`) is not restricted by RCPs.
//!   `resource: None` means "no key policy": nothing is allowed. KMS grants are not modelled
//!   (`Diagnostic::GrantsNotModelled`).
//! - **Role trust policy**: `sts:AssumeRole`, `sts:TagSession`, `sts:SetSourceIdentity`,
//!   `sts:SetContext`, `sts:AssumeRoleWithSAML`, `sts:AssumeRoleWithWebIdentity` on
//!   `arn:…:iam::ACCOUNT:role/…`: put the role's trust policy in `PolicySet::resource`. The
//!   caller of a federated call is its identity provider (`arn:…:saml-provider/…`,
//!   `arn:…:oidc-provider/HOST`).
//! - **Ordinary** resource policies (a secret's) for everything else.
//!
//! `Evaluation::diagnostics` says which service rule applied and flags legacy forms such as
//! `Allow` + `NotPrincipal`; they never change the decision.

mod condition;
mod context;
mod decision;
mod flow;
pub(crate) mod partial;
mod principal;
mod record;
mod request;
mod service;
mod set;
mod statement;
mod tri;

pub use context::{Context, ContextValue};
pub use decision::{Decision, Diagnostic, Evaluation, Layer, StatementRef};
pub use flow::{decide, evaluate};
pub use principal::{Principal, PrincipalArn, PrincipalType};
pub use request::{Request, RequestError};
pub use service::{
    RcpExemption, ResourcePolicyRole, is_aws_managed_key, needs_no_permission, rcp_exemption,
    rcps_cover_service, resource_policy_role,
};
pub use set::{NamedPolicy, PolicySet};

#[cfg(test)]
mod tests;
