//! The request context: case-insensitive keys mapped to typed values, each value prepared once
//! (text, number, date, boolean, IP address) so that conditions compare without parsing.

use std::net::IpAddr;

use serde_json::{Map, Value};

use super::RequestError;
use crate::policy::scalar::{self, Timestamp};

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
    hash: u64,
    value: ContextValue,
    slot: Slot,
}

/// A key's value as conditions see it.
#[derive(Debug, Clone)]
pub(crate) enum Slot {
    /// The caller cannot know the value.
    Unknown,
    /// The values; `multi` for a list (a multivalued key), possibly empty.
    Values { multi: bool, items: Vec<Scalar> },
}

/// One value, prepared for every operator family.
#[derive(Debug, Clone)]
pub(crate) struct Scalar {
    pub(crate) text: Box<str>,
    pub(crate) number: Option<f64>,
    pub(crate) date: Option<Timestamp>,
    pub(crate) boolean: Option<bool>,
    pub(crate) ip: Option<IpAddr>,
}

impl Scalar {
    fn from_text(text: &str) -> Scalar {
        let starts_numeric = text
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_digit() || b == b'-' || b == b'+' || b == b'.');
        Scalar {
            text: text.into(),
            number: if starts_numeric {
                scalar::parse_number(text)
            } else {
                None
            },
            date: if starts_numeric {
                scalar::parse_date(text)
            } else {
                None
            },
            boolean: scalar::parse_bool(text),
            ip: if text.len() <= 45 && text.contains(['.', ':']) {
                scalar::parse_ip(text)
            } else {
                None
            },
        }
    }

    fn from_number(n: f64) -> Scalar {
        Scalar {
            text: n.to_string().into(),
            number: Some(n),
            date: scalar::date_from_epoch(n),
            boolean: None,
            ip: None,
        }
    }

    fn from_bool(b: bool) -> Scalar {
        Scalar {
            text: if b { "true" } else { "false" }.into(),
            number: None,
            date: None,
            boolean: Some(b),
            ip: None,
        }
    }
}

fn slot_of(value: &ContextValue) -> Slot {
    fn push(value: &ContextValue, items: &mut Vec<Scalar>) -> bool {
        match value {
            ContextValue::String(s) => items.push(Scalar::from_text(s)),
            ContextValue::Number(n) => items.push(Scalar::from_number(*n)),
            ContextValue::Bool(b) => items.push(Scalar::from_bool(*b)),
            ContextValue::List(list) => return list.iter().all(|v| push(v, items)),
            ContextValue::Unknown => return false,
        }
        true
    }
    let mut items = Vec::new();
    if push(value, &mut items) {
        Slot::Values {
            multi: matches!(value, ContextValue::List(_)),
            items,
        }
    } else {
        Slot::Unknown
    }
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
            hash: crate::policy::key_hash(&lower),
            lower,
            slot: slot_of(&value),
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

    /// The prepared value of an already lower-cased key whose `key_hash` is `hash`.
    pub(crate) fn slot_hashed(&self, lower_key: &str, hash: u64) -> Option<&Slot> {
        if self.entries.len() > 32 {
            return self.slot(lower_key);
        }
        self.entries
            .iter()
            .find(|e| e.hash == hash && e.lower == lower_key)
            .map(|e| &e.slot)
    }

    /// The prepared value of an already lower-cased key.
    pub(crate) fn slot(&self, lower_key: &str) -> Option<&Slot> {
        self.entries
            .binary_search_by(|e| e.lower.as_str().cmp(lower_key))
            .ok()
            .map(|i| &self.entries[i].slot)
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

/// What a policy variable finds in the context.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Variable<'a> {
    /// A single value.
    Value(&'a str),
    /// The key is unknown to the caller.
    Unknown,
    /// Absent, or multivalued (variables take single-valued keys only).
    Missing,
}

impl Context {
    /// The value of a policy variable (already lower-cased key).
    pub(crate) fn variable(&self, lower_key: &str) -> Variable<'_> {
        match self.slot(lower_key) {
            Some(Slot::Unknown) => Variable::Unknown,
            Some(Slot::Values {
                multi: false,
                items,
            }) => match items.as_slice() {
                [one] => Variable::Value(&one.text),
                _ => Variable::Missing,
            },
            Some(Slot::Values { multi: true, .. }) | None => Variable::Missing,
        }
    }
}
