//! `secaudit lint PATH…`: checks policy documents, Terraform plans (`terraform show -json`) and
//! CloudFormation templates before they are deployed. Exit codes: 0 nothing reaches `--fail-on`;
//! 1 some finding does; 2 could not run (a path that cannot be read or is not a policy, a plan or
//! a template). The report goes to stdout (or `--output`), the closing count to stderr when the
//! format is not text.

use std::path::PathBuf;

use anyhow::bail;
use clap::ValueEnum;
use secaudit::lint::{
    Level, LintKind, LintOptions, lint_paths, render_json, render_sarif, render_text,
};

use super::Outcome;
use super::output::write_report;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit status: 0 no finding at or above --fail-on, 1 some finding is, \
2 could not run. Finding ids and fixes: docs/lint.md."
)]
pub struct LintArgs {
    /// Policy files, Terraform plan JSON (`terraform show -json`), CloudFormation templates
    /// (JSON or YAML), or directories searched for `.json`, `.yaml`, `.yml`, `.template`.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<String>,
    /// Lint every policy as this kind instead of the kind the file gives or the document shows.
    #[arg(long, value_enum)]
    pub kind: Option<LintKind>,
    /// `text`, `json`, or `sarif` (SARIF 2.1.0 for code scanning).
    #[arg(long, value_enum, default_value_t = LintFormat::Text)]
    pub format: LintFormat,
    /// Exit 1 when a finding is at this level or worse (`none`: never).
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    /// An account that resource, key and trust policies may name (repeatable); any other account
    /// they let in is a warning.
    #[arg(long = "trusted-account", value_name = "ACCOUNT_ID", value_parser = account_id)]
    pub trusted_accounts: Vec<String>,
    /// Write the report to FILE (atomically) instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

fn account_id(text: &str) -> Result<String, String> {
    if text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()) {
        Ok(text.to_owned())
    } else {
        Err(format!("expected a 12-digit account id, found `{text}`"))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LintFormat {
    Text,
    Json,
    Sarif,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Note,
    None,
}

/// Runs `secaudit lint`.
pub fn run(args: LintArgs) -> anyhow::Result<Outcome> {
    let options = LintOptions {
        kind: args.kind,
        trusted_accounts: args.trusted_accounts,
    };
    let report = lint_paths(&args.paths, &options);
    let document = match args.format {
        LintFormat::Text => render_text(&report),
        LintFormat::Json => render_json(&report),
        LintFormat::Sarif => render_sarif(&report),
    };
    write_report(args.output.as_deref(), document.as_bytes())?;
    if (args.format != LintFormat::Text || args.output.is_some())
        && let Some(line) = render_text(&report).lines().last()
    {
        eprintln!("{line}");
    }
    match report.errors.as_slice() {
        [] => {}
        [one] => bail!("cannot lint `{}`: {}", one.file, one.message),
        many => bail!(
            "{} paths could not be linted (see the ERROR lines)",
            many.len()
        ),
    }
    let threshold = match args.fail_on {
        FailOn::Error => Some(Level::Error),
        FailOn::Warning => Some(Level::Warning),
        FailOn::Note => Some(Level::Note),
        FailOn::None => None,
    };
    Ok(match threshold {
        Some(level) if report.at_least(level) > 0 => Outcome::Failed,
        _ => Outcome::Clean,
    })
}
