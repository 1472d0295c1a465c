//! One lint finding: what is wrong (a stable id and a message), how bad it is (a level for CI
//! gating and a severity for triage), how to fix it in one line, and where it is (file, line,
//! JSON path).

use serde::Serialize;

use crate::findings::Severity;

/// How a finding gates a run (`--fail-on`) and how SARIF shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// AWS would reject the policy, or a part of it can never match.
    Error,
    /// The policy grants something dangerous.
    Warning,
    /// Worth a look.
    Note,
}

impl Level {
    /// `error`, `warning` or `note` (the SARIF names).
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "note",
        }
    }
}

/// A finding of `secaudit lint`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LintFinding {
    /// A stable identifier such as `unknown-action` (docs/lint.md lists them all).
    pub id: &'static str,
    pub level: Level,
    pub severity: Severity,
    /// What is wrong, one line.
    pub message: String,
    /// How to fix it, one line.
    pub fix: String,
    /// The file as given on the command line (or found in a directory).
    pub file: String,
    /// 1-based line of the value in the file.
    pub line: usize,
    /// JSON path of the value in the file (`Resources.Policy.Properties.PolicyDocument.Statement[0].Action`).
    pub path: String,
}

/// A file that could not be linted (unreadable, not JSON/YAML, a policy that does not parse).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LintError {
    pub file: String,
    pub message: String,
}

/// The result of linting some paths.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LintReport {
    /// Files linted, in order.
    pub files: Vec<String>,
    /// Policies found in them.
    pub policies: usize,
    /// Sorted by file, line, path, id.
    pub findings: Vec<LintFinding>,
    /// Files that could not be linted; any makes the run exit 2.
    pub errors: Vec<LintError>,
}

impl LintReport {
    /// Findings at `level` or worse.
    pub fn at_least(&self, level: Level) -> usize {
        self.findings.iter().filter(|f| f.level <= level).count()
    }

    pub(crate) fn sort(&mut self) {
        self.findings.sort_by(|a, b| {
            (&a.file, a.line, &a.path, a.id, &a.message)
                .cmp(&(&b.file, b.line, &b.path, b.id, &b.message))
        });
        self.findings.dedup();
    }
}
