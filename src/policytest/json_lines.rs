//! Files of cases for `secaudit eval --cases`: one case document per file, or JSON Lines with
//! one case per line (as `shared/tools/workload/gen.py` writes them).

use std::path::Path;

use serde_json::Value;

use super::case_file::{CaseFile, base_dir, parse_case_with};
use super::error::{CaseError, CaseFileError, io_reason, json_syntax_error};
use super::load_options::LoadOptions;
use super::policy_source::PolicyFiles;

/// Reads every case of the file at `path`. A `.jsonl` / `.ndjson` file, or a file whose
/// content is several JSON documents one per line, is read as JSON Lines (blank lines are
/// skipped); anything else is one case document. The first bad case stops the load.
pub fn load_cases(path: &Path, options: &LoadOptions<'_>) -> Result<Vec<CaseFile>, CaseFileError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|error| CaseFileError::Unreadable {
        file: file.clone(),
        reason: io_reason(&error),
    })?;
    let invalid = |error: CaseError| CaseFileError::Invalid {
        file: file.clone(),
        error,
    };
    let mut policy_files = PolicyFiles::default();
    let dir = base_dir(path);
    let json_lines = matches!(
        path.extension().and_then(|ext| ext.to_str()),
        Some("jsonl" | "ndjson")
    );
    if !json_lines {
        match serde_json::from_str::<Value>(&text) {
            Ok(value) => {
                let fallback = path
                    .file_stem()
                    .map(|stem| stem.to_string_lossy().into_owned())
                    .unwrap_or_else(|| file.clone());
                return parse_case_with(&value, dir, options, &fallback, &mut policy_files)
                    .map(|case| vec![case])
                    .map_err(invalid);
            }
            Err(error) if !looks_like_json_lines(&text) => {
                return Err(invalid(json_syntax_error(&error)));
            }
            Err(_) => {}
        }
    }
    let mut cases = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let number = index + 1;
        let at_line = |error: CaseError| {
            let location = if error.location.is_empty() {
                format!("line {number}")
            } else {
                format!("line {number}: {}", error.location)
            };
            invalid(CaseError::new(location, error.message))
        };
        let value: Value =
            serde_json::from_str(line).map_err(|e| at_line(json_syntax_error(&e)))?;
        let fallback = format!("line {number}");
        cases.push(
            parse_case_with(&value, dir, options, &fallback, &mut policy_files).map_err(at_line)?,
        );
    }
    Ok(cases)
}

/// True when the first non-blank line is a complete JSON object by itself and more lines follow.
fn looks_like_json_lines(text: &str) -> bool {
    let mut lines = text.lines().filter(|line| !line.trim().is_empty());
    let first_is_object = lines
        .next()
        .is_some_and(|line| matches!(serde_json::from_str::<Value>(line), Ok(Value::Object(_))));
    first_is_object && lines.next().is_some()
}
