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
}
