//! Whether one statement applies to a request: its action, resource and principal elements and
//! its conditions. The grant a `Principal` element makes (everyone, the caller itself, the
//! caller's role, the caller's account) is reported for the flow's same-account rules.

use super::Context;
use super::condition::{all_hold, template_matches};
use super::principal::{Principal, PrincipalArn, PrincipalType};
use super::record::Recorder;
use super::tri::Tri;
use crate::arn::wildcard::{Case, Colons};
use crate::policy::principal::PrincipalRule;
use crate::policy::{Clause, ResourcePattern, Statement};

/// The request, split once for all statements.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Target<'r> {
    pub(crate) action: &'r str,
    /// The action's position among the index's known actions.
    pub(crate) known_action: Option<usize>,
    pub(crate) resource: &'r str,
    /// `resource` split at `:` (`None` when it has too many segments).
    pub(crate) segments: Option<crate::arn::Segments<'r>>,
    pub(crate) principal: &'r Principal,
    pub(crate) context: &'r Context,
    /// `sts:AssumeRoleWithSAML` / `…WithWebIdentity` by an anonymous caller: a `Federated`
    /// principal stands for whichever provider issued the claims in the context.
    pub(crate) anonymous_federated_call: bool,
}

/// How a `Principal` element names the caller, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Grant {
    /// The caller's account: delegates to the account's identity policies.
    Account,
    /// The role of a role session: the session's boundary and session policy still apply.
    Role,
    /// The caller itself (user, session, federated-user ARN) or everyone (`*`).
    Direct,
}

pub(crate) fn resource_matches<R: Recorder>(
    resources: Option<&Clause<ResourcePattern>>,
    target: &Target<'_>,
    recorder: &mut R,
) -> Tri {
    let Some(clause) = resources else {
        return Tri::True;
    };
    let mut result = Tri::False;
    for pattern in &clause.items {
        let fast = if pattern.any {
            Some(true)
        } else {
            match (&pattern.arn, &target.segments) {
                (Some(arn), Some(segments)) => arn.match_segments(target.resource, segments),
                _ => None,
            }
        };
        let hit = match fast {
            Some(hit) => Tri::from_bool(hit),
            None => template_matches(&pattern.template, target.context, recorder, |pattern| {
                pattern.matches(target.resource, Case::Sensitive, Colons::ResourceArn)
            }),
        };
        result = result.or(hit);
        if result == Tri::True {
            break;
        }
    }
    if clause.negated { result.not() } else { result }
}

/// The strongest grant the statement's `Principal` element makes to the caller, if any.
pub(crate) fn principal_grant(statement: &Statement, principal: &Principal) -> Option<Grant> {
    statement
        .principal_rules
        .iter()
        .filter_map(|rule| rule_grant(rule, principal))
        .max()
}

fn rule_grant(rule: &PrincipalRule, principal: &Principal) -> Option<Grant> {
    let arn = match (rule, principal) {
        (PrincipalRule::Everyone, _) => return Some(Grant::Direct),
        (_, Principal::Anonymous) => return None,
        (_, Principal::Arn(arn)) => arn,
    };
    match rule {
        PrincipalRule::Account(account) => (**account == *arn.account()).then_some(Grant::Account),
        PrincipalRule::User(user) => {
            (arn.kind() == PrincipalType::User && **user == *arn.arn()).then_some(Grant::Direct)
        }
        PrincipalRule::Role {
            arn: role_arn,
            account,
            name,
        } => match arn.kind() {
            PrincipalType::Role => (**role_arn == *arn.arn()).then_some(Grant::Role),
            PrincipalType::AssumedRole => {
                (**account == *arn.account() && **name == *arn.name()).then_some(Grant::Role)
            }
            _ => None,
        },
        PrincipalRule::Session(session) => (arn.kind() == PrincipalType::AssumedRole
            && **session == *arn.arn())
        .then_some(Grant::Direct),
        PrincipalRule::FederatedUser(user) => (arn.kind() == PrincipalType::FederatedUser
            && **user == *arn.arn())
        .then_some(Grant::Direct),
        PrincipalRule::IdentityProvider(provider) => {
            identity_provider_matches(provider, arn).then_some(Grant::Direct)
        }
        PrincipalRule::Service(service) => (arn.kind() == PrincipalType::Service
            && **service == *arn.arn())
        .then_some(Grant::Direct),
        PrincipalRule::Everyone | PrincipalRule::Never => None,
    }
}

/// Whether the statement's `Principal` element names an identity provider (`Federated`).
pub(crate) fn names_identity_provider(statement: &Statement) -> bool {
    statement
        .principal_rules
        .iter()
        .any(|rule| matches!(rule, PrincipalRule::IdentityProvider(_)))
}

/// A `Federated` value names the caller's identity provider: its ARN exactly, or, for a
/// well-known web identity provider written without an ARN (`accounts.google.com`), the host
/// of an `oidc-provider/HOST` caller.
fn identity_provider_matches(provider: &str, arn: &PrincipalArn) -> bool {
    arn.kind() == PrincipalType::IdentityProvider
        && (provider == arn.arn()
            || (!provider.starts_with("arn:")
                && provider == arn.name()
                && arn.arn().contains(":oidc-provider/")))
}

/// Whether a `NotPrincipal` list exempts the caller: the caller's account and every identity
/// AWS checks for it (the role and the session for a role session) must be listed.
pub(crate) fn not_principal_exempts(statement: &Statement, principal: &Principal) -> bool {
    let rules = &statement.principal_rules;
    if rules.contains(&PrincipalRule::Everyone) {
        return true;
    }
    let Principal::Arn(arn) = principal else {
        return false;
    };
    let listed = |wanted: &dyn Fn(&PrincipalRule) -> bool| rules.iter().any(wanted);
    if arn.kind() == PrincipalType::IdentityProvider {
        return listed(
            &|r| matches!(r, PrincipalRule::IdentityProvider(p) if identity_provider_matches(p, arn)),
        );
    }
    if arn.kind() == PrincipalType::Service {
        return listed(&|r| matches!(r, PrincipalRule::Service(s) if **s == *arn.arn()));
    }
    let account_listed =
        listed(&|r| matches!(r, PrincipalRule::Account(a) if **a == *arn.account()));
    account_listed
        && match arn.kind() {
            PrincipalType::Root => true,
            PrincipalType::User => {
                listed(&|r| matches!(r, PrincipalRule::User(u) if **u == *arn.arn()))
            }
            PrincipalType::Role => {
                listed(&|r| matches!(r, PrincipalRule::Role { arn: a, .. } if **a == *arn.arn()))
            }
            PrincipalType::AssumedRole => {
                listed(&|r| is_own_role(r, arn))
                    && listed(&|r| matches!(r, PrincipalRule::Session(s) if **s == *arn.arn()))
            }
            PrincipalType::FederatedUser => {
                listed(&|r| matches!(r, PrincipalRule::FederatedUser(u) if **u == *arn.arn()))
            }
            // Handled above: providers and services have no account identity to list.
            PrincipalType::IdentityProvider | PrincipalType::Service => false,
        }
}

fn is_own_role(rule: &PrincipalRule, arn: &PrincipalArn) -> bool {
    matches!(rule, PrincipalRule::Role { account, name, .. }
        if **account == *arn.account() && **name == *arn.name())
}

/// Conditions and resource of a statement whose action (and principal) already matched.
pub(crate) fn scope_holds<R: Recorder>(
    statement: &Statement,
    target: &Target<'_>,
    recorder: &mut R,
) -> Tri {
    let resource = resource_matches(statement.resources.as_ref(), target, recorder);
    if resource == Tri::False || statement.conditions.is_empty() {
        return resource;
    }
    resource.and(all_hold(&statement.conditions, target.context, recorder))
}
