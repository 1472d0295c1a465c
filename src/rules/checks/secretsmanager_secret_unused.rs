//! `secretsmanager-secret-unused`: the last access must be at most `unusedForDays` whole days
//! ago (`LastAccessedDate` is a UTC date). With `aggregateReplicas` the last access is the latest
//! over the primary, its `ReplicationStatus[].LastAccessedDate` and the replicas the snapshot
//! lists in other regions; a secret that would fail while its replicas' accesses are unknown
//! (describe-secret not collected) is INSUFFICIENT_DATA. A secret never accessed is judged on
//! its age from `CreatedDate`, or fails when `neverAccessed` is `fail`.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

use crate::rules::context::{RuleContext, Scope, Verdict, arn_in_region, day, days, instant};
use crate::rules::error::RuleError;
use crate::snapshot::Api;

pub(crate) fn check(context: &RuleContext<'_>) -> Result<Vec<Verdict>, RuleError> {
    let max_days = context.params.integer("unusedForDays")?.unwrap_or(90);
    let aggregate = context.params.boolean("aggregateReplicas")?;
    let fail_never = context.params.string("neverAccessed")? == Some("fail");
    let today = context.now.date_naive();
    let whole_days = |date: NaiveDate| (today - date).num_days();
    // Every secret's last access by ARN, to find replicas in other regions without a scan per
    // secret.
    let accessed: HashMap<&str, DateTime<Utc>> = context
        .snapshot
        .secrets()
        .filter_map(|(_, secret)| Some((secret.arn.as_str(), secret.last_accessed_date?)))
        .collect();
    context.each_secret(Scope::PRIMARIES_IN_USE, |subject| {
        let secret = subject.secret;
        let mut accesses: Vec<(DateTime<Utc>, String)> = Vec::new();
        if let Some(date) = secret.last_accessed_date {
            accesses.push((date, subject.region.to_string()));
        }
        // Replica accesses are unknown when describe-secret did not cover the secret.
        let mut replicas_unknown = None;
        if aggregate {
            for replica in &secret.replication_status {
                if let Some(date) = replica.last_accessed_date {
                    accesses.push((date, replica.region.clone()));
                }
            }
            for region in context.snapshot.regions.keys() {
                if region == subject.region {
                    continue;
                }
                let replica_arn = arn_in_region(&secret.arn, region);
                if let Some(date) = accessed.get(replica_arn.as_str()) {
                    accesses.push((*date, region.clone()));
                }
            }
            let described = subject
                .data
                .described
                .as_ref()
                .is_some_and(|described| described.contains(&secret.arn));
            if !described {
                replicas_unknown = Some(
                    context
                        .missing_for(subject, Api::DescribeSecret)
                        .unwrap_or_else(|| {
                            "describe-secret output has no entry for this secret".to_string()
                        }),
                );
            }
        }
        accesses.sort();
        let last = accesses.last().cloned();
        let limit = max_days.to_string();
        let verdict = match &last {
            Some((date, region)) => {
                let age = whole_days(date.date_naive());
                let place = if region == subject.region {
                    String::new()
                } else {
                    format!(" in replica region `{region}`")
                };
                let text = format!("last accessed {}{place} ({} ago)", day(*date), days(age));
                if age <= max_days {
                    subject.compliant(format!("{text} <= {limit}"))
                } else if let Some(reason) = &replicas_unknown {
                    subject.insufficient(format!(
                        "{text} > {limit}, but replica accesses are unknown: {reason}"
                    ))
                } else {
                    subject.non_compliant(format!("{text} > {limit}"))
                }
                .evidence("last_accessed", instant(*date))
                .evidence("days_since_access", age)
            }
            None if fail_never => match &replicas_unknown {
                Some(reason) => subject.insufficient(format!(
                    "never accessed (neverAccessed is `fail`), but replica accesses are unknown: {reason}"
                )),
                None => subject.non_compliant("never accessed (neverAccessed is `fail`)"),
            },
            None => match secret.created_date {
                None => subject.insufficient("never accessed and no CreatedDate to age it from"),
                Some(created) => {
                    let age = whole_days(created.date_naive());
                    let text = format!("never accessed; age {} from creation", days(age));
                    if age <= max_days {
                        subject.compliant(format!("{text} <= {limit}"))
                    } else if let Some(reason) = &replicas_unknown {
                        subject.insufficient(format!(
                            "{text} > {limit}, but replica accesses are unknown: {reason}"
                        ))
                    } else {
                        subject.non_compliant(format!("{text} > {limit}"))
                    }
                    .evidence("created_date", instant(created))
                    .evidence("days_since_creation", age)
                }
            },
        };
        Ok(verdict.evidence("unused_for_days", max_days))
    })
}
