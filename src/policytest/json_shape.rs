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

pub(crate) fn check_fields(
    object: &Map<String, Value>,
    location: &str,
    known: &[&str],
) -> Result<(), CaseError> {
    match object
        .keys()
        .find(|key| !known.contains(&key.as_str()) && !DOCUMENTATION_FIELDS.contains(&key.as_str()))
    {
        Some(unknown) => Err(CaseError::new(
            location,
            format!("unknown field `{unknown}`"),
        )),
        None => Ok(()),
    }
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
