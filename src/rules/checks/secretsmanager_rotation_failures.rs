//! `secretsmanager-rotation-failures`: from the CloudTrail `RotationFailed`, `RotationAbandoned`
//! and `RotationSucceeded` events of a secret within `lookbackDays`, a failure with no later
//! success fails the secret. CloudTrail not collected in the secret's region: INSUFFICIENT_DATA.
//! A secret with rotation off and no rotation events is NOT_APPLICABLE.

use crate::rules::context::{RuleContext, Scope, Verdict, days, days_before, instant};
use crate::rules::error::RuleError;
use crate::rules::rotation_events::{RotationHistory, quoted_error};
use crate::snapshot::Api;

pub(crate) fn check(context: &RuleContext<'_>) -> Result<Vec<Verdict>, RuleError> {
    let lookback = context.params.integer("lookbackDays")?.unwrap_or(7);
    let now = context.now;
    let since = days_before(now, lookback);
    context.each_secret(Scope::PRIMARIES_IN_USE, |subject| {
        let events = match (
            context.missing(subject.region, Api::LookupEvents),
            subject.data.cloudtrail_events.as_deref(),
        ) {
            (None, Some(events)) => events,
            (reason, _) => {
                return Ok(subject.insufficient(format!(
                    "CloudTrail events not collected: {}",
                    reason.unwrap_or_else(|| "no events file".to_string())
                )));
            }
        };
        let history = RotationHistory::of(events, subject.secret, since, now);
        let window = format!("the last {}", days(lookback));
        let verdict = if let Some(failure) = history.unresolved_failure() {
            subject
                .non_compliant(format!(
                    "{} at {} with no later RotationSucceeded{}",
                    failure.event_name,
                    instant(failure.event_time),
                    quoted_error(failure)
                ))
                .evidence("failed_event_time", instant(failure.event_time))
                .evidence("failed_event_name", failure.event_name.clone())
                .evidence("error_message", failure.error_message.clone())
        } else if history.events.is_empty() {
            if subject.secret.rotation_is_enabled() {
                subject.compliant(format!("no rotation events in {window}"))
            } else {
                subject.not_applicable(format!(
                    "rotation is not enabled and no rotation events in {window}"
                ))
            }
        } else if let Some(success) = history.latest_success() {
            let failures = history.failure_count();
            subject
                .compliant(if failures == 0 {
                    format!("rotation succeeded at {}", instant(success.event_time))
                } else {
                    format!(
                        "{failures} failure(s) in {window}, followed by RotationSucceeded at {}",
                        instant(success.event_time)
                    )
                })
                .evidence("succeeded_event_time", instant(success.event_time))
        } else {
            subject.compliant(format!("no unresolved rotation failure in {window}"))
        };
        Ok(verdict
            .evidence("rotation_events", history.events.len())
            .evidence("lookback_days", lookback))
    })
}
