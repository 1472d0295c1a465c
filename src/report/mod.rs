//! The report writers: they turn the findings of one audit run into bytes, as the versioned JSON
//! envelope (`json`), RFC 4180 CSV (`csv`), a terminal table (`table`), AWS Config
//! PutEvaluations batches (`config_evaluations`), JUnit XML (`junit`), SARIF 2.1.0 (`sarif`),
//! OCSF Compliance Finding events (`ocsf`), Security Hub findings (`asff`) and a self-contained
//! HTML page (`html`). `Report` gathers what every format needs: the run's description, the
//! rules that ran (with their text), the findings in report order and what mutes and a baseline
//! added to them. [`write`] is the one entry point: a [`Format`] and a sink.
//!
//! Writers are pure functions of a `Report`: they never print, never read the clock or the
//! environment (the caller decides colour), and the same report always gives the same bytes.

pub mod asff;
pub mod baseline;
pub mod config_evaluations;
pub mod csv;
pub mod html;
pub mod json;
pub mod junit;
pub mod mutes;
pub mod ocsf;
mod report_model;
#[cfg(test)]
mod sample;
pub mod sarif;
#[cfg(feature = "aws")]
pub mod security_hub;
pub mod spill;
pub mod table;

pub use report_model::{
    AccountRun, Lifecycle, MuteLists, Report, ReportedRule, RuleCounts, RuleDoc, RunInfo,
    SnapshotInfo, counts_for_failure, marks_text,
};

/// Why a report could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot render json: {0}")]
    Json(#[from] serde_json::Error),
    #[error("cannot render csv: {0}")]
    Csv(String),
    #[error("cannot write the report: {0}")]
    Io(#[from] std::io::Error),
}

/// Every report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table(table::TableStyle),
    Json,
    Csv,
    ConfigEvaluations,
    Junit,
    Sarif,
    Ocsf,
    Asff,
    Html,
}

/// Writes `report` in `format` to `out`. JSON-based formats are streamed to the sink.
pub fn write(
    report: &Report,
    format: Format,
    out: &mut dyn std::io::Write,
) -> Result<(), ReportError> {
    match format {
        Format::Table(style) => out.write_all(table::render(report, style).as_bytes())?,
        Format::Json => json::write(report, out)?,
        Format::Csv => out.write_all(csv::render_report(report)?.as_bytes())?,
        Format::ConfigEvaluations => {
            write_json(out, &config_evaluations::batches(&report.findings))?;
        }
        Format::Junit => out.write_all(junit::render(report).as_bytes())?,
        Format::Sarif => write_json(out, &sarif::log(report))?,
        Format::Ocsf => write_json(out, &Streamed(|| ocsf::events_iter(report)))?,
        Format::Asff => write_json(out, &Streamed(|| asff::findings_iter(report)))?,
        Format::Html => out.write_all(html::render(report).as_bytes())?,
    }
    Ok(())
}

/// A JSON array whose items are made one at a time while it is written, so that a report of
/// hundreds of thousands of findings never holds all its events in memory.
struct Streamed<F>(F);

impl<F, I> serde::Serialize for Streamed<F>
where
    F: Fn() -> I,
    I: Iterator,
    I::Item: serde::Serialize,
{
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq((self.0)())
    }
}

/// How deep a top-level JSON array (OCSF, ASFF) nests its items.
pub const ARRAY_ITEM_INDENT: &[u8] = b"  ";

/// Writes a top-level JSON array (OCSF, ASFF) whose items are in `spill` (each rendered as
/// pretty JSON, indented by [`ARRAY_ITEM_INDENT`]): the bytes `write_json` gives for the array.
pub fn write_spilled_array(
    spill: spill::FindingSpill,
    out: &mut dyn std::io::Write,
) -> Result<(), ReportError> {
    spill.write_into_array(b"[]\n", b"[]", ARRAY_ITEM_INDENT, out)?;
    Ok(())
}

/// Pretty-printed JSON with a trailing newline, streamed.
pub(crate) fn write_json(
    out: &mut dyn std::io::Write,
    value: &impl serde::Serialize,
) -> Result<(), ReportError> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// A stable identifier of the finding of `rule` on `resource_id`, the same in every run: the
/// ASFF `Id`, the OCSF `finding_info.uid` and the SARIF fingerprint.
pub fn finding_uid(rule: &str, resource_id: &str) -> String {
    format!("secaudit/{rule}/{resource_id}")
}

/// A problem in a file the user passed directly (mutes, baseline): the JSON path and what is
/// wrong there, the one JSON error. The caller names the file.
pub use crate::json_error::JsonError as LifecycleFileError;

/// Formats a timestamp the way every report writes it: RFC 3339 in UTC with a `Z`, fractional
/// seconds only when there are some (`2026-11-01T00:00:00Z`). The same text serde writes.
pub(crate) fn timestamp_text(time: &chrono::DateTime<chrono::Utc>) -> String {
    time.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}
