//! Rule parameters: their declared types (from the rule files), how a value given in a rule
//! file or a `--config` file is read into that type (numbers or numeric strings, lists or
//! comma-separated strings, as AWS Config passes them), and `Params`, the effective values a
//! rule function reads.
//!
//! This module converts and checks values; it does not know which rule reads what.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::error::RuleError;

/// The type of a parameter, as written in a rule file's `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ParamType {
    /// A whole number, at least `minimum` when given.
    Integer {
        #[serde(skip_serializing_if = "Option::is_none")]
        minimum: Option<i64>,
    },
    Boolean,
    String,
    /// A list of strings; a comma-separated string is accepted too.
    StringList,
    /// One of `values`.
    Enum {
        values: Vec<String>,
    },
}

impl ParamType {
    /// The name used in rule files.
    pub fn name(&self) -> &'static str {
        match self {
            ParamType::Integer { .. } => "integer",
            ParamType::Boolean => "boolean",
            ParamType::String => "string",
            ParamType::StringList => "string_list",
            ParamType::Enum { .. } => "enum",
        }
    }

    /// Reads `value` as this type. `null` means "not set" and is accepted only when
    /// `nullable` (the parameter's default is `null`). The error is a message without a path.
    pub fn coerce(&self, value: &Value, nullable: bool) -> Result<Value, String> {
        if value.is_null() {
            return if nullable {
                Ok(Value::Null)
            } else {
                Err(format!(
                    "expected {}, found null (this parameter cannot be unset)",
                    self.expected()
                ))
            };
        }
        match self {
            ParamType::Integer { minimum } => {
                let number = match value {
                    Value::Number(number) => number.as_i64().or_else(|| {
                        number
                            .as_f64()
                            .filter(|f| f.fract() == 0.0)
                            .map(|f| f as i64)
                    }),
                    Value::String(text) => text.trim().parse::<i64>().ok(),
                    _ => None,
                }
                .ok_or_else(|| format!("expected an integer, found {}", describe(value)))?;
                if let Some(minimum) = minimum
                    && number < *minimum
                {
                    return Err(format!(
                        "expected an integer of at least {minimum}, found `{number}`"
                    ));
                }
                Ok(Value::from(number))
            }
            ParamType::Boolean => match value {
                Value::Bool(flag) => Ok(Value::Bool(*flag)),
                Value::String(text) if text.trim().eq_ignore_ascii_case("true") => {
                    Ok(Value::Bool(true))
                }
                Value::String(text) if text.trim().eq_ignore_ascii_case("false") => {
                    Ok(Value::Bool(false))
                }
                _ => Err(format!(
                    "expected `true` or `false`, found {}",
                    describe(value)
                )),
            },
            ParamType::String => match value {
                Value::String(text) => Ok(Value::String(text.clone())),
                _ => Err(format!("expected a string, found {}", describe(value))),
            },
            ParamType::StringList => match value {
                Value::String(text) => Ok(Value::Array(
                    text.split(',')
                        .map(str::trim)
                        .filter(|item| !item.is_empty())
                        .map(|item| Value::String(item.to_string()))
                        .collect(),
                )),
                Value::Array(items) => items
                    .iter()
                    .enumerate()
                    .map(|(index, item)| match item {
                        Value::String(text) => Ok(Value::String(text.trim().to_string())),
                        _ => Err(format!(
                            "[{index}]: expected a string, found {}",
                            describe(item)
                        )),
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map(Value::Array),
                _ => Err(format!(
                    "expected a list of strings or a comma-separated string, found {}",
                    describe(value)
                )),
            },
            ParamType::Enum { values } => {
                let text = value.as_str().map(str::trim).unwrap_or_default();
                values
                    .iter()
                    .find(|allowed| allowed.eq_ignore_ascii_case(text))
                    .map(|allowed| Value::String(allowed.clone()))
                    .ok_or_else(|| {
                        format!(
                            "expected one of {}, found {}",
                            values
                                .iter()
                                .map(|v| format!("`{v}`"))
                                .collect::<Vec<_>>()
                                .join(", "),
                            describe(value)
                        )
                    })
            }
        }
    }

    fn expected(&self) -> &'static str {
        match self {
            ParamType::Integer { .. } => "an integer",
            ParamType::Boolean => "`true` or `false`",
            ParamType::String => "a string",
            ParamType::StringList => "a list of strings",
            ParamType::Enum { .. } => "one of the allowed values",
        }
    }
}

/// A value as quoted in an error message.
pub(crate) fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(flag) => format!("`{flag}`"),
        Value::Number(number) => format!("`{number}`"),
        Value::String(text) => format!("`{text}`"),
        Value::Array(_) => "a list".to_string(),
        Value::Object(_) => "an object".to_string(),
    }
}

/// One parameter of a rule: its type, default and meaning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParamSpec {
    #[serde(flatten)]
    pub kind: ParamType,
    /// Already coerced to `kind`; `null` means "not set" (the rule decides what that means).
    pub default: Value,
    pub description: String,
}

impl ParamSpec {
    /// Reads an override of this parameter.
    pub fn coerce(&self, value: &Value) -> Result<Value, String> {
        self.kind.coerce(value, self.default.is_null())
    }
}

/// The effective parameters of one rule run: every declared parameter, with its value.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Params {
    rule: String,
    values: BTreeMap<String, Value>,
}

impl Params {
    /// Builds the parameters of `rule` from already-coerced values.
    pub fn new(rule: &str, values: BTreeMap<String, Value>) -> Params {
        Params {
            rule: rule.to_string(),
            values,
        }
    }

    /// The values, as a JSON object (for reports).
    pub fn to_json(&self) -> Value {
        Value::Object(
            self.values
                .iter()
                .map(|(name, value)| (name.clone(), value.clone()))
                .collect(),
        )
    }

    fn get(&self, name: &str) -> Result<&Value, RuleError> {
        self.values
            .get(name)
            .ok_or_else(|| self.error(name, "not declared in the rule file"))
    }

    fn error(&self, name: &str, message: &str) -> RuleError {
        RuleError::Parameter {
            rule: self.rule.clone(),
            parameter: name.to_string(),
            message: message.to_string(),
        }
    }

    /// An integer parameter; `None` when unset.
    pub fn integer(&self, name: &str) -> Result<Option<i64>, RuleError> {
        match self.get(name)? {
            Value::Null => Ok(None),
            value => value
                .as_i64()
                .map(Some)
                .ok_or_else(|| self.error(name, "expected an integer")),
        }
    }

    /// A boolean parameter (never unset).
    pub fn boolean(&self, name: &str) -> Result<bool, RuleError> {
        self.get(name)?
            .as_bool()
            .ok_or_else(|| self.error(name, "expected `true` or `false`"))
    }

    /// A string or enum parameter; `None` when unset.
    pub fn string(&self, name: &str) -> Result<Option<&str>, RuleError> {
        match self.get(name)? {
            Value::Null => Ok(None),
            value => value
                .as_str()
                .map(Some)
                .ok_or_else(|| self.error(name, "expected a string")),
        }
    }

    /// A string-list parameter; empty when unset.
    pub fn strings(&self, name: &str) -> Result<Vec<String>, RuleError> {
        match self.get(name)? {
            Value::Null => Ok(Vec::new()),
            Value::Array(items) => items
                .iter()
                .map(|item| {
                    item.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| self.error(name, "expected a list of strings"))
                })
                .collect(),
            _ => Err(self.error(name, "expected a list of strings")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn coercion_table() {
        let integer = ParamType::Integer { minimum: Some(1) };
        let list = ParamType::StringList;
        let choice = ParamType::Enum {
            values: vec!["age-from-creation".into(), "fail".into()],
        };
        let table: &[(&ParamType, Value, bool, Result<Value, &str>)] = &[
            (&integer, json!(90), false, Ok(json!(90))),
            (&integer, json!("90"), false, Ok(json!(90))),
            (&integer, json!(" 30 "), false, Ok(json!(30))),
            (&integer, json!(30.0), false, Ok(json!(30))),
            (
                &integer,
                json!(30.5),
                false,
                Err("expected an integer, found `30.5`"),
            ),
            (
                &integer,
                json!("ninety"),
                false,
                Err("expected an integer, found `ninety`"),
            ),
            (&integer, json!(0), false, Err("at least 1")),
            (&integer, json!(null), true, Ok(json!(null))),
            (&integer, json!(null), false, Err("cannot be unset")),
            (&ParamType::Boolean, json!("TRUE"), false, Ok(json!(true))),
            (&ParamType::Boolean, json!(false), false, Ok(json!(false))),
            (
                &ParamType::Boolean,
                json!(1),
                false,
                Err("expected `true` or `false`"),
            ),
            (&list, json!("a, b,,c"), false, Ok(json!(["a", "b", "c"]))),
            (&list, json!(""), false, Ok(json!([]))),
            (&list, json!(["x", " y "]), false, Ok(json!(["x", "y"]))),
            (
                &list,
                json!(["x", 3]),
                false,
                Err("[1]: expected a string, found `3`"),
            ),
            (&list, json!(3), false, Err("comma-separated")),
            (&choice, json!("FAIL"), false, Ok(json!("fail"))),
            (
                &choice,
                json!("never"),
                false,
                Err("expected one of `age-from-creation`, `fail`"),
            ),
        ];
        for (kind, input, nullable, expected) in table {
            let got = kind.coerce(input, *nullable);
            match (expected, &got) {
                (Ok(want), Ok(got)) => assert_eq!(got, want, "{input}"),
                (Err(needle), Err(message)) => {
                    assert!(message.contains(needle), "{input}: {message}")
                }
                _ => panic!("{input}: expected {expected:?}, got {got:?}"),
            }
        }
    }

    #[test]
    fn accessors_read_typed_values_and_name_unknown_parameters() {
        let params = Params::new(
            "r",
            BTreeMap::from([
                ("days".to_string(), json!(7)),
                ("unset".to_string(), json!(null)),
                ("keys".to_string(), json!(["a"])),
                ("flag".to_string(), json!(true)),
            ]),
        );
        assert_eq!(params.integer("days").unwrap(), Some(7));
        assert_eq!(params.integer("unset").unwrap(), None);
        assert_eq!(params.strings("keys").unwrap(), vec!["a".to_string()]);
        assert!(params.boolean("flag").unwrap());
        let error = params.integer("nope").unwrap_err().to_string();
        assert_eq!(
            error,
            "rule `r`: parameter `nope`: not declared in the rule file"
        );
    }
}
