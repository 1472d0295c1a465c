//! One home for "where in a JSON document, and what is wrong there": [`JsonPath`] and
//! [`JsonError`]. Every loader of a JSON file, the user's (policies, case files, rule files,
//! `--config`, mutes, baselines) and the collector's (snapshot files), reports its errors with
//! them, so every message names the place the same way: `$.Statement[1].Condition: message`,
//! `$` for the whole document. A leaf: it knows nothing of what the documents mean, and the
//! caller names the file (`cannot load `cases/a.json`: $.requests[3].expect: …`).

use std::fmt;

/// A JSON path from the document root: `$`, `$.Statement[1].Condition`, `$[0].Effect`.
///
/// Built from the path text loaders write (`Statement[1].Condition`, with or without the
/// leading `$`); kept without the `$`, which [`fmt::Display`] adds. [`JsonPath::text`] is the
/// place of an error in the text itself, before there is a value to point at (a syntax error,
/// whose message gives the line and column): it is shown as nothing.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct JsonPath(Option<String>);

impl Default for JsonPath {
    fn default() -> JsonPath {
        JsonPath::root()
    }
}

impl JsonPath {
    /// The document root, `$`.
    pub fn root() -> JsonPath {
        JsonPath(Some(String::new()))
    }

    /// No value: the error is in the document's text (its message says where).
    pub fn text() -> JsonPath {
        JsonPath(None)
    }

    /// The path written without the `$` (`Statement[1].Condition`, empty for the root), taken
    /// as it is: a reader that builds paths key by key passes them here.
    pub fn from_relative(relative: String) -> JsonPath {
        JsonPath(Some(relative))
    }

    /// Whether this is the document root.
    pub fn is_root(&self) -> bool {
        self.0.as_deref() == Some("")
    }

    /// The path without the leading `$` (`Statement[1].Condition`; empty for the root and for
    /// the text).
    pub fn relative(&self) -> &str {
        self.0.as_deref().unwrap_or_default()
    }

    /// The member `key` of the value here.
    pub fn key(&self, key: &str) -> JsonPath {
        match self.relative() {
            "" => JsonPath::from_relative(key.to_owned()),
            path => JsonPath::from_relative(format!("{path}.{key}")),
        }
    }

    /// The element `index` of the array here.
    pub fn index(&self, index: usize) -> JsonPath {
        JsonPath::from_relative(format!("{}[{index}]", self.relative()))
    }

    /// This path, found inside the value at `outer`: `outer` goes in front. An error in the
    /// text stays one.
    pub fn within(&self, outer: &JsonPath) -> JsonPath {
        let (outer, inner) = (outer.relative(), self.relative());
        match (outer.is_empty(), inner.is_empty()) {
            _ if self.0.is_none() => self.clone(),
            (true, _) => self.clone(),
            (false, true) => JsonPath::from_relative(outer.to_owned()),
            (false, false) if inner.starts_with('[') => {
                JsonPath::from_relative(format!("{outer}{inner}"))
            }
            (false, false) => JsonPath::from_relative(format!("{outer}.{inner}")),
        }
    }
}

/// `$`, `$.…` and `$[…` are read from the root; any other text is taken as written after it
/// (so a first key may itself start with `$`, like `$schema`).
impl From<&str> for JsonPath {
    fn from(text: &str) -> JsonPath {
        JsonPath::from_relative(relative_text(text).to_owned())
    }
}

/// `text` without its leading `$` or `$.` (see `From<&str>`).
fn relative_text(text: &str) -> &str {
    match text.strip_prefix('$') {
        Some("") => "",
        Some(rest) if rest.starts_with('[') => rest,
        Some(rest) => rest.strip_prefix('.').unwrap_or(text),
        None => text,
    }
}

impl From<String> for JsonPath {
    fn from(text: String) -> JsonPath {
        if text.starts_with('$') {
            JsonPath::from(text.as_str())
        } else {
            JsonPath::from_relative(text)
        }
    }
}

impl From<&String> for JsonPath {
    fn from(text: &String) -> JsonPath {
        JsonPath::from(text.as_str())
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(path) = &self.0 else {
            return Ok(());
        };
        match path.as_bytes().first() {
            None => f.write_str("$"),
            Some(b'[') => write!(f, "${path}"),
            Some(_) => write!(f, "$.{path}"),
        }
    }
}

/// Compares with the path as written (`$.mutes[0].owner`, or without the `$`).
impl PartialEq<str> for JsonPath {
    fn eq(&self, other: &str) -> bool {
        self.0.as_deref() == Some(relative_text(other))
    }
}

impl PartialEq<&str> for JsonPath {
    fn eq(&self, other: &&str) -> bool {
        self.0.as_deref() == Some(relative_text(other))
    }
}

/// A value rejected in a JSON document: where, and what is wrong there (lowercase, one line,
/// user input in backticks). Shown as `$.Statement[1].Effect: expected `Allow` or `Deny``; an
/// error in the text as its message alone (`invalid JSON at line 5 column 0: …`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    pub path: JsonPath,
    pub message: String,
}

impl JsonError {
    pub fn new(path: impl Into<JsonPath>, message: impl Into<String>) -> JsonError {
        JsonError {
            path: path.into(),
            message: message.into(),
        }
    }

    /// An error in the document's text, not at a value: `message` says where.
    pub fn in_text(message: impl Into<String>) -> JsonError {
        JsonError {
            path: JsonPath::text(),
            message: message.into(),
        }
    }

    /// The error about a value given alone, not in a file (a command-line flag's JSON): the
    /// message alone when it is about the whole value, else the path and the message.
    pub fn detail(&self) -> String {
        if self.path.is_root() {
            self.message.clone()
        } else {
            self.to_string()
        }
    }

    /// The same error seen from the value at `outer`: `outer` goes in front of the path.
    pub fn within(self, outer: impl Into<JsonPath>) -> JsonError {
        JsonError {
            path: self.path.within(&outer.into()),
            ..self
        }
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.0.is_none() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for JsonError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_shown_from_the_root() {
        assert_eq!(JsonPath::root().to_string(), "$");
        assert_eq!(JsonPath::from("").to_string(), "$");
        assert_eq!(JsonPath::from("$").to_string(), "$");
        assert_eq!(
            JsonPath::from("Statement[1].Condition").to_string(),
            "$.Statement[1].Condition"
        );
        assert_eq!(
            JsonPath::from("$.Statement[1]").to_string(),
            "$.Statement[1]"
        );
        assert_eq!(JsonPath::from("[0].Effect").to_string(), "$[0].Effect");
        assert_eq!(
            JsonPath::root().key("a").index(2).key("b").to_string(),
            "$.a[2].b"
        );
        assert_eq!(JsonPath::root().index(0).to_string(), "$[0]");
        assert_eq!(JsonPath::from("$.mutes[0]"), "mutes[0]");
        assert_eq!(JsonPath::from("mutes[0]"), "$.mutes[0]");
        assert_eq!(JsonPath::from("$schema").to_string(), "$.$schema");
    }

    #[test]
    fn an_error_seen_from_outside_gains_the_outer_path() {
        let error = JsonError::new("Statement[0].Effect", "expected `Allow` or `Deny`");
        assert_eq!(
            error.clone().within("identity_policies[2]").to_string(),
            "$.identity_policies[2].Statement[0].Effect: expected `Allow` or `Deny`"
        );
        assert_eq!(
            JsonError::new("[3]", "bad").within("requests").to_string(),
            "$.requests[3]: bad"
        );
        assert_eq!(
            JsonError::new("", "bad").within("requests").path,
            "requests"
        );
        assert_eq!(error.clone().within("").path, error.path);
        assert_eq!(
            JsonError::new("$", "expected an object").to_string(),
            "$: expected an object"
        );
        let syntax = JsonError::in_text("invalid JSON at line 5 column 0: EOF");
        assert_eq!(syntax.to_string(), "invalid JSON at line 5 column 0: EOF");
        assert_eq!(syntax.clone().within("requests"), syntax);
    }
}
