//! The `secaudit access` report: JSON (the envelope of `docs/reports.md`), CSV and a terminal table,
//! streamed to a writer secret by secret so that an account-wide report never sits whole in
//! memory. Same analysis, same bytes.
//!
//! JSON: `{"schema_version": 1, "snapshot": {"account_id", "collected_at"}, "actions": [...],
//! "secrets": [{"arn", "name", "region", "access": [{"principal", "action", "decision", "via",
//! "conditions", "stages_differ"?, "external"?}]}]}`, one secret per line. `stages_differ` is on
//! every `GetSecretValue` entry: the stages (`AWSPREVIOUS`, `AWSPENDING`, custom labels) whose
//! outcome differs from `AWSCURRENT`'s, which the entry describes. `external: true` marks a
//! principal outside the snapshot (another account, or `*`), allowed only if its own account
//! allows it too; such entries are `Conditional`.
//!
//! CSV columns: `SECRET_ARN,SECRET_NAME,REGION,PRINCIPAL,ACTION,DECISION,VIA,CONDITIONS,
//! STAGES_DIFFER,EXTERNAL` (lists joined with `;`), cells that a spreadsheet would run as a
//! formula neutralised.

use std::io::{self, Write};

use serde_json::json;

use super::analysis::{AccessAnalysis, AccessEntry};
use super::model::AccessModel;
use crate::report::csv::neutralise_formula;

/// The output formats of `secaudit access`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Table,
    Json,
    Csv,
}

/// Writes the report of `analysis` to `out`.
pub fn write_report(
    model: &AccessModel,
    analysis: &AccessAnalysis,
    format: ReportFormat,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        ReportFormat::Json => write_json(model, analysis, out),
        ReportFormat::Csv => write_csv(model, analysis, out),
        ReportFormat::Table => write_table(model, analysis, out),
    }
}

fn json_text(value: &impl serde::Serialize) -> io::Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(io::Error::other)
}

/// Writes the JSON report. Every principal, action and grant is serialised once; an entry is
/// then the concatenation of those fragments, which keeps an account-wide report fast.
fn write_json(
    model: &AccessModel,
    analysis: &AccessAnalysis,
    out: &mut dyn Write,
) -> io::Result<()> {
    let collected_at = model
        .collected_at
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let head = json!({"account_id": model.account_id, "collected_at": collected_at});
    write!(
        out,
        "{{\"schema_version\":1,\"snapshot\":{head},\"actions\":{},\"secrets\":[",
        json!(analysis.actions)
    )?;
    let principals: Vec<Vec<u8>> = model
        .principals
        .iter()
        .map(|p| json_text(&p.arn))
        .collect::<io::Result<_>>()?;
    let actions: Vec<Vec<u8>> = analysis
        .actions
        .iter()
        .map(json_text)
        .collect::<io::Result<_>>()?;
    // Per grant: the fragment after the action, without and with `stages_differ`.
    let mut fragments: Vec<[Vec<u8>; 2]> = Vec::with_capacity(analysis.grants().len());
    for grant in analysis.grants() {
        let mut variants: [Vec<u8>; 2] = [Vec::new(), Vec::new()];
        for (with_stages, text) in variants.iter_mut().enumerate() {
            write!(
                text,
                ",\"decision\":\"{}\",\"via\":\"{}\",\"conditions\":",
                grant.decision.as_str(),
                grant.via.as_str()
            )?;
            text.extend(json_text(&grant.conditions)?);
            if with_stages == 1 {
                text.extend_from_slice(b",\"stages_differ\":");
                text.extend(json_text(&grant.stages_differ)?);
            }
            if grant.external {
                text.extend_from_slice(b",\"external\":true");
            }
            text.push(b'}');
        }
        fragments.push(variants);
    }
    let with_stages: Vec<usize> = analysis
        .actions
        .iter()
        .map(|a| usize::from(super::actions::is_get_secret_value(a)))
        .collect();
    for (position, secret_index) in analysis.secrets.iter().enumerate() {
        let secret = &model.secrets[*secret_index];
        out.write_all(if position == 0 { b"\n" } else { b",\n" })?;
        out.write_all(b"{\"access\":[")?;
        for (k, entry) in analysis.entries(position).enumerate() {
            out.write_all(if k == 0 {
                b"{\"principal\":"
            } else {
                b",{\"principal\":"
            })?;
            out.write_all(&principals[entry.principal])?;
            out.write_all(b",\"action\":")?;
            out.write_all(&actions[entry.action_index])?;
            out.write_all(&fragments[entry.grant_index][with_stages[entry.action_index]])?;
        }
        out.write_all(b"],\"arn\":")?;
        out.write_all(&json_text(&secret.arn)?)?;
        out.write_all(b",\"name\":")?;
        out.write_all(&json_text(&secret.name)?)?;
        out.write_all(b",\"region\":")?;
        out.write_all(&json_text(&secret.region)?)?;
        out.write_all(b"}")?;
    }
    out.write_all(b"\n]}\n")?;
    out.flush()
}

fn write_csv(
    model: &AccessModel,
    analysis: &AccessAnalysis,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record([
        "SECRET_ARN",
        "SECRET_NAME",
        "REGION",
        "PRINCIPAL",
        "ACTION",
        "DECISION",
        "VIA",
        "CONDITIONS",
        "STAGES_DIFFER",
        "EXTERNAL",
    ])?;
    for (position, secret_index) in analysis.secrets.iter().enumerate() {
        let secret = &model.secrets[*secret_index];
        for entry in analysis.entries(position) {
            let grant = entry.grant;
            let cells = [
                secret.arn.as_str(),
                secret.name.as_str(),
                secret.region.as_str(),
                model.principals[entry.principal].arn.as_str(),
                entry.action,
                grant.decision.as_str(),
                grant.via.as_str(),
                &grant.conditions.join(";"),
                &grant.stages_differ.join(";"),
                if grant.external { "true" } else { "false" },
            ];
            writer.write_record(
                cells
                    .iter()
                    .map(|cell| neutralise_formula(cell).into_owned()),
            )?;
        }
    }
    writer.flush()
}

fn write_table(
    model: &AccessModel,
    analysis: &AccessAnalysis,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut entries_total = 0usize;
    for (position, secret_index) in analysis.secrets.iter().enumerate() {
        let secret = &model.secrets[*secret_index];
        let entries: Vec<AccessEntry<'_>> = analysis.entries(position).collect();
        entries_total += entries.len();
        writeln!(out, "{}  ({})", clean(&secret.name), secret.arn)?;
        if entries.is_empty() {
            writeln!(
                out,
                "  (no principal of the snapshot is allowed these actions)"
            )?;
            continue;
        }
        let width = entries
            .iter()
            .map(|e| model.principals[e.principal].arn.len())
            .max()
            .unwrap_or(0);
        let action_width = entries.iter().map(|e| e.action.len()).max().unwrap_or(0);
        for entry in entries {
            let grant = entry.grant;
            let mut notes = Vec::new();
            if !grant.conditions.is_empty() {
                notes.push(format!("if {}", grant.conditions.join(", ")));
            }
            if !grant.stages_differ.is_empty() {
                notes.push(format!("differs for {}", grant.stages_differ.join(", ")));
            }
            if grant.external {
                notes.push("if its own account allows".to_owned());
            }
            let notes = if notes.is_empty() {
                String::new()
            } else {
                format!("  ({})", notes.join("; "))
            };
            writeln!(
                out,
                "  {:width$}  {:action_width$}  {:11}  via {:8}{notes}",
                model.principals[entry.principal].arn,
                entry.action,
                grant.decision.as_str(),
                grant.via.as_str(),
            )?;
        }
    }
    writeln!(
        out,
        "{} secret(s), {} principal(s), {} entr{}",
        analysis.secrets.len(),
        analysis.principals.len(),
        entries_total,
        if entries_total == 1 { "y" } else { "ies" }
    )?;
    out.flush()
}

/// A secret name for the terminal: control characters replaced (names are user-controlled).
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}
