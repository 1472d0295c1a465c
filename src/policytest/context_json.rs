//! Request context written as JSON (case files, `eval --context KEY:=JSON`): the accepted value
//! shapes, case-insensitive duplicate detection, and the hand-over to `eval::Context`.

use serde_json::{Map, Value};

use super::error::CaseError;
use super::json_shape::json_kind;
use crate::eval::Context;

/// Context entries as JSON values. Key names are case-insensitive, as in IAM: a second spelling
/// of a key already present is an error, never a silent overwrite.
#[derive(Debug, Clone, Default)]
pub struct ContextEntries {
    values: Map<String, Value>,
}

impl ContextEntries {
    pub fn new() -> Self {
        Self::default()
    }

    /// The entries of a context object that `check_context_object` accepted.
    pub(crate) fn from_checked(values: Map<String, Value>) -> Self {
        Self { values }
    }

    /// True when `key` is present under any spelling.
    pub fn contains(&self, key: &str) -> bool {
        self.values
            .keys()
            .any(|known| known.eq_ignore_ascii_case(key))
    }

    /// Adds one entry; `Err` on a duplicate key or a value of the wrong shape (the error's
    /// location is relative to the value: empty, or `[2]` for a bad list item).
    pub fn insert(&mut self, key: &str, value: Value) -> Result<(), CaseError> {
        if key.is_empty() {
            return Err(CaseError::new("", "empty context key"));
        }
        if self.contains(key) {
            return Err(CaseError::new(
                "",
                format!("duplicate context key `{key}` (keys are case-insensitive)"),
            ));
        }
        check_context_value(&value)?;
        self.values.insert(key.to_owned(), value);
        Ok(())
    }

    /// Adds `key` only when no spelling of it is present yet (derived keys never overwrite).
    pub fn insert_if_absent(&mut self, key: &str, value: &str) {
        if !self.contains(key) {
            self.values
                .insert(key.to_owned(), Value::String(value.to_owned()));
        }
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when there is no key.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The entries as the evaluator's context.
    pub fn to_context(&self) -> Result<Context, String> {
        Context::from_json(&self.values).map_err(|error| error.to_string())
    }
}

/// Checks a whole context object as `ContextEntries::insert` would, without copying it: every
/// value's shape, and no key given twice under two spellings (the error names the later key,
/// relative to the object).
pub fn check_context_object(object: &Map<String, Value>) -> Result<(), CaseError> {
    for (index, (key, value)) in object.iter().enumerate() {
        if key.is_empty() {
            return Err(CaseError::new("", "empty context key"));
        }
        if object
            .keys()
            .take(index)
            .any(|earlier| earlier.eq_ignore_ascii_case(key))
        {
            return Err(CaseError::new(
                key.as_str(),
                format!("duplicate context key `{key}` (keys are case-insensitive)"),
            ));
        }
        check_context_value(value).map_err(|error| error.within(key))?;
    }
    Ok(())
}

/// Checks that `value` is a context value: a string, number or boolean, or a list of those.
pub fn check_context_value(value: &Value) -> Result<(), CaseError> {
    const EXPECTED: &str = "expected a string, number, boolean or list of those";
    match value {
        Value::String(_) | Value::Number(_) | Value::Bool(_) => Ok(()),
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                match item {
                    Value::String(_) | Value::Number(_) | Value::Bool(_) => {}
                    other => {
                        return Err(CaseError::new(
                            format!("[{index}]"),
                            format!(
                                "expected a string, number or boolean, found {}",
                                json_kind(other)
                            ),
                        ));
                    }
                }
            }
            Ok(())
        }
        other => Err(CaseError::new(
            "",
            format!("{EXPECTED}, found {}", json_kind(other)),
        )),
    }
}
