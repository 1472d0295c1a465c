//! `secretsmanager-rotation-enabled-check`: rotation must be on (`RotationEnabled` true; absent
//! counts as off, and leftover `RotationRules` on a secret with rotation off do not count). With
//! `maximumAllowedRotationFrequency` (days) and/or `…InHours` (the stricter wins), the rotation
//! interval — a rate, the enumerated worst-case gap of a cron schedule, or
//! `AutomaticallyAfterDays` — must not exceed the limit. `exemptOwningServices` makes the
//! secrets of those owning services NOT_APPLICABLE. Managed rotation has no Lambda: the rotation
//! function is never required.

use chrono::TimeDelta;

use crate::rules::context::{RuleContext, Scope, Verdict};
use crate::rules::error::RuleError;
use crate::rules::rotation_interval::rotation_interval;
use crate::rules::schedule::describe_duration;

pub(crate) fn check(context: &RuleContext<'_>) -> Result<Vec<Verdict>, RuleError> {
    let days = context.params.integer("maximumAllowedRotationFrequency")?;
    let hours = context
        .params
        .integer("maximumAllowedRotationFrequencyInHours")?;
    let exempt = context.params.strings("exemptOwningServices")?;
    let limit = [
        days.and_then(TimeDelta::try_days),
        hours.and_then(TimeDelta::try_hours),
    ]
    .into_iter()
    .flatten()
    .min();
    context.each_secret(Scope::PRIMARIES_IN_USE, |subject| {
        let secret = subject.secret;
        if let Some(service) = secret.owning_service.as_deref()
            && exempt.iter().any(|e| e == service)
        {
            return Ok(subject
                .not_applicable(format!(
                    "owned by `{service}`, exempt by exemptOwningServices"
                ))
                .evidence("owning_service", service));
        }
        if !secret.rotation_is_enabled() {
            let state = match secret.rotation_enabled {
                Some(false) => "RotationEnabled is false",
                _ => "RotationEnabled is absent",
            };
            let leftover = secret
                .rotation_rules
                .as_ref()
                .and_then(|rules| {
                    rules
                        .schedule_expression
                        .clone()
                        .or(rules.automatically_after_days.map(|d| format!("AutomaticallyAfterDays {d}")))
                })
                .map(|rules| format!("; leftover RotationRules ({rules}) do not count"))
                .unwrap_or_default();
            return Ok(subject
                .non_compliant(format!("rotation is not enabled: {state}{leftover}"))
                .evidence("rotation_enabled", secret.rotation_enabled));
        }
        let interval = match secret.rotation_rules.as_ref() {
            None => Ok(None),
            Some(rules) => rotation_interval(rules, context.now),
        };
        let Some(limit) = limit else {
            let schedule = match &interval {
                Ok(Some(interval)) => format!(" every {}", interval.describe()),
                _ => String::new(),
            };
            return Ok(subject
                .compliant(format!("rotation enabled{schedule}; no maximum frequency set"))
                .evidence("rotation_enabled", true));
        };
        let limit_text = describe_duration(limit);
        let interval = match interval {
            Err(reason) => {
                return Ok(subject.insufficient(format!(
                    "rotation enabled, but its interval cannot be read: {reason}"
                )));
            }
            Ok(None) => {
                return Ok(subject.insufficient(format!(
                    "rotation enabled without RotationRules: cannot compare the interval with {limit_text}"
                )));
            }
            Ok(Some(interval)) => interval,
        };
        let verdict = if interval.gap > limit {
            subject.non_compliant(format!(
                "rotation interval {} > {limit_text}",
                interval.describe()
            ))
        } else {
            subject.compliant(format!(
                "rotation interval {} <= {limit_text}",
                interval.describe()
            ))
        };
        Ok(verdict
            .evidence("rotation_enabled", true)
            .evidence("schedule", interval.source.clone())
            .evidence("interval_hours", interval.gap.num_minutes() as f64 / 60.0)
            .evidence("window_hours", interval.window.num_hours())
            .evidence("limit_hours", limit.num_hours()))
    })
}
