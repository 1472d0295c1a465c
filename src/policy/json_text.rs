//! Policy JSON text to a `serde_json::Value`, rejecting duplicate object keys.
//!
//! JSON parsers disagree on `{"Effect": "Deny", "Effect": "Allow"}` (most keep the last key,
//! some the first), so a document with a duplicate key means different things to different
//! readers: a `Statement` Deny followed by a `Statement` Allow would silently become Allowed.
//! IAM accepts only one of each element (the IAM troubleshooting guide's "More than one
//! Statement element" is an error) and IAM Access Analyzer's policy validation reports
//! duplicate keys as an error, so a policy with a duplicate key anywhere is rejected, naming
//! the JSON path of the object and the key. Used for every policy text secaudit reads: policy
//! files, case files, and the policy documents of a snapshot that arrive as text.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// A duplicate key: the JSON path of the object holding it (empty for the root) and the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    pub path: String,
    pub key: String,
}

impl fmt::Display for DuplicateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "duplicate key `{}` (a policy may hold each key once per object)",
            self.key
        )
    }
}

/// Parses JSON text like `serde_json::from_str`, but a duplicate key in any object is an
/// error. The error is a `serde_json::Error` (with line and column); for a duplicate key,
/// `duplicate` also says where it is.
pub fn parse_json_text(text: &str) -> Result<Value, JsonTextError> {
    let duplicate = RefCell::new(None);
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let parsed = Node {
        path: String::new(),
        duplicate: &duplicate,
    }
    .deserialize(&mut deserializer)
    .and_then(|value| deserializer.end().map(|()| value));
    parsed.map_err(|error| JsonTextError {
        error,
        duplicate: duplicate.into_inner(),
    })
}

/// Why JSON text was rejected.
#[derive(Debug)]
pub struct JsonTextError {
    pub error: serde_json::Error,
    pub duplicate: Option<DuplicateKey>,
}

impl fmt::Display for JsonTextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.duplicate {
            Some(duplicate) if duplicate.path.is_empty() => write!(f, "{duplicate}"),
            Some(duplicate) => write!(f, "{}: {duplicate}", duplicate.path),
            None => write!(f, "{}", self.error),
        }
    }
}

impl std::error::Error for JsonTextError {}

/// One value being read, at `path`.
struct Node<'d> {
    path: String,
    duplicate: &'d RefCell<Option<DuplicateKey>>,
}

impl Node<'_> {
    fn child(&self, path: String) -> Node<'_> {
        Node {
            path,
            duplicate: self.duplicate,
        }
    }
}

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        Ok(Number::from_f64(value).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) =
            seq.next_element_seed(self.child(format!("{}[{}]", self.path, items.len())))?
        {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                let message = format!("duplicate key `{key}`");
                *self.duplicate.borrow_mut() = Some(DuplicateKey {
                    path: self.path.clone(),
                    key,
                });
                return Err(de::Error::custom(message));
            }
            let path = if self.path.is_empty() {
                key.clone()
            } else {
                format!("{}.{key}", self.path)
            };
            let value = map.next_value_seed(self.child(path))?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_values_as_serde_json_without_duplicates() {
        let text = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Action": ["a:b"], "Condition": {"NumericLessThan": {"k": 1.5, "n": -3, "u": 7}},
            "Null": null, "Bool": true}], "Empty": {}, "List": []}"#;
        let expected: Value = serde_json::from_str(text).unwrap();
        assert_eq!(parse_json_text(text).unwrap(), expected);
    }

    #[test]
    fn a_duplicate_key_is_rejected_with_its_path() {
        let table = [
            (r#"{"Statement": [], "Statement": []}"#, "", "Statement"),
            (
                r#"{"Statement": [{"Effect": "Deny"}, {"Effect": "Deny", "Effect": "Allow"}]}"#,
                "Statement[1]",
                "Effect",
            ),
            (
                r#"{"Statement": {"Condition": {"Bool": {"aws:x": "true", "aws:x": "false"}}}}"#,
                "Statement.Condition.Bool",
                "aws:x",
            ),
        ];
        for (text, path, key) in table {
            let error = parse_json_text(text).unwrap_err();
            assert_eq!(
                error.duplicate,
                Some(DuplicateKey {
                    path: path.into(),
                    key: key.into()
                }),
                "{text}"
            );
        }
    }

    #[test]
    fn syntax_errors_and_trailing_text_are_errors_without_a_duplicate() {
        for text in ["{", "{} {}", "[1,]", ""] {
            let error = parse_json_text(text).unwrap_err();
            assert!(error.duplicate.is_none(), "{text}");
        }
    }
}
