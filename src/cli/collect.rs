//! `secaudit collect`: live collection of account snapshots from AWS (feature `aws`), and the
//! live-collection arguments that `secaudit audit` shares (`collect_snapshot_for_audit`). Turns
//! the arguments into `CollectOptions`, runs the collector on a tokio runtime, draws progress
//! bars on stderr (hidden when stderr is not a terminal or with `-q`) and closes with a summary
//! on stderr. Exit 0 complete, 3 partial coverage, 2 could not run.

use std::path::PathBuf;

use super::Outcome;

/// Where and how to collect from AWS: shared by `collect` and by `audit` without `--snapshot`.
#[derive(Debug, Clone, clap::Args)]
pub struct LiveArgs {
    /// The AWS profile to use (default: the standard credential chain, `AWS_PROFILE`).
    #[arg(long)]
    pub profile: Option<String>,
    /// A region to collect (repeatable; default `AWS_REGION` or the profile's region), or
    /// `all`: every region each account has enabled (`account:ListRegions`).
    #[arg(long = "region")]
    pub regions: Vec<String>,
    /// Account ids to audit, comma-separated (requires `--role-name`); with `--organization`,
    /// only these of the organization's accounts.
    #[arg(long, value_delimiter = ',')]
    pub accounts: Vec<String>,
    /// Every ACTIVE account of the caller's organization (run as the management account or a
    /// delegated administrator; requires `--role-name`), with its SCPs and RCPs.
    #[arg(long)]
    pub organization: bool,
    /// Account ids to leave out, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub exclude_accounts: Vec<String>,
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
    /// Do not collect a service (repeatable): its APIs are recorded as `skipped` in coverage.
    #[arg(long = "skip", value_enum)]
    pub skip: Vec<SkipService>,
    /// How many days of CloudTrail events to read.
    #[arg(long, default_value_t = 30)]
    pub cloudtrail_days: u32,
    /// Attempts per AWS call, first included (standard retry with backoff; 1 disables retries).
    #[arg(long, env = "AWS_MAX_ATTEMPTS", default_value_t = 8)]
    pub max_attempts: u32,
    /// Only this secret (ARN or name) of each region: set by `config-rule` for a change
    /// notification, not a command-line option.
    #[arg(skip)]
    #[cfg_attr(
        not(feature = "aws"),
        allow(dead_code, reason = "read by the live collection only")
    )]
    pub secret: Option<String>,
}

/// A service `--skip` can leave out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SkipService {
    Iam,
    Rds,
    Kms,
    Cloudtrail,
}

#[derive(Debug, clap::Args)]
pub struct CollectArgs {
    #[command(flatten)]
    pub live: LiveArgs,
    /// The snapshot directory to write (one `<account-id>/` subdirectory per account with
    /// `--accounts`).
    #[arg(long)]
    pub output: PathBuf,
}

#[cfg(not(feature = "aws"))]
pub fn run(_args: CollectArgs, _quiet: bool) -> anyhow::Result<Outcome> {
    anyhow::bail!("`collect` needs the `aws` feature: this binary was built without it")
}

/// Collects a snapshot into a temporary directory for `audit` without `--snapshot`.
#[cfg(not(feature = "aws"))]
pub fn collect_snapshot_for_audit(
    _live: &LiveArgs,
    _quiet: bool,
) -> anyhow::Result<tempfile::TempDir> {
    anyhow::bail!("live collection needs the `aws` feature: this binary was built without it")
}

#[cfg(feature = "config-rule")]
pub use live::collect_snapshot_reporting;
#[cfg(feature = "aws")]
pub use live::{check_region, collect_snapshot_for_audit, run};

#[cfg(feature = "aws")]
mod live {
    use std::collections::BTreeMap;
    use std::io::IsTerminal;
    use std::path::Path;
    use std::sync::{Arc, Mutex};
    use std::time::Instant;

    use anyhow::Context;
    use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
    use secaudit::collect::{
        CollectOptions, CollectReport, Progress, Service, Shard, parse_accounts_file, plan_accounts,
    };

    use super::{CollectArgs, LiveArgs, Outcome, SkipService};

    /// Refuses a region name that is not shaped like AWS's (`us-east-1`, `us-gov-west-1`): it
    /// becomes a directory name in the snapshot. `source` names where it came from.
    pub fn check_region(source: &str, region: &str) -> anyhow::Result<()> {
        if secaudit::arn::is_region_name(region) {
            return Ok(());
        }
        anyhow::bail!(
            "{source}: `{}` is not an AWS region name (like `us-east-1` or `us-gov-west-1`)",
            secaudit::terminal::printable(region)
        )
    }

    /// Turns the arguments into options; reads `--accounts-file`.
    pub(crate) fn options(live: &LiveArgs) -> anyhow::Result<CollectOptions> {
        let mut options = CollectOptions::new(chrono::Utc::now());
        options.secret = live.secret.clone();
        options.sdk.profile = live.profile.clone();
        options.sdk.max_attempts = live.max_attempts.max(1);
        for region in live
            .regions
            .iter()
            .filter(|r| !r.eq_ignore_ascii_case("all"))
        {
            check_region("--region", region)?;
        }
        options.all_regions = live.regions.iter().any(|r| r.eq_ignore_ascii_case("all"));
        options.regions = live
            .regions
            .iter()
            .filter(|r| !r.eq_ignore_ascii_case("all"))
            .cloned()
            .collect();
        let mut ids = live.accounts.clone();
        if let Some(path) = &live.accounts_file {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read `{}`", path.display()))?;
            let listed = parse_accounts_file(&text)
                .with_context(|| format!("cannot read `{}`", path.display()))?;
            ids.extend(listed);
        }
        let shard = live.shard.as_deref().map(Shard::parse).transpose()?;
        options.exclude_accounts = plan_accounts(&live.exclude_accounts, None)?;
        if live.organization {
            if live.role_name.is_none() {
                anyhow::bail!(secaudit::collect::PlanError::MissingRoleName);
            }
            options.organization = true;
            options.organization_shard = shard;
            options.accounts = plan_accounts(&ids, None)?;
            options.role_name = live.role_name.clone();
            options.external_id = live.external_id.clone();
            options.cloudtrail_lookback_days = live.cloudtrail_days;
            options.skip = skipped_services(&live.skip);
            return Ok(options);
        }
        if shard.is_some() && ids.is_empty() {
            anyhow::bail!(secaudit::collect::PlanError::ShardWithoutAccounts);
        }
        if !ids.is_empty() && live.role_name.is_none() {
            anyhow::bail!(secaudit::collect::PlanError::MissingRoleName);
        }
        let planned = plan_accounts(&ids, shard)?;
        if shard.is_some() && planned.is_empty() {
            tracing::warn!(
                "shard {} of {} accounts is empty",
                live.shard.as_deref().unwrap_or_default(),
                ids.len()
            );
        }
        options.accounts = planned;
        options.role_name = live.role_name.clone();
        options.external_id = live.external_id.clone();
        options.cloudtrail_lookback_days = live.cloudtrail_days;
        options.skip = skipped_services(&live.skip);
        Ok(options)
    }

    fn skipped_services(skip: &[SkipService]) -> std::collections::BTreeSet<Service> {
        skip.iter()
            .map(|service| match service {
                SkipService::Iam => Service::Iam,
                SkipService::Rds => Service::Rds,
                SkipService::Kms => Service::Kms,
                SkipService::Cloudtrail => Service::Cloudtrail,
            })
            .collect()
    }

    /// Progress bars per account-region on stderr.
    struct Bars {
        multi: MultiProgress,
        bars: Mutex<BTreeMap<String, ProgressBar>>,
        style: ProgressStyle,
    }

    impl Bars {
        fn new(quiet: bool) -> Bars {
            let target = if quiet || !std::io::stderr().is_terminal() {
                ProgressDrawTarget::hidden()
            } else {
                ProgressDrawTarget::stderr()
            };
            let style = ProgressStyle::with_template("{prefix:>28} [{bar:30}] {pos}/{len} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
            Bars {
                multi: MultiProgress::with_draw_target(target),
                bars: Mutex::new(BTreeMap::new()),
                style,
            }
        }

        fn with_bar(&self, account_id: &str, region: &str, action: impl FnOnce(&ProgressBar)) {
            let key = format!("{account_id} {region}");
            let Ok(mut bars) = self.bars.lock() else {
                return;
            };
            let bar = bars.entry(key.clone()).or_insert_with(|| {
                let bar = self.multi.add(ProgressBar::new(0));
                bar.set_style(self.style.clone());
                bar.set_prefix(key);
                bar
            });
            action(bar);
        }
    }

    impl Progress for Bars {
        fn region_started(&self, account_id: &str, region: &str) {
            self.with_bar(account_id, region, |bar| bar.set_message("listing secrets"));
        }
        fn secrets_listed(&self, account_id: &str, region: &str, secrets: usize, work: usize) {
            self.with_bar(account_id, region, |bar| {
                bar.set_length(work as u64);
                bar.set_message(format!("{secrets} secrets"));
            });
        }
        fn call_done(&self, account_id: &str, region: &str) {
            self.with_bar(account_id, region, |bar| bar.inc(1));
        }
        fn region_finished(&self, account_id: &str, region: &str, partial: bool) {
            self.with_bar(account_id, region, |bar| {
                let message = if partial { "done (partial)" } else { "done" };
                bar.finish_with_message(message);
            });
        }
    }

    fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .context("cannot start the async runtime")
    }

    /// Collects into `output`; returns the report and prints the summary on stderr.
    pub(crate) fn collect_to(
        live: &LiveArgs,
        output: &Path,
        quiet: bool,
    ) -> anyhow::Result<CollectReport> {
        let options = options(live)?;
        let bars = Arc::new(Bars::new(quiet));
        let started = Instant::now();
        let report = runtime()?
            .block_on(secaudit::collect::collect(&options, output, bars.clone()))
            .context("cannot collect")?;
        let _ = bars.multi.clear();
        print_summary(&report, output, started.elapsed().as_secs_f64(), quiet);
        Ok(report)
    }

    fn print_summary(report: &CollectReport, output: &Path, seconds: f64, quiet: bool) {
        let regions: std::collections::BTreeSet<&String> = report
            .accounts
            .iter()
            .flat_map(|account| &account.regions)
            .collect();
        if let Some(summary) = &report.organization {
            for (account, state) in &summary.organization.inactive {
                eprintln!(
                    "skipped: account {account} of organization {} is {state}, not ACTIVE",
                    summary.organization.id
                );
            }
            if !quiet {
                eprintln!(
                    "organization {}: {} ACTIVE account(s), {} collected by this run, {} Organizations calls",
                    summary.organization.id,
                    summary.organization.active.len(),
                    summary.planned.len(),
                    summary.calls
                );
            }
        }
        if !quiet {
            eprintln!(
                "collected {} account(s), {} region(s), {} secrets in {} calls ({seconds:.1} s) into `{}`",
                report.accounts.len(),
                regions.len(),
                report.secrets(),
                report.calls(),
                output.display()
            );
        }
        for account in &report.accounts {
            if let Some(error) = &account.error {
                eprintln!("account {}: {error}", account.account_id);
                continue;
            }
            let gaps: Vec<_> = account.gaps().collect();
            for gap in gaps.iter().take(MAX_GAP_LINES) {
                eprintln!("{}", gap_line(&account.account_id, gap));
            }
            if gaps.len() > MAX_GAP_LINES {
                eprintln!(
                    "account {}: {} more coverage gaps, listed in `{}`",
                    account.account_id,
                    gaps.len() - MAX_GAP_LINES,
                    account.directory.join("snapshot.json").display()
                );
            }
        }
        if report.is_partial() {
            eprintln!(
                "coverage is partial: the audit reports INSUFFICIENT_DATA for what could not be collected"
            );
        }
    }

    /// Coverage gaps printed per account; the rest are in its `snapshot.json`.
    const MAX_GAP_LINES: usize = 20;

    /// One line per gap: `account 111122223333 eu-west-1 secretsmanager:GetResourcePolicy
    /// <secret ARN>: AccessDeniedException: …` (the status word when there is no message).
    fn gap_line(account: &str, gap: &secaudit::collect::CoverageEntry) -> String {
        let resource = gap
            .resource
            .as_deref()
            .map(|arn| format!(" {arn}"))
            .unwrap_or_default();
        let message = gap
            .message
            .as_deref()
            .filter(|m| !m.is_empty())
            .unwrap_or(gap.status.as_str());
        let line = format!(
            "account {account} {} {}{resource}: {message}",
            gap.region, gap.api
        );
        // Names are the account's own, but never let control characters reach the terminal.
        secaudit::terminal::printable(&line).into_owned()
    }

    pub fn run(args: CollectArgs, quiet: bool) -> anyhow::Result<Outcome> {
        let report = collect_to(&args.live, &args.output, quiet)?;
        Ok(if report.is_partial() {
            Outcome::Partial
        } else {
            Outcome::Clean
        })
    }

    /// Collects a snapshot into a temporary directory for `audit` without `--snapshot`: one
    /// account's snapshot at the directory's root (the caller's, or a single `--accounts` id),
    /// or with several `--accounts` one `<account-id>/` subdirectory each.
    pub fn collect_snapshot_for_audit(
        live: &LiveArgs,
        quiet: bool,
    ) -> anyhow::Result<tempfile::TempDir> {
        collect_snapshot_reporting(live, quiet).map(|(dir, _report)| dir)
    }

    /// `collect_snapshot_for_audit`, and what the collection did.
    pub fn collect_snapshot_reporting(
        live: &LiveArgs,
        quiet: bool,
    ) -> anyhow::Result<(tempfile::TempDir, CollectReport)> {
        let dir = tempfile::Builder::new()
            .prefix("secaudit-snapshot-")
            .tempdir()
            .context("cannot create a temporary directory")?;
        let report = collect_to(live, dir.path(), quiet)?;
        match report.accounts.as_slice() {
            [account] if account.directory != dir.path() => {
                // One `--accounts` id: its snapshot is `DIR/<id>/`; the audit reads `DIR`.
                for entry in std::fs::read_dir(&account.directory)? {
                    let entry = entry?;
                    std::fs::rename(entry.path(), dir.path().join(entry.file_name()))?;
                }
                std::fs::remove_dir(&account.directory)?;
            }
            // The caller's account, or several accounts: `audit` reads `DIR/<id>/` for each.
            _ => {}
        }
        Ok((dir, report))
    }
}
