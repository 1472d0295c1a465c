//! The KMS half of reading or writing a secret's value. Secrets Manager encrypts every value
//! with a KMS key and calls KMS for the caller: `GetSecretValue` needs `kms:Decrypt` on the key,
//! `PutSecretValue` and `UpdateSecret` (with a value) need `kms:GenerateDataKey` and
//! `kms:Decrypt` (Secrets Manager User Guide, "Permissions for the KMS key"). The request KMS
//! sees carries `kms:ViaService` = `secretsmanager.<region>.amazonaws.com`,
//! `kms:CallerAccount`, the encryption context (`SecretARN`, `SecretVersionId`) and the caller's
//! own keys; it is decided by the evaluator with the key policy as the resource policy (KMS
//! rules: `crate::eval`), the caller's identity policies, boundary and SCPs, and the key
//! account's RCPs.
//!
//! A secret without `KmsKeyId` uses the AWS managed key `aws/secretsmanager`: its collected
//! policy, or when the snapshot has none its documented policy (`model::default_key_policy`:
//! principals of the key's account, through Secrets Manager). Any other key whose policy was not
//! collected makes the entry `Conditional` ("key policy of <ARN> not collected"), never
//! silently allowed.

use std::collections::BTreeSet;

use super::actions;
use super::analysis::{Grant, GrantDecision, KeyVerdict, why_of_key};
use super::context::{RequestFacts, known_value};
use super::details::{ConditionDetail, open_conditions};
use super::keys;
use super::model::{AccessModel, AnalysedPrincipal, KeyFacts, SecretFacts};
use crate::eval::{self, Context, ContextValue, Decision, PolicySet, Request};

/// Secrets Manager, as `aws:CalledVia` names it.
const SECRETS_MANAGER: &str = "secretsmanager.amazonaws.com";

fn text(value: &str) -> ContextValue {
    ContextValue::String(value.to_owned())
}

/// The principal-side keys the KMS request carries, as the secret request does.
const PRINCIPAL_KEYS: &[&str] = &[
    "aws:principalarn",
    "aws:principalaccount",
    "aws:principaltype",
    "aws:username",
    "aws:userid",
    "aws:principalorgid",
    "aws:principalisawsservice",
];

/// The context of the KMS request Secrets Manager makes for `principal` on `secret`'s `key`
/// (the one builder of it: `access`, the outsider questions of the rules and the key half of
/// every entry use it); keys the policies read (`referenced`, lower case) that the snapshot
/// cannot settle are `Unknown`. `kms:CallerAccount` is the caller's account ("the AWS account
/// ID of the caller", KMS Developer Guide): unknown for the "any principal" `*`, which stands
/// for callers of every account.
pub(crate) fn key_context(
    model: &AccessModel,
    principal: &AnalysedPrincipal,
    secret: &SecretFacts,
    key: &KeyFacts,
    referenced: &BTreeSet<String>,
) -> Context {
    let facts = RequestFacts {
        principal,
        secret,
        action: "",
        stage: None,
        organization_id: model.organization_id.as_deref(),
    };
    let mut context = Context::new();
    for name in PRINCIPAL_KEYS {
        if let Some(value) = known_value(&facts, name) {
            context.insert(name, value);
        }
    }
    for (tag, value) in principal.facts.tags.iter().flatten() {
        context.insert(&format!("aws:PrincipalTag/{tag}"), text(value));
    }
    context.insert(
        "kms:CallerAccount",
        principal
            .facts
            .account
            .as_deref()
            .map_or(ContextValue::Unknown, text),
    );
    context.insert(
        "kms:ViaService",
        text(&format!("secretsmanager.{}.amazonaws.com", secret.region)),
    );
    context.insert("kms:EncryptionContext:SecretARN", text(&secret.arn));
    context.insert(
        "kms:EncryptionContext:SecretVersionId",
        ContextValue::Unknown,
    );
    context.insert(
        "kms:EncryptionContextKeys",
        ContextValue::List(vec![text("SecretARN"), text("SecretVersionId")]),
    );
    if !key.aliases.is_empty() {
        context.insert(
            "kms:ResourceAliases",
            ContextValue::List(key.aliases.iter().map(|a| text(a)).collect()),
        );
    }
    context.insert("aws:ResourceAccount", text(&key.account));
    context.insert("aws:RequestedRegion", text(&key.region));
    context.insert("aws:SecureTransport", ContextValue::Bool(true));
    context.insert("aws:ViaAWSService", ContextValue::Bool(true));
    context.insert(
        "aws:CalledVia",
        ContextValue::List(vec![text(SECRETS_MANAGER)]),
    );
    context.insert("aws:CalledViaFirst", text(SECRETS_MANAGER));
    context.insert("aws:CalledViaLast", text(SECRETS_MANAGER));
    if let Some(org) = model.organization_id.as_deref() {
        context.insert("aws:ResourceOrgID", text(org));
    }
    for key_name in referenced {
        if context.get(key_name).is_some() {
            continue;
        }
        let absent = key_name.starts_with("kms:encryptioncontext:")
            || key_name.starts_with("kms:grant")
            || key_name.starts_with("aws:requesttag/")
            || key_name == "aws:tagkeys"
            || (key_name.starts_with("aws:principaltag/") && principal.facts.tags.is_some())
            || (key_name == "aws:username"
                && principal
                    .facts
                    .principal_type
                    .is_some_and(|kind| kind != "User"));
        if !absent {
            context.insert(key_name, ContextValue::Unknown);
        }
    }
    context
}

/// What the key side decides for one KMS action.
struct KeyOutcome {
    decision: Option<GrantDecision>,
    conditions: Vec<String>,
    details: Vec<ConditionDetail>,
    why: Vec<super::analysis::Why>,
}

fn judge_key_action(
    model: &AccessModel,
    principal: &AnalysedPrincipal,
    secret: &SecretFacts,
    key: &KeyFacts,
    policy: &eval::NamedPolicy,
    action: &str,
) -> KeyOutcome {
    let set = PolicySet {
        identity: principal.set.identity.clone(),
        resource: Some(policy.clone()),
        boundary: principal.set.boundary.clone(),
        session: principal.set.session.clone(),
        scps: principal.set.scps.clone(),
        rcps: model.rcps_of(&key.account).to_vec(),
    };
    let lower = [action.to_ascii_lowercase()];
    let mut referenced = BTreeSet::new();
    for named in set
        .identity
        .iter()
        .chain(set.resource.iter())
        .chain(set.boundary.iter())
        .chain(set.session.iter())
        .chain(set.scps.iter().flatten())
        .chain(set.rcps.iter().flatten())
    {
        for statement in keys::relevant_statements(&named.policy, &lower) {
            keys::add_statement_keys(statement, &mut referenced);
        }
    }
    let request = Request {
        principal: principal.caller.clone(),
        action: action.to_owned(),
        resource: key.request_arn.clone(),
        resource_account: None,
        context: key_context(model, principal, secret, key, &referenced),
    };
    if eval::decide(&set, &request) != Decision::Allowed {
        return KeyOutcome {
            decision: None,
            conditions: Vec::new(),
            details: Vec::new(),
            why: Vec::new(),
        };
    }
    let evaluation = eval::evaluate(&set, &request);
    KeyOutcome {
        decision: Some(if evaluation.unsettled_keys.is_empty() {
            GrantDecision::Allowed
        } else {
            GrantDecision::Conditional
        }),
        details: open_conditions(&set, &request, &evaluation.unsettled_keys),
        conditions: evaluation.unsettled_keys.clone(),
        why: why_of_key(&evaluation),
    }
}

/// What the key decides for the KMS calls of one action, before it is merged into an entry.
#[derive(Debug, Clone)]
pub(crate) enum KeySide {
    /// The snapshot has no policy for the key (the reason).
    NotCollected(String),
    /// A KMS call the action needs is denied.
    Denied,
    /// Every KMS call is allowed; `conditional` says which hinge on unknown keys.
    Granted {
        conditional: Vec<String>,
        conditions: Vec<String>,
        details: Vec<ConditionDetail>,
        why: Vec<super::analysis::Why>,
    },
}

/// Key outcomes of one principal by (key index, KMS action list): the KMS request depends on
/// the secret only through its key and region (a key belongs to one region), unless a policy
/// reads the encryption context, in which case the analysis does not cache.
pub(crate) type KeyCache = std::collections::HashMap<(usize, usize), KeySide>;

fn key_side(
    model: &AccessModel,
    principal: &AnalysedPrincipal,
    secret: &SecretFacts,
    key: &KeyFacts,
    kms_actions: &[&str],
) -> KeySide {
    let policy = match &key.policy {
        Err(reason) => return KeySide::NotCollected(reason.clone()),
        Ok(policy) => policy,
    };
    let mut conditional = Vec::new();
    let mut conditions: Vec<String> = Vec::new();
    let mut details: Vec<ConditionDetail> = Vec::new();
    let mut why = Vec::new();
    for kms_action in kms_actions {
        let outcome = judge_key_action(model, principal, secret, key, policy, kms_action);
        let Some(decision) = outcome.decision else {
            return KeySide::Denied;
        };
        if decision == GrantDecision::Conditional {
            conditional.push(format!(
                "{kms_action} on {} depends on {}",
                key.arn,
                outcome.conditions.join(", ")
            ));
        }
        for condition in outcome.conditions {
            if !conditions
                .iter()
                .any(|c| c.eq_ignore_ascii_case(&condition))
            {
                conditions.push(condition);
            }
        }
        for entry in outcome.why {
            if !why.contains(&entry) {
                why.push(entry);
            }
        }
        details.extend(outcome.details);
    }
    KeySide::Granted {
        conditional,
        conditions,
        details,
        why,
    }
}

/// `grant` (the secret side of `action`) with the key side added: `None` when the key denies
/// the KMS call the action needs, `Conditional` when the key policy was not collected or the
/// KMS request hinges on a key the snapshot cannot settle. Fills `reasons`. With `cache`, the
/// key side is decided once per (key, action list).
pub(crate) fn with_key(
    model: &AccessModel,
    principal: &AnalysedPrincipal,
    secret: &SecretFacts,
    action: &str,
    mut grant: Grant,
    cache: Option<&mut KeyCache>,
) -> Option<Grant> {
    let kms_actions = actions::key_actions(action);
    if let (false, Some((index, key))) = (
        kms_actions.is_empty(),
        secret
            .key
            .and_then(|index| model.keys.get(index).map(|key| (index, key))),
    ) {
        let side = match cache {
            Some(cache) => cache
                .entry((index, kms_actions.len()))
                .or_insert_with(|| key_side(model, principal, secret, key, kms_actions))
                .clone(),
            None => key_side(model, principal, secret, key, kms_actions),
        };
        match side {
            KeySide::NotCollected(reason) => {
                grant.decision = GrantDecision::Conditional;
                grant.reasons.push(reason);
                grant.key = Some(KeyVerdict {
                    arn: key.arn.clone(),
                    judged: false,
                });
            }
            KeySide::Denied => return None,
            KeySide::Granted {
                conditional,
                conditions,
                details,
                why,
            } => {
                if !conditional.is_empty() {
                    grant.decision = GrantDecision::Conditional;
                }
                for condition in conditions {
                    if !grant
                        .conditions
                        .iter()
                        .any(|c| c.eq_ignore_ascii_case(&condition))
                    {
                        grant.conditions.push(condition);
                    }
                }
                for entry in why {
                    if !grant.why.contains(&entry) {
                        grant.why.push(entry);
                    }
                }
                grant.conditions.sort_by_key(|c| c.to_ascii_lowercase());
                grant.condition_details.extend(details);
                grant.condition_details.sort();
                grant.condition_details.dedup();
                grant.reasons.extend(conditional);
                if key.documented {
                    grant.reasons.push(format!(
                        "key policy of {} not collected: judged with the documented policy of aws/secretsmanager",
                        key.arn
                    ));
                }
                grant.key = Some(KeyVerdict {
                    arn: key.arn.clone(),
                    judged: true,
                });
            }
        }
    }
    if grant.external {
        grant.reasons.insert(
            0,
            "allowed only if the principal's own account allows it too".to_owned(),
        );
    }
    Some(grant)
}
