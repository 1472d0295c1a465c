//! The JSON report of a `secaudit test` run: one document with the counts and, per file, either
//! its error or every request's result with its trace.

use serde_json::{Value, json};

use super::runner::{FileOutcome, FileReport, RequestResult, SuiteReport};
use super::trace::evaluation_json;

/// The report as pretty-printed JSON, ending in `\n`. Shape:
/// `{"schema_version": 1, "summary": {"passed", "failed", "errors"}, "files": [{"file",
/// "status": "ran", "case", "requests": [{"index", "name", "expect", "decision", "result":
/// "pass"|"fail", "allowed_by", "denied_by", "blocked_by", "missing_keys", "unsettled_keys",
/// "diagnostics"}]} | {"file", "status": "error", "error"}]}`; with `--coverage` also
/// `"coverage": {"percent", "statements": [{"policy", "index", "sid", "hits"}]}`.
pub fn render_json(report: &SuiteReport) -> String {
    let mut document = json!({
        "schema_version": 1,
        "summary": {
            "passed": report.passed(),
            "failed": report.failed(),
            "errors": report.errors(),
        },
        "files": report.files.iter().map(file_json).collect::<Vec<_>>(),
    });
    if let (Some(coverage), Value::Object(map)) = (&report.coverage, &mut document) {
        let statements: Vec<Value> = coverage
            .statements()
            .map(|statement| {
                json!({
                    "policy": statement.policy,
                    "index": statement.index,
                    "sid": statement.sid,
                    "hits": statement.hits,
                })
            })
            .collect();
        map.insert(
            String::from("coverage"),
            json!({"percent": coverage.percent(), "statements": statements}),
        );
    }
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}

fn file_json(file: &FileReport) -> Value {
    match &file.outcome {
        FileOutcome::Error { detail, .. } => json!({
            "file": file.file,
            "status": "error",
            "error": detail,
        }),
        FileOutcome::Ran { case, results } => json!({
            "file": file.file,
            "status": "ran",
            "case": case,
            "requests": results.iter().map(request_json).collect::<Vec<_>>(),
        }),
    }
}

fn request_json(result: &RequestResult) -> Value {
    let mut value = evaluation_json(&result.evaluation);
    if let Value::Object(object) = &mut value {
        object.insert(String::from("index"), json!(result.index));
        object.insert(String::from("name"), json!(result.name));
        object.insert(
            String::from("expect"),
            json!(result.expect.map(|expect| expect.as_str())),
        );
        object.insert(
            String::from("result"),
            json!(match (&result.error, result.passed()) {
                (Some(_), _) => "error",
                (None, true) => "pass",
                (None, false) => "fail",
            }),
        );
        if let Some(error) = &result.error {
            object.insert(String::from("error"), json!(error));
        }
    }
    value
}
