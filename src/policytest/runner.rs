//! Running cases: every request of a case through `eval::evaluate`, compared with its
//! `expect`; and a whole `secaudit test` run over many files, where a file that cannot be
//! loaded is an ERROR that does not stop the others.

use std::path::Path;

use super::case_file::{CaseFile, base_dir, load_case_file};
use super::coverage::Coverage;
use super::discover::Discovery;
use super::error::CaseFileError;
use super::load_options::LoadOptions;
use crate::eval::{Decision, Evaluation, evaluate};

/// The outcome of one request.
#[derive(Debug)]
pub struct RequestResult {
    /// Position in the case's `requests`.
    pub index: usize,
    pub name: String,
    pub expect: Option<Decision>,
    pub evaluation: Evaluation,
    /// The request names what AWS does not know (`CaseRequest::unknown`): an ERROR, counted as
    /// failed whatever the decision.
    pub error: Option<String>,
}

impl RequestResult {
    /// True when the decision is the expected one (or nothing was expected) and the request is
    /// not an ERROR.
    pub fn passed(&self) -> bool {
        self.error.is_none()
            && self
                .expect
                .is_none_or(|expect| expect.as_str() == self.evaluation.decision.as_str())
    }
}

/// What happened to one case file.
#[derive(Debug)]
pub enum FileOutcome {
    /// The file loaded and its requests ran.
    Ran {
        case: String,
        results: Vec<RequestResult>,
    },
    /// The file could not be used, or a path or pattern given on the command line found
    /// nothing. `detail` is relative to the file (`requests[3].expect: …`); `message` is the
    /// whole one-line error, file included (``cannot load `x.json`: requests[3].expect: …``).
    Error { detail: String, message: String },
}

/// One case file (or one path argument that found nothing) and its outcome.
#[derive(Debug)]
pub struct FileReport {
    /// The file as found from the command line's paths (or the argument itself).
    pub file: String,
    pub outcome: FileOutcome,
}

/// A whole run of `secaudit test`, in file order.
#[derive(Debug, Default)]
pub struct SuiteReport {
    pub files: Vec<FileReport>,
    /// With `--coverage`: the statements of the policies under test and the requests that
    /// exercised them.
    pub coverage: Option<Coverage>,
}

impl SuiteReport {
    /// Requests whose decision was the expected one.
    pub fn passed(&self) -> usize {
        self.results().filter(|result| result.passed()).count()
    }

    /// Requests whose decision was not the expected one.
    pub fn failed(&self) -> usize {
        self.results().filter(|result| !result.passed()).count()
    }

    /// Requests that are ERRORs (they name what AWS does not know); also counted as failed.
    pub fn request_errors(&self) -> usize {
        self.results()
            .filter(|result| result.error.is_some())
            .count()
    }

    /// Files (or arguments) that could not be run.
    pub fn errors(&self) -> usize {
        self.files
            .iter()
            .filter(|file| matches!(file.outcome, FileOutcome::Error { .. }))
            .count()
    }

    /// Every request result, in file then request order.
    pub fn results(&self) -> impl Iterator<Item = &RequestResult> {
        self.files.iter().flat_map(|file| match &file.outcome {
            FileOutcome::Ran { results, .. } => results.as_slice(),
            FileOutcome::Error { .. } => &[],
        })
    }
}

/// Runs every request of `case`.
pub fn run_case(case: &CaseFile) -> Vec<RequestResult> {
    run_requests(case, &|_| true, "")
}

/// Runs the requests of `case` (loaded from `file`) that `select` keeps; `select` sees the
/// request as report lines name it: `FILE: CASE / REQUEST`.
fn run_requests(case: &CaseFile, select: &dyn Fn(&str) -> bool, file: &str) -> Vec<RequestResult> {
    case.requests
        .iter()
        .enumerate()
        .filter(|(_, request)| select(&format!("{file}: {} / {}", case.name, request.name)))
        .map(|(index, request)| RequestResult {
            index,
            name: request.name.clone(),
            expect: request.expect,
            evaluation: evaluate(request.policies(case), &request.request),
            error: request.unknown.clone(),
        })
        .collect()
}

/// Loads (with `options`) and runs every file that `discovery` found, in its order; its errors
/// come first.
pub fn run_files(discovery: &Discovery, options: &LoadOptions<'_>) -> SuiteReport {
    run_selected(discovery, options, &|_| true, false)
}

/// As `run_files`, running only the requests that `select` keeps (it sees `FILE: CASE / REQUEST`)
/// (`secaudit test --run`); files that do not load are still errors. With `coverage`, the
/// report says which statements the requests exercised.
pub fn run_selected(
    discovery: &Discovery,
    options: &LoadOptions<'_>,
    select: &dyn Fn(&str) -> bool,
    coverage: bool,
) -> SuiteReport {
    let mut statements = Coverage::default();
    let mut files: Vec<FileReport> = discovery
        .errors
        .iter()
        .map(|(argument, detail)| FileReport {
            file: argument.clone(),
            outcome: FileOutcome::Error {
                detail: detail.clone(),
                message: format!("`{argument}`: {detail}"),
            },
        })
        .collect();
    files.extend(
        discovery
            .files
            .iter()
            .map(|path| run_file(path, options, select, &mut statements)),
    );
    SuiteReport {
        files,
        coverage: coverage.then_some(statements),
    }
}

fn run_file(
    path: &Path,
    options: &LoadOptions<'_>,
    select: &dyn Fn(&str) -> bool,
    coverage: &mut Coverage,
) -> FileReport {
    let file = path.display().to_string();
    let outcome = match load_case_file(path, options) {
        Ok(case) => {
            let results = run_requests(&case, select, &file);
            coverage.add_case(&file, base_dir(path), &case, &results);
            FileOutcome::Ran {
                results,
                case: case.name,
            }
        }
        Err(error) => FileOutcome::Error {
            detail: match &error {
                CaseFileError::Unreadable { reason, .. } => {
                    format!("cannot read the file: {reason}")
                }
                CaseFileError::Invalid { error, .. } => error.to_string(),
            },
            message: error.to_string(),
        },
    };
    FileReport { file, outcome }
}
