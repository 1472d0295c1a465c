//! `secretsmanager-credential-lifetime`: credentials stay valid until the next rotation, and
//! with the alternating-users strategy (a rotation function whose name contains `MultiUser`) the
//! previous user stays valid one more cycle. With `maxCredentialLifetimeDays` = L, a secret fails
//! when its rotation interval exceeds L − 1 days (single user), or twice the interval exceeds
//! L − 2 days (alternating users), or its rotation is off (credentials that never expire). The
//! rule reports NOT_APPLICABLE "not configured" for every secret while L is unset.

use chrono::TimeDelta;

use crate::rules::context::{RuleContext, Scope, Verdict};
use crate::rules::error::RuleError;
use crate::rules::rotation_interval::rotation_interval;
use crate::rules::schedule::describe_duration;

pub(crate) fn check(context: &RuleContext<'_>) -> Result<Vec<Verdict>, RuleError> {
    let Some(limit_days) = context.params.integer("maxCredentialLifetimeDays")? else {
        return context.each_secret(Scope::PRIMARIES_IN_USE, |subject| {
            Ok(subject.not_applicable("not configured: set maxCredentialLifetimeDays"))
        });
    };
    context.each_secret(Scope::PRIMARIES_IN_USE, |subject| {
        let secret = subject.secret;
        if !secret.rotation_is_enabled() {
            return Ok(subject
                .non_compliant(format!(
                    "rotation is not enabled: credentials never expire > {limit_days} days"
                ))
                .evidence("max_credential_lifetime_days", limit_days));
        }
        let interval = match secret.rotation_rules.as_ref() {
            None => Ok(None),
            Some(rules) => rotation_interval(rules, context.now),
        };
        let interval = match interval {
            Err(reason) => {
                return Ok(subject.insufficient(format!(
                    "rotation interval cannot be read: {reason}"
                )));
            }
            Ok(None) => {
                return Ok(subject.insufficient(
                    "rotation enabled without RotationRules: the credential lifetime is unknown",
                ));
            }
            Ok(Some(interval)) => interval,
        };
        let alternating = secret
            .rotation_lambda_arn
            .as_deref()
            .map(|arn| arn.rsplit(':').next().unwrap_or(arn))
            .is_some_and(|function| function.to_ascii_lowercase().contains("multiuser"));
        let (lifetime, margin) = if alternating {
            (interval.gap.checked_mul(2).unwrap_or(TimeDelta::MAX), 2)
        } else {
            (interval.gap, 1)
        };
        let budget = TimeDelta::try_days(limit_days - margin).unwrap_or(TimeDelta::MAX);
        let over = lifetime > budget;
        let operator = if over { ">" } else { "<=" };
        let measured = if alternating {
            format!(
                "alternating users (MultiUser): 2 × {} = {}",
                describe_duration(interval.gap),
                describe_duration(lifetime)
            )
        } else {
            format!("single user: interval {}", describe_duration(interval.gap))
        };
        let text = format!(
            "{measured} {operator} {limit_days} − {margin} = {} days",
            limit_days - margin
        );
        let verdict = if over {
            subject.non_compliant(text.clone())
        } else {
            subject.compliant(text.clone())
        };
        Ok(verdict
            .detail(format!(
                "rotation every {}; {text}: credentials stay valid until the next rotation, and one cycle longer with alternating users",
                interval.describe()
            ))
            .evidence("schedule", interval.source.clone())
            .evidence("interval_days", interval.gap_days())
            .evidence("alternating_users", alternating)
            .evidence("max_credential_lifetime_days", limit_days))
    })
}
