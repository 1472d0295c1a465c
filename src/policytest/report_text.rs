//! The text report of a `secaudit test` run: one line per failing request and per file that
//! could not run (every request with `verbose`), then the closing count.

use std::fmt::Write as _;

use super::coverage::Coverage;
use super::runner::{FileOutcome, RequestResult, SuiteReport};
use super::trace::trace_summary;

/// The whole text report, closing line included, each line ending in `\n`.
pub fn render_text(report: &SuiteReport, verbose: bool) -> String {
    let mut out = String::new();
    for file in &report.files {
        match &file.outcome {
            FileOutcome::Error { detail, .. } => {
                let _ = writeln!(out, "ERROR {}: {}", one_line(&file.file), one_line(detail));
            }
            FileOutcome::Ran { case, results } => {
                for result in results {
                    if verbose || !result.passed() {
                        let _ = writeln!(out, "{}", request_line(&file.file, case, result));
                    }
                }
            }
        }
    }
    let coverage = report.coverage.as_ref().map(Coverage::lines);
    for line in coverage.into_iter().flatten().chain(summary_lines(report)) {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// The closing lines: `N errors` when some file could not run, then always
/// `N passed, N failed` (requests counted).
pub fn summary_lines(report: &SuiteReport) -> Vec<String> {
    let mut lines = Vec::new();
    match report.errors() + report.request_errors() {
        0 => {}
        1 => lines.push(String::from("1 error")),
        errors => lines.push(format!("{errors} errors")),
    }
    lines.push(format!(
        "{} passed, {} failed",
        report.passed(),
        report.failed()
    ));
    lines
}

fn request_line(file: &str, case: &str, result: &RequestResult) -> String {
    let decision = result.evaluation.decision.as_str();
    let trace = trace_summary(&result.evaluation);
    let head = format!(
        "{file}: {case} / {name}",
        file = one_line(file),
        case = one_line(case),
        name = one_line(&result.name)
    );
    if let Some(error) = &result.error {
        return format!("ERROR {head}: {}", one_line(error));
    }
    match result.expect {
        Some(expect) if !result.passed() => format!(
            "FAIL {head}: expected {}, got {decision} ({trace})",
            expect.as_str()
        ),
        _ => format!("PASS {head}: {decision} ({trace})"),
    }
}

/// `text` with control and bidirectional characters escaped (`crate::terminal::printable`),
/// so that a name from a case file cannot break the one-line-per-result format nor take over
/// the terminal.
pub(crate) fn one_line(text: &str) -> String {
    crate::terminal::printable(text).into_owned()
}
