//! The account as the access analysis sees it, built once from a snapshot: every principal with
//! its compiled policy set (users: inline, attached and group policies and boundary; roles:
//! inline and attached policies and boundary; managed policies at their default version; SCP
//! levels), the principals of other accounts that resource policies name, and every secret with
//! the attributes a request about it carries (tags, region, stages, resource policy). RCP levels
//! apply to every request on the account's secrets.
//!
//! It compiles policies and records what it could not use (`diagnostics`); it evaluates nothing
//! and performs no I/O.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::AccessError;
use crate::eval::{NamedPolicy, PolicySet, Principal, PrincipalType};
use crate::policy::{Policy, PolicyKind, PrincipalPattern};
use crate::snapshot::{KeyPolicyState, NamedDocument, ResourcePolicyState, Snapshot};

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
    pub account_id: String,
    pub collected_at: DateTime<Utc>,
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
    /// RCP levels of the account (root first).
    pub rcps: Vec<Vec<NamedPolicy>>,
    /// What could not be used: unparsable documents, missing data. A non-empty list means the
    /// result may be incomplete.
    pub diagnostics: Vec<String>,
}

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

    fn levels(
        &mut self,
        levels: &[Vec<crate::snapshot::OrganizationPolicy>],
        kind: PolicyKind,
    ) -> Vec<Vec<NamedPolicy>> {
        levels
            .iter()
            .map(|level| {
                level
                    .iter()
                    .filter_map(|policy| self.compile(&policy.name, &policy.document, kind))
                    .collect()
            })
            .collect()
    }
}

fn tags_of(tags: &[crate::snapshot::Tag]) -> Vec<(String, String)> {
    tags.iter()
        .map(|tag| (tag.key.clone(), tag.value.clone()))
        .collect()
}

impl AccessModel {
    /// Builds the model from a loaded snapshot. Fails only when the snapshot has no IAM data.
    pub fn from_snapshot(snapshot: &Snapshot) -> Result<AccessModel, AccessError> {
        let iam = snapshot.iam.as_ref().ok_or(AccessError::NoIamData)?;
        Ok(Self::build(snapshot, iam))
    }

    /// The model of the snapshot's secrets, keys, resource policies and RCPs without the
    /// account's own principals: for questions about principals outside the account
    /// (`outsiders`), which need no IAM data.
    pub(crate) fn resources_of(snapshot: &Snapshot) -> AccessModel {
        Self::build(
            snapshot,
            &crate::snapshot::IamAuthorizationDetails::default(),
        )
    }

    fn build(snapshot: &Snapshot, iam: &crate::snapshot::IamAuthorizationDetails) -> AccessModel {
        let account_id = snapshot.meta.account_id.clone();
        let mut compiler = Compiler {
            cache: BTreeMap::new(),
            diagnostics: Vec::new(),
        };
        let organizations = snapshot.organizations.as_ref();
        let scps = organizations
            .map(|org| compiler.levels(&org.scps, PolicyKind::Scp))
            .unwrap_or_default();
        let rcps = organizations
            .map(|org| compiler.levels(&org.rcps, PolicyKind::Rcp))
            .unwrap_or_default();
        if organizations.is_none() {
            compiler.diagnostics.push(
                "organizations/policies.json is missing: no SCPs or RCPs are applied".to_owned(),
            );
        }

        let mut principals = Vec::new();
        for user in &iam.users {
            let documents = iam.user_documents(user);
            let set = principal_set(&mut compiler, &documents, &scps, &rcps, &user.arn);
            let Ok(caller) = Principal::parse(&user.arn) else {
                compiler
                    .diagnostics
                    .push(format!("user `{}` is skipped: not a user ARN", user.arn));
                continue;
            };
            principals.push(AnalysedPrincipal {
                arn: user.arn.clone(),
                name: user.user_name.clone(),
                kind: PrincipalKind::User,
                caller,
                set,
                facts: PrincipalFacts {
                    arn: Some(user.arn.clone()),
                    account: Some(account_id.clone()),
                    principal_type: Some("User"),
                    username: Some(user.user_name.clone()),
                    userid: user.user_id.clone(),
                    tags: Some(tags_of(&user.tags)),
                    in_account: true,
                    organization: None,
                },
            });
        }
        for role in &iam.roles {
            let documents = iam.role_documents(role);
            let set = principal_set(&mut compiler, &documents, &scps, &rcps, &role.arn);
            let Ok(caller) = Principal::parse(&role.arn) else {
                compiler
                    .diagnostics
                    .push(format!("role `{}` is skipped: not a role ARN", role.arn));
                continue;
            };
            principals.push(AnalysedPrincipal {
                arn: role.arn.clone(),
                name: role.role_name.clone(),
                kind: PrincipalKind::Role,
                caller,
                set,
                facts: PrincipalFacts {
                    arn: Some(role.arn.clone()),
                    account: Some(account_id.clone()),
                    principal_type: Some("AssumedRole"),
                    username: None,
                    userid: None,
                    tags: Some(tags_of(&role.tags)),
                    in_account: true,
                    organization: None,
                },
            });
        }

        // Secrets and their resource policies.
        let mut secrets = Vec::new();
        let mut resource_policies: Vec<NamedPolicy> = Vec::new();
        let mut policy_index: BTreeMap<String, usize> = BTreeMap::new();
        let mut not_collected: BTreeMap<String, usize> = BTreeMap::new();
        let mut keys: Vec<KeyFacts> = Vec::new();
        let mut lenient_policies: Vec<Option<NamedPolicy>> = Vec::new();
        let mut key_ids: BTreeMap<(String, String), usize> = BTreeMap::new();
        for (region, secret) in snapshot.secrets() {
            let data = snapshot.region(region);
            let resource_policy = match data.map(|d| d.resource_policy(&secret.arn)) {
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
                &mut compiler,
                &mut keys,
                &mut key_ids,
                region,
                secret,
                &account_id,
            ));
            let custom_stages = stages
                .into_iter()
                .filter(|stage| !super::actions::STANDARD_STAGES.contains(&stage.as_str()))
                .collect();
            secrets.push(SecretFacts {
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
            });
        }
        for (region, count) in not_collected {
            compiler.diagnostics.push(format!(
                "resource policies of {count} secret(s) in `{region}` were not collected: grants by resource policy are not shown for them"
            ));
        }
        secrets.sort_by(|a, b| a.arn.cmp(&b.arn));

        // Principals that resource policies name but the IAM data does not hold.
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
                        PrincipalPattern::Account(account) if *account != account_id => {
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
                    let same = account.as_deref() == Some(account_id.as_str());
                    let principal_scps: &[Vec<NamedPolicy>] = if same { &scps } else { &[] };
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

        AccessModel {
            account_id,
            collected_at: snapshot.meta.collected_at,
            organization_id: snapshot.meta.organization_id.clone(),
            principals,
            secrets,
            resource_policies,
            lenient_policies,
            keys,
            rcps,
            diagnostics: compiler.diagnostics,
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

fn principal_set(
    compiler: &mut Compiler,
    documents: &crate::snapshot::PrincipalDocuments<'_>,
    scps: &[Vec<NamedPolicy>],
    rcps: &[Vec<NamedPolicy>],
    arn: &str,
) -> PolicySet {
    for unresolved in &documents.unresolved {
        compiler.diagnostics.push(format!(
            "`{arn}`: managed policy `{unresolved}` is not in the snapshot's IAM data and is ignored"
        ));
    }
    let identity = documents
        .identity
        .iter()
        .filter_map(|NamedDocument { name, document }| {
            compiler.compile(name, document, PolicyKind::Identity)
        })
        .collect();
    let boundary = documents.boundary.as_ref().and_then(|boundary| {
        compiler.compile(&boundary.name, boundary.document, PolicyKind::Boundary)
    });
    PolicySet {
        identity,
        resource: None,
        boundary,
        session: None,
        scps: scps.to_vec(),
        rcps: rcps.to_vec(),
    }
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
    let kind = match &caller {
        Principal::Arn(parsed) => Some(parsed.kind()),
        Principal::Anonymous => None,
    };
    // An account principal (`…:root`) stands for any principal of that account.
    let known_arn = (arn != "*" && kind != Some(PrincipalType::Root)).then(|| arn.clone());
    let principal_type = match kind {
        Some(PrincipalType::User) => Some("User"),
        Some(PrincipalType::Role | PrincipalType::AssumedRole) if known_arn.is_some() => {
            Some("AssumedRole")
        }
        Some(PrincipalType::FederatedUser) => Some("FederatedUser"),
        _ => None,
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
        facts: PrincipalFacts {
            arn: known_arn,
            account,
            principal_type,
            username: None,
            userid: None,
            tags: None,
            in_account: false,
            organization: None,
        },
    }
}

/// The index of the key that encrypts `secret` in `keys`, added when new: its collected key
/// policy; for `aws/secretsmanager` without one, the documented policy; otherwise why there is
/// none.
fn key_index(
    snapshot: &Snapshot,
    compiler: &mut Compiler,
    keys: &mut Vec<KeyFacts>,
    key_ids: &mut BTreeMap<(String, String), usize>,
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
    let lookup = (region.to_owned(), arn.clone());
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
