//! The request context: case-insensitive keys mapped to typed values.
//!
//! A context keeps two forms. The values as given ([`ContextValue`], for callers that read a
//! context back) and a prepared block the evaluator reads: one array of keys, each with the
//! hash of its lower-cased name ([`KeyName`], the same function that hashes a condition's key
//! when a policy is compiled), one array of prepared values (text, number, date, boolean, IP
//! address, parsed once) and one buffer holding every key and value text. A lookup scans the
//! key array comparing hashes, confirms the name in the buffer, and reads the values next to
//! it: three allocations per context however many keys it has, no pointer to follow per key,
//! no parsing and no allocation on the evaluator's side.

use std::net::IpAddr;

use serde_json::{Map, Value};

use super::RequestError;
use crate::policy::KeyName;
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
    // INVARIANT: `given` is sorted by lower-cased key without duplicates, and `keys[i]` is
    // the prepared form of `given[i]`.
    given: Vec<(String, ContextValue)>,
    keys: Vec<KeyEntry>,
    scalars: Vec<Scalar>,
    text: String,
    /// Bytes of `text` and entries of `scalars` no key refers to any more (replaced values).
    garbage: usize,
}

/// A prepared key: its hash, its lower-cased name in the text buffer, its values.
#[derive(Debug, Clone, Copy)]
struct KeyEntry {
    hash: u32,
    name: Span,
    /// `scalars[first..first + count]`.
    first: u32,
    count: u32,
    kind: SlotKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SlotKind {
    Unknown,
    Single,
    List,
}

/// A range of the text buffer.
#[derive(Debug, Clone, Copy, Default)]
struct Span {
    start: u32,
    len: u32,
}

/// One value, prepared for every operator family; its text lives in the context's buffer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scalar {
    text: Span,
    pub(crate) number: Option<f64>,
    pub(crate) date: Option<Timestamp>,
    pub(crate) boolean: Option<bool>,
    pub(crate) ip: Option<IpAddr>,
}

/// A key's values as conditions see them.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Slot<'c> {
    /// The caller cannot know the value.
    Unknown,
    /// The values (possibly none: an empty list).
    Values(Values<'c>),
}

/// The prepared values of one key.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Values<'c> {
    scalars: &'c [Scalar],
    text: &'c str,
    /// Given as a list (a multivalued key), possibly of one value.
    multi: bool,
}

/// One prepared value with its text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ScalarRef<'c> {
    pub(crate) text: &'c str,
    pub(crate) value: &'c Scalar,
}

impl<'c> Values<'c> {
    pub(crate) fn is_empty(&self) -> bool {
        self.scalars.is_empty()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = ScalarRef<'c>> + use<'c> {
        let text = self.text;
        self.scalars.iter().map(move |value| ScalarRef {
            text: span_text(text, value.text),
            value,
        })
    }
}

fn span_text(text: &str, span: Span) -> &str {
    let start = span.start as usize;
    text.get(start..start + span.len as usize)
        .unwrap_or_default()
}

impl Scalar {
    fn from_text(text: &str, span: Span) -> Scalar {
        let starts_numeric = text
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_digit() || b == b'-' || b == b'+' || b == b'.');
        Scalar {
            text: span,
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

    fn from_number(n: f64, span: Span) -> Scalar {
        Scalar {
            text: span,
            number: Some(n),
            date: scalar::date_from_epoch(n),
            boolean: None,
            ip: None,
        }
    }

    fn from_bool(b: bool, span: Span) -> Scalar {
        Scalar {
            text: span,
            number: None,
            date: None,
            boolean: Some(b),
            ip: None,
        }
    }
}

impl Context {
    /// An empty context.
    pub fn new() -> Context {
        Context::default()
    }

    /// Sets `key` (any case) to `value`, replacing an earlier value of the same key.
    pub fn insert(&mut self, key: &str, value: ContextValue) {
        let name = KeyName::new(key);
        let entry = self.prepare(&name, &value);
        match self.given.binary_search_by(|(k, _)| cmp_both_lower(k, key)) {
            Ok(i) => {
                let old = self.keys[i];
                self.garbage += old.name.len as usize + old.count as usize;
                self.given[i] = (key.to_owned(), value);
                self.keys[i] = entry;
            }
            Err(i) => {
                self.given.insert(i, (key.to_owned(), value));
                self.keys.insert(i, entry);
            }
        }
        if self.garbage > 256 && self.garbage > self.text.len() / 2 {
            self.compact();
        }
    }

    /// Removes `key` (any case), if present.
    pub fn remove(&mut self, key: &str) {
        if let Ok(i) = self.given.binary_search_by(|(k, _)| cmp_both_lower(k, key)) {
            let old = self.keys.remove(i);
            self.given.remove(i);
            self.garbage += old.name.len as usize + old.count as usize;
            if self.garbage > 256 && self.garbage > self.text.len() / 2 {
                self.compact();
            }
        }
    }

    /// Appends the prepared form of `value` to the buffers.
    fn prepare(&mut self, name: &KeyName, value: &ContextValue) -> KeyEntry {
        let name_span = self.push_text(name.lower());
        let first = self.scalars.len();
        let known = self.push_values(value);
        let kind = if !known {
            self.scalars.truncate(first);
            SlotKind::Unknown
        } else if matches!(value, ContextValue::List(_)) {
            SlotKind::List
        } else {
            SlotKind::Single
        };
        KeyEntry {
            hash: name.hash(),
            name: name_span,
            first: to_u32(first),
            count: to_u32(self.scalars.len() - first),
            kind,
        }
    }

    /// Pushes the scalars of `value`; `false` when it is (or holds) `Unknown`.
    fn push_values(&mut self, value: &ContextValue) -> bool {
        match value {
            ContextValue::String(s) => {
                let span = self.push_text(s);
                self.scalars.push(Scalar::from_text(s, span));
            }
            ContextValue::Number(n) => {
                let span = self.push_text(&n.to_string());
                self.scalars.push(Scalar::from_number(*n, span));
            }
            ContextValue::Bool(b) => {
                let span = self.push_text(if *b { "true" } else { "false" });
                self.scalars.push(Scalar::from_bool(*b, span));
            }
            ContextValue::List(list) => return list.iter().all(|v| self.push_values(v)),
            ContextValue::Unknown => return false,
        }
        true
    }

    fn push_text(&mut self, text: &str) -> Span {
        let start = to_u32(self.text.len());
        self.text.push_str(text);
        Span {
            start,
            len: to_u32(text.len()),
        }
    }

    /// Rebuilds the buffers from the given values, dropping replaced ones.
    fn compact(&mut self) {
        let given = std::mem::take(&mut self.given);
        *self = Context::default();
        self.fill(given);
    }

    /// Prepares `given` (sorted, unique keys) in one pass, with buffers sized beforehand.
    fn fill(&mut self, given: Vec<(String, ContextValue)>) {
        fn size(value: &ContextValue) -> (usize, usize) {
            match value {
                ContextValue::String(s) => (s.len(), 1),
                ContextValue::Number(_) | ContextValue::Bool(_) => (24, 1),
                ContextValue::List(items) => items
                    .iter()
                    .map(size)
                    .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1)),
                ContextValue::Unknown => (0, 0),
            }
        }
        let (text, scalars) = given.iter().fold((0, 0), |(t, s), (key, value)| {
            let (vt, vs) = size(value);
            (t + key.len() + vt, s + vs)
        });
        self.text.reserve_exact(text);
        self.scalars.reserve_exact(scalars);
        self.keys.reserve_exact(given.len());
        for (key, value) in &given {
            let entry = self.prepare(&KeyName::new(key), value);
            self.keys.push(entry);
        }
        self.given = given;
    }

    /// Builds a context from a JSON object of key → string, number, bool or list of those.
    pub fn from_json(map: &Map<String, Value>) -> Result<Context, RequestError> {
        let mut given: Vec<(String, ContextValue)> = Vec::with_capacity(map.len());
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
            given.push((key.clone(), value));
        }
        // Sorted by lower-cased key; of keys equal but for case, the last one given wins.
        given.sort_by(|(a, _), (b, _)| cmp_both_lower(a, b));
        let mut unique: Vec<(String, ContextValue)> = Vec::with_capacity(given.len());
        for item in given {
            match unique.last_mut() {
                Some(last) if last.0.eq_ignore_ascii_case(&item.0) => *last = item,
                _ => unique.push(item),
            }
        }
        let mut context = Context::new();
        context.fill(unique);
        Ok(context)
    }

    /// The value of `key` (any case).
    pub fn get(&self, key: &str) -> Option<&ContextValue> {
        self.given
            .binary_search_by(|(k, _)| cmp_both_lower(k, key))
            .ok()
            .map(|i| &self.given[i].1)
    }

    /// The keys as first given and their values, sorted case-insensitively.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ContextValue)> {
        self.given.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.given.len()
    }

    /// No keys at all.
    pub fn is_empty(&self) -> bool {
        self.given.is_empty()
    }

    /// The prepared values of a compiled key.
    #[inline]
    pub(crate) fn slot(&self, key: &KeyName) -> Option<Slot<'_>> {
        let wanted = key.lower().as_bytes();
        let entry = self.keys.iter().find(|entry| {
            entry.hash == key.hash() && span_text(&self.text, entry.name).as_bytes() == wanted
        })?;
        Some(match entry.kind {
            SlotKind::Unknown => Slot::Unknown,
            SlotKind::Single | SlotKind::List => {
                let first = entry.first as usize;
                Slot::Values(Values {
                    scalars: self
                        .scalars
                        .get(first..first + entry.count as usize)
                        .unwrap_or_default(),
                    text: &self.text,
                    multi: entry.kind == SlotKind::List,
                })
            }
        })
    }
}

/// Lengths and offsets within a context (its text and values) fit in 32 bits: a context is
/// built from a JSON document far smaller than 4 GiB.
fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Compares `a` and `b`, both lower-cased on the fly.
fn cmp_both_lower(a: &str, b: &str) -> std::cmp::Ordering {
    a.bytes()
        .map(|b| b.to_ascii_lowercase())
        .cmp(b.bytes().map(|b| b.to_ascii_lowercase()))
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
    /// The value of a policy variable.
    pub(crate) fn variable(&self, key: &KeyName) -> Variable<'_> {
        match self.slot(key) {
            Some(Slot::Unknown) => Variable::Unknown,
            Some(Slot::Values(values)) if !values.multi => {
                let mut items = values.iter();
                match (items.next(), items.next()) {
                    (Some(one), None) => Variable::Value(one.text),
                    _ => Variable::Missing,
                }
            }
            Some(Slot::Values(_)) | None => Variable::Missing,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(context: &Context, key: &str) -> Option<Vec<String>> {
        match context.slot(&KeyName::new(key))? {
            Slot::Unknown => Some(vec!["?".to_owned()]),
            Slot::Values(values) => Some(values.iter().map(|v| v.text.to_owned()).collect()),
        }
    }

    #[test]
    fn prepared_lookup_agrees_with_the_given_values() {
        let keys = [
            "aws:ResourceTag/env",
            "aws:ResourceTag/envx",
            "aws:ResourceTag/en",
            "secretsmanager:ResourceTag/owner",
            "aws:SourceIp",
            "k",
        ];
        let mut context = Context::new();
        for (i, key) in keys.iter().enumerate() {
            context.insert(key, ContextValue::String(i.to_string()));
        }
        context.insert("AWS:SOURCEIP", ContextValue::Unknown);
        context.insert(
            "aws:TagKeys",
            ContextValue::List(vec![
                ContextValue::String("a".into()),
                ContextValue::Number(2.5),
                ContextValue::Bool(true),
            ]),
        );
        for (i, key) in keys.iter().enumerate() {
            let want = if *key == "aws:SourceIp" {
                vec!["?".to_owned()]
            } else {
                vec![i.to_string()]
            };
            assert_eq!(text(&context, &key.to_uppercase()), Some(want), "{key}");
        }
        assert_eq!(
            text(&context, "aws:tagkeys"),
            Some(vec!["a".to_owned(), "2.5".to_owned(), "true".to_owned()])
        );
        for absent in ["aws:resourcetag/e", "absent", ""] {
            assert_eq!(text(&context, absent), None, "{absent}");
        }
        assert_eq!(context.len(), keys.len() + 1);
        assert_eq!(context.get("aws:sourceip"), Some(&ContextValue::Unknown));
    }

    #[test]
    fn repeated_inserts_compact_the_buffers() {
        let mut context = Context::new();
        context.insert("aws:ResourceTag/keep", ContextValue::String("kept".into()));
        for i in 0..2000 {
            context.insert(
                "secretsmanager:VersionStage",
                ContextValue::String(format!("stage-{i}")),
            );
        }
        assert!(context.text.len() < 1024, "{}", context.text.len());
        assert_eq!(
            text(&context, "secretsmanager:versionstage"),
            Some(vec!["stage-1999".to_owned()])
        );
        assert_eq!(
            text(&context, "aws:resourcetag/keep"),
            Some(vec!["kept".to_owned()])
        );
    }

    #[test]
    fn removed_keys_are_gone_and_the_others_stay() {
        let mut context = Context::new();
        for i in 0..600 {
            context.insert("aws:ResourceTag/env", ContextValue::String(format!("v{i}")));
            context.insert("aws:SourceIp", ContextValue::String("10.0.0.1".into()));
            context.remove("AWS:RESOURCETAG/ENV");
            context.remove("absent");
        }
        assert_eq!(text(&context, "aws:resourcetag/env"), None);
        assert_eq!(context.get("aws:resourcetag/env"), None);
        assert_eq!(
            text(&context, "aws:sourceip"),
            Some(vec!["10.0.0.1".to_owned()])
        );
        assert_eq!(context.len(), 1);
        assert!(context.text.len() < 1024, "{}", context.text.len());
    }

    #[test]
    fn json_keys_equal_but_for_case_keep_the_last() {
        let map = serde_json::json!({"aws:SourceIp": "10.0.0.1", "AWS:SOURCEIP": "10.0.0.2"});
        let context = Context::from_json(map.as_object().unwrap()).unwrap();
        assert_eq!(context.len(), 1);
    }
}
