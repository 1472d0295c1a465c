//! `secretsmanager-replication-healthy`: a primary secret whose `ReplicationStatus` (from
//! describe-secret) has a replica in status `Failed` fails, quoting its `StatusMessage`.
//! Replicas are NOT_APPLICABLE with their primary's ARN; a secret describe-secret did not cover
//! is INSUFFICIENT_DATA (list-secrets does not return `ReplicationStatus`).

use serde_json::json;

use crate::rules::context::{RuleContext, Scope, Verdict};
use crate::rules::error::RuleError;
use crate::snapshot::Api;

pub(crate) fn check(context: &RuleContext<'_>) -> Result<Vec<Verdict>, RuleError> {
    context.each_secret(Scope::PRIMARIES_IN_USE, |subject| {
        let described = subject
            .data
            .described
            .as_ref()
            .map(|described| described.contains(&subject.secret.arn));
        match described {
            None => {
                let reason = context
                    .missing_for(subject, Api::DescribeSecret)
                    .unwrap_or_else(|| "describe-secret not collected".to_string());
                return Ok(subject.insufficient(format!(
                    "replication status unknown: {reason}"
                )));
            }
            Some(false) => {
                return Ok(subject.insufficient(
                    "replication status unknown: describe-secret output has no entry for this secret",
                ));
            }
            Some(true) => {}
        }
        let replicas = &subject.secret.replication_status;
        let evidence = json!(
            replicas
                .iter()
                .map(|replica| json!({
                    "region": replica.region,
                    "status": replica.status,
                    "status_message": replica.status_message,
                }))
                .collect::<Vec<_>>()
        );
        if replicas.is_empty() {
            return Ok(subject
                .not_applicable("not replicated (no ReplicationStatus)")
                .evidence("replicas", evidence));
        }
        let failed: Vec<String> = replicas
            .iter()
            .filter(|replica| replica.status.as_deref() == Some("Failed"))
            .map(|replica| match replica.status_message.as_deref() {
                Some(message) if !message.is_empty() => {
                    format!("`{}` Failed: `{message}`", replica.region)
                }
                _ => format!("`{}` Failed", replica.region),
            })
            .collect();
        let verdict = if failed.is_empty() {
            let statuses: Vec<String> = replicas
                .iter()
                .map(|replica| {
                    format!(
                        "`{}` {}",
                        replica.region,
                        replica.status.as_deref().unwrap_or("(no status)")
                    )
                })
                .collect();
            subject.compliant(format!(
                "{} replica(s), none Failed: {}",
                replicas.len(),
                statuses.join(", ")
            ))
        } else {
            subject.non_compliant(format!(
                "{} of {} replica(s) Failed: {}",
                failed.len(),
                replicas.len(),
                failed.join("; ")
            ))
        };
        Ok(verdict.evidence("replicas", evidence))
    })
}
