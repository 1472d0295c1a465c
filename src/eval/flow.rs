//! The evaluation flow of `SEMANTICS.md` §1.1: explicit denies everywhere, RCP and SCP levels,
//! the same-account resource-policy grant rules, identity policies, boundary and session
//! policy, cross-account. Each policy is scanned once; the flow then decides from the scans.

use super::decision::{Decision, Evaluation, Layer, StatementRef};
use super::principal::{Principal, PrincipalType};
use super::record::{Notes, Quiet, Recorder};
use super::statement::{self, Grant, Target};
use super::tri::Tri;
use super::{NamedPolicy, PolicySet, Request};
use crate::policy::Effect;

/// Decides `request` against `set` and explains why. Never fails.
pub fn evaluate(set: &PolicySet, request: &Request) -> Evaluation {
    let mut notes = Notes::default();
    let scans = scan(set, request, &mut notes);
    let (decision, blocked_by) = decide_from(&scans, request, true);
    let (pessimistic, _) = decide_from(&scans, request, false);
    let unsettled_keys = if decision == pessimistic {
        Vec::new()
    } else {
        notes.unknown.into_values().collect()
    };
    Evaluation {
        decision,
        allowed_by: notes.allowed,
        denied_by: if decision == Decision::ExplicitDeny {
            notes.denied
        } else {
            Vec::new()
        },
        blocked_by,
        missing_keys: notes.missing.into_values().collect(),
        unsettled_keys,
    }
}

/// Decides `request` against `set` without a trace; the hot path, it does not allocate.
pub fn decide(set: &PolicySet, request: &Request) -> Decision {
    let scans = scan(set, request, &mut Quiet);
    decide_from(&scans, request, true).0
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
    rcp: Tri,
    resource: ResourceGrants,
    identity: Tri,
    boundary: Option<Tri>,
    session: Option<Tri>,
    /// The account in the resource ARN.
    resource_account: Option<&'r str>,
}

fn scan<'r, R: Recorder>(set: &PolicySet, request: &'r Request, recorder: &mut R) -> Scans<'r> {
    let target = Target {
        action: &request.action,
        known_action: crate::policy::index::known_action(&request.action),
        resource: &request.resource,
        segments: crate::arn::Segments::split(&request.resource),
        principal: &request.principal,
        context: &request.context,
    };
    let has_boundary = set.boundary.is_some();
    let anonymous = matches!(request.principal, Principal::Anonymous);
    let mut scans = Scans {
        deny: Tri::False,
        scp: Tri::True,
        rcp: Tri::True,
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
    };
    let done = |scans: &Scans| !R::TRACING && scans.deny == Tri::True;

    if !anonymous {
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
    scans.rcp = scan_levels(
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
    if anonymous {
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
                let boundary_rule = layer == Layer::Resource && has_boundary;
                if !boundary_rule && statement::not_principal_exempts(stmt, target.principal) {
                    continue;
                }
                Grant::Direct
            }
            Some(_) => match statement::principal_grant(stmt, target.principal) {
                Some(grant) => grant,
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
    if !allows(scans.rcp) {
        return implicit(Layer::Rcp);
    }
    let Principal::Arn(caller) = &request.principal else {
        // Anonymous: only a resource policy naming everyone can allow.
        return if allows(scans.resource.direct) {
            (Decision::Allowed, None)
        } else {
            implicit(Layer::Resource)
        };
    };
    if !allows(scans.scp) {
        return implicit(Layer::Scp);
    }
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
        if caller.kind() == PrincipalType::Root {
            return (Decision::Allowed, None);
        }
        return identity_side();
    }
    if caller.kind() == PrincipalType::Root || allows(scans.resource.direct) {
        return (Decision::Allowed, None);
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
    identity_side()
}
