//! The request context: case-insensitive keys mapped to typed values, each value prepared once
//! (text, number, date, boolean, IP address) so that conditions compare without parsing.

use serde_json::{Map, Value};

use super::RequestError;

/// A value of the request context.
#[derive(Debug, Clone, PartialEq)]
pub enum ContextValue {
    /// A string (also how AWS passes most values).
    String(String),
    /// A number.
    Number(f64),
    /// A boolean.
    Bool(bool),
    /// A multivalued key (`aws:TagKeys`); an empty list is present but empty.
    List(Vec<ContextValue>),
    /// The caller cannot know the value (access analysis): conditions on it are undecided.
    Unknown,
}

/// The request context: keys are case-insensitive.
#[derive(Debug, Clone, Default)]
pub struct Context {
    // INVARIANT: sorted by `lower`, no two entries with the same `lower`.
    entries: Vec<Entry>,
}

#[derive(Debug, Clone)]
struct Entry {
    key: String,
    lower: String,
    value: ContextValue,
}

impl Context {
    /// An empty context.
    pub fn new() -> Context {
        Context::default()
    }

    /// Sets `key` (any case) to `value`, replacing an earlier value of the same key.
    pub fn insert(&mut self, key: &str, value: ContextValue) {
        let lower = key.to_ascii_lowercase();
        let entry = Entry {
            key: key.to_owned(),
            lower,
            value,
        };
        match self
            .entries
            .binary_search_by(|e| e.lower.as_str().cmp(entry.lower.as_str()))
        {
            Ok(i) => self.entries[i] = entry,
            Err(i) => self.entries.insert(i, entry),
        }
    }

    /// Builds a context from a JSON object of key → string, number, bool or list of those.
    pub fn from_json(map: &Map<String, Value>) -> Result<Context, RequestError> {
        let mut context = Context::new();
        for (key, value) in map {
            let value = match value {
                Value::Array(items) => ContextValue::List(
                    items
                        .iter()
                        .map(|item| scalar_from_json(key, item))
                        .collect::<Result<_, _>>()?,
                ),
                other => scalar_from_json(key, other)?,
            };
            context.insert(key, value);
        }
        Ok(context)
    }

    /// The value of `key` (any case).
    pub fn get(&self, key: &str) -> Option<&ContextValue> {
        self.find(key).map(|e| &e.value)
    }

    /// The keys as first given and their values, sorted case-insensitively.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ContextValue)> {
        self.entries.iter().map(|e| (e.key.as_str(), &e.value))
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// No keys at all.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn find(&self, key: &str) -> Option<&Entry> {
        self.entries
            .binary_search_by(|e| cmp_ignore_ascii_case(&e.lower, key))
            .ok()
            .map(|i| &self.entries[i])
    }
}

/// Compares an already lower-cased `lower` with `other` lower-cased on the fly.
fn cmp_ignore_ascii_case(lower: &str, other: &str) -> std::cmp::Ordering {
    lower
        .bytes()
        .cmp(other.bytes().map(|b| b.to_ascii_lowercase()))
}

fn scalar_from_json(key: &str, value: &Value) -> Result<ContextValue, RequestError> {
    match value {
        Value::String(s) => Ok(ContextValue::String(s.clone())),
        Value::Bool(b) => Ok(ContextValue::Bool(*b)),
        Value::Number(n) => {
            n.as_f64()
                .map(ContextValue::Number)
                .ok_or_else(|| RequestError::Context {
                    key: key.to_owned(),
                    reason: format!("number `{n}` is out of range"),
                })
        }
        Value::Null => Err(RequestError::Context {
            key: key.to_owned(),
            reason: "null is not a value; leave the key out instead".to_owned(),
        }),
        Value::Array(_) | Value::Object(_) => Err(RequestError::Context {
            key: key.to_owned(),
            reason: "expected a string, number, boolean or a list of those".to_owned(),
        }),
    }
}
