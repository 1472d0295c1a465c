//! The report writers: they turn the findings of one audit run into bytes, as the versioned JSON
//! envelope (`json`), RFC 4180 CSV (`csv`), a terminal table (`table`) and AWS Config
//! PutEvaluations batches (`config_evaluations`). `Report` gathers what every format needs: the
//! run's description, the rules that ran and the findings in report order.
//!
//! Writers are pure functions of a `Report`: they never print, never read the clock or the
//! environment (the caller decides colour), and the same report always gives the same bytes.

pub mod baseline;
pub mod config_evaluations;
pub mod csv;
pub mod json;
pub mod mutes;
mod report_model;
#[cfg(test)]
mod sample;
pub mod table;

pub use report_model::{
    AccountRun, Lifecycle, MuteLists, Report, ReportedRule, RuleCounts, RuleDoc, RunInfo,
    SnapshotInfo,
};

/// Why a report could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot render json: {0}")]
    Json(#[from] serde_json::Error),
    #[error("cannot render csv: {0}")]
    Csv(String),
}

/// A problem in a file the user passed directly (mutes, baseline): the JSON path and what is
/// wrong there. The caller names the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct LifecycleFileError {
    pub path: String,
    pub message: String,
}

impl LifecycleFileError {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> LifecycleFileError {
        LifecycleFileError {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// Formats a timestamp the way every report writes it: RFC 3339 in UTC with a `Z`, fractional
/// seconds only when there are some (`2026-11-01T00:00:00Z`). The same text serde writes.
pub(crate) fn timestamp_text(time: &chrono::DateTime<chrono::Utc>) -> String {
    time.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}
