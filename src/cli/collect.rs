//! `secaudit collect`: live collection of an account snapshot from AWS (feature `aws`), and the
//! live-collection arguments that `secaudit audit` shares. Placeholder: being written.

use std::path::PathBuf;

use super::Outcome;

/// Where and how to collect from AWS: shared by `collect` and by `audit` without `--snapshot`.
#[derive(Debug, Clone, clap::Args)]
pub struct LiveArgs {
    /// The AWS profile to use (default: the standard credential chain, `AWS_PROFILE`).
    #[arg(long)]
    pub profile: Option<String>,
    /// A region to collect (repeatable; default `AWS_REGION` or the profile's region).
    #[arg(long = "region")]
    pub regions: Vec<String>,
    /// Account ids to audit, comma-separated (requires `--role-name`).
    #[arg(long, value_delimiter = ',')]
    pub accounts: Vec<String>,
    /// A file with one account id per line (requires `--role-name`).
    #[arg(long)]
    pub accounts_file: Option<PathBuf>,
    /// The role to assume in each account.
    #[arg(long)]
    pub role_name: Option<String>,
    /// The external id to pass when assuming `--role-name`.
    #[arg(long)]
    pub external_id: Option<String>,
    /// Take only shard I of N of the accounts (`I/N`, I from 0).
    #[arg(long)]
    pub shard: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct CollectArgs {
    #[command(flatten)]
    pub live: LiveArgs,
    /// The snapshot directory to write.
    #[arg(long)]
    pub output: PathBuf,
}

pub fn run(_args: CollectArgs, _quiet: bool) -> anyhow::Result<Outcome> {
    anyhow::bail!("`collect` is not built yet")
}

/// Collects a snapshot into a temporary directory for `audit` without `--snapshot`.
pub fn collect_snapshot_for_audit(
    _live: &LiveArgs,
    _quiet: bool,
) -> anyhow::Result<tempfile::TempDir> {
    anyhow::bail!("live collection is not built yet")
}
