//! `secretsmanager-secret-periodic-rotation`: the last rotation must be at most
//! `maxDaysSinceRotation` whole days ago. The last rotation is the later of `LastRotatedDate`
//! and, with `countManualUpdates`, the creation of the AWSCURRENT version (list-secret-version-ids).
//! A secret never rotated is judged on its age from `CreatedDate`, or fails when `neverRotated`
//! is `fail`.

use chrono::{DateTime, TimeDelta, Utc};

use crate::rules::context::{RuleContext, Scope, Verdict, day, days, instant};
use crate::rules::error::RuleError;
use crate::snapshot::Api;

/// A version created this long after the secret is a manual update, not the initial value.
const INITIAL_VERSION_SLACK: TimeDelta = TimeDelta::minutes(1);

pub(crate) fn check(context: &RuleContext<'_>) -> Result<Vec<Verdict>, RuleError> {
    let max_days = context
        .params
        .integer("maxDaysSinceRotation")?
        .unwrap_or(90);
    let count_manual = context.params.boolean("countManualUpdates")?;
    let fail_never = context.params.string("neverRotated")? == Some("fail");
    let now = context.now;
    let elapsed = |time: DateTime<Utc>| (now - time).num_days();
    context.each_secret(Scope::PRIMARIES_IN_USE, |subject| {
        let secret = subject.secret;
        let rotated = secret.last_rotated_date;
        // The AWSCURRENT version's creation, when it is a manual update (`Err` when the
        // versions were not collected).
        let manual: Result<Option<DateTime<Utc>>, String> = if count_manual {
            match subject.data.versions_of(&secret.arn) {
                Some(versions) => Ok(versions
                    .iter()
                    .find(|version| version.version_stages.iter().any(|s| s == "AWSCURRENT"))
                    .and_then(|version| version.created_date)
                    .filter(|created| match secret.created_date {
                        Some(secret_created) => secret_created
                            .checked_add_signed(INITIAL_VERSION_SLACK)
                            .is_some_and(|initial| *created > initial),
                        None => true,
                    })),
                None => Err(context
                    .missing_for(subject, Api::ListSecretVersionIds)
                    .unwrap_or_else(|| {
                        "list-secret-version-ids output has no entry for this secret".to_string()
                    })),
            }
        } else {
            Ok(None)
        };
        let limit = format!("{max_days}");
        let verdict = match (rotated, &manual) {
            // Versions unknown: LastRotatedDate alone can only prove compliance.
            (Some(rotated), Err(reason)) => {
                let age = elapsed(rotated);
                if age <= max_days {
                    subject
                        .compliant(format!(
                            "last rotated {} ({} ago, LastRotatedDate) <= {limit}",
                            day(rotated),
                            days(age)
                        ))
                        .detail(format!(
                            "last rotated {} ({} ago, LastRotatedDate) <= {limit} days; manual updates not checked: {reason}",
                            instant(rotated),
                            days(age)
                        ))
                } else {
                    subject.insufficient(format!(
                        "LastRotatedDate {} ({} ago) > {limit}, and a later manual update cannot be ruled out: {reason}",
                        day(rotated),
                        days(age)
                    ))
                }
            }
            (None, Err(reason)) => subject.insufficient(format!(
                "never rotated (no LastRotatedDate) and manual updates unknown: {reason}"
            )),
            (rotated, Ok(manual)) => {
                let last = match (rotated, manual) {
                    (Some(r), Some(m)) if *m > r => Some((*m, "AWSCURRENT version created")),
                    (Some(r), _) => Some((r, "LastRotatedDate")),
                    (None, Some(m)) => Some((*m, "AWSCURRENT version created")),
                    (None, None) => None,
                };
                match last {
                    Some((last, source)) => {
                        let age = elapsed(last);
                        let text = format!("last rotated {} ({} ago, {source})", day(last), days(age));
                        if age > max_days {
                            subject.non_compliant(format!("{text} > {limit}"))
                        } else {
                            subject.compliant(format!("{text} <= {limit}"))
                        }
                        .evidence("last_rotation", instant(last))
                        .evidence("days_since_rotation", age)
                    }
                    None if fail_never => {
                        subject.non_compliant("never rotated (neverRotated is `fail`)")
                    }
                    None => match secret.created_date {
                        None => subject.insufficient("never rotated and no CreatedDate to age it from"),
                        Some(created) => {
                            let age = elapsed(created);
                            if age > max_days {
                                subject.non_compliant(format!(
                                    "never rotated; age {} from creation > {limit}",
                                    days(age)
                                ))
                            } else {
                                subject.compliant(format!(
                                    "never rotated; age {} from creation <= {limit}",
                                    days(age)
                                ))
                            }
                            .evidence("created_date", instant(created))
                            .evidence("days_since_creation", age)
                        }
                    },
                }
            }
        };
        Ok(verdict
            .evidence("last_rotated_date", rotated.map(instant))
            .evidence("max_days_since_rotation", max_days))
    })
}
