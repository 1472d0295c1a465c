//! What the resource-policy rules (`secretsmanager-policy-not-public`, `-cross-account`) ask
//! the access engine: for each secret, its resource policy as the snapshot knows it, and what
//! each outsider (`crate::access::outsiders`) may do on it, KMS key included. The trust lists
//! come from the rule's parameters; the account's own organization is always trusted. This is
//! the rules' view of the one access engine, not a second evaluator.

use std::collections::{BTreeSet, HashMap};

use serde_json::{Value, json};

use super::context::{RuleContext, SecretSubject};
use crate::access::AccessModel;
use crate::access::outsiders::{
    OutsiderAccess, OutsiderPrincipal, Trust, ValueReach, outsider_access, outsiders_of,
};
use crate::policy::{Policy, PolicyKind};
use crate::snapshot::{Api, Availability, ResourcePolicyState};

/// A secret's resource policy, as far as the snapshot knows it.
#[derive(Debug, Clone)]
pub(crate) enum PolicyState {
    NotCollected(String),
    NoPolicy,
    /// The document (or an RCP) does not parse (the message says why).
    Invalid(String),
    /// What the outsiders may do.
    Judged(Vec<OutsiderAccess>),
}

/// The setting shared by every secret of one rule run.
pub(crate) struct OutsideAccess<'a> {
    /// The run's access model (`RuleContext::access_model`): the outsider questions read its
    /// secrets, keys, resource policies and RCPs, never its principals.
    model: &'a AccessModel,
    trust: Trust,
    /// Why RCPs cannot be used, when one does not parse.
    rcp_error: Option<String>,
    /// A note for details when the organization's policies were not collected.
    pub rcp_note: Option<String>,
    /// The outsiders per resource policy (index into the model's policies) and question.
    outsiders: HashMap<(usize, bool), Vec<OutsiderPrincipal>>,
}

impl<'a> OutsideAccess<'a> {
    pub fn new(
        context: &RuleContext<'a>,
        trusted_accounts: Vec<String>,
        trusted_orgs: Vec<String>,
    ) -> OutsideAccess<'a> {
        let snapshot = context.snapshot;
        let rcp_error = snapshot.organizations.as_ref().and_then(|organizations| {
            organizations.rcps.iter().flatten().find_map(|rcp| {
                Policy::from_value(&rcp.document, PolicyKind::Rcp)
                    .err()
                    .map(|error| format!("RCP `{}` cannot be read: {error}", rcp.name))
            })
        });
        let rcp_note = match (
            &snapshot.organizations,
            snapshot.availability("global", Api::OrganizationsPolicies),
        ) {
            (None, Availability::Missing { reason }) if reason.starts_with("coverage") => {
                Some(format!("RCPs not considered: {reason}"))
            }
            _ => None,
        };
        OutsideAccess {
            model: context.access_model(),
            trust: Trust {
                owner: snapshot.meta.account_id.clone(),
                partition: snapshot.meta.partition.clone(),
                accounts: trusted_accounts.into_iter().collect(),
                // The account's own organization is trusted: its members are not outsiders.
                organizations: trusted_orgs
                    .into_iter()
                    .chain(snapshot.meta.organization_id.clone())
                    .collect::<BTreeSet<_>>(),
            },
            rcp_error,
            rcp_note,
            outsiders: HashMap::new(),
        }
    }

    /// The subject's resource policy and, when it can be evaluated, what the outsiders may do:
    /// the public ones only, or with `named` every outsider the policy names too.
    pub fn judge(
        &mut self,
        context: &RuleContext<'_>,
        subject: &SecretSubject<'_>,
        named: bool,
    ) -> PolicyState {
        let document = match subject.data.resource_policy(&subject.secret.arn) {
            ResourcePolicyState::NoPolicy => return PolicyState::NoPolicy,
            ResourcePolicyState::NotCollected => {
                return PolicyState::NotCollected(
                    context
                        .missing_for(subject, Api::GetResourcePolicy)
                        .unwrap_or_else(|| {
                            "get-resource-policy output has no entry for this secret".to_string()
                        }),
                );
            }
            ResourcePolicyState::Policy(document) => document,
        };
        if let Err(error) = Policy::from_value(document, PolicyKind::Resource) {
            return PolicyState::Invalid(error.to_string());
        }
        if let Some(error) = &self.rcp_error {
            return PolicyState::Invalid(error.clone());
        }
        let model = self.model;
        let Some(secret) = model
            .secret_index(&subject.secret.arn)
            .map(|index| &model.secrets[index])
        else {
            return PolicyState::Invalid("the secret is not in the access model".to_owned());
        };
        let Some(index) = secret.resource_policy else {
            return PolicyState::Invalid("the resource policy could not be compiled".to_owned());
        };
        let outsiders = self.outsiders.entry((index, named)).or_insert_with(|| {
            outsiders_of(
                model,
                &model.resource_policies[index].policy,
                &self.trust,
                named,
            )
        });
        PolicyState::Judged(
            outsiders
                .iter()
                .map(|who| outsider_access(model, secret, who))
                .collect(),
        )
    }
}

/// Whether what `outsiders` are granted reaches the value, in words: "reaches the value",
/// "possibly the value: key policy of … not collected", "metadata only: …", or "not the
/// value" (write or management actions without a read of the value).
pub(crate) fn value_note<'a>(
    outsiders: impl Iterator<Item = &'a OutsiderAccess> + Clone,
) -> String {
    let reaches: Vec<&ValueReach> = outsiders
        .clone()
        .filter_map(OutsiderAccess::value)
        .collect();
    if reaches.iter().any(|r| **r == ValueReach::Value) {
        return "reaches the value".to_owned();
    }
    if let Some(ValueReach::Possibly(reason)) = reaches
        .iter()
        .find(|r| matches!(r, ValueReach::Possibly(_)))
    {
        return format!("possibly the value: {reason}");
    }
    let blocked = reaches.iter().find_map(|r| match r {
        ValueReach::Blocked(reason) => Some(reason.as_str()),
        _ => None,
    });
    let metadata = outsiders.clone().all(OutsiderAccess::metadata_only);
    match (metadata, blocked) {
        (true, Some(reason)) => format!("metadata only: {reason}"),
        (true, None) => "metadata only".to_owned(),
        (false, Some(reason)) => format!("not the value: {reason}"),
        (false, None) => "not the value".to_owned(),
    }
}

/// True when a granted read reaches or may reach the value.
pub(crate) fn may_read_value(outsider: &OutsiderAccess) -> bool {
    matches!(
        outsider.value(),
        Some(ValueReach::Value | ValueReach::Possibly(_))
    )
}

/// The evidence of one outsider.
pub(crate) fn evidence(outsider: &OutsiderAccess) -> Value {
    let mut item = json!({
        "principal": outsider.outsider.describe(),
        "allowed_actions": outsider.granted_actions(),
        "conditions": outsider
            .granted()
            .flat_map(|a| a.grant.conditions.iter().cloned())
            .collect::<BTreeSet<_>>(),
        "restricted_actions": outsider.restricted().map(|a| a.action).collect::<Vec<_>>(),
        "restricted_by": outsider.restricting_keys(),
    });
    if let Some(arn) = &outsider.arn {
        item["probe_arn"] = json!(arn);
    }
    if let Some(access) = outsider.granted().find(|a| a.value.is_some()) {
        item["value"] = json!(match &access.value {
            Some(ValueReach::Value) => "reached".to_owned(),
            Some(ValueReach::Possibly(reason)) => format!("possibly: {reason}"),
            Some(ValueReach::Blocked(reason)) => format!("blocked: {reason}"),
            None => String::new(),
        });
        if let Some((arn, judged)) = &access.key {
            item["key"] = json!({"arn": arn, "judged": judged});
        }
    }
    item
}
