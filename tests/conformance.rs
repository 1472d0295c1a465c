//! The conformance corpus (`tests/cases/**`, written from the AWS documentation) run through the
//! library's own runner, the one behind `secaudit test`: every file must load and every request
//! must get its documented decision. A failure lists each failing request with its trace.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step is a failed test"
)]

use std::path::Path;

use secaudit::policytest::{
    Expectations, FileOutcome, LoadOptions, discover, run_files, trace_summary,
};

/// The corpus must hold at least this many requests (issue 2: "at least 200 requests").
const MIN_REQUESTS: usize = 200;

#[test]
fn the_corpus_gets_its_documented_decisions() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let options = LoadOptions::new(Expectations::Required);
    let report = run_files(&discover(&[root.display().to_string()]), &options);
    let mut problems = Vec::new();
    for file in &report.files {
        let shown = Path::new(&file.file)
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| file.file.clone());
        match &file.outcome {
            FileOutcome::Error { detail, .. } => problems.push(format!("ERROR {shown}: {detail}")),
            FileOutcome::Ran { case, results } => {
                for result in results.iter().filter(|r| !r.passed()) {
                    problems.push(format!(
                        "FAIL {shown}: {case} / {}: expected {}, got {} ({})",
                        result.name,
                        result.expect.map_or("nothing", |e| e.as_str()),
                        result.evaluation.decision.as_str(),
                        trace_summary(&result.evaluation)
                    ));
                }
            }
        }
    }
    let requests = report.passed() + report.failed();
    assert!(
        problems.is_empty(),
        "{} of {requests} requests fail, {} files do not load:\n{}",
        report.failed(),
        report.errors(),
        problems.join("\n")
    );
    assert!(
        requests >= MIN_REQUESTS,
        "the corpus holds {requests} requests, fewer than {MIN_REQUESTS}"
    );
}
