//! The JUnit XML report of a `secaudit test` run, for CI systems: one `<testsuite>` per case
//! file, one `<testcase>` per request, `<failure>` for a wrong decision and `<error>` for a file
//! that could not run. Every piece of text from a case file is XML-escaped.

use std::fmt::Write as _;

use super::runner::{FileOutcome, FileReport, SuiteReport};
use super::trace::trace_lines;

/// The report as a JUnit XML document, ending in `\n`.
pub fn render_junit(report: &SuiteReport) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"secaudit test\" tests=\"{}\" failures=\"{}\" errors=\"{}\">",
        report.passed() + report.failed() + report.errors(),
        report.failed() - report.request_errors(),
        report.errors() + report.request_errors()
    );
    for file in &report.files {
        write_suite(&mut out, file);
    }
    out.push_str("</testsuites>\n");
    out
}

fn write_suite(out: &mut String, file: &FileReport) {
    let name = escape(&file.file);
    match &file.outcome {
        FileOutcome::Error { detail, .. } => {
            let _ = writeln!(
                out,
                "  <testsuite name=\"{name}\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\">"
            );
            let _ = writeln!(out, "    <testcase classname=\"{name}\" name=\"load\">");
            let _ = writeln!(
                out,
                "      <error type=\"error\" message=\"{}\">{}</error>",
                escape(detail),
                escape(detail)
            );
            out.push_str("    </testcase>\n");
        }
        FileOutcome::Ran { case, results } => {
            let errors = results.iter().filter(|r| r.error.is_some()).count();
            let failures = results.iter().filter(|r| !r.passed()).count() - errors;
            let _ = writeln!(
                out,
                "  <testsuite name=\"{name}\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"0\">",
                results.len()
            );
            for result in results {
                let _ = write!(
                    out,
                    "    <testcase classname=\"{name}\" name=\"{}\"",
                    escape(&format!("{case} / {}", result.name))
                );
                let decision = result.evaluation.decision.as_str();
                if let Some(error) = &result.error {
                    let _ = writeln!(
                        out,
                        ">\n      <error type=\"unknown name\" message=\"{}\">{}</error>\n    </testcase>",
                        escape(error),
                        escape(error)
                    );
                    continue;
                }
                match result.expect {
                    Some(expect) if !result.passed() => {
                        let message = format!("expected {}, got {decision}", expect.as_str());
                        let body = trace_lines(&result.evaluation)
                            .iter()
                            .map(|(label, text)| format!("{label}: {text}"))
                            .collect::<Vec<_>>()
                            .join("\n");
                        let _ = writeln!(
                            out,
                            ">\n      <failure type=\"wrong decision\" message=\"{}\">{}</failure>\n    </testcase>",
                            escape(&message),
                            escape(&body)
                        );
                    }
                    _ => out.push_str("/>\n"),
                }
            }
        }
    }
    out.push_str("  </testsuite>\n");
}

/// Escapes `text` for XML 1.0 text and attribute values: markup characters become entities,
/// line breaks and tabs become character references (kept in attributes), and characters XML
/// 1.0 forbids become U+FFFD.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
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
            c if is_xml_char(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
    out
}

/// The `Char` production of XML 1.0 (tab, line feed and carriage return handled before).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}
