//! The one JUnit XML writer, for CI test panels, and the one XML escaper. [`JunitWriter`] renders
//! suites of test cases ([`Suite`], [`Case`], [`Outcome`]) and computes every count from the
//! cases, so the totals cannot disagree with the elements; the audit report ([`render`]) and
//! `secaudit test` (`policytest::render_junit`) only say which suites and cases there are.
//!
//! The audit report: one `testsuite` per rule (`name` = rule id) and one `testcase` per finding
//! (`name` = resource ARN, `classname` = rule id). NON_COMPLIANT is a `failure` carrying the
//! annotation, INSUFFICIENT_DATA an `error`, NOT_APPLICABLE `skipped`; COMPLIANT passes. A muted
//! NON_COMPLIANT finding is `skipped` with the mute's owner, end and reason: an accepted risk is
//! not a failing test.
//!
//! Every attribute and text goes through [`escape`]: names are attacker-chosen, and no name can
//! end an attribute, open an element or make the document invalid (see [`escape`] for the
//! characters XML 1.0 cannot carry).

use std::borrow::Cow;
use std::fmt::Write as _;

use std::collections::BTreeMap;

use super::mutes::MuteNote;
use super::spill::SpilledFindings;
use super::{Report, ReportedRule, timestamp_text};
use crate::findings::{ComplianceType, Finding};

/// One `<testsuite>`: its cases, and the `timestamp` attribute and `<properties>` when given.
#[derive(Debug, Default)]
pub struct Suite<'a> {
    pub name: Cow<'a, str>,
    pub timestamp: Option<&'a str>,
    pub properties: Vec<(&'a str, Cow<'a, str>)>,
    pub cases: Vec<Case<'a>>,
}

/// One `<testcase>`.
#[derive(Debug)]
pub struct Case<'a> {
    pub name: Cow<'a, str>,
    pub classname: Cow<'a, str>,
    pub outcome: Outcome<'a>,
}

/// How a test case ended. `kind` is the `type` attribute of a failure or an error.
#[derive(Debug)]
pub enum Outcome<'a> {
    Passed,
    Failure {
        kind: &'a str,
        message: Cow<'a, str>,
        body: Cow<'a, str>,
    },
    Error {
        kind: &'a str,
        message: Cow<'a, str>,
        body: Cow<'a, str>,
    },
    Skipped {
        message: Cow<'a, str>,
    },
}

/// Writes suites one at a time (a suite's cases need not outlive it) and then the document.
#[derive(Debug, Default)]
pub struct JunitWriter {
    suites: String,
    totals: Counts,
}

impl JunitWriter {
    /// Renders `suite` and adds its counts to the totals.
    pub fn suite(&mut self, suite: &Suite<'_>) {
        let counts = Counts::of(&suite.cases);
        write_suite_start(
            &mut self.suites,
            &suite.name,
            counts,
            suite.timestamp,
            &suite.properties,
        );
        for case in &suite.cases {
            write_case(&mut self.suites, case);
        }
        self.suites.push_str(SUITE_END);
        self.totals.add(counts);
    }

    /// The whole document, `<testsuites name=…>` with the totals, ending with a newline.
    pub fn finish(self, name: &str, timestamp: Option<&str>) -> String {
        let mut out = document_start(name, self.totals, timestamp);
        out.push_str(&self.suites);
        out.push_str(DOCUMENT_END);
        out
    }
}

/// The end of a `<testsuite>` element.
pub const SUITE_END: &str = "  </testsuite>\n";
/// The end of the document.
pub const DOCUMENT_END: &str = "</testsuites>\n";

/// The XML declaration and the `<testsuites name=…>` start tag with `totals`: what
/// [`JunitWriter::finish`] writes before the suites (a streamed report writes the suites itself).
pub fn document_start(name: &str, totals: Counts, timestamp: Option<&str>) -> String {
    let mut out = String::with_capacity(200);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = write!(out, "<testsuites name=\"{}\" ", escape(name));
    totals.write_attributes(&mut out);
    if let Some(timestamp) = timestamp {
        let _ = write!(out, " timestamp=\"{}\"", escape(timestamp));
    }
    out.push_str(">\n");
    out
}

/// A `<testsuite>` start tag with its `counts`, and its properties.
pub fn write_suite_start(
    out: &mut String,
    name: &str,
    counts: Counts,
    timestamp: Option<&str>,
    properties: &[(&str, Cow<'_, str>)],
) {
    let _ = write!(out, "  <testsuite name=\"{}\" ", escape(name));
    counts.write_attributes(out);
    if let Some(timestamp) = timestamp {
        let _ = write!(out, " timestamp=\"{}\"", escape(timestamp));
    }
    out.push_str(">\n");
    if !properties.is_empty() {
        out.push_str("    <properties>\n");
        for (name, value) in properties {
            let _ = writeln!(
                out,
                "      <property name=\"{}\" value=\"{}\"/>",
                escape(name),
                escape(value)
            );
        }
        out.push_str("    </properties>\n");
    }
}

/// Appends one `<testcase>` element (its own lines) to `out`.
pub fn write_case(out: &mut String, case: &Case<'_>) {
    let _ = write!(
        out,
        "    <testcase name=\"{}\" classname=\"{}\"",
        escape(&case.name),
        escape(&case.classname)
    );
    let (element, kind, message, body) = match &case.outcome {
        Outcome::Passed => {
            out.push_str("/>\n");
            return;
        }
        Outcome::Skipped { message } => {
            let _ = writeln!(
                out,
                ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                escape(message)
            );
            return;
        }
        Outcome::Failure {
            kind,
            message,
            body,
        } => ("failure", kind, message, body),
        Outcome::Error {
            kind,
            message,
            body,
        } => ("error", kind, message, body),
    };
    let _ = writeln!(
        out,
        ">\n      <{element} message=\"{}\" type=\"{}\">{}</{element}>\n    </testcase>",
        escape(message),
        escape(kind),
        escape(body)
    );
}

/// The counts of a suite or of the document, made from the cases.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

impl Counts {
    fn of(cases: &[Case<'_>]) -> Counts {
        let mut counts = Counts::default();
        for case in cases {
            counts.count(&case.outcome);
        }
        counts
    }

    /// Counts one more case ending with `outcome`.
    pub fn count(&mut self, outcome: &Outcome<'_>) {
        self.tests += 1;
        match outcome {
            Outcome::Passed => {}
            Outcome::Failure { .. } => self.failures += 1,
            Outcome::Error { .. } => self.errors += 1,
            Outcome::Skipped { .. } => self.skipped += 1,
        }
    }

    /// Adds the counts of another suite.
    pub fn add(&mut self, other: Counts) {
        self.tests += other.tests;
        self.failures += other.failures;
        self.errors += other.errors;
        self.skipped += other.skipped;
    }

    fn write_attributes(&self, out: &mut String) {
        let _ = write!(
            out,
            "tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\"",
            self.tests, self.failures, self.errors, self.skipped
        );
    }
}

/// Escapes `text` for XML 1.0 element text and quoted attribute values alike.
///
/// - `&`, `<`, `>`, `"` and `'` become entities, so `]]>` and quotes are inert anywhere;
/// - line feed, carriage return and tab become character references (`&#10;`, `&#13;`, `&#9;`),
///   which an XML parser keeps as they are even inside attributes;
/// - characters XML 1.0 forbids even as references (the C0 controls other than those three,
///   U+FFFE and U+FFFF), and the DEL and C1 controls it discourages, are written visibly as
///   Rust writes them, `\u{1b}`, as the terminal and HTML outputs show them: the document stays
///   well-formed and the name stays recognisable.
pub fn escape(text: &str) -> Cow<'_, str> {
    let needs_escape =
        |c: char| matches!(c, '&' | '<' | '>' | '"' | '\'') || c.is_control() || is_noncharacter(c);
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if c.is_control() || is_noncharacter(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// U+FFFE and U+FFFF, outside XML 1.0's `Char` production (surrogates cannot be a `char`).
fn is_noncharacter(c: char) -> bool {
    matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

/// Renders the audit report as a JUnit XML document ending with a newline.
pub fn render(report: &Report) -> String {
    let timestamp = timestamp_text(&report.run.evaluated_at);
    let mut writer = JunitWriter::default();
    for rule in &report.rules {
        let cases = report
            .findings
            .iter()
            .enumerate()
            .filter(|(_, finding)| finding.rule == rule.id)
            .map(|(index, finding)| audit_case(finding, report.muted(index)))
            .collect();
        writer.suite(&Suite {
            name: Cow::Borrowed(&rule.id),
            timestamp: Some(&timestamp),
            properties: audit_suite_properties(rule),
            cases,
        });
    }
    writer.finish(AUDIT_DOCUMENT, Some(&timestamp))
}

const AUDIT_DOCUMENT: &str = "secaudit audit";

fn audit_suite_properties(rule: &ReportedRule) -> Vec<(&'static str, Cow<'_, str>)> {
    vec![("severity", Cow::Borrowed(rule.severity.as_str()))]
}

/// The test case of one finding of the audit, with its mute.
pub fn audit_case<'a>(finding: &'a Finding, muted: Option<&MuteNote>) -> Case<'a> {
    Case {
        name: Cow::Borrowed(&finding.resource.id),
        classname: Cow::Borrowed(&finding.rule),
        outcome: match (finding.compliance_type, muted) {
            (ComplianceType::Compliant, _) => Outcome::Passed,
            (ComplianceType::NonCompliant, Some(note)) => Outcome::Skipped {
                message: Cow::Owned(format!(
                    "muted by {} until {}: {}",
                    note.owner, note.expires, note.reason
                )),
            },
            (ComplianceType::NonCompliant, None) => Outcome::Failure {
                kind: "NON_COMPLIANT",
                message: Cow::Borrowed(&finding.annotation),
                body: Cow::Borrowed(&finding.detail),
            },
            (ComplianceType::InsufficientData, _) => Outcome::Error {
                kind: "INSUFFICIENT_DATA",
                message: Cow::Borrowed(&finding.annotation),
                body: Cow::Borrowed(&finding.detail),
            },
            (ComplianceType::NotApplicable, _) => Outcome::Skipped {
                message: Cow::Borrowed(&finding.annotation),
            },
        },
    }
}

/// Writes the audit document of a run whose test cases are in `spilled` (a spill grouped by
/// rule, each case rendered by [`write_case`] from [`audit_case`]), with `counts` the counts of
/// each rule's cases: the bytes `render` gives for a report holding those findings.
pub fn write_spilled(
    rules: &[ReportedRule],
    evaluated_at: &chrono::DateTime<chrono::Utc>,
    counts: &BTreeMap<String, Counts>,
    spilled: SpilledFindings,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let timestamp = timestamp_text(evaluated_at);
    let mut totals = Counts::default();
    for rule in rules {
        totals.add(counts.get(&rule.id).copied().unwrap_or_default());
    }
    out.write_all(document_start(AUDIT_DOCUMENT, totals, Some(&timestamp)).as_bytes())?;
    for rule in rules {
        let mut start = String::new();
        write_suite_start(
            &mut start,
            &rule.id,
            counts.get(&rule.id).copied().unwrap_or_default(),
            Some(&timestamp),
            &audit_suite_properties(rule),
        );
        out.write_all(start.as_bytes())?;
        spilled.write_rule(&rule.id, out, &mut |_| Vec::new())?;
        out.write_all(SUITE_END.as_bytes())?;
    }
    out.write_all(DOCUMENT_END.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::Severity;
    use crate::report::sample::{finding, report};

    #[test]
    fn counts_and_elements_follow_the_compliance_types() {
        let report = report(vec![
            finding("r", Severity::High, ComplianceType::NonCompliant, "a"),
            finding("r", Severity::High, ComplianceType::InsufficientData, "b"),
            finding("r", Severity::High, ComplianceType::NotApplicable, "c"),
            finding("r", Severity::High, ComplianceType::Compliant, "d"),
        ]);
        let xml = render(&report);
        assert!(xml.contains(
            "<testsuite name=\"r\" tests=\"4\" failures=\"1\" errors=\"1\" skipped=\"1\""
        ));
        assert!(xml.contains(
            "<testsuite name=\"quiet-rule\" tests=\"0\" failures=\"0\" errors=\"0\" skipped=\"0\""
        ));
        assert!(xml.contains("<testsuites name=\"secaudit audit\" tests=\"4\" failures=\"1\""));
        assert!(xml.contains("<failure message=\"a: NON_COMPLIANT\" type=\"NON_COMPLIANT\">"));
    }

    #[test]
    fn hostile_text_is_escaped() {
        assert_eq!(
            escape("<a href=\"x\">&'\u{1b}\n\r\t\u{0}\u{7f}\u{9b}\u{FFFE}\u{FFFF}"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;\\u{1b}&#10;&#13;&#9;\\u{0}\\u{7f}\\u{9b}\\u{fffe}\\u{ffff}"
        );
        assert!(matches!(escape("plain ü 🔑"), Cow::Borrowed(_)));
    }

    /// What a hostile name becomes once a real XML parser reads the document back.
    fn as_parsed(text: &str) -> String {
        text.chars()
            .map(|c| match c {
                '\n' | '\r' | '\t' => c.to_string(),
                c if c.is_control() || is_noncharacter(c) => format!("\\u{{{:x}}}", u32::from(c)),
                c => c.to_string(),
            })
            .collect()
    }

    #[test]
    fn a_hostile_name_in_every_field_parses_back_unchanged() {
        let hostile = "x\u{0}\u{1}\u{8}\u{b}\u{c}\u{1b}[31m\u{7f}\u{85}\u{FFFE}\u{FFFF} ]]> \
                       <![CDATA[ &amp; &<>\"' \r\n\t</testcase><a b='c'> \u{202e}🔑";
        let mut writer = JunitWriter::default();
        let outcomes = [
            Outcome::Failure {
                kind: hostile,
                message: hostile.into(),
                body: hostile.into(),
            },
            Outcome::Error {
                kind: hostile,
                message: hostile.into(),
                body: hostile.into(),
            },
            Outcome::Skipped {
                message: hostile.into(),
            },
            Outcome::Passed,
        ];
        writer.suite(&Suite {
            name: hostile.into(),
            timestamp: Some(hostile),
            properties: vec![(hostile, hostile.into())],
            cases: outcomes
                .into_iter()
                .map(|outcome| Case {
                    name: hostile.into(),
                    classname: hostile.into(),
                    outcome,
                })
                .collect(),
        });
        let xml = writer.finish(hostile, Some(hostile));
        let document = roxmltree::Document::parse(&xml).unwrap();
        let expected = as_parsed(hostile);
        let mut attributes = 0;
        let mut texts = 0;
        for node in document.descendants().filter(|node| node.is_element()) {
            for attribute in node.attributes() {
                if matches!(
                    attribute.name(),
                    "tests" | "failures" | "errors" | "skipped"
                ) {
                    continue;
                }
                assert_eq!(attribute.value(), expected, "{}", attribute.name());
                attributes += 1;
            }
            if matches!(node.tag_name().name(), "failure" | "error") {
                assert_eq!(node.text(), Some(expected.as_str()));
                texts += 1;
            }
        }
        // name and timestamp of testsuites and testsuite, a property, four testcases, failure
        // and error (message, type), skipped.
        assert_eq!(attributes, 2 + 2 + 2 + 4 * 2 + 2 * 2 + 1);
        assert_eq!(texts, 2);
        let root = document.root_element();
        assert_eq!(root.attribute("tests"), Some("4"));
        assert_eq!(root.attribute("failures"), Some("1"));
        assert_eq!(root.attribute("errors"), Some("1"));
        assert_eq!(root.attribute("skipped"), Some("1"));
    }
}
