//! Statement coverage of a `secaudit test` run (`--coverage`), the way `opa test --coverage`
//! reports the rules no test reached: every statement of every policy under test, and how many
//! requests it applied to (it was in the trace's `allowed_by` or `denied_by`). A statement no
//! request exercised is one whose every behaviour the tests leave unchecked.

use std::collections::BTreeMap;
use std::path::Path;

use super::case_file::CaseFile;
use super::report_text::one_line;
use super::runner::RequestResult;
use crate::eval::{Layer, NamedPolicy, PolicySet};

/// One statement and the number of requests it applied to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementUse {
    /// The policy file (for a policy given by path) or `case.json: identity_policies[0]`.
    pub policy: String,
    /// Zero-based index in the policy's `Statement`.
    pub index: usize,
    pub sid: Option<String>,
    /// Requests whose decision this statement took part in.
    pub hits: usize,
}

/// The statements of every policy the selected requests were decided against.
#[derive(Debug, Clone, Default)]
pub struct Coverage {
    statements: BTreeMap<(String, usize), StatementUse>,
}

impl Coverage {
    /// Adds the policies of `case` (loaded from `file`, relative paths against `base_dir`) and
    /// the statements the traces of `results` name.
    pub(crate) fn add_case(
        &mut self,
        file: &str,
        base_dir: &Path,
        case: &CaseFile,
        results: &[RequestResult],
    ) {
        for result in results {
            let request = &case.requests[result.index];
            let policies = request.policies(case);
            self.add_policies(file, base_dir, policies);
            for statement in result
                .evaluation
                .allowed_by
                .iter()
                .chain(&result.evaluation.denied_by)
            {
                if let Some(named) = find(policies, statement.layer, &statement.policy) {
                    let key = (policy_key(file, base_dir, named), statement.index);
                    if let Some(entry) = self.statements.get_mut(&key) {
                        entry.hits += 1;
                    }
                }
            }
        }
    }

    fn add_policies(&mut self, file: &str, base_dir: &Path, policies: &PolicySet) {
        for named in all(policies) {
            let policy = policy_key(file, base_dir, named);
            for (index, statement) in named.policy.statements().iter().enumerate() {
                self.statements
                    .entry((policy.clone(), index))
                    .or_insert_with(|| StatementUse {
                        policy: policy.clone(),
                        index,
                        sid: statement.sid.clone(),
                        hits: 0,
                    });
            }
        }
    }

    /// Every statement, by policy then index.
    pub fn statements(&self) -> impl Iterator<Item = &StatementUse> {
        self.statements.values()
    }

    /// The statements no request exercised.
    pub fn unexercised(&self) -> impl Iterator<Item = &StatementUse> {
        self.statements().filter(|statement| statement.hits == 0)
    }

    /// Exercised statements in per cent of all (100 when there is none).
    pub fn percent(&self) -> f64 {
        let total = self.statements.len();
        if total == 0 {
            return 100.0;
        }
        let exercised = total - self.unexercised().count();
        exercised as f64 * 100.0 / total as f64
    }

    /// The report: a `coverage:` line, then one line per statement no request exercised.
    pub fn lines(&self) -> Vec<String> {
        let total = self.statements.len();
        let missed: Vec<&StatementUse> = self.unexercised().collect();
        let mut lines = vec![format!(
            "coverage: {} of {total} statements exercised ({:.1}%)",
            total - missed.len(),
            self.percent()
        )];
        for statement in missed {
            let mut line = format!(
                "  not exercised: {} Statement[{}]",
                one_line(&statement.policy),
                statement.index
            );
            if let Some(sid) = &statement.sid {
                line.push_str(&format!(" `{}`", one_line(sid)));
            }
            lines.push(line);
        }
        lines
    }
}

/// A policy given by path is the same policy in every case file that names it; an inline one
/// belongs to its case file.
fn policy_key(file: &str, base_dir: &Path, named: &NamedPolicy) -> String {
    let path = base_dir.join(&named.name);
    if path.is_file() {
        let path = path.display().to_string();
        path.strip_prefix("./").unwrap_or(&path).to_owned()
    } else {
        format!("{file}: {}", named.name)
    }
}

fn all(policies: &PolicySet) -> impl Iterator<Item = &NamedPolicy> {
    policies
        .scps
        .iter()
        .flatten()
        .chain(policies.rcps.iter().flatten())
        .chain(&policies.resource)
        .chain(&policies.identity)
        .chain(&policies.boundary)
        .chain(&policies.session)
}

fn find<'a>(policies: &'a PolicySet, layer: Layer, name: &str) -> Option<&'a NamedPolicy> {
    let candidates: Box<dyn Iterator<Item = &NamedPolicy>> = match layer {
        Layer::Scp => Box::new(policies.scps.iter().flatten()),
        Layer::Rcp => Box::new(policies.rcps.iter().flatten()),
        Layer::Resource => Box::new(policies.resource.iter()),
        Layer::Identity => Box::new(policies.identity.iter()),
        Layer::Boundary => Box::new(policies.boundary.iter()),
        Layer::Session => Box::new(policies.session.iter()),
    };
    candidates.into_iter().find(|named| named.name == name)
}
