//! How the AWS CLI v2 prints API output as JSON, so that the files `collect` writes are the ones
//! `aws … --output json` would have written: PascalCase members, absent members left out,
//! timestamps in ISO 8601 with a `+00:00` offset and microseconds only when not zero (Python's
//! `isoformat`), and IAM policy documents URL-decoded and parsed into objects (the CLI's
//! `json_decode_policies` step).
//!
//! Pure conversions only: no SDK calls, no I/O.

use aws_smithy_types::DateTime as SdkDateTime;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

/// Builds one JSON object member by member, leaving absent values out as the CLI does.
#[derive(Debug, Default)]
pub(crate) struct JsonObject(Map<String, Value>);

impl JsonObject {
    pub(crate) fn new() -> Self {
        JsonObject(Map::new())
    }

    pub(crate) fn str(mut self, key: &str, value: Option<&str>) -> Self {
        if let Some(value) = value {
            self.0
                .insert(key.to_owned(), Value::String(value.to_owned()));
        }
        self
    }

    pub(crate) fn bool(mut self, key: &str, value: Option<bool>) -> Self {
        if let Some(value) = value {
            self.0.insert(key.to_owned(), Value::Bool(value));
        }
        self
    }

    pub(crate) fn int(mut self, key: &str, value: Option<i64>) -> Self {
        if let Some(value) = value {
            self.0.insert(key.to_owned(), Value::from(value));
        }
        self
    }

    /// A timestamp already in the CLI format ([`iso8601`], [`format_utc`]), when present.
    pub(crate) fn time(mut self, key: &str, value: Option<String>) -> Self {
        if let Some(value) = value {
            self.0.insert(key.to_owned(), Value::String(value));
        }
        self
    }

    /// A list member, left out when empty (the SDK cannot tell an empty list from an absent one).
    pub(crate) fn list(mut self, key: &str, values: Vec<Value>) -> Self {
        if !values.is_empty() {
            self.0.insert(key.to_owned(), Value::Array(values));
        }
        self
    }

    /// A list of strings, left out when empty.
    pub(crate) fn strings(self, key: &str, values: &[String]) -> Self {
        let values = values.iter().map(|v| Value::String(v.clone())).collect();
        self.list(key, values)
    }

    /// Any value, always present.
    pub(crate) fn value(mut self, key: &str, value: Value) -> Self {
        self.0.insert(key.to_owned(), value);
        self
    }

    /// Any value, when present.
    pub(crate) fn opt(mut self, key: &str, value: Option<Value>) -> Self {
        if let Some(value) = value {
            self.0.insert(key.to_owned(), value);
        }
        self
    }

    pub(crate) fn build(self) -> Value {
        Value::Object(self.0)
    }
}

/// A timestamp as the CLI v2 prints it: `2026-11-01T08:30:00+00:00`,
/// `2026-11-01T08:30:00.250000+00:00` with a fraction.
pub fn iso8601(value: &SdkDateTime) -> String {
    let micros = value.subsec_nanos() / 1_000;
    match DateTime::<Utc>::from_timestamp(value.secs(), micros * 1_000) {
        Some(time) => format_utc(&time),
        None => value.secs().to_string(),
    }
}

/// A chrono UTC time in the same CLI v2 format.
pub fn format_utc(time: &DateTime<Utc>) -> String {
    if time.timestamp_subsec_micros() == 0 {
        time.format("%Y-%m-%dT%H:%M:%S+00:00").to_string()
    } else {
        time.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string()
    }
}

/// Decodes `%XX` escapes (not `+`, which IAM leaves as a literal plus); malformed escapes are
/// kept as they are.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(high), Some(low)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((high * 16 + low) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An IAM policy document as the CLI prints it: URL-decoded and parsed into a JSON object; a
/// document that does not parse stays the string AWS returned.
pub fn policy_document(raw: &str) -> Value {
    let trimmed = raw.trim_start();
    let decoded = if trimmed.starts_with('{') {
        raw.to_owned()
    } else {
        percent_decode(raw)
    };
    serde_json::from_str::<Value>(&decoded)
        .ok()
        .filter(Value::is_object)
        .unwrap_or(Value::String(raw.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_print_like_the_cli() {
        let table: &[(i64, u32, &str)] = &[
            (0, 0, "1970-01-01T00:00:00+00:00"),
            (1_762_000_000, 0, "2025-11-01T12:26:40+00:00"),
            (
                1_762_000_000,
                250_000_000,
                "2025-11-01T12:26:40.250000+00:00",
            ),
            (
                1_762_000_000,
                489_123_999,
                "2025-11-01T12:26:40.489123+00:00",
            ),
            (1_762_000_000, 999, "2025-11-01T12:26:40+00:00"),
        ];
        for (secs, nanos, expected) in table {
            let value = SdkDateTime::from_secs_and_nanos(*secs, *nanos);
            assert_eq!(iso8601(&value), *expected);
            let parsed = DateTime::parse_from_rfc3339(expected).unwrap();
            assert_eq!(parsed.timestamp(), *secs);
        }
    }

    #[test]
    fn percent_decoding() {
        let table: &[(&str, &str)] = &[
            ("%7B%22a%22%3A1%7D", "{\"a\":1}"),
            ("a+b", "a+b"),
            ("100%", "100%"),
            ("%zz", "%zz"),
            ("%4", "%4"),
            ("%41", "A"),
            ("caf%C3%A9", "café"),
        ];
        for (input, expected) in table {
            assert_eq!(percent_decode(input), *expected, "{input}");
        }
    }

    #[test]
    fn policy_documents_are_decoded_whether_encoded_or_not() {
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D";
        let plain = r#"{"Version":"2012-10-17","Statement":[]}"#;
        assert_eq!(policy_document(encoded), policy_document(plain));
        assert_eq!(policy_document(plain)["Version"], "2012-10-17");
        assert_eq!(
            policy_document("not json"),
            Value::String("not json".into())
        );
    }

    #[test]
    fn absent_members_are_left_out() {
        let object = JsonObject::new()
            .str("Name", Some("x"))
            .str("Description", None)
            .bool("RotationEnabled", None)
            .strings("VersionStages", &[])
            .int("AutomaticallyAfterDays", Some(30))
            .build();
        assert_eq!(
            object,
            serde_json::json!({"Name": "x", "AutomaticallyAfterDays": 30})
        );
    }
}
