//! The in-memory account snapshot: `Snapshot` (metadata, per-region data, IAM, Organizations)
//! and the read-only questions rules and the access analysis ask of it.
//!
//! `None` always means "not collected" (file missing, or `coverage` says the API was denied,
//! throttled, failed or skipped), never "empty": an empty list is a collected answer. This module
//! holds data and lookups; reading files is `load`, and judging is the rules' job.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use super::cloudtrail::TrailEvent;
use super::coverage::{Api, Availability, CoverageEntry, blocking_entry, coverage_reason};
use super::iam::IamAuthorizationDetails;
use super::kms::{KmsAlias, KmsKeyMetadata, resolve_kms_key};
use super::organizations::OrganizationPolicies;
use super::problem::LoadProblem;
use super::rds::{DbCluster, DbInstance};
use super::secrets::{ResourcePolicyState, Secret, SecretVersion};

/// `snapshot.json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SnapshotMeta {
    pub schema_version: u32,
    /// The audited account (12 digits).
    pub account_id: String,
    /// `aws`, `aws-cn`, `aws-us-gov`, …
    pub partition: String,
    /// "Now" for every rule.
    pub collected_at: DateTime<Utc>,
    /// The AWS Organizations id of the account's organization (`o-…`), when known: grants
    /// restricted to it by `aws:PrincipalOrgID` stay inside the organization.
    pub organization_id: Option<String>,
    /// The regions the snapshot covers, as listed in `snapshot.json`.
    pub regions: Vec<String>,
    pub coverage: Vec<CoverageEntry>,
}

/// The data of one region; each field is `None` when not collected.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RegionData {
    /// The secrets (list-secrets merged with describe-secret), sorted by ARN (`secret` relies on
    /// it).
    pub secrets: Option<Vec<Secret>>,
    /// ARNs of the secrets whose describe-secret output was read (`ReplicationStatus` is only
    /// known for those); `None` when describe-secret was not collected.
    pub described: Option<BTreeSet<String>>,
    /// Secret ARN → versions (list-secret-version-ids). A secret absent from the map was not
    /// collected.
    pub versions: Option<BTreeMap<String, Vec<SecretVersion>>>,
    /// Secret ARN → resource policy document (`None`: the secret has no policy). A secret absent
    /// from the map was not collected.
    pub resource_policies: Option<BTreeMap<String, Option<Value>>>,
    pub db_clusters: Option<Vec<DbCluster>>,
    pub db_instances: Option<Vec<DbInstance>>,
    pub kms_keys: Option<Vec<KmsKeyMetadata>>,
    pub kms_aliases: Option<Vec<KmsAlias>>,
    /// Key ARN → key policy document (get-key-policy). A key absent from the map was not
    /// collected; see `Snapshot::key_policy`.
    pub key_policies: Option<BTreeMap<String, Value>>,
    /// CloudTrail events, oldest first.
    pub cloudtrail_events: Option<Vec<TrailEvent>>,
}

impl RegionData {
    /// Whether the data of `api` is present in this region (global APIs: always false here).
    pub fn holds(&self, api: Api) -> bool {
        match api {
            Api::ListSecrets => self.secrets.is_some(),
            Api::DescribeSecret => self.described.is_some(),
            Api::ListSecretVersionIds => self.versions.is_some(),
            Api::GetResourcePolicy => self.resource_policies.is_some(),
            Api::DescribeDbClusters => self.db_clusters.is_some(),
            Api::DescribeDbInstances => self.db_instances.is_some(),
            Api::DescribeKey => self.kms_keys.is_some(),
            Api::ListAliases => self.kms_aliases.is_some(),
            Api::GetKeyPolicy => self.key_policies.is_some(),
            Api::LookupEvents => self.cloudtrail_events.is_some(),
            Api::GetAccountAuthorizationDetails | Api::OrganizationsPolicies => false,
        }
    }

    /// The secret with this ARN (a binary search: `secrets` is sorted by ARN).
    pub fn secret(&self, arn: &str) -> Option<&Secret> {
        let secrets = self.secrets.as_deref()?;
        // INVARIANT: the loader sorts `secrets` by ARN; data built by hand must be sorted too.
        secrets
            .binary_search_by(|secret| secret.arn.as_str().cmp(arn))
            .ok()
            .and_then(|index| secrets.get(index))
    }

    /// What is known of a secret's resource policy.
    pub fn resource_policy(&self, arn: &str) -> ResourcePolicyState<'_> {
        match self.resource_policies.as_ref().and_then(|map| map.get(arn)) {
            None => ResourcePolicyState::NotCollected,
            Some(None) => ResourcePolicyState::NoPolicy,
            Some(Some(document)) => ResourcePolicyState::Policy(document),
        }
    }

    /// The versions of a secret, `None` when not collected for it.
    pub fn versions_of(&self, arn: &str) -> Option<&[SecretVersion]> {
        self.versions.as_ref()?.get(arn).map(Vec::as_slice)
    }

    /// Resolves a `KmsKeyId` (key id, key ARN, alias name or alias ARN) to the key's metadata,
    /// `None` when this region's describe-key / list-aliases data does not know it.
    pub fn resolve_kms_key(&self, reference: &str) -> Option<&KmsKeyMetadata> {
        let keys = self.kms_keys.as_deref().unwrap_or_default();
        let aliases = self.kms_aliases.as_deref().unwrap_or_default();
        resolve_kms_key(keys, aliases, reference)
    }
}

/// An account snapshot, as read from a snapshot directory.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Snapshot {
    pub meta: SnapshotMeta,
    /// Region name → data, for every region of `snapshot.json` and every region directory.
    pub regions: BTreeMap<String, RegionData>,
    /// `None` when not collected.
    pub iam: Option<IamAuthorizationDetails>,
    /// `None` when not collected (the file is optional: an account outside Organizations has
    /// none).
    pub organizations: Option<OrganizationPolicies>,
    /// Bad records and unreadable files the loader skipped (`LoadMode::Tolerant`), in file
    /// order: rules report what they touch as INSUFFICIENT_DATA.
    pub problems: Vec<LoadProblem>,
}

impl Snapshot {
    /// The data of a region, if the snapshot covers it.
    pub fn region(&self, region: &str) -> Option<&RegionData> {
        self.regions.get(region)
    }

    /// Every secret of every region, as (region, secret), regions in name order and secrets by
    /// ARN.
    pub fn secrets(&self) -> impl Iterator<Item = (&str, &Secret)> {
        self.regions.iter().flat_map(|(region, data)| {
            data.secrets
                .iter()
                .flatten()
                .map(move |secret| (region.as_str(), secret))
        })
    }

    /// The secret with this ARN and its region.
    pub fn find_secret(&self, arn: &str) -> Option<(&str, &Secret)> {
        self.regions
            .iter()
            .find_map(|(region, data)| data.secret(arn).map(|secret| (region.as_str(), secret)))
    }

    /// Whether the data of `api` in `region` is in the snapshot (for global APIs the region is
    /// ignored). Coverage entries that are not `ok` win over files.
    pub fn availability(&self, region: &str, api: Api) -> Availability {
        if let Some(entry) = blocking_entry(&self.meta.coverage, region, api) {
            return Availability::Missing {
                reason: coverage_reason(entry, region, api),
            };
        }
        let present = match api {
            Api::GetAccountAuthorizationDetails => self.iam.is_some(),
            Api::OrganizationsPolicies => self.organizations.is_some(),
            _ => self.regions.get(region).is_some_and(|data| data.holds(api)),
        };
        if present {
            Availability::Collected
        } else if let Some(problem) = self.problems.iter().find(|problem| {
            problem.is_whole_file()
                && problem.api == api
                && (api.is_global() || problem.region == region)
        }) {
            Availability::Missing {
                reason: format!("unreadable: {problem}"),
            }
        } else if !api.is_global() && !self.regions.contains_key(region) {
            Availability::Missing {
                reason: format!("region `{region}` is not in the snapshot"),
            }
        } else {
            Availability::Missing {
                reason: format!(
                    "not collected: `{}` is missing from the snapshot",
                    api.relative_path(region)
                ),
            }
        }
    }

    /// The problems of the loader that may change a judgement of the resource (type, id) in
    /// `region` by a rule that reads the data of `reads`.
    pub fn problems_touching<'a>(
        &'a self,
        reads: &'a [Api],
        resource_type: &'a str,
        id: &'a str,
        region: &'a str,
    ) -> impl Iterator<Item = &'a LoadProblem> + 'a {
        self.problems.iter().filter(move |problem| {
            reads.contains(&problem.api) && problem.touches(resource_type, id, region)
        })
    }

    /// `availability` by API name (`service:Operation`); an unknown name is missing.
    pub fn availability_by_name(&self, region: &str, api: &str) -> Availability {
        match Api::from_name(api) {
            Some(api) => self.availability(region, api),
            None => Availability::Missing {
                reason: format!("`{api}` is not an API the snapshot holds"),
            },
        }
    }
}
