//! One request at a time: the policy set and context of one (principal, secret, action) taken
//! from the snapshot. Snapshot-backed policy tests use it (`"snapshot": DIR` in a case file),
//! and the tests use `judge_one` as the reference the class-based analysis must equal.

use super::AccessError;
use super::analysis::{Grant, judge, policy_set, request_keys};
use super::context::{RequestFacts, build_context};
use super::model::{AccessModel, AnalysedPrincipal};
use crate::eval::{PolicySet, Principal, PrincipalType, Request};

/// The analysed principal a request by `principal_arn` is made as: the user or role itself, or
/// for an assumed-role session `arn:aws:sts::A:assumed-role/R/s` the role `R` of account `A`.
fn principal_of<'a>(
    model: &'a AccessModel,
    principal_arn: &str,
) -> Result<&'a AnalysedPrincipal, AccessError> {
    if let Some(index) = model.principal_index(principal_arn) {
        return Ok(&model.principals[index]);
    }
    if let Ok(Principal::Arn(parsed)) = Principal::parse(principal_arn)
        && parsed.kind() == PrincipalType::AssumedRole
    {
        let found = model.principals.iter().find(|p| {
            matches!(&p.caller, Principal::Arn(role) if role.kind() == PrincipalType::Role
                && role.account() == parsed.account()
                && role.name() == parsed.name())
        });
        if let Some(found) = found {
            return Ok(found);
        }
    }
    Err(AccessError::UnknownPrincipal(principal_arn.to_owned()))
}

/// The policies AWS decides a request of `principal_arn` on `secret_arn` against: the
/// principal's identity policies (inline, managed at their default version, groups), its
/// permissions boundary, the SCP levels, the secret's resource policy and the RCP levels.
pub fn policy_set_for(
    model: &AccessModel,
    principal_arn: &str,
    secret_arn: &str,
) -> Result<PolicySet, AccessError> {
    let principal = principal_of(model, principal_arn)?;
    let secret = model
        .secret_index(secret_arn)
        .map(|index| &model.secrets[index])
        .ok_or_else(|| AccessError::UnknownSecret(secret_arn.to_owned()))?;
    Ok(policy_set(model, principal, secret))
}

/// The policy set and the request AWS would see when `principal_arn` calls `action` on
/// `secret_arn` (for `GetSecretValue`, with `secretsmanager:VersionStage` = `stage`): the
/// context holds every key the snapshot knows (see `context`) and `Unknown` for the keys the
/// policies read that it cannot settle. A caller with its own context (a case file) inserts its
/// keys over this one.
pub fn request_for(
    model: &AccessModel,
    principal_arn: &str,
    secret_arn: &str,
    action: &str,
    stage: Option<&str>,
) -> Result<(PolicySet, Request), AccessError> {
    let principal = principal_of(model, principal_arn)?;
    let secret = model
        .secret_index(secret_arn)
        .map(|index| &model.secrets[index])
        .ok_or_else(|| AccessError::UnknownSecret(secret_arn.to_owned()))?;
    let set = policy_set(model, principal, secret);
    let referenced = request_keys(model, principal, secret, &[action.to_ascii_lowercase()]);
    let facts = RequestFacts {
        principal,
        secret,
        action,
        stage,
        organization_id: model.organization_id.as_deref(),
    };
    let caller = match Principal::parse(principal_arn) {
        Ok(caller) if principal.kind != super::PrincipalKind::External => caller,
        _ => principal.caller.clone(),
    };
    let request = Request {
        principal: caller,
        action: action.to_owned(),
        resource: secret_arn.to_owned(),
        resource_account: None,
        context: build_context(&facts, &referenced, None),
    };
    Ok((set, request))
}

/// The entry of one (principal, secret, action), decided on its own with the full context: the
/// reference the class-based analysis is tested against.
pub fn judge_one(
    model: &AccessModel,
    principal: usize,
    secret: usize,
    action: &str,
) -> Option<Grant> {
    let principal = model.principals.get(principal)?;
    let secret = model.secrets.get(secret)?;
    let set = policy_set(model, principal, secret);
    let referenced = request_keys(model, principal, secret, &[action.to_ascii_lowercase()]);
    judge(model, principal, secret, &set, action, &referenced)
}
