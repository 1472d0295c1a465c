//! Policy documents as AWS hands them over: a JSON object (AWS CLI v2 decodes IAM documents), a
//! URL-encoded JSON string (the IAM API and the SDKs return RFC 3986 percent-encoded text), or
//! plain JSON text (resource policies, Organizations `Content`).
//!
//! Decoding is tolerant: text that already parses as JSON is taken as is; otherwise it is
//! percent-decoded (a `%` not followed by two hex digits stays literal, `+` stays `+`) and then
//! parsed. This module only turns text into a `serde_json::Value`; it does not validate policy
//! grammar (that is `crate::policy`).

use percent_encoding::percent_decode_str;
use serde_json::Value;

use super::json_path::{FieldError, JsonAt, kind};
use crate::policy::{DuplicateKey, JsonTextError, parse_json_text};

/// A policy text with a duplicate key, which AWS rejects: the path inside the document too.
pub(crate) fn duplicate_message(duplicate: &DuplicateKey) -> String {
    if duplicate.path.is_empty() {
        format!("policy document: {duplicate}")
    } else {
        format!("policy document: {}: {duplicate}", duplicate.path)
    }
}

/// Decodes a policy document found at `at`: an object, or JSON text, possibly URL-encoded.
pub(crate) fn decode_policy_document(at: &JsonAt<'_>) -> Result<Value, FieldError> {
    match at.value() {
        Value::Object(_) => Ok(at.value().clone()),
        Value::String(text) => decode_policy_text(text).map_err(|message| at.error(message)),
        other => Err(at.error(format!(
            "expected a policy document (an object or a JSON string), found {}",
            kind(other)
        ))),
    }
}

/// Decodes policy text, plain or URL-encoded, into a JSON object.
pub fn decode_policy_text(text: &str) -> Result<Value, String> {
    let direct = parse_json_text(text);
    let value = match direct {
        Ok(value) => value,
        Err(JsonTextError {
            duplicate: Some(duplicate),
            ..
        }) => return Err(duplicate_message(&duplicate)),
        Err(JsonTextError {
            error: direct_error,
            ..
        }) => {
            let decoded = percent_decode_str(text).decode_utf8().map_err(|_| {
                "not a policy document: invalid UTF-8 after URL-decoding".to_owned()
            })?;
            if decoded == text {
                return Err(format!("not a JSON policy document: {direct_error}"));
            }
            parse_json_text(&decoded).map_err(|error| match &error.duplicate {
                Some(duplicate) => duplicate_message(duplicate),
                None => format!("not a JSON policy document: {}", error.error),
            })?
        }
    };
    if value.is_object() {
        Ok(value)
    } else {
        Err(format!(
            "expected a policy document object, found {}",
            kind(&value)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn decodes_every_form_to_the_same_document() {
        let expected = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Action": "secretsmanager:GetSecretValue",
            "Resource": "arn:aws:secretsmanager:*:*:secret:prod/db-??????"}]});
        let plain = expected.to_string();
        let encoded: String =
            percent_encoding::utf8_percent_encode(&plain, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        assert!(encoded.starts_with("%7B%22"));
        assert_eq!(decode_policy_text(&plain).unwrap(), expected);
        assert_eq!(decode_policy_text(&encoded).unwrap(), expected);
        let at_value = json!(encoded);
        assert_eq!(
            decode_policy_document(&JsonAt::root(&at_value)).unwrap(),
            expected
        );
        assert_eq!(
            decode_policy_document(&JsonAt::root(&expected)).unwrap(),
            expected
        );
    }

    proptest::proptest! {
        /// Any document, URL-encoded as the IAM API does (or not at all), decodes to itself.
        #[test]
        fn encoded_documents_round_trip(
            sid in "[ -~]{0,40}",
            resource in "[a-zA-Z0-9:/*?+%&=_.-]{0,60}",
            extra in proptest::collection::btree_map("[a-zA-Z]{1,8}", "\\PC{0,12}", 0..4),
        ) {
            let document = json!({"Version": "2012-10-17", "Statement": [{"Sid": sid,
                "Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
                "Resource": resource, "Condition": {"StringEquals": extra}}]});
            let text = document.to_string();
            let encoded = percent_encoding::utf8_percent_encode(
                &text, percent_encoding::NON_ALPHANUMERIC).to_string();
            proptest::prop_assert_eq!(decode_policy_text(&text).unwrap(), document.clone());
            proptest::prop_assert_eq!(decode_policy_text(&encoded).unwrap(), document);
        }
    }

    #[test]
    fn tolerates_stray_percent_and_keeps_plus() {
        // `%` not followed by hex stays literal; `+` is not a space in RFC 3986 encoding.
        let text = "%7B%22Sid%22%3A%22a+b%25c%zz%22%7D";
        assert_eq!(
            decode_policy_text(text).unwrap(),
            json!({"Sid": "a+b%c%zz"})
        );
    }

    #[test]
    fn rejects_non_documents() {
        assert!(
            decode_policy_text("not json")
                .unwrap_err()
                .starts_with("not a JSON policy document")
        );
        assert_eq!(
            decode_policy_text("[1]").unwrap_err(),
            "expected a policy document object, found an array"
        );
        assert!(decode_policy_text("%5B1%5D").is_err());
        assert!(decode_policy_text("%FF%FE").unwrap_err().contains("UTF-8"));
    }
}
