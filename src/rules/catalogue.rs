//! The rule catalogue: the metadata of every rule, from the rule files embedded in the binary
//! (`Catalogue::builtin`) or from a directory of rule files (`Catalogue::from_dir`, for
//! `--rules DIR`, which may retitle, reword, re-rate or re-default the built-in rules but not
//! invent new ones: every rule needs its function).
//!
//! This module checks that each file is a rule (its id equal to its file stem, a registered
//! function, the parameters that function reads); it runs nothing.

use std::collections::BTreeSet;
use std::path::Path;

use super::checks::REGISTRY;
use super::error::RuleError;
use super::meta::RuleMeta;

/// The rules known to a run, sorted by id.
#[derive(Debug, Clone, PartialEq)]
pub struct Catalogue {
    rules: Vec<RuleMeta>,
}

/// The ids that have a rule function, in registry order.
pub fn registered_rule_ids() -> Vec<&'static str> {
    REGISTRY.iter().map(|entry| entry.id).collect()
}

/// The snapshot data the rule `id`'s judgements read (`None`: no rule function has that id).
/// A collection for that rule alone can leave the rest out.
pub fn rule_reads(id: &str) -> Option<&'static [crate::snapshot::Api]> {
    REGISTRY
        .iter()
        .find(|entry| entry.id == id)
        .map(|entry| entry.reads)
}

impl Catalogue {
    /// The built-in rules: `rules/*.json` as compiled into the binary.
    pub fn builtin() -> Result<Catalogue, RuleError> {
        let mut rules = Vec::with_capacity(REGISTRY.len());
        for entry in REGISTRY {
            let file = format!("rules/{}.json", entry.id);
            let meta = parse_rule_file(&file, entry.file)?;
            if meta.id != entry.id {
                return Err(RuleError::RuleFile {
                    file,
                    path: "id".to_string(),
                    message: format!("`{}` differs from the file name `{}`", meta.id, entry.id),
                });
            }
            rules.push(meta);
        }
        Catalogue::from_rules(rules)
    }

    /// The rules of `dir` (`*.json`, one rule each). Each id must equal its file stem and be
    /// a built-in rule's id, with the same parameter names as the built-in rule file.
    pub fn from_dir(dir: &Path) -> Result<Catalogue, RuleError> {
        let read_error = |path: &Path, cause: std::io::Error| RuleError::Read {
            path: path.display().to_string(),
            message: cause.to_string().to_lowercase(),
        };
        let mut paths = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(|cause| read_error(dir, cause))? {
            let path = entry.map_err(|cause| read_error(dir, cause))?.path();
            if path.extension().is_some_and(|ext| ext == "json") && path.is_file() {
                paths.push(path);
            }
        }
        paths.sort();
        if paths.is_empty() {
            return Err(RuleError::Read {
                path: dir.display().to_string(),
                message: "no rule files (`*.json`) in the directory".to_string(),
            });
        }
        let builtin = Catalogue::builtin()?;
        let mut rules = Vec::with_capacity(paths.len());
        for path in paths {
            let file = path.display().to_string();
            let text = std::fs::read_to_string(&path).map_err(|cause| read_error(&path, cause))?;
            let meta = parse_rule_file(&file, &text)?;
            let stem = path
                .file_stem()
                .map(|stem| stem.to_string_lossy().into_owned())
                .unwrap_or_default();
            if meta.id != stem {
                return Err(RuleError::RuleFile {
                    file,
                    path: "id".to_string(),
                    message: format!("`{}` differs from the file name `{stem}`", meta.id),
                });
            }
            let Some(original) = builtin.get(&meta.id) else {
                return Err(RuleError::NoFunction { file, id: meta.id });
            };
            let names: BTreeSet<&String> = meta.parameters.keys().collect();
            let expected: BTreeSet<&String> = original.parameters.keys().collect();
            if names != expected {
                return Err(RuleError::RuleFile {
                    file,
                    path: "parameters".to_string(),
                    message: format!(
                        "expected the parameters of the built-in rule: {}",
                        list_or_none(expected.iter().map(|name| format!("`{name}`")))
                    ),
                });
            }
            rules.push(meta);
        }
        Catalogue::from_rules(rules)
    }

    fn from_rules(mut rules: Vec<RuleMeta>) -> Result<Catalogue, RuleError> {
        rules.sort_by(|a, b| a.id.cmp(&b.id));
        if let Some(pair) = rules.windows(2).find(|pair| pair[0].id == pair[1].id) {
            return Err(RuleError::Duplicate {
                file: format!("{}.json", pair[1].id),
                id: pair[1].id.clone(),
            });
        }
        Ok(Catalogue { rules })
    }

    /// Every rule, sorted by id.
    pub fn rules(&self) -> &[RuleMeta] {
        &self.rules
    }

    /// The rule with this id.
    pub fn get(&self, id: &str) -> Option<&RuleMeta> {
        self.rules
            .binary_search_by(|rule| rule.id.as_str().cmp(id))
            .ok()
            .and_then(|index| self.rules.get(index))
    }
}

fn parse_rule_file(file: &str, text: &str) -> Result<RuleMeta, RuleError> {
    RuleMeta::parse(text).map_err(|error| RuleError::RuleFile {
        file: file.to_string(),
        path: error.path,
        message: error.message,
    })
}

fn list_or_none(items: impl Iterator<Item = String>) -> String {
    let items: Vec<String> = items.collect();
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}
