//! Secret classes: secrets that every policy of the analysis treats alike.
//!
//! A request's decision depends on its secret only through (a) which `Resource` /
//! `NotResource` patterns of the relevant statements match the ARN, (b) the context values the
//! relevant statements read (tags, `SecretId`, stages, rotation function, primary region), (c)
//! the resource policy, and (d) the region and account. Secrets equal on all of these for one
//! principal's policies get the same decision from that principal, so one evaluation stands for
//! the whole class.
//!
//! This module does it in two steps. **Atoms**: secrets equal on everything any principal could
//! look at (all patterns of all policies, every tag key any policy reads…), computed once.
//! **Classes**: per principal, atoms projected onto what that principal's policies read. The
//! pattern index finds the patterns that match an ARN without trying them all: a pattern
//! `arn:…:secret:NAME*` (six colons, like every secret ARN, so its segments line up with the
//! ARN's) can only match names that start with its literal prefix; the others are tried on
//! every ARN. Either way the match itself is `crate::arn::resource_matches`, the evaluator's
//! own matcher. The equivalence with one-by-one evaluation is tested in `tests.rs`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use super::model::SecretFacts;
use crate::arn;
use crate::arn::wildcard::Piece;

/// A hash map keyed by ids the analysis made itself (atoms, classes, rows, outcome codes).
pub(crate) type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

/// A fast multiply-rotate hasher (the Fx hash of the Rust compiler) for `IdMap`: its keys are
/// small integers the analysis assigned, never text from a snapshot, so the default hasher's
/// resistance to chosen collisions buys nothing and costs a fifth of the class projection.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct IdHasher(u64);

impl IdHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Every distinct resource pattern of the analysis and an index to match ARNs against them.
#[derive(Debug, Default)]
pub(crate) struct PatternIndex {
    patterns: Vec<String>,
    ids: HashMap<String, u32>,
    by_prefix: HashMap<String, Vec<u32>>,
    generic: Vec<u32>,
}

/// The name part of a secret-like ARN pattern with exactly six colons, `None` otherwise.
fn name_segment(text: &str) -> Option<&str> {
    if text.bytes().filter(|b| *b == b':').count() != 6 || !text.starts_with("arn:") {
        return None;
    }
    text.rsplit(':').next()
}

impl PatternIndex {
    /// The id of `text`, adding it when new.
    pub(crate) fn intern(&mut self, text: &str) -> u32 {
        if let Some(id) = self.ids.get(text) {
            return *id;
        }
        let id = u32::try_from(self.patterns.len()).unwrap_or(u32::MAX);
        self.patterns.push(text.to_owned());
        self.ids.insert(text.to_owned(), id);
        match name_segment(text) {
            Some(name) => {
                let end = name.find(['*', '?']).unwrap_or(name.len());
                self.by_prefix
                    .entry(name[..end].to_owned())
                    .or_default()
                    .push(id);
            }
            None => self.generic.push(id),
        }
        id
    }

    /// The id of `text`, if interned.
    pub(crate) fn id(&self, text: &str) -> Option<u32> {
        self.ids.get(text).copied()
    }

    /// Number of patterns.
    pub(crate) fn len(&self) -> usize {
        self.patterns.len()
    }

    /// The ids of the patterns that match `arn`, sorted.
    pub(crate) fn matching(&self, arn_text: &str) -> Vec<u32> {
        let mut out: Vec<u32> = Vec::new();
        let try_one = |id: u32, out: &mut Vec<u32>| {
            if let Some(pattern) = self.patterns.get(id as usize)
                && arn::resource_matches(&[Piece::Wild(pattern)], arn_text)
            {
                out.push(id);
            }
        };
        match name_segment(arn_text) {
            Some(name) => {
                for &id in &self.generic {
                    try_one(id, &mut out);
                }
                for (end, _) in name.char_indices().chain([(name.len(), ' ')]) {
                    if let Some(ids) = self.by_prefix.get(&name[..end]) {
                        for &id in ids {
                            try_one(id, &mut out);
                        }
                    }
                }
            }
            None => {
                for id in 0..self.patterns.len() {
                    try_one(u32::try_from(id).unwrap_or(u32::MAX), &mut out);
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// Interns small strings (tag values, regions, stage lists) to ids; 0 means "absent".
#[derive(Debug, Default)]
pub(crate) struct Symbols {
    ids: BTreeMap<String, u32>,
    /// Id - 1 → text.
    texts: Vec<String>,
}

impl Symbols {
    pub(crate) fn id(&mut self, value: Option<&str>) -> u32 {
        let Some(value) = value else {
            return 0;
        };
        if let Some(id) = self.ids.get(value) {
            return *id;
        }
        self.texts.push(value.to_owned());
        let id = u32::try_from(self.texts.len()).unwrap_or(u32::MAX);
        self.ids.insert(value.to_owned(), id);
        id
    }
}

/// The secret-side keys of the analysis: which secret attributes some policy reads.
#[derive(Debug, Default, Clone)]
pub(crate) struct SecretKeys {
    /// Tag keys (lower case) read through `aws:ResourceTag/…` or `secretsmanager:ResourceTag/…`.
    pub tags: Vec<String>,
    pub stages: bool,
    pub rotation_lambda: bool,
    pub primary_region: bool,
    /// `secretsmanager:SecretId` or a variable in a resource pattern: the ARN itself matters.
    pub whole_arn: bool,
}

impl SecretKeys {
    /// The secret attributes read by a set of referenced keys (lower case).
    pub(crate) fn from_referenced(
        referenced: &BTreeSet<String>,
        variable_patterns: bool,
    ) -> SecretKeys {
        let mut tags = BTreeSet::new();
        for key in referenced {
            if let Some(tag) = key
                .strip_prefix("aws:resourcetag/")
                .or_else(|| key.strip_prefix("secretsmanager:resourcetag/"))
            {
                tags.insert(tag.to_owned());
            }
        }
        SecretKeys {
            tags: tags.into_iter().collect(),
            stages: referenced.contains("secretsmanager:versionstage"),
            rotation_lambda: referenced.contains("secretsmanager:resource/allowrotationlambdaarn"),
            primary_region: referenced.contains("secretsmanager:secretprimaryregion"),
            whole_arn: variable_patterns || referenced.contains("secretsmanager:secretid"),
        }
    }
}

/// Secrets equal for every principal's policies.
#[derive(Debug)]
pub(crate) struct Atom {
    /// A secret of the atom (index into the analysed secrets).
    pub representative: usize,
    /// Its matching pattern ids, sorted, as an index into `Atoms::matched_sets`.
    pub matched: u32,
    pub resource_policy: Option<usize>,
    /// The KMS key (index + 1; 0 none).
    pub key: u32,
    pub region: u32,
    pub account: u32,
    /// Per tag key of `SecretKeys::tags` (global), the value id (0 absent).
    pub tags: Vec<u32>,
    pub stages: u32,
    pub rotation_lambda: u32,
    pub primary_region: u32,
    /// The secret's own index when the whole ARN matters, else 0.
    pub arn: u32,
}

/// The atoms of a list of secrets.
#[derive(Debug)]
pub(crate) struct Atoms {
    pub atoms: Vec<Atom>,
    /// Atom of each secret.
    pub of_secret: Vec<u32>,
    /// The distinct lists of matching pattern ids (far fewer than atoms).
    pub matched_sets: Vec<Vec<u32>>,
    /// The text of each value id (id - 1; 0 is "absent").
    pub texts: Vec<String>,
}

impl Atoms {
    /// The text of a value id, `None` for 0 (absent).
    pub(crate) fn text(&self, id: u32) -> Option<&str> {
        (id as usize)
            .checked_sub(1)
            .and_then(|i| self.texts.get(i))
            .map(String::as_str)
    }
}

/// Groups `secrets` into atoms under `keys` (the union over all principals).
pub(crate) fn atoms(secrets: &[&SecretFacts], index: &PatternIndex, keys: &SecretKeys) -> Atoms {
    let mut symbols = Symbols::default();
    let mut by_key: IdMap<Vec<u32>, u32> = IdMap::default();
    let mut set_ids: IdMap<Vec<u32>, u32> = IdMap::default();
    let mut matched_sets: Vec<Vec<u32>> = Vec::new();
    let mut atoms: Vec<Atom> = Vec::new();
    let mut of_secret = Vec::with_capacity(secrets.len());
    for (position, secret) in secrets.iter().enumerate() {
        let matched = index.matching(&secret.arn);
        let tags: Vec<u32> = keys
            .tags
            .iter()
            .map(|tag| symbols.id(secret.tag_value(tag)))
            .collect();
        let stages = if keys.stages {
            symbols.id(Some(&secret.custom_stages.join(",")))
        } else {
            0
        };
        let region = symbols.id(Some(&secret.region));
        let account = symbols.id(Some(&secret.account));
        let rotation_lambda = if keys.rotation_lambda {
            symbols.id(secret.rotation_lambda_arn.as_deref())
        } else {
            0
        };
        let primary_region = if keys.primary_region {
            symbols.id(secret.primary_region.as_deref())
        } else {
            0
        };
        let arn = if keys.whole_arn {
            u32::try_from(position).unwrap_or(u32::MAX)
        } else {
            0
        };
        let resource_policy = secret.resource_policy;
        let kms_key = secret
            .key
            .map_or(0, |k| u32::try_from(k + 1).unwrap_or(u32::MAX));
        let mut key: Vec<u32> = Vec::with_capacity(matched.len() + tags.len() + 8);
        key.extend([
            resource_policy.map_or(0, |rp| u32::try_from(rp + 1).unwrap_or(u32::MAX)),
            region,
            account,
            stages,
            rotation_lambda,
            primary_region,
            arn,
            kms_key,
        ]);
        key.extend(&tags);
        key.push(u32::MAX);
        key.extend(&matched);
        let next = u32::try_from(atoms.len()).unwrap_or(u32::MAX);
        let atom = *by_key.entry(key).or_insert_with(|| {
            let next_set = u32::try_from(matched_sets.len()).unwrap_or(u32::MAX);
            let matched = *set_ids.entry(matched.clone()).or_insert_with(|| {
                matched_sets.push(matched);
                next_set
            });
            atoms.push(Atom {
                representative: position,
                matched,
                resource_policy,
                key: kms_key,
                region,
                account,
                tags,
                stages,
                rotation_lambda,
                primary_region,
                arn,
            });
            next
        });
        of_secret.push(atom);
    }
    Atoms {
        atoms,
        of_secret,
        matched_sets,
        texts: symbols.texts,
    }
}

/// A secret attribute a statement reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum SecretKey {
    /// Index into the global `SecretKeys::tags`.
    Tag(usize),
    Region,
    Account,
    Stages,
    RotationLambda,
    PrimaryRegion,
    Arn,
}

impl SecretKey {
    /// The attribute behind a context key (lower case), if it comes from the secret.
    pub(crate) fn of_key(key: &str, tags: &[String]) -> Option<SecretKey> {
        if let Some(tag) = key
            .strip_prefix("aws:resourcetag/")
            .or_else(|| key.strip_prefix("secretsmanager:resourcetag/"))
        {
            return tags.iter().position(|t| t == tag).map(SecretKey::Tag);
        }
        match key {
            "aws:requestedregion" => Some(SecretKey::Region),
            "aws:resourceaccount" => Some(SecretKey::Account),
            "secretsmanager:versionstage" => Some(SecretKey::Stages),
            "secretsmanager:resource/allowrotationlambdaarn" => Some(SecretKey::RotationLambda),
            "secretsmanager:secretprimaryregion" => Some(SecretKey::PrimaryRegion),
            "secretsmanager:secretid" => Some(SecretKey::Arn),
            _ => None,
        }
    }

    fn value(self, atom: &Atom, out: &mut Vec<u32>) {
        match self {
            SecretKey::Tag(index) => out.push(atom.tags.get(index).copied().unwrap_or(0)),
            SecretKey::Region => out.push(atom.region),
            SecretKey::Account => out.push(atom.account),
            SecretKey::Stages => out.push(atom.stages),
            SecretKey::RotationLambda => out.push(atom.rotation_lambda),
            SecretKey::PrimaryRegion => out.extend([atom.primary_region, atom.region]),
            SecretKey::Arn => out.push(atom.arn),
        }
    }
}

/// A statement of a principal's policies that reads secret attributes: they matter only for
/// secrets its `Resource` / `NotResource` clause covers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct KeyedStatement {
    /// Local bits of its patterns.
    pub bits: Vec<u32>,
    /// `NotResource`.
    pub negated: bool,
    /// No `Resource` element, or a pattern with a variable: treat as covering every secret.
    pub always: bool,
    /// Attributes whose raw value the statement's conditions compare.
    pub reads: Vec<SecretKey>,
    /// Conditions on one tag, keyed by their outcome instead of the tag's value (indexes into
    /// `PrincipalView::tag_conditions`).
    pub outcomes: Vec<u32>,
}

/// A condition of a principal's statement that reads one secret tag and otherwise only
/// principal-side values: for that principal its outcome depends on the tag value alone, so
/// classes are keyed by the outcome ("team == mine" or not), not by the value.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TagCondition<'a> {
    pub condition: &'a crate::policy::Condition,
    /// Index into the global `SecretKeys::tags`.
    pub tag: usize,
}

/// What one principal's policies read of a secret.
#[derive(Debug, Default)]
pub(crate) struct PrincipalView<'a> {
    pub tag_conditions: Vec<TagCondition<'a>>,
    /// Global pattern id → local bit (`u32::MAX`: not read).
    pub local: Vec<u32>,
    pub local_count: usize,
    pub keyed: Vec<KeyedStatement>,
    /// Per resource policy index + 1 (0 = none): the policy as this principal sees it (its
    /// statements that can name the principal, by content) and the attributes they read.
    pub resource_policies: Vec<(u32, Vec<SecretKey>)>,
    /// A resource pattern with a variable: the whole ARN matters.
    pub whole_arn: bool,
}

/// One principal's view of the atoms: the class of each atom and a representative atom per
/// class.
#[derive(Debug, Default)]
pub(crate) struct Projection {
    pub class_of_atom: Vec<u32>,
    pub representatives: Vec<u32>,
}

/// Projects `atoms` onto what one principal's policies read (`view`); `outcome` gives the
/// outcome code of a tag condition (index into `view.tag_conditions`) for a value id.
pub(crate) fn project(
    atoms: &Atoms,
    view: &PrincipalView<'_>,
    outcome: &mut impl FnMut(u32, u32) -> u32,
) -> Projection {
    let words = view.local_count.div_ceil(32);
    let mut by_key: IdMap<Box<[u32]>, u32> = IdMap::default();
    let mut projection = Projection {
        class_of_atom: Vec::with_capacity(atoms.atoms.len()),
        representatives: Vec::new(),
    };
    let mut key: Vec<u32> = Vec::new();
    // The local bits of each matching-pattern list, computed on first use.
    let mut set_words: Vec<u32> = vec![0; atoms.matched_sets.len() * words];
    let mut set_done: Vec<bool> = vec![false; atoms.matched_sets.len()];
    for (position, atom) in atoms.atoms.iter().enumerate() {
        key.clear();
        let rp = atom.resource_policy.map_or(0, |rp| rp + 1);
        let (effective, reads) = view
            .resource_policies
            .get(rp)
            .map_or((0, &[][..]), |(id, reads)| (*id, reads.as_slice()));
        // Not the KMS key: the analysis adds the key side per (class, key).
        key.extend([
            effective,
            atom.account,
            if view.whole_arn { atom.arn } else { 0 },
        ]);
        let start = key.len();
        let set = atom.matched as usize;
        let bits = &mut set_words[set * words..(set + 1) * words];
        if !set_done[set] {
            set_done[set] = true;
            for id in &atoms.matched_sets[set] {
                if let Some(&bit) = view.local.get(*id as usize)
                    && bit != u32::MAX
                {
                    let bit = bit as usize;
                    bits[bit / 32] |= 1 << (bit % 32);
                }
            }
        }
        key.extend_from_slice(bits);
        for statement in &view.keyed {
            let matched = statement.bits.iter().any(|bit| {
                let bit = *bit as usize;
                key[start + bit / 32] & (1 << (bit % 32)) != 0
            });
            if statement.always || matched != statement.negated {
                for read in &statement.reads {
                    read.value(atom, &mut key);
                }
                for index in &statement.outcomes {
                    let tag = view.tag_conditions[*index as usize].tag;
                    let value = atom.tags.get(tag).copied().unwrap_or(0);
                    key.push(outcome(*index, value));
                }
            }
        }
        for read in reads {
            read.value(atom, &mut key);
        }
        let next = u32::try_from(projection.representatives.len()).unwrap_or(u32::MAX);
        let class = match by_key.get(key.as_slice()) {
            Some(class) => *class,
            None => {
                by_key.insert(key.clone().into_boxed_slice(), next);
                projection
                    .representatives
                    .push(u32::try_from(position).unwrap_or(u32::MAX));
                next
            }
        };
        projection.class_of_atom.push(class);
    }
    projection
}
