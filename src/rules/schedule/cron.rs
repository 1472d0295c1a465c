//! AWS six-field cron expressions (`minutes hours day-of-month month day-of-week year`) as
//! Secrets Manager and EventBridge read them: `*`, `?`, ranges, lists, steps, month and weekday
//! names (`JAN`, `SUN`; Sunday is 1), `L` (last day of the month, or `5L` the last Thursday),
//! `W` (`15W` the weekday nearest the 15th, `LW` the last weekday) and `#` (`3#2` the second
//! Tuesday). Exactly one of day-of-month and day-of-week must be `?`.
//!
//! Firings are enumerated day by day in UTC; nothing here reads the clock.

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, TimeDelta, Utc};

const MONTH_NAMES: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const WEEKDAY_NAMES: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const MIN_YEAR: u32 = 1970;
const MAX_YEAR: u32 = 2199;
/// How far past the one-year window the next firing is looked for: eight years covers a
/// schedule that only fires on 29 February across a non-leap century year.
const LOOKAHEAD_DAYS: u64 = 366 * 9;

/// A parsed cron expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronSchedule {
    text: String,
    /// Firing times within a day, sorted.
    times: Vec<NaiveTime>,
    months: ValueSet,
    years: ValueSet,
    days: DaySpec,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum DaySpec {
    Month(DayOfMonth),
    Week(DayOfWeek),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct DayOfMonth {
    days: ValueSet,
    last: bool,
    last_weekday: bool,
    nearest_weekday: Vec<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct DayOfWeek {
    /// Weekdays numbered 1 (Sunday) to 7 (Saturday).
    days: ValueSet,
    last_of_month: Vec<u32>,
    nth_of_month: Vec<(u32, u32)>,
}

/// The values a field allows, `min..=max`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ValueSet {
    min: u32,
    allowed: Vec<bool>,
}

impl ValueSet {
    fn empty(min: u32, max: u32) -> ValueSet {
        ValueSet {
            min,
            allowed: vec![false; (max - min + 1) as usize],
        }
    }

    fn contains(&self, value: u32) -> bool {
        value
            .checked_sub(self.min)
            .and_then(|index| self.allowed.get(index as usize))
            .copied()
            .unwrap_or(false)
    }

    fn insert(&mut self, value: u32) {
        if let Some(slot) = value
            .checked_sub(self.min)
            .and_then(|index| self.allowed.get_mut(index as usize))
        {
            *slot = true;
        }
    }

    fn values(&self) -> impl Iterator<Item = u32> + '_ {
        self.allowed
            .iter()
            .enumerate()
            .filter(|(_, allowed)| **allowed)
            .map(|(index, _)| self.min + index as u32)
    }
}

/// One field's range and names.
struct FieldKind {
    name: &'static str,
    min: u32,
    max: u32,
    names: &'static [&'static str],
}

const MINUTES: FieldKind = FieldKind {
    name: "minutes",
    min: 0,
    max: 59,
    names: &[],
};
const HOURS: FieldKind = FieldKind {
    name: "hours",
    min: 0,
    max: 23,
    names: &[],
};
const DAY_OF_MONTH: FieldKind = FieldKind {
    name: "day-of-month",
    min: 1,
    max: 31,
    names: &[],
};
const MONTH: FieldKind = FieldKind {
    name: "month",
    min: 1,
    max: 12,
    names: &MONTH_NAMES,
};
const DAY_OF_WEEK: FieldKind = FieldKind {
    name: "day-of-week",
    min: 1,
    max: 7,
    names: &WEEKDAY_NAMES,
};
const YEAR: FieldKind = FieldKind {
    name: "year",
    min: MIN_YEAR,
    max: MAX_YEAR,
    names: &[],
};

impl CronSchedule {
    /// Parses the six fields between the parentheses of `cron(...)`. The error is a message
    /// naming the field, without the expression (the caller adds it).
    pub fn parse(fields: &str) -> Result<CronSchedule, String> {
        let parts: Vec<&str> = fields.split_whitespace().collect();
        let [minutes, hours, dom, month, dow, year] = parts.as_slice() else {
            return Err(format!(
                "expected 6 fields (minutes hours day-of-month month day-of-week year), found {}",
                parts.len()
            ));
        };
        let minutes = parse_field(minutes, &MINUTES)?;
        let hours = parse_field(hours, &HOURS)?;
        let months = parse_field(month, &MONTH)?;
        let years = parse_field(year, &YEAR)?;
        let days = match (*dom == "?", *dow == "?") {
            (true, false) => DaySpec::Week(parse_day_of_week(dow)?),
            (false, true) => DaySpec::Month(parse_day_of_month(dom)?),
            _ => {
                return Err("exactly one of day-of-month and day-of-week must be `?`".to_string());
            }
        };
        let mut times = Vec::new();
        for hour in hours.values() {
            for minute in minutes.values() {
                if let Some(time) = NaiveTime::from_hms_opt(hour, minute, 0) {
                    times.push(time);
                }
            }
        }
        Ok(CronSchedule {
            text: parts.join(" "),
            times,
            months,
            years,
            days,
        })
    }

    /// True when the schedule opens more than one window a day.
    pub fn fires_several_times_a_day(&self) -> bool {
        self.times.len() > 1
    }

    /// The hour of the first firing of a day.
    pub fn first_hour(&self) -> u32 {
        use chrono::Timelike;
        self.times.first().map_or(0, |time| time.hour())
    }

    /// True when the schedule fires on `date` (at its times of day).
    pub fn fires_on(&self, date: NaiveDate) -> bool {
        let (Ok(year), month, day) = (u32::try_from(date.year()), date.month(), date.day()) else {
            return false;
        };
        if !self.years.contains(year) || !self.months.contains(month) {
            return false;
        }
        let last = last_day_of_month(date);
        match &self.days {
            DaySpec::Month(spec) => {
                spec.days.contains(day)
                    || (spec.last && day == last)
                    || (spec.last_weekday && Some(day) == nearest_weekday(date, last, last))
                    || spec
                        .nearest_weekday
                        .iter()
                        .any(|target| Some(day) == nearest_weekday(date, *target, last))
            }
            DaySpec::Week(spec) => {
                let weekday = date.weekday().number_from_sunday();
                spec.days.contains(weekday)
                    || (spec.last_of_month.contains(&weekday) && day + 7 > last)
                    || spec.nth_of_month.contains(&(weekday, (day - 1) / 7 + 1))
            }
        }
    }

    /// True when the schedule fires at `instant` (to the minute).
    pub fn fires_at(&self, instant: DateTime<Utc>) -> bool {
        use chrono::Timelike;
        self.fires_on(instant.date_naive())
            && instant.second() == 0
            && self
                .times
                .binary_search(
                    &NaiveTime::from_hms_opt(instant.hour(), instant.minute(), 0)
                        .unwrap_or_default(),
                )
                .is_ok()
    }

    /// The longest time between consecutive firings, enumerating the firings at or after `from`
    /// for a year (366 days) and the first firing after that year (or, for a schedule that fires
    /// less than once a year, its first two firings). `None` if it fires fewer than twice in
    /// nine years.
    pub fn worst_case_gap(&self, from: DateTime<Utc>) -> Option<TimeDelta> {
        let start = from.date_naive();
        let year_end = start.checked_add_days(Days::new(366))?;
        let mut previous: Option<DateTime<Utc>> = None;
        let mut gap: Option<TimeDelta> = None;
        for offset in 0..LOOKAHEAD_DAYS {
            let date = start.checked_add_days(Days::new(offset))?;
            if !self.fires_on(date) {
                continue;
            }
            // The firings of this day that are not before `from`.
            let todays: Vec<DateTime<Utc>> = self
                .times
                .iter()
                .map(|time| date.and_time(*time).and_utc())
                .filter(|instant| *instant >= from)
                .collect();
            let (Some(first), Some(last)) = (todays.first(), todays.last()) else {
                continue;
            };
            if let Some(previous) = previous {
                let step = *first - previous;
                gap = Some(gap.map_or(step, |gap| gap.max(step)));
            }
            if let Some(within) = todays.windows(2).map(|pair| pair[1] - pair[0]).max() {
                gap = Some(gap.map_or(within, |gap| gap.max(within)));
            }
            previous = Some(*last);
            // One firing past the year closes the last gap; a schedule that fires less than
            // once a year needs two firings before it has a gap at all.
            if date >= year_end && gap.is_some() {
                break;
            }
        }
        gap
    }
}

impl std::fmt::Display for CronSchedule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

fn last_day_of_month(date: NaiveDate) -> u32 {
    let (year, month) = (date.year(), date.month());
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    };
    next.and_then(|next| next.pred_opt())
        .map_or(28, |last| last.day())
}

/// The day of `date`'s month that is the weekday (Monday to Friday) nearest to day `target`,
/// without leaving the month; `None` when the month has no day `target`.
fn nearest_weekday(date: NaiveDate, target: u32, last: u32) -> Option<u32> {
    if target > last {
        return None;
    }
    let day = date.with_day(target)?;
    Some(match day.weekday() {
        chrono::Weekday::Sat if target == 1 => 3,
        chrono::Weekday::Sat => target - 1,
        chrono::Weekday::Sun if target == last => target - 2,
        chrono::Weekday::Sun => target + 1,
        _ => target,
    })
}

fn parse_day_of_month(text: &str) -> Result<DayOfMonth, String> {
    let mut spec = DayOfMonth {
        days: ValueSet::empty(DAY_OF_MONTH.min, DAY_OF_MONTH.max),
        last: false,
        last_weekday: false,
        nearest_weekday: Vec::new(),
    };
    for item in text.split(',') {
        let upper = item.to_ascii_uppercase();
        if upper == "L" {
            spec.last = true;
        } else if upper == "LW" {
            spec.last_weekday = true;
        } else if let Some(day) = upper.strip_suffix('W') {
            spec.nearest_weekday.push(parse_value(day, &DAY_OF_MONTH)?);
        } else {
            parse_item(item, &DAY_OF_MONTH, &mut spec.days)?;
        }
    }
    Ok(spec)
}

fn parse_day_of_week(text: &str) -> Result<DayOfWeek, String> {
    let mut spec = DayOfWeek {
        days: ValueSet::empty(DAY_OF_WEEK.min, DAY_OF_WEEK.max),
        last_of_month: Vec::new(),
        nth_of_month: Vec::new(),
    };
    for item in text.split(',') {
        let upper = item.to_ascii_uppercase();
        if upper == "L" {
            spec.days.insert(DAY_OF_WEEK.max);
        } else if let Some(day) = upper.strip_suffix('L') {
            spec.last_of_month.push(parse_value(day, &DAY_OF_WEEK)?);
        } else if let Some((day, nth)) = upper.split_once('#') {
            let day = parse_value(day, &DAY_OF_WEEK)?;
            let nth = nth
                .parse::<u32>()
                .ok()
                .filter(|nth| (1..=5).contains(nth))
                .ok_or_else(|| {
                    format!("day-of-week: `{item}`: expected `DAY#N` with N from 1 to 5")
                })?;
            spec.nth_of_month.push((day, nth));
        } else {
            parse_item(item, &DAY_OF_WEEK, &mut spec.days)?;
        }
    }
    Ok(spec)
}

/// Parses a whole field of lists, ranges and steps.
fn parse_field(text: &str, kind: &FieldKind) -> Result<ValueSet, String> {
    let mut set = ValueSet::empty(kind.min, kind.max);
    for item in text.split(',') {
        parse_item(item, kind, &mut set)?;
    }
    Ok(set)
}

/// One list item: `*`, `N`, `A-B`, `*/S`, `N/S`, `A-B/S`. A range whose start is above its end
/// wraps around the field (`FRI-MON`).
fn parse_item(item: &str, kind: &FieldKind, set: &mut ValueSet) -> Result<(), String> {
    let (range, step) = match item.split_once('/') {
        Some((range, step)) => {
            let step = step
                .parse::<u32>()
                .ok()
                .filter(|step| *step > 0)
                .ok_or_else(|| {
                    format!(
                        "{}: `{item}`: the step must be a positive integer",
                        kind.name
                    )
                })?;
            (range, Some(step))
        }
        None => (item, None),
    };
    let (start, end) = if range == "*" {
        (kind.min, kind.max)
    } else if let Some((start, end)) = range.split_once('-') {
        (parse_value(start, kind)?, parse_value(end, kind)?)
    } else {
        let start = parse_value(range, kind)?;
        // `N/S` runs from N to the end of the field; a bare `N` is one value.
        (start, if step.is_some() { kind.max } else { start })
    };
    let span = kind.max - kind.min + 1;
    let length = if end >= start {
        end - start + 1
    } else {
        span - (start - end) + 1
    };
    let step = step.unwrap_or(1);
    let mut offset = 0;
    while offset < length {
        set.insert(kind.min + (start - kind.min + offset) % span);
        offset += step;
    }
    Ok(())
}

fn parse_value(text: &str, kind: &FieldKind) -> Result<u32, String> {
    let upper = text.to_ascii_uppercase();
    if let Some(index) = kind.names.iter().position(|name| *name == upper) {
        return Ok(kind.min + index as u32);
    }
    text.parse::<u32>()
        .ok()
        .filter(|value| (kind.min..=kind.max).contains(value))
        .ok_or_else(|| {
            format!(
                "{}: `{text}`: expected a value from {} to {}{}",
                kind.name,
                kind.min,
                kind.max,
                if kind.names.is_empty() {
                    String::new()
                } else {
                    format!(
                        " or {}-{}",
                        kind.names.first().copied().unwrap_or_default(),
                        kind.names.last().copied().unwrap_or_default()
                    )
                }
            )
        })
}
