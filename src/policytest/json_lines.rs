//! Files of cases for `secaudit eval --cases`: one case document per file, or JSON Lines with
//! one case per line (as workload generators write them). A `.jsonl` file is read
//! as a stream, one case at a time, so that a workload far larger than memory can be decided.

use std::io::BufRead;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::case_file::{CaseFile, base_dir, parse_case_with};
use super::error::{CaseError, CaseFileError, io_reason, json_syntax_error};
use super::load_options::LoadOptions;
use super::policy_source::PolicyFiles;

/// Reads every case of the file at `path` (see `CaseStream`). The first bad case stops the load.
pub fn load_cases(path: &Path, options: &LoadOptions<'_>) -> Result<Vec<CaseFile>, CaseFileError> {
    CaseStream::open(path, options)?.collect()
}

/// The cases of one file, loaded one at a time. A `.jsonl` / `.ndjson` file is streamed line by
/// line; any other file is read whole and is one case document, or JSON Lines when its content
/// is several JSON documents one per line. Blank lines are skipped. Policy files named by
/// several cases are read once.
pub struct CaseStream<'a> {
    file: String,
    dir: PathBuf,
    options: LoadOptions<'a>,
    policy_files: PolicyFiles,
    source: Source,
    failed: bool,
}

enum Source {
    /// One case document, not yet handed out.
    Document(Option<Value>),
    /// Numbered lines of JSON Lines.
    Lines(Box<dyn Iterator<Item = (usize, std::io::Result<String>)>>),
}

impl std::fmt::Debug for CaseStream<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaseStream")
            .field("file", &self.file)
            .finish_non_exhaustive()
    }
}

impl<'a> CaseStream<'a> {
    /// Opens the file at `path`; reading and checking the cases happens as they are taken.
    pub fn open(path: &Path, options: &LoadOptions<'a>) -> Result<Self, CaseFileError> {
        let file = path.display().to_string();
        let unreadable = |error: std::io::Error| CaseFileError::Unreadable {
            file: file.clone(),
            reason: io_reason(&error),
        };
        let json_lines = matches!(
            path.extension().and_then(|ext| ext.to_str()),
            Some("jsonl" | "ndjson")
        );
        let source = if json_lines {
            let reader = std::io::BufReader::new(std::fs::File::open(path).map_err(unreadable)?);
            Source::Lines(Box::new(reader.lines().enumerate()))
        } else {
            let text = std::fs::read_to_string(path).map_err(unreadable)?;
            match serde_json::from_str::<Value>(&text) {
                Ok(value) => Source::Document(Some(value)),
                Err(_) if looks_like_json_lines(&text) => {
                    let lines: Vec<_> = text
                        .lines()
                        .map(|line| Ok::<_, std::io::Error>(line.to_owned()))
                        .collect();
                    Source::Lines(Box::new(lines.into_iter().enumerate()))
                }
                Err(error) => {
                    return Err(CaseFileError::Invalid {
                        file,
                        error: json_syntax_error(&error),
                    });
                }
            }
        };
        Ok(Self {
            dir: base_dir(path).to_path_buf(),
            file,
            options: *options,
            policy_files: PolicyFiles::default(),
            source,
            failed: false,
        })
    }

    fn invalid(&self, error: CaseError) -> CaseFileError {
        CaseFileError::Invalid {
            file: self.file.clone(),
            error,
        }
    }

    fn parse(&mut self, value: &Value, fallback: &str) -> Result<CaseFile, CaseError> {
        parse_case_with(
            value,
            &self.dir,
            &self.options,
            fallback,
            &mut self.policy_files,
        )
    }

    fn next_case(&mut self) -> Option<Result<CaseFile, CaseFileError>> {
        let (index, line) = match &mut self.source {
            Source::Document(value) => {
                let value = value.take()?;
                let fallback = Path::new(&self.file)
                    .file_stem()
                    .map(|stem| stem.to_string_lossy().into_owned())
                    .unwrap_or_else(|| self.file.clone());
                return Some(self.parse(&value, &fallback).map_err(|e| self.invalid(e)));
            }
            Source::Lines(lines) => loop {
                match lines.next()? {
                    (_, Ok(line)) if line.trim().is_empty() => continue,
                    other => break other,
                }
            },
        };
        let number = index + 1;
        // A line of a JSON Lines file is a place in the text: `line 3: $.requests[0]: …`.
        let at_line = |error: CaseError| CaseError::in_text(format!("line {number}: {error}"));
        let line = match line {
            Ok(line) => line,
            Err(error) => {
                return Some(Err(CaseFileError::Unreadable {
                    file: self.file.clone(),
                    reason: format!("line {number}: {}", io_reason(&error)),
                }));
            }
        };
        let case = serde_json::from_str::<Value>(&line)
            .map_err(|error| at_line(json_syntax_error(&error)))
            .and_then(|value| {
                self.parse(&value, &format!("line {number}"))
                    .map_err(at_line)
            });
        Some(case.map_err(|error| self.invalid(error)))
    }
}

impl Iterator for CaseStream<'_> {
    type Item = Result<CaseFile, CaseFileError>;

    /// The next case; after an error, nothing more.
    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let next = self.next_case();
        self.failed = matches!(next, Some(Err(_)));
        next
    }
}

/// True when the first non-blank line is a complete JSON object by itself and more lines follow.
fn looks_like_json_lines(text: &str) -> bool {
    let mut lines = text.lines().filter(|line| !line.trim().is_empty());
    let first_is_object = lines
        .next()
        .is_some_and(|line| matches!(serde_json::from_str::<Value>(line), Ok(Value::Object(_))));
    first_is_object && lines.next().is_some()
}
