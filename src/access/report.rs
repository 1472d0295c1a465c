//! The `secaudit access` report: JSON (the envelope of `docs/reports.md`), CSV and a terminal table,
//! streamed to a writer secret by secret so that an account-wide report never sits whole in
//! memory. Same analysis, same bytes.
//!
//! JSON: `{"schema_version": 1, "snapshot": {"account_id", "collected_at"}, "actions": [...],
//! "secrets": [{"arn", "name", "region", "access": [{"principal", "action", "decision", "via",
//! "conditions", "stages_differ"?, "external"?, "key"?, "reasons"?, "why"}]}]}`, one secret
//! per line. `stages_differ` is on every `GetSecretValue` entry: the stages (`AWSPREVIOUS`,
//! `AWSPENDING`, custom labels) whose outcome differs from `AWSCURRENT`'s, which the entry
//! describes. `external: true` marks a principal outside the snapshot (another account, or
//! `*`), allowed only if its own account allows it too; such entries are `Conditional`. `key`
//! (`{"arn", "judged"}`) is on every entry of an action that reads or writes the value: the KMS
//! key whose permission was also judged (`judged: false`: its policy was not collected, the
//! entry is `Conditional`). `reasons` says in words why an entry is `Conditional`. `why` lists
//! the statements that allowed it: `{"side": "identity|resource|key", "kind" (layer),
//! "policy", "statement" (index), "sid"}`. A secret that a bad record of the snapshot concerns
//! carries `"problems"` (`bad record FILE: PATH: REASON`). On an organization directory
//! `snapshot` is `null` and `"accounts": [{"account_id", "collected_at", "regions"}]` follows it
//! (both views); the table names the account after each heading.
//!
//! CSV columns: `SECRET_ARN,SECRET_NAME,REGION,PRINCIPAL,ACTION,DECISION,VIA,CONDITIONS,
//! STAGES_DIFFER,EXTERNAL,KEY_ARN,KEY_JUDGED,REASONS,WHY` (lists joined with `;`), cells that
//! a spreadsheet would run as a formula neutralised. The table shows `why` with `--why`.

use std::io::{self, Write};

use serde_json::json;

use super::analysis::{AccessAnalysis, AccessEntry, Grant};
use super::model::AccessModel;
use crate::report::csv::neutralise_formula;
use crate::terminal::printable;

/// The output formats of `secaudit access`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Table,
    Json,
    Csv,
}

/// Writes the report of `analysis` to `out`.
/// How to write the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportOptions {
    pub format: ReportFormat,
    /// The table lists under each entry the statements that allowed it (JSON and CSV always
    /// carry them).
    pub why: bool,
    /// The reverse view: principal by principal, the secrets each may act on.
    pub by_principal: bool,
}

/// Writes the report of `analysis` to `out`.
pub fn write_report(
    model: &AccessModel,
    analysis: &AccessAnalysis,
    options: ReportOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match (options.format, options.by_principal) {
        (ReportFormat::Json, by_principal) => write_json(model, analysis, by_principal, out),
        (ReportFormat::Csv, by_principal) => write_csv(model, analysis, by_principal, out),
        (ReportFormat::Table, false) => write_table(model, analysis, options.why, out),
        (ReportFormat::Table, true) => write_principal_table(model, analysis, options.why, out),
    }
}

/// The `why` list of an entry.
fn why_json(why: &[super::analysis::Why]) -> serde_json::Value {
    why.iter()
        .map(|w| {
            json!({"side": w.side, "kind": w.kind.as_str(), "policy": w.policy,
                "statement": w.statement, "sid": w.sid})
        })
        .collect()
}

/// One line per statement of `why`, for the table.
fn why_lines(why: &[super::analysis::Why]) -> Vec<String> {
    why.iter()
        .map(|w| {
            let sid = w
                .sid
                .as_deref()
                .map(|s| format!(" ({})", printable(s)))
                .unwrap_or_default();
            format!(
                "{} side, {} policy `{}` statement {}{sid}",
                w.side,
                w.kind.as_str(),
                printable(&w.policy),
                w.statement
            )
        })
        .collect()
}

fn json_text(value: &impl serde::Serialize) -> io::Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(io::Error::other)
}

/// Writes the JSON report. Every principal, action and grant is serialised once; an entry is
/// then the concatenation of those fragments, which keeps an account-wide report fast.
fn write_json(
    model: &AccessModel,
    analysis: &AccessAnalysis,
    by_principal: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let collected_at = model
        .collected_at
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let head = if model.is_organization() {
        // An organization directory: no one snapshot, but each account's, as `audit` does.
        let accounts: Vec<serde_json::Value> = model
            .accounts
            .iter()
            .map(|account| {
                json!({"account_id": account.account_id,
                    "collected_at": account.collected_at
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    "regions": account.regions})
            })
            .collect();
        format!("null,\"accounts\":{}", json!(accounts))
    } else {
        json!({"account_id": model.account_id, "collected_at": collected_at}).to_string()
    };
    write!(
        out,
        "{{\"schema_version\":1,\"snapshot\":{head},\"actions\":{},\"{}\":[",
        json!(analysis.actions),
        if by_principal {
            "principals"
        } else {
            "secrets"
        }
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
            if let Some(key) = &grant.key {
                text.extend_from_slice(b",\"key\":");
                text.extend(json_text(&json!({"arn": key.arn, "judged": key.judged}))?);
            }
            if !grant.reasons.is_empty() {
                text.extend_from_slice(b",\"reasons\":");
                text.extend(json_text(&grant.reasons)?);
            }
            text.extend_from_slice(b",\"why\":");
            text.extend(json_text(&why_json(&grant.why))?);
            text.push(b'}');
        }
        fragments.push(variants);
    }
    let with_stages: Vec<usize> = analysis
        .actions
        .iter()
        .map(|a| usize::from(super::actions::is_get_secret_value(a)))
        .collect();
    if by_principal {
        let view = analysis.by_principal();
        let secret_arns: Vec<Vec<u8>> = analysis
            .secrets
            .iter()
            .map(|index| json_text(&model.secrets[*index].arn))
            .collect::<io::Result<_>>()?;
        for (k, principal) in view.principals().enumerate() {
            let principal = &model.principals[principal];
            out.write_all(if k == 0 { b"\n" } else { b",\n" })?;
            out.write_all(b"{\"access\":[")?;
            for (n, (secret, entry)) in view.entries(analysis, k).enumerate() {
                out.write_all(if n == 0 {
                    b"{\"secret\":"
                } else {
                    b",{\"secret\":"
                })?;
                out.write_all(&secret_arns[secret])?;
                out.write_all(b",\"action\":")?;
                out.write_all(&actions[entry.action_index])?;
                out.write_all(&fragments[entry.grant_index][with_stages[entry.action_index]])?;
            }
            let account = principal.facts.account.as_deref();
            write!(
                out,
                "],\"account_id\":{},\"arn\":{}}}",
                json!(account),
                json!(principal.arn)
            )?;
        }
        out.write_all(b"\n]}\n")?;
        return out.flush();
    }
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
        if !secret.problems.is_empty() {
            out.write_all(b",\"problems\":")?;
            out.write_all(&json_text(&secret.problems)?)?;
        }
        out.write_all(b"}")?;
    }
    out.write_all(b"\n]}\n")?;
    out.flush()
}

fn write_csv(
    model: &AccessModel,
    analysis: &AccessAnalysis,
    by_principal: bool,
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
        "KEY_ARN",
        "KEY_JUDGED",
        "REASONS",
        "WHY",
    ])?;
    let mut row = |position: usize, entry: AccessEntry<'_>| -> io::Result<()> {
        let secret = &model.secrets[analysis.secrets[position]];
        let grant = entry.grant;
        let key_arn = grant.key.as_ref().map_or("", |k| k.arn.as_str());
        let key_judged = match &grant.key {
            Some(key) if key.judged => "true",
            Some(_) => "false",
            None => "",
        };
        let reasons = grant.reasons.join(";");
        let why = why_lines(&grant.why).join(";");
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
            key_arn,
            key_judged,
            &reasons,
            &why,
        ];
        writer.write_record(
            cells
                .iter()
                .map(|cell| neutralise_formula(cell).into_owned()),
        )?;
        Ok(())
    };
    if by_principal {
        let view = analysis.by_principal();
        for k in 0..view.principals().count() {
            for (position, entry) in view.entries(analysis, k) {
                row(position, entry)?;
            }
        }
    } else {
        for position in 0..analysis.secrets.len() {
            for entry in analysis.entries(position) {
                row(position, entry)?;
            }
        }
    }
    writer.flush()
}

fn write_table(
    model: &AccessModel,
    analysis: &AccessAnalysis,
    why: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut entries_total = 0usize;
    for (position, secret_index) in analysis.secrets.iter().enumerate() {
        let secret = &model.secrets[*secret_index];
        let entries: Vec<AccessEntry<'_>> = analysis.entries(position).collect();
        entries_total += entries.len();
        writeln!(
            out,
            "{}  ({}){}",
            printable(&secret.name),
            printable(&secret.arn),
            account_note(model, &secret.account)
        )?;
        for problem in &secret.problems {
            writeln!(out, "  (undecidable: {})", printable(problem))?;
        }
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
            let notes = grant_notes(grant);
            writeln!(
                out,
                "  {:width$}  {:action_width$}  {:11}  via {:8}{notes}",
                printable(&model.principals[entry.principal].arn),
                entry.action,
                grant.decision.as_str(),
                grant.via.as_str(),
            )?;
            if why {
                for line in why_lines(&grant.why) {
                    writeln!(out, "      why: {line}")?;
                }
            }
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

/// `  account A` after a secret or principal heading on an organization directory (and `  account
/// A, not collected` for a principal of another account), nothing for one account.
fn account_note(model: &AccessModel, account: &str) -> String {
    if !model.is_organization() {
        return String::new();
    }
    let collected = model.accounts.iter().any(|a| a.account_id == account);
    format!(
        "  account {}{}",
        printable(account),
        if collected { "" } else { ", not collected" }
    )
}

/// The caveats of a grant after its table row (`  (if KEYS; differs for STAGES; …)`), the same
/// in the secret view and the principal view; nothing when there are none.
fn grant_notes(grant: &Grant) -> String {
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
    if let Some(key) = grant.key.as_ref().filter(|k| !k.judged) {
        notes.push(format!(
            "key policy of {} not collected",
            printable(&key.arn)
        ));
    }
    if notes.is_empty() {
        String::new()
    } else {
        format!("  ({})", notes.join("; "))
    }
}

/// The reverse view as a table: each principal, then the secrets it may act on.
fn write_principal_table(
    model: &AccessModel,
    analysis: &AccessAnalysis,
    why: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let view = analysis.by_principal();
    let mut entries_total = 0usize;
    let principals: Vec<usize> = view.principals().collect();
    for (k, principal) in principals.iter().enumerate() {
        let principal = &model.principals[*principal];
        let account = principal.facts.account.as_deref().unwrap_or("unknown");
        writeln!(
            out,
            "{}{}",
            printable(&principal.arn),
            account_note(model, account)
        )?;
        for (position, entry) in view.entries(analysis, k) {
            entries_total += 1;
            let secret = &model.secrets[analysis.secrets[position]];
            let grant = entry.grant;
            let notes = grant_notes(grant);
            writeln!(
                out,
                "  {}  {}  {:11}  via {:8}{notes}",
                printable(&secret.name),
                entry.action,
                grant.decision.as_str(),
                grant.via.as_str(),
            )?;
            if why {
                for line in why_lines(&grant.why) {
                    writeln!(out, "      why: {line}")?;
                }
            }
        }
    }
    writeln!(
        out,
        "{} principal(s) with access, {} entr{}",
        principals.len(),
        entries_total,
        if entries_total == 1 { "y" } else { "ies" }
    )?;
    out.flush()
}
