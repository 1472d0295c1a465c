//! Reading the shape of a JSON document with errors that name the offending path: present,
//! required and unknown fields, and the expected JSON types.

use serde_json::{Map, Value};

use super::error::CaseError;

/// Fields that document a case and are never interpreted, allowed at file and request level.
const DOCUMENTATION_FIELDS: [&str; 4] = ["note", "source", "confidence", "confidence_note"];

/// The value of `field` unless it is absent or `null` (omitted keys mean "none").
pub(crate) fn present<'a>(object: &'a Map<String, Value>, field: &str) -> Option<&'a Value> {
    object.get(field).filter(|value| !value.is_null())
}

pub(crate) fn required<'a>(
    object: &'a Map<String, Value>,
    field: &str,
) -> Result<&'a Value, CaseError> {
    present(object, field).ok_or_else(|| CaseError::new("", format!("missing field `{field}`")))
}

/// Fails on the first field (in key order) that is neither in `known` nor a documentation
/// field, suggesting the closest known field when there is one a typo away.
pub(crate) fn check_fields(
    object: &Map<String, Value>,
    location: &str,
    known: &[&str],
) -> Result<(), CaseError> {
    match object
        .keys()
        .find(|key| !known.contains(&key.as_str()) && !DOCUMENTATION_FIELDS.contains(&key.as_str()))
    {
        Some(unknown) => {
            let message = match closest(unknown, known) {
                Some(field) => format!("unknown field `{unknown}` (did you mean `{field}`?)"),
                None => format!("unknown field `{unknown}`"),
            };
            Err(CaseError::new(location, message))
        }
        None => Ok(()),
    }
}

/// The nearest known field a typo away from `unknown` (ignoring case): at most two edits, or
/// one edit per five characters for long names (`identity_policy` → `identity_policies`).
fn closest<'a>(unknown: &str, known: &[&'a str]) -> Option<&'a str> {
    let unknown = unknown.to_ascii_lowercase();
    known
        .iter()
        .map(|field| (edit_distance(&unknown, field), *field))
        .filter(|(distance, field)| *distance <= 2.max(field.len() / 5))
        .min()
        .map(|(_, field)| field)
}

/// Levenshtein distance over bytes (field names are ASCII).
fn edit_distance(a: &str, b: &str) -> usize {
    let b = b.as_bytes();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.bytes().enumerate() {
        let mut current = Vec::with_capacity(b.len() + 1);
        current.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

pub(crate) fn expect_object<'a>(
    value: &'a Value,
    location: &str,
) -> Result<&'a Map<String, Value>, CaseError> {
    value.as_object().ok_or_else(|| {
        CaseError::new(
            location,
            format!("expected an object, found {}", json_kind(value)),
        )
    })
}

pub(crate) fn expect_array<'a>(
    value: &'a Value,
    location: &str,
) -> Result<&'a Vec<Value>, CaseError> {
    value.as_array().ok_or_else(|| {
        CaseError::new(
            location,
            format!("expected a list, found {}", json_kind(value)),
        )
    })
}

pub(crate) fn expect_string<'a>(value: &'a Value, location: &str) -> Result<&'a str, CaseError> {
    value.as_str().ok_or_else(|| {
        CaseError::new(
            location,
            format!("expected a string, found {}", json_kind(value)),
        )
    })
}

/// The JSON type of a value, in words, for error messages.
pub(crate) fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}
