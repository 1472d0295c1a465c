//! One collection run: who we are (STS), which accounts (the caller's, each `--accounts` id
//! through `--role-name`, or with `--organization` every ACTIVE account of the caller's
//! organization, narrowed by `--accounts`, `--exclude-accounts` and `--shard`), and for each
//! account its IAM details once and every region's Secrets Manager, RDS, KMS and CloudTrail
//! data concurrently, written as one snapshot per account (`DIR/` for the caller's account
//! alone, `DIR/<account-id>/` otherwise). With `--organization` the Organizations calls happen
//! once per run, before the accounts, and each account's snapshot gets its organization id and
//! `organizations/policies.json`; the caller's own account is collected with the caller's
//! credentials, without AssumeRole.
//!
//! With `CollectOptions::secret` each region holds that one secret (`single_secret`), for the
//! Config rule's change notifications.
//!
//! Only a run that cannot start (no region, no credentials, an unusable output directory) is an
//! error; everything that fails later is a coverage entry or a failed account in the report.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use aws_config::SdkConfig;
use chrono::{DateTime, Utc};
use serde_json::Value;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::clients::{self, RegionClients, SdkSettings};
use super::coverage::{CallFailure, CoverageEntry, CoverageStatus, classify};
use super::limits::{RegionLimits, RunLimits};
use super::organization::{self, Organization, PolicyReader};
use super::plan::{PlanError, Shard};
use super::progress::Progress;
use super::region_run::RegionRun;
use super::writer::{self, SnapshotHeader, WriteError};
use super::{RegionFiles, cloudtrail, iam, kms, rds, regions, secretsmanager, single_secret};

/// A service whose collection can be skipped (`--skip`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Service {
    Iam,
    Rds,
    Kms,
    Cloudtrail,
}

/// What to collect and how.
#[derive(Debug, Clone)]
pub struct CollectOptions {
    pub sdk: SdkSettings,
    /// Regions to collect; empty: the configured region (`AWS_REGION`, the profile's).
    pub regions: Vec<String>,
    /// `--region all`: each account's enabled regions (`account:ListRegions`); `regions` (or
    /// the configured region) is then only the fallback when the list cannot be read.
    pub all_regions: bool,
    /// Member accounts (validated, sorted, sharded); empty: the caller's own account.
    pub accounts: Vec<String>,
    pub role_name: Option<String>,
    pub external_id: Option<String>,
    /// The snapshot's `collected_at`, and the end of the CloudTrail window.
    pub now: DateTime<Utc>,
    pub cloudtrail_lookback_days: u32,
    pub skip: BTreeSet<Service>,
    /// Accounts collected at the same time.
    pub account_concurrency: usize,
    /// Discover the accounts from the caller's organization (`--organization`); `accounts`
    /// then narrows them.
    pub organization: bool,
    /// Accounts left out (`--exclude-accounts`).
    pub exclude_accounts: Vec<String>,
    /// With `organization`: the shard of the discovered accounts to collect (`--shard`).
    pub organization_shard: Option<Shard>,
    /// Only this secret (ARN or name) of each region, instead of the region's list
    /// (`single_secret`): what a Config change notification needs.
    pub secret: Option<String>,
}

impl CollectOptions {
    pub fn new(now: DateTime<Utc>) -> CollectOptions {
        CollectOptions {
            sdk: SdkSettings::default(),
            regions: Vec::new(),
            all_regions: false,
            accounts: Vec::new(),
            role_name: None,
            external_id: None,
            now,
            cloudtrail_lookback_days: 30,
            skip: BTreeSet::new(),
            account_concurrency: 4,
            organization: false,
            exclude_accounts: Vec::new(),
            organization_shard: None,
            secret: None,
        }
    }
}

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    #[error("no region: pass `--region` or set `AWS_REGION` (or a region in the profile)")]
    NoRegion,
    #[error(
        "`{0}` is not an AWS region name (like `us-east-1`): check `--region`, `AWS_REGION` and the profile's region"
    )]
    InvalidRegion(String),
    /// One line, the cause first and a hint second (`diagnose`).
    #[error("{0}")]
    Credentials(String),
    #[error(
        "cannot read the organization (run with the management account's or a delegated administrator's credentials): {0}"
    )]
    Organization(String),
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// What happened to one account.
#[derive(Debug, Clone)]
pub struct AccountResult {
    pub account_id: String,
    /// Where its snapshot is.
    pub directory: PathBuf,
    pub regions: Vec<String>,
    pub secrets: usize,
    pub calls: u64,
    pub coverage: Vec<CoverageEntry>,
    /// Set when nothing could be collected (the role could not be assumed, the snapshot could
    /// not be written).
    pub error: Option<String>,
}

impl AccountResult {
    /// True when something of this account could not be collected.
    pub fn is_partial(&self) -> bool {
        self.error.is_some() || self.coverage.iter().any(|entry| entry.status.is_partial())
    }

    /// The coverage entries that make the account partial.
    pub fn gaps(&self) -> impl Iterator<Item = &CoverageEntry> {
        self.coverage
            .iter()
            .filter(|entry| entry.status.is_partial())
    }
}

/// What `--organization` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationSummary {
    pub organization: Organization,
    /// The ACTIVE accounts the run covers (after `--accounts`, `--exclude-accounts`, `--shard`).
    pub planned: Vec<String>,
    /// Organizations calls made (once per run).
    pub calls: u64,
}

/// What a run did, account by account (sorted by account id).
#[derive(Debug, Clone, Default)]
pub struct CollectReport {
    pub accounts: Vec<AccountResult>,
    /// Set with `--organization`.
    pub organization: Option<OrganizationSummary>,
}

impl CollectReport {
    pub fn is_partial(&self) -> bool {
        self.accounts.iter().any(AccountResult::is_partial)
    }
    pub fn secrets(&self) -> usize {
        self.accounts.iter().map(|a| a.secrets).sum()
    }
    pub fn calls(&self) -> u64 {
        self.accounts.iter().map(|a| a.calls).sum::<u64>()
            + self.organization.as_ref().map_or(0, |o| o.calls)
    }
}

/// `(account id, partition)` of the credentials of `sdk`.
async fn caller_identity(sdk: &SdkConfig) -> Result<(String, String), CallFailure> {
    caller_identity_explained(sdk)
        .await
        .map_err(|(failure, _)| failure)
}

/// `caller_identity`, and on failure also the SDK's whole error chain: the cause of a failed
/// first call (no credentials in the chain, a refused connection) is often past the clipped
/// one-line message.
async fn caller_identity_explained(
    sdk: &SdkConfig,
) -> Result<(String, String), (CallFailure, String)> {
    let output = clients::sts_client(sdk)
        .get_caller_identity()
        .send()
        .await
        .map_err(|error| {
            let chain = aws_smithy_types::error::display::DisplayErrorContext(&error).to_string();
            (classify(&error), chain)
        })?;
    let account = output.account().unwrap_or_default().to_owned();
    let partition = output
        .arn()
        .and_then(crate::arn::partition_of)
        .unwrap_or("aws")
        .to_owned();
    Ok((account, partition))
}

/// Collects every planned account into `output`.
pub async fn collect(
    options: &CollectOptions,
    output: &Path,
    progress: Arc<dyn Progress>,
) -> Result<CollectReport, CollectError> {
    let mut sdk_settings = options.sdk.clone();
    if sdk_settings.region.is_none() {
        sdk_settings.region = options.regions.first().cloned();
    }
    if let Some(message) = sdk_settings
        .profile
        .as_deref()
        .and_then(super::diagnose::missing_profile)
    {
        return Err(CollectError::Credentials(message));
    }
    let mut base = clients::load_base_config(&sdk_settings).await;
    if options.all_regions && base.region().is_none() {
        // `--region all` alone: STS and the fallback need some region.
        base = base
            .to_builder()
            .region(aws_config::Region::new("us-east-1"))
            .build();
    }
    let regions: Vec<String> = if options.regions.is_empty() {
        base.region()
            .map(|r| vec![r.to_string()])
            .unwrap_or_default()
    } else {
        let unique: BTreeSet<&String> = options.regions.iter().collect();
        unique.into_iter().cloned().collect()
    };
    if regions.is_empty() {
        return Err(CollectError::NoRegion);
    }
    // Region names become directory names in the snapshot.
    if let Some(bad) = regions.iter().find(|r| !crate::arn::is_region_name(r)) {
        return Err(CollectError::InvalidRegion(
            crate::terminal::printable(bad).into_owned(),
        ));
    }
    if (options.organization || !options.accounts.is_empty()) && options.role_name.is_none() {
        return Err(PlanError::MissingRoleName.into());
    }
    let (caller_account, partition) =
        caller_identity_explained(&base)
            .await
            .map_err(|(failure, chain)| {
                tracing::debug!("sts:GetCallerIdentity failed: {}", failure.message);
                CollectError::Credentials(super::diagnose::start_failure(
                    &chain,
                    base.endpoint_url(),
                    sdk_settings.profile.as_deref(),
                ))
            })?;
    tracing::info!("collecting as account {caller_account} ({partition}), regions {regions:?}");
    writer::prepare_directory(output)?;

    let run_limits = Arc::new(RunLimits::default());
    let regions = Arc::new(regions);
    let mut report = CollectReport::default();
    let mut memberships: BTreeMap<String, AccountOrganization> = BTreeMap::new();
    let accounts: Vec<String> = if options.organization {
        let (summary, policies) = read_organization(
            options,
            &base,
            &caller_account,
            &partition,
            &run_limits,
            Arc::clone(&progress),
        )
        .await?;
        for (account, policies) in policies {
            memberships.insert(
                account,
                AccountOrganization {
                    id: summary.organization.id.clone(),
                    policies,
                },
            );
        }
        let planned = summary.planned.clone();
        report.organization = Some(summary);
        planned
    } else {
        options
            .accounts
            .iter()
            .filter(|id| !options.exclude_accounts.contains(id))
            .cloned()
            .collect()
    };
    if !options.organization && options.accounts.is_empty() {
        let result = collect_account(
            AccountJob {
                sdk: base,
                account_id: caller_account,
                partition,
                directory: output.to_path_buf(),
                organization: None,
            },
            options,
            &regions,
            &run_limits,
            progress,
        )
        .await;
        report.accounts.push(result);
        return Ok(report);
    }

    let slots = Arc::new(Semaphore::new(options.account_concurrency.max(1)));
    let mut tasks = JoinSet::new();
    for account_id in &accounts {
        let membership = memberships.remove(account_id);
        let is_caller = options.organization && *account_id == caller_account;
        let slots = Arc::clone(&slots);
        let base = base.clone();
        let options = options.clone();
        let regions = Arc::clone(&regions);
        let run_limits = Arc::clone(&run_limits);
        let progress = Arc::clone(&progress);
        let partition = partition.clone();
        let account_id = account_id.clone();
        let directory = output.join(&account_id);
        tasks.spawn(async move {
            let _slot = slots.acquire_owned().await.ok();
            if is_caller {
                // The caller's own account: its credentials already reach it.
                let job = AccountJob {
                    sdk: base,
                    account_id,
                    partition,
                    directory,
                    organization: membership,
                };
                return collect_account(job, &options, &regions, &run_limits, progress).await;
            }
            let role_name = options.role_name.clone().unwrap_or_default();
            let sdk = clients::assume_role_config(
                &base,
                &partition,
                &account_id,
                &role_name,
                options.external_id.as_deref(),
            )
            .await;
            match caller_identity(&sdk).await {
                Ok((assumed, _)) if assumed == account_id => {
                    let job = AccountJob {
                        sdk,
                        account_id,
                        partition,
                        directory,
                        organization: membership,
                    };
                    collect_account(job, &options, &regions, &run_limits, progress).await
                }
                Ok((assumed, _)) => unreachable_account(
                    &account_id,
                    &partition,
                    directory,
                    membership.as_ref(),
                    &regions,
                    &options,
                    &CallFailure {
                        status: CoverageStatus::Error,
                        code: None,
                        message: format!("assumed role belongs to account {assumed}"),
                    },
                    progress.as_ref(),
                ),
                Err(failure) => unreachable_account(
                    &account_id,
                    &partition,
                    directory,
                    membership.as_ref(),
                    &regions,
                    &options,
                    &failure,
                    progress.as_ref(),
                ),
            }
        });
    }
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(result) => report.accounts.push(result),
            Err(error) => tracing::error!("an account task stopped: {error}"),
        }
    }
    report
        .accounts
        .sort_by(|a, b| a.account_id.cmp(&b.account_id));
    Ok(report)
}

/// The organization of an account collected with `--organization`: its id, and its
/// `organizations/policies.json` (or why it could not be read).
#[derive(Debug, Clone)]
struct AccountOrganization {
    id: String,
    policies: Result<Value, CallFailure>,
}

/// Reads the organization once: its accounts (narrowed by the options) and each account's SCP
/// and RCP levels.
async fn read_organization(
    options: &CollectOptions,
    base: &SdkConfig,
    caller_account: &str,
    partition: &str,
    run_limits: &Arc<RunLimits>,
    progress: Arc<dyn Progress>,
) -> Result<
    (
        OrganizationSummary,
        BTreeMap<String, Result<Value, CallFailure>>,
    ),
    CollectError,
> {
    let calls = Arc::new(AtomicU64::new(0));
    let run = RegionRun {
        account_id: Arc::from(caller_account),
        partition: Arc::from(partition),
        region: Arc::from("global"),
        limits: Arc::new(RegionLimits::new(Arc::clone(run_limits))),
        calls: Arc::clone(&calls),
        progress,
    };
    let client = clients::organizations_client(base, partition, caller_account);
    let organization = organization::discover(&run, &client)
        .await
        .map_err(|failure| CollectError::Organization(failure.message))?;
    let mut planned: Vec<String> = organization
        .active
        .iter()
        .filter(|id| options.accounts.is_empty() || options.accounts.contains(id))
        .filter(|id| !options.exclude_accounts.contains(id))
        .cloned()
        .collect();
    if let Some(shard) = options.organization_shard {
        planned = shard.select(&planned);
    }
    tracing::info!(
        "organization {}: {} active accounts, {} planned",
        organization.id,
        organization.active.len(),
        planned.len()
    );
    let mut reader = PolicyReader::new(&run, &client);
    let mut policies = BTreeMap::new();
    for account in &planned {
        let read = if *account == organization.management_account {
            Ok(organization::management_policies())
        } else {
            reader.account_policies(account).await
        };
        if let Err(failure) = &read {
            tracing::warn!(account = %account, "organization policies not read: {}", failure.message);
        }
        policies.insert(account.clone(), read);
    }
    let summary = OrganizationSummary {
        organization,
        planned,
        calls: calls.load(Ordering::Relaxed),
    };
    Ok((summary, policies))
}

/// An account whose role could not be assumed: its snapshot holds only the coverage entry.
#[allow(
    clippy::too_many_arguments,
    reason = "one call site per failure kind; the arguments are the account's identity"
)]
fn unreachable_account(
    account_id: &str,
    partition: &str,
    directory: PathBuf,
    membership: Option<&AccountOrganization>,
    regions: &[String],
    options: &CollectOptions,
    failure: &CallFailure,
    progress: &dyn Progress,
) -> AccountResult {
    let message = format!(
        "cannot assume role `{}`: {}",
        options.role_name.as_deref().unwrap_or_default(),
        failure.message
    );
    tracing::warn!(account = account_id, "{message}");
    let status = if failure.status == CoverageStatus::Ok {
        CoverageStatus::Error
    } else {
        failure.status
    };
    // `*`: every API of the region (and of `global`) is missing.
    let coverage: Vec<CoverageEntry> = std::iter::once("global")
        .chain(regions.iter().map(String::as_str))
        .map(|region| CoverageEntry {
            region: region.to_owned(),
            api: "*".to_owned(),
            resource: None,
            status,
            message: Some(message.clone()),
        })
        .collect();
    let mut header = SnapshotHeader::new(account_id, partition, options.now, regions, coverage);
    header.organization_id = membership.map(|m| m.id.clone());
    let write = writer::write_account(&directory, &[], &header);
    progress.account_finished(account_id, true);
    AccountResult {
        account_id: account_id.to_owned(),
        directory,
        regions: regions.to_vec(),
        secrets: 0,
        calls: 1,
        coverage: header.coverage,
        error: Some(match write {
            Ok(()) => message,
            Err(error) => format!("{message}; {error}"),
        }),
    }
}

struct AccountJob {
    sdk: SdkConfig,
    account_id: String,
    partition: String,
    directory: PathBuf,
    organization: Option<AccountOrganization>,
}

async fn collect_account(
    job: AccountJob,
    options: &CollectOptions,
    regions: &Arc<Vec<String>>,
    run_limits: &Arc<RunLimits>,
    progress: Arc<dyn Progress>,
) -> AccountResult {
    let calls = Arc::new(AtomicU64::new(1));
    let account: Arc<str> = Arc::from(job.account_id.as_str());
    let mut coverage = Vec::new();
    let regions: Arc<Vec<String>> = if options.all_regions {
        let run = RegionRun {
            account_id: Arc::clone(&account),
            partition: Arc::from(job.partition.as_str()),
            region: Arc::from("global"),
            limits: Arc::new(RegionLimits::new(Arc::clone(run_limits))),
            calls: Arc::clone(&calls),
            progress: Arc::clone(&progress),
        };
        let client = clients::account_client(&job.sdk, &job.partition, &job.account_id);
        match regions::enabled_regions(&run, &client).await {
            Ok(enabled) if !enabled.is_empty() => {
                coverage.push(CoverageEntry::ok("global", regions::LIST_REGIONS));
                Arc::new(enabled)
            }
            result => {
                let failure = result.err().unwrap_or_else(|| CallFailure {
                    status: CoverageStatus::Error,
                    code: None,
                    message: "ListRegions returned no enabled region".to_owned(),
                });
                let failure = CallFailure {
                    message: format!("{}; collected only {}", failure.message, regions.join(", ")),
                    ..failure
                };
                tracing::warn!(account = %account, "cannot list the enabled regions: {}", failure.message);
                coverage.push(CoverageEntry::failed(
                    "global",
                    regions::LIST_REGIONS,
                    &failure,
                ));
                Arc::clone(regions)
            }
        }
    } else {
        Arc::clone(regions)
    };
    let mut tasks = JoinSet::new();
    for region in regions.iter() {
        let run = RegionRun {
            account_id: Arc::clone(&account),
            partition: Arc::from(job.partition.as_str()),
            region: Arc::from(region.as_str()),
            limits: Arc::new(RegionLimits::new(Arc::clone(run_limits))),
            calls: Arc::clone(&calls),
            progress: Arc::clone(&progress),
        };
        let clients = RegionClients::new(&job.sdk, region, &job.account_id);
        let options = options.clone();
        tasks.spawn(async move { collect_region(run, clients, &options).await });
    }
    let iam_files = if options.skip.contains(&Service::Iam) {
        let mut files = RegionFiles::new("global");
        files.skipped(iam::GET_AUTHORIZATION_DETAILS, "skipped by `--skip iam`");
        files
    } else {
        let run = RegionRun {
            account_id: Arc::clone(&account),
            partition: Arc::from(job.partition.as_str()),
            region: Arc::from("global"),
            limits: Arc::new(RegionLimits::new(Arc::clone(run_limits))),
            calls: Arc::clone(&calls),
            progress: Arc::clone(&progress),
        };
        let first_region = regions.first().map(String::as_str).unwrap_or("us-east-1");
        let client = clients::iam_client(&job.sdk, first_region, &job.account_id);
        let mut files = RegionFiles::new("global");
        let result = iam::authorization_details(&run, &client).await;
        files.record(iam::GET_AUTHORIZATION_DETAILS, iam::FILE, result);
        files
    };

    let mut written: Vec<(PathBuf, Value)> = Vec::new();
    coverage.extend(iam_files.coverage);
    written.extend(
        iam_files
            .files
            .into_iter()
            .map(|(path, value)| (PathBuf::from(path), value)),
    );
    if let Some(membership) = &job.organization {
        match &membership.policies {
            Ok(policies) => {
                coverage.push(CoverageEntry::ok(
                    "global",
                    organization::LIST_POLICIES_FOR_TARGET,
                ));
                written.push((PathBuf::from(organization::POLICIES_FILE), policies.clone()));
            }
            Err(failure) => coverage.push(CoverageEntry::failed(
                "global",
                organization::LIST_POLICIES_FOR_TARGET,
                failure,
            )),
        }
    }
    let mut secrets = 0;
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((files, count)) => {
                secrets += count;
                let region = files.region.clone();
                coverage.extend(files.coverage);
                written.extend(
                    files
                        .files
                        .into_iter()
                        .map(|(path, value)| (Path::new(&region).join(path), value)),
                );
            }
            Err(error) => tracing::error!(account = %account, "a region task stopped: {error}"),
        }
    }
    written.sort_by(|a, b| a.0.cmp(&b.0));
    let mut header = SnapshotHeader::new(
        &job.account_id,
        &job.partition,
        options.now,
        &regions,
        coverage,
    );
    header.organization_id = job.organization.as_ref().map(|m| m.id.clone());
    let error = match writer::write_account(&job.directory, &written, &header) {
        Ok(()) => None,
        Err(error) => Some(error.to_string()),
    };
    let result = AccountResult {
        account_id: job.account_id,
        directory: job.directory,
        regions: regions.to_vec(),
        secrets,
        calls: calls.load(Ordering::Relaxed),
        coverage: header.coverage,
        error,
    };
    progress.account_finished(&result.account_id, result.is_partial());
    result
}

async fn collect_region(
    run: RegionRun,
    clients: RegionClients,
    options: &CollectOptions,
) -> (RegionFiles, usize) {
    let region = clients.region.clone();
    run.progress.region_started(&run.account_id, &region);
    let mut files = RegionFiles::new(&region);
    let secrets = match &options.secret {
        Some(id) => single_secret::list_one(&run, &clients.secretsmanager, id, &mut files).await,
        None => secretsmanager::list_secrets(&run, &clients.secretsmanager, &mut files).await,
    };
    let count = secrets.as_ref().map_or(0, Vec::len);
    let work = secrets
        .as_ref()
        .map_or(0, |secrets| secrets.iter().map(|s| s.calls()).sum());
    run.progress
        .secrets_listed(&run.account_id, &region, count, work);
    let secrets_ref = secrets.as_deref();

    let per_secret = async {
        let mut part = RegionFiles::new(&region);
        if let Some(secrets) = secrets_ref {
            secretsmanager::describe_secrets(&run, &clients.secretsmanager, secrets, &mut part)
                .await;
        }
        part
    };
    let rds_part = async {
        let mut part = RegionFiles::new(&region);
        let not_rds_owned = options.secret.is_some()
            && secrets_ref.is_none_or(|secrets| !secrets.iter().any(|s| s.rds_owned));
        if options.skip.contains(&Service::Rds) {
            part.skipped(rds::DESCRIBE_CLUSTERS, "skipped by `--skip rds`");
            part.skipped(rds::DESCRIBE_INSTANCES, "skipped by `--skip rds`");
        } else if not_rds_owned {
            let why = "not called: the one secret asked for is not owned by RDS";
            part.skipped(rds::DESCRIBE_CLUSTERS, why);
            part.skipped(rds::DESCRIBE_INSTANCES, why);
        } else {
            let clusters = rds::describe_clusters(&run, &clients.rds).await;
            part.record(
                rds::DESCRIBE_CLUSTERS,
                "rds/describe-db-clusters.json",
                clusters,
            );
            let instances = rds::describe_instances(&run, &clients.rds).await;
            part.record(
                rds::DESCRIBE_INSTANCES,
                "rds/describe-db-instances.json",
                instances,
            );
        }
        part
    };
    let kms_part = async {
        let mut part = RegionFiles::new(&region);
        if options.skip.contains(&Service::Kms) {
            for api in [kms::LIST_ALIASES, kms::DESCRIBE_KEY, kms::GET_KEY_POLICY] {
                part.skipped(api, "skipped by `--skip kms`");
            }
            return part;
        }
        let Some(secrets) = secrets_ref else {
            let aliases = kms::list_aliases(&run, &clients.kms).await;
            part.record(kms::LIST_ALIASES, "kms/list-aliases.json", aliases);
            part.skipped(kms::DESCRIBE_KEY, "ListSecrets failed");
            part.skipped(kms::GET_KEY_POLICY, "ListSecrets failed");
            return part;
        };
        let keys = kms::keys_used(secrets, &region);
        // DescribeKey first: it resolves aliases itself (and makes AWS show the AWS managed
        // key of a service in list-aliases once it exists).
        let described = kms::describe_keys(&run, &clients.kms, &keys).await;
        let described_arns = described
            .as_ref()
            .map(|described| described.arns.clone())
            .unwrap_or_default();
        part.record(
            kms::DESCRIBE_KEY,
            "kms/describe-key.json",
            described.map(|described| described.value),
        );
        let aliases = kms::list_aliases(&run, &clients.kms).await;
        let alias_list = aliases.as_ref().ok().cloned();
        part.record(kms::LIST_ALIASES, "kms/list-aliases.json", aliases);
        let targets = kms::resolve_keys(&run, &keys, &described_arns, alias_list.as_ref());
        kms::key_policies(&run, &clients.kms, targets, &mut part).await;
        part
    };
    let cloudtrail_part = async {
        let mut part = RegionFiles::new(&region);
        if options.skip.contains(&Service::Cloudtrail) {
            part.skipped(cloudtrail::LOOKUP_EVENTS, "skipped by `--skip cloudtrail`");
            return part;
        }
        let pending = secrets_ref.is_none_or(|s| s.iter().any(|secret| secret.pending_deletion));
        let result = cloudtrail::lookup_events(
            &run,
            &clients.cloudtrail,
            options.now,
            options.cloudtrail_lookback_days,
            pending,
        )
        .await;
        match result {
            Ok((value, truncated)) => {
                if truncated {
                    part.ok_with(
                        cloudtrail::LOOKUP_EVENTS,
                        format!(
                            "truncated at {} pages per event name",
                            cloudtrail::MAX_PAGES_PER_EVENT
                        ),
                    );
                } else {
                    part.ok(cloudtrail::LOOKUP_EVENTS);
                }
                part.write("cloudtrail/lookup-events.json", value);
            }
            Err(failure) => part.failed(cloudtrail::LOOKUP_EVENTS, &failure),
        }
        part
    };
    let (per_secret, rds_part, kms_part, cloudtrail_part) =
        tokio::join!(per_secret, rds_part, kms_part, cloudtrail_part);
    for part in [per_secret, rds_part, kms_part, cloudtrail_part] {
        files.merge(part);
    }
    let partial = files.coverage.iter().any(|entry| entry.status.is_partial());
    run.progress
        .region_finished(&run.account_id, &region, partial);
    (files, count)
}
