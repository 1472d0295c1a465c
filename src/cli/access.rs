//! `secaudit access --snapshot DIR`: for every secret of a snapshot (or of every account snapshot
//! of an organization directory), the principals allowed each action (default: `secaudit::access::DEFAULT_ACTIONS`), through the identity side, the
//! resource side or both, `Conditional` where the snapshot cannot settle a condition; value
//! actions also judged on the secret's KMS key; `--by principal` for the reverse view.
//!
//! The report is streamed (an account-wide report can be hundreds of megabytes): to stdout, or
//! to a temporary file in the target directory renamed over `--output` once complete, so a job
//! that dies never leaves half a report. Exit 0, or 3 when part of the data could not be used
//! (the reasons are logged on stderr); 2 when it could not run.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;
use secaudit::access::{self, AccessModel, AccessModelBuilder, AccessQuery};
use secaudit::snapshot::{LoadMode, Snapshot, account_snapshot_dirs};

use super::Outcome;
use super::output::write_report_streamed;

/// Read and write actions of Secrets Manager by default; see `--help`.
const ACCESS_HELP: &str = "Default actions: secretsmanager:GetSecretValue (the only Read action \
that returns the value), secretsmanager:PutSecretValue and secretsmanager:UpdateSecret (the \
Write actions that set a new value). GetSecretValue is judged for the AWSCURRENT stage; \
`stages_differ` names the stages (AWSPREVIOUS, AWSPENDING, custom labels) whose outcome differs. \
An entry is `Conditional` when a key the snapshot cannot know (source IP, VPC endpoint, MFA, \
time, request parameters) could deny it, or when the principal is outside the snapshot \
(`external`: another account, or `*`) and its own account must allow it too.\n\n\
Reading or writing the value also needs the secret's KMS key: kms:Decrypt (writers: \
kms:GenerateDataKey and kms:Decrypt) through Secrets Manager, judged with the collected key \
policy (for aws/secretsmanager without one, its documented policy: the key's account only). \
Each such entry carries `key`: {arn, judged}; a key policy that was not collected makes the \
entry Conditional with the reason \"key policy of <ARN> not collected\". Every entry lists in \
`why` the statements that allowed it (side identity, resource or key) and, when Conditional, \
`reasons` in words; `--why` shows them in the table. `--by principal` turns the report around: \
per principal, the secrets it may act on.\n\n\
DIR may also be a directory of account snapshots (as `collect --accounts` or `--organization` \
writes them): every principal of every collected account is then judged against every secret \
of every collected account, each with its own identity policies, boundary and its account's \
SCPs, each secret and key with its account's RCPs; across accounts both sides must allow. A \
collected account gets no account-level entry, only its principals; accounts not collected \
stay external. The report then has `snapshot: null` and `accounts`.\n\n\
A bad record of the snapshot (unreadable secret record or policy, identity policy, SCP, RCP) \
makes only what it concerns Conditional, with a reason naming the file and JSON path; a \
secret lists its `problems`. `--strict` refuses such a snapshot instead. docs/access.md has \
the details.\n\n\
Exit status: 0 done, 2 could not run, 3 done but part of the snapshot could not be used \
(bad records, missing resource policies or organization policies, unparsable documents; logged \
on stderr).";

#[derive(Debug, clap::Args)]
#[command(after_long_help = ACCESS_HELP)]
pub struct AccessArgs {
    /// The snapshot directory.
    #[arg(long, value_name = "DIR")]
    pub snapshot: PathBuf,
    /// An action to analyse, `service:Action` (repeatable; default: read and write the value).
    #[arg(long = "action", value_name = "ACTION")]
    pub actions: Vec<String>,
    /// Only principals whose ARN or name matches this glob (`*`, `?`).
    #[arg(long, value_name = "PATTERN")]
    pub principal: Option<String>,
    /// Only secrets whose ARN or name matches this glob (`*`, `?`).
    #[arg(long, value_name = "PATTERN")]
    pub secret: Option<String>,
    /// The report format (default: `table` when stdout is a terminal, else `json`).
    #[arg(long, value_enum)]
    pub format: Option<AccessFormat>,
    /// Write the report to FILE atomically instead of stdout.
    #[arg(long, value_name = "FILE", value_parser = super::report_path)]
    pub output: Option<PathBuf>,
    /// Under each table entry, the statements that allowed it (JSON and CSV always carry them).
    #[arg(long)]
    pub why: bool,
    /// `secret` (default): who can act on each secret; `principal`: what each principal can
    /// act on (combine with `--principal PATTERN`).
    #[arg(long, value_enum, default_value_t = AccessBy::Secret)]
    pub by: AccessBy,
    /// Fail (exit 2, no report) on the first bad record or unreadable file of a snapshot.
    /// Default: a bad record makes only what it concerns `Conditional` (exit 3).
    #[arg(long)]
    pub strict: bool,
    /// Worker threads (default: one per CPU).
    #[arg(long, value_name = "N", default_value_t = 0, hide = true)]
    pub threads: usize,
}

/// The two views of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AccessBy {
    Secret,
    Principal,
}

/// The report formats of `access`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AccessFormat {
    Table,
    Json,
    Csv,
}

pub fn run(args: AccessArgs) -> anyhow::Result<Outcome> {
    let format = match args.format {
        Some(AccessFormat::Table) => access::ReportFormat::Table,
        Some(AccessFormat::Json) => access::ReportFormat::Json,
        Some(AccessFormat::Csv) => access::ReportFormat::Csv,
        None if args.output.is_none() && std::io::stdout().is_terminal() => {
            access::ReportFormat::Table
        }
        None => access::ReportFormat::Json,
    };
    let query = AccessQuery {
        actions: args.actions.clone(),
        principal: args.principal.clone(),
        secret: args.secret.clone(),
        threads: args.threads,
    };
    for action in access::normalise_actions(&query.actions) {
        if !action.contains(':') || action.contains(['*', '?']) {
            anyhow::bail!("invalid action `{action}`: expected `service:Action` without wildcards");
        }
    }

    let started = Instant::now();
    let model = load_model(&args.snapshot, args.strict)?;
    tracing::info!(
        principals = model.principals.len(),
        secrets = model.secrets.len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "snapshot loaded"
    );
    let analysis = access::analyse(&model, &query)?;
    tracing::info!(
        patterns = analysis.stats.patterns,
        atoms = analysis.stats.atoms,
        classes = analysis.stats.classes,
        judged = analysis.stats.evaluations,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "access analysed"
    );
    for diagnostic in &model.diagnostics {
        tracing::warn!("{diagnostic}");
    }
    write_report_streamed(args.output.as_deref(), |out| {
        access::write_report(
            &model,
            &analysis,
            access::ReportOptions {
                format,
                why: args.why,
                by_principal: args.by == AccessBy::Principal,
            },
            out,
        )
    })?;
    tracing::info!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        "report written"
    );
    Ok(if model.diagnostics.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Partial
    })
}

/// The model of the snapshot in `dir`, or of every account snapshot under it (an organization
/// directory, found as `audit` finds them), loaded one at a time. A bad record becomes a
/// diagnostic of the model, logged with the others (`--strict`: an error).
fn load_model(dir: &Path, strict: bool) -> anyhow::Result<AccessModel> {
    let mode = if strict {
        LoadMode::Strict
    } else {
        LoadMode::Tolerant
    };
    let dirs = account_snapshot_dirs(dir);
    let organization = dirs.len() > 1;
    let mut builder = AccessModelBuilder::new();
    for account_dir in &dirs {
        let snapshot = Snapshot::load_with(account_dir, mode)
            .with_context(|| format!("cannot load `{}`", account_dir.display()))?;
        if !organization && snapshot.iam.is_none() {
            return Err(anyhow::Error::new(access::AccessError::NoIamData))
                .with_context(|| format!("cannot analyse `{}`", dir.display()));
        }
        builder.add(&snapshot);
    }
    Ok(builder.finish())
}
