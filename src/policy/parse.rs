//! JSON → `Policy`, with a JSON path on every error.

use serde_json::Value;

use super::{Policy, PolicyError, PolicyKind};

pub(super) fn policy(value: &Value, kind: PolicyKind) -> Result<Policy, PolicyError> {
    let Value::Object(_) = value else {
        return Err(PolicyError::new("$", "expected a json object"));
    };
    Ok(Policy {
        kind,
        version: None,
        id: None,
        statements: Vec::new(),
    })
}
