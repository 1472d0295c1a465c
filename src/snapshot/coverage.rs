//! What a snapshot attempted to collect and what it holds: the `coverage` entries of
//! `snapshot.json`, the APIs (and the file each one fills), and `Availability`, the answer the
//! rules need to return INSUFFICIENT_DATA instead of a verdict on missing data.
//!
//! An entry's `api` is written `service:Operation` (`secretsmanager:GetResourcePolicy`), or `*`
//! for every API of a region (a skipped region). Global services (IAM, Organizations) use the
//! region `global`; an entry for them under any region counts too. An entry with a `resource`
//! (an ARN) speaks of that resource alone: a per-secret or per-key call that failed makes only
//! that resource's data missing, and `gone` says the resource was deleted between the listing
//! and the call (not a failure). This module holds the vocabulary and the matching; the loader
//! decides what to read from it.

use std::collections::BTreeSet;

use serde::Serialize;

use super::json_path::{FieldError, JsonAt};
use super::model::{RegionData, Snapshot};

/// The region name of global services in `coverage`.
pub const GLOBAL_REGION: &str = "global";

/// An API whose output a snapshot can hold, one file each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Api {
    ListSecrets,
    DescribeSecret,
    ListSecretVersionIds,
    GetResourcePolicy,
    DescribeDbClusters,
    DescribeDbInstances,
    DescribeKey,
    ListAliases,
    /// KMS `GetKeyPolicy`, one output per key the secrets use.
    GetKeyPolicy,
    LookupEvents,
    /// IAM `GetAccountAuthorizationDetails` (global).
    GetAccountAuthorizationDetails,
    /// Organizations policies (global): any `organizations:*` coverage entry concerns it.
    OrganizationsPolicies,
}

impl Api {
    /// Every API, in file order.
    pub const ALL: [Api; 12] = [
        Api::ListSecrets,
        Api::DescribeSecret,
        Api::ListSecretVersionIds,
        Api::GetResourcePolicy,
        Api::DescribeDbClusters,
        Api::DescribeDbInstances,
        Api::DescribeKey,
        Api::ListAliases,
        Api::GetKeyPolicy,
        Api::LookupEvents,
        Api::GetAccountAuthorizationDetails,
        Api::OrganizationsPolicies,
    ];

    /// The per-region APIs.
    pub const REGIONAL: [Api; 10] = [
        Api::ListSecrets,
        Api::DescribeSecret,
        Api::ListSecretVersionIds,
        Api::GetResourcePolicy,
        Api::DescribeDbClusters,
        Api::DescribeDbInstances,
        Api::DescribeKey,
        Api::ListAliases,
        Api::GetKeyPolicy,
        Api::LookupEvents,
    ];

    /// The `service:Operation` name used in `coverage`.
    pub fn as_str(self) -> &'static str {
        match self {
            Api::ListSecrets => "secretsmanager:ListSecrets",
            Api::DescribeSecret => "secretsmanager:DescribeSecret",
            Api::ListSecretVersionIds => "secretsmanager:ListSecretVersionIds",
            Api::GetResourcePolicy => "secretsmanager:GetResourcePolicy",
            Api::DescribeDbClusters => "rds:DescribeDBClusters",
            Api::DescribeDbInstances => "rds:DescribeDBInstances",
            Api::DescribeKey => "kms:DescribeKey",
            Api::ListAliases => "kms:ListAliases",
            Api::GetKeyPolicy => "kms:GetKeyPolicy",
            Api::LookupEvents => "cloudtrail:LookupEvents",
            Api::GetAccountAuthorizationDetails => "iam:GetAccountAuthorizationDetails",
            Api::OrganizationsPolicies => "organizations:ListPoliciesForTarget",
        }
    }

    /// The API named `service:Operation` (case-insensitive).
    pub fn from_name(name: &str) -> Option<Api> {
        Api::ALL
            .into_iter()
            .find(|api| api.as_str().eq_ignore_ascii_case(name))
    }

    /// Whether the API is global (not per region).
    pub fn is_global(self) -> bool {
        matches!(
            self,
            Api::GetAccountAuthorizationDetails | Api::OrganizationsPolicies
        )
    }

    /// The file holding the API's output, relative to the region directory for regional APIs
    /// and to the snapshot directory for global ones.
    pub fn file(self) -> &'static str {
        match self {
            Api::ListSecrets => "secretsmanager/list-secrets.json",
            Api::DescribeSecret => "secretsmanager/describe-secret.json",
            Api::ListSecretVersionIds => "secretsmanager/list-secret-version-ids.json",
            Api::GetResourcePolicy => "secretsmanager/get-resource-policy.json",
            Api::DescribeDbClusters => "rds/describe-db-clusters.json",
            Api::DescribeDbInstances => "rds/describe-db-instances.json",
            Api::DescribeKey => "kms/describe-key.json",
            Api::ListAliases => "kms/list-aliases.json",
            Api::GetKeyPolicy => "kms/get-key-policy.json",
            Api::LookupEvents => "cloudtrail/lookup-events.json",
            Api::GetAccountAuthorizationDetails => "iam/get-account-authorization-details.json",
            Api::OrganizationsPolicies => "organizations/policies.json",
        }
    }

    /// The file's path relative to the snapshot directory, `/`-separated.
    pub fn relative_path(self, region: &str) -> String {
        if self.is_global() {
            self.file().to_owned()
        } else {
            format!("{region}/{}", self.file())
        }
    }

    /// Whether a coverage entry's `api` names this API.
    fn matches(self, name: &str) -> bool {
        if name == "*" || self.as_str().eq_ignore_ascii_case(name) {
            return true;
        }
        self == Api::OrganizationsPolicies
            && name
                .get(..14)
                .is_some_and(|prefix| prefix.eq_ignore_ascii_case("organizations:"))
    }
}

/// The outcome recorded for one (region, API).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CoverageStatus {
    Ok,
    Denied,
    Throttled,
    Error,
    Skipped,
    /// The resource was deleted between the listing and the call: nothing is missing.
    Gone,
}

impl CoverageStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CoverageStatus::Ok => "ok",
            CoverageStatus::Denied => "denied",
            CoverageStatus::Throttled => "throttled",
            CoverageStatus::Error => "error",
            CoverageStatus::Skipped => "skipped",
            CoverageStatus::Gone => "gone",
        }
    }

    /// True when an entry with this status leaves data out (everything but `ok`).
    fn blocks(self) -> bool {
        self != CoverageStatus::Ok
    }

    /// True when the data of this API is missing or incomplete.
    pub fn is_partial(self) -> bool {
        matches!(
            self,
            CoverageStatus::Denied | CoverageStatus::Throttled | CoverageStatus::Error
        )
    }

    fn parse(text: &str) -> Option<CoverageStatus> {
        match text.to_ascii_lowercase().as_str() {
            "ok" => Some(CoverageStatus::Ok),
            "denied" => Some(CoverageStatus::Denied),
            "throttled" => Some(CoverageStatus::Throttled),
            "error" => Some(CoverageStatus::Error),
            "skipped" => Some(CoverageStatus::Skipped),
            "gone" => Some(CoverageStatus::Gone),
            _ => None,
        }
    }
}

/// One `coverage` entry of `snapshot.json`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct CoverageEntry {
    /// A region, or `global` for IAM and Organizations.
    pub region: String,
    /// `service:Operation`, or `*`.
    pub api: String,
    /// The one resource (ARN) the entry speaks of; `None`: the whole API in the region.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    pub status: CoverageStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl CoverageEntry {
    /// Whether the entry speaks of `api` in `region` as a whole (global APIs: any region); an
    /// entry about one resource does not.
    pub fn concerns(&self, region: &str, api: Api) -> bool {
        self.resource.is_none() && self.concerns_api(region, api)
    }

    /// Whether the entry speaks of `resource`'s data of `api` in `region`.
    pub fn concerns_resource(&self, region: &str, api: Api, resource: &str) -> bool {
        self.resource.as_deref() == Some(resource) && self.concerns_api(region, api)
    }

    fn concerns_api(&self, region: &str, api: Api) -> bool {
        if !api.matches(&self.api) {
            return false;
        }
        if api.is_global() {
            // A regional wildcard (`*` for a skipped region) does not reach global services.
            self.api != "*" || self.region == GLOBAL_REGION
        } else {
            self.region == region
        }
    }
}

/// Whether the data of one (region, API) is in the snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum Availability {
    Collected,
    Missing {
        /// One line for annotations, e.g. ``coverage: `secretsmanager:GetResourcePolicy` in
        /// `us-east-1` was denied: AccessDeniedException``.
        reason: String,
    },
}

impl Availability {
    pub fn is_collected(&self) -> bool {
        matches!(self, Availability::Collected)
    }
}

/// The first entry that marks (region, API) as not collected, if any.
pub(crate) fn blocking_entry<'a>(
    coverage: &'a [CoverageEntry],
    region: &str,
    api: Api,
) -> Option<&'a CoverageEntry> {
    coverage
        .iter()
        .find(|entry| entry.status.blocks() && entry.concerns(region, api))
}

/// The first entry that marks one resource's data of (region, API) as not collected, if any
/// (`gone` does not: the resource no longer exists).
pub(crate) fn blocking_resource_entry<'a>(
    coverage: &'a [CoverageEntry],
    region: &str,
    api: Api,
    resource: &str,
) -> Option<&'a CoverageEntry> {
    coverage.iter().find(|entry| {
        entry.status.blocks()
            && entry.status != CoverageStatus::Gone
            && entry.concerns_resource(region, api, resource)
    })
}

/// The resources of `region` that coverage records as deleted during the collection.
pub(crate) fn gone_resources<'a>(coverage: &'a [CoverageEntry], region: &str) -> BTreeSet<&'a str> {
    coverage
        .iter()
        .filter(|entry| entry.status == CoverageStatus::Gone && entry.region == region)
        .filter_map(|entry| entry.resource.as_deref())
        .collect()
}

/// Applies the per-resource entries of `region` to its loaded data: a secret deleted during
/// the collection (`gone`) is dropped everywhere, and a secret whose per-secret call failed
/// loses that call's data (coverage wins over files, as for whole APIs).
pub(crate) fn apply_resource_coverage(
    coverage: &[CoverageEntry],
    region: &str,
    data: &mut RegionData,
) {
    let gone = gone_resources(coverage, region);
    let blocked =
        |api: Api, arn: &str| blocking_resource_entry(coverage, region, api, arn).is_some();
    if let Some(secrets) = data.secrets.as_mut() {
        secrets.retain(|secret| !gone.contains(secret.arn.as_str()));
    }
    if let Some(described) = data.described.as_mut() {
        described.retain(|arn| !gone.contains(arn.as_str()) && !blocked(Api::DescribeSecret, arn));
    }
    if let Some(versions) = data.versions.as_mut() {
        versions.retain(|arn, _| {
            !gone.contains(arn.as_str()) && !blocked(Api::ListSecretVersionIds, arn)
        });
    }
    if let Some(policies) = data.resource_policies.as_mut() {
        policies
            .retain(|arn, _| !gone.contains(arn.as_str()) && !blocked(Api::GetResourcePolicy, arn));
    }
    if let Some(key_policies) = data.key_policies.as_mut() {
        key_policies.retain(|arn, _| !blocked(Api::GetKeyPolicy, arn));
    }
}

impl Snapshot {
    /// Whether the data of `api` for one resource (a secret or key ARN) in `region` was
    /// collected: the whole API's availability first, then the resource's own entry. Whether the
    /// resource's record is in the file is the caller's lookup.
    pub fn resource_availability(&self, region: &str, api: Api, resource: &str) -> Availability {
        let whole = self.availability(region, api);
        if !whole.is_collected() {
            return whole;
        }
        match blocking_resource_entry(&self.meta.coverage, region, api, resource) {
            Some(entry) => Availability::Missing {
                reason: coverage_reason(entry, region, api),
            },
            None => Availability::Collected,
        }
    }
}

/// The `Missing` reason for a blocking coverage entry.
pub(crate) fn coverage_reason(entry: &CoverageEntry, region: &str, api: Api) -> String {
    let mut place = if api.is_global() {
        String::new()
    } else {
        format!(" in `{region}`")
    };
    if let Some(resource) = &entry.resource {
        place = format!(" for `{resource}`{place}");
    }
    // Name the API as the entry wrote it (e.g. `organizations:DescribePolicy`), unless it is `*`.
    let name = if entry.api == "*" {
        api.as_str()
    } else {
        entry.api.as_str()
    };
    let mut reason = format!(
        "coverage: `{name}`{place} was {}",
        match entry.status {
            CoverageStatus::Ok => "ok",
            CoverageStatus::Denied => "denied",
            CoverageStatus::Throttled => "throttled",
            CoverageStatus::Error => "an error",
            CoverageStatus::Skipped => "skipped",
            CoverageStatus::Gone => "gone (deleted during the collection)",
        }
    );
    if let Some(message) = entry.message.as_deref().filter(|m| !m.is_empty()) {
        reason.push_str(": ");
        reason.push_str(message);
    }
    reason
}

pub(crate) fn read_coverage_entry(at: &JsonAt<'_>) -> Result<CoverageEntry, FieldError> {
    let status_at = at.required("status")?;
    let status_text = status_at.string()?;
    let status = CoverageStatus::parse(&status_text).ok_or_else(|| {
        status_at.error(format!(
            "unknown status `{status_text}`: expected `ok`, `denied`, `throttled`, `error`, `skipped` or `gone`"
        ))
    })?;
    Ok(CoverageEntry {
        region: at.required_string("region")?,
        api: at.required_string("api")?,
        resource: at.opt_string("resource")?,
        status,
        message: at.opt_string("message")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(region: &str, api: &str, status: CoverageStatus) -> CoverageEntry {
        CoverageEntry {
            region: region.into(),
            api: api.into(),
            resource: None,
            status,
            message: None,
        }
    }

    #[test]
    fn names_round_trip() {
        for api in Api::ALL {
            assert_eq!(Api::from_name(api.as_str()), Some(api));
        }
        assert_eq!(
            Api::from_name("SecretsManager:listsecrets"),
            Some(Api::ListSecrets)
        );
        assert_eq!(Api::from_name("secretsmanager:GetSecretValue"), None);
    }

    #[test]
    fn matching_table() {
        use CoverageStatus::*;
        let table = [
            (
                entry("us-east-1", "secretsmanager:ListSecrets", Denied),
                "us-east-1",
                Api::ListSecrets,
                true,
            ),
            (
                entry("us-east-1", "secretsmanager:ListSecrets", Denied),
                "eu-west-1",
                Api::ListSecrets,
                false,
            ),
            (
                entry("us-east-1", "secretsmanager:ListSecrets", Denied),
                "us-east-1",
                Api::DescribeSecret,
                false,
            ),
            (
                entry("us-east-1", "*", Skipped),
                "us-east-1",
                Api::LookupEvents,
                true,
            ),
            (
                entry("us-east-1", "secretsmanager:ListSecrets", Ok),
                "us-east-1",
                Api::ListSecrets,
                false,
            ),
            (
                entry("global", "iam:GetAccountAuthorizationDetails", Denied),
                "global",
                Api::GetAccountAuthorizationDetails,
                true,
            ),
            (
                entry("us-east-1", "iam:GetAccountAuthorizationDetails", Error),
                "global",
                Api::GetAccountAuthorizationDetails,
                true,
            ),
            (
                entry("global", "organizations:ListPoliciesForTarget", Denied),
                "global",
                Api::OrganizationsPolicies,
                true,
            ),
            (
                entry("global", "organizations:ListPoliciesForTarget", Denied),
                "global",
                Api::GetAccountAuthorizationDetails,
                false,
            ),
        ];
        for (entry, region, api, blocks) in table {
            let coverage = [entry];
            assert_eq!(
                blocking_entry(&coverage, region, api).is_some(),
                blocks,
                "{:?} {region} {api:?}",
                coverage[0]
            );
        }
    }
}
