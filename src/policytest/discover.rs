//! Finding case files from `secaudit test`'s arguments: files as given, directories walked
//! recursively for `*.json`, glob patterns expanded with the `glob` crate. The result is sorted
//! and free of duplicates, so a run's order never depends on the file system.
//!
//! Case files name their policies by relative path, so a directory of cases usually holds
//! policy documents too (`cases/policies/app.json`). A JSON object with a `Statement` and no
//! `requests` found while walking a directory is such a policy and is skipped; a file named on
//! the command line is always taken as a case file.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::error::io_reason;

/// The case files found, and the arguments that found none (argument, one-line reason).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Discovery {
    pub files: Vec<PathBuf>,
    pub errors: Vec<(String, String)>,
}

/// Resolves `arguments` (paths or glob patterns) to case files. An argument that finds no
/// file is an error, even when the other arguments find some.
pub fn discover(arguments: &[String]) -> Discovery {
    let mut files = BTreeSet::new();
    let mut errors = Vec::new();
    for argument in arguments {
        let mut found = BTreeSet::new();
        let path = Path::new(argument);
        let outcome = if path.is_dir() {
            walk(path, &mut found)
        } else if path.is_file() {
            found.insert(path.to_path_buf());
            Ok(())
        } else if argument.contains(['*', '?', '[']) {
            expand(argument, &mut found)
        } else {
            Err(String::from("no such file or directory"))
        };
        match outcome {
            Err(reason) => errors.push((argument.clone(), reason)),
            Ok(()) if found.is_empty() => {
                let reason = if path.is_dir() {
                    "no `*.json` file in this directory"
                } else {
                    "no file matches this pattern"
                };
                errors.push((argument.clone(), reason.to_owned()));
            }
            Ok(()) => files.append(&mut found),
        }
    }
    Discovery {
        files: files.into_iter().collect(),
        errors,
    }
}

fn expand(pattern: &str, files: &mut BTreeSet<PathBuf>) -> Result<(), String> {
    let paths = glob::glob(pattern).map_err(|error| {
        format!(
            "invalid glob pattern: {} at position {}",
            error.msg, error.pos
        )
    })?;
    for found in paths {
        let found = found.map_err(|error| {
            format!(
                "cannot read `{}`: {}",
                error.path().display(),
                io_reason(error.error())
            )
        })?;
        if found.is_dir() {
            walk(&found, files)?;
        } else if found.is_file() {
            files.insert(found);
        }
    }
    Ok(())
}

/// Adds every `*.json` file under `dir`, recursively.
fn walk(dir: &Path, files: &mut BTreeSet<PathBuf>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir)
        .map_err(|error| format!("cannot read `{}`: {}", dir.display(), io_reason(&error)))?;
    for entry in entries {
        let entry = entry
            .map_err(|error| format!("cannot read `{}`: {}", dir.display(), io_reason(&error)))?;
        let path = entry.path();
        if path.is_dir() {
            walk(&path, files)?;
        } else if path.is_file()
            && path.extension().is_some_and(|ext| ext == "json")
            && !is_policy_document(&path)
        {
            files.insert(path);
        }
    }
    Ok(())
}

/// True when the file at `path` is a policy document rather than a case file. A file that
/// cannot be read or parsed is not a policy here: loading it as a case reports the problem.
fn is_policy_document(path: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(path) else {
        return false;
    };
    match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(serde_json::Value::Object(object)) => {
            object.contains_key("Statement") && !object.contains_key("requests")
        }
        _ => false,
    }
}
