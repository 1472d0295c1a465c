//! A read-only view of a JSON value that remembers where it is (`SecretList[3].LastRotatedDate`),
//! so that every loader error names the exact JSON path of the value it rejects.
//!
//! It owns the typed accessors the snapshot readers use (strings, booleans, numbers, timestamps,
//! arrays, objects); it does no I/O and knows nothing of AWS shapes. Unknown fields are simply
//! never asked for, which is how the loader ignores fields the AWS CLI adds over time. A JSON
//! `null` counts as absent, as the AWS CLI never prints `null` for a field that has a value.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::timestamp::parse_timestamp;
use crate::json_error::JsonPath;

/// A value rejected by a reader: where it is (`$.SecretList[3].LastRotatedDate`) and what was
/// expected there; the one JSON error of every loader.
pub use crate::json_error::JsonError as FieldError;

/// A JSON value and its path from the document root.
#[derive(Debug, Clone)]
pub(crate) struct JsonAt<'a> {
    value: &'a Value,
    path: String,
}

impl<'a> JsonAt<'a> {
    /// The root of a document.
    pub(crate) fn root(value: &'a Value) -> Self {
        JsonAt {
            value,
            path: String::new(),
        }
    }

    /// A value found elsewhere (e.g. a document decoded from a string) under a given path.
    pub(crate) fn at_path(value: &'a Value, path: String) -> Self {
        JsonAt { value, path }
    }

    pub(crate) fn value(&self) -> &'a Value {
        self.value
    }

    pub(crate) fn path(&self) -> &str {
        &self.path
    }

    /// An error located at this value.
    pub(crate) fn error(&self, message: impl Into<String>) -> FieldError {
        FieldError::new(JsonPath::from_relative(self.path.clone()), message)
    }

    fn child_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// This value as an object.
    pub(crate) fn object(&self) -> Result<&'a Map<String, Value>, FieldError> {
        self.value
            .as_object()
            .ok_or_else(|| self.error(format!("expected an object, found {}", kind(self.value))))
    }

    /// The member `key` of this object, `None` when absent or `null`.
    pub(crate) fn get(&self, key: &str) -> Result<Option<JsonAt<'a>>, FieldError> {
        let object = self.object()?;
        Ok(match object.get(key) {
            None | Some(Value::Null) => None,
            Some(value) => Some(JsonAt {
                value,
                path: self.child_path(key),
            }),
        })
    }

    /// The member `key` of this object, which must be present.
    pub(crate) fn required(&self, key: &str) -> Result<JsonAt<'a>, FieldError> {
        self.get(key)?.ok_or_else(|| {
            FieldError::new(JsonPath::from_relative(self.child_path(key)), "missing")
        })
    }

    /// The elements of this array, each with its path.
    pub(crate) fn items(&self) -> Result<Vec<JsonAt<'a>>, FieldError> {
        let array = self
            .value
            .as_array()
            .ok_or_else(|| self.error(format!("expected an array, found {}", kind(self.value))))?;
        Ok(array
            .iter()
            .enumerate()
            .map(|(index, value)| JsonAt {
                value,
                path: format!("{}[{index}]", self.path),
            })
            .collect())
    }

    /// The members of this object, each with its path, in key order.
    pub(crate) fn members(&self) -> Result<Vec<(&'a str, JsonAt<'a>)>, FieldError> {
        let object = self.object()?;
        Ok(object
            .iter()
            .map(|(key, value)| {
                (
                    key.as_str(),
                    JsonAt {
                        value,
                        path: self.child_path(key),
                    },
                )
            })
            .collect())
    }

    /// Converts this value, or reports `convert`'s message at its path.
    fn convert<T>(&self, convert: fn(&Value) -> Result<T, String>) -> Result<T, FieldError> {
        convert(self.value).map_err(|message| self.error(message))
    }

    /// Converts the member `key` if present. Leaves build no path unless they fail: loading
    /// 40,000 secrets reads about a million of them.
    fn leaf<T>(
        &self,
        key: &str,
        convert: fn(&Value) -> Result<T, String>,
    ) -> Result<Option<T>, FieldError> {
        match self.object()?.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => convert(value).map(Some).map_err(|message| {
                FieldError::new(JsonPath::from_relative(self.child_path(key)), message)
            }),
        }
    }

    /// This value as a string.
    pub(crate) fn string(&self) -> Result<String, FieldError> {
        self.convert(to_string)
    }

    /// This value as a non-negative integer (a number, or a string of digits).
    pub(crate) fn unsigned(&self) -> Result<u64, FieldError> {
        self.convert(to_unsigned)
    }

    /// This value as a timestamp: ISO 8601 text or epoch seconds.
    pub(crate) fn timestamp(&self) -> Result<DateTime<Utc>, FieldError> {
        self.convert(to_timestamp)
    }

    /// This value as a list of strings.
    pub(crate) fn strings(&self) -> Result<Vec<String>, FieldError> {
        self.items()?.iter().map(JsonAt::string).collect()
    }

    /// The member `key` as a string, which must be present.
    pub(crate) fn required_string(&self, key: &str) -> Result<String, FieldError> {
        self.leaf(key, to_string)?.ok_or_else(|| {
            FieldError::new(JsonPath::from_relative(self.child_path(key)), "missing")
        })
    }

    pub(crate) fn opt_string(&self, key: &str) -> Result<Option<String>, FieldError> {
        self.leaf(key, to_string)
    }

    pub(crate) fn opt_bool(&self, key: &str) -> Result<Option<bool>, FieldError> {
        self.leaf(key, to_bool)
    }

    pub(crate) fn opt_unsigned(&self, key: &str) -> Result<Option<u64>, FieldError> {
        self.leaf(key, to_unsigned)
    }

    pub(crate) fn opt_timestamp(&self, key: &str) -> Result<Option<DateTime<Utc>>, FieldError> {
        self.leaf(key, to_timestamp)
    }

    /// The member `key` as a list of strings; absent means empty.
    pub(crate) fn strings_or_empty(&self, key: &str) -> Result<Vec<String>, FieldError> {
        Ok(self
            .get(key)?
            .map(|at| at.strings())
            .transpose()?
            .unwrap_or_default())
    }

    /// The member `key` as an array read element by element; absent means empty.
    pub(crate) fn list_or_empty<T>(
        &self,
        key: &str,
        read: impl Fn(&JsonAt<'a>) -> Result<T, FieldError>,
    ) -> Result<Vec<T>, FieldError> {
        match self.get(key)? {
            None => Ok(Vec::new()),
            Some(at) => at.items()?.iter().map(read).collect(),
        }
    }
}

fn to_string(value: &Value) -> Result<String, String> {
    value
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("expected a string, found {}", kind(value)))
}

fn to_bool(value: &Value) -> Result<bool, String> {
    value
        .as_bool()
        .ok_or_else(|| format!("expected a boolean, found {}", kind(value)))
}

fn to_unsigned(value: &Value) -> Result<u64, String> {
    let parsed = match value {
        Value::Number(number) => number.as_u64(),
        Value::String(text) => text.trim().parse::<u64>().ok(),
        _ => None,
    };
    parsed.ok_or_else(|| "expected a non-negative integer".to_owned())
}

fn to_timestamp(value: &Value) -> Result<DateTime<Utc>, String> {
    parse_timestamp(value).ok_or_else(|| "expected a timestamp".to_owned())
}

/// The JSON kind of a value, for messages (`found a string`).
pub(crate) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_name_members_and_indices() {
        let doc = json!({"SecretList": [{}, {"Name": 3}]});
        let root = JsonAt::root(&doc);
        let items = root.required("SecretList").unwrap().items().unwrap();
        let error = items[1].opt_string("Name").unwrap_err();
        assert_eq!(
            error.to_string(),
            "$.SecretList[1].Name: expected a string, found a number"
        );
        let missing = items[0].required("ARN").unwrap_err();
        assert_eq!(missing.to_string(), "$.SecretList[0].ARN: missing");
    }

    #[test]
    fn top_level_arrays_start_with_an_index() {
        let doc = json!([{"ARN": true}]);
        let items = JsonAt::root(&doc).items().unwrap();
        let error = items[0].opt_string("ARN").unwrap_err();
        assert_eq!(
            error.to_string(),
            "$[0].ARN: expected a string, found a boolean"
        );
    }

    #[test]
    fn null_counts_as_absent() {
        let doc = json!({"KmsKeyId": null});
        assert_eq!(JsonAt::root(&doc).opt_string("KmsKeyId").unwrap(), None);
    }

    #[test]
    fn unsigned_accepts_numeric_strings_only_when_whole() {
        let doc = json!({"a": "30", "b": -1, "c": 1.5, "d": 7});
        let root = JsonAt::root(&doc);
        assert_eq!(root.opt_unsigned("a").unwrap(), Some(30));
        assert!(root.opt_unsigned("b").is_err());
        assert!(root.opt_unsigned("c").is_err());
        assert_eq!(root.opt_unsigned("d").unwrap(), Some(7));
    }
}
