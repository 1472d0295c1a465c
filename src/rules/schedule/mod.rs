//! Secrets Manager rotation schedules: `rate(N hours|days)` and AWS six-field `cron(...)`
//! expressions, the rotation window `Duration` (`3h`), and the worst-case gap between two
//! consecutive rotation windows.
//!
//! The gap of a `cron(...)` schedule is computed by enumerating its firings over a year from a
//! given instant, never guessed from the text. This module is pure: it takes the reference
//! instant as an argument and never reads the wall clock, and it knows nothing about secrets,
//! snapshots or findings.

mod cron;
#[cfg(test)]
mod tests;

pub use cron::CronSchedule;

use chrono::{DateTime, TimeDelta, Utc};

/// Why a schedule expression or window could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error(
        "`{0}`: expected `rate(N hours|days)` or `cron(minutes hours day-of-month month day-of-week year)`"
    )]
    UnknownForm(String),
    #[error("`{expression}`: {message}")]
    Invalid { expression: String, message: String },
    #[error("`{0}`: expected a window such as `3h` (1 to 24 hours)")]
    Window(String),
    #[error("`{0}`: the schedule fires fewer than twice in nine years")]
    NeverFires(String),
}

/// The unit of a `rate(...)` expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateUnit {
    Hours,
    Days,
}

/// A parsed `ScheduleExpression`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScheduleExpression {
    Rate { value: u32, unit: RateUnit },
    Cron(CronSchedule),
}

impl ScheduleExpression {
    /// Parses `rate(...)` or `cron(...)`; surrounding whitespace is ignored, the keywords are
    /// case-insensitive.
    pub fn parse(text: &str) -> Result<ScheduleExpression, ScheduleError> {
        let trimmed = text.trim();
        if let Some(inner) = strip_call(trimmed, "rate") {
            return parse_rate(trimmed, &inner.to_ascii_lowercase());
        }
        if let Some(inner) = strip_call(trimmed, "cron") {
            return CronSchedule::parse(inner)
                .map(ScheduleExpression::Cron)
                .map_err(|message| ScheduleError::Invalid {
                    expression: trimmed.to_string(),
                    message,
                });
        }
        Err(ScheduleError::UnknownForm(trimmed.to_string()))
    }

    /// The longest time between the openings of two consecutive rotation windows.
    ///
    /// For `cron(...)` this enumerates the firings from `from` over a year, plus the first
    /// firing after that year (so a yearly schedule has a gap of a year, not none).
    pub fn worst_case_gap(&self, from: DateTime<Utc>) -> Result<TimeDelta, ScheduleError> {
        match self {
            ScheduleExpression::Rate { value, unit } => Ok(match unit {
                RateUnit::Hours => TimeDelta::hours(i64::from(*value)),
                RateUnit::Days => TimeDelta::days(i64::from(*value)),
            }),
            ScheduleExpression::Cron(cron) => cron
                .worst_case_gap(from)
                .ok_or_else(|| ScheduleError::NeverFires(cron.to_string())),
        }
    }

    /// The default rotation window when no `Duration` is set: one hour for schedules in hours
    /// (several windows a day), otherwise until the end of the UTC day the window opens in.
    pub fn default_window(&self) -> TimeDelta {
        match self {
            ScheduleExpression::Rate {
                unit: RateUnit::Hours,
                ..
            } => TimeDelta::hours(1),
            ScheduleExpression::Rate {
                unit: RateUnit::Days,
                ..
            } => TimeDelta::hours(24),
            ScheduleExpression::Cron(cron) => {
                if cron.fires_several_times_a_day() {
                    TimeDelta::hours(1)
                } else {
                    TimeDelta::hours(24 - i64::from(cron.first_hour()))
                }
            }
        }
    }
}

impl std::fmt::Display for ScheduleExpression {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScheduleExpression::Rate { value, unit } => {
                let unit = match (unit, value) {
                    (RateUnit::Hours, 1) => "hour",
                    (RateUnit::Hours, _) => "hours",
                    (RateUnit::Days, 1) => "day",
                    (RateUnit::Days, _) => "days",
                };
                write!(f, "rate({value} {unit})")
            }
            ScheduleExpression::Cron(cron) => write!(f, "cron({cron})"),
        }
    }
}

/// Parses a rotation window `Duration` such as `3h` (1 to 24 hours).
pub fn parse_window(text: &str) -> Result<TimeDelta, ScheduleError> {
    let trimmed = text.trim();
    let hours = trimmed
        .strip_suffix(['h', 'H'])
        .and_then(|digits| digits.parse::<u8>().ok())
        .filter(|hours| (1..=24).contains(hours))
        .ok_or_else(|| ScheduleError::Window(trimmed.to_string()))?;
    Ok(TimeDelta::hours(i64::from(hours)))
}

/// Formats a duration for annotations: `90 days`, `12 hours`, `3 days 4 hours`, `45 minutes`.
pub fn describe_duration(delta: TimeDelta) -> String {
    let minutes = delta.num_minutes();
    let (days, rest) = (minutes / (24 * 60), minutes % (24 * 60));
    let (hours, minutes) = (rest / 60, rest % 60);
    let mut parts = Vec::new();
    for (count, singular, plural) in [
        (days, "day", "days"),
        (hours, "hour", "hours"),
        (minutes, "minute", "minutes"),
    ] {
        if count != 0 {
            parts.push(format!(
                "{count} {}",
                if count == 1 { singular } else { plural }
            ));
        }
    }
    if parts.is_empty() {
        "0 hours".to_string()
    } else {
        parts.join(" ")
    }
}

/// The text between the parentheses of `name(...)`, the name matched case-insensitively.
fn strip_call<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    let head = text.get(..name.len())?;
    if !head.eq_ignore_ascii_case(name) {
        return None;
    }
    text.get(name.len()..)
        .map(str::trim_start)
        .and_then(|rest| rest.strip_prefix('('))
        .and_then(|rest| rest.strip_suffix(')'))
}

fn parse_rate(original: &str, inner: &str) -> Result<ScheduleExpression, ScheduleError> {
    let invalid = |message: &str| ScheduleError::Invalid {
        expression: original.to_string(),
        message: message.to_string(),
    };
    let mut words = inner.split_whitespace();
    let (Some(value), Some(unit), None) = (words.next(), words.next(), words.next()) else {
        return Err(invalid("expected `rate(VALUE UNIT)`"));
    };
    let value: u32 = value
        .parse()
        .ok()
        .filter(|value| *value > 0)
        .ok_or_else(|| invalid("the rate value must be a positive integer"))?;
    let unit = match unit {
        "hour" | "hours" => RateUnit::Hours,
        "day" | "days" => RateUnit::Days,
        _ => return Err(invalid("the rate unit must be `hours` or `days`")),
    };
    Ok(ScheduleExpression::Rate { value, unit })
}
