//! Policy unit tests: the case-file format (DESIGN.md, "Policy test case format"), its loader,
//! the runner behind `secaudit test` and the conformance suite, and the renderings of a run
//! (text, JSON, JUnit XML) and of one evaluation's trace.
//!
//! It owns the meaning of a case file: which fields exist, how policies given by path are found
//! (relative to the case file), how SCP/RCP levels are written, which standard context keys
//! `derive_context` may add. It reads the files it is pointed at (case files, the policies they
//! name) but never prints, never reads the clock, and never decides a request itself: every
//! decision comes from `crate::eval`.

mod case_file;
mod catalogue_check;
mod context_json;
mod coverage;
mod derive;
mod discover;
mod error;
mod json_lines;
mod json_shape;
mod junit;
mod load_options;
mod policy_source;
mod report_json;
mod report_text;
mod runner;
mod trace;

pub use case_file::{CaseFile, CaseRequest, load_case_file, parse_case};
pub use context_json::{ContextEntries, check_context_value};
pub use coverage::{Coverage, StatementUse};
pub use derive::derive_principal_keys;
pub use discover::{Discovery, discover};
pub use error::{CaseError, CaseFileError};
pub use json_lines::{CaseStream, load_cases};
pub use junit::render_junit;
pub use load_options::{Expectations, LoadOptions, SnapshotPolicies};
pub use policy_source::load_policy_file;
pub use report_json::render_json;
pub use report_text::{render_text, summary_lines};
pub use runner::{
    FileOutcome, FileReport, RequestResult, SuiteReport, run_case, run_files, run_selected,
};
pub use trace::{evaluation_json, statement_text, trace_lines, trace_summary};

#[cfg(test)]
mod tests;
