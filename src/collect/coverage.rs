//! What was attempted per region and API, and how a failed call is classified: the `coverage`
//! entries of `snapshot.json` (`{"region", "api", "status", "message"}`), which tell the rules
//! that a missing file means "could not be collected" (INSUFFICIENT_DATA), never "nothing there".
//!
//! Classification reads the AWS error code only; it never retries or logs.

use std::error::Error;

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

pub use crate::snapshot::{CoverageEntry, CoverageStatus};

/// Constructors for the entries the collector records.
impl CoverageEntry {
    pub fn ok(region: &str, api: &str) -> CoverageEntry {
        CoverageEntry {
            region: region.to_owned(),
            api: api.to_owned(),
            resource: None,
            status: CoverageStatus::Ok,
            message: None,
        }
    }

    pub fn failed(region: &str, api: &str, failure: &CallFailure) -> CoverageEntry {
        CoverageEntry {
            region: region.to_owned(),
            api: api.to_owned(),
            resource: None,
            status: failure.status,
            message: Some(failure.message.clone()),
        }
    }
}

/// A call that failed after the SDK's retries: its coverage status and a one-line message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallFailure {
    pub status: CoverageStatus,
    /// The AWS error code, when the service sent one.
    pub code: Option<String>,
    pub message: String,
}

impl CallFailure {
    /// True when the error says the resource no longer exists (deleted between list and describe).
    pub fn is_not_found(&self) -> bool {
        self.code.as_deref().is_some_and(|code| {
            matches!(
                code,
                "ResourceNotFoundException" | "NotFoundException" | "NoSuchEntity"
            )
        })
    }
}

/// The coverage status for an AWS error code.
pub fn status_for_code(code: &str) -> CoverageStatus {
    let lower = code.to_ascii_lowercase();
    if lower.contains("throttl")
        || lower.contains("toomanyrequests")
        || lower.contains("requestlimitexceeded")
        || lower.contains("slowdown")
        || lower == "limitexceededexception"
    {
        CoverageStatus::Throttled
    } else if lower.contains("accessdenied")
        || lower.contains("unauthorized")
        || lower.contains("notauthorized")
        || lower == "invalidclienttokenid"
        || lower == "unrecognizedclientexception"
        || lower == "expiredtoken"
        || lower == "expiredtokenexception"
        || lower == "signaturedoesnotmatch"
        || lower == "authfailure"
        || lower == "optinrequired"
    {
        CoverageStatus::Denied
    } else {
        CoverageStatus::Error
    }
}

/// The longest coverage message: one line a person reads, not a dump.
pub const MAX_MESSAGE: usize = 300;

/// Classifies an SDK error after retries, with a one-line message: `Code: message` when AWS
/// sent an error code, `HTTP 500: <start of the body, tags removed>` when it did not (an HTML
/// error page), else the error chain (timeouts, connection and credential failures). Never the
/// SDK's debug dump of a response.
pub fn classify<E>(error: &SdkError<E, HttpResponse>) -> CallFailure
where
    E: ProvideErrorMetadata + Error + 'static,
{
    let code = error.code().map(str::to_owned);
    let (message, status) = match (&code, error.message()) {
        (Some(code), Some(message)) => (format!("{code}: {message}"), status_for_code(code)),
        (Some(code), None) => (code.clone(), status_for_code(code)),
        (None, _) => match error {
            SdkError::ServiceError(context) => {
                let raw = context.raw();
                let http = raw.status().as_u16();
                let body = raw.body().bytes().map(body_text).unwrap_or_default();
                let message = if body.is_empty() {
                    format!("HTTP {http}")
                } else {
                    format!("HTTP {http}: {body}")
                };
                (message, status_for_http(http))
            }
            SdkError::TimeoutError(_) => (
                "timed out: no answer within the attempt timeout".to_owned(),
                CoverageStatus::Error,
            ),
            _ => {
                // A failure before the call reached the service, e.g. credentials that could
                // not be obtained because AssumeRole was denied (its code is in the chain).
                let chain = DisplayErrorContext(error).to_string();
                let status = status_in_text(&chain);
                (chain, status)
            }
        },
    };
    CallFailure {
        status,
        code,
        message: clip(&one_line(&message), MAX_MESSAGE),
    }
}

/// The coverage status of an HTTP error without an AWS error code.
fn status_for_http(status: u16) -> CoverageStatus {
    match status {
        401 | 403 => CoverageStatus::Denied,
        429 | 503 => CoverageStatus::Throttled,
        _ => CoverageStatus::Error,
    }
}

/// The start of a response body as text: tags of an HTML page removed, whitespace collapsed.
fn body_text(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut plain = String::with_capacity(text.len().min(4096));
    let mut in_tag = false;
    for c in text.chars().take(4096) {
        match c {
            '<' => {
                in_tag = true;
                plain.push(' ');
            }
            '>' if in_tag => in_tag = false,
            _ if !in_tag => plain.push(if c.is_control() { ' ' } else { c }),
            _ => {}
        }
    }
    clip(&one_line(&plain), 160)
}

/// `text` cut to at most `max` characters, marked with `…` when cut.
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut clipped: String = text.chars().take(max.saturating_sub(1)).collect();
    clipped.push('…');
    clipped
}

/// The status of an error without a code, from the error codes its message chain quotes.
fn status_in_text(text: &str) -> CoverageStatus {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .map(status_for_code)
        .find(|status| *status != CoverageStatus::Error)
        .unwrap_or(CoverageStatus::Error)
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_map_to_statuses() {
        let table: &[(&str, CoverageStatus)] = &[
            ("AccessDeniedException", CoverageStatus::Denied),
            ("AccessDenied", CoverageStatus::Denied),
            ("UnauthorizedOperation", CoverageStatus::Denied),
            ("InvalidClientTokenId", CoverageStatus::Denied),
            ("UnrecognizedClientException", CoverageStatus::Denied),
            ("ExpiredToken", CoverageStatus::Denied),
            ("ThrottlingException", CoverageStatus::Throttled),
            ("Throttling", CoverageStatus::Throttled),
            ("TooManyRequestsException", CoverageStatus::Throttled),
            ("RequestLimitExceeded", CoverageStatus::Throttled),
            ("InternalServiceError", CoverageStatus::Error),
            ("InvalidParameterException", CoverageStatus::Error),
        ];
        for (code, expected) in table {
            assert_eq!(status_for_code(code), *expected, "{code}");
        }
    }

    #[test]
    fn error_pages_become_one_short_line() {
        let page = b"<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and was unable to complete your request.</p>\n";
        assert_eq!(
            body_text(page),
            "500 Internal Server Error Internal Server Error The server encountered an internal error and was unable to complete your request."
        );
        let long = "x".repeat(1500);
        let clipped = clip(&long, MAX_MESSAGE);
        assert_eq!(clipped.chars().count(), MAX_MESSAGE);
        assert!(clipped.ends_with('…'));
        assert_eq!(status_for_http(403), CoverageStatus::Denied);
        assert_eq!(status_for_http(429), CoverageStatus::Throttled);
        assert_eq!(status_for_http(500), CoverageStatus::Error);
    }

    #[test]
    fn statuses_are_found_in_error_chains_without_a_code() {
        let text =
            "dispatch failure: other: failed to load credentials: AccessDenied: not authorized";
        assert_eq!(status_in_text(text), CoverageStatus::Denied);
        assert_eq!(status_in_text("connection refused"), CoverageStatus::Error);
        assert_eq!(
            status_in_text("io error: Throttling"),
            CoverageStatus::Throttled
        );
    }

    #[test]
    fn coverage_entries_serialise_as_documented() {
        let failure = CallFailure {
            status: CoverageStatus::Denied,
            code: Some("AccessDeniedException".into()),
            message: "AccessDeniedException: not allowed".into(),
        };
        let entry = CoverageEntry::failed("eu-west-1", "secretsmanager:ListSecrets", &failure);
        assert_eq!(
            serde_json::to_value(&entry).unwrap(),
            serde_json::json!({"region": "eu-west-1", "api": "secretsmanager:ListSecrets",
                "status": "denied", "message": "AccessDeniedException: not allowed"})
        );
        let ok = CoverageEntry::ok("global", "iam:GetAccountAuthorizationDetails");
        assert_eq!(
            serde_json::to_value(&ok).unwrap(),
            serde_json::json!({"region": "global", "api": "iam:GetAccountAuthorizationDetails", "status": "ok"})
        );
        assert!(failure.status.is_partial() && !CoverageStatus::Skipped.is_partial());
    }
}
