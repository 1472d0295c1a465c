//! The renderings of a lint report: text for terminals, JSON for machines, and SARIF 2.1.0 for
//! code-scanning services (each result with a physical location: the file and the line).

use std::fmt::Write as _;

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde_json::{Value, json};

use super::finding::{Level, LintReport};
use crate::report::sarif;
use crate::terminal::printable;

/// Every finding id, its level and what it means (the SARIF rule list; docs/lint.md explains
/// each).
pub const RULES: [(&str, Level, &str); 19] = [
    (
        "invalid-policy",
        Level::Error,
        "The document is not a policy AWS accepts.",
    ),
    (
        "unknown-service",
        Level::Error,
        "An action's service prefix is not an AWS service.",
    ),
    (
        "unknown-action",
        Level::Error,
        "An action (or action pattern) matches no action of its service.",
    ),
    (
        "unknown-condition-key",
        Level::Error,
        "A condition key is not an AWS condition key.",
    ),
    (
        "condition-key-not-for-action",
        Level::Error,
        "A condition key is never present in requests for the statement's actions.",
    ),
    (
        "resource-arn-mismatch",
        Level::Error,
        "A resource ARN is not of a resource type the statement's actions act on.",
    ),
    (
        "operator-type-mismatch",
        Level::Error,
        "A condition operator does not apply to the key's type.",
    ),
    (
        "policy-variable-in-2008-policy",
        Level::Error,
        "A policy variable in a policy without Version 2012-10-17 is read literally.",
    ),
    (
        "principal-star-unrestricted",
        Level::Warning,
        "Principal \"*\" with no restricting condition lets any AWS account in.",
    ),
    (
        "untrusted-account-access",
        Level::Warning,
        "A resource, key or trust policy lets an untrusted account in.",
    ),
    (
        "getsecretvalue-on-all-secrets",
        Level::Warning,
        "An identity policy allows GetSecretValue on every secret.",
    ),
    (
        "secret-name-wildcard",
        Level::Warning,
        "secret:NAME-* also matches other secrets whose names start with NAME-.",
    ),
    (
        "forallvalues-without-null-guard",
        Level::Warning,
        "ForAllValues is true when the key is missing, so the Allow applies without it.",
    ),
    (
        "not-principal",
        Level::Warning,
        "NotPrincipal covers every principal but those listed.",
    ),
    (
        "not-action-with-allow",
        Level::Warning,
        "Allow with NotAction allows every other action of every service.",
    ),
    (
        "set-operator-on-single-valued-key",
        Level::Warning,
        "A set operator on a single-valued key.",
    ),
    (
        "multivalued-key-without-set-operator",
        Level::Warning,
        "A multivalued key tested without ForAnyValue/ForAllValues.",
    ),
    (
        "missing-version",
        Level::Note,
        "The policy has no Version (read as 2008-10-17).",
    ),
    ("lint-error", Level::Error, "The file could not be linted."),
];

/// One line per finding (`file:line: level id: message [path]`), its fix indented below, the
/// files that could not be linted, and a closing count.
pub fn render_text(report: &LintReport) -> String {
    let mut out = String::new();
    for error in &report.errors {
        let _ = writeln!(
            out,
            "ERROR {}: {}",
            printable(&error.file),
            printable(&error.message)
        );
    }
    for finding in &report.findings {
        let _ = writeln!(
            out,
            "{}:{}: {} {} [{}]: {}",
            printable(&finding.file),
            finding.line,
            finding.level.as_str(),
            finding.id,
            printable(if finding.path.is_empty() {
                "$"
            } else {
                &finding.path
            }),
            printable(&finding.message)
        );
        let _ = writeln!(out, "  fix: {}", printable(&finding.fix));
    }
    let count = |level| report.findings.iter().filter(|f| f.level == level).count();
    let _ = writeln!(
        out,
        "{} errors, {} warnings, {} notes in {} policies of {} files",
        count(Level::Error),
        count(Level::Warning),
        count(Level::Note),
        report.policies,
        report.files.len()
    );
    out
}

/// The report as one JSON document.
pub fn render_json(report: &LintReport) -> String {
    let count = |level| report.findings.iter().filter(|f| f.level == level).count();
    let document = json!({
        "schema_version": 1,
        "summary": {
            "files": report.files.len(),
            "policies": report.policies,
            "errors": count(Level::Error),
            "warnings": count(Level::Warning),
            "notes": count(Level::Note),
            "unreadable": report.errors.len(),
        },
        "findings": report.findings,
        "errors": report.errors,
    });
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}

/// Characters escaped in a relative-path URI.
const URI: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b']')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

fn uri(file: &str) -> String {
    let file = file.strip_prefix("./").unwrap_or(file);
    utf8_percent_encode(&file.replace('\\', "/"), URI).to_string()
}

/// The report as a SARIF 2.1.0 log (written by the one SARIF writer, `report::sarif`): one run,
/// the rule list, one result per finding (and per file that could not be linted) with its file
/// and line.
pub fn render_sarif(report: &LintReport) -> String {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|(id, level, text)| {
            sarif::rule_descriptor(
                id,
                text,
                Some(text),
                Some(&format!("See docs/lint.md, section `{id}`.")),
                level.as_str(),
            )
        })
        .collect();
    // Every id a finding carries is in `RULES`; one that were not would get no `ruleIndex`.
    let index = |id: &str| RULES.iter().position(|(rule, _, _)| *rule == id);
    let mut results: Vec<Value> = report
        .findings
        .iter()
        .map(|finding| {
            sarif::result(
                finding.id,
                index(finding.id),
                finding.level.as_str(),
                &format!("{} Fix: {}", finding.message, finding.fix),
                json!([{
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri(&finding.file)},
                        "region": {"startLine": finding.line.max(1)},
                    },
                    "logicalLocations": [{"fullyQualifiedName": finding.path, "kind": "member"}],
                }]),
                json!({
                    "severity": finding.severity.as_str(),
                    "security-severity": sarif::security_severity(finding.severity),
                    "path": finding.path,
                }),
            )
        })
        .collect();
    results.extend(report.errors.iter().map(|error| {
        sarif::result(
            "lint-error",
            index("lint-error"),
            "error",
            &error.message,
            json!([{
                "physicalLocation": {
                    "artifactLocation": {"uri": uri(&error.file)},
                    "region": {"startLine": 1},
                },
            }]),
            json!({}),
        )
    }));
    let mut text =
        serde_json::to_string_pretty(&sarif::log_of_run(rules, results)).unwrap_or_default();
    text.push('\n');
    text
}
