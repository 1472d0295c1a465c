//! `secretsmanager-managed-secret-impaired`: the `SecretStatus` of the master user secrets RDS
//! and Aurora manage, from describe-db-clusters / describe-db-instances `MasterUserSecret`.
//! `impaired` fails (usable, but RDS cannot rotate it); `active`, `creating` and `rotating`
//! pass. The finding is on the secret ARN, with the DB cluster or instance as related resource.
//! Secrets that no DB names and that RDS does not own are NOT_APPLICABLE.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;

use crate::findings::{ComplianceType, ResourceRef};
use crate::rules::context::{RuleContext, Scope, Verdict};
use crate::rules::error::RuleError;
use crate::snapshot::Api;

/// A DB that names a secret as its master user secret.
#[derive(Debug, Clone)]
struct ManagedBy {
    region: String,
    /// `DBCluster` or `DBInstance`.
    kind: &'static str,
    identifier: String,
    arn: Option<String>,
    status: Option<String>,
}

pub(crate) fn check(context: &RuleContext<'_>) -> Result<Vec<Verdict>, RuleError> {
    let managed = managing_databases(context);
    let listed: BTreeSet<&str> = context
        .snapshot
        .secrets()
        .map(|(_, secret)| secret.arn.as_str())
        .collect();
    let mut verdicts = context.each_secret(Scope::PRIMARIES_IN_USE, |subject| {
        let arn = &subject.secret.arn;
        if let Some(databases) = managed.get(arn) {
            return Ok(judge(subject.resource.clone(), databases));
        }
        if subject.secret.owning_service.as_deref() != Some("rds") {
            return Ok(subject.not_applicable("not a master user secret managed by RDS"));
        }
        let reason = [Api::DescribeDbClusters, Api::DescribeDbInstances]
            .into_iter()
            .find_map(|api| context.missing(subject.region, api));
        Ok(subject.insufficient(match reason {
            Some(reason) => format!("owned by `rds`; DB data not collected: {reason}"),
            None => "owned by `rds`, but no DB cluster or instance in the snapshot names it as MasterUserSecret".to_string(),
        }))
    })?;
    // Secrets the DBs name that the secret lists do not hold (not collected, or listed in
    // another region): still judged on what RDS reports.
    for (arn, databases) in &managed {
        if listed.contains(arn.as_str()) {
            continue;
        }
        let region = databases
            .first()
            .map(|db| db.region.clone())
            .unwrap_or_default();
        let resource = ResourceRef {
            resource_type: context.meta.resource_type.clone(),
            id: arn.clone(),
            name: name_from_arn(arn),
            account_id: crate::arn::account_of(arn)
                .unwrap_or(context.account_id())
                .to_string(),
            region,
        };
        verdicts.push(judge(resource, databases));
    }
    Ok(verdicts)
}

/// Secret ARN → the DBs that name it, in region and identifier order.
fn managing_databases(context: &RuleContext<'_>) -> BTreeMap<String, Vec<ManagedBy>> {
    let mut managed: BTreeMap<String, Vec<ManagedBy>> = BTreeMap::new();
    for (region, data) in &context.snapshot.regions {
        for cluster in data.db_clusters.iter().flatten() {
            if let Some(secret) = &cluster.master_user_secret {
                managed
                    .entry(secret.secret_arn.clone())
                    .or_default()
                    .push(ManagedBy {
                        region: region.clone(),
                        kind: "DBCluster",
                        identifier: cluster.identifier.clone(),
                        arn: cluster.arn.clone(),
                        status: secret.secret_status.clone(),
                    });
            }
        }
        for instance in data.db_instances.iter().flatten() {
            if let Some(secret) = &instance.master_user_secret {
                managed
                    .entry(secret.secret_arn.clone())
                    .or_default()
                    .push(ManagedBy {
                        region: region.clone(),
                        kind: "DBInstance",
                        identifier: instance.identifier.clone(),
                        arn: instance.arn.clone(),
                        status: secret.secret_status.clone(),
                    });
            }
        }
    }
    managed
}

fn judge(resource: ResourceRef, databases: &[ManagedBy]) -> Verdict {
    let rank = |db: &ManagedBy| match db.status.as_deref().map(str::to_ascii_lowercase).as_deref() {
        Some("impaired") => 0,
        Some("active" | "creating" | "rotating") => 2,
        _ => 1,
    };
    let related = json!(
        databases
            .iter()
            .map(|db| json!({
                "type": db.kind,
                "identifier": db.identifier,
                "arn": db.arn,
                "secret_status": db.status,
            }))
            .collect::<Vec<_>>()
    );
    // INVARIANT: `databases` is never empty (built from at least one DB).
    let Some(worst) = databases.iter().min_by_key(|db| rank(db)) else {
        return Verdict::new(
            resource,
            ComplianceType::InsufficientData,
            "no DB names this secret",
        );
    };
    let status = worst.status.as_deref().unwrap_or("(none)");
    let who = format!("{} `{}`", worst.kind, worst.identifier);
    let (compliance, annotation) = match rank(worst) {
        0 => (
            ComplianceType::NonCompliant,
            format!(
                "SecretStatus `impaired` for {who}: usable but cannot rotate; fix RDS's permission or KMS key access, or turn the managed password off and on"
            ),
        ),
        2 => (
            ComplianceType::Compliant,
            format!("SecretStatus `{status}` for {who}"),
        ),
        _ => (
            ComplianceType::InsufficientData,
            format!("SecretStatus `{status}` for {who} is not a known status"),
        ),
    };
    Verdict::new(resource, compliance, annotation)
        .evidence("secret_status", worst.status.clone())
        .evidence("related_resources", related)
}

/// `prod/db` from `arn:…:secret:prod/db-AbCdEf`.
fn name_from_arn(arn: &str) -> String {
    let id = arn.split_once(":secret:").map_or(arn, |(_, id)| id);
    match id.rsplit_once('-') {
        Some((name, suffix)) if suffix.len() == 6 => name.to_string(),
        _ => id.to_string(),
    }
}
