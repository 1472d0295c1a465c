//! Live collection of account snapshots from AWS (feature `aws`): the only networked, async code
//! of secaudit. Credentials, profiles, SSO and AssumeRole come from the official SDK's
//! `aws-config`; the service calls go through one signed call on the SDK's runtime
//! ([`aws_api`], with the [`query`] and [`aws_json`] protocols) instead of the generated service
//! crates, which made most of a clean build. It reads Secrets Manager, IAM, RDS, KMS and
//! CloudTrail metadata, writes the snapshot directory of `docs/file-formats.md` in the AWS CLI v2
//! JSON shapes (so that `secaudit audit --snapshot` reads it exactly like a snapshot made with the
//! AWS CLI), and records in `coverage` every API it could not read. Calls are bounded per API and
//! per account-region, retried with the SDK runtime's standard backoff, and never abort the run.
//!
//! It must never read a secret value (no GetSecretValue, no BatchGetSecretValue: see
//! [`actions`]), never print (progress goes through [`Progress`]) and never read the wall clock
//! (the caller passes `now`).

pub mod actions;
pub mod aws_api;
pub mod aws_json;
pub mod cli_shape;
pub mod clients;
mod cloudtrail;
pub mod config_rule;
pub mod coverage;
pub mod diagnose;
pub mod https;
mod iam;
mod kms;
pub mod limits;
pub mod organization;
pub mod plan;
pub mod progress;
pub mod query;
mod rds;
mod region_run;
mod regions;
mod run;
mod secretsmanager;
mod single_secret;
pub mod writer;

use serde_json::Value;

pub use clients::SdkSettings;
pub use coverage::{CoverageEntry, CoverageStatus};
pub use organization::Organization;
pub use plan::{PlanError, Shard, parse_accounts_file, plan_accounts};
pub use progress::{NoProgress, Progress};
pub use run::{
    AccountResult, CollectError, CollectOptions, CollectReport, OrganizationSummary, Service,
    collect,
};

use coverage::CallFailure;

/// The next pagination token, or `None` at the end (no token, an empty one, or the same token
/// again, which would loop forever).
pub(crate) fn next_page_token(current: &Option<String>, next: Option<&str>) -> Option<String> {
    match next {
        Some(next) if !next.is_empty() && current.as_deref() != Some(next) => Some(next.to_owned()),
        _ => None,
    }
}

/// The files and coverage entries one part of a region's collection produced.
#[derive(Debug, Default)]
pub(crate) struct RegionFiles {
    pub(crate) region: String,
    /// Paths relative to the region directory (or to the account directory for `iam/`).
    pub(crate) files: Vec<(String, Value)>,
    pub(crate) coverage: Vec<CoverageEntry>,
}

impl RegionFiles {
    pub(crate) fn new(region: &str) -> RegionFiles {
        RegionFiles {
            region: region.to_owned(),
            ..RegionFiles::default()
        }
    }

    pub(crate) fn ok(&mut self, api: &str) {
        self.coverage.push(CoverageEntry::ok(&self.region, api));
    }

    pub(crate) fn ok_with(&mut self, api: &str, message: String) {
        let mut entry = CoverageEntry::ok(&self.region, api);
        entry.message = Some(message);
        self.coverage.push(entry);
    }

    pub(crate) fn failed(&mut self, api: &str, failure: &CallFailure) {
        self.coverage
            .push(CoverageEntry::failed(&self.region, api, failure));
    }

    pub(crate) fn skipped(&mut self, api: &str, why: &str) {
        self.coverage.push(CoverageEntry {
            region: self.region.clone(),
            api: api.to_owned(),
            resource: None,
            status: CoverageStatus::Skipped,
            message: Some(why.to_owned()),
        });
    }

    /// Records the outcome for one resource (a secret or key ARN) of `api`.
    pub(crate) fn resource(
        &mut self,
        api: &str,
        resource: &str,
        status: CoverageStatus,
        message: String,
    ) {
        self.coverage.push(CoverageEntry {
            region: self.region.clone(),
            api: api.to_owned(),
            resource: Some(resource.to_owned()),
            status,
            message: Some(message),
        });
    }

    pub(crate) fn write(&mut self, path: &str, value: Value) {
        self.files.push((path.to_owned(), value));
    }

    pub(crate) fn merge(&mut self, other: RegionFiles) {
        self.files.extend(other.files);
        self.coverage.extend(other.coverage);
    }

    /// Records the result of a call that produces one file.
    pub(crate) fn record(&mut self, api: &str, path: &str, result: Result<Value, CallFailure>) {
        match result {
            Ok(value) => {
                self.ok(api);
                self.write(path, value);
            }
            Err(failure) => self.failed(api, &failure),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pagination_ends_on_missing_empty_or_repeated_tokens() {
        assert_eq!(next_page_token(&None, Some("a")), Some("a".to_owned()));
        assert_eq!(
            next_page_token(&Some("a".into()), Some("b")),
            Some("b".to_owned())
        );
        assert_eq!(next_page_token(&Some("a".into()), Some("a")), None);
        assert_eq!(next_page_token(&None, Some("")), None);
        assert_eq!(next_page_token(&None, None), None);
    }
}
