//! The JUnit XML report, for CI test panels: one `testsuite` per rule (`name` = rule id) and one
//! `testcase` per finding (`name` = resource ARN, `classname` = rule id). NON_COMPLIANT is a
//! `failure` carrying the annotation, INSUFFICIENT_DATA an `error`, NOT_APPLICABLE `skipped`;
//! COMPLIANT passes. A muted NON_COMPLIANT finding is `skipped` with the mute's owner, end and
//! reason: an accepted risk is not a failing test. The suite counts are those of the test cases.
//!
//! Every attribute and text is escaped; characters XML 1.0 cannot carry (control characters)
//! are written as visible `\u{…}` escapes, so attacker-chosen names cannot break the document.

use std::fmt::Write as _;

use super::{Report, timestamp_text};
use crate::findings::ComplianceType;

/// Renders the report as a JUnit XML document ending with a newline.
pub fn render(report: &Report) -> String {
    let timestamp = timestamp_text(&report.run.evaluated_at);
    let mut suites = String::new();
    let mut totals = Counts::default();
    for rule in &report.rules {
        let mut counts = Counts::default();
        let mut cases = String::new();
        for (index, finding) in report.findings.iter().enumerate() {
            if finding.rule != rule.id {
                continue;
            }
            counts.tests += 1;
            let _ = write!(
                cases,
                "    <testcase name=\"{}\" classname=\"{}\"",
                escape(&finding.resource.id),
                escape(&finding.rule)
            );
            let outcome = match (finding.compliance_type, report.muted(index)) {
                (ComplianceType::Compliant, _) => None,
                (ComplianceType::NonCompliant, Some(note)) => {
                    counts.skipped += 1;
                    Some(format!(
                        "<skipped message=\"muted by {} until {}: {}\"/>",
                        escape(&note.owner),
                        escape(&note.expires),
                        escape(&note.reason)
                    ))
                }
                (ComplianceType::NonCompliant, None) => {
                    counts.failures += 1;
                    Some(format!(
                        "<failure message=\"{}\" type=\"NON_COMPLIANT\">{}</failure>",
                        escape(&finding.annotation),
                        escape(&finding.detail)
                    ))
                }
                (ComplianceType::InsufficientData, _) => {
                    counts.errors += 1;
                    Some(format!(
                        "<error message=\"{}\" type=\"INSUFFICIENT_DATA\">{}</error>",
                        escape(&finding.annotation),
                        escape(&finding.detail)
                    ))
                }
                (ComplianceType::NotApplicable, _) => {
                    counts.skipped += 1;
                    Some(format!(
                        "<skipped message=\"{}\"/>",
                        escape(&finding.annotation)
                    ))
                }
            };
            match outcome {
                None => cases.push_str("/>\n"),
                Some(element) => {
                    let _ = writeln!(cases, ">\n      {element}\n    </testcase>");
                }
            }
        }
        let _ = writeln!(
            suites,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" \
             timestamp=\"{timestamp}\">",
            escape(&rule.id),
            counts.tests,
            counts.failures,
            counts.errors,
            counts.skipped
        );
        let _ = writeln!(
            suites,
            "    <properties>\n      <property name=\"severity\" value=\"{}\"/>\n    </properties>",
            rule.severity.as_str()
        );
        suites.push_str(&cases);
        suites.push_str("  </testsuite>\n");
        totals.add(counts);
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <testsuites name=\"secaudit audit\" tests=\"{}\" failures=\"{}\" errors=\"{}\" \
         skipped=\"{}\" timestamp=\"{timestamp}\">\n{suites}</testsuites>\n",
        totals.tests, totals.failures, totals.errors, totals.skipped
    )
}

#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

impl Counts {
    fn add(&mut self, other: Counts) {
        self.tests += other.tests;
        self.failures += other.failures;
        self.errors += other.errors;
        self.skipped += other.skipped;
    }
}

/// Escapes text for an XML attribute or element; control characters become `\u{…}`.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#9;"),
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
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
            escape("<a href=\"x\">&'\u{1b}\n"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;\\u{1b}&#10;"
        );
    }
}
