//! Who outside the account a secret's resource policy lets in, found by evaluating the policy
//! with the IAM evaluator (`crate::eval`) for representative principals — never by matching
//! policy text. The probes: an anonymous caller, a principal of an arbitrary foreign account
//! (in no organization the policy names), and, for the cross-account rule, a principal of each
//! account the policy names (in `Principal`, or in `aws:PrincipalAccount` / `aws:PrincipalArn`
//! condition values) and of each organization its `aws:PrincipalOrgID` values name. The audited
//! account and the trusted accounts and organizations are never probed.
//!
//! Each probe is evaluated for every secret-level Secrets Manager action, with the resource
//! policy and the organization's RCPs, and (for account principals) an identity policy that
//! allows everything, standing for whatever the caller's own account grants it. The keys the
//! probe settles are set (principal account, ARN and organization, the secret's id and tags);
//! every other condition key the policies read is `ContextValue::Unknown`, so the decision is
//! the most permissive one and `unsettled_keys` names what it hinges on. A grant that hinges on
//! a key the caller cannot choose (`aws:SourceVpce`, `aws:SourceIp`, …) is "restricted"; one
//! that hinges only on keys the caller controls (`aws:SecureTransport`, its own tags, the
//! version stage it asks for, the time) is a grant.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, LazyLock};

use serde_json::Value;

use super::context::{RuleContext, SecretSubject};
use crate::eval::{
    Context, ContextValue, Decision, NamedPolicy, PolicySet, Principal, Request, decide, evaluate,
};
use crate::policy::{Effect, Policy, PolicyKind, PrincipalPattern};
use crate::snapshot::{Api, Availability, ResourcePolicyState};

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
const PROBE_ROLE: &str = "secaudit-probe";

/// The identity policy of an account principal: its own account grants it everything.
static CALLER_PERMISSIONS: LazyLock<Result<Arc<Policy>, String>> = LazyLock::new(|| {
    let document = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
    });
    Policy::from_value(&document, PolicyKind::Identity)
        .map(Arc::new)
        .map_err(|error| error.to_string())
});

/// Which principals a probe stands for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum ProbeKind {
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

impl ProbeKind {
    /// How annotations name it.
    pub fn describe(&self) -> String {
        match self {
            ProbeKind::Anonymous => "anonymous callers".to_string(),
            ProbeKind::AnyAccount => "any AWS account".to_string(),
            ProbeKind::Account(account) => format!("account {account}"),
            ProbeKind::PrincipalArn(arn) => format!("`{arn}`"),
            ProbeKind::Organization(org) => format!("organization `{org}`"),
        }
    }

    /// True for the probes that stand for the public (anyone, or any account).
    pub fn is_public(&self) -> bool {
        matches!(self, ProbeKind::Anonymous | ProbeKind::AnyAccount)
    }
}

/// What one probe may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProbeOutcome {
    pub kind: ProbeKind,
    pub principal: String,
    /// Actions allowed, possibly hinging on keys the caller controls (listed).
    pub granted: Vec<(String, Vec<String>)>,
    /// Actions allowed only when keys the caller cannot choose have the right values (listed).
    pub restricted: Vec<(String, Vec<String>)>,
}

impl ProbeOutcome {
    /// The short action names granted (`GetSecretValue`).
    pub fn granted_actions(&self) -> Vec<&str> {
        self.granted
            .iter()
            .map(|(action, _)| short_action(action))
            .collect()
    }

    /// The keys the restricted grants hinge on.
    pub fn restricting_keys(&self) -> BTreeSet<&str> {
        self.restricted
            .iter()
            .flat_map(|(_, keys)| keys.iter().map(String::as_str))
            .collect()
    }
}

/// `GetSecretValue` from `secretsmanager:GetSecretValue`.
pub(crate) fn short_action(action: &str) -> &str {
    action.split_once(':').map_or(action, |(_, name)| name)
}

/// A secret's resource policy, as far as the snapshot knows it.
#[derive(Debug, Clone)]
pub(crate) enum PolicyState {
    NotCollected(String),
    NoPolicy,
    /// The document does not parse (the message says why).
    Invalid(String),
    Parsed(Arc<ParsedPolicy>),
}

/// A parsed resource policy and what probing it needs, shared by every secret with the same
/// document.
#[derive(Debug)]
pub(crate) struct ParsedPolicy {
    policy: Arc<Policy>,
    /// Every condition key the policy and the RCPs read.
    keys: BTreeSet<String>,
    /// The probes of the public rule, and those of the cross-account rule.
    public_probes: Vec<Probe>,
    named_probes: Vec<Probe>,
}

fn parse(document: &Value, kind: PolicyKind) -> Result<Arc<Policy>, String> {
    Policy::from_value(document, kind)
        .map(Arc::new)
        .map_err(|error| error.to_string())
}

/// The evaluation setting shared by every secret of one rule run: trust lists and RCPs.
#[derive(Debug, Clone)]
pub(crate) struct Prober {
    owner: String,
    partition: String,
    trusted_accounts: BTreeSet<String>,
    trusted_orgs: BTreeSet<String>,
    /// The RCP levels (root first), or why they cannot be used.
    rcps: Result<Vec<Vec<NamedPolicy>>, String>,
    /// A note for details when the organization's policies were not collected.
    pub rcp_note: Option<String>,
    /// Policy sets without the resource policy: for anonymous callers, and for account
    /// principals (with the caller's own permissions).
    anonymous_set: PolicySet,
    account_set: PolicySet,
    /// Parsed resource policies by document text.
    parsed: HashMap<String, PolicyState>,
}

impl Prober {
    pub fn new(
        context: &RuleContext<'_>,
        trusted_accounts: Vec<String>,
        trusted_orgs: Vec<String>,
    ) -> Prober {
        let snapshot = context.snapshot;
        let (rcps, rcp_note) = match &snapshot.organizations {
            Some(organizations) => (rcp_levels(&organizations.rcps), None),
            None => (
                Ok(Vec::new()),
                match snapshot.availability("global", Api::OrganizationsPolicies) {
                    Availability::Missing { reason } if reason.starts_with("coverage") => {
                        Some(format!("RCPs not considered: {reason}"))
                    }
                    _ => None,
                },
            ),
        };
        let levels = rcps.clone().unwrap_or_default();
        let caller = CALLER_PERMISSIONS.as_ref().ok().map(|policy| NamedPolicy {
            name: "caller's own permissions (assumed: everything)".to_string(),
            policy: policy.clone(),
        });
        Prober {
            owner: snapshot.meta.account_id.clone(),
            partition: snapshot.meta.partition.clone(),
            trusted_accounts: trusted_accounts.into_iter().collect(),
            // The account's own organization is trusted: its members are not outsiders.
            trusted_orgs: trusted_orgs
                .into_iter()
                .chain(snapshot.meta.organization_id.clone())
                .collect(),
            rcps,
            rcp_note,
            anonymous_set: PolicySet {
                rcps: levels.clone(),
                ..PolicySet::default()
            },
            account_set: PolicySet {
                identity: caller.into_iter().collect(),
                rcps: levels,
                ..PolicySet::default()
            },
            parsed: HashMap::new(),
        }
    }

    /// Reads and parses the resource policy of a secret (each distinct document once).
    pub fn resource_policy(
        &mut self,
        context: &RuleContext<'_>,
        subject: &SecretSubject<'_>,
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
        let text = document.to_string();
        if let Some(state) = self.parsed.get(&text) {
            return state.clone();
        }
        let state = match (parse(document, PolicyKind::Resource), &self.rcps) {
            (Err(message), _) => PolicyState::Invalid(message),
            (Ok(_), Err(message)) => PolicyState::Invalid(message.clone()),
            (Ok(policy), Ok(rcps)) => {
                let mut keys = condition_keys(&policy);
                for level in rcps {
                    for named_policy in level {
                        keys.extend(condition_keys(&named_policy.policy));
                    }
                }
                PolicyState::Parsed(Arc::new(ParsedPolicy {
                    public_probes: self.probes(&policy, false),
                    named_probes: self.probes(&policy, true),
                    policy,
                    keys,
                }))
            }
        };
        self.parsed.insert(text, state.clone());
        state
    }

    /// Evaluates the probes against a parsed resource policy. `named` adds the accounts,
    /// principals and organizations the policy names (the cross-account rule); without it only
    /// the public probes run.
    pub fn probe(
        &mut self,
        subject: &SecretSubject<'_>,
        parsed: &ParsedPolicy,
        named: bool,
    ) -> Vec<ProbeOutcome> {
        let resource = Some(NamedPolicy {
            name: "resource policy".to_string(),
            policy: parsed.policy.clone(),
        });
        self.anonymous_set.resource = resource.clone();
        self.account_set.resource = resource;
        let probes = if named {
            &parsed.named_probes
        } else {
            &parsed.public_probes
        };
        let mut outcomes = Vec::with_capacity(probes.len());
        for probe in probes {
            let set = if probe.kind == ProbeKind::Anonymous {
                &self.anonymous_set
            } else {
                &self.account_set
            };
            let mut request = Request {
                principal: probe.principal.clone(),
                action: String::new(),
                resource: subject.secret.arn.clone(),
                resource_account: subject.secret.account_id().map(str::to_string),
                context: self.context_for(probe, subject, &parsed.keys),
            };
            let mut outcome = ProbeOutcome {
                kind: probe.kind.clone(),
                principal: probe.arn.clone().unwrap_or_else(|| "anonymous".to_string()),
                granted: Vec::new(),
                restricted: Vec::new(),
            };
            for action in SECRET_ACTIONS {
                action.clone_into(&mut request.action);
                if decide(set, &request) != Decision::Allowed {
                    continue;
                }
                let evaluation = evaluate(set, &request);
                if evaluation.decision != Decision::Allowed {
                    continue;
                }
                let restricting: Vec<String> = evaluation
                    .unsettled_keys
                    .iter()
                    .filter(|key| is_restricting(key))
                    .cloned()
                    .collect();
                if restricting.is_empty() {
                    outcome
                        .granted
                        .push((action.to_string(), evaluation.unsettled_keys));
                } else {
                    outcome.restricted.push((action.to_string(), restricting));
                }
            }
            outcomes.push(outcome);
        }
        self.anonymous_set.resource = None;
        self.account_set.resource = None;
        outcomes
    }

    fn probes(&self, policy: &Policy, named: bool) -> Vec<Probe> {
        let mut taken: BTreeSet<String> = self.trusted_accounts.clone();
        taken.insert(self.owner.clone());
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
        taken.extend(accounts.iter().cloned());
        let mut fresh = (0u64..)
            .map(|n| format!("{n:012}"))
            .filter(|id| !taken.contains(id));
        let mut probes = vec![Probe::anonymous()];
        if let Some(account) = fresh.next() {
            probes.push(self.account_probe(ProbeKind::AnyAccount, &account, Some(FOREIGN_ORG)));
        }
        if !named {
            return probes;
        }
        for account in &accounts {
            if self.trusted_accounts.contains(account) || *account == self.owner {
                continue;
            }
            probes.push(self.account_probe(ProbeKind::Account(account.clone()), account, None));
        }
        for arn in &arns {
            let Ok(principal) = Principal::parse(arn) else {
                continue;
            };
            let Some(account) = principal.account().map(str::to_string) else {
                continue;
            };
            if self.trusted_accounts.contains(&account) || account == self.owner {
                continue;
            }
            probes.push(Probe {
                kind: ProbeKind::PrincipalArn(arn.clone()),
                principal,
                arn: Some(arn.clone()),
                account: Some(account),
                org: None,
            });
        }
        for org in &orgs {
            if self.trusted_orgs.contains(org) {
                continue;
            }
            if let Some(account) = fresh.next() {
                probes.push(self.account_probe(
                    ProbeKind::Organization(org.clone()),
                    &account,
                    Some(org),
                ));
            }
        }
        probes
    }

    fn account_probe(&self, kind: ProbeKind, account: &str, org: Option<&str>) -> Probe {
        let arn = format!("arn:{}:iam::{account}:role/{PROBE_ROLE}", self.partition);
        Probe {
            kind,
            principal: Principal::parse(&arn).unwrap_or(Principal::Anonymous),
            arn: Some(arn),
            account: Some(account.to_string()),
            org: org.map(str::to_string),
        }
    }

    /// The request context of a probe: what it settles, and every other key the policies
    /// read as unknown.
    fn context_for(
        &self,
        probe: &Probe,
        subject: &SecretSubject<'_>,
        keys: &BTreeSet<String>,
    ) -> Context {
        let mut context = Context::new();
        let text = |value: &str| ContextValue::String(value.to_string());
        if let (Some(arn), Some(account)) = (&probe.arn, &probe.account) {
            context.insert("aws:PrincipalArn", text(arn));
            context.insert("aws:PrincipalAccount", text(account));
            context.insert("aws:PrincipalType", text("AssumedRole"));
            context.insert("aws:PrincipalIsAWSService", ContextValue::Bool(false));
            match &probe.org {
                Some(org) => context.insert("aws:PrincipalOrgID", text(org)),
                // A named account's organization is unknown.
                None => context.insert("aws:PrincipalOrgID", ContextValue::Unknown),
            }
        } else {
            context.insert("aws:PrincipalIsAWSService", ContextValue::Bool(false));
        }
        let secret = subject.secret;
        context.insert("secretsmanager:SecretId", text(&secret.arn));
        context.insert(
            "aws:ResourceAccount",
            text(secret.account_id().unwrap_or(&self.owner)),
        );
        if let Some(primary) = secret.primary_region.as_deref().or(secret.region()) {
            context.insert("secretsmanager:SecretPrimaryRegion", text(primary));
        }
        for tag in &secret.tags {
            context.insert(&format!("aws:ResourceTag/{}", tag.key), text(&tag.value));
            context.insert(
                &format!("secretsmanager:ResourceTag/{}", tag.key),
                text(&tag.value),
            );
        }
        for key in keys {
            if context.get(key).is_some() {
                continue;
            }
            let lower = key.to_ascii_lowercase();
            // The secret's tags are all known: a tag it lacks is absent, not unknown.
            if lower.starts_with("aws:resourcetag/")
                || lower.starts_with("secretsmanager:resourcetag/")
            {
                continue;
            }
            // The anonymous caller has no account, ARN or organization.
            if probe.arn.is_none() && lower.starts_with("aws:principal") {
                continue;
            }
            context.insert(key, ContextValue::Unknown);
        }
        context
    }
}

/// One representative principal.
#[derive(Debug, Clone)]
pub(crate) struct Probe {
    kind: ProbeKind,
    principal: Principal,
    arn: Option<String>,
    account: Option<String>,
    org: Option<String>,
}

impl Probe {
    fn anonymous() -> Probe {
        Probe {
            kind: ProbeKind::Anonymous,
            principal: Principal::Anonymous,
            arn: None,
            account: None,
            org: None,
        }
    }
}

fn is_restricting(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    RESTRICTING_KEYS.contains(&lower.as_str())
}

/// Every condition key a policy reads.
fn condition_keys(policy: &Policy) -> BTreeSet<String> {
    policy
        .statements()
        .iter()
        .flat_map(|statement| statement.conditions.iter().map(|c| c.key.clone()))
        .collect()
}

fn rcp_levels(
    levels: &[Vec<crate::snapshot::OrganizationPolicy>],
) -> Result<Vec<Vec<NamedPolicy>>, String> {
    levels
        .iter()
        .map(|level| {
            level
                .iter()
                .map(|rcp| match parse(&rcp.document, PolicyKind::Rcp) {
                    Ok(policy) => Ok(NamedPolicy {
                        name: rcp.name.clone(),
                        policy,
                    }),
                    Err(message) => Err(format!("RCP `{}` cannot be read: {message}", rcp.name)),
                })
                .collect()
        })
        .collect()
}
