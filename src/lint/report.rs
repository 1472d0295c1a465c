//! Where the checks put their findings: a sink that knows the file, the policy's place in it
//! and how to turn a path inside the policy into a line of the file.

use super::finding::{Level, LintFinding};
use super::located::Located;
use crate::findings::Severity;

/// Collects the findings of one policy.
#[derive(Debug)]
pub(crate) struct Sink<'a> {
    pub(crate) file: &'a str,
    pub(crate) located: &'a Located,
    /// The policy's JSON path in the file.
    pub(crate) base: &'a str,
    /// For a policy held in a JSON string: the line of that string.
    pub(crate) string_line: Option<usize>,
    pub(crate) findings: Vec<LintFinding>,
}

impl Sink<'_> {
    /// The path of `inner` (a path inside the policy) in the file.
    pub(crate) fn full_path(&self, inner: &str) -> String {
        match (self.base.is_empty(), inner.is_empty()) {
            (_, true) => self.base.to_owned(),
            (true, false) => inner.to_owned(),
            (false, false) if inner.starts_with('[') => format!("{}{inner}", self.base),
            (false, false) => format!("{}.{inner}", self.base),
        }
    }

    pub(crate) fn push(
        &mut self,
        id: &'static str,
        level: Level,
        severity: Severity,
        inner: &str,
        message: String,
        fix: String,
    ) {
        let path = self.full_path(inner);
        let line = self.string_line.unwrap_or_else(|| self.located.line(&path));
        self.findings.push(LintFinding {
            id,
            level,
            severity,
            message,
            fix,
            file: self.file.to_owned(),
            line,
            path,
        });
    }
}
