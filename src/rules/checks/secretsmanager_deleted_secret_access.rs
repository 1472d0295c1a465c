//! `secretsmanager-deleted-secret-access`: a secret pending deletion fails when CloudTrail shows
//! `GetSecretValue` calls within `lookbackDays` that failed because the secret is marked for
//! deletion: something still depends on it. Secrets not pending deletion are NOT_APPLICABLE;
//! CloudTrail not collected: INSUFFICIENT_DATA.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::rules::context::{RuleContext, Scope, Treatment, Verdict, day, days, days_before, instant};
use crate::rules::error::RuleError;
use crate::snapshot::Api;

const MARKED_FOR_DELETION: &str = "marked for deletion";

pub(crate) fn check(context: &RuleContext<'_>) -> Result<Vec<Verdict>, RuleError> {
    let lookback = context.params.integer("lookbackDays")?.unwrap_or(7);
    let now = context.now;
    let since = days_before(now, lookback);
    let scope = Scope {
        replicas: Treatment::NotApplicable,
        pending_deletion: Treatment::Judge,
    };
    context.each_secret(scope, |subject| {
        let secret = subject.secret;
        let Some(deleted) = secret.deleted_date else {
            return Ok(subject.not_applicable("not pending deletion"));
        };
        let events = match (
            context.missing(subject.region, Api::LookupEvents),
            subject.data.cloudtrail_events.as_deref(),
        ) {
            (None, Some(events)) => events,
            (reason, _) => {
                return Ok(subject.insufficient(format!(
                    "pending deletion since {}; CloudTrail events not collected: {}",
                    day(deleted),
                    reason.unwrap_or_else(|| "no events file".to_string())
                )));
            }
        };
        let attempts: Vec<_> = events
            .iter()
            .filter(|event| {
                event.event_name == "GetSecretValue"
                    && event.event_time >= since
                    && event.event_time <= now
                    && event
                        .error_message
                        .as_deref()
                        .is_some_and(|message| message.to_ascii_lowercase().contains(MARKED_FOR_DELETION))
                    && event.concerns_secret(&secret.arn, &secret.name)
            })
            .collect();
        let window = format!("the last {}", days(lookback));
        let callers: BTreeSet<&str> = attempts
            .iter()
            .filter_map(|event| event.user_arn.as_deref())
            .collect();
        let verdict = match attempts.last() {
            Some(latest) => subject
                .non_compliant(format!(
                    "pending deletion since {}, yet {} GetSecretValue call(s) in {window} failed as marked for deletion (latest {}{})",
                    day(deleted),
                    attempts.len(),
                    instant(latest.event_time),
                    latest
                        .user_arn
                        .as_deref()
                        .map(|arn| format!(" by `{arn}`"))
                        .unwrap_or_default()
                ))
                .evidence("latest_attempt", instant(latest.event_time)),
            None => subject.compliant(format!(
                "pending deletion since {}; no GetSecretValue attempts in {window}",
                day(deleted)
            )),
        };
        Ok(verdict
            .evidence("deleted_date", instant(deleted))
            .evidence("failed_reads", attempts.len())
            .evidence(
                "callers",
                Value::from(callers.into_iter().collect::<Vec<_>>()),
            )
            .evidence("lookback_days", lookback))
    })
}
