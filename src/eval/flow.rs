//! The evaluation flow (`docs/semantics.md`, "Evaluation flow" and "Service rules"): explicit
//! denies everywhere, RCP and SCP levels, the same-account resource-policy grant rules, identity
//! policies, boundary and session policy, cross-account; and the service rules that change it
//! (KMS key policies, role trust policies, `sts:GetCallerIdentity`, where RCPs and SCPs do not
//! apply, `service.rs`). Each policy is scanned once; the flow then decides from the scans.

use super::decision::{Decision, Diagnostic, Evaluation, Layer, StatementRef};
use super::principal::{Principal, PrincipalType};
use super::record::{Notes, Quiet, Recorder};
use super::service::{self, RcpExemption, ResourcePolicyRole};
use super::statement::{self, Grant, Target};
use super::tri::Tri;
use super::{NamedPolicy, PolicySet, Request};
use crate::policy::Effect;

/// Decides `request` against `set` and explains why. Never fails.
pub fn evaluate(set: &PolicySet, request: &Request) -> Evaluation {
    if let Some(evaluation) = needs_no_permission(request) {
        return evaluation;
    }
    let mut notes = Notes::default();
    let scans = scan(set, request, &mut notes);
    let (decision, blocked_by) = decide_from(&scans, request, true);
    let (pessimistic, _) = decide_from(&scans, request, false);
    let unsettled_keys = if decision == pessimistic {
        Vec::new()
    } else {
        notes.unknown.into_values().collect()
    };
    let denied_by = if decision == Decision::ExplicitDeny {
        notes.denied
    } else {
        Vec::new()
    };
    Evaluation {
        decision,
        allowed_by: notes.allowed,
        diagnostics: diagnostics(set, request, &scans, &denied_by),
        denied_by,
        blocked_by,
        missing_keys: notes.missing.into_values().collect(),
        unsettled_keys,
    }
}

/// Decides `request` against `set` without a trace; the hot path, it does not allocate.
pub fn decide(set: &PolicySet, request: &Request) -> Decision {
    if service::needs_no_permission(&request.action) && is_iam_caller(&request.principal) {
        return Decision::Allowed;
    }
    let scans = scan(set, request, &mut Quiet);
    decide_from(&scans, request, true).0
}

/// An authenticated IAM or STS principal (not anonymous, an identity provider or a service).
fn is_iam_caller(principal: &Principal) -> bool {
    matches!(principal, Principal::Arn(arn)
        if !matches!(arn.kind(), PrincipalType::IdentityProvider | PrincipalType::Service))
}

/// `sts:GetCallerIdentity` by an IAM caller: allowed, whatever the policies say.
fn needs_no_permission(request: &Request) -> Option<Evaluation> {
    (service::needs_no_permission(&request.action) && is_iam_caller(&request.principal)).then(
        || Evaluation {
            decision: Decision::Allowed,
            allowed_by: Vec::new(),
            denied_by: Vec::new(),
            blocked_by: None,
            missing_keys: Vec::new(),
            unsettled_keys: Vec::new(),
            diagnostics: vec![Diagnostic::NoPermissionNeeded],
        },
    )
}

/// The diagnostics of an evaluation: the service rules that applied and legacy policy forms.
fn diagnostics(
    set: &PolicySet,
    request: &Request,
    scans: &Scans<'_>,
    denied: &[StatementRef],
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for reference in denied.iter().filter(|r| r.layer == Layer::Resource) {
        let Some(named) = &set.resource else { continue };
        let Some(stmt) = named.policy.statements().get(reference.index) else {
            continue;
        };
        if !stmt.principals.as_ref().is_some_and(|p| p.negated) {
            continue;
        }
        let (policy, index) = (named.name.clone(), reference.index);
        if statement::not_principal_exempts(stmt, &request.principal) {
            out.push(Diagnostic::NotPrincipalWithBoundary { policy, index });
        } else if statement::principal_grant(stmt, &request.principal)
            .is_some_and(|grant| grant != Grant::Account)
        {
            out.push(Diagnostic::NotPrincipalPartlyListed { policy, index });
        }
    }
    match scans.role {
        ResourcePolicyRole::Ordinary => {}
        ResourcePolicyRole::KeyPolicy => {
            out.push(if set.resource.is_some() {
                Diagnostic::KeyPolicy
            } else {
                Diagnostic::NoKeyPolicy
            });
            out.push(Diagnostic::GrantsNotModelled);
        }
        ResourcePolicyRole::TrustPolicy | ResourcePolicyRole::FederatedTrustPolicy => {
            out.push(if set.resource.is_some() {
                Diagnostic::TrustPolicy
            } else {
                Diagnostic::NoTrustPolicy
            });
        }
    }
    if !scans.caller_policies && scans.role != ResourcePolicyRole::Ordinary {
        out.push(Diagnostic::FederatedTrustOnly);
    }
    if scans.role == ResourcePolicyRole::TrustPolicy && is_root(&request.principal) {
        out.push(Diagnostic::RootCannotAssumeRole);
    }
    if let Some(reason) = scans.rcp_exemption
        && !set.rcps.is_empty()
    {
        out.push(Diagnostic::RcpNotApplicable { reason });
    }
    if scans.scp_exempt && !set.scps.is_empty() {
        out.push(Diagnostic::ScpNotApplicable);
    }
    if let Some(named) = &set.resource {
        for index in named.policy.allow_not_principal() {
            out.push(Diagnostic::AllowNotPrincipal {
                policy: named.name.clone(),
                index,
            });
        }
    }
    out.sort();
    out.dedup();
    out
}

fn is_root(principal: &Principal) -> bool {
    matches!(principal, Principal::Arn(arn) if arn.kind() == PrincipalType::Root)
}

/// What the resource policy's applicable `Allow` statements grant, by kind of grant.
#[derive(Debug, Clone, Copy)]
struct ResourceGrants {
    direct: Tri,
    role: Tri,
    account: Tri,
}

/// The applicable statements of every layer, reduced to what the flow needs.
#[derive(Debug, Clone, Copy)]
struct Scans<'r> {
    deny: Tri,
    scp: Tri,
    resource: ResourceGrants,
    identity: Tri,
    boundary: Option<Tri>,
    session: Option<Tri>,
    /// The account in the resource ARN.
    resource_account: Option<&'r str>,
    /// How the resource policy is treated.
    role: ResourcePolicyRole,
    /// Whether the caller's own policies (SCPs, identity, boundary, session) take part: not for
    /// anonymous callers, identity providers and federated role assumption.
    caller_policies: bool,
    /// Why RCPs did not apply, if they did not.
    rcp_exemption: Option<RcpExemption>,
    /// SCPs did not apply (service-linked role).
    scp_exempt: bool,
}

fn scan<'r, R: Recorder>(set: &PolicySet, request: &'r Request, recorder: &mut R) -> Scans<'r> {
    let (service, name) = request
        .action
        .split_once(':')
        .unwrap_or((&request.action, ""));
    let has_boundary = set.boundary.is_some();
    let role = service::role_for(service, name, &request.resource);
    let target = Target {
        action: &request.action,
        known_action: crate::policy::index::known_action(&request.action),
        resource: &request.resource,
        segments: crate::arn::Segments::split(&request.resource),
        principal: &request.principal,
        context: &request.context,
        anonymous_federated_call: role == ResourcePolicyRole::FederatedTrustPolicy
            && matches!(request.principal, Principal::Anonymous),
    };
    let caller_policies =
        is_iam_caller(&request.principal) && role != ResourcePolicyRole::FederatedTrustPolicy;
    let rcp_exemption = if set.rcps.is_empty() {
        None
    } else {
        service::rcp_exemption_for(
            service,
            name,
            role,
            &request.resource,
            &request.principal,
            &request.context,
            set.resource.as_ref().and_then(|named| named.policy.id()),
        )
    };
    let scp_exempt = !set.scps.is_empty() && service::scp_exempt(&request.principal);
    let mut scans = Scans {
        deny: Tri::False,
        scp: Tri::True,
        resource: ResourceGrants {
            direct: Tri::False,
            role: Tri::False,
            account: Tri::False,
        },
        identity: Tri::False,
        boundary: None,
        session: None,
        resource_account: match &target.segments {
            Some(segments) => segments.account(),
            None => crate::arn::account_of(&request.resource),
        },
        role,
        caller_policies,
        rcp_exemption,
        scp_exempt,
    };
    let done = |scans: &Scans| !R::TRACING && scans.deny == Tri::True;

    if caller_policies && !scp_exempt {
        scans.scp = scan_levels(
            &set.scps,
            Layer::Scp,
            &target,
            has_boundary,
            &mut scans.deny,
            recorder,
        );
        if done(&scans) {
            return scans;
        }
    }
    if rcp_exemption.is_none() {
        // Every level holds RCPFullAWSAccess, which cannot be detached: only Denies matter.
        scan_levels(
            &set.rcps,
            Layer::Rcp,
            &target,
            has_boundary,
            &mut scans.deny,
            recorder,
        );
        if done(&scans) {
            return scans;
        }
    }
    if let Some(named) = &set.resource {
        let (allow, deny) = scan_policy(
            named,
            Layer::Resource,
            &target,
            has_boundary,
            false,
            recorder,
        );
        scans.resource = allow;
        scans.deny = scans.deny.or(deny);
        if done(&scans) {
            return scans;
        }
    }
    if !caller_policies {
        return scans;
    }
    for named in &set.identity {
        let (allow, deny) = scan_policy(
            named,
            Layer::Identity,
            &target,
            has_boundary,
            scans.identity == Tri::True,
            recorder,
        );
        scans.identity = scans.identity.or(allow.any());
        scans.deny = scans.deny.or(deny);
        if done(&scans) {
            return scans;
        }
    }
    if let Some(named) = &set.boundary {
        let (allow, deny) = scan_policy(
            named,
            Layer::Boundary,
            &target,
            has_boundary,
            false,
            recorder,
        );
        scans.boundary = Some(allow.any());
        scans.deny = scans.deny.or(deny);
        if done(&scans) {
            return scans;
        }
    }
    if let Some(named) = &set.session {
        let (allow, deny) = scan_policy(
            named,
            Layer::Session,
            &target,
            has_boundary,
            false,
            recorder,
        );
        scans.session = Some(allow.any());
        scans.deny = scans.deny.or(deny);
    }
    scans
}

impl ResourceGrants {
    fn any(self) -> Tri {
        self.direct.or(self.role).or(self.account)
    }
}

/// Scans the levels of an organization's SCPs or RCPs (root first): the result is whether every
/// level has an applicable Allow; any applicable Deny is added to `deny`. Without a trace it stops
/// at the first explicit deny, which decides the request anyway.
fn scan_levels<R: Recorder>(
    levels: &[Vec<NamedPolicy>],
    layer: Layer,
    target: &Target<'_>,
    has_boundary: bool,
    deny: &mut Tri,
    recorder: &mut R,
) -> Tri {
    let mut every_level = Tri::True;
    for level in levels {
        let mut level_allow = Tri::False;
        for named in level {
            let (allow, level_deny) = scan_policy(
                named,
                layer,
                target,
                has_boundary,
                level_allow == Tri::True,
                recorder,
            );
            level_allow = level_allow.or(allow.any());
            *deny = deny.or(level_deny);
        }
        every_level = every_level.and(level_allow);
        if !R::TRACING && *deny == Tri::True {
            break;
        }
    }
    every_level
}

/// One policy: its applicable `Allow` statements by grant, and whether a `Deny` applies.
/// `allowed_already`: the layer already has an applicable `Allow`, so without a trace only
/// `Deny` statements still matter.
fn scan_policy<R: Recorder>(
    named: &NamedPolicy,
    layer: Layer,
    target: &Target<'_>,
    has_boundary: bool,
    allowed_already: bool,
    recorder: &mut R,
) -> (ResourceGrants, Tri) {
    let policy = &*named.policy;
    let mut grants = ResourceGrants {
        direct: Tri::False,
        role: Tri::False,
        account: Tri::False,
    };
    let mut deny = Tri::False;
    let (by_service, any_service, prematched) = match target.known_action {
        Some(known) => (policy.index.for_known(known), &[][..], true),
        None => {
            let (by_service, any_service) = policy.index.candidates(target.action);
            (by_service, any_service, false)
        }
    };
    let (mut a, mut b) = (by_service.iter().peekable(), any_service.iter().peekable());
    // Both lists ascending: merge them so that the trace follows document order.
    while let Some(&i) = match (a.peek(), b.peek()) {
        (Some(x), Some(y)) if x <= y => a.next(),
        (Some(_), Some(_)) | (None, Some(_)) => b.next(),
        (Some(_), None) => a.next(),
        (None, None) => None,
    } {
        let index = i as usize;
        let Some(stmt) = policy.statements.get(index) else {
            continue;
        };
        if !R::TRACING
            && stmt.effect == Effect::Allow
            && (allowed_already || grants.direct == Tri::True)
        {
            continue;
        }
        if !prematched && !crate::policy::index::action_matches(stmt, target.action) {
            continue;
        }
        let grant = match &stmt.principals {
            None => Grant::Direct,
            Some(clause) if clause.negated => {
                // Deny + NotPrincipal: always applies to a principal with a boundary.
                // (Allow + NotPrincipal, legacy: allows everyone the list does not exempt.)
                let boundary_rule =
                    stmt.effect == Effect::Deny && layer == Layer::Resource && has_boundary;
                if !boundary_rule && statement::not_principal_exempts(stmt, target.principal) {
                    continue;
                }
                Grant::Direct
            }
            Some(_) => match statement::principal_grant(stmt, target.principal) {
                Some(grant) => grant,
                // An unsigned federated call written as anonymous: its provider is known only
                // through the claims in the context, which the statement's conditions test.
                None if target.anonymous_federated_call
                    && statement::names_identity_provider(stmt) =>
                {
                    Grant::Direct
                }
                None => continue,
            },
        };
        let holds = statement::scope_holds(stmt, target, recorder);
        if holds == Tri::False {
            continue;
        }
        let reference = || StatementRef {
            layer,
            policy: named.name.clone(),
            index,
            sid: stmt.sid.clone(),
        };
        match stmt.effect {
            Effect::Allow => {
                recorder.statement(Effect::Allow, reference);
                let slot = match grant {
                    Grant::Direct => &mut grants.direct,
                    Grant::Role => &mut grants.role,
                    Grant::Account => &mut grants.account,
                };
                *slot = slot.or(holds);
            }
            Effect::Deny => {
                if holds == Tri::True {
                    recorder.statement(Effect::Deny, reference);
                }
                deny = deny.or(holds);
                if deny == Tri::True && !R::TRACING {
                    break;
                }
            }
        }
    }
    (grants, deny)
}

/// The decision from the scans, resolving unknown values optimistically (towards allowing)
/// or pessimistically; with the layer that blocked an implicit deny.
fn decide_from(
    scans: &Scans<'_>,
    request: &Request,
    optimistic: bool,
) -> (Decision, Option<Layer>) {
    let allows = |t: Tri| t.resolve(optimistic, true);
    if scans.deny.resolve(optimistic, false) {
        return (Decision::ExplicitDeny, None);
    }
    let implicit = |layer| (Decision::ImplicitDeny, Some(layer));
    // RCP levels never deny implicitly: RCPFullAWSAccess is attached to every level.
    let caller = match &request.principal {
        Principal::Arn(caller) if scans.caller_policies => caller,
        // Anonymous callers, identity providers, services, federated role assumption: only a
        // resource policy statement naming the caller (or everyone) can allow; an identity
        // provider only for a role's trust policy.
        Principal::Arn(provider)
            if provider.kind() == PrincipalType::IdentityProvider
                && !matches!(
                    scans.role,
                    ResourcePolicyRole::TrustPolicy | ResourcePolicyRole::FederatedTrustPolicy
                ) =>
        {
            return implicit(Layer::Resource);
        }
        _ => {
            return if allows(scans.resource.direct) {
                (Decision::Allowed, None)
            } else {
                implicit(Layer::Resource)
            };
        }
    };
    if !allows(scans.scp) {
        return implicit(Layer::Scp);
    }
    let root = caller.kind() == PrincipalType::Root;
    let strict = match scans.role {
        ResourcePolicyRole::Ordinary => false,
        ResourcePolicyRole::KeyPolicy => true,
        ResourcePolicyRole::TrustPolicy => {
            if root {
                // "You cannot use AWS account root user credentials to call AssumeRole."
                return implicit(Layer::Identity);
            }
            true
        }
        ResourcePolicyRole::FederatedTrustPolicy => true,
    };
    let boundary_ok = scans.boundary.is_none_or(allows);
    let session_ok = match caller.kind() {
        // GetFederationToken without a policy yields a session with no permissions.
        PrincipalType::FederatedUser => scans.session.is_some_and(allows),
        _ => scans.session.is_none_or(allows),
    };
    let identity_side = || {
        if !allows(scans.identity) {
            implicit(Layer::Identity)
        } else if !boundary_ok {
            implicit(Layer::Boundary)
        } else if !session_ok {
            implicit(Layer::Session)
        } else {
            (Decision::Allowed, None)
        }
    };
    let resource_account = request
        .resource_account
        .as_deref()
        .or(scans.resource_account);
    let same_account = resource_account.is_none_or(|account| account == caller.account());
    if !same_account {
        if !allows(scans.resource.any()) {
            return implicit(Layer::Resource);
        }
        if root {
            return (Decision::Allowed, None);
        }
        return identity_side();
    }
    if !strict && (root || allows(scans.resource.direct)) {
        return (Decision::Allowed, None);
    }
    if strict && allows(scans.resource.direct) {
        // A trust policy naming a user still leaves the user's permissions boundary in force
        // (IAM User Guide, "Update a role trust policy").
        return if scans.role == ResourcePolicyRole::TrustPolicy && !boundary_ok {
            implicit(Layer::Boundary)
        } else {
            (Decision::Allowed, None)
        };
    }
    if allows(scans.resource.role) {
        if boundary_ok && session_ok {
            return (Decision::Allowed, None);
        }
        return implicit(if boundary_ok {
            Layer::Session
        } else {
            Layer::Boundary
        });
    }
    if strict {
        // Key and trust policies must allow: identity policies count only through a
        // statement naming the caller's account; the root user has no implicit access.
        if !allows(scans.resource.account) {
            return implicit(Layer::Resource);
        }
        if root {
            return (Decision::Allowed, None);
        }
    }
    identity_side()
}
