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
    self, Atoms, KeyedStatement, PatternIndex, PrincipalView, SecretKey, SecretKeys,
};
use super::context::{RequestFacts, build_context};
use super::keys;
use super::model::{AccessModel, AnalysedPrincipal, PrincipalKind, SecretFacts};
use super::{AccessError, actions};
use crate::arn::wildcard::{self, Case, Colons};
use crate::eval::{self, Decision, Evaluation, Layer, NamedPolicy, PolicySet, Request};
use crate::policy::{PrincipalPattern, Statement};

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
}

/// The outcome of one (principal, secret, action) before it is turned into an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
struct StageOutcome {
    decision: Option<GrantDecision>,
    via: Via,
    conditions: Vec<String>,
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
        conditions: evaluation.unsettled_keys,
    }
}

/// The entry of one (principal, secret, action), or `None` when denied for every stage.
/// `only` restricts the context to the keys the policies read (the class path); the entry is
/// the same either way.
pub(crate) fn judge(
    model: &AccessModel,
    principal: &AnalysedPrincipal,
    secret: &SecretFacts,
    set: &PolicySet,
    action: &str,
    referenced: &BTreeSet<String>,
    minimal: bool,
) -> Option<Grant> {
    let external = principal.kind == PrincipalKind::External;
    let only = minimal.then_some(referenced);
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
        context: build_context(&facts, referenced, only),
    };
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
        decide_one(set, &request, external)
    };
    if !is_get {
        let outcome = outcome_for(None);
        return outcome.decision.map(|decision| Grant {
            decision,
            via: outcome.via,
            conditions: outcome.conditions,
            stages_differ: Vec::new(),
            external,
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
}

/// Per-thread results.
#[derive(Default)]
struct WorkerOutput {
    grants: Vec<Grant>,
    grant_ids: HashMap<Grant, u32>,
    rows: Vec<Vec<u32>>,
    row_ids: HashMap<Vec<u32>, u32>,
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

/// Whether a resource-policy statement's `Principal` / `NotPrincipal` can cover `principal`
/// (a superset: when unsure, yes).
fn may_name(statement: &Statement, principal: &AnalysedPrincipal) -> bool {
    let Some(clause) = &statement.principals else {
        return true;
    };
    if clause.negated {
        return true;
    }
    let facts = &principal.facts;
    clause.items.iter().any(|item| match item {
        PrincipalPattern::Everyone => true,
        PrincipalPattern::Account(account) => facts
            .account
            .as_deref()
            .is_none_or(|own| own == account.as_str()),
        PrincipalPattern::Arn(arn) => match &facts.arn {
            Some(own) => {
                own.eq_ignore_ascii_case(arn)
                    || (principal.kind == PrincipalKind::Role
                        && arn.starts_with("arn:")
                        && arn.contains(":assumed-role/")
                        && arn
                            .split('/')
                            .nth(1)
                            .is_some_and(|role| role == principal.name))
            }
            None => facts
                .account
                .as_deref()
                .is_none_or(|own| crate::arn::account_of(arn) == Some(own)),
        },
        // A unique id (`AIDA…`, `AROA…`) cannot be told from the snapshot cheaply: maybe.
        PrincipalPattern::UniqueId(_) => true,
        PrincipalPattern::Service(_)
        | PrincipalPattern::Federated(_)
        | PrincipalPattern::CanonicalUser(_) => false,
    })
}

/// What `principal`'s policies read of a secret, and the context keys they read.
fn principal_view(
    shared: &Shared<'_>,
    principal: &AnalysedPrincipal,
    local: Vec<u32>,
) -> (PrincipalView, BTreeSet<String>) {
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
    let mut referenced = BTreeSet::new();
    let tags = &shared.global_keys.tags;
    for policy in own {
        for statement in keys::relevant_statements(&policy.policy, &shared.actions_lower) {
            let mut statement_keys = BTreeSet::new();
            keys::add_statement_keys(statement, &mut statement_keys);
            let mut bits = Vec::new();
            let mut always = statement.resources.is_none();
            let mut negated = false;
            if let Some(resources) = &statement.resources {
                negated = resources.negated;
                for pattern in &resources.items {
                    if keys::has_variable(&pattern.text) {
                        view.whole_arn = true;
                        always = true;
                    } else if let Some(id) = shared.index.id(&pattern.text) {
                        bits.push(bit_of(id, &mut view.local));
                    }
                }
            }
            let mut reads: Vec<SecretKey> = statement_keys
                .iter()
                .filter_map(|key| SecretKey::of_key(key, tags))
                .collect();
            reads.sort_unstable();
            reads.dedup();
            if !reads.is_empty() {
                view.keyed.push(KeyedStatement {
                    bits,
                    negated,
                    always,
                    reads,
                });
            }
            referenced.extend(statement_keys);
        }
    }
    view.keyed.sort();
    view.keyed.dedup();
    view.local_count = next_bit as usize;

    // Resource policies as this principal sees them.
    let mut signatures: HashMap<String, u32> = HashMap::new();
    view.resource_policies.push((0, Vec::new()));
    for policy in &shared.model.resource_policies {
        let mut parts: Vec<String> = Vec::new();
        let mut reads = BTreeSet::new();
        for statement in keys::relevant_statements(&policy.policy, &shared.actions_lower) {
            let mut statement_keys = BTreeSet::new();
            keys::add_statement_keys(statement, &mut statement_keys);
            referenced.extend(statement_keys.iter().cloned());
            if !may_name(statement, principal) {
                continue;
            }
            if statement
                .resources
                .iter()
                .flat_map(|r| r.items.iter())
                .any(|p| keys::has_variable(&p.text))
            {
                view.whole_arn = true;
            }
            reads.extend(
                statement_keys
                    .iter()
                    .filter_map(|key| SecretKey::of_key(key, tags)),
            );
            parts.push(format!(
                "{:?}|{:?}|{:?}|{:?}|{:?}",
                statement.effect,
                statement.actions,
                statement.resources,
                statement.principals,
                statement.conditions
            ));
        }
        parts.sort();
        let id = if parts.is_empty() {
            0
        } else {
            let next = u32::try_from(signatures.len() + 1).unwrap_or(u32::MAX);
            *signatures.entry(parts.join("\n")).or_insert(next)
        };
        view.resource_policies
            .push((id, reads.into_iter().collect()));
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
    let (view, referenced) = principal_view(shared, principal, std::mem::take(local));
    let projection = classes::project(&shared.atoms, &view);
    *local = view.local;
    output.classes += projection.representatives.len();

    let mut sets: HashMap<Option<usize>, PolicySet> = HashMap::new();
    let mut class_rows: Vec<u32> = Vec::with_capacity(projection.representatives.len());
    for atom in &projection.representatives {
        let atom = &shared.atoms.atoms[*atom as usize];
        let secret = shared.secrets[atom.representative];
        let set = sets
            .entry(secret.resource_policy)
            .or_insert_with(|| policy_set(model, principal, secret));
        let mut row = Vec::with_capacity(shared.actions.len());
        let mut any = false;
        for action in shared.actions {
            output.evaluations += 1;
            match judge(model, principal, secret, set, action, &referenced, true) {
                Some(grant) => {
                    any = true;
                    let id = output.grant_id(grant);
                    row.push(id);
                }
                None => row.push(u32::MAX),
            }
        }
        class_rows.push(if any { output.row_id(row) } else { u32::MAX });
    }
    let principal_id = u32::try_from(position).unwrap_or(u32::MAX);
    for (atom, class) in projection.class_of_atom.iter().enumerate() {
        let row = class_rows[*class as usize];
        if row != u32::MAX {
            output
                .triples
                .push((u32::try_from(atom).unwrap_or(u32::MAX), principal_id, row));
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

    // Every pattern and key any analysed principal's relevant statements use.
    let mut index = PatternIndex::default();
    let mut all_keys = BTreeSet::new();
    let mut variables = false;
    let add_policy = |policy: &NamedPolicy,
                      index: &mut PatternIndex,
                      keys_out: &mut BTreeSet<String>,
                      variables: &mut bool|
     -> Vec<u32> {
        let mut ids = Vec::new();
        for statement in keys::relevant_statements(&policy.policy, &actions_lower) {
            keys::add_statement_keys(statement, keys_out);
            if let Some(resources) = &statement.resources {
                for pattern in &resources.items {
                    if keys::has_variable(&pattern.text) {
                        *variables = true;
                    } else {
                        ids.push(index.intern(&pattern.text));
                    }
                }
            }
        }
        ids
    };
    let mut shared_keys = BTreeSet::new();
    let mut shared_patterns = Vec::new();
    for policy in model
        .resource_policies
        .iter()
        .chain(model.rcps.iter().flatten())
    {
        shared_patterns.extend(add_policy(
            policy,
            &mut index,
            &mut shared_keys,
            &mut variables,
        ));
    }
    all_keys.extend(shared_keys);
    for position in &principals {
        let set = &model.principals[*position].set;
        let own = set
            .identity
            .iter()
            .chain(set.boundary.iter())
            .chain(set.session.iter())
            .chain(set.scps.iter().flatten());
        for policy in own {
            add_policy(policy, &mut index, &mut all_keys, &mut variables);
        }
    }
    let global_keys = SecretKeys::from_referenced(&all_keys, variables);
    let atoms = classes::atoms(&secrets, &index, &global_keys);

    let shared = Shared {
        model,
        actions: &actions,
        actions_lower,
        secrets,
        index,
        atoms,
        global_keys,
        shared_patterns,
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
        handles
            .into_iter()
            .map(|handle| handle.join().unwrap_or_default())
            .collect()
    });

    // Merge: global grant and row tables, pairs sorted by (atom, principal).
    let mut grants: Vec<Grant> = Vec::new();
    let mut grant_ids: HashMap<Grant, u32> = HashMap::new();
    let mut rows: Vec<Vec<u32>> = Vec::new();
    let mut row_ids: HashMap<Vec<u32>, u32> = HashMap::new();
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
