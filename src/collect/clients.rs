//! The AWS clients of a run (SDK clients, and [`AwsApi`] clients for the services called without
//! an SDK crate): one base configuration from the standard AWS configuration
//! (default credential chain, `--profile`, `AWS_REGION` / `--region`, `AWS_ENDPOINT_URL`,
//! shared config files), one per audited account when a role is assumed, and per account-region
//! clients with their own retry partition (so throttling in one account never slows another),
//! standard retry with backoff, and timeouts.
//!
//! Builds clients only; it makes no call except the credential resolution the SDK does lazily.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::sts::AssumeRoleProvider;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_types::sdk_config::{SharedCredentialsProvider, SharedHttpClient};

use super::aws_api::{self, AwsApi};
use super::{aws_json, query};

/// How the SDK is configured for a run.
#[derive(Debug, Clone)]
pub struct SdkSettings {
    /// `--profile`; `None` is the default chain (`AWS_PROFILE` included).
    pub profile: Option<String>,
    /// The region used for the base configuration and for STS (the first `--region`).
    pub region: Option<String>,
    /// Attempts per call, first included (standard retry mode with exponential backoff).
    pub max_attempts: u32,
    /// Time allowed for one attempt.
    pub attempt_timeout: Duration,
    /// Time allowed for a call, retries included.
    pub operation_timeout: Duration,
    /// Credentials to use instead of the default chain (tests, embedding programs).
    pub credentials: Option<SharedCredentialsProvider>,
    /// The HTTP client to use instead of the SDK's default (tests use a fake AWS).
    pub http_client: Option<SharedHttpClient>,
}

impl Default for SdkSettings {
    fn default() -> Self {
        SdkSettings {
            profile: None,
            region: None,
            max_attempts: 8,
            attempt_timeout: Duration::from_secs(20),
            operation_timeout: Duration::from_secs(120),
            credentials: None,
            http_client: None,
        }
    }
}

impl SdkSettings {
    fn retry_config(&self) -> RetryConfig {
        if self.max_attempts <= 1 {
            RetryConfig::disabled()
        } else {
            RetryConfig::standard()
                .with_max_attempts(self.max_attempts)
                .with_initial_backoff(Duration::from_millis(200))
                .with_max_backoff(Duration::from_secs(20))
        }
    }

    fn timeout_config(&self) -> TimeoutConfig {
        TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(5))
            .operation_attempt_timeout(self.attempt_timeout)
            .operation_timeout(self.operation_timeout)
            .build()
    }
}

/// Loads the base configuration from the standard AWS sources.
pub async fn load_base_config(settings: &SdkSettings) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(settings.retry_config())
        .timeout_config(settings.timeout_config());
    if let Some(profile) = &settings.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &settings.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(credentials) = &settings.credentials {
        loader = loader.credentials_provider(credentials.clone());
    }
    let http_client = match &settings.http_client {
        Some(http_client) => http_client.clone(),
        None => super::https::ring_https_client(),
    };
    loader.http_client(http_client).load().await
}

/// The configuration for a member account: the base credentials assume
/// `arn:<partition>:iam::<account>:role/<role_name>`.
pub async fn assume_role_config(
    base: &SdkConfig,
    partition: &str,
    account_id: &str,
    role_name: &str,
    external_id: Option<&str>,
) -> SdkConfig {
    let role_name = role_name.trim_start_matches('/');
    let role_arn = format!("arn:{partition}:iam::{account_id}:role/{role_name}");
    let mut builder = AssumeRoleProvider::builder(role_arn)
        .session_name("secaudit")
        .configure(base);
    if let Some(external_id) = external_id {
        builder = builder.external_id(external_id);
    }
    let provider = builder.build().await;
    base.to_builder()
        .credentials_provider(SharedCredentialsProvider::new(provider))
        .build()
}

#[cfg(feature = "config-rule")]
fn partition_name(
    service: &str,
    region: &str,
    account_id: &str,
) -> aws_sdk_sts::config::retry::RetryPartition {
    aws_sdk_sts::config::retry::RetryPartition::new(format!("{service}-{region}-{account_id}"))
}

/// The clients of one account-region.
#[derive(Debug, Clone)]
pub struct RegionClients {
    pub region: String,
    /// Secrets Manager through awsJson 1.1 (no SDK crate: see `aws_api.rs`).
    pub secretsmanager: AwsApi,
    /// RDS through the AWS Query protocol (no SDK crate: see `aws_api.rs`).
    pub rds: AwsApi,
    /// KMS through awsJson 1.1 (no SDK crate: see `aws_api.rs`).
    pub kms: AwsApi,
    /// CloudTrail through the awsJson 1.1 protocol (no SDK crate: see `aws_api.rs`).
    pub cloudtrail: AwsApi,
}

impl RegionClients {
    pub fn new(sdk: &SdkConfig, region: &str, account_id: &str) -> RegionClients {
        RegionClients {
            region: region.to_owned(),
            secretsmanager: AwsApi::new(
                sdk,
                aws_api::SECRETS_MANAGER,
                region,
                account_id,
                aws_json::parse_error,
            ),
            rds: AwsApi::new(sdk, aws_api::RDS, region, account_id, query::parse_error),
            kms: AwsApi::new(sdk, aws_api::KMS, region, account_id, aws_json::parse_error),
            cloudtrail: AwsApi::new(
                sdk,
                aws_api::CLOUDTRAIL,
                region,
                account_id,
                aws_json::parse_error,
            ),
        }
    }
}

/// The IAM client of an account, through the AWS Query protocol (no SDK crate: see
/// `aws_api.rs`). IAM is global: `region` picks the partition's endpoint.
pub fn iam_client(sdk: &SdkConfig, region: &str, account_id: &str) -> AwsApi {
    AwsApi::new(sdk, aws_api::IAM, region, account_id, query::parse_error)
}

/// The STS client used to learn who we are.
pub fn sts_client(sdk: &SdkConfig) -> aws_sdk_sts::Client {
    aws_sdk_sts::Client::new(sdk)
}

/// The Config client of an account-region (custom-rule mode, feature `config-rule`).
#[cfg(feature = "config-rule")]
pub fn config_client(sdk: &SdkConfig, region: &str, account_id: &str) -> aws_sdk_config::Client {
    aws_sdk_config::Client::from_conf(
        aws_sdk_config::config::Builder::from(sdk)
            .region(Region::new(region.to_owned()))
            .retry_partition(partition_name("config", region, account_id))
            .build(),
    )
}

/// The home region of a partition's global services (Organizations, Account).
fn home_region(partition: &str) -> &'static str {
    match partition {
        "aws-cn" => "cn-northwest-1",
        "aws-us-gov" => "us-gov-west-1",
        _ => "us-east-1",
    }
}

/// The Organizations client of the caller's account, through awsJson 1.1 (no SDK crate: see
/// `aws_api.rs`). Organizations has one endpoint per partition, in that partition's home region.
pub fn organizations_client(sdk: &SdkConfig, partition: &str, account_id: &str) -> AwsApi {
    AwsApi::new(
        sdk,
        aws_api::ORGANIZATIONS,
        home_region(partition),
        account_id,
        aws_json::parse_error,
    )
}

/// The Account client of an account (`--region all`), in its partition's home region, through
/// REST-JSON (no SDK crate: see `aws_api.rs`).
pub fn account_client(sdk: &SdkConfig, partition: &str, account_id: &str) -> AwsApi {
    AwsApi::new(
        sdk,
        aws_api::ACCOUNT,
        home_region(partition),
        account_id,
        aws_json::parse_error,
    )
}
