//! What a rule function sees and returns: `RuleContext` (the snapshot, the effective
//! parameters, "now") and `Verdict` (one resource's compliance, annotation, detail and
//! evidence), plus the walk over secrets that applies the general semantics of `docs/rules.md` once for
//! every rule: regions whose secrets were not collected give INSUFFICIENT_DATA, replicas and
//! secrets pending deletion are NOT_APPLICABLE unless the rule says otherwise.
//!
//! Rule functions are pure reads of this context; the runner (`run`) turns verdicts into
//! findings. Nothing here reads the clock or the file system.
//!
//! The rules that ask access questions (`secret-broad-readers`, `policy-not-public`,
//! `policy-cross-account`) share one `AccessModel` of the snapshot (`SharedAccess`), built on
//! first use and at most once per audit.

use std::sync::OnceLock;

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use serde_json::{Map, Value};

use super::error::RuleError;
use super::meta::RuleMeta;
use super::params::Params;
use crate::access::{AccessModel, AccessModelBuilder};
use crate::findings::{ComplianceType, ResourceRef, Severity};
use crate::snapshot::{Api, Availability, RegionData, Secret, Snapshot};

/// The resource type of account-level findings (Config's).
pub(crate) const ACCOUNT_RESOURCE_TYPE: &str = "AWS::::Account";

/// The inputs of one rule run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RuleContext<'a> {
    pub snapshot: &'a Snapshot,
    pub params: &'a Params,
    /// The evaluation instant (the snapshot's `collected_at` unless overridden).
    pub now: DateTime<Utc>,
    pub meta: &'a RuleMeta,
    /// The snapshot's access model, shared by every rule of the run.
    pub access: &'a SharedAccess,
}

/// The access model of one snapshot, built on first use and then shared by every rule of the
/// run that asks who can do what (one model per audit, not one per rule).
#[derive(Debug, Default)]
pub(crate) struct SharedAccess {
    model: OnceLock<AccessModel>,
}

impl SharedAccess {
    /// The model of `snapshot`: its secrets, keys, resource policies and RCPs, and the
    /// account's own principals when the snapshot has IAM data. `snapshot` must be the one of
    /// the run (the first call builds the model from it).
    pub fn model(&self, snapshot: &Snapshot) -> &AccessModel {
        self.model.get_or_init(|| {
            let mut builder = AccessModelBuilder::new();
            builder.add(snapshot);
            builder.finish()
        })
    }
}

/// One resource's verdict, before the runner adds the rule's id, severity and mappings.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Verdict {
    pub resource: ResourceRef,
    pub compliance: ComplianceType,
    /// Names the branch taken with the measured value and the limit; clipped by the runner.
    pub annotation: String,
    /// The full reason; the annotation when not set.
    pub detail: Option<String>,
    pub evidence: Map<String, Value>,
    /// Overrides the rule's severity for this finding.
    pub severity: Option<Severity>,
}

impl Verdict {
    pub fn new(
        resource: ResourceRef,
        compliance: ComplianceType,
        annotation: impl Into<String>,
    ) -> Verdict {
        Verdict {
            resource,
            compliance,
            annotation: annotation.into(),
            detail: None,
            evidence: Map::new(),
            severity: None,
        }
    }

    /// Sets the full reason.
    pub fn detail(mut self, detail: impl Into<String>) -> Verdict {
        self.detail = Some(detail.into());
        self
    }

    /// Adds a measured value or related resource to the evidence.
    pub fn evidence(mut self, key: &str, value: impl Into<Value>) -> Verdict {
        self.evidence.insert(key.to_string(), value.into());
        self
    }

    /// Overrides the rule's severity.
    pub fn severity(mut self, severity: Severity) -> Verdict {
        self.severity = Some(severity);
        self
    }
}

/// How a secret walk treats a class of secrets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Treatment {
    /// NOT_APPLICABLE, with the reason in the annotation.
    NotApplicable,
    /// Handed to the rule like any other secret.
    Judge,
}

/// Which secrets a rule judges itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Scope {
    pub replicas: Treatment,
    pub pending_deletion: Treatment,
}

impl Scope {
    /// The general semantics: replicas and secrets pending deletion are NOT_APPLICABLE.
    pub const PRIMARIES_IN_USE: Scope = Scope {
        replicas: Treatment::NotApplicable,
        pending_deletion: Treatment::NotApplicable,
    };
}

/// A secret handed to a rule, with its region's data and its resource reference.
#[derive(Debug, Clone)]
pub(crate) struct SecretSubject<'a> {
    pub region: &'a str,
    pub secret: &'a Secret,
    pub data: &'a RegionData,
    pub resource: ResourceRef,
}

impl SecretSubject<'_> {
    pub fn verdict(&self, compliance: ComplianceType, annotation: impl Into<String>) -> Verdict {
        Verdict::new(self.resource.clone(), compliance, annotation)
    }
    pub fn compliant(&self, annotation: impl Into<String>) -> Verdict {
        self.verdict(ComplianceType::Compliant, annotation)
    }
    pub fn non_compliant(&self, annotation: impl Into<String>) -> Verdict {
        self.verdict(ComplianceType::NonCompliant, annotation)
    }
    pub fn not_applicable(&self, annotation: impl Into<String>) -> Verdict {
        self.verdict(ComplianceType::NotApplicable, annotation)
    }
    pub fn insufficient(&self, annotation: impl Into<String>) -> Verdict {
        self.verdict(ComplianceType::InsufficientData, annotation)
    }
}

impl<'a> RuleContext<'a> {
    /// The snapshot's access model, built on the first call of the run (`SharedAccess`).
    pub fn access_model(&self) -> &'a AccessModel {
        self.access.model(self.snapshot)
    }

    /// The audited account.
    pub fn account_id(&self) -> &'a str {
        &self.snapshot.meta.account_id
    }

    /// `None` when `api` was collected in `region`, else why not.
    pub fn missing(&self, region: &str, api: Api) -> Option<String> {
        match self.snapshot.availability(region, api) {
            Availability::Collected => None,
            Availability::Missing { reason } => Some(reason),
        }
    }

    /// `None` when `api` was collected for the subject's secret, else why not: the whole API in
    /// its region, or the secret's own coverage entry (a per-secret call that failed).
    pub fn missing_for(&self, subject: &SecretSubject<'_>, api: Api) -> Option<String> {
        match self
            .snapshot
            .resource_availability(subject.region, api, &subject.secret.arn)
        {
            Availability::Collected => None,
            Availability::Missing { reason } => Some(reason),
        }
    }

    /// The resource reference of a secret.
    pub fn secret_resource(&self, region: &str, secret: &Secret) -> ResourceRef {
        ResourceRef {
            resource_type: self.meta.resource_type.clone(),
            id: secret.arn.clone(),
            name: secret.name.clone(),
            account_id: secret.account_id().unwrap_or(self.account_id()).to_string(),
            region: region.to_string(),
        }
    }

    /// The account-level resource of a region (for "nothing could be read here").
    pub fn region_resource(&self, region: &str) -> ResourceRef {
        ResourceRef {
            resource_type: ACCOUNT_RESOURCE_TYPE.to_string(),
            id: self.account_id().to_string(),
            name: format!("secrets in {region}"),
            account_id: self.account_id().to_string(),
            region: region.to_string(),
        }
    }

    /// Walks every secret of the snapshot: a region whose `list-secrets` was not collected gives
    /// one INSUFFICIENT_DATA verdict for the region; replicas and secrets pending deletion get
    /// NOT_APPLICABLE unless `scope` says to judge them; every other secret goes to `judge`.
    pub fn each_secret(
        &self,
        scope: Scope,
        mut judge: impl FnMut(&SecretSubject<'a>) -> Result<Verdict, RuleError>,
    ) -> Result<Vec<Verdict>, RuleError> {
        let mut verdicts = Vec::new();
        for (region, data) in &self.snapshot.regions {
            let Some(secrets) = data.secrets.as_deref() else {
                let reason = self
                    .missing(region, Api::ListSecrets)
                    .unwrap_or_else(|| "not collected".to_string());
                verdicts.push(Verdict::new(
                    self.region_resource(region),
                    ComplianceType::InsufficientData,
                    format!("secrets of `{region}` not collected: {reason}"),
                ));
                continue;
            };
            for secret in secrets {
                let subject = SecretSubject {
                    region,
                    secret,
                    data,
                    resource: self.secret_resource(region, secret),
                };
                if scope.replicas == Treatment::NotApplicable && secret.is_replica() {
                    verdicts.push(replica_verdict(&subject));
                } else if scope.pending_deletion == Treatment::NotApplicable
                    && let Some(deleted) = secret.deleted_date
                {
                    verdicts.push(
                        subject
                            .not_applicable(format!("pending deletion since {}", day(deleted)))
                            .evidence("deleted_date", instant(deleted)),
                    );
                } else {
                    verdicts.push(judge(&subject)?);
                }
            }
        }
        Ok(verdicts)
    }
}

/// The NOT_APPLICABLE verdict of a replica, naming its primary.
pub(crate) fn replica_verdict(subject: &SecretSubject<'_>) -> Verdict {
    let primary = primary_arn(subject.secret);
    subject
        .not_applicable(format!("replica of `{primary}`: the primary is judged"))
        .evidence("primary_arn", primary)
}

/// The primary's ARN of a replica: its own ARN with the primary region.
pub(crate) fn primary_arn(secret: &Secret) -> String {
    match secret.primary_region.as_deref() {
        Some(primary) => arn_in_region(&secret.arn, primary),
        None => secret.arn.clone(),
    }
}

/// The secret's ARN as it would be in `region` (a replica's ARN keeps the name and suffix).
pub(crate) fn arn_in_region(arn: &str, region: &str) -> String {
    let mut parts: Vec<&str> = arn.splitn(5, ':').collect();
    if let Some(slot) = parts.get_mut(3) {
        *slot = region;
    }
    parts.join(":")
}

/// The start of a look-back window of `days` days ending at `now` (the beginning of time when
/// the window reaches past it).
pub(crate) fn days_before(now: DateTime<Utc>, days: i64) -> DateTime<Utc> {
    TimeDelta::try_days(days)
        .and_then(|delta| now.checked_sub_signed(delta))
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// `now` minus `hours` hours (the beginning of time when that reaches past it).
pub(crate) fn hours_before(now: DateTime<Utc>, hours: i64) -> DateTime<Utc> {
    TimeDelta::try_hours(hours)
        .and_then(|delta| now.checked_sub_signed(delta))
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// An instant as RFC 3339 UTC with seconds, for evidence and details.
pub(crate) fn instant(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A date (`2026-11-01`), for annotations.
pub(crate) fn day(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%d").to_string()
}

/// `1 day`, `12 days`.
pub(crate) fn days(count: i64) -> String {
    if count == 1 {
        "1 day".to_string()
    } else {
        format!("{count} days")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replica_arns_keep_name_and_suffix() {
        let replica = Secret {
            arn: "arn:aws:secretsmanager:eu-west-1:111111111111:secret:prod/db-AbCdEf".into(),
            primary_region: Some("us-east-1".into()),
            ..Secret::default()
        };
        assert_eq!(
            primary_arn(&replica),
            "arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/db-AbCdEf"
        );
        let primary = Secret {
            arn: "arn:aws:secretsmanager:us-east-1:111111111111:secret:a:b-AbCdEf".into(),
            ..Secret::default()
        };
        assert_eq!(primary_arn(&primary), primary.arn);
        assert_eq!(
            arn_in_region(&primary.arn, "ap-south-1"),
            "arn:aws:secretsmanager:ap-south-1:111111111111:secret:a:b-AbCdEf"
        );
    }

    #[test]
    fn dates_and_counts_read_naturally() {
        let time: DateTime<Utc> = "2026-11-01T05:06:07Z".parse().unwrap();
        assert_eq!(instant(time), "2026-11-01T05:06:07Z");
        assert_eq!(day(time), "2026-11-01");
        assert_eq!(days(1), "1 day");
        assert_eq!(days(0), "0 days");
    }
}
