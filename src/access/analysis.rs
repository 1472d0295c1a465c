//! Who can access each secret: every (principal, secret, action) of the account decided with
//! the evaluator, one evaluation per secret class (see `classes`), principals spread over
//! threads (`std::thread::scope`). The result is stored compactly (per atom of secrets, the
//! principals with a grant and their per-action outcome) and read back per secret, sorted by
//! principal then action.
//!
//! It owns the meaning of an entry: `Allowed` (certain), `Conditional` (allowed for some values
//! of keys the snapshot cannot settle, or only if a principal outside the snapshot is allowed
//! by its own account), `via` (the identity side, the resource side or both granted), and for
//! `GetSecretValue` the stages whose outcome differs from `AWSCURRENT`'s.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};

use super::classes::{
    self, Atoms, IdMap, KeyedStatement, PatternIndex, PrincipalView, SecretKey, SecretKeys,
    TagCondition,
};
use super::context::{
    ClassContext, KeySide, PrincipalContext, RequestFacts, TagContext, action_context,
    build_context, key_side,
};
use super::keys;
use super::model::{AccessModel, AnalysedPrincipal, PrincipalKind, SecretFacts};
use super::{AccessError, actions};
use crate::arn::wildcard::{self, Case, Colons, Piece};
use crate::eval::partial::{condition_outcome, principal_element};
use crate::eval::{self, Decision, Evaluation, Layer, NamedPolicy, PolicySet, Request};
use crate::policy::{Condition, Effect, ResourcePattern};

/// What to analyse.
#[derive(Debug, Clone, Default)]
pub struct AccessQuery {
    /// Actions (`service:Action`); empty means `actions::DEFAULT_ACTIONS`.
    pub actions: Vec<String>,
    /// Glob (`*`, `?`) on the principal's ARN or name.
    pub principal: Option<String>,
    /// Glob on the secret's ARN or name.
    pub secret: Option<String>,
    /// Worker threads; 0 = the machine's parallelism.
    pub threads: usize,
}

/// `Allowed` or `Conditional`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GrantDecision {
    Allowed,
    Conditional,
}

impl GrantDecision {
    pub fn as_str(self) -> &'static str {
        match self {
            GrantDecision::Allowed => "Allowed",
            GrantDecision::Conditional => "Conditional",
        }
    }
}

/// Which side granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Via {
    Identity,
    Resource,
    Both,
}

impl Via {
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Identity => "identity",
            Via::Resource => "resource",
            Via::Both => "both",
        }
    }
}

/// One entry: a principal may perform an action on a secret.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Grant {
    pub decision: GrantDecision,
    pub via: Via,
    /// Keys the snapshot cannot settle that could change the outcome, sorted.
    pub conditions: Vec<String>,
    /// `GetSecretValue` only: stages whose outcome differs from `AWSCURRENT`'s.
    pub stages_differ: Vec<String>,
    /// The principal is outside the snapshot: allowed only if its own account allows it too.
    pub external: bool,
    /// Value actions: the KMS key whose permission the read or write also needs.
    pub key: Option<KeyVerdict>,
    /// The statements that allowed it, secret side then key side.
    pub why: Vec<Why>,
    /// Why it is `Conditional`, in words.
    pub reasons: Vec<String>,
}

/// The key of a value action's entry: its ARN and whether its permission was judged (`false`
/// when the snapshot has no key policy for it: the entry is then `Conditional`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyVerdict {
    pub arn: String,
    pub judged: bool,
}

/// A statement that allowed an entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Why {
    /// `identity` (the caller's policies), `resource` (the secret's policy) or `key` (the
    /// evaluation of the KMS permission: key policy and the caller's policies).
    pub side: &'static str,
    /// The layer of the policy: `identity` or `resource` (a secret's or a key's policy); the
    /// layers that only limit (SCPs, RCPs, boundary, session policy) are not listed.
    pub kind: Layer,
    /// Policy name or ARN (`resource-policy` for the secret's own policy, the key ARN for a
    /// key policy).
    pub policy: String,
    /// Zero-based statement index.
    pub statement: usize,
    pub sid: Option<String>,
}

/// The statements of a KMS evaluation that allowed it.
pub(crate) fn why_of_key(evaluation: &Evaluation) -> Vec<Why> {
    why_of(evaluation, true)
}

fn why_of(evaluation: &Evaluation, key: bool) -> Vec<Why> {
    // Only the layers that grant: SCP, RCP, boundary and session allows are limits.
    evaluation
        .allowed_by
        .iter()
        .filter(|reference| matches!(reference.layer, Layer::Identity | Layer::Resource))
        .map(|reference| Why {
            side: if key {
                "key"
            } else if reference.layer == Layer::Resource {
                "resource"
            } else {
                "identity"
            },
            kind: reference.layer,
            policy: reference.policy.clone(),
            statement: reference.index,
            sid: reference.sid.clone(),
        })
        .collect()
}

/// The outcome of one (principal, secret, action) before it is turned into an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
struct StageOutcome {
    decision: Option<GrantDecision>,
    via: Via,
    conditions: Vec<String>,
    why: Vec<Why>,
}

/// The result: per secret, the principals allowed each action.
#[derive(Debug)]
pub struct AccessAnalysis {
    /// The analysed actions, sorted case-insensitively.
    pub actions: Vec<String>,
    /// Indexes (into `AccessModel::principals`) of the analysed principals.
    pub principals: Vec<usize>,
    /// Indexes (into `AccessModel::secrets`) of the analysed secrets, in ARN order.
    pub secrets: Vec<usize>,
    grants: Vec<Grant>,
    /// Per row, per action: the grant id or `u32::MAX`.
    rows: Vec<Vec<u32>>,
    /// Atom of each analysed secret (same order as `secrets`).
    atom_of: Vec<u32>,
    /// CSR offsets into `pairs` per atom.
    atom_start: Vec<usize>,
    /// (principal index into `AccessModel::principals`, row), sorted per atom by principal.
    pairs: Vec<(u32, u32)>,
    /// Statistics: atoms, classes evaluated, evaluations run.
    pub stats: AccessStats,
}

/// Counters of a run, for logs and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AccessStats {
    pub patterns: usize,
    pub atoms: usize,
    pub classes: usize,
    pub evaluations: usize,
}

/// One entry of the result.
#[derive(Debug, Clone, Copy)]
pub struct AccessEntry<'a> {
    pub principal: usize,
    /// Index into `AccessAnalysis::actions`.
    pub action_index: usize,
    pub action: &'a str,
    /// Index into `AccessAnalysis::grants()`.
    pub grant_index: usize,
    pub grant: &'a Grant,
}

impl AccessAnalysis {
    /// Every distinct grant of the result (entries refer to them by index).
    pub fn grants(&self) -> &[Grant] {
        &self.grants
    }

    /// The entries of the `position`-th analysed secret, sorted by principal then action.
    pub fn entries(&self, position: usize) -> impl Iterator<Item = AccessEntry<'_>> + '_ {
        let atom = self.atom_of.get(position).copied().unwrap_or(u32::MAX) as usize;
        let range = match (self.atom_start.get(atom), self.atom_start.get(atom + 1)) {
            (Some(start), Some(end)) => *start..*end,
            _ => 0..0,
        };
        self.pairs[range].iter().flat_map(move |(principal, row)| {
            let row = &self.rows[*row as usize];
            row.iter()
                .enumerate()
                .filter(|(_, grant)| **grant != u32::MAX)
                .map(move |(action, grant)| AccessEntry {
                    principal: *principal as usize,
                    action_index: action,
                    action: &self.actions[action],
                    grant_index: *grant as usize,
                    grant: &self.grants[*grant as usize],
                })
        })
    }

    /// The reverse view: per analysed principal with at least one entry (in model order), the
    /// secrets (positions into `secrets`) it has entries on, in secret order.
    pub fn by_principal(&self) -> ByPrincipal {
        let mut secrets_of_atom: Vec<Vec<u32>> =
            vec![Vec::new(); self.atom_start.len().saturating_sub(1)];
        for (position, atom) in self.atom_of.iter().enumerate() {
            if let Some(list) = secrets_of_atom.get_mut(*atom as usize) {
                list.push(u32::try_from(position).unwrap_or(u32::MAX));
            }
        }
        let mut count: HashMap<u32, usize> = HashMap::new();
        for (atom, secrets) in secrets_of_atom.iter().enumerate() {
            for (principal, _) in &self.pairs[self.atom_start[atom]..self.atom_start[atom + 1]] {
                *count.entry(*principal).or_default() += secrets.len();
            }
        }
        let mut order: Vec<u32> = count.keys().copied().collect();
        order.sort_unstable();
        let mut start = Vec::with_capacity(order.len() + 1);
        let mut slot: HashMap<u32, usize> = HashMap::new();
        let mut total = 0usize;
        for principal in &order {
            start.push(total);
            slot.insert(*principal, total);
            total += count[principal];
        }
        start.push(total);
        let mut pairs = vec![(0u32, 0u32); total];
        // Atoms in secret order of their first secret would not keep secrets sorted: fill,
        // then sort each principal's run.
        for (atom, secrets) in secrets_of_atom.iter().enumerate() {
            for (principal, row) in &self.pairs[self.atom_start[atom]..self.atom_start[atom + 1]] {
                if let Some(next) = slot.get_mut(principal) {
                    for secret in secrets {
                        pairs[*next] = (*secret, *row);
                        *next += 1;
                    }
                }
            }
        }
        for k in 0..order.len() {
            pairs[start[k]..start[k + 1]].sort_unstable();
        }
        ByPrincipal {
            order,
            start,
            pairs,
        }
    }

    /// The entries of `principal` on the secret at `position` of one row.
    fn row_entries(
        &self,
        principal: usize,
        row: u32,
    ) -> impl Iterator<Item = AccessEntry<'_>> + '_ {
        self.rows[row as usize]
            .iter()
            .enumerate()
            .filter(|(_, grant)| **grant != u32::MAX)
            .map(move |(action, grant)| AccessEntry {
                principal,
                action_index: action,
                action: &self.actions[action],
                grant_index: *grant as usize,
                grant: &self.grants[*grant as usize],
            })
    }
}

/// The entries of an analysis grouped by principal (`AccessAnalysis::by_principal`).
#[derive(Debug)]
pub struct ByPrincipal {
    /// Principals (indexes into `AccessModel::principals`) with entries, ascending.
    order: Vec<u32>,
    start: Vec<usize>,
    /// (secret position, row), per principal sorted by secret position.
    pairs: Vec<(u32, u32)>,
}

impl ByPrincipal {
    /// The principals with entries (indexes into `AccessModel::principals`), in model order.
    pub fn principals(&self) -> impl Iterator<Item = usize> + '_ {
        self.order.iter().map(|p| *p as usize)
    }

    /// The entries of the `k`-th principal of `principals()`: (secret position, entry), by
    /// secret then action.
    pub fn entries<'a>(
        &'a self,
        analysis: &'a AccessAnalysis,
        k: usize,
    ) -> impl Iterator<Item = (usize, AccessEntry<'a>)> + 'a {
        let principal = self.order.get(k).copied().unwrap_or(0) as usize;
        let range = match (self.start.get(k), self.start.get(k + 1)) {
            (Some(a), Some(b)) => *a..*b,
            _ => 0..0,
        };
        self.pairs[range].iter().flat_map(move |(secret, row)| {
            analysis
                .row_entries(principal, *row)
                .map(move |entry| (*secret as usize, entry))
        })
    }
}

/// Normalises the action list: defaults, case-insensitive duplicates removed, sorted.
pub fn normalise_actions(actions: &[String]) -> Vec<String> {
    let source: Vec<String> = if actions.is_empty() {
        actions::DEFAULT_ACTIONS
            .iter()
            .map(|a| (*a).to_owned())
            .collect()
    } else {
        actions.to_vec()
    };
    let mut seen = BTreeSet::new();
    let mut out: Vec<String> = source
        .into_iter()
        .filter(|action| seen.insert(action.to_ascii_lowercase()))
        .collect();
    out.sort_by_key(|action| action.to_ascii_lowercase());
    out
}

fn glob_matches(pattern: &str, arn: &str, name: &str) -> bool {
    wildcard::matches(pattern, arn, Case::Sensitive, Colons::Free)
        || wildcard::matches(pattern, name, Case::Sensitive, Colons::Free)
}

/// The policies a principal's request about a secret is decided against.
pub(crate) fn policy_set(
    model: &AccessModel,
    principal: &AnalysedPrincipal,
    secret: &SecretFacts,
) -> PolicySet {
    let mut set = principal.set.clone();
    set.resource = secret
        .resource_policy
        .and_then(|index| model.resource_policies.get(index))
        .cloned();
    if model.is_organization() {
        set.rcps = model.rcps_of(&secret.account).to_vec();
    }
    set
}

/// Every policy of a set, each with its layer.
fn policies_of(set: &PolicySet) -> impl Iterator<Item = &NamedPolicy> {
    set.identity
        .iter()
        .chain(set.resource.iter())
        .chain(set.boundary.iter())
        .chain(set.session.iter())
        .chain(set.scps.iter().flatten())
        .chain(set.rcps.iter().flatten())
}

/// The keys (lower case) the statements of `policies` that can apply to `actions_lower` read,
/// and whether one of their resource patterns holds a variable.
pub(crate) fn referenced_keys<'a>(
    policies: impl Iterator<Item = &'a NamedPolicy>,
    actions_lower: &[String],
) -> (BTreeSet<String>, bool) {
    let mut out = BTreeSet::new();
    let mut variables = false;
    for policy in policies {
        for statement in keys::relevant_statements(&policy.policy, actions_lower) {
            keys::add_statement_keys(statement, &mut out);
            if let Some(resources) = &statement.resources {
                variables |= resources.items.iter().any(|p| keys::has_variable(&p.text));
            }
        }
    }
    (out, variables)
}

/// The keys a request of `principal` about `secret` reads (its own set plus the secret's
/// resource policy).
pub(crate) fn request_keys(
    model: &AccessModel,
    principal: &AnalysedPrincipal,
    secret: &SecretFacts,
    actions_lower: &[String],
) -> BTreeSet<String> {
    let set = policy_set(model, principal, secret);
    referenced_keys(policies_of(&set), actions_lower).0
}

fn via_of(evaluation: &Evaluation, external: bool) -> Via {
    if external {
        return Via::Resource;
    }
    let identity = evaluation
        .allowed_by
        .iter()
        .any(|s| s.layer == Layer::Identity);
    let resource = evaluation
        .allowed_by
        .iter()
        .any(|s| s.layer == Layer::Resource);
    match (identity, resource) {
        (_, false) => Via::Identity,
        (false, true) => Via::Resource,
        (true, true) => Via::Both,
    }
}

/// Decides one request and describes the outcome.
fn decide_one(set: &PolicySet, request: &Request, external: bool) -> StageOutcome {
    if eval::decide(set, request) != Decision::Allowed {
        return StageOutcome {
            decision: None,
            via: Via::Identity,
            conditions: Vec::new(),
            why: Vec::new(),
        };
    }
    let evaluation = eval::evaluate(set, request);
    let conditional = external || !evaluation.unsettled_keys.is_empty();
    StageOutcome {
        decision: Some(if conditional {
            GrantDecision::Conditional
        } else {
            GrantDecision::Allowed
        }),
        via: via_of(&evaluation, external),
        why: why_of(&evaluation, false),
        conditions: evaluation.unsettled_keys,
    }
}

/// Whether `statement` is a `Deny` whose `NotPrincipal` lists `principal` by ARN but not its
/// account.
fn lists_without_account(
    statement: &crate::policy::Statement,
    principal: &AnalysedPrincipal,
) -> bool {
    use crate::policy::PrincipalPattern;
    let Some(clause) = statement.principals.as_ref().filter(|c| c.negated) else {
        return false;
    };
    if statement.effect != Effect::Deny {
        return false;
    }
    let account = principal.facts.account.as_deref();
    let listed = clause.items.iter().any(|item| {
        matches!(item, PrincipalPattern::Arn(arn) if arn.eq_ignore_ascii_case(&principal.arn))
    });
    let account_listed = clause
        .items
        .iter()
        .any(|item| matches!(item, PrincipalPattern::Account(a) if Some(a.as_str()) == account));
    listed && !account_listed
}

/// The entry of one (principal, secret, action) decided on its own, with every known key in
/// the context, or `None` when denied for every stage: the reference of the class path.
pub(crate) fn judge(
    model: &AccessModel,
    principal: &AnalysedPrincipal,
    secret: &SecretFacts,
    set: &PolicySet,
    action: &str,
    referenced: &BTreeSet<String>,
) -> Option<Grant> {
    let grant = judge_before_key(model, principal, secret, set, action, referenced, None)?;
    super::kms::with_key(model, principal, secret, action, grant, None)
        .map(|grant| undecidable(model, principal, secret, grant))
}

/// The entry of one request before the KMS key: the secret's resource policy and the caller's
/// policies, with the `Deny` + `NotPrincipal` caveat; it does not depend on the secret's key.
/// With `class_context` (the class path) the context holds only the keys the policies read,
/// all but the secret side ready-made; without it (one-by-one), every known key. The entry is
/// the same either way.
fn judge_before_key(
    model: &AccessModel,
    principal: &AnalysedPrincipal,
    secret: &SecretFacts,
    set: &PolicySet,
    action: &str,
    referenced: &BTreeSet<String>,
    mut class_context: Option<&mut ClassContext>,
) -> Option<Grant> {
    let grant = match judge_secret(
        model,
        principal,
        secret,
        set,
        action,
        referenced,
        class_context.as_deref_mut(),
    ) {
        Some(grant) => grant,
        None => {
            // A `Deny` + `NotPrincipal` naming the principal but not its account: conditional.
            let index = secret.resource_policy?;
            let strict = model.resource_policies.get(index)?;
            let lenient = model.lenient_policies.get(index)?.as_ref()?;
            if !strict
                .policy
                .statements()
                .iter()
                .any(|s| lists_without_account(s, principal))
            {
                return None;
            }
            let mut lenient_set = set.clone();
            lenient_set.resource = Some(lenient.clone());
            let mut grant = judge_secret(
                model,
                principal,
                secret,
                &lenient_set,
                action,
                referenced,
                class_context,
            )?;
            grant.decision = GrantDecision::Conditional;
            grant.reasons.push(format!(
                "a Deny with NotPrincipal in the secret's policy names `{}` but not its account {}: AWS might deny the whole account, depending on the service (IAM User Guide)",
                principal.arn,
                principal.facts.account.as_deref().unwrap_or("?")
            ));
            grant
        }
    };
    Some(grant)
}

/// `grant`, `Conditional` with the reasons when a bad record of the snapshot concerns it.
fn undecidable(
    model: &AccessModel,
    principal: &AnalysedPrincipal,
    secret: &SecretFacts,
    mut grant: Grant,
) -> Grant {
    let reasons = model.undecidable(principal, secret);
    if !reasons.is_empty() {
        grant.decision = GrantDecision::Conditional;
        grant.reasons.extend(reasons);
    }
    grant
}

/// The entry of one request on the secret alone (its resource policy and the caller's
/// policies), before the KMS key.
fn judge_secret(
    model: &AccessModel,
    principal: &AnalysedPrincipal,
    secret: &SecretFacts,
    set: &PolicySet,
    action: &str,
    referenced: &BTreeSet<String>,
    mut class_context: Option<&mut ClassContext>,
) -> Option<Grant> {
    let is_get = actions::is_get_secret_value(action);
    let facts = RequestFacts {
        principal,
        secret,
        action,
        stage: is_get.then_some("AWSCURRENT"),
        organization_id: model.organization_id.as_deref(),
    };
    // One request; for other stages only `secretsmanager:VersionStage` changes.
    let mut request = Request {
        principal: principal.caller.clone(),
        action: action.to_owned(),
        resource: secret.arn.clone(),
        resource_account: None,
        context: match class_context.as_deref_mut() {
            Some(ready) => ready.take(&facts),
            None => build_context(&facts, referenced, None),
        },
    };
    let grant = grant_of(principal, secret, set, &mut request, referenced);
    if let Some(ready) = class_context {
        ready.give_back(std::mem::take(&mut request.context));
    }
    grant
}

/// The entry of `request` (its `GetSecretValue` stages included) under `set`.
fn grant_of(
    principal: &AnalysedPrincipal,
    secret: &SecretFacts,
    set: &PolicySet,
    request: &mut Request,
    referenced: &BTreeSet<String>,
) -> Option<Grant> {
    let external = principal.kind == PrincipalKind::External;
    let is_get = actions::is_get_secret_value(&request.action);
    let stage_key_present = request.context.get("secretsmanager:VersionStage").is_some();
    let mut outcome_for = |stage: Option<&str>| {
        if let Some(stage) = stage
            && stage_key_present
        {
            request.context.insert(
                "secretsmanager:VersionStage",
                crate::eval::ContextValue::String(stage.to_owned()),
            );
        }
        decide_one(set, request, external)
    };
    if !is_get {
        let outcome = outcome_for(None);
        return outcome.decision.map(|decision| Grant {
            decision,
            via: outcome.via,
            conditions: outcome.conditions,
            stages_differ: Vec::new(),
            external,
            key: None,
            why: outcome.why,
            reasons: Vec::new(),
        });
    }
    let current = outcome_for(Some("AWSCURRENT"));
    let mut others: Vec<(String, StageOutcome)> = Vec::new();
    if referenced.contains("secretsmanager:versionstage") {
        let stages = actions::STANDARD_STAGES[1..]
            .iter()
            .map(|s| (*s).to_owned())
            .chain(secret.custom_stages.iter().cloned());
        for stage in stages {
            let outcome = outcome_for(Some(&stage));
            others.push((stage, outcome));
        }
    }
    let stages_differ: Vec<String> = others
        .iter()
        .filter(|(_, outcome)| outcome.decision != current.decision)
        .map(|(stage, _)| stage.clone())
        .collect();
    match current.decision {
        Some(decision) => Some(Grant {
            decision,
            via: current.via,
            conditions: current.conditions,
            stages_differ,
            external,
            key: None,
            why: current.why,
            reasons: Vec::new(),
        }),
        None => {
            // Not for AWSCURRENT, but for another stage: conditional on the stage asked for.
            let (_, outcome) = others.iter().find(|(_, o)| o.decision.is_some())?;
            let mut conditions = outcome.conditions.clone();
            conditions.push("secretsmanager:VersionStage".to_owned());
            conditions.sort_by_key(|key| key.to_ascii_lowercase());
            conditions.dedup_by_key(|key| key.to_ascii_lowercase());
            Some(Grant {
                decision: GrantDecision::Conditional,
                via: outcome.via,
                conditions,
                stages_differ,
                external,
                key: None,
                why: outcome.why.clone(),
                reasons: vec!["allowed only for another version stage than AWSCURRENT".to_owned()],
            })
        }
    }
}

/// What every worker shares.
struct Shared<'a> {
    model: &'a AccessModel,
    actions: &'a [String],
    actions_lower: Vec<String>,
    secrets: Vec<&'a SecretFacts>,
    index: PatternIndex,
    atoms: Atoms,
    global_keys: SecretKeys,
    /// Pattern ids of the resource policies and RCPs of the analysis.
    shared_patterns: Vec<u32>,
    /// Every key (lower case) the relevant statements of the analysis read.
    all_keys: BTreeSet<String>,
    /// The keys the relevant statements of the resource policies and RCPs read.
    shared_keys: BTreeSet<String>,
    /// Per principal of the model (default for those not analysed): its context half.
    principal_contexts: Vec<PrincipalContext>,
    /// Per resource policy, per statement: what partial evaluation needs.
    resource_statements: Vec<Vec<ResourceStatement>>,
    /// A KMS statement reads the encryption context (the secret's ARN): KMS outcomes are not
    /// shared between the secrets of one key.
    kms_per_secret: bool,
}

/// A condition of a resource-policy statement, by content id.
#[derive(Debug, Clone, Copy)]
struct ConditionInfo {
    /// Equal ids, equal conditions (operator, key as written, values).
    id: u32,
    /// It reads the secret or the stage (its key or a variable of its values).
    secret_side: bool,
    /// Its outcome can change with the action (a request parameter of some action).
    per_action: bool,
}

/// A resource-policy statement as the partial evaluation sees it, computed once per run.
#[derive(Debug, Clone)]
struct ResourceStatement {
    /// It can apply to one of the analysed actions.
    relevant: bool,
    /// Per analysed action: the `Action` / `NotAction` element matches it.
    action_match: Vec<bool>,
    /// Equal ids, equal `Sid` (0: none).
    sid: u32,
    /// Equal ids, equal `Resource` / `NotResource` element.
    resource: u32,
    /// A resource pattern holds a variable.
    variable_resource: bool,
    conditions: Vec<ConditionInfo>,
    /// The secret attributes its secret-side conditions read (lower-case keys).
    secret_keys: BTreeSet<String>,
}

/// Interns texts to dense ids starting at `first`.
struct Interner {
    ids: HashMap<String, u32>,
    first: u32,
}

impl Interner {
    fn new(first: u32) -> Interner {
        Interner {
            ids: HashMap::new(),
            first,
        }
    }

    fn id(&mut self, text: String) -> u32 {
        let next = self.first + u32::try_from(self.ids.len()).unwrap_or(u32::MAX - self.first);
        *self.ids.entry(text).or_insert(next)
    }
}

/// The variable keys (lower case) of a text.
fn variables_of(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    keys::add_variables(text, &mut out);
    out
}

fn condition_keys(condition: &Condition) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    out.insert(condition.key.to_ascii_lowercase());
    for value in &condition.values {
        keys::add_variables(value, &mut out);
    }
    out
}

fn resource_statements(
    policies: &[NamedPolicy],
    actions_lower: &[String],
) -> Vec<Vec<ResourceStatement>> {
    let mut sids = Interner::new(1);
    let mut resources = Interner::new(0);
    let mut conditions = Interner::new(0);
    policies
        .iter()
        .map(|policy| {
            policy
                .policy
                .statements()
                .iter()
                .map(|statement| {
                    let action_match: Vec<bool> = actions_lower
                        .iter()
                        .map(|a| keys::statement_applies(statement, std::slice::from_ref(a)))
                        .collect();
                    let relevant = action_match.iter().any(|m| *m);
                    let mut secret_keys = BTreeSet::new();
                    let infos = statement
                        .conditions
                        .iter()
                        .map(|condition| {
                            let read = condition_keys(condition);
                            let secret_side = read.iter().any(|k| key_side(k) == KeySide::Secret);
                            if secret_side {
                                secret_keys.extend(read.iter().cloned());
                            }
                            ConditionInfo {
                                id: conditions.id(format!(
                                    "{:?}\u{1}{}\u{1}{:?}",
                                    condition.operator, condition.key, condition.values
                                )),
                                secret_side,
                                per_action: read.iter().any(|k| actions::is_any_parameter(k)),
                            }
                        })
                        .collect();
                    let variable_resource = statement
                        .resources
                        .iter()
                        .flat_map(|r| r.items.iter())
                        .any(|p| keys::has_variable(&p.text));
                    ResourceStatement {
                        relevant,
                        action_match,
                        sid: statement.sid.as_ref().map_or(0, |sid| sids.id(sid.clone())),
                        resource: resources.id(format!("{:?}", statement.resources)),
                        variable_resource,
                        conditions: infos,
                        secret_keys,
                    }
                })
                .collect()
        })
        .collect()
}

/// A resource pattern for one principal: its text once the principal's variables are put in.
enum Resolved {
    /// A pattern without variables (policy text, wildcards included).
    Text(String),
    /// A variable without a value and without a default: the pattern matches nothing.
    Nothing,
    /// A variable the snapshot cannot settle, or a value that would read as a wildcard or a
    /// segment separator: the analysis must look at every ARN.
    Unresolved,
}

fn resolve_pattern(pattern: &ResourcePattern, context: &PrincipalContext) -> Resolved {
    if let Some((text, _)) = pattern.template.as_plain() {
        return Resolved::Text(text.to_owned());
    }
    for key in pattern.template.variable_keys() {
        if key_side(key.lower()) != KeySide::Principal || context.variable(key.lower()).is_err() {
            return Resolved::Unresolved;
        }
    }
    pattern.template.with_pieces(
        |key| context.variable(key.lower()).ok().flatten(),
        |pieces| {
            let Some(pieces) = pieces else {
                return Resolved::Nothing;
            };
            let mut text = String::new();
            for piece in pieces {
                match piece {
                    Piece::Wild(part) => text.push_str(part),
                    Piece::Literal(part) => {
                        if part.contains(['*', '?', ':']) || part.contains("${") {
                            return Resolved::Unresolved;
                        }
                        text.push_str(part);
                    }
                }
            }
            Resolved::Text(text)
        },
    )
}

/// Per-thread results.
#[derive(Default)]
struct WorkerOutput {
    grants: Vec<Grant>,
    grant_ids: HashMap<Grant, u32>,
    rows: Vec<Vec<u32>>,
    row_ids: IdMap<Vec<u32>, u32>,
    /// (atom, principal, row)
    triples: Vec<(u32, u32, u32)>,
    classes: usize,
    evaluations: usize,
}

impl WorkerOutput {
    fn grant_id(&mut self, grant: Grant) -> u32 {
        if let Some(id) = self.grant_ids.get(&grant) {
            return *id;
        }
        let id = u32::try_from(self.grants.len()).unwrap_or(u32::MAX - 1);
        self.grants.push(grant.clone());
        self.grant_ids.insert(grant, id);
        id
    }

    fn row_id(&mut self, row: Vec<u32>) -> u32 {
        if let Some(id) = self.row_ids.get(&row) {
            return *id;
        }
        let id = u32::try_from(self.rows.len()).unwrap_or(u32::MAX);
        self.rows.push(row.clone());
        self.row_ids.insert(row, id);
        id
    }
}

/// Outcome codes of conditions, with the keys they found unknown, for one principal.
struct Outcomes {
    /// Unknown-key lists → id (0: none).
    key_sets: HashMap<Vec<String>, u32>,
}

impl Outcomes {
    /// `0` false, `1` true, `2` unknown, plus 3 × the id of the unknown keys recorded.
    fn code(&mut self, condition: &Condition, context: &eval::Context) -> u32 {
        let (outcome, unknown) = condition_outcome(condition, context);
        let base = match outcome {
            Some(false) => 0,
            Some(true) => 1,
            None => 2,
        };
        let set = if unknown.is_empty() {
            0
        } else {
            let next = u32::try_from(self.key_sets.len() + 1).unwrap_or(u32::MAX / 4);
            *self.key_sets.entry(unknown).or_insert(next)
        };
        base + 3 * set
    }
}

/// The secret-side keys of a set of lower-case keys, as secret attributes.
fn secret_reads<'k>(keys: impl Iterator<Item = &'k String>, tags: &[String]) -> Vec<SecretKey> {
    let mut reads: Vec<SecretKey> = keys
        .filter_map(|key| SecretKey::of_key(key, tags))
        .collect();
    reads.sort_unstable();
    reads.dedup();
    reads
}

/// What `principal`'s policies read of a secret, and the context keys they read.
///
/// Its own statements (identity, boundary, session, SCPs, RCPs): resource patterns with the
/// principal's variables put in, and per statement the secret attributes its conditions read,
/// by outcome for conditions on one tag. Resource policies: each partially evaluated for the
/// principal (principal element, conditions on the principal and the request decided once), so
/// that policies which treat it alike get one id however different their text.
fn principal_view<'s>(
    shared: &'s Shared<'_>,
    position: usize,
    local: Vec<u32>,
) -> (PrincipalView<'s>, BTreeSet<String>) {
    let principal = &shared.model.principals[position];
    let principal_context = &shared.principal_contexts[position];
    let mut view = PrincipalView {
        local,
        ..PrincipalView::default()
    };
    view.local.clear();
    view.local.resize(shared.index.len(), u32::MAX);
    let mut next_bit = 0u32;
    let mut bit_of = |id: u32, local: &mut Vec<u32>| -> u32 {
        let slot = &mut local[id as usize];
        if *slot == u32::MAX {
            *slot = next_bit;
            next_bit += 1;
        }
        *slot
    };
    for id in &shared.shared_patterns {
        bit_of(*id, &mut view.local);
    }
    let own = principal
        .set
        .identity
        .iter()
        .chain(principal.set.boundary.iter())
        .chain(principal.set.session.iter())
        .chain(principal.set.scps.iter().flatten())
        .chain(principal.set.rcps.iter().flatten());
    let mut referenced = shared.shared_keys.clone();
    let tags = &shared.global_keys.tags;
    let mut tag_conditions: HashMap<*const Condition, u32> = HashMap::new();
    for policy in own {
        for statement in keys::relevant_statements(&policy.policy, &shared.actions_lower) {
            let mut statement_keys = BTreeSet::new();
            keys::add_statement_keys(statement, &mut statement_keys);
            let mut bits = Vec::new();
            let mut always = statement.resources.is_none();
            let mut negated = false;
            let mut raw_keys: BTreeSet<String> = BTreeSet::new();
            if let Some(resources) = &statement.resources {
                negated = resources.negated;
                for pattern in &resources.items {
                    raw_keys.extend(variables_of(&pattern.text));
                    match resolve_pattern(pattern, principal_context) {
                        Resolved::Text(text) => {
                            if let Some(id) = shared.index.id(&text) {
                                bits.push(bit_of(id, &mut view.local));
                            }
                        }
                        Resolved::Nothing => {}
                        Resolved::Unresolved => {
                            view.whole_arn = true;
                            always = true;
                        }
                    }
                }
            }
            let mut outcomes = Vec::new();
            for condition in &statement.conditions {
                let read = condition_keys(condition);
                let key = condition.key.to_ascii_lowercase();
                let tag = SecretKey::of_key(&key, tags);
                let by_outcome = matches!(tag, Some(SecretKey::Tag(_)))
                    && read
                        .iter()
                        .filter(|k| **k != key)
                        .all(|k| key_side(k) == KeySide::Principal);
                match tag {
                    Some(SecretKey::Tag(index)) if by_outcome => {
                        let next = u32::try_from(view.tag_conditions.len()).unwrap_or(u32::MAX);
                        let id = *tag_conditions
                            .entry(std::ptr::from_ref(condition))
                            .or_insert_with(|| {
                                view.tag_conditions.push(TagCondition {
                                    condition,
                                    tag: index,
                                });
                                next
                            });
                        outcomes.push(id);
                    }
                    _ => raw_keys.extend(read),
                }
            }
            outcomes.sort_unstable();
            outcomes.dedup();
            let reads = secret_reads(raw_keys.iter(), tags);
            if !reads.is_empty() || !outcomes.is_empty() {
                view.keyed.push(KeyedStatement {
                    bits,
                    negated,
                    always,
                    reads,
                    outcomes,
                });
            }
            referenced.extend(statement_keys);
        }
    }
    view.keyed.sort();
    view.keyed.dedup();
    view.local_count = next_bit as usize;

    // Resource policies as this principal sees them.
    let organization_id = shared.model.organization_id.as_deref();
    let contexts: Vec<eval::Context> = shared
        .actions
        .iter()
        .map(|action| {
            action_context(
                principal,
                principal_context,
                organization_id,
                action,
                &shared.all_keys,
            )
        })
        .collect();
    let mut outcomes = Outcomes {
        key_sets: HashMap::new(),
    };
    let mut cache: IdMap<(u32, usize), u32> = IdMap::default();
    let mut signatures: IdMap<Vec<u32>, u32> = IdMap::default();
    let has_boundary = principal.set.boundary.is_some();
    let mut signature: Vec<u32> = Vec::new();
    view.resource_policies.push((0, Vec::new()));
    for (policy, infos) in shared
        .model
        .resource_policies
        .iter()
        .zip(&shared.resource_statements)
    {
        signature.clear();
        let mut read_keys: BTreeSet<&String> = BTreeSet::new();
        for (index, (statement, info)) in policy.policy.statements().iter().zip(infos).enumerate() {
            if !info.relevant {
                continue;
            }
            let Some(grant) =
                principal_element(statement, Layer::Resource, has_boundary, &principal.caller)
            else {
                continue;
            };
            let start = signature.len();
            let allow = statement.effect == Effect::Allow;
            signature.push(u32::from(lists_without_account(statement, principal)));
            signature.extend([
                u32::MAX,
                u32::from(allow),
                u32::from(grant),
                if allow {
                    u32::try_from(index).unwrap_or(u32::MAX)
                } else {
                    u32::MAX
                },
                if allow { info.sid } else { 0 },
                info.resource,
            ]);
            // Inert: for every action it names, a condition on the principal or the request is
            // false and none records an unknown key; the flow then skips it for this principal.
            let mut inert =
                !info.variable_resource && info.conditions.iter().all(|ci| !ci.secret_side);
            for (slot, matched) in info.action_match.iter().enumerate() {
                if !matched {
                    signature.push(u32::MAX - 1);
                    continue;
                }
                let mut falsified = false;
                for (condition, ci) in statement.conditions.iter().zip(&info.conditions) {
                    if ci.secret_side {
                        continue;
                    }
                    let slot = if ci.per_action { slot } else { 0 };
                    let code = *cache
                        .entry((ci.id, slot))
                        .or_insert_with(|| outcomes.code(condition, &contexts[slot]));
                    falsified |= code.is_multiple_of(3);
                    inert &= code / 3 == 0;
                    signature.push(code);
                }
                inert &= falsified;
            }
            for ci in &info.conditions {
                if ci.secret_side {
                    signature.push(ci.id);
                }
            }
            if inert {
                // False for every action and silent: the flow skips it for this principal.
                signature.truncate(start);
                continue;
            }
            read_keys.extend(info.secret_keys.iter());
            if info.variable_resource {
                view.whole_arn = true;
            }
        }
        let id = if signature.is_empty() {
            0
        } else {
            let next = u32::try_from(signatures.len() + 1).unwrap_or(u32::MAX);
            *signatures.entry(signature.clone()).or_insert(next)
        };
        view.resource_policies
            .push((id, secret_reads(read_keys.into_iter(), tags)));
    }
    (view, referenced)
}

fn analyse_principal(
    shared: &Shared<'_>,
    position: usize,
    output: &mut WorkerOutput,
    local: &mut Vec<u32>,
) {
    let model = shared.model;
    let principal = &model.principals[position];
    let principal_context = &shared.principal_contexts[position];
    let (view, referenced) = principal_view(shared, position, std::mem::take(local));
    let mut tag_outcomes: IdMap<(u32, u32), u32> = IdMap::default();
    let mut tag_context = TagContext::new(principal_context);
    let mut outcomes = Outcomes {
        key_sets: HashMap::new(),
    };
    let mut outcome = |index: u32, value: u32| -> u32 {
        *tag_outcomes.entry((index, value)).or_insert_with(|| {
            let condition = view.tag_conditions[index as usize].condition;
            let context = tag_context.with(
                &condition.key.to_ascii_lowercase(),
                shared.atoms.text(value),
            );
            outcomes.code(condition, context)
        })
    };
    let projection = classes::project(&shared.atoms, &view, &mut outcome);
    *local = view.local;
    output.classes += projection.representatives.len();

    // The secret side once per class (classes ignore the KMS key), then per (class, key) the
    // key side added (per atom when the key's outcome depends on the secret's ARN).
    let organization_id = model.organization_id.as_deref();
    let mut class_contexts: Vec<ClassContext> = shared
        .actions
        .iter()
        .map(|action| {
            ClassContext::new(
                principal,
                principal_context,
                organization_id,
                action,
                &referenced,
                &referenced,
            )
        })
        .collect();
    let mut sets: HashMap<(Option<usize>, &str), PolicySet> = HashMap::new();
    let mut before_key: Vec<Vec<Option<Grant>>> =
        Vec::with_capacity(projection.representatives.len());
    for atom in &projection.representatives {
        let atom = &shared.atoms.atoms[*atom as usize];
        let secret = shared.secrets[atom.representative];
        let set = sets
            .entry((secret.resource_policy, secret.account.as_str()))
            .or_insert_with(|| policy_set(model, principal, secret));
        let grants = shared
            .actions
            .iter()
            .zip(class_contexts.iter_mut())
            .map(|(action, context)| {
                output.evaluations += 1;
                judge_before_key(
                    model,
                    principal,
                    secret,
                    set,
                    action,
                    &referenced,
                    Some(context),
                )
            })
            .collect();
        before_key.push(grants);
    }
    let mut key_cache = super::kms::KeyCache::new();
    // Row per (class, key) (per atom when the key side depends on the ARN); `u32::MAX - 1`:
    // not computed yet.
    let keys = model.keys.len() + 1;
    let mut rows: Vec<u32> = vec![u32::MAX - 1; projection.representatives.len() * keys];
    let principal_id = u32::try_from(position).unwrap_or(u32::MAX);
    for (index, class) in projection.class_of_atom.iter().enumerate() {
        let atom = &shared.atoms.atoms[index];
        let index = u32::try_from(index).unwrap_or(u32::MAX);
        let mut fresh = u32::MAX - 1;
        let slot = if shared.kms_per_secret {
            &mut fresh
        } else {
            &mut rows[*class as usize * keys + atom.key as usize]
        };
        if *slot == u32::MAX - 1 {
            *slot = {
                let secret = shared.secrets[atom.representative];
                let mut row = Vec::with_capacity(shared.actions.len());
                let mut any = false;
                for (action, grant) in shared.actions.iter().zip(&before_key[*class as usize]) {
                    let cache = (!shared.kms_per_secret).then_some(&mut key_cache);
                    match grant.clone().and_then(|grant| {
                        super::kms::with_key(model, principal, secret, action, grant, cache)
                            .map(|grant| undecidable(model, principal, secret, grant))
                    }) {
                        Some(grant) => {
                            any = true;
                            row.push(output.grant_id(grant));
                        }
                        None => row.push(u32::MAX),
                    }
                }
                if any { output.row_id(row) } else { u32::MAX }
            };
        }
        let row = *slot;
        if row != u32::MAX {
            output.triples.push((index, principal_id, row));
        }
    }
}

/// Runs the analysis over the model.
pub fn analyse(model: &AccessModel, query: &AccessQuery) -> Result<AccessAnalysis, AccessError> {
    let actions = normalise_actions(&query.actions);
    for action in &actions {
        if !action.contains(':') || action.contains(['*', '?']) {
            return Err(AccessError::InvalidAction(action.clone()));
        }
    }
    let actions_lower: Vec<String> = actions.iter().map(|a| a.to_ascii_lowercase()).collect();
    let principals: Vec<usize> = (0..model.principals.len())
        .filter(|i| {
            let p = &model.principals[*i];
            query
                .principal
                .as_deref()
                .is_none_or(|pattern| glob_matches(pattern, &p.arn, &p.name))
        })
        .collect();
    let secret_positions: Vec<usize> = (0..model.secrets.len())
        .filter(|i| {
            let s = &model.secrets[*i];
            query
                .secret
                .as_deref()
                .is_none_or(|pattern| glob_matches(pattern, &s.arn, &s.name))
        })
        .collect();
    let secrets: Vec<&SecretFacts> = secret_positions
        .iter()
        .map(|i| &model.secrets[*i])
        .collect();

    // Every key any analysed principal's relevant statements read, then the principal half of
    // each principal's contexts (once per principal), then every resource pattern with the
    // principals' variables put in.
    let mut shared_keys = BTreeSet::new();
    let shared_policies: Vec<&NamedPolicy> = model
        .resource_policies
        .iter()
        .chain(model.rcps.iter().flatten())
        .collect();
    for policy in &shared_policies {
        for statement in keys::relevant_statements(&policy.policy, &actions_lower) {
            keys::add_statement_keys(statement, &mut shared_keys);
        }
    }
    let own_policies = |position: usize| {
        let set = &model.principals[position].set;
        set.identity
            .iter()
            .chain(set.boundary.iter())
            .chain(set.session.iter())
            .chain(set.scps.iter().flatten())
    };
    let mut all_keys = shared_keys.clone();
    for position in &principals {
        for policy in own_policies(*position) {
            for statement in keys::relevant_statements(&policy.policy, &actions_lower) {
                keys::add_statement_keys(statement, &mut all_keys);
            }
        }
    }
    let mut principal_contexts = vec![PrincipalContext::default(); model.principals.len()];
    for position in &principals {
        principal_contexts[*position] = PrincipalContext::build(
            &model.principals[*position],
            model.organization_id.as_deref(),
            &all_keys,
        );
    }
    let mut index = PatternIndex::default();
    let mut variables = false;
    let mut shared_patterns = Vec::new();
    for policy in &shared_policies {
        for statement in keys::relevant_statements(&policy.policy, &actions_lower) {
            for pattern in statement.resources.iter().flat_map(|r| r.items.iter()) {
                if keys::has_variable(&pattern.text) {
                    variables = true;
                } else {
                    shared_patterns.push(index.intern(&pattern.text));
                }
            }
        }
    }
    for position in &principals {
        for policy in own_policies(*position) {
            for statement in keys::relevant_statements(&policy.policy, &actions_lower) {
                for pattern in statement.resources.iter().flat_map(|r| r.items.iter()) {
                    match resolve_pattern(pattern, &principal_contexts[*position]) {
                        Resolved::Text(text) => {
                            index.intern(&text);
                        }
                        Resolved::Nothing => {}
                        Resolved::Unresolved => variables = true,
                    }
                }
            }
        }
    }
    // The KMS request of a value action carries the secret's ARN as encryption context: a
    // policy that reads it (or a variable in a KMS statement's `Resource`) makes every ARN count.
    let mut kms_per_secret = false;
    let key_actions: Vec<String> = actions
        .iter()
        .flat_map(|a| actions::key_actions(a).iter())
        .map(|a| a.to_ascii_lowercase())
        .collect();
    if !key_actions.is_empty() {
        let key_policies = model.keys.iter().filter_map(|k| k.policy.as_ref().ok());
        let everyone = principals
            .iter()
            .flat_map(|p| own_policies(*p))
            .chain(shared_policies.iter().copied())
            .chain(key_policies);
        for policy in everyone {
            for statement in keys::relevant_statements(&policy.policy, &key_actions) {
                let mut read = BTreeSet::new();
                keys::add_statement_keys(statement, &mut read);
                if read.iter().any(|k| k.starts_with("kms:encryptioncontext"))
                    || statement
                        .resources
                        .iter()
                        .flat_map(|r| r.items.iter())
                        .any(|p| keys::has_variable(&p.text))
                {
                    variables = true;
                    kms_per_secret = true;
                }
            }
        }
    }
    let global_keys = SecretKeys::from_referenced(&all_keys, variables);
    let atoms = classes::atoms(&secrets, &index, &global_keys);
    let resource_statements = resource_statements(&model.resource_policies, &actions_lower);

    let shared = Shared {
        model,
        actions: &actions,
        actions_lower,
        secrets,
        index,
        atoms,
        global_keys,
        shared_patterns,
        all_keys,
        shared_keys,
        principal_contexts,
        resource_statements,
        kms_per_secret,
    };
    let threads = if query.threads == 0 {
        std::thread::available_parallelism().map_or(1, usize::from)
    } else {
        query.threads
    };
    let next = AtomicUsize::new(0);
    let outputs: Vec<WorkerOutput> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads.max(1))
            .map(|_| {
                scope.spawn(|| {
                    let mut output = WorkerOutput::default();
                    let mut local = Vec::new();
                    loop {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        let Some(position) = principals.get(k) else {
                            break;
                        };
                        analyse_principal(&shared, *position, &mut output, &mut local);
                    }
                    output
                })
            })
            .collect();
        // A worker that panicked lost its principals: the analysis fails rather than
        // reporting them without readers.
        handles
            .into_iter()
            .map(|handle| handle.join().map_err(|_| AccessError::WorkerFailed))
            .collect::<Result<Vec<_>, _>>()
    })?;

    // Merge: global grant and row tables, pairs sorted by (atom, principal).
    let mut grants: Vec<Grant> = Vec::new();
    let mut grant_ids: HashMap<Grant, u32> = HashMap::new();
    let mut rows: Vec<Vec<u32>> = Vec::new();
    let mut row_ids: IdMap<Vec<u32>, u32> = IdMap::default();
    let mut triples: Vec<(u32, u32, u32)> = Vec::new();
    let mut stats = AccessStats {
        patterns: shared.index.len(),
        atoms: shared.atoms.atoms.len(),
        ..AccessStats::default()
    };
    for output in outputs {
        stats.classes += output.classes;
        stats.evaluations += output.evaluations;
        let grant_map: Vec<u32> = output
            .grants
            .into_iter()
            .map(|grant| {
                let next = u32::try_from(grants.len()).unwrap_or(u32::MAX - 1);
                *grant_ids.entry(grant.clone()).or_insert_with(|| {
                    grants.push(grant);
                    next
                })
            })
            .collect();
        let row_map: Vec<u32> = output
            .rows
            .into_iter()
            .map(|row| {
                let row: Vec<u32> = row
                    .into_iter()
                    .map(|g| {
                        if g == u32::MAX {
                            g
                        } else {
                            grant_map[g as usize]
                        }
                    })
                    .collect();
                let next = u32::try_from(rows.len()).unwrap_or(u32::MAX);
                *row_ids.entry(row.clone()).or_insert_with(|| {
                    rows.push(row);
                    next
                })
            })
            .collect();
        triples.extend(
            output
                .triples
                .into_iter()
                .map(|(atom, principal, row)| (atom, principal, row_map[row as usize])),
        );
    }
    triples.sort_unstable();
    let atom_count = shared.atoms.atoms.len();
    let mut atom_start = vec![0usize; atom_count + 1];
    for (atom, _, _) in &triples {
        atom_start[*atom as usize + 1] += 1;
    }
    for i in 0..atom_count {
        atom_start[i + 1] += atom_start[i];
    }
    let pairs = triples.into_iter().map(|(_, p, r)| (p, r)).collect();
    let atom_of = shared.atoms.of_secret;
    Ok(AccessAnalysis {
        actions: actions.clone(),
        principals,
        secrets: secret_positions,
        grants,
        rows,
        atom_of,
        atom_start,
        pairs,
        stats,
    })
}
