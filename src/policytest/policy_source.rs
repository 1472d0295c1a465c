//! Where a case's policies come from: inline documents, or files named by a path relative to
//! the case file (read once per load, however many cases share them), and SCP/RCP levels. Every
//! error names the policy's location in the case file, then the policy file, then the JSON path
//! inside the policy.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Map, Value};

use super::error::{CaseError, CaseFileError, io_reason, json_text_error};
use super::json_shape::{expect_array, json_kind, present};
use crate::eval::NamedPolicy;
use crate::policy::{Policy, PolicyKind};

/// Policy files already read during one load, so that a policy shared by many cases of a JSON
/// Lines file is parsed once.
#[derive(Debug, Default)]
pub(crate) struct PolicyFiles {
    compiled: BTreeMap<(PathBuf, &'static str), Arc<Policy>>,
}

impl PolicyFiles {
    fn load(
        &mut self,
        path: PathBuf,
        kind: PolicyKind,
        kind_key: &'static str,
    ) -> Result<Arc<Policy>, CaseFileError> {
        let key = (path, kind_key);
        if let Some(policy) = self.compiled.get(&key) {
            return Ok(Arc::clone(policy));
        }
        let policy = Arc::new(load_policy_file(&key.0, kind)?);
        self.compiled.insert(key, Arc::clone(&policy));
        Ok(policy)
    }
}

/// Reads and compiles the policy document at `path` as a policy of `kind`.
pub fn load_policy_file(path: &Path, kind: PolicyKind) -> Result<Policy, CaseFileError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|error| CaseFileError::Unreadable {
        file: file.clone(),
        reason: io_reason(&error),
    })?;
    let invalid = |error: CaseError| CaseFileError::Invalid {
        file: file.clone(),
        error,
    };
    let value: Value =
        crate::policy::parse_json_text(&text).map_err(|e| invalid(json_text_error(&e)))?;
    Policy::from_value(&value, kind).map_err(invalid)
}

/// Reads the policies of one case: inline documents or paths relative to the case file.
pub(crate) struct PolicyLoader<'a> {
    pub(crate) base_dir: &'a Path,
    pub(crate) files: &'a mut PolicyFiles,
}

impl PolicyLoader<'_> {
    pub(crate) fn policy(
        &mut self,
        value: &Value,
        location: &str,
        kind: PolicyKind,
        kind_key: &'static str,
    ) -> Result<NamedPolicy, CaseError> {
        match value {
            Value::Object(_) => {
                let policy =
                    Policy::from_value(value, kind).map_err(|error| error.within(location))?;
                Ok(NamedPolicy {
                    name: location.to_owned(),
                    policy: Arc::new(policy),
                })
            }
            Value::String(relative) => {
                if relative.is_empty() {
                    return Err(CaseError::new(location, "empty policy path"));
                }
                let policy = self
                    .files
                    .load(self.base_dir.join(relative), kind, kind_key)
                    .map_err(|error| CaseError::new(location, error.to_string()))?;
                Ok(NamedPolicy {
                    name: relative.clone(),
                    policy,
                })
            }
            other => Err(CaseError::new(
                location,
                format!(
                    "expected a policy document or a path, found {}",
                    json_kind(other)
                ),
            )),
        }
    }

    pub(crate) fn optional(
        &mut self,
        object: &Map<String, Value>,
        field: &str,
        kind: PolicyKind,
        kind_key: &'static str,
    ) -> Result<Option<NamedPolicy>, CaseError> {
        present(object, field)
            .map(|value| self.policy(value, field, kind, kind_key))
            .transpose()
    }

    /// `scps` / `rcps`: a flat list is one level; a list of lists is one list per level, root
    /// first; `[]`, `null` or absent is no Organizations.
    pub(crate) fn levels(
        &mut self,
        object: &Map<String, Value>,
        field: &str,
        kind: PolicyKind,
        kind_key: &'static str,
    ) -> Result<Vec<Vec<NamedPolicy>>, CaseError> {
        let Some(value) = present(object, field) else {
            return Ok(Vec::new());
        };
        let items = expect_array(value, field)?;
        if items.is_empty() {
            return Ok(Vec::new());
        }
        let nested = items.iter().filter(|item| item.is_array()).count();
        if nested == 0 {
            let level = items
                .iter()
                .enumerate()
                .map(|(index, item)| {
                    self.policy(item, &format!("{field}[{index}]"), kind, kind_key)
                })
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(vec![level]);
        }
        if nested != items.len() {
            let first_flat = items.iter().position(|item| !item.is_array()).unwrap_or(0);
            return Err(CaseError::new(
                format!("{field}[{first_flat}]"),
                "expected a list of policies for this level: write either a flat list of policies (one level) or a list of levels",
            ));
        }
        let mut levels = Vec::with_capacity(items.len());
        for (level_index, level) in items.iter().enumerate() {
            let level = expect_array(level, &format!("{field}[{level_index}]"))?
                .iter()
                .enumerate()
                .map(|(index, item)| {
                    self.policy(
                        item,
                        &format!("{field}[{level_index}][{index}]"),
                        kind,
                        kind_key,
                    )
                })
                .collect::<Result<Vec<_>, _>>()?;
            levels.push(level);
        }
        Ok(levels)
    }
}
