//! `secretsmanager-scheduled-rotation-success-check`: for secrets with rotation on, the scheduled
//! rotation must not be overdue (`NextRotationDate` before now − `graceHours`; without
//! `NextRotationDate`, the last rotation plus the rotation interval), and the latest CloudTrail
//! `RotationFailed` for the secret within `lookbackDays` must not be newer than its latest
//! `RotationSucceeded` (the failure's `errorMessage` is quoted). Without CloudTrail data the
//! secret is judged on its dates, and the annotation says so. Rotation off: NOT_APPLICABLE.

use chrono::{DateTime, Utc};

use crate::rules::context::{RuleContext, Scope, Verdict, day, days, days_before, hours_before, instant,
};
use crate::rules::error::RuleError;
use crate::rules::rotation_events::{RotationHistory, quoted_error};
use crate::rules::rotation_interval::rotation_interval;
use crate::snapshot::Api;

pub(crate) fn check(context: &RuleContext<'_>) -> Result<Vec<Verdict>, RuleError> {
    let grace_hours = context.params.integer("graceHours")?.unwrap_or(24);
    let lookback = context.params.integer("lookbackDays")?.unwrap_or(7);
    let now = context.now;
    let deadline = hours_before(now, grace_hours);
    let since = days_before(now, lookback);
    context.each_secret(Scope::PRIMARIES_IN_USE, |subject| {
        let secret = subject.secret;
        if !secret.rotation_is_enabled() {
            return Ok(subject.not_applicable("rotation is not enabled"));
        }
        // When the next rotation is due, and where that date comes from.
        let due: Result<(DateTime<Utc>, String), String> = match secret.next_rotation_date {
            Some(next) => Ok((next, "NextRotationDate".to_string())),
            None => {
                let base = secret.last_rotated_date.or(secret.created_date);
                let interval = secret
                    .rotation_rules
                    .as_ref()
                    .map(|rules| rotation_interval(rules, base.unwrap_or(now)))
                    .transpose()
                    .map(Option::flatten);
                match (base, interval) {
                    (_, Err(reason)) => Err(reason),
                    (Some(base), Ok(Some(interval))) => Ok((
                        base.checked_add_signed(interval.gap)
                            .unwrap_or(DateTime::<Utc>::MAX_UTC),
                        format!(
                            "no NextRotationDate: last rotation {} + {}",
                            day(base),
                            interval.describe()
                        ),
                    )),
                    _ => Err(
                        "no NextRotationDate, and no last rotation and interval to compute it from"
                            .to_string(),
                    ),
                }
            }
        };
        let mut failures = Vec::new();
        let mut notes = Vec::new();
        let mut verdict_evidence: Vec<(&str, serde_json::Value)> = Vec::new();
        match &due {
            Ok((next, source)) => {
                verdict_evidence.push(("next_rotation_due", instant(*next).into()));
                if *next < deadline {
                    let late = (now - *next).num_days();
                    failures.push(format!(
                        "rotation was due {} ({source}), {} overdue > grace {grace_hours} hours",
                        day(*next),
                        days(late)
                    ));
                } else {
                    notes.push(format!("next rotation due {} ({source})", day(*next)));
                }
            }
            Err(reason) => notes.push(format!("due date unknown: {reason}")),
        }
        let trail_missing = context.missing(subject.region, Api::LookupEvents);
        match (&trail_missing, subject.data.cloudtrail_events.as_deref()) {
            (None, Some(events)) => {
                let history = RotationHistory::of(events, secret, since, now);
                if let Some(failure) = history.unresolved_failure() {
                    failures.push(format!(
                        "{} at {} with no later RotationSucceeded{}",
                        failure.event_name,
                        instant(failure.event_time),
                        quoted_error(failure)
                    ));
                    verdict_evidence
                        .push(("failed_event_time", instant(failure.event_time).into()));
                    verdict_evidence.push(("error_message", failure.error_message.clone().into()));
                } else {
                    notes.push(format!(
                        "no unresolved rotation failure in the last {}",
                        days(lookback)
                    ));
                }
                verdict_evidence.push(("rotation_events", history.events.len().into()));
            }
            (reason, _) => notes.push(format!(
                "CloudTrail not collected, judged on dates only ({})",
                reason.clone().unwrap_or_else(|| "no events".to_string())
            )),
        }
        let verdict = if !failures.is_empty() {
            subject.non_compliant(failures.join("; ")).detail(
                failures
                    .iter()
                    .chain(&notes)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        } else if due.is_err() {
            subject.insufficient(notes.join("; "))
        } else {
            subject.compliant(notes.join("; "))
        };
        Ok(verdict_evidence
            .into_iter()
            .fold(verdict, |verdict, (key, value)| {
                verdict.evidence(key, value)
            })
            .evidence("grace_hours", grace_hours)
            .evidence("lookback_days", lookback))
    })
}
