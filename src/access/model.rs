//! The account (or the organization) as the access analysis sees it, built once from one
//! account snapshot or from every account snapshot of an organization directory
//! (`AccessModelBuilder`): every principal with its compiled policy set (users: inline, attached
//! and group policies and boundary; roles: inline and attached policies and boundary; managed
//! policies at their default version; its own account's SCP levels), the principals of accounts
//! not collected that resource policies name, and every secret with the attributes a request
//! about it carries (tags, region, stages, resource policy, key). A request on a secret or key
//! takes the RCP levels of the resource's account (`AccessModel::rcps_of`).
//!
//! It compiles policies and records what it could not use (`diagnostics`); it evaluates nothing
//! and performs no I/O.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::AccessError;
use crate::eval::{NamedPolicy, PolicySet, Principal, PrincipalType};
use crate::policy::{Policy, PolicyKind, PrincipalPattern};
use crate::snapshot::{
    Api, Concerns, KeyPolicyState, LoadProblem, NamedDocument, ResourcePolicyState, Snapshot,
};

/// The name the trace gives the identity policy that stands for "whatever the principal's own
/// account grants" (principals outside the snapshot).
pub const ASSUMED_IDENTITY_POLICY: &str = "assumed: the principal's own identity policies";

/// The account whose principals the snapshot does not hold (anyone: `*`).
const ANYONE_ACCOUNT: &str = "000000000000";

/// What kind of principal an entry of the analysis is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PrincipalKind {
    /// An IAM user of the account.
    User,
    /// An IAM role of the account (requests come from its sessions).
    Role,
    /// A principal the snapshot has no identity policies for: another account, a principal of
    /// this account that its IAM data does not list, or anyone (`*`). Allowed only if its own
    /// identity policies allow too.
    External,
}

/// What the analysis knows of a principal's own attributes (for `aws:Principal*` keys).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PrincipalFacts {
    /// `aws:PrincipalArn`; `None` = unknown (anyone).
    pub arn: Option<String>,
    /// `aws:PrincipalAccount`; `None` = unknown.
    pub account: Option<String>,
    /// `aws:PrincipalType`: `User` or `AssumedRole`; `None` = unknown.
    pub principal_type: Option<&'static str>,
    /// `aws:username` (users only).
    pub username: Option<String>,
    /// `aws:userid` when known (users: the unique id; role sessions add a session name).
    pub userid: Option<String>,
    /// The principal's tags; `None` = unknown.
    pub tags: Option<Vec<(String, String)>>,
    /// In the audited account's organization (known for the account's own principals).
    pub in_account: bool,
    /// `aws:PrincipalOrgID` of a principal outside the account when the question fixes it (an
    /// outsider of an organization a resource policy names, or of none: `outsiders`).
    pub organization: Option<String>,
}

impl PrincipalFacts {
    /// A caller about whom nothing is known (`*`: anyone outside the account).
    pub(crate) fn unknown() -> PrincipalFacts {
        PrincipalFacts {
            arn: None,
            account: None,
            principal_type: None,
            username: None,
            userid: None,
            tags: None,
            in_account: false,
            organization: None,
        }
    }

    /// The facts of a principal known only by its ARN (named by a resource policy, outside the
    /// collected IAM data): the keys AWS sets that the ARN determines, derived exactly as a
    /// policy test's `derive_context` derives them (`policytest::derive_principal_keys`, the one
    /// ARN -> keys mapping). An account principal (`…:root`) stands for any principal of its
    /// account: only `aws:PrincipalAccount` is known. Tags and organization are unknown.
    pub(crate) fn from_arn(caller: &Principal) -> PrincipalFacts {
        let mut facts = PrincipalFacts::unknown();
        let root = matches!(caller, Principal::Arn(arn) if arn.kind() == PrincipalType::Root);
        for (key, value) in crate::policytest::derive_principal_keys(caller) {
            match key {
                "aws:PrincipalAccount" => facts.account = Some(value),
                _ if root => {}
                "aws:PrincipalArn" => facts.arn = Some(value),
                "aws:PrincipalType" => {
                    facts.principal_type = match value.as_str() {
                        "User" => Some("User"),
                        "AssumedRole" => Some("AssumedRole"),
                        "FederatedUser" => Some("FederatedUser"),
                        "Anonymous" => Some(super::context::ANONYMOUS_TYPE),
                        _ => None,
                    }
                }
                "aws:username" => facts.username = Some(value),
                "aws:userid" => facts.userid = Some(value),
                _ => {}
            }
        }
        facts
    }
}

/// One principal of the analysis.
#[derive(Debug, Clone)]
pub struct AnalysedPrincipal {
    /// The ARN reported (`*` for anyone outside the account).
    pub arn: String,
    /// User or role name; the ARN for others.
    pub name: String,
    pub kind: PrincipalKind,
    pub(crate) caller: Principal,
    /// Identity, boundary, SCP and RCP layers; the resource policy is set per secret.
    pub(crate) set: PolicySet,
    pub(crate) facts: PrincipalFacts,
    /// Why its entries are undecidable (a policy of its own or of its account's SCPs could not
    /// be read): each entry is `Conditional` with these reasons.
    pub(crate) problems: Vec<String>,
}

/// A secret and what requests about it carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretFacts {
    pub arn: String,
    pub name: String,
    pub region: String,
    pub account: String,
    /// Tags in snapshot order.
    pub tags: Vec<(String, String)>,
    /// Stage labels other than `AWSCURRENT`/`AWSPREVIOUS`/`AWSPENDING`, sorted.
    pub custom_stages: Vec<String>,
    pub primary_region: Option<String>,
    pub rotation_lambda_arn: Option<String>,
    /// Index into `AccessModel::resource_policies`.
    pub resource_policy: Option<usize>,
    /// Index into `AccessModel::keys`: the KMS key that encrypts the value.
    pub key: Option<usize>,
    /// Bad records of the snapshot about this secret or its resource policy (`file: path:
    /// reason`): its policy stands in as allowing anyone, and every entry is `Conditional`.
    pub problems: Vec<String>,
}

/// The KMS key of some secrets, as the analysis judges `kms:Decrypt` / `kms:GenerateDataKey`
/// on it when Secrets Manager calls KMS for a caller.
#[derive(Debug, Clone)]
pub struct KeyFacts {
    /// The key ARN reported (`…:alias/aws/secretsmanager` when the AWS managed key of Secrets
    /// Manager could not be resolved to its key id).
    pub arn: String,
    /// The ARN requests are evaluated on (`…:key/…`).
    pub(crate) request_arn: String,
    pub region: String,
    pub account: String,
    /// Its aliases as `kms:ResourceAliases` holds them (`alias/aws/…` for AWS managed keys).
    pub aliases: Vec<String>,
    /// The key policy, or why the snapshot has none (then reads through this key are
    /// `Conditional`).
    pub(crate) policy: Result<NamedPolicy, String>,
    /// The policy is the documented one of `aws/secretsmanager`, not a collected one.
    pub documented: bool,
}

/// The alias of the AWS managed key of Secrets Manager.
const DEFAULT_KEY_ALIAS: &str = "alias/aws/secretsmanager";

/// The key policy AWS gives the AWS managed key `aws/secretsmanager` (its documented
/// behaviour): every principal of the account that Secrets Manager authorises may use the key
/// through Secrets Manager in the account; nobody else, and never directly.
fn default_key_policy(account: &str, region: &str) -> serde_json::Value {
    serde_json::json!({"Version": "2012-10-17", "Id": "auto-secretsmanager-2", "Statement": [
        {"Sid": "Allow access through AWS Secrets Manager for all principals in the account that are authorized to use AWS Secrets Manager",
         "Effect": "Allow", "Principal": {"AWS": "*"},
         "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:CreateGrant",
                    "kms:DescribeKey"],
         "Resource": "*",
         "Condition": {"StringEquals": {"kms:CallerAccount": account,
                                        "kms:ViaService": format!("secretsmanager.{region}.amazonaws.com")}}},
        {"Sid": "Allow access through AWS Secrets Manager for all principals in the account that are authorized to use AWS Secrets Manager",
         "Effect": "Allow", "Principal": {"AWS": "*"},
         "Action": "kms:GenerateDataKey*", "Resource": "*",
         "Condition": {"StringEquals": {"kms:CallerAccount": account},
                       "StringLike": {"kms:ViaService": "secretsmanager.*.amazonaws.com"}}},
        {"Sid": "Allow direct access to key metadata to the account", "Effect": "Allow",
         "Principal": {"AWS": format!("arn:aws:iam::{account}:root")},
         "Action": ["kms:Describe*", "kms:Get*", "kms:List*", "kms:RevokeGrant"],
         "Resource": "*"}]})
}

impl SecretFacts {
    /// The value the request context holds for tag `lower_key` (case-insensitive, the last tag
    /// of that key wins, as later context inserts replace earlier ones).
    pub(crate) fn tag_value(&self, lower_key: &str) -> Option<&str> {
        self.tags
            .iter()
            .rev()
            .find(|(key, _)| key.eq_ignore_ascii_case(lower_key))
            .map(|(_, value)| value.as_str())
    }
}

/// The account, ready for analysis.
#[derive(Debug, Clone)]
pub struct AccessModel {
    /// The (first) account snapshot's account.
    pub account_id: String,
    /// When it was collected (an organization: the latest of its accounts).
    pub collected_at: DateTime<Utc>,
    /// Every account snapshot of the analysis, in the order they were added; more than one for
    /// an organization directory.
    pub accounts: Vec<AccountSnapshot>,
    /// The organization id, when the snapshot tells it (`aws:PrincipalOrgID` of the account's
    /// own principals); `None` leaves that key unknown.
    pub organization_id: Option<String>,
    /// Sorted by ARN; `*` (anyone) first when present.
    pub principals: Vec<AnalysedPrincipal>,
    /// Sorted by ARN.
    pub secrets: Vec<SecretFacts>,
    /// Distinct resource policies, compiled.
    pub resource_policies: Vec<NamedPolicy>,
    /// The KMS keys of the secrets.
    pub keys: Vec<KeyFacts>,
    /// Per resource policy: the policy with every `Deny` + `NotPrincipal` statement that names
    /// principals but no account made inert (same statement indexes), when it has one. AWS
    /// "might deny access to the entire account" for such a statement, depending on the
    /// service (IAM User Guide): the principals it names are readers only conditionally.
    pub(crate) lenient_policies: Vec<Option<NamedPolicy>>,
    /// RCP levels of the account (root first). In an organization model, every account's
    /// levels one after the other: read for the keys and patterns they hold, never to decide
    /// (requests take their resource's account's levels, `rcps_of`).
    pub rcps: Vec<Vec<NamedPolicy>>,
    /// Per collected account, its RCP levels.
    pub(crate) account_rcps: BTreeMap<String, Vec<Vec<NamedPolicy>>>,
    /// Per account whose RCPs could not all be read, why: entries on its secrets are
    /// `Conditional` with these reasons.
    pub(crate) rcp_problems: BTreeMap<String, Vec<String>>,
    /// What could not be used: unparsable documents, missing data. A non-empty list means the
    /// result may be incomplete.
    pub diagnostics: Vec<String>,
}

#[derive(Debug)]
struct Compiler {
    cache: BTreeMap<(String, PolicyKind), Arc<Policy>>,
    diagnostics: Vec<String>,
}

impl Compiler {
    fn compile(
        &mut self,
        name: &str,
        document: &serde_json::Value,
        kind: PolicyKind,
    ) -> Option<NamedPolicy> {
        let text = document.to_string();
        let key = (text, kind);
        if let Some(policy) = self.cache.get(&key) {
            return Some(NamedPolicy {
                name: name.to_owned(),
                policy: Arc::clone(policy),
            });
        }
        match Policy::from_value(document, kind) {
            Ok(policy) => {
                let policy = Arc::new(policy);
                self.cache.insert(key, Arc::clone(&policy));
                Some(NamedPolicy {
                    name: name.to_owned(),
                    policy,
                })
            }
            Err(error) => {
                self.diagnostics
                    .push(format!("policy `{name}` is ignored: {error}"));
                None
            }
        }
    }

    /// `document` compiled, or when it cannot be: a stand-in that allows everything (what the
    /// unreadable policy grants or denies is unknown), with a reason in `unreadable`. Entries
    /// that rest on a stand-in are made `Conditional` with that reason.
    fn compile_or_stand_in(
        &mut self,
        name: &str,
        document: &serde_json::Value,
        kind: PolicyKind,
        unreadable: &mut Vec<String>,
    ) -> Option<NamedPolicy> {
        if let Some(policy) = self.compile(name, document, kind) {
            return Some(policy);
        }
        unreadable.push(format!(
            "policy `{name}` cannot be read: what it allows or denies is unknown"
        ));
        let principal = match kind {
            PolicyKind::Identity | PolicyKind::Boundary | PolicyKind::Scp => None,
            _ => Some(serde_json::json!("*")),
        };
        let mut statement = serde_json::json!({"Sid": "UnreadablePolicyStandIn",
            "Effect": "Allow", "Action": "*", "Resource": "*"});
        if let Some(principal) = principal {
            statement["Principal"] = principal;
        }
        let stand_in = serde_json::json!({"Version": "2012-10-17", "Statement": [statement]});
        self.compile(&format!("unreadable: {name}"), &stand_in, kind)
    }

    /// SCP or RCP levels; a policy that cannot be read stands in as allowing everything and
    /// its reason goes to `unreadable`.
    fn levels(
        &mut self,
        levels: &[Vec<crate::snapshot::OrganizationPolicy>],
        kind: PolicyKind,
        unreadable: &mut Vec<String>,
    ) -> Vec<Vec<NamedPolicy>> {
        levels
            .iter()
            .map(|level| {
                level
                    .iter()
                    .filter_map(|policy| {
                        self.compile_or_stand_in(&policy.name, &policy.document, kind, unreadable)
                    })
                    .collect()
            })
            .collect()
    }
}

/// The loader's problems (`file: path: reason`) about the records `ids` name.
fn problems_about(problems: &[LoadProblem], ids: &[&str]) -> Vec<String> {
    problems
        .iter()
        .filter(|problem| match &problem.concerns {
            Concerns::Record { id, .. } => ids.contains(&id.as_str()),
            _ => false,
        })
        .map(|problem| format!("bad record {problem}"))
        .collect()
}

fn tags_of(tags: &[crate::snapshot::Tag]) -> Vec<(String, String)> {
    tags.iter()
        .map(|tag| (tag.key.clone(), tag.value.clone()))
        .collect()
}

/// One account snapshot of the analysis, as the report's `accounts` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSnapshot {
    pub account_id: String,
    pub collected_at: DateTime<Utc>,
    /// The regions its snapshot covers.
    pub regions: Vec<String>,
}

/// Builds an `AccessModel` from one account snapshot or from every account snapshot of an
/// organization directory, one snapshot at a time (so that only one is in memory at once).
///
/// Each account's principals get that account's SCP levels; each secret and key is judged with
/// its own account's RCP levels (`AccessModel::rcps_of`). An account whose IAM data is present
/// is "collected": its principals are analysed one by one and a resource policy that names the
/// account (`…:root`, or the bare id) gets no account-level entry. Accounts named by resource
/// policies but not collected stay external principals, allowed only if their own account
/// allows.
#[derive(Debug)]
pub struct AccessModelBuilder {
    compiler: Compiler,
    accounts: Vec<AccountSnapshot>,
    organization_ids: BTreeSet<String>,
    /// Accounts whose IAM data was loaded: their principals are in `principals`.
    with_iam: BTreeSet<String>,
    account_scps: BTreeMap<String, Vec<Vec<NamedPolicy>>>,
    account_rcps: BTreeMap<String, Vec<Vec<NamedPolicy>>>,
    rcp_problems: BTreeMap<String, Vec<String>>,
    principals: Vec<AnalysedPrincipal>,
    secrets: Vec<SecretFacts>,
    resource_policies: Vec<NamedPolicy>,
    lenient_policies: Vec<Option<NamedPolicy>>,
    policy_index: BTreeMap<String, usize>,
    keys: Vec<KeyFacts>,
    key_ids: BTreeMap<(String, String, String), usize>,
    /// Per account added, the diagnostics its snapshot produced.
    account_diagnostics: Vec<(String, Vec<String>)>,
}

impl Default for AccessModelBuilder {
    fn default() -> Self {
        AccessModelBuilder::new()
    }
}

impl AccessModelBuilder {
    pub fn new() -> AccessModelBuilder {
        AccessModelBuilder {
            compiler: Compiler {
                cache: BTreeMap::new(),
                diagnostics: Vec::new(),
            },
            accounts: Vec::new(),
            organization_ids: BTreeSet::new(),
            with_iam: BTreeSet::new(),
            account_scps: BTreeMap::new(),
            account_rcps: BTreeMap::new(),
            rcp_problems: BTreeMap::new(),
            principals: Vec::new(),
            secrets: Vec::new(),
            resource_policies: Vec::new(),
            lenient_policies: Vec::new(),
            policy_index: BTreeMap::new(),
            keys: Vec::new(),
            key_ids: BTreeMap::new(),
            account_diagnostics: Vec::new(),
        }
    }

    /// Adds one account snapshot: its principals (when it has IAM data; otherwise a diagnostic
    /// says its principals are not analysed), its secrets and their keys.
    pub fn add(&mut self, snapshot: &Snapshot) {
        self.add_account(snapshot, true);
    }

    /// `add`, with the account's own principals only when `with_principals`.
    fn add_account(&mut self, snapshot: &Snapshot, with_principals: bool) {
        let account_id = snapshot.meta.account_id.clone();
        let compiler = &mut self.compiler;
        let first_diagnostic = compiler.diagnostics.len();
        for problem in &snapshot.problems {
            compiler.diagnostics.push(format!("bad record: {problem}"));
        }
        self.accounts.push(AccountSnapshot {
            account_id: account_id.clone(),
            collected_at: snapshot.meta.collected_at,
            regions: snapshot.regions.keys().cloned().collect(),
        });
        if let Some(org) = &snapshot.meta.organization_id {
            self.organization_ids.insert(org.clone());
        }
        let organizations = snapshot.organizations.as_ref();
        let mut scp_problems = Vec::new();
        let mut rcp_problems = Vec::new();
        let scps = organizations
            .map(|org| compiler.levels(&org.scps, PolicyKind::Scp, &mut scp_problems))
            .unwrap_or_default();
        let rcps = organizations
            .map(|org| compiler.levels(&org.rcps, PolicyKind::Rcp, &mut rcp_problems))
            .unwrap_or_default();
        let organization_problems = |unreadable: &[String]| -> Vec<String> {
            let mut out: Vec<String> = unreadable
                .iter()
                .map(|reason| format!("an SCP or RCP of account {account_id}: {reason}"))
                .collect();
            if !unreadable.is_empty() {
                out.extend(
                    snapshot
                        .problems
                        .iter()
                        .filter(|p| p.api == Api::OrganizationsPolicies)
                        .map(|p| format!("bad record {p}")),
                );
            }
            out
        };
        let scp_problems = organization_problems(&scp_problems);
        let rcp_problems = organization_problems(&rcp_problems);
        if organizations.is_none() {
            compiler.diagnostics.push(
                "organizations/policies.json is missing: no SCPs or RCPs are applied".to_owned(),
            );
        }

        let principals = &mut self.principals;
        match snapshot.iam.as_ref().filter(|_| with_principals) {
            None => compiler.diagnostics.push(format!(
                "{}; its principals are not analysed (a resource policy naming the account shows it as external)",
                AccessError::NoIamData
            )),
            Some(iam) => {
                self.with_iam.insert(account_id.clone());
                for user in &iam.users {
                    let documents = iam.user_documents(user);
                    let (set, mut problems) = principal_set(
                        compiler,
                        &documents,
                        &scps,
                        &rcps,
                        &user.arn,
                        &snapshot.problems,
                    );
                    problems.extend(scp_problems.iter().cloned());
                    let Ok(caller) = Principal::parse(&user.arn) else {
                        compiler
                            .diagnostics
                            .push(format!("user `{}` is skipped: not a user ARN", user.arn));
                        continue;
                    };
                // The keys its ARN determines, with what the IAM data adds.
                let facts = PrincipalFacts {
                        account: Some(account_id.clone()),
                        username: Some(user.user_name.clone()),
                        userid: user.user_id.clone(),
                        tags: Some(tags_of(&user.tags)),
                        in_account: true,
                        ..PrincipalFacts::from_arn(&caller)
                    };
                    principals.push(AnalysedPrincipal {
                        arn: user.arn.clone(),
                        name: user.user_name.clone(),
                        kind: PrincipalKind::User,
                        caller,
                        set,
                        facts,
                        problems,
                    });
                }
                for role in &iam.roles {
                    let documents = iam.role_documents(role);
                    let (set, mut problems) = principal_set(
                        compiler,
                        &documents,
                        &scps,
                        &rcps,
                        &role.arn,
                        &snapshot.problems,
                    );
                    problems.extend(scp_problems.iter().cloned());
                    let Ok(caller) = Principal::parse(&role.arn) else {
                        compiler
                            .diagnostics
                            .push(format!("role `{}` is skipped: not a role ARN", role.arn));
                        continue;
                    };
                let facts = PrincipalFacts {
                        account: Some(account_id.clone()),
                        tags: Some(tags_of(&role.tags)),
                        in_account: true,
                        ..PrincipalFacts::from_arn(&caller)
                    };
                    principals.push(AnalysedPrincipal {
                        arn: role.arn.clone(),
                        name: role.role_name.clone(),
                        kind: PrincipalKind::Role,
                        caller,
                        set,
                        facts,
                        problems,
                    });
                }
            }
        }

        // Secrets and their resource policies.
        let resource_policies = &mut self.resource_policies;
        let lenient_policies = &mut self.lenient_policies;
        let policy_index = &mut self.policy_index;
        let mut not_collected: BTreeMap<String, usize> = BTreeMap::new();
        for (region, secret) in snapshot.secrets() {
            let data = snapshot.region(region);
            let mut problems: Vec<String> = snapshot
                .problems
                .iter()
                .filter(|p| {
                    matches!(&p.concerns, Concerns::Secret { arn } if *arn == secret.arn)
                        && matches!(
                            p.api,
                            Api::ListSecrets
                                | Api::DescribeSecret
                                | Api::ListSecretVersionIds
                                | Api::GetResourcePolicy
                        )
                })
                .map(|p| format!("bad record {p}"))
                .collect();
            let resource_policy = match data.map(|d| d.resource_policy(&secret.arn)) {
                _ if !problems.is_empty() => None,
                Some(ResourcePolicyState::Policy(document)) => {
                    let text = document.to_string();
                    match policy_index.get(&text) {
                        Some(index) => Some(*index),
                        None => {
                            let name = format!("resource policy of `{}`", secret.name);
                            match compiler.compile(&name, document, PolicyKind::Resource) {
                                Some(policy) => {
                                    resource_policies.push(NamedPolicy {
                                        name: "resource-policy".to_owned(),
                                        policy: policy.policy,
                                    });
                                    lenient_policies.push(
                                        without_bare_not_principal(document).and_then(|lenient| {
                                            compiler
                                                .compile(&name, &lenient, PolicyKind::Resource)
                                                .map(|policy| NamedPolicy {
                                                    name: "resource-policy".to_owned(),
                                                    policy: policy.policy,
                                                })
                                        }),
                                    );
                                    let index = resource_policies.len() - 1;
                                    policy_index.insert(text, index);
                                    Some(index)
                                }
                                None => None,
                            }
                        }
                    }
                }
                Some(ResourcePolicyState::NoPolicy) => None,
                _ => {
                    *not_collected.entry(region.to_owned()).or_default() += 1;
                    None
                }
            };
            let unreadable_policy = problems.is_empty()
                && resource_policy.is_none()
                && matches!(
                    data.map(|d| d.resource_policy(&secret.arn)),
                    Some(ResourcePolicyState::Policy(_))
                );
            if unreadable_policy {
                problems.push("its resource policy cannot be read".to_owned());
            }
            let resource_policy = if problems.is_empty() {
                resource_policy
            } else {
                // What the secret's record or policy allows is unknown: anyone may be allowed.
                // The stand-in names the secret so that no other secret shares its class.
                let stand_in = serde_json::json!({"Version": "2012-10-17", "Statement": [
                    {"Sid": format!("UnreadableStandIn:{}", secret.arn), "Effect": "Allow",
                     "Principal": "*", "Action": "*", "Resource": "*"}]});
                compiler
                    .compile(
                        "unreadable resource policy",
                        &stand_in,
                        PolicyKind::Resource,
                    )
                    .map(|policy| {
                        resource_policies.push(NamedPolicy {
                            name: "resource-policy (unreadable)".to_owned(),
                            policy: policy.policy,
                        });
                        lenient_policies.push(None);
                        resource_policies.len() - 1
                    })
            };
            let mut stages: BTreeSet<String> = secret
                .version_ids_to_stages
                .values()
                .flatten()
                .cloned()
                .collect();
            if let Some(versions) = data.and_then(|d| d.versions_of(&secret.arn)) {
                stages.extend(
                    versions
                        .iter()
                        .flat_map(|v| v.version_stages.iter().cloned()),
                );
            }
            let key = Some(key_index(
                snapshot,
                compiler,
                &mut self.keys,
                &mut self.key_ids,
                region,
                secret,
                &account_id,
            ));
            let custom_stages = stages
                .into_iter()
                .filter(|stage| !super::actions::STANDARD_STAGES.contains(&stage.as_str()))
                .collect();
            self.secrets.push(SecretFacts {
                arn: secret.arn.clone(),
                name: secret.name.clone(),
                region: secret.region().unwrap_or(region).to_owned(),
                account: secret.account_id().unwrap_or(&account_id).to_owned(),
                tags: tags_of(&secret.tags),
                custom_stages,
                primary_region: secret.primary_region.clone(),
                rotation_lambda_arn: secret.rotation_lambda_arn.clone(),
                resource_policy,
                key,
                problems,
            });
        }
        for (region, count) in not_collected {
            compiler.diagnostics.push(format!(
                "resource policies of {count} secret(s) in `{region}` were not collected: grants by resource policy are not shown for them"
            ));
        }
        self.account_scps.insert(account_id.clone(), scps);
        self.account_rcps.insert(account_id.clone(), rcps);
        if !rcp_problems.is_empty() {
            self.rcp_problems.insert(account_id.clone(), rcp_problems);
        }
        let added = compiler.diagnostics.split_off(first_diagnostic);
        self.account_diagnostics.push((account_id, added));
    }

    /// The model: the principals resource policies name that no collected account holds are
    /// added as external principals, everything sorted.
    pub fn finish(self) -> AccessModel {
        let AccessModelBuilder {
            mut compiler,
            accounts,
            organization_ids,
            with_iam,
            account_scps,
            account_rcps,
            rcp_problems,
            mut principals,
            mut secrets,
            resource_policies,
            lenient_policies,
            keys,
            account_diagnostics,
            ..
        } = self;
        let organization = accounts.len() > 1;
        let account_id = accounts
            .first()
            .map(|a| a.account_id.clone())
            .unwrap_or_default();
        let collected_at = accounts
            .iter()
            .map(|a| a.collected_at)
            .max()
            .unwrap_or_default();
        // One account: its own diagnostics as they were; several: each names its account.
        let mut diagnostics = Vec::new();
        for (account, list) in account_diagnostics {
            diagnostics.extend(list.into_iter().map(|d| {
                if organization {
                    format!("account {account}: {d}")
                } else {
                    d
                }
            }));
        }
        let organization_id = match organization_ids.len() {
            0 | 1 => organization_ids.into_iter().next(),
            _ => {
                diagnostics.push(format!(
                    "the account snapshots name {} organizations: `aws:PrincipalOrgID` and `aws:ResourceOrgID` are left unknown",
                    organization_ids.len()
                ));
                None
            }
        };
        // One account: its RCP levels. Several: every account's levels one after the other,
        // which the analysis reads only for the keys and patterns they hold; each request is
        // decided with its resource's account's levels (`rcps_of`).
        let rcps: Vec<Vec<NamedPolicy>> = if organization {
            account_rcps.values().flatten().cloned().collect()
        } else {
            account_rcps.values().next().cloned().unwrap_or_default()
        };
        if organization {
            for principal in &mut principals {
                principal.set.rcps.clone_from(&rcps);
            }
        }
        secrets.sort_by(|a, b| a.arn.cmp(&b.arn));

        // Principals that resource policies name but no collected IAM data holds.
        let known: BTreeSet<String> = principals.iter().map(|p| p.arn.clone()).collect();
        let mut named: BTreeSet<String> = BTreeSet::new();
        let mut anyone = false;
        for policy in &resource_policies {
            for statement in policy.policy.statements() {
                let Some(clause) = &statement.principals else {
                    continue;
                };
                if clause.negated || statement.effect != crate::policy::Effect::Allow {
                    continue;
                }
                for item in &clause.items {
                    match item {
                        PrincipalPattern::Everyone => anyone = true,
                        PrincipalPattern::Account(account) if !with_iam.contains(account) => {
                            named.insert(format!("arn:aws:iam::{account}:root"));
                        }
                        PrincipalPattern::Arn(arn) if !known.contains(arn) => {
                            named.insert(arn.clone());
                        }
                        _ => {}
                    }
                }
            }
        }
        if anyone {
            let arn = format!("arn:aws:iam::{ANYONE_ACCOUNT}:role/anyone");
            if let Ok(caller) = Principal::parse(&arn) {
                principals.push(external(
                    "*".to_owned(),
                    caller,
                    None,
                    &mut compiler,
                    &[],
                    &rcps,
                ));
            }
        }
        for arn in named {
            match Principal::parse(&arn) {
                Ok(caller) => {
                    let account = caller.account().map(str::to_owned);
                    // A principal of a collected account that its IAM data does not list (or
                    // that has no IAM data): that account's SCPs still apply to it.
                    let principal_scps: &[Vec<NamedPolicy>] = account
                        .as_deref()
                        .and_then(|a| account_scps.get(a))
                        .map_or(&[], Vec::as_slice);
                    principals.push(external(
                        arn,
                        caller,
                        account,
                        &mut compiler,
                        principal_scps,
                        &rcps,
                    ));
                }
                Err(error) => compiler.diagnostics.push(format!(
                    "principal `{arn}` of a resource policy is skipped: {error}"
                )),
            }
        }
        principals.sort_by(|a, b| a.arn.cmp(&b.arn));
        diagnostics.extend(compiler.diagnostics);

        AccessModel {
            account_id,
            collected_at,
            organization_id,
            accounts,
            principals,
            secrets,
            resource_policies,
            lenient_policies,
            keys,
            rcps,
            account_rcps,
            rcp_problems,
            diagnostics,
        }
    }
}

impl AccessModel {
    /// Builds the model from a loaded snapshot. Fails only when the snapshot has no IAM data.
    pub fn from_snapshot(snapshot: &Snapshot) -> Result<AccessModel, AccessError> {
        if snapshot.iam.is_none() {
            return Err(AccessError::NoIamData);
        }
        let mut builder = AccessModelBuilder::new();
        builder.add(snapshot);
        Ok(builder.finish())
    }

    /// The model of the snapshot's secrets, keys, resource policies and RCPs without the
    /// account's own principals: what questions about principals outside the account
    /// (`outsiders`) need. The rules ask them of the full model they share
    /// (`rules::context::SharedAccess`); the tests prove both answer alike.
    #[cfg(test)]
    pub(crate) fn resources_of(snapshot: &Snapshot) -> AccessModel {
        let mut builder = AccessModelBuilder::new();
        builder.add_account(snapshot, false);
        builder.finish()
    }

    /// Whether the model holds several account snapshots (an organization directory).
    pub fn is_organization(&self) -> bool {
        self.accounts.len() > 1
    }

    /// Why an entry of `principal` on `secret` cannot be decided from the snapshot (bad records
    /// of either side, unreadable SCPs or RCPs), empty when it can.
    pub(crate) fn undecidable(
        &self,
        principal: &AnalysedPrincipal,
        secret: &SecretFacts,
    ) -> Vec<String> {
        let mut out = principal.problems.clone();
        out.extend(secret.problems.iter().cloned());
        if let Some(problems) = self.rcp_problems.get(&secret.account) {
            out.extend(problems.iter().cloned());
        }
        out
    }

    /// The RCP levels that apply to requests on a resource of `account` (none for an account
    /// that was not collected; a single-account model applies its levels to every resource).
    pub(crate) fn rcps_of(&self, account: &str) -> &[Vec<NamedPolicy>] {
        match self.account_rcps.get(account) {
            Some(levels) => levels,
            None if !self.is_organization() => &self.rcps,
            None => &[],
        }
    }
    /// The index of the principal with this ARN (or `*`).
    pub fn principal_index(&self, arn: &str) -> Option<usize> {
        self.principals
            .binary_search_by(|p| p.arn.as_str().cmp(arn))
            .ok()
    }

    /// The index of the secret with this ARN.
    pub fn secret_index(&self, arn: &str) -> Option<usize> {
        self.secrets
            .binary_search_by(|s| s.arn.as_str().cmp(arn))
            .ok()
    }
}

/// The policy set of a user or role, and why its entries are undecidable (a policy that cannot
/// be read stands in as allowing everything; the reasons name the loader's bad records).
fn principal_set(
    compiler: &mut Compiler,
    documents: &crate::snapshot::PrincipalDocuments<'_>,
    scps: &[Vec<NamedPolicy>],
    rcps: &[Vec<NamedPolicy>],
    arn: &str,
    problems: &[LoadProblem],
) -> (PolicySet, Vec<String>) {
    for unresolved in &documents.unresolved {
        compiler.diagnostics.push(format!(
            "`{arn}`: managed policy `{unresolved}` is not in the snapshot's IAM data and is ignored"
        ));
    }
    let mut unreadable = Vec::new();
    let mut owners: Vec<&str> = vec![arn];
    let identity = documents
        .identity
        .iter()
        .filter_map(|NamedDocument { name, document }| {
            let before = unreadable.len();
            let policy =
                compiler.compile_or_stand_in(name, document, PolicyKind::Identity, &mut unreadable);
            if unreadable.len() > before {
                owners.push(name);
            }
            policy
        })
        .collect();
    let boundary = documents.boundary.as_ref().and_then(|boundary| {
        compiler.compile_or_stand_in(
            &boundary.name,
            boundary.document,
            PolicyKind::Boundary,
            &mut unreadable,
        )
    });
    if let Some(boundary) = documents.boundary.as_ref() {
        owners.push(&boundary.name);
    }
    if !unreadable.is_empty() {
        let about = problems_about(problems, &owners);
        // An inline policy of a group names the group, not the principal.
        let groups = problems.iter().filter(|problem| {
            matches!(&problem.concerns, Concerns::Record { resource_type, id }
            if resource_type == "AWS::IAM::Group"
                && documents.identity.iter().any(|d| {
                    d.name.strip_prefix("group/").and_then(|rest| rest.split('/').next())
                        .is_some_and(|group| id.ends_with(&format!("/{group}")))
                }))
        });
        unreadable.extend(about);
        unreadable.extend(groups.map(|problem| format!("bad record {problem}")));
    }
    (
        PolicySet {
            identity,
            resource: None,
            boundary,
            session: None,
            scps: scps.to_vec(),
            rcps: rcps.to_vec(),
        },
        unreadable,
    )
}

fn external(
    arn: String,
    caller: Principal,
    account: Option<String>,
    compiler: &mut Compiler,
    scps: &[Vec<NamedPolicy>],
    rcps: &[Vec<NamedPolicy>],
) -> AnalysedPrincipal {
    let allow_all = serde_json::json!({"Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]});
    let identity = compiler
        .compile(ASSUMED_IDENTITY_POLICY, &allow_all, PolicyKind::Identity)
        .into_iter()
        .collect();
    // `*` stands for anyone: nothing about the caller is known.
    let facts = if arn == "*" {
        PrincipalFacts::unknown()
    } else {
        PrincipalFacts {
            account,
            ..PrincipalFacts::from_arn(&caller)
        }
    };
    AnalysedPrincipal {
        name: arn.clone(),
        arn,
        kind: PrincipalKind::External,
        caller,
        set: PolicySet {
            identity,
            resource: None,
            boundary: None,
            session: None,
            scps: scps.to_vec(),
            rcps: rcps.to_vec(),
        },
        facts,
        problems: Vec::new(),
    }
}

/// The index of the key that encrypts `secret` in `keys`, added when new: its collected key
/// policy; for `aws/secretsmanager` without one, the documented policy; otherwise why there is
/// none.
fn key_index(
    snapshot: &Snapshot,
    compiler: &mut Compiler,
    keys: &mut Vec<KeyFacts>,
    key_ids: &mut BTreeMap<(String, String, String), usize>,
    region: &str,
    secret: &crate::snapshot::Secret,
    account_id: &str,
) -> usize {
    let reference = secret
        .kms_key_id
        .as_deref()
        .filter(|r| !r.is_empty())
        .unwrap_or(DEFAULT_KEY_ALIAS);
    let default =
        reference == DEFAULT_KEY_ALIAS || reference.ends_with(":alias/aws/secretsmanager");
    let state = snapshot.secret_key_policy(region, secret);
    let (arn, document, reason) = match state {
        KeyPolicyState::Collected { key_arn, document } => (key_arn, Some(document), None),
        KeyPolicyState::NotCollected { key, reason } => (key, None, Some(reason)),
    };
    let lookup = (account_id.to_owned(), region.to_owned(), arn.clone());
    if let Some(index) = key_ids.get(&lookup) {
        return *index;
    }
    let partition = snapshot.meta.partition.as_str();
    let key_account = crate::arn::account_of(&arn)
        .filter(|a| !a.is_empty())
        .unwrap_or(account_id)
        .to_owned();
    let data = snapshot.region(region);
    let metadata = data.and_then(|d| d.resolve_kms_key(&arn));
    let mut aliases: Vec<String> = data
        .and_then(|d| d.kms_aliases.as_deref())
        .unwrap_or_default()
        .iter()
        .filter(|alias| {
            alias.target_key_id.as_deref().is_some_and(|target| {
                metadata.is_some_and(|m| m.key_id == target || m.arn.as_deref() == Some(target))
                    || arn.ends_with(&format!("key/{target}"))
                    || arn == target
            })
        })
        .map(|alias| alias.alias_name.clone())
        .collect();
    if default && !aliases.iter().any(|a| a == DEFAULT_KEY_ALIAS) {
        aliases.push(DEFAULT_KEY_ALIAS.to_owned());
    }
    aliases.sort();
    aliases.dedup();
    let request_arn = if arn.contains(":key/") {
        arn.clone()
    } else {
        format!("arn:{partition}:kms:{region}:{key_account}:key/aws-secretsmanager")
    };
    let reported = if arn.starts_with("arn:") {
        arn.clone()
    } else {
        format!("arn:{partition}:kms:{region}:{key_account}:{arn}")
    };
    let mut documented = false;
    let policy = match (document, reason) {
        (Some(document), _) => compiler
            .compile(&reported, document, PolicyKind::Resource)
            .ok_or_else(|| format!("key policy of {reported} does not parse")),
        (None, _) if default => {
            documented = true;
            let document = default_key_policy(&key_account, region);
            compiler
                .compile(&reported, &document, PolicyKind::Resource)
                .ok_or_else(|| format!("key policy of {reported} not collected"))
        }
        (None, Some(reason)) => Err(format!("key policy of {reported} not collected ({reason})")),
        (None, None) => Err(format!("key policy of {reported} not collected")),
    };
    keys.push(KeyFacts {
        arn: reported,
        request_arn,
        region: region.to_owned(),
        account: key_account,
        aliases,
        policy,
        documented,
    });
    key_ids.insert(lookup, keys.len() - 1);
    keys.len() - 1
}

/// Whether a `NotPrincipal` value names an account (`111122223333` or `arn:…:iam::A:root`).
fn names_account(value: &serde_json::Value) -> bool {
    let one = |text: &str| {
        (text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())) || text.ends_with(":root")
    };
    match value {
        serde_json::Value::String(text) => one(text),
        serde_json::Value::Array(items) => items.iter().any(names_account),
        serde_json::Value::Object(map) => map.values().any(names_account),
        _ => false,
    }
}

/// `document` with its `Deny` + `NotPrincipal` statements that name no account replaced by a
/// statement that never applies (indexes kept), or `None` when it has none.
fn without_bare_not_principal(document: &serde_json::Value) -> Option<serde_json::Value> {
    let mut lenient = document.clone();
    let statements = match lenient.get_mut("Statement")? {
        serde_json::Value::Array(items) => items,
        _ => return None,
    };
    let mut changed = false;
    for statement in statements.iter_mut() {
        let bare = statement.get("Effect").and_then(|e| e.as_str()) == Some("Deny")
            && statement
                .get("NotPrincipal")
                .is_some_and(|value| !names_account(value));
        if bare {
            let sid = statement.get("Sid").cloned();
            let mut inert = serde_json::json!({"Effect": "Deny", "Principal": "*",
                "Action": "secaudit:NeverCalled", "Resource": "*"});
            if let Some(sid) = sid {
                inert["Sid"] = sid;
            }
            *statement = inert;
            changed = true;
        }
    }
    changed.then_some(lenient)
}
