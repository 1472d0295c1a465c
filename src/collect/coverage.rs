//! What was attempted per region and API, and how a failed call is classified: the `coverage`
//! entries of `snapshot.json` (`{"region", "api", "status", "message"}`), which tell the rules
//! that a missing file means "could not be collected" (INSUFFICIENT_DATA), never "nothing there".
//!
//! Classification reads the AWS error code only; it never retries or logs.

use std::error::Error;
use std::fmt::Debug;

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

/// Classifies an SDK error after retries.
pub fn classify<E, R>(error: &SdkError<E, R>) -> CallFailure
where
    E: ProvideErrorMetadata + Error + 'static,
    R: Debug,
{
    let code = error.code().map(str::to_owned);
    let message = match (&code, error.message()) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.clone(),
        (None, _) => DisplayErrorContext(error).to_string(),
    };
    let status = match code.as_deref() {
        Some(code) => status_for_code(code),
        // No code: a failure before the call reached the service, e.g. credentials that could
        // not be obtained because AssumeRole was denied (its text is in the chain).
        None => status_in_text(&message),
    };
    CallFailure {
        status,
        code,
        message: one_line(&message),
    }
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
