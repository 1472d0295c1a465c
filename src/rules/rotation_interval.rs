//! A secret's rotation interval as its `RotationRules` set it: the worst-case gap between
//! rotation windows of a `ScheduleExpression` (computed for `cron(...)`), else
//! `AutomaticallyAfterDays`, with the rotation window (`Duration`, or the default window).
//!
//! Shared by the rules that compare the interval with a limit; it judges nothing.

use chrono::{DateTime, TimeDelta, Utc};

use super::schedule::{ScheduleExpression, describe_duration, parse_window};
use crate::snapshot::RotationRules;

/// How often a secret rotates, at worst.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RotationInterval {
    /// The longest time between the openings of two consecutive rotation windows.
    pub gap: TimeDelta,
    /// The rotation window.
    pub window: TimeDelta,
    /// Where the interval comes from: `rate(30 days)`, `cron(0 0 ? * SUN#1 *)`,
    /// `AutomaticallyAfterDays 30`.
    pub source: String,
    /// True for `cron(...)`, whose gap was enumerated.
    pub enumerated: bool,
}

impl RotationInterval {
    /// `35 days (worst case of cron(0 0 ? * SUN#1 *))`, `30 days (rate(30 days))`.
    pub fn describe(&self) -> String {
        let kind = if self.enumerated {
            "worst case of "
        } else {
            ""
        };
        format!("{} ({kind}{})", describe_duration(self.gap), self.source)
    }

    /// The gap in (possibly fractional) days, for evidence.
    pub fn gap_days(&self) -> f64 {
        self.gap.num_minutes() as f64 / (24.0 * 60.0)
    }
}

/// The interval of `rules`; `Ok(None)` when they set no schedule. The error is a one-line
/// reason (an expression or window that cannot be read).
pub(crate) fn rotation_interval(
    rules: &RotationRules,
    from: DateTime<Utc>,
) -> Result<Option<RotationInterval>, String> {
    let window = rules
        .duration
        .as_deref()
        .map(parse_window)
        .transpose()
        .map_err(|error| format!("rotation window {error}"))?;
    if let Some(text) = rules.schedule_expression.as_deref() {
        let expression = ScheduleExpression::parse(text)
            .map_err(|error| format!("schedule expression {error}"))?;
        let gap = expression
            .worst_case_gap(from)
            .map_err(|error| format!("schedule expression {error}"))?;
        return Ok(Some(RotationInterval {
            gap,
            window: window.unwrap_or_else(|| expression.default_window()),
            source: expression.to_string(),
            enumerated: matches!(expression, ScheduleExpression::Cron(_)),
        }));
    }
    if let Some(days) = rules.automatically_after_days {
        let gap = i64::try_from(days)
            .ok()
            .and_then(TimeDelta::try_days)
            .unwrap_or(TimeDelta::MAX);
        return Ok(Some(RotationInterval {
            gap,
            window: window.unwrap_or_else(|| TimeDelta::hours(24)),
            source: format!("AutomaticallyAfterDays {days}"),
            enumerated: false,
        }));
    }
    Ok(None)
}
