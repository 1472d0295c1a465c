//! Documents whose every value knows its line: JSON read by a small position scanner beside
//! `serde_json`, and YAML (CloudFormation templates) read from `yaml-rust2`'s marked events, with
//! the short-form intrinsic tags (`!Ref`, `!Sub`, `!GetAtt`, `!Join`, …) turned into their long
//! form (`{"Ref": …}`, `{"Fn::Sub": …}`) as CloudFormation itself reads them.
//!
//! Paths are written as the rest of secaudit writes JSON paths: `Resources.Key.Properties`,
//! `Statement[0].Action[1]`; the empty path is the whole document.

use std::collections::HashMap;

use serde_json::{Map, Number, Value};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A parsed document and the 1-based line where each of its values starts.
#[derive(Debug, Clone, Default)]
pub struct Located {
    pub value: Value,
    lines: HashMap<String, usize>,
}

impl Located {
    /// The line of the value at `path`, or of its nearest ancestor that has one.
    pub fn line(&self, path: &str) -> usize {
        let mut path = path;
        loop {
            if let Some(line) = self.lines.get(path) {
                return *line;
            }
            match path.rfind(['.', '[']) {
                Some(at) => path = &path[..at],
                None => return self.lines.get("").copied().unwrap_or(1),
            }
        }
    }

    /// Parses JSON text; the error is serde_json's (with its line and column).
    pub fn json(text: &str) -> Result<Located, String> {
        let value: Value = serde_json::from_str(text).map_err(|error| error.to_string())?;
        let mut scanner = Scanner {
            bytes: text.as_bytes(),
            at: 0,
            line: 1,
            lines: HashMap::new(),
        };
        scanner.value(String::new());
        Ok(Located {
            value,
            lines: scanner.lines,
        })
    }

    /// Parses YAML text (the first document).
    pub fn yaml(text: &str) -> Result<Located, String> {
        let mut builder = Builder::default();
        Parser::new_from_str(text)
            .load(&mut builder, false)
            .map_err(|error| error.to_string())?;
        if let Some(error) = builder.error {
            return Err(error);
        }
        Ok(Located {
            value: builder.root.unwrap_or(Value::Null),
            lines: builder.lines,
        })
    }
}

/// Joins a path and an object key.
pub fn key_path(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// Joins a path and an array index.
pub fn index_path(path: &str, index: usize) -> String {
    format!("{path}[{index}]")
}

/// Walks JSON text that `serde_json` already accepted, recording where each value starts.
struct Scanner<'a> {
    bytes: &'a [u8],
    at: usize,
    line: usize,
    lines: HashMap<String, usize>,
}

impl Scanner<'_> {
    fn skip_space(&mut self) {
        while let Some(&b) = self.bytes.get(self.at) {
            match b {
                b'\n' => self.line += 1,
                b' ' | b'\t' | b'\r' => {}
                _ => return,
            }
            self.at += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn value(&mut self, path: String) {
        self.skip_space();
        self.lines.entry(path.clone()).or_insert(self.line);
        match self.peek() {
            Some(b'{') => {
                self.at += 1;
                loop {
                    self.skip_space();
                    match self.peek() {
                        Some(b'}') | None => {
                            self.at += 1;
                            return;
                        }
                        Some(b',') => self.at += 1,
                        Some(b'"') => {
                            let key = self.string();
                            self.skip_space();
                            if self.peek() == Some(b':') {
                                self.at += 1;
                            }
                            self.value(key_path(&path, &key));
                        }
                        Some(_) => self.at += 1,
                    }
                }
            }
            Some(b'[') => {
                self.at += 1;
                let mut index = 0;
                loop {
                    self.skip_space();
                    match self.peek() {
                        Some(b']') | None => {
                            self.at += 1;
                            return;
                        }
                        Some(b',') => self.at += 1,
                        Some(_) => {
                            self.value(index_path(&path, index));
                            index += 1;
                        }
                    }
                }
            }
            Some(b'"') => {
                self.string();
            }
            Some(_) => {
                while let Some(b) = self.peek() {
                    if matches!(b, b',' | b'}' | b']') || b.is_ascii_whitespace() {
                        break;
                    }
                    self.at += 1;
                }
            }
            None => {}
        }
    }

    /// Reads a string literal (the scanner is at its `"`) and returns its decoded text.
    fn string(&mut self) -> String {
        let start = self.at;
        self.at += 1;
        while let Some(b) = self.peek() {
            self.at += 1;
            match b {
                b'\\' => self.at += 1,
                b'"' => break,
                _ => {}
            }
        }
        let raw = &self.bytes[start..self.at.min(self.bytes.len())];
        serde_json::from_slice(raw).unwrap_or_default()
    }
}

/// Builds a JSON value from YAML events, with the line of each node.
#[derive(Default)]
struct Builder {
    /// Open containers: the value being built, its path, and (for mappings) the pending key.
    stack: Vec<(Value, String, Option<String>)>,
    /// For each open container: its short-form tag (`!GetAtt [a, b]`, `!Join [",", […]]`), its
    /// anchor id (0: none) and the node count when it opened.
    tags: Vec<(Option<String>, usize, usize)>,
    root: Option<Value>,
    lines: HashMap<String, usize>,
    /// Anchored values and their sizes in nodes.
    anchors: HashMap<usize, (Value, usize)>,
    /// Nodes built so far, aliases counted at their full size: a bound against alias bombs.
    nodes: usize,
    error: Option<String>,
}

/// The most nodes a YAML document may expand to (aliases included).
const MAX_NODES: usize = 2_000_000;

impl Builder {
    /// The path the next value gets: a key's path or the next index.
    fn next_path(&self) -> String {
        match self.stack.last() {
            None => String::new(),
            Some((Value::Array(items), path, _)) => index_path(path, items.len()),
            Some((_, path, Some(key))) => key_path(path, key),
            Some((_, path, None)) => path.clone(),
        }
    }

    /// Whether the next scalar is a mapping key.
    fn expects_key(&self) -> bool {
        matches!(self.stack.last(), Some((Value::Object(_), _, None)))
    }

    fn open(&mut self, container: Value, anchor: usize, tag: &Option<Tag>, mark: Marker) {
        let path = self.next_path();
        self.lines.entry(path.clone()).or_insert(mark.line());
        self.nodes += 1;
        self.tags.push((intrinsic(tag), anchor, self.nodes));
        self.stack.push((container, path, None));
    }

    fn push_value(&mut self, value: Value) {
        match self.stack.last_mut() {
            None => self.root = Some(value),
            Some((Value::Array(items), _, _)) => items.push(value),
            Some((Value::Object(map), _, key)) => {
                if let Some(key) = key.take() {
                    map.insert(key, value);
                }
            }
            Some(_) => {}
        }
    }
}

/// The long form of a CloudFormation short-form tag: `!Ref` → `Ref`, `!Sub` → `Fn::Sub`.
fn intrinsic(tag: &Option<Tag>) -> Option<String> {
    let tag = tag.as_ref()?;
    if tag.handle != "!" || tag.suffix.is_empty() {
        return None;
    }
    Some(match tag.suffix.as_str() {
        "Ref" | "Condition" => tag.suffix.clone(),
        other => format!("Fn::{other}"),
    })
}

fn wrap(tag: Option<String>, value: Value) -> Value {
    match tag {
        None => value,
        Some(name) => {
            // `!GetAtt Res.Attr` is the list form `["Res", "Attr"]`.
            let value = match (&*name, value) {
                ("Fn::GetAtt", Value::String(text)) => match text.split_once('.') {
                    Some((resource, attribute)) => Value::Array(vec![
                        Value::String(resource.to_owned()),
                        Value::String(attribute.to_owned()),
                    ]),
                    None => Value::String(text),
                },
                (_, value) => value,
            };
            let mut map = Map::new();
            map.insert(name, value);
            Value::Object(map)
        }
    }
}

/// A plain scalar's JSON type (YAML 1.2 core schema); quoted scalars are strings.
fn scalar(text: String, style: TScalarStyle) -> Value {
    if style != TScalarStyle::Plain {
        return Value::String(text);
    }
    match text.as_str() {
        "null" | "Null" | "NULL" | "~" | "" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if let Ok(integer) = text.parse::<i64>() {
        return Value::Number(integer.into());
    }
    if text.contains(['.', 'e', 'E'])
        && let Some(number) = text.parse::<f64>().ok().and_then(Number::from_f64)
    {
        return Value::Number(number);
    }
    Value::String(text)
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                if self.expects_key() {
                    if let Some((_, _, key)) = self.stack.last_mut() {
                        *key = Some(text);
                    }
                    return;
                }
                let path = self.next_path();
                self.lines.entry(path).or_insert(mark.line());
                let value = wrap(intrinsic(&tag), scalar(text, style));
                self.nodes += 1;
                if anchor > 0 {
                    self.anchors.insert(anchor, (value.clone(), 1));
                }
                self.push_value(value);
            }
            Event::SequenceStart(anchor, tag) => {
                self.open(Value::Array(Vec::new()), anchor, &tag, mark);
            }
            Event::MappingStart(anchor, tag) => {
                self.open(Value::Object(Map::new()), anchor, &tag, mark);
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let (Some((value, _, _)), Some((tag, anchor, opened))) =
                    (self.stack.pop(), self.tags.pop())
                {
                    let value = wrap(tag, value);
                    if anchor > 0 {
                        let size = self.nodes - opened + 1;
                        self.anchors.insert(anchor, (value.clone(), size));
                    }
                    self.push_value(value);
                }
            }
            Event::Alias(anchor) => {
                if self.expects_key() {
                    self.error = Some(format!("line {}: an alias as a mapping key", mark.line()));
                    return;
                }
                let size = self.anchors.get(&anchor).map_or(1, |(_, size)| *size);
                self.nodes += size;
                if self.nodes > MAX_NODES {
                    self.error = Some(format!(
                        "line {}: the document expands to more than {MAX_NODES} values (aliases)",
                        mark.line()
                    ));
                    return;
                }
                let value = self
                    .anchors
                    .get(&anchor)
                    .map_or(Value::Null, |(value, _)| value.clone());
                self.push_value(value);
            }
            _ => {}
        }
    }
}
