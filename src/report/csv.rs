//! The CSV report: one row per finding in report order, RFC 4180 with every cell quoted (a
//! spreadsheet that splits on `;` or tabs must still see one cell, so `;=cmd|' /C calc'!A0`
//! cannot start a formula cell), with a header row and the fixed column order of `COLUMNS`
//! (documented in `docs/reports.md`).
//!
//! Secret names, tags and annotations are attacker-controlled, so every cell that a spreadsheet
//! would run as a formula (first character `=`, `+`, `-`, `@`, tab or carriage return) is
//! neutralised by prefixing a single quote, as OWASP advises. Nothing else is altered.
//!
//! A big run's rows are rendered one at a time as each rule runs ([`write_row`]) and written
//! from a spill file ([`write_spilled`]).
//!
//! With mutes a `MUTED` column follows the fixed ones, and with a baseline a `CHANGE` column
//! after it ([`render_report`]).

use std::borrow::Cow;

use super::spill::FindingSpill;
use super::{Report, ReportError, timestamp_text};
use crate::findings::Finding;

/// The columns, in order. Appending a column is compatible; reordering is not.
pub const COLUMNS: [&str; 13] = [
    "ACCOUNT_ID",
    "REGION",
    "RULE",
    "SEVERITY",
    "COMPLIANCE_TYPE",
    "RESOURCE_TYPE",
    "RESOURCE_ID",
    "RESOURCE_NAME",
    "ANNOTATION",
    "ORDERING_TIMESTAMP",
    "CONFIG_RULE",
    "SECURITY_HUB_CONTROL",
    "DETAIL",
];

/// Renders findings (already in report order) as CSV with a header row.
pub fn render(findings: &[Finding]) -> Result<String, ReportError> {
    write(findings, &[], |_| Vec::new())
}

/// Renders a report's findings, with the `MUTED` column when mutes were applied (`owner until
/// expires: reason`, empty when not muted) and the `CHANGE` column (`new`, `changed`,
/// `unchanged`) when a baseline was compared.
pub fn render_report(report: &Report) -> Result<String, ReportError> {
    let with_mutes = report.lifecycle.mutes.is_some();
    let with_baseline = report.lifecycle.resolved.is_some();
    let mut extra = Vec::new();
    if with_mutes {
        extra.push("MUTED");
    }
    if with_baseline {
        extra.push("CHANGE");
    }
    write(&report.findings, &extra, |index| {
        let mut cells = Vec::new();
        if with_mutes {
            cells.push(
                report
                    .muted(index)
                    .map(|note| format!("{} until {}: {}", note.owner, note.expires, note.reason))
                    .unwrap_or_default(),
            );
        }
        if with_baseline {
            cells.push(
                report
                    .change(index)
                    .map(|change| change.as_str().to_string())
                    .unwrap_or_default(),
            );
        }
        cells
    })
}

fn write(
    findings: &[Finding],
    extra_columns: &[&str],
    extra_cells: impl Fn(usize) -> Vec<String>,
) -> Result<String, ReportError> {
    let mut bytes = header(extra_columns)?;
    for (index, finding) in findings.iter().enumerate() {
        write_row(finding, &extra_cells(index), &mut bytes)?;
    }
    String::from_utf8(bytes).map_err(|e| ReportError::Csv(e.to_string()))
}

fn csv_writer<W: std::io::Write>(out: W) -> ::csv::Writer<W> {
    ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .quote_style(::csv::QuoteStyle::Always)
        .buffer_capacity(1024)
        .from_writer(out)
}

/// The header row: `COLUMNS`, then `extra_columns`.
pub fn header(extra_columns: &[&str]) -> Result<Vec<u8>, ReportError> {
    let mut writer = csv_writer(Vec::new());
    writer
        .write_record(COLUMNS.iter().chain(extra_columns))
        .map_err(|e| ReportError::Csv(e.to_string()))?;
    writer
        .into_inner()
        .map_err(|e| ReportError::Csv(e.to_string()))
}

/// Appends the row of `finding`, with `extra` cells after the fixed columns, to `out` (a
/// streamed report renders rows one at a time as each rule runs).
pub fn write_row(
    finding: &Finding,
    extra: &[String],
    out: &mut Vec<u8>,
) -> Result<(), ReportError> {
    let timestamp = timestamp_text(&finding.ordering_timestamp);
    let row: [&str; 13] = [
        &finding.resource.account_id,
        &finding.resource.region,
        &finding.rule,
        finding.severity.as_str(),
        finding.compliance_type.as_str(),
        &finding.resource.resource_type,
        &finding.resource.id,
        &finding.resource.name,
        &finding.annotation,
        &timestamp,
        finding.mappings.config_rule.as_deref().unwrap_or(""),
        finding.mappings.security_hub.as_deref().unwrap_or(""),
        &finding.detail,
    ];
    let cells = row.iter().copied().chain(extra.iter().map(String::as_str));
    let csv_error = |e: ::csv::Error| ReportError::Csv(e.to_string());
    let mut writer = csv_writer(out);
    writer
        .write_record(cells.map(|cell| neutralise_formula(cell).into_owned()))
        .map_err(csv_error)?;
    writer.flush()?;
    Ok(())
}

/// Writes the CSV of a run without mutes or baseline whose rows are in `spill` (rendered by
/// `write_row` without extra cells): the bytes `render` gives for those findings.
pub fn write_spilled(spill: FindingSpill, out: &mut dyn std::io::Write) -> Result<(), ReportError> {
    out.write_all(&header(&[])?)?;
    spill.write_sorted(out, |_| Vec::new())?;
    Ok(())
}

/// Prefixes `'` to a cell a spreadsheet would treat as a formula; other cells pass unchanged.
pub fn neutralise_formula(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{ComplianceType, Severity};
    use crate::report::sample::finding;

    #[test]
    fn spilled_rows_give_the_bytes_of_render() {
        let mut findings = vec![
            finding("b-rule", Severity::Low, ComplianceType::Compliant, "=z"),
            finding(
                "a-rule",
                Severity::High,
                ComplianceType::NonCompliant,
                "multi\nline",
            ),
            finding(
                "a-rule",
                Severity::Low,
                ComplianceType::InsufficientData,
                "x",
            ),
        ];
        crate::findings::sort_findings(&mut findings);
        let mut spill = FindingSpill::new(b"").unwrap();
        for rule in ["b-rule", "a-rule"] {
            let batch: Vec<Finding> = findings
                .iter()
                .filter(|f| f.rule == rule)
                .cloned()
                .collect();
            spill
                .add(&batch, |finding, out| {
                    write_row(finding, &[], out).map_err(std::io::Error::other)
                })
                .unwrap();
        }
        let mut bytes = Vec::new();
        write_spilled(spill, &mut bytes).unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            render(&findings).unwrap()
        );
    }

    #[test]
    fn formula_cells_are_neutralised_and_others_are_not() {
        let table = [
            ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
            ("+1", "'+1"),
            ("-1+2", "'-1+2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("prod/db", "prod/db"),
            ("a=b", "a=b"),
            (" =1", " =1"),
            ("", ""),
            ("'quoted", "'quoted"),
        ];
        for (input, expected) in table {
            assert_eq!(neutralise_formula(input), expected, "input {input:?}");
        }
    }

    #[test]
    fn header_and_rows_follow_the_documented_columns() {
        let findings = vec![finding(
            "rule-a",
            Severity::High,
            ComplianceType::NonCompliant,
            "prod/db",
        )];
        let text = render(&findings).unwrap();
        let mut lines = text.split("\r\n");
        let quoted = |cells: &[&str]| {
            cells
                .iter()
                .map(|cell| format!("\"{cell}\""))
                .collect::<Vec<_>>()
                .join(",")
        };
        assert_eq!(lines.next().unwrap(), quoted(&COLUMNS));
        assert_eq!(
            lines.next().unwrap(),
            quoted(&[
                "111111111111",
                "us-east-1",
                "rule-a",
                "high",
                "NON_COMPLIANT",
                "AWS::SecretsManager::Secret",
                "arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/db-AbCdEf",
                "prod/db",
                "prod/db: NON_COMPLIANT",
                "2026-11-01T00:00:00Z",
                "secretsmanager-rotation-enabled-check",
                "SecretsManager.1",
                "prod/db is NON_COMPLIANT in full"
            ])
        );
        assert_eq!(lines.next(), Some(""));
        assert_eq!(lines.next(), None);
    }

    #[test]
    fn empty_findings_give_only_the_header() {
        let header: Vec<String> = COLUMNS.iter().map(|c| format!("\"{c}\"")).collect();
        assert_eq!(render(&[]).unwrap(), format!("{}\r\n", header.join(",")));
    }
}
