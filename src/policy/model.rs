//! The parsed and compiled policy document. Fields that analysis code may read are public;
//! the compiled matchers beside them are private and built only by the parser.

use std::collections::BTreeSet;

use super::PolicyError;
use super::condition::ValueTest;
use super::index::ActionIndex;
use super::principal::PrincipalRule;
use super::template::Template;

/// Where a policy is attached; decides which elements are allowed (`Principal` only in
/// resource policies) and how the evaluator treats it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PolicyKind {
    /// Identity-based policy of a user, group or role.
    Identity,
    /// Resource-based policy (a secret's resource policy, a trust policy).
    Resource,
    /// Permissions boundary of a user or role.
    Boundary,
    /// Session policy passed to `AssumeRole*` or `GetFederationToken`.
    Session,
    /// Service control policy of AWS Organizations.
    Scp,
    /// Resource control policy of AWS Organizations.
    Rcp,
}

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Effect {
    /// `"Effect": "Allow"`.
    Allow,
    /// `"Effect": "Deny"`.
    Deny,
}

/// A parsed and compiled policy document; share it with `Arc`.
#[derive(Debug, Clone)]
pub struct Policy {
    pub(crate) kind: PolicyKind,
    pub(crate) version: Option<String>,
    pub(crate) id: Option<String>,
    pub(crate) statements: Vec<Statement>,
    pub(crate) index: ActionIndex,
}

impl Policy {
    /// Parses a policy document from JSON text; a duplicate key anywhere is an error
    /// (`parse_json_text`).
    pub fn parse(text: &str, kind: PolicyKind) -> Result<Policy, PolicyError> {
        let value = super::parse_json_text(text).map_err(|e| match e.duplicate {
            Some(duplicate) if !duplicate.path.is_empty() => {
                PolicyError::new(duplicate.path.clone(), duplicate.to_string())
            }
            Some(duplicate) => PolicyError::new("$", duplicate.to_string()),
            None => PolicyError::in_text(format!("invalid json: {}", e.error)),
        })?;
        Self::from_value(&value, kind)
    }

    /// Parses a policy document from an already-parsed JSON value.
    pub fn from_value(value: &serde_json::Value, kind: PolicyKind) -> Result<Policy, PolicyError> {
        super::parse::policy(value, kind)
    }

    /// The statements in document order (a single-object `Statement` is one statement).
    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }

    /// What the policy is attached as.
    pub fn kind(&self) -> PolicyKind {
        self.kind
    }

    /// The `Version` element, when present.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// The `Id` element, when present.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// Indices of the statements that combine `"Effect": "Allow"` with `NotPrincipal`: legacy
    /// and unsupported by AWS today, evaluated as allowing everyone except the listed
    /// principals (`docs/semantics.md`). Audits and lint flag them.
    pub fn allow_not_principal(&self) -> impl Iterator<Item = usize> + '_ {
        self.statements
            .iter()
            .enumerate()
            .filter(|(_, s)| s.is_allow_not_principal())
            .map(|(i, _)| i)
    }

    /// The statements whose `Action` / `NotAction` matches `action` (`service:Action`, any
    /// case), in document order, found through the policy's action index.
    pub fn statements_for<'a>(&'a self, action: &'a str) -> impl Iterator<Item = &'a Statement> {
        let known = super::index::known_action(action);
        let (first, second) = match known {
            Some(at) => (self.index.for_known(at), &[][..]),
            None => self.index.candidates(action),
        };
        let mut ids: Vec<u32> = first.iter().chain(second).copied().collect();
        ids.sort_unstable();
        ids.into_iter()
            .filter_map(|id| self.statements.get(id as usize))
            .filter(move |statement| known.is_some() || statement.applies_to(action))
    }

    /// The statements that can apply to at least one of `actions` (any case), in document
    /// order.
    pub fn statements_for_any<'a>(
        &'a self,
        actions: &'a [String],
    ) -> impl Iterator<Item = &'a Statement> {
        self.statements
            .iter()
            .filter(move |statement| actions.iter().any(|action| statement.applies_to(action)))
    }

    /// The context keys (lower case) the statements that can apply to one of `actions` read:
    /// condition keys and the keys of policy variables (`Statement::add_keys_read`).
    pub fn keys_read(&self, actions: &[String]) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for statement in self.statements_for_any(actions) {
            statement.add_keys_read(&mut out);
        }
        out
    }
}

impl Statement {
    /// `"Effect": "Allow"` with `NotPrincipal`.
    pub fn is_allow_not_principal(&self) -> bool {
        self.effect == Effect::Allow && self.principals.as_ref().is_some_and(|p| p.negated)
    }

    /// Whether the `Action` / `NotAction` element matches `action` (`service:Action`, any case).
    pub fn applies_to(&self, action: &str) -> bool {
        super::index::action_matches(self, action)
    }

    /// Adds the context keys (lower case) this statement reads: its condition keys and the keys
    /// of the policy variables in its condition values and resource patterns.
    pub fn add_keys_read(&self, out: &mut BTreeSet<String>) {
        for condition in &self.conditions {
            out.insert(condition.key.to_ascii_lowercase());
            for value in &condition.values {
                add_variable_keys(value, out);
            }
        }
        if let Some(resources) = &self.resources {
            for pattern in &resources.items {
                add_variable_keys(&pattern.text, out);
            }
        }
    }
}

/// Adds the keys (lower case) of the policy variables (`${aws:username}`,
/// `${aws:PrincipalTag/team, 'x'}`) in `text`; `${*}`, `${?}` and `${$}` are escapes, not keys.
pub fn add_variable_keys(text: &str, out: &mut BTreeSet<String>) {
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            break;
        };
        let inner = &after[..end];
        let key = inner.split(',').next().unwrap_or(inner).trim();
        if !matches!(key, "*" | "?" | "$" | "") {
            out.insert(key.to_ascii_lowercase());
        }
        rest = &after[end + 1..];
    }
}

/// One statement of a policy.
#[derive(Debug, Clone)]
pub struct Statement {
    /// `Sid`, when present.
    pub sid: Option<String>,
    /// `Effect`.
    pub effect: Effect,
    /// `Action` (`negated == false`) or `NotAction` (`negated == true`).
    pub actions: Clause<ActionPattern>,
    /// `Resource` or `NotResource`; `None` when the statement has neither (trust policies).
    pub resources: Option<Clause<ResourcePattern>>,
    /// `Principal` or `NotPrincipal`; `None` outside resource policies.
    pub principals: Option<Clause<PrincipalPattern>>,
    /// Every condition of the `Condition` block, one per (operator, key); all must hold.
    pub conditions: Vec<Condition>,
    /// `principals` compiled for matching, same order.
    pub(crate) principal_rules: Vec<PrincipalRule>,
}

/// The list of an element and whether it is the `Not…` form of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause<T> {
    /// `true` for `NotAction`, `NotResource`, `NotPrincipal`.
    pub negated: bool,
    /// The values of the element; they combine with OR.
    pub items: Vec<T>,
}

/// One `Action` value such as `secretsmanager:Get*` or `*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionPattern {
    /// As written in the document.
    pub text: String,
    /// Lower-cased text, matched case-insensitively against `service:action`.
    pub(crate) lower: Box<str>,
    /// The lower-cased service prefix when it has no wildcard (for the action index).
    pub(crate) service: Option<Box<str>>,
    /// The shape of `lower`.
    pub(crate) shape: crate::arn::wildcard::Shape,
}

/// One `Resource` value such as `arn:aws:secretsmanager:*:111122223333:secret:prod/*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourcePattern {
    /// As written in the document.
    pub text: String,
    /// `*`: every resource (in a resource policy: the resource the policy is attached to).
    pub(crate) any: bool,
    /// The ARN pattern with its policy variables.
    pub(crate) template: Template,
    /// The pattern split at `:` when it has no variables (the fast path).
    pub(crate) arn: Option<crate::arn::ArnPattern>,
}

/// One principal of a `Principal` / `NotPrincipal` element.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PrincipalPattern {
    /// `"*"` or `{"AWS": "*"}`: everyone, anonymous callers included.
    Everyone,
    /// `{"AWS": "111122223333"}` or `arn:aws:iam::111122223333:root`: the account (delegates to
    /// the account's IAM policies), not only its root user.
    Account(String),
    /// An IAM or STS principal ARN: user, role, assumed-role session, federated user.
    Arn(String),
    /// `{"Service": "lambda.amazonaws.com"}`.
    Service(String),
    /// `{"Federated": "accounts.google.com"}` or a SAML/OIDC provider ARN.
    Federated(String),
    /// `{"CanonicalUser": "…"}` (Amazon S3).
    CanonicalUser(String),
    /// A unique id (`AIDA…`, `AROA…`) that AWS shows in place of a deleted user or role;
    /// it matches nobody.
    UniqueId(String),
}

/// The set qualifier of a condition operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SetQualifier {
    /// `ForAnyValue:` — some request value matches.
    ForAnyValue,
    /// `ForAllValues:` — every request value matches (true when the key is missing or empty).
    ForAllValues,
}

/// The base condition operator, without `ForAnyValue:`/`ForAllValues:` and `IfExists`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[expect(missing_docs, reason = "the variants are the IAM operator names")]
pub enum BaseOperator {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnNotEquals,
    ArnLike,
    ArnNotLike,
    Null,
}

/// A full condition operator such as `ForAllValues:StringNotLikeIfExists`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Operator {
    /// `ForAnyValue:` / `ForAllValues:` prefix, if any.
    pub set: Option<SetQualifier>,
    /// The operator family member.
    pub base: BaseOperator,
    /// The `IfExists` suffix.
    pub if_exists: bool,
}

/// One (operator, key) test of a `Condition` block with its values (OR, NOR when negated).
#[derive(Debug, Clone)]
pub struct Condition {
    /// The operator.
    pub operator: Operator,
    /// The context key as written (`aws:ResourceTag/Team`); matching is case-insensitive.
    pub key: String,
    /// The values as written (JSON booleans and numbers as their text).
    pub values: Vec<String>,
    /// `key` compiled for context lookups.
    pub(crate) key_name: super::KeyName,
    /// The values parsed for the operator.
    pub(crate) test: ValueTest,
}
