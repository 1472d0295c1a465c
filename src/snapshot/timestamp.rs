//! Timestamps as the AWS CLI and API print them: ISO 8601 text (CLI v2:
//! `2026-10-01T12:34:56.789000+00:00`, with or without fractional seconds, `Z` or an offset with or
//! without a colon, a space instead of `T`, a bare date) or epoch seconds (CLI v1 and the raw API:
//! `1700000000` or `1700000000.123`, as a number or a numeric string).
//!
//! It only parses; it never reads the clock. Text without an offset is taken as UTC.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde_json::Value;

/// Parses a JSON value as a timestamp, `None` when it is not one.
pub fn parse_timestamp(value: &Value) -> Option<DateTime<Utc>> {
    match value {
        Value::Number(number) => {
            if let Some(seconds) = number.as_i64() {
                DateTime::from_timestamp(seconds, 0)
            } else {
                number.as_f64().and_then(from_epoch_float)
            }
        }
        Value::String(text) => parse_timestamp_text(text),
        _ => None,
    }
}

/// Parses timestamp text: ISO 8601 in the forms above, or epoch seconds written as text.
pub fn parse_timestamp_text(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if text.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return text.parse::<f64>().ok().and_then(from_epoch_float);
    }
    if let Ok(parsed) = DateTime::parse_from_rfc3339(text) {
        return Some(parsed.with_timezone(&Utc));
    }
    let with_t = text.replacen(' ', "T", 1);
    for format in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M%z"] {
        if let Ok(parsed) = DateTime::parse_from_str(&with_t, format) {
            return Some(parsed.with_timezone(&Utc));
        }
    }
    let naive = with_t.strip_suffix('Z').unwrap_or(&with_t);
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(parsed) = NaiveDateTime::parse_from_str(naive, format) {
            return Some(parsed.and_utc());
        }
    }
    NaiveDate::parse_from_str(naive, "%Y-%m-%d")
        .ok()
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .map(|midnight| midnight.and_utc())
}

fn from_epoch_float(seconds: f64) -> Option<DateTime<Utc>> {
    if !seconds.is_finite() {
        return None;
    }
    let whole = seconds.floor();
    // Whole seconds of any real timestamp fit an i64; the range check keeps the cast exact.
    if !(-1e15..=1e15).contains(&whole) {
        return None;
    }
    #[expect(
        clippy::cast_possible_truncation,
        reason = "the range is checked just above and the fraction is below one second"
    )]
    let (secs, nanos) = (
        whole as i64,
        ((seconds - whole) * 1e9).round().min(999_999_999.0) as u32,
    );
    DateTime::from_timestamp(secs, nanos)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn accepted_forms() {
        let table: &[(Value, &str)] = &[
            (json!("2026-10-01T12:34:56Z"), "2026-10-01T12:34:56Z"),
            (json!("2026-10-01T12:34:56+00:00"), "2026-10-01T12:34:56Z"),
            (
                json!("2026-10-01T12:34:56.789000+00:00"),
                "2026-10-01T12:34:56.789Z",
            ),
            (json!("2026-10-01T14:34:56+02:00"), "2026-10-01T12:34:56Z"),
            (json!("2026-10-01T14:34:56+0200"), "2026-10-01T12:34:56Z"),
            (json!("2026-10-01T12:34:56"), "2026-10-01T12:34:56Z"),
            (json!("2026-10-01T12:34:56.5"), "2026-10-01T12:34:56.5Z"),
            (json!("2026-10-01 12:34:56+00:00"), "2026-10-01T12:34:56Z"),
            (json!("2026-10-01T12:34Z"), "2026-10-01T12:34:00Z"),
            (json!("2026-10-01"), "2026-10-01T00:00:00Z"),
            (json!(1_790_000_000), "2026-09-21T14:13:20Z"),
            (json!(1_790_000_000.25), "2026-09-21T14:13:20.25Z"),
            (json!("1790000000"), "2026-09-21T14:13:20Z"),
            (json!("1790000000.5"), "2026-09-21T14:13:20.5Z"),
        ];
        for (input, expected) in table {
            assert_eq!(parse_timestamp(input), Some(utc(expected)), "input {input}");
        }
    }

    #[test]
    fn rejected_forms() {
        for input in [
            json!("yesterday"),
            json!(""),
            json!("2026-13-01T00:00:00Z"),
            json!("2026-10-01T25:00:00Z"),
            json!(true),
            json!(null),
            json!([1]),
            json!({"t": 1}),
            json!(1e300),
            json!("1.2.3"),
        ] {
            assert_eq!(parse_timestamp(&input), None, "input {input}");
        }
    }

    proptest::proptest! {
        /// Every printed form of an instant parses back to it: RFC 3339 with `Z` or an offset,
        /// microseconds as the AWS CLI v2 prints them, and epoch seconds as a number or text.
        #[test]
        fn printed_forms_round_trip(
            seconds in 0i64..4_102_444_800,
            micros in 0u32..1_000_000,
            offset_minutes in -720i32..=840,
        ) {
            let instant = DateTime::from_timestamp(seconds, micros * 1000).unwrap();
            let offset = chrono::FixedOffset::east_opt(offset_minutes * 60).unwrap();
            let cli_v2 = instant.with_timezone(&offset).format("%Y-%m-%dT%H:%M:%S%.6f%:z").to_string();
            proptest::prop_assert_eq!(parse_timestamp(&json!(cli_v2)), Some(instant));
            proptest::prop_assert_eq!(parse_timestamp(&json!(instant.to_rfc3339())), Some(instant));
            let whole = DateTime::from_timestamp(seconds, 0).unwrap();
            proptest::prop_assert_eq!(parse_timestamp(&json!(seconds)), Some(whole));
            proptest::prop_assert_eq!(parse_timestamp(&json!(seconds.to_string())), Some(whole));
            // Epoch floats carry milliseconds exactly enough for CloudTrail and the CLI v1.
            let millis = f64::from(micros / 1000) / 1000.0;
            let parsed = parse_timestamp(&json!(seconds as f64 + millis)).unwrap();
            let expected = whole + chrono::Duration::milliseconds(i64::from(micros / 1000));
            proptest::prop_assert!((parsed - expected).num_microseconds().unwrap().abs() <= 1);
        }
    }

    #[test]
    fn epoch_and_iso_agree() {
        let iso = parse_timestamp(&json!("2026-11-01T00:00:00Z"));
        let epoch = parse_timestamp(&json!(1_793_491_200));
        assert_eq!(iso, epoch);
    }
}
