//! The JUnit XML report of a `secaudit test` run, for CI systems: one `<testsuite>` per case
//! file, one `<testcase>` per request, `<failure>` for a wrong decision and `<error>` for a
//! request naming what AWS does not know or a file that could not run. The document is written
//! (and every piece of text escaped) by the one JUnit writer, `report::junit`.

use std::borrow::Cow;

use super::runner::{FileOutcome, FileReport, SuiteReport};
use super::trace::trace_lines;
use crate::report::junit::{Case, JunitWriter, Outcome, Suite};

/// The report as a JUnit XML document, ending in `\n`.
pub fn render_junit(report: &SuiteReport) -> String {
    let mut writer = JunitWriter::default();
    for file in &report.files {
        writer.suite(&suite(file));
    }
    writer.finish("secaudit test", None)
}

fn suite(file: &FileReport) -> Suite<'_> {
    let name = Cow::Borrowed(file.file.as_str());
    let cases = match &file.outcome {
        FileOutcome::Error { detail, .. } => vec![Case {
            name: Cow::Borrowed("load"),
            classname: name.clone(),
            outcome: Outcome::Error {
                kind: "error",
                message: Cow::Borrowed(detail),
                body: Cow::Borrowed(detail),
            },
        }],
        FileOutcome::Ran { case, results } => results
            .iter()
            .map(|result| Case {
                name: Cow::Owned(format!("{case} / {}", result.name)),
                classname: name.clone(),
                outcome: match (&result.error, result.expect) {
                    (Some(error), _) => Outcome::Error {
                        kind: "unknown name",
                        message: Cow::Borrowed(error),
                        body: Cow::Borrowed(error),
                    },
                    (None, Some(expect)) if !result.passed() => Outcome::Failure {
                        kind: "wrong decision",
                        message: Cow::Owned(format!(
                            "expected {}, got {}",
                            expect.as_str(),
                            result.evaluation.decision.as_str()
                        )),
                        body: Cow::Owned(
                            trace_lines(&result.evaluation)
                                .iter()
                                .map(|(label, text)| format!("{label}: {text}"))
                                .collect::<Vec<_>>()
                                .join("\n"),
                        ),
                    },
                    _ => Outcome::Passed,
                },
            })
            .collect(),
    };
    Suite {
        name,
        cases,
        ..Suite::default()
    }
}
