//! The AWS JSON protocols through [`AwsApi`]: REST-JSON (Security Hub, Account: a JSON body
//! `POST`ed to an operation's path) and awsJson 1.1 (CloudTrail: one path, the operation named by
//! `X-Amz-Target`), and reading their answers (timestamps are epoch seconds on the wire).
//! Errors carry their code in the `x-amzn-errortype` header or in the body's `__type` (or
//! `code`), with any `namespace#` prefix and `:uri` suffix removed, and the message in
//! `message` or `Message`.
//!
//! Pure request building and parsing besides the calls: no retries (the runtime's), no pacing.

use aws_smithy_types::DateTime as SdkDateTime;
use serde_json::Value;

use super::aws_api::{ApiError, ApiRequest, AwsApi};
use super::cli_shape::iso8601;
use super::coverage::{CallFailure, CoverageStatus, classify};

/// `POST`s `body` to `path` (REST-JSON) and returns the parsed answer (`{}` for an empty one).
pub async fn rest_json(
    api: &AwsApi,
    operation: &str,
    path: &str,
    body: &Value,
) -> Result<Value, CallFailure> {
    let text = api
        .send(ApiRequest {
            path: path.to_owned(),
            content_type: "application/json",
            target: None,
            body: body.to_string(),
        })
        .await
        .map_err(|error| classify(&error))?;
    parse_body(operation, &text)
}

/// Calls the awsJson 1.1 operation `target` (`Service_Version.Operation`) with `body` and returns
/// the parsed answer.
pub async fn json_1_1(api: &AwsApi, target: &str, body: &Value) -> Result<Value, CallFailure> {
    let operation = target.rsplit('.').next().unwrap_or(target);
    let text = api
        .send(ApiRequest {
            path: "/".to_owned(),
            content_type: "application/x-amz-json-1.1",
            target: Some(target.to_owned()),
            body: body.to_string(),
        })
        .await
        .map_err(|error| classify(&error))?;
    parse_body(operation, &text)
}

/// A JSON-protocol timestamp (epoch seconds, fractions allowed) in the CLI's format; `None` when
/// absent or not a number.
pub fn epoch_time(value: &Value) -> Option<String> {
    let seconds = value.as_f64()?;
    Some(iso8601(&SdkDateTime::from_secs_f64(seconds)))
}

/// The string member `name` of `value`.
pub fn text<'a>(value: &'a Value, name: &str) -> Option<&'a str> {
    value.get(name).and_then(Value::as_str)
}

/// The members of the list `name` of `value` (empty when absent).
pub fn list<'a>(value: &'a Value, name: &str) -> &'a [Value] {
    value
        .get(name)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The JSON of a success response: `{}` when empty, an error when not JSON.
pub fn parse_body(operation: &str, text: &str) -> Result<Value, CallFailure> {
    if text.trim().is_empty() {
        return Ok(Value::Object(serde_json::Map::new()));
    }
    serde_json::from_str(text).map_err(|error| CallFailure {
        status: CoverageStatus::Error,
        code: None,
        message: format!("malformed {operation} response: {error}"),
    })
}

/// The bare error code: `aws.protocoltests#Throttling:http://…` is `Throttling`.
fn bare_code(raw: &str) -> &str {
    let code = raw.split(':').next().unwrap_or(raw);
    code.rsplit('#').next().unwrap_or(code).trim()
}

/// The error code and message of a JSON-protocol error response.
pub fn parse_error(status: u16, error_type: Option<&str>, body: &str) -> ApiError {
    let json: Option<Value> = serde_json::from_str(body).ok();
    let field = |names: &[&str]| {
        json.as_ref().and_then(|json| {
            names
                .iter()
                .find_map(|name| json.get(*name).and_then(Value::as_str))
        })
    };
    let code = error_type
        .or_else(|| field(&["__type", "code", "Code"]))
        .map(bare_code)
        .filter(|code| !code.is_empty());
    let message = field(&["message", "Message", "errorMessage"]);
    ApiError::new(status, code, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_smithy_types::error::metadata::ProvideErrorMetadata;

    #[test]
    fn error_codes_come_from_the_header_or_the_body() {
        let from_header = parse_error(
            403,
            Some("AccessDeniedException:http://internal.amazon.com/coral/"),
            r#"{"Message":"not authorized"}"#,
        );
        assert_eq!(from_header.code(), Some("AccessDeniedException"));
        assert_eq!(from_header.message(), Some("not authorized"));
        let from_body = parse_error(
            400,
            None,
            r#"{"__type":"com.amazonaws.securityhub#LimitExceededException","message":"slow down"}"#,
        );
        assert_eq!(from_body.code(), Some("LimitExceededException"));
        assert_eq!(from_body.message(), Some("slow down"));
        let page = parse_error(502, None, "<html>Bad Gateway</html>");
        assert_eq!((page.code(), page.message()), (None, None));
    }

    #[test]
    fn epoch_timestamps_print_like_the_cli() {
        let table: &[(Value, Option<&str>)] = &[
            (
                serde_json::json!(1_761_100_000.5),
                Some("2025-10-22T02:26:40.500000+00:00"),
            ),
            (
                serde_json::json!(1_700_000_000),
                Some("2023-11-14T22:13:20+00:00"),
            ),
            (serde_json::json!("1700000000"), None),
            (Value::Null, None),
        ];
        for (value, expected) in table {
            assert_eq!(epoch_time(value).as_deref(), *expected, "{value}");
        }
    }

    #[test]
    fn success_bodies() {
        assert_eq!(parse_body("X", "").unwrap(), serde_json::json!({}));
        assert_eq!(parse_body("X", r#"{"a":1}"#).unwrap()["a"], 1);
        let failure = parse_body("BatchImportFindings", "<html>").unwrap_err();
        assert!(
            failure
                .message
                .starts_with("malformed BatchImportFindings response")
        );
    }
}
