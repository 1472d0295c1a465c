//! The outcome of an evaluation: the decision and the statements and layers behind it.

use serde::Serialize;

/// The final decision for a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Decision {
    /// Some policy allows and nothing denies or blocks.
    Allowed,
    /// An applicable `Deny` statement.
    ExplicitDeny,
    /// No applicable `Allow` (in a layer that needs one).
    ImplicitDeny,
}

impl Decision {
    /// `"Allowed"`, `"ExplicitDeny"` or `"ImplicitDeny"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allowed => "Allowed",
            Decision::ExplicitDeny => "ExplicitDeny",
            Decision::ImplicitDeny => "ImplicitDeny",
        }
    }

    /// Parses the text written by `as_str`.
    pub fn from_name(name: &str) -> Option<Decision> {
        match name {
            "Allowed" => Some(Decision::Allowed),
            "ExplicitDeny" => Some(Decision::ExplicitDeny),
            "ImplicitDeny" => Some(Decision::ImplicitDeny),
            _ => None,
        }
    }
}

impl std::fmt::Display for Decision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A kind of policy in the evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Layer {
    /// Service control policies.
    Scp,
    /// Resource control policies.
    Rcp,
    /// The resource-based policy.
    Resource,
    /// Identity-based policies.
    Identity,
    /// The permissions boundary.
    Boundary,
    /// The session policy.
    Session,
}

impl Layer {
    /// `"scp"`, `"rcp"`, `"resource"`, `"identity"`, `"boundary"` or `"session"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Layer::Scp => "scp",
            Layer::Rcp => "rcp",
            Layer::Resource => "resource",
            Layer::Identity => "identity",
            Layer::Boundary => "boundary",
            Layer::Session => "session",
        }
    }
}

impl std::fmt::Display for Layer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A statement that allowed or denied: which layer, which policy, which statement.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct StatementRef {
    /// The layer of the policy.
    pub layer: Layer,
    /// The policy's `NamedPolicy::name`.
    pub policy: String,
    /// Zero-based statement index in the policy.
    pub index: usize,
    /// The statement's `Sid`, when present.
    pub sid: Option<String>,
}

/// The decision with its trace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    /// The decision.
    pub decision: Decision,
    /// Applicable `Allow` statements, in layer then policy order.
    pub allowed_by: Vec<StatementRef>,
    /// Applicable `Deny` statements (non-empty exactly when the decision is `ExplicitDeny`).
    pub denied_by: Vec<StatementRef>,
    /// For `ImplicitDeny`: the layer that had no applicable `Allow`.
    pub blocked_by: Option<Layer>,
    /// Context keys that conditions asked for but the request lacked (sorted, deduplicated).
    pub missing_keys: Vec<String>,
    /// Keys with `ContextValue::Unknown` whose value could change the decision (sorted).
    pub unsettled_keys: Vec<String>,
    /// What the service rules changed or what the evaluator does not model, for the trace and
    /// for audits to flag (sorted, deduplicated). They never change the decision.
    pub diagnostics: Vec<Diagnostic>,
}

/// A structured remark on an evaluation: a service rule that applied, a policy form an audit
/// should flag, or something the evaluator does not model.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "code", rename_all = "kebab-case")]
pub enum Diagnostic {
    /// `sts:GetCallerIdentity` needs no permission; no policy was consulted.
    NoPermissionNeeded,
    /// The resource policy was the KMS key policy: identity policies count only through a
    /// key-policy statement naming the account.
    KeyPolicy,
    /// A KMS request without a key policy: nothing can allow it.
    NoKeyPolicy,
    /// KMS grants are not modelled: a grant could allow what the policies deny implicitly.
    GrantsNotModelled,
    /// The resource policy was the role's trust policy.
    TrustPolicy,
    /// A trust-policy request without a trust policy: nothing can allow it.
    NoTrustPolicy,
    /// `sts:AssumeRoleWithSAML` / `…WithWebIdentity`: the trust policy alone decided.
    FederatedTrustOnly,
    /// The account root user cannot call `sts:AssumeRole`.
    RootCannotAssumeRole,
    /// The organization's RCPs did not apply.
    RcpNotApplicable {
        /// Why.
        reason: super::RcpExemption,
    },
    /// SCPs did not apply: the caller is a service-linked role.
    ScpNotApplicable,
    /// A `Deny` + `NotPrincipal` statement denied a caller it lists, because the caller's
    /// account (or, for a role session, its role or session) is not listed too. AWS documents
    /// that this "might deny access to the entire account … depending on the service"; the
    /// evaluator keeps the strict reading.
    NotPrincipalPartlyListed {
        /// The policy's `NamedPolicy::name`.
        policy: String,
        /// Zero-based statement index.
        index: usize,
    },
    /// A `Deny` + `NotPrincipal` statement denied a caller it exempts, because the caller has
    /// a permissions boundary (such a statement always applies to those).
    NotPrincipalWithBoundary {
        /// The policy's `NamedPolicy::name`.
        policy: String,
        /// Zero-based statement index.
        index: usize,
    },
    /// A resource-policy statement with `Allow` and `NotPrincipal` (legacy, unsupported by AWS
    /// today): evaluated as allowing everyone except the listed principals.
    AllowNotPrincipal {
        /// The policy's `NamedPolicy::name`.
        policy: String,
        /// Zero-based statement index.
        index: usize,
    },
}

impl Diagnostic {
    /// The kebab-case code (`no-key-policy`, `allow-not-principal`, …).
    pub fn code(&self) -> &'static str {
        match self {
            Diagnostic::NoPermissionNeeded => "no-permission-needed",
            Diagnostic::KeyPolicy => "key-policy",
            Diagnostic::NoKeyPolicy => "no-key-policy",
            Diagnostic::GrantsNotModelled => "grants-not-modelled",
            Diagnostic::TrustPolicy => "trust-policy",
            Diagnostic::NoTrustPolicy => "no-trust-policy",
            Diagnostic::FederatedTrustOnly => "federated-trust-only",
            Diagnostic::RootCannotAssumeRole => "root-cannot-assume-role",
            Diagnostic::RcpNotApplicable { .. } => "rcp-not-applicable",
            Diagnostic::ScpNotApplicable => "scp-not-applicable",
            Diagnostic::NotPrincipalPartlyListed { .. } => "not-principal-partly-listed",
            Diagnostic::NotPrincipalWithBoundary { .. } => "not-principal-with-boundary",
            Diagnostic::AllowNotPrincipal { .. } => "allow-not-principal",
        }
    }

    /// One line for people.
    pub fn message(&self) -> String {
        match self {
            Diagnostic::NoPermissionNeeded => {
                "sts:GetCallerIdentity needs no permission; explicit denies do not stop it".into()
            }
            Diagnostic::KeyPolicy => "the resource policy is the KMS key policy: identity \
                policies count only where a key-policy statement naming the account allows"
                .into(),
            Diagnostic::NoKeyPolicy => "no key policy was given: nothing can allow a KMS key \
                operation without one"
                .into(),
            Diagnostic::GrantsNotModelled => {
                "KMS grants are not modelled; a grant could allow this request".into()
            }
            Diagnostic::TrustPolicy => "the resource policy is the role's trust policy: it \
                must allow the caller, directly or through the caller's account"
                .into(),
            Diagnostic::NoTrustPolicy => {
                "no trust policy was given: nobody can assume the role".into()
            }
            Diagnostic::FederatedTrustOnly => "federated role assumption: the trust policy alone \
                decides (the caller's identity policies are not consulted)"
                .into(),
            Diagnostic::RootCannotAssumeRole => {
                "the account root user cannot call sts:AssumeRole".into()
            }
            Diagnostic::RcpNotApplicable { reason } => reason.as_str().into(),
            Diagnostic::ScpNotApplicable => "SCPs do not apply to service-linked roles".into(),
            Diagnostic::NotPrincipalPartlyListed { policy, index } => format!(
                "{policy} statement {index}: Deny + NotPrincipal lists the caller but not its \
                 account (and role): denied here; AWS warns this may deny the whole account \
                 depending on the service"
            ),
            Diagnostic::NotPrincipalWithBoundary { policy, index } => format!(
                "{policy} statement {index}: Deny + NotPrincipal always denies a caller with a \
                 permissions boundary, listed or not"
            ),
            Diagnostic::AllowNotPrincipal { policy, index } => format!(
                "{policy} statement {index}: Allow with NotPrincipal (legacy, not supported by \
                 AWS today) is evaluated as allowing everyone except the listed principals"
            ),
        }
    }
}
