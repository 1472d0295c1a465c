//! Rule metadata, read from a rule file `rules/<id>.json`: id, title, description, severity,
//! resource type, parameters (name → type, default, description), the AWS Config rule and
//! Security Hub control it mirrors, and remediation text.
//!
//! This module parses and validates one file; it knows no rule logic and reads no files itself
//! (the catalogue hands it the text).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

use super::params::{ParamSpec, ParamType, describe};
use crate::findings::{Mappings, Severity};

/// The metadata of one rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleMeta {
    pub id: String,
    pub title: String,
    pub description: String,
    pub severity: Severity,
    /// The Config resource type of the findings, e.g. `AWS::SecretsManager::Secret`.
    pub resource_type: String,
    pub parameters: BTreeMap<String, ParamSpec>,
    pub mappings: Mappings,
    pub remediation: String,
}

/// A problem in a rule file: the JSON path and the message (the one JSON error).
pub(crate) use crate::json_error::JsonError as MetaError;

fn error(path: &str, message: impl Into<String>) -> MetaError {
    MetaError::new(
        crate::json_error::JsonPath::from_relative(path.to_owned()),
        message,
    )
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// The members of an object, refusing unknown keys.
fn object<'a>(
    value: &'a Value,
    path: &str,
    allowed: &[&str],
) -> Result<&'a Map<String, Value>, MetaError> {
    let map = value.as_object().ok_or_else(|| {
        error(
            path,
            format!("expected an object, found {}", describe(value)),
        )
    })?;
    if let Some(unknown) = map.keys().find(|key| !allowed.contains(&key.as_str())) {
        return Err(error(
            &join(path, unknown),
            format!(
                "unknown field `{unknown}`: expected one of {}",
                allowed
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    Ok(map)
}

fn string(map: &Map<String, Value>, path: &str, key: &str) -> Result<String, MetaError> {
    let at = join(path, key);
    match map.get(key) {
        Some(Value::String(text)) if !text.trim().is_empty() => Ok(text.clone()),
        Some(Value::String(_)) => Err(error(&at, "must not be empty")),
        Some(other) => Err(error(
            &at,
            format!("expected a string, found {}", describe(other)),
        )),
        None => Err(error(&at, "missing")),
    }
}

fn optional_string(
    map: &Map<String, Value>,
    path: &str,
    key: &str,
) -> Result<Option<String>, MetaError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(other) => Err(error(
            &join(path, key),
            format!("expected a string or null, found {}", describe(other)),
        )),
    }
}

/// An optional list of non-empty strings.
fn string_list(map: &Map<String, Value>, path: &str, key: &str) -> Result<Vec<String>, MetaError> {
    let at = join(path, key);
    match map.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(index, item)| match item {
                Value::String(text) if !text.trim().is_empty() => Ok(text.clone()),
                other => Err(error(
                    &format!("{at}[{index}]"),
                    format!("expected a non-empty string, found {}", describe(other)),
                )),
            })
            .collect(),
        Some(other) => Err(error(
            &at,
            format!("expected an array of strings, found {}", describe(other)),
        )),
    }
}

const TOP_FIELDS: [&str; 9] = [
    "id",
    "title",
    "description",
    "severity",
    "resource_type",
    "parameters",
    "mappings",
    "remediation",
    "$comment",
];
const PARAM_FIELDS: [&str; 5] = ["type", "default", "description", "minimum", "values"];

impl RuleMeta {
    /// Parses the text of a rule file.
    pub(crate) fn parse(text: &str) -> Result<RuleMeta, MetaError> {
        let value: Value = serde_json::from_str(text)
            .map_err(|cause| MetaError::in_text(format!("invalid JSON: {cause}")))?;
        let map = object(&value, "", &TOP_FIELDS)?;
        let id = string(map, "", "id")?;
        if !id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(error(
                "id",
                format!("`{id}`: expected lowercase letters, digits and `-`"),
            ));
        }
        let severity_text = string(map, "", "severity")?;
        let severity = Severity::parse(&severity_text).ok_or_else(|| {
            error(
                "severity",
                format!(
                    "unknown severity `{severity_text}`: expected `critical`, `high`, `medium`, `low` or `informational`"
                ),
            )
        })?;
        let mut parameters = BTreeMap::new();
        if let Some(params) = map.get("parameters") {
            let params = params.as_object().ok_or_else(|| {
                error(
                    "parameters",
                    format!("expected an object, found {}", describe(params)),
                )
            })?;
            for (name, spec) in params {
                parameters.insert(name.clone(), parse_param(spec, &join("parameters", name))?);
            }
        }
        let mappings = match map.get("mappings") {
            None => Mappings::default(),
            Some(value) => {
                let fields = object(
                    value,
                    "mappings",
                    &["config_rule", "security_hub", "related_requirements"],
                )?;
                Mappings {
                    config_rule: optional_string(fields, "mappings", "config_rule")?,
                    security_hub: optional_string(fields, "mappings", "security_hub")?,
                    related_requirements: string_list(fields, "mappings", "related_requirements")?,
                }
            }
        };
        Ok(RuleMeta {
            id,
            title: string(map, "", "title")?,
            description: string(map, "", "description")?,
            severity,
            resource_type: string(map, "", "resource_type")?,
            parameters,
            mappings,
            remediation: string(map, "", "remediation")?,
        })
    }
}

fn parse_param(value: &Value, path: &str) -> Result<ParamSpec, MetaError> {
    let map = object(value, path, &PARAM_FIELDS)?;
    let type_name = string(map, path, "type")?;
    let kind = match type_name.as_str() {
        "integer" => ParamType::Integer {
            minimum: match map.get("minimum") {
                None | Some(Value::Null) => None,
                Some(minimum) => Some(minimum.as_i64().ok_or_else(|| {
                    error(
                        &join(path, "minimum"),
                        format!("expected an integer, found {}", describe(minimum)),
                    )
                })?),
            },
        },
        "boolean" => ParamType::Boolean,
        "string" => ParamType::String,
        "string_list" => ParamType::StringList,
        "enum" => {
            let values_path = join(path, "values");
            let values = map
                .get("values")
                .and_then(Value::as_array)
                .ok_or_else(|| error(&values_path, "an `enum` parameter needs a list of `values`"))?
                .iter()
                .map(|item| {
                    item.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| error(&values_path, "expected a list of strings"))
                })
                .collect::<Result<Vec<_>, _>>()?;
            if values.is_empty() {
                return Err(error(&values_path, "must not be empty"));
            }
            ParamType::Enum { values }
        }
        other => {
            return Err(error(
                &join(path, "type"),
                format!(
                    "unknown type `{other}`: expected `integer`, `boolean`, `string`, `string_list` or `enum`"
                ),
            ));
        }
    };
    if map.contains_key("minimum") && !matches!(kind, ParamType::Integer { .. }) {
        return Err(error(
            &join(path, "minimum"),
            "only `integer` parameters have a minimum",
        ));
    }
    if map.contains_key("values") && !matches!(kind, ParamType::Enum { .. }) {
        return Err(error(
            &join(path, "values"),
            "only `enum` parameters have `values`",
        ));
    }
    let default_path = join(path, "default");
    let raw_default = map
        .get("default")
        .ok_or_else(|| error(&default_path, "missing (write `null` for \"not set\")"))?;
    let default = kind
        .coerce(raw_default, true)
        .map_err(|message| error(&default_path, message))?;
    Ok(ParamSpec {
        kind,
        default,
        description: string(map, path, "description")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rule(parameters: Value) -> String {
        json!({
            "id": "x-rule", "title": "t", "description": "d", "severity": "high",
            "resource_type": "AWS::SecretsManager::Secret", "parameters": parameters,
            "mappings": {"config_rule": "c", "security_hub": null}, "remediation": "r"
        })
        .to_string()
    }

    #[test]
    fn reads_a_rule_file() {
        let meta = RuleMeta::parse(&rule(json!({
            "days": {"type": "integer", "default": "90", "minimum": 1, "description": "d"},
            "mode": {"type": "enum", "values": ["a", "b"], "default": "a", "description": "m"}
        })))
        .unwrap();
        assert_eq!(meta.severity, Severity::High);
        assert_eq!(meta.parameters["days"].default, json!(90));
        assert_eq!(meta.mappings.config_rule.as_deref(), Some("c"));
        assert_eq!(meta.mappings.security_hub, None);
    }

    #[test]
    fn errors_name_the_json_path() {
        let table: &[(String, &str)] = &[
            ("{".to_string(), "invalid JSON"),
            (
                rule(json!({"d": {"type": "list", "default": null, "description": "d"}})),
                "$.parameters.d.type: unknown type `list`",
            ),
            (
                rule(json!({"d": {"type": "integer", "description": "d"}})),
                "$.parameters.d.default: missing",
            ),
            (
                rule(json!({"d": {"type": "integer", "default": "x", "description": "d"}})),
                "$.parameters.d.default: expected an integer, found `x`",
            ),
            (
                rule(json!({"d": {"type": "enum", "default": "a", "description": "d"}})),
                "$.parameters.d.values: an `enum` parameter needs",
            ),
            (
                rule(
                    json!({"d": {"type": "integer", "default": 1, "description": "d", "extra": 1}}),
                ),
                "$.parameters.d.extra: unknown field `extra`",
            ),
            (
                json!({"id": "Bad Id"}).to_string(),
                "$.id: `Bad Id`: expected lowercase",
            ),
            (
                json!({"id": "a", "title": "t", "description": "d", "severity": "severe"})
                    .to_string(),
                "$.severity: unknown severity `severe`",
            ),
            (
                json!({"id": "a", "title": "", "severity": "low"}).to_string(),
                "$.title: must not be empty",
            ),
        ];
        for (text, expected) in table {
            let error = RuleMeta::parse(text).unwrap_err();
            let message = error.to_string();
            assert!(message.starts_with(expected), "{message}");
        }
    }
}
