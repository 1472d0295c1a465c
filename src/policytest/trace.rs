//! How one evaluation is explained: the deciding statements, the blocking layer and the context
//! keys the policies asked for, as short text (test lines, `eval` output) and as JSON.

use crate::terminal::printable;
use serde_json::{Value, json};

use crate::eval::{Diagnostic, Evaluation, Layer, StatementRef};

/// One statement as text: ``identity `app.json` Statement[2] `ReadProd` ``.
pub fn statement_text(statement: &StatementRef) -> String {
    let mut text = format!(
        "{} `{}` Statement[{}]",
        statement.layer.as_str(),
        printable(&statement.policy),
        statement.index
    );
    if let Some(sid) = &statement.sid {
        text.push_str(&format!(" `{}`", printable(sid)));
    }
    text
}

/// The trace as labelled lines (`blocked by: boundary`, `allowed by: …`), only the non-empty ones.
pub fn trace_lines(evaluation: &Evaluation) -> Vec<(&'static str, String)> {
    let mut lines = Vec::new();
    if let Some(layer) = evaluation.blocked_by {
        lines.push(("blocked by", layer.as_str().to_owned()));
    }
    for statement in &evaluation.denied_by {
        lines.push(("denied by", statement_text(statement)));
    }
    for statement in &evaluation.allowed_by {
        lines.push(("allowed by", statement_text(statement)));
    }
    if !evaluation.missing_keys.is_empty() {
        lines.push(("missing keys", key_list(&evaluation.missing_keys)));
    }
    if !evaluation.unsettled_keys.is_empty() {
        lines.push(("unsettled keys", key_list(&evaluation.unsettled_keys)));
    }
    for diagnostic in &evaluation.diagnostics {
        lines.push(("note", diagnostic.message()));
    }
    lines
}

/// The trace on one line: `blocked by boundary; allowed by identity …`.
pub fn trace_summary(evaluation: &Evaluation) -> String {
    let lines = trace_lines(evaluation);
    if lines.is_empty() {
        return String::from("no statement applies");
    }
    lines
        .iter()
        .map(|(label, text)| format!("{label} {text}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The evaluation as a JSON object: `decision`, `allowed_by`, `denied_by`, `blocked_by`,
/// `missing_keys`, `unsettled_keys`, `diagnostics` (`[{"code", "message", …}]`).
pub fn evaluation_json(evaluation: &Evaluation) -> Value {
    json!({
        "decision": evaluation.decision.as_str(),
        "allowed_by": evaluation.allowed_by.iter().map(statement_json).collect::<Vec<_>>(),
        "denied_by": evaluation.denied_by.iter().map(statement_json).collect::<Vec<_>>(),
        "blocked_by": evaluation.blocked_by.map(Layer::as_str),
        "missing_keys": evaluation.missing_keys,
        "unsettled_keys": evaluation.unsettled_keys,
        "diagnostics": evaluation.diagnostics.iter().map(diagnostic_json).collect::<Vec<_>>(),
    })
}

/// `{"code": …, "message": …}` plus the diagnostic's own fields (`policy`, `index`, `reason`).
fn diagnostic_json(diagnostic: &Diagnostic) -> Value {
    let mut value = serde_json::to_value(diagnostic).unwrap_or_else(|_| json!({}));
    if let Value::Object(map) = &mut value {
        map.insert("message".into(), Value::String(diagnostic.message()));
    }
    value
}

fn statement_json(statement: &StatementRef) -> Value {
    json!({
        "layer": statement.layer.as_str(),
        "policy": statement.policy,
        "index": statement.index,
        "sid": statement.sid,
    })
}

fn key_list(keys: &[String]) -> String {
    keys.iter()
        .map(|key| format!("`{}`", printable(key)))
        .collect::<Vec<_>>()
        .join(", ")
}
