//! Table-driven tests of schedule parsing, windows and worst-case gaps. Expected gaps were
//! computed independently by a brute-force enumeration of the calendar.

use super::*;
use chrono::{NaiveDate, TimeZone};

fn from() -> DateTime<Utc> {
    // A Sunday.
    Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap()
}

#[test]
fn worst_case_gaps() {
    let table: &[(&str, i64)] = &[
        // (expression, gap in hours)
        ("rate(10 days)", 10 * 24),
        ("rate(1 day)", 24),
        ("rate(4 hours)", 4),
        ("RATE(12 Hours)", 12),
        ("cron(0 4/12 * * ? *)", 12),
        ("cron(0 8/8 * * ? *)", 16),
        ("cron(0 2/10 * * ? *)", 10),
        ("cron(0 0,6 * * ? *)", 18),
        ("cron(0 8 1/7 * ? *)", 7 * 24),
        ("cron(0 0 ? * SUN#1 *)", 35 * 24),
        ("cron(0 0 ? * 1#1 *)", 35 * 24),
        ("cron(0 16 L * ? *)", 31 * 24),
        ("cron(0 0 1 1 ? *)", 365 * 24),
        ("cron(0 0 1 JAN ? *)", 365 * 24),
        ("cron(0 0 29 2 ? *)", 1461 * 24),
        ("cron(0 0 ? * MON-FRI *)", 3 * 24),
        ("cron(0 0 ? * 2-6 *)", 3 * 24),
        ("cron(0 0 ? * FRI-MON *)", 4 * 24),
        ("cron(0 0 ? * 6L *)", 35 * 24),
        ("cron(0 10 ? JAN,JUL MON#2 *)", 182 * 24),
        ("cron(0 0 15W * ? *)", 32 * 24),
        ("cron(0 0 LW * ? *)", 33 * 24),
        ("cron(0 0 1W * ? *)", 32 * 24),
        ("cron(0 0 * * ? *)", 24),
        ("cron(0 0 */2 * ? *)", 2 * 24),
        ("cron(0 0 1 */3 ? *)", 92 * 24),
        ("cron(0 0 ? * L *)", 7 * 24),
        ("  cron( 0   0 ? * SAT * )  ", 7 * 24),
    ];
    for (text, hours) in table {
        let expression =
            ScheduleExpression::parse(text).unwrap_or_else(|error| panic!("{text}: {error}"));
        let gap = expression
            .worst_case_gap(from())
            .unwrap_or_else(|error| panic!("{text}: {error}"));
        assert_eq!(gap, TimeDelta::hours(*hours), "{text}");
    }
}

#[test]
fn rejected_expressions() {
    let table: &[(&str, &str)] = &[
        ("every day", "expected `rate(N hours|days)`"),
        ("rate(0 days)", "positive integer"),
        ("rate(5 weeks)", "`hours` or `days`"),
        ("rate(days)", "expected `rate(VALUE UNIT)`"),
        ("rate(1 2 days)", "expected `rate(VALUE UNIT)`"),
        ("cron(0 0 * * ?)", "expected 6 fields"),
        (
            "cron(0 0 * * * *)",
            "exactly one of day-of-month and day-of-week",
        ),
        (
            "cron(0 0 ? * ? *)",
            "exactly one of day-of-month and day-of-week",
        ),
        ("cron(0 24 * * ? *)", "hours: `24`"),
        ("cron(60 0 * * ? *)", "minutes: `60`"),
        ("cron(0 0 32 * ? *)", "day-of-month: `32`"),
        ("cron(0 0 ? * 8 *)", "day-of-week: `8`"),
        ("cron(0 0 ? * MON#6 *)", "expected `DAY#N`"),
        ("cron(0 0 ? FOO * *)", "month: `FOO`"),
        ("cron(0 0 1/0 * ? *)", "step must be a positive integer"),
        ("cron(0 0 1 * ? 1800)", "year: `1800`"),
        ("cron(0 0 x-3 * ? *)", "day-of-month: `x`"),
    ];
    for (text, needle) in table {
        let error = ScheduleExpression::parse(text)
            .err()
            .unwrap_or_else(|| panic!("{text} parsed"));
        let message = error.to_string();
        assert!(message.contains(needle), "{text}: {message}");
    }
}

#[test]
fn a_schedule_that_fires_once_has_no_gap() {
    let once = ScheduleExpression::parse("cron(0 0 1 1 ? 2027)").unwrap();
    assert!(matches!(
        once.worst_case_gap(from()),
        Err(ScheduleError::NeverFires(_))
    ));
}

#[test]
fn day_matching() {
    let table: &[(&str, (i32, u32, u32), bool)] = &[
        ("cron(0 0 15W * ? *)", (2026, 11, 16), true), // the 15th is a Sunday
        ("cron(0 0 15W * ? *)", (2026, 11, 15), false),
        ("cron(0 0 1W * ? *)", (2026, 8, 3), true), // the 1st is a Saturday: Monday the 3rd
        ("cron(0 0 31W * ? *)", (2026, 11, 30), false), // November has no 31st
        ("cron(0 0 LW * ? *)", (2026, 5, 29), true), // 31 May 2026 is a Sunday
        ("cron(0 0 L * ? *)", (2028, 2, 29), true),
        ("cron(0 0 L * ? *)", (2027, 2, 28), true),
        ("cron(0 0 ? * 5L *)", (2026, 11, 26), true), // last Thursday
        ("cron(0 0 ? * 5L *)", (2026, 11, 19), false),
        ("cron(0 0 ? * TUE#2 *)", (2026, 11, 10), true),
        ("cron(0 0 ? * tue#2 *)", (2026, 11, 3), false),
        ("cron(0 0 1 1 ? 2027-2028)", (2029, 1, 1), false),
        ("cron(0 0 1 1 ? 2027-2028)", (2028, 1, 1), true),
        ("cron(0 0 ? DEC-FEB SUN *)", (2027, 1, 3), true),
        ("cron(0 0 ? DEC-FEB SUN *)", (2027, 3, 7), false),
    ];
    for (text, (year, month, day), expected) in table {
        let ScheduleExpression::Cron(cron) = ScheduleExpression::parse(text).unwrap() else {
            panic!("{text} is not a cron expression");
        };
        let date = NaiveDate::from_ymd_opt(*year, *month, *day).unwrap();
        assert_eq!(cron.fires_on(date), *expected, "{text} on {date}");
    }
}

#[test]
fn windows() {
    let table: &[(&str, Option<i64>)] = &[
        ("3h", Some(3)),
        ("1h", Some(1)),
        ("24h", Some(24)),
        (" 4H ", Some(4)),
        ("0h", None),
        ("25h", None),
        ("3", None),
        ("3d", None),
    ];
    for (text, hours) in table {
        assert_eq!(
            parse_window(text).ok(),
            hours.map(TimeDelta::hours),
            "{text}"
        );
    }
}

#[test]
fn default_windows() {
    let table: &[(&str, i64)] = &[
        ("rate(10 days)", 24),
        ("rate(6 hours)", 1),
        ("cron(0 4/12 * * ? *)", 1),
        ("cron(0 16 L * ? *)", 8),
        ("cron(0 0 ? * SUN *)", 24),
    ];
    for (text, hours) in table {
        let expression = ScheduleExpression::parse(text).unwrap();
        assert_eq!(
            expression.default_window(),
            TimeDelta::hours(*hours),
            "{text}"
        );
    }
}

#[test]
fn display_round_trips() {
    for text in ["rate(1 day)", "rate(12 hours)", "cron(0 4/12 * * ? *)"] {
        let expression = ScheduleExpression::parse(text).unwrap();
        assert_eq!(expression.to_string(), text);
        assert_eq!(
            ScheduleExpression::parse(&expression.to_string()).unwrap(),
            expression
        );
    }
}

#[test]
fn durations_read_naturally() {
    let table: &[(i64, &str)] = &[
        (0, "0 hours"),
        (60, "1 hour"),
        (90 * 24 * 60, "90 days"),
        (24 * 60 + 120, "1 day 2 hours"),
        (45, "45 minutes"),
    ];
    for (minutes, text) in table {
        assert_eq!(describe_duration(TimeDelta::minutes(*minutes)), *text);
    }
}

/// A naive reference: every hour of the calendar checked one by one.
fn naive_gap(cron: &CronSchedule, from: DateTime<Utc>) -> Option<TimeDelta> {
    let year_end = from + TimeDelta::days(366);
    let stop = from + TimeDelta::days(366 * 9);
    let mut firings = Vec::new();
    let mut instant = from;
    while instant < stop {
        if cron.fires_at(instant) {
            firings.push(instant);
            if instant >= year_end && firings.len() >= 2 {
                break;
            }
        }
        instant += TimeDelta::hours(1);
    }
    firings.windows(2).map(|pair| pair[1] - pair[0]).max()
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
    #[test]
    fn enumerated_gaps_match_an_hour_by_hour_walk(
        hours in proptest::sample::select(vec!["0", "*", "4/12", "1,13", "8-10", "*/6", "22"]),
        days in proptest::sample::select(vec![
            "? MON", "? 1#2", "? 6L", "? MON-FRI", "? *", "? SAT,SUN", "? 2/3",
            "* ?", "1 ?", "L ?", "15W ?", "1/7 ?", "LW ?", "10-12 ?", "29 ?",
        ]),
        months in proptest::sample::select(vec!["*", "JAN,JUL", "*/3", "FEB", "NOV-JAN"]),
        start_day in 0u64..1500,
    ) {
        let (dom, dow) = days.split_once(' ').unwrap();
        let (dom, dow) = if dom == "?" { ("?", dow) } else { (dom, "?") };
        let text = format!("0 {hours} {dom} {months} {dow} *");
        let cron = CronSchedule::parse(&text).unwrap();
        let from = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
            + TimeDelta::days(start_day as i64);
        proptest::prop_assert_eq!(cron.worst_case_gap(from), naive_gap(&cron, from), "{}", text);
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
    #[test]
    fn arbitrary_text_never_panics(
        fields in proptest::collection::vec("[0-9A-Za-z*?,/#LW-]{1,6}", 0..8),
        rate in "rate\\([0-9a-z ]{0,12}\\)",
    ) {
        let text = format!("cron({})", fields.join(" "));
        if let Ok(expression) = ScheduleExpression::parse(&text) {
            let _ = expression.worst_case_gap(from());
            let _ = expression.default_window();
        }
        if let Ok(expression) = ScheduleExpression::parse(&rate) {
            let _ = expression.worst_case_gap(from());
        }
        let _ = parse_window(&rate);
    }
}
