//! Who outside the audited account a secret's resource policy lets in, asked of the access
//! engine itself: the outsiders are principals of the analysis like any other (an identity
//! policy standing for "whatever their own account grants", the resource account's RCPs, the
//! request context of `context`), judged by `analysis::judge_secret_side` and, for value
//! actions, by the KMS half (`kms::with_key`). The rules `secretsmanager-policy-not-public` and
//! `-cross-account` ask these questions; nothing here re-implements policy matching.
//!
//! The outsiders: an anonymous caller; a principal of an arbitrary account outside every
//! organization the policy names (a fresh account id, organization `o-secauditprobe0`); and, for
//! the cross-account question, a principal of each account the policy names (in `Principal`, or
//! in `aws:PrincipalAccount` / `aws:PrincipalArn` condition values; its organization unknown),
//! each principal it names by ARN, and a principal of each organization its
//! `aws:PrincipalOrgID` / `aws:PrincipalOrgPaths` values name. The audited account and the
//! trusted accounts and organizations are never asked about.
//!
//! A grant that hinges on a key the caller cannot choose (`aws:SourceVpce`, `aws:SourceIp`,
//! `aws:PrincipalOrgID`, …) is "restricted"; one that hinges only on keys the caller controls
//! (its own tags, the version it asks for, the time) is a grant. For `GetSecretValue` the
//! answer also says whether the value is reached: the AWS managed key `aws/secretsmanager`
//! cannot be used cross-account (Secrets Manager User Guide), a customer key reaches it only if
//! its policy lets the outsider decrypt, and a key policy not collected makes it "possibly".

use std::collections::BTreeSet;
use std::sync::{Arc, LazyLock};

use super::analysis::{Grant, judge_secret_side, policy_set, request_keys};
use super::model::{
    ASSUMED_IDENTITY_POLICY, AccessModel, AnalysedPrincipal, PrincipalFacts, PrincipalKind,
    SecretFacts,
};
use crate::eval::{NamedPolicy, PolicySet, Principal};
use crate::policy::{Effect, Policy, PolicyKind, PrincipalPattern};

/// The secret-level Secrets Manager actions a resource policy can grant.
pub(crate) const SECRET_ACTIONS: [&str; 19] = [
    "secretsmanager:GetSecretValue",
    "secretsmanager:DescribeSecret",
    "secretsmanager:ListSecretVersionIds",
    "secretsmanager:GetResourcePolicy",
    "secretsmanager:PutSecretValue",
    "secretsmanager:UpdateSecret",
    "secretsmanager:UpdateSecretVersionStage",
    "secretsmanager:DeleteSecret",
    "secretsmanager:RestoreSecret",
    "secretsmanager:RotateSecret",
    "secretsmanager:CancelRotateSecret",
    "secretsmanager:PutResourcePolicy",
    "secretsmanager:DeleteResourcePolicy",
    "secretsmanager:ValidateResourcePolicy",
    "secretsmanager:TagResource",
    "secretsmanager:UntagResource",
    "secretsmanager:ReplicateSecretToRegions",
    "secretsmanager:RemoveRegionsFromReplication",
    "secretsmanager:StopReplicationToReplica",
];

/// The actions that only read what describes a secret (never its value).
const METADATA_ACTIONS: [&str; 4] = [
    "secretsmanager:DescribeSecret",
    "secretsmanager:ListSecretVersionIds",
    "secretsmanager:GetResourcePolicy",
    "secretsmanager:ValidateResourcePolicy",
];

/// Condition keys whose value the caller cannot choose: a grant that depends on them is
/// restricted (to a network, an organization, an account, a calling service), not open.
const RESTRICTING_KEYS: [&str; 16] = [
    "aws:sourcevpce",
    "aws:sourcevpc",
    "aws:sourceip",
    "aws:vpcsourceip",
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:principalservicename",
    "aws:principalservicenameslist",
    "aws:resourceorgid",
    "aws:resourceorgpaths",
];

/// The organization of the arbitrary foreign account (a valid id no real policy names).
const FOREIGN_ORG: &str = "o-secauditprobe0";
/// The role name of the outsiders that stand for an account.
const OUTSIDER_ROLE: &str = "secaudit-probe";
/// The alias of the AWS managed key of Secrets Manager.
const AWS_MANAGED_KEY: &str = "alias/aws/secretsmanager";

/// The identity policy of an outsider of an account: its own account grants it everything.
static OWN_ACCOUNT_GRANTS: LazyLock<Option<Arc<Policy>>> = LazyLock::new(|| {
    let document = serde_json::json!({"Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]});
    Policy::from_value(&document, PolicyKind::Identity)
        .ok()
        .map(Arc::new)
});

/// Which principals an outsider stands for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Outsider {
    Anonymous,
    /// A principal of an arbitrary account outside every organization the policy names.
    AnyAccount,
    /// A principal of an account the policy names.
    Account(String),
    /// A principal the policy names by ARN.
    PrincipalArn(String),
    /// A principal of another account in an organization the policy names.
    Organization(String),
}

impl Outsider {
    /// How annotations name it.
    pub fn describe(&self) -> String {
        match self {
            Outsider::Anonymous => "anonymous callers".to_string(),
            Outsider::AnyAccount => "any AWS account".to_string(),
            Outsider::Account(account) => format!("account {account}"),
            Outsider::PrincipalArn(arn) => format!("`{arn}`"),
            Outsider::Organization(org) => format!("organization `{org}`"),
        }
    }

    /// True for the outsiders that stand for the public (anyone, or any account).
    pub fn is_public(&self) -> bool {
        matches!(self, Outsider::Anonymous | Outsider::AnyAccount)
    }
}

/// Who is not an outsider: the audited account and the trusted accounts and organizations
/// (the account's own organization among them).
#[derive(Debug, Clone, Default)]
pub(crate) struct Trust {
    pub owner: String,
    pub partition: String,
    pub accounts: BTreeSet<String>,
    pub organizations: BTreeSet<String>,
}

/// One outsider as a principal of the analysis.
#[derive(Debug, Clone)]
pub(crate) struct OutsiderPrincipal {
    pub outsider: Outsider,
    /// The ARN it is judged as (`None`: anonymous).
    pub arn: Option<String>,
    principal: AnalysedPrincipal,
}

/// Whether the value of the secret is reached by what an outsider is granted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ValueReach {
    /// `GetSecretValue` is granted and the key lets the outsider decrypt.
    Value,
    /// `GetSecretValue` is granted; the key's policy was not collected (the reason).
    Possibly(String),
    /// `GetSecretValue` is granted but the key blocks decryption (why).
    Blocked(String),
}

/// What an outsider may do with one action.
#[derive(Debug, Clone)]
pub(crate) struct ActionAccess {
    pub action: &'static str,
    /// The secret-side entry (decision, conditions, statements).
    pub grant: Grant,
    /// The keys the snapshot cannot settle and the caller cannot choose (empty: a grant).
    pub restricted_by: Vec<String>,
    /// `GetSecretValue` only: whether the value is reached.
    pub value: Option<ValueReach>,
    /// `GetSecretValue` only: the key's ARN and whether its policy was judged.
    pub key: Option<(String, bool)>,
}

/// What one outsider may do on one secret.
#[derive(Debug, Clone)]
pub(crate) struct OutsiderAccess {
    pub outsider: Outsider,
    pub arn: Option<String>,
    /// The actions allowed, granted or restricted, in `SECRET_ACTIONS` order.
    pub actions: Vec<ActionAccess>,
}

impl OutsiderAccess {
    /// The actions granted outright (possibly hinging on keys the caller controls).
    pub fn granted(&self) -> impl Iterator<Item = &ActionAccess> {
        self.actions.iter().filter(|a| a.restricted_by.is_empty())
    }

    /// The actions allowed only with keys the caller cannot choose.
    pub fn restricted(&self) -> impl Iterator<Item = &ActionAccess> {
        self.actions.iter().filter(|a| !a.restricted_by.is_empty())
    }

    /// The short names of the granted actions (`GetSecretValue`).
    pub fn granted_actions(&self) -> Vec<&'static str> {
        self.granted().map(|a| short_action(a.action)).collect()
    }

    /// The keys the restricted grants hinge on.
    pub fn restricting_keys(&self) -> BTreeSet<&str> {
        self.restricted()
            .flat_map(|a| a.restricted_by.iter().map(String::as_str))
            .collect()
    }

    /// Whether the granted `GetSecretValue` reaches the value (`None`: not granted).
    pub fn value(&self) -> Option<&ValueReach> {
        self.granted().find_map(|a| a.value.as_ref())
    }

    /// True when every granted action only reads metadata (a blocked read counts as such).
    pub fn metadata_only(&self) -> bool {
        self.granted().all(|a| {
            METADATA_ACTIONS.contains(&a.action) || matches!(a.value, Some(ValueReach::Blocked(_)))
        })
    }
}

/// `GetSecretValue` from `secretsmanager:GetSecretValue`.
pub(crate) fn short_action(action: &str) -> &str {
    action.split_once(':').map_or(action, |(_, name)| name)
}

fn is_restricting(key: &str) -> bool {
    RESTRICTING_KEYS.contains(&key.to_ascii_lowercase().as_str())
}

/// The outsiders worth asking about for `policy`: the public ones (anonymous, any account)
/// and, with `named`, every account, principal and organization the policy names that is not
/// trusted.
pub(crate) fn outsiders_of(
    model: &AccessModel,
    policy: &Policy,
    trust: &Trust,
    named: bool,
) -> Vec<OutsiderPrincipal> {
    let mut accounts = BTreeSet::new();
    let mut arns = BTreeSet::new();
    let mut orgs = BTreeSet::new();
    for statement in policy.statements() {
        if statement.effect != Effect::Allow {
            continue;
        }
        if let Some(principals) = &statement.principals
            && !principals.negated
        {
            for pattern in &principals.items {
                match pattern {
                    PrincipalPattern::Account(account) => {
                        accounts.insert(account.clone());
                    }
                    PrincipalPattern::Arn(arn) => {
                        arns.insert(arn.clone());
                    }
                    _ => {}
                }
            }
        }
        for condition in &statement.conditions {
            let key = condition.key.to_ascii_lowercase();
            for value in &condition.values {
                match key.as_str() {
                    "aws:principalaccount" => {
                        accounts.insert(value.clone());
                    }
                    "aws:principalarn" => {
                        if Principal::parse(value).is_ok() {
                            arns.insert(value.clone());
                        } else if let Some(account) = crate::arn::account_of(value) {
                            accounts.insert(account.to_string());
                        }
                    }
                    "aws:principalorgid" => {
                        orgs.insert(value.clone());
                    }
                    "aws:principalorgpaths" => {
                        if let Some(org) = value.split('/').next() {
                            orgs.insert(org.to_string());
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    accounts.retain(|account| crate::arn::is_account_id(account));
    let mut taken: BTreeSet<String> = trust.accounts.clone();
    taken.insert(trust.owner.clone());
    taken.extend(accounts.iter().cloned());
    let mut fresh = (0u64..)
        .map(|n| format!("{n:012}"))
        .filter(|id| !taken.contains(id));
    let rcps = model.rcps_of(&trust.owner);
    let mut out = vec![anonymous(rcps)];
    if let Some(account) = fresh.next() {
        out.push(account_outsider(
            Outsider::AnyAccount,
            trust,
            &account,
            Some(FOREIGN_ORG),
            rcps,
        ));
    }
    if !named {
        return out;
    }
    let trusted = |account: &str| trust.accounts.contains(account) || account == trust.owner;
    for account in accounts.iter().filter(|a| !trusted(a)) {
        out.push(account_outsider(
            Outsider::Account(account.clone()),
            trust,
            account,
            None,
            rcps,
        ));
    }
    for arn in &arns {
        let Ok(caller) = Principal::parse(arn) else {
            continue;
        };
        let Some(account) = caller.account().map(str::to_string) else {
            continue;
        };
        if trusted(&account) {
            continue;
        }
        // The keys its ARN determines, as `derive_context` derives them.
        let facts = PrincipalFacts {
            account: Some(account),
            ..PrincipalFacts::from_arn(&caller)
        };
        out.push(OutsiderPrincipal {
            outsider: Outsider::PrincipalArn(arn.clone()),
            arn: Some(arn.clone()),
            principal: outsider_principal(arn.clone(), caller, facts, true, rcps),
        });
    }
    for org in orgs
        .iter()
        .filter(|org| !trust.organizations.contains(*org))
    {
        if let Some(account) = fresh.next() {
            out.push(account_outsider(
                Outsider::Organization(org.clone()),
                trust,
                &account,
                Some(org),
                rcps,
            ));
        }
    }
    out
}

fn outsider_principal(
    arn: String,
    caller: Principal,
    facts: PrincipalFacts,
    own_account: bool,
    rcps: &[Vec<NamedPolicy>],
) -> AnalysedPrincipal {
    let identity = own_account
        .then(|| OWN_ACCOUNT_GRANTS.clone())
        .flatten()
        .map(|policy| NamedPolicy {
            name: ASSUMED_IDENTITY_POLICY.to_owned(),
            policy,
        });
    AnalysedPrincipal {
        name: arn.clone(),
        arn,
        kind: PrincipalKind::External,
        caller,
        set: PolicySet {
            identity: identity.into_iter().collect(),
            rcps: rcps.to_vec(),
            ..PolicySet::default()
        },
        facts,
        problems: Vec::new(),
    }
}

fn anonymous(rcps: &[Vec<NamedPolicy>]) -> OutsiderPrincipal {
    OutsiderPrincipal {
        outsider: Outsider::Anonymous,
        arn: None,
        principal: outsider_principal(
            "anonymous".to_owned(),
            Principal::Anonymous,
            PrincipalFacts::from_arn(&Principal::Anonymous),
            false,
            rcps,
        ),
    }
}

fn account_outsider(
    outsider: Outsider,
    trust: &Trust,
    account: &str,
    org: Option<&str>,
    rcps: &[Vec<NamedPolicy>],
) -> OutsiderPrincipal {
    let arn = format!(
        "arn:{}:iam::{account}:role/{OUTSIDER_ROLE}",
        trust.partition
    );
    let caller = Principal::parse(&arn).unwrap_or(Principal::Anonymous);
    let facts = PrincipalFacts {
        account: Some(account.to_owned()),
        organization: org.map(str::to_owned),
        ..PrincipalFacts::from_arn(&caller)
    };
    OutsiderPrincipal {
        outsider,
        arn: Some(arn.clone()),
        principal: outsider_principal(arn.clone(), caller, facts, true, rcps),
    }
}

/// What `who` may do on `secret`: every action of `SECRET_ACTIONS` the access engine allows it,
/// and for `GetSecretValue` whether the KMS key lets it reach the value.
pub(crate) fn outsider_access(
    model: &AccessModel,
    secret: &SecretFacts,
    who: &OutsiderPrincipal,
) -> OutsiderAccess {
    let principal = &who.principal;
    let set = policy_set(model, principal, secret);
    let lower: Vec<String> = SECRET_ACTIONS
        .iter()
        .map(|a| a.to_ascii_lowercase())
        .collect();
    let referenced = request_keys(model, principal, secret, &lower);
    let key = secret.key.and_then(|index| model.keys.get(index));
    let mut actions = Vec::new();
    for action in SECRET_ACTIONS {
        let Some(grant) =
            judge_secret_side(model, principal, secret, &set, action, &referenced, None)
        else {
            continue;
        };
        let restricted_by: Vec<String> = grant
            .conditions
            .iter()
            .filter(|key| is_restricting(key))
            .cloned()
            .collect();
        let (value, key_verdict) = if super::actions::is_get_secret_value(action) {
            let reach = match key {
                None => ValueReach::Possibly("the secret's key is unknown".to_owned()),
                Some(key) if key.aliases.iter().any(|a| a == AWS_MANAGED_KEY) => {
                    ValueReach::Blocked(
                        "the AWS managed key aws/secretsmanager cannot be used cross-account"
                            .to_owned(),
                    )
                }
                Some(key) => {
                    match super::kms::with_key(
                        model,
                        principal,
                        secret,
                        action,
                        grant.clone(),
                        None,
                    ) {
                        None => ValueReach::Blocked(format!(
                            "the policy of key {} does not let it decrypt",
                            key.arn
                        )),
                        Some(Grant {
                            key: Some(verdict), ..
                        }) if !verdict.judged => ValueReach::Possibly(format!(
                            "key policy of {} not collected",
                            verdict.arn
                        )),
                        Some(judged) => {
                            // A KMS call that hinges on a key the snapshot cannot settle (the
                            // outsider's organization, its network): possibly.
                            let open: Vec<&str> = judged
                                .reasons
                                .iter()
                                .filter(|reason| reason.starts_with("kms:"))
                                .map(String::as_str)
                                .collect();
                            if open.is_empty() {
                                ValueReach::Value
                            } else {
                                ValueReach::Possibly(open.join("; "))
                            }
                        }
                    }
                }
            };
            let judged = key.is_some_and(|k| k.policy.is_ok());
            (Some(reach), key.map(|k| (k.arn.clone(), judged)))
        } else {
            (None, None)
        };
        actions.push(ActionAccess {
            action,
            grant,
            restricted_by,
            value,
            key: key_verdict,
        });
    }
    OutsiderAccess {
        outsider: who.outsider.clone(),
        arn: who.arn.clone(),
        actions,
    }
}
