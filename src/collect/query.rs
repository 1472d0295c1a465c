//! The AWS Query protocol (IAM, RDS): a form-encoded POST (`Action`, `Version` and the
//! operation's parameters) answered with XML. Lists are wrapper elements whose child elements
//! are the members (`<member>` for IAM, `<DBCluster>`, `<Tag>` … for RDS); errors are
//! `<ErrorResponse><Error><Code>…</Code><Message>…</Message></Error></ErrorResponse>`.
//!
//! [`call`] sends one operation through [`AwsApi`], [`document`] and [`result_element`] parse
//! the answer, [`Element`] reads it.
//! Pure parsing besides `call`: no retries (the runtime's), no pacing (`limits.rs`).

use chrono::{DateTime, Utc};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::aws_api::{ApiError, ApiRequest, AwsApi};
use super::cli_shape::format_utc;
use super::coverage::{CallFailure, CoverageStatus, classify};

/// Characters percent-encoded in a form value: all but the unreserved `A-Z a-z 0-9 - _ . ~`.
const FORM_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The form body of one Query operation.
pub fn form_body(action: &str, version: &str, params: &[(&str, &str)]) -> String {
    let mut body = format!("Action={action}&Version={version}");
    for (name, value) in params {
        body.push('&');
        body.push_str(name);
        body.push('=');
        body.extend(utf8_percent_encode(value, FORM_VALUE));
    }
    body
}

/// Sends `action` and returns the body of the success response; a failure is classified for
/// coverage.
pub async fn call(
    api: &AwsApi,
    action: &str,
    version: &str,
    params: &[(&str, &str)],
) -> Result<String, CallFailure> {
    api.send(ApiRequest {
        path: "/".to_owned(),
        content_type: "application/x-www-form-urlencoded; charset=utf-8",
        target: None,
        body: form_body(action, version, params),
    })
    .await
    .map_err(|error| classify(&error))
}

fn malformed(action: &str, why: &str) -> CallFailure {
    CallFailure {
        status: CoverageStatus::Error,
        code: None,
        message: format!("malformed {action} response: {why}"),
    }
}

/// The XML document of a success response.
pub fn document<'input>(
    body: &'input str,
    action: &str,
) -> Result<roxmltree::Document<'input>, CallFailure> {
    roxmltree::Document::parse(body).map_err(|error| malformed(action, &error.to_string()))
}

/// The `<{Action}Result>` element of a response document.
pub fn result_element<'a, 'input>(
    document: &'a roxmltree::Document<'input>,
    action: &str,
) -> Result<Element<'a, 'input>, CallFailure> {
    let root = document.root_element();
    let wanted = format!("{action}Result");
    root.children()
        .find(|node| node.is_element() && node.tag_name().name() == wanted)
        .map(Element)
        .ok_or_else(|| {
            malformed(
                action,
                &format!("no <{wanted}> in <{}>", root.tag_name().name()),
            )
        })
}

/// The error code and message of a Query error response (any body: an HTML page or an empty
/// body gives neither, and the caller reports the HTTP status).
pub fn parse_error(status: u16, _error_type: Option<&str>, body: &str) -> ApiError {
    let Ok(document) = roxmltree::Document::parse(body) else {
        return ApiError::new(status, None, None);
    };
    let error = document
        .descendants()
        .find(|node| node.is_element() && node.tag_name().name() == "Error")
        .map(Element);
    let code = error.and_then(|e| e.text("Code"));
    let message = error.and_then(|e| e.text("Message"));
    ApiError::new(status, code, message)
}

/// One element of a Query response, read by member name.
#[derive(Debug, Clone, Copy)]
pub struct Element<'a, 'input>(pub roxmltree::Node<'a, 'input>);

impl<'a, 'input> Element<'a, 'input> {
    /// The child element `name`.
    pub fn child(&self, name: &str) -> Option<Element<'a, 'input>> {
        self.0
            .children()
            .find(|node| node.is_element() && node.tag_name().name() == name)
            .map(Element)
    }

    /// The text of the child element `name` (`""` for an empty element), `None` when absent.
    pub fn text(&self, name: &str) -> Option<&'a str> {
        self.child(name).map(|child| child.0.text().unwrap_or(""))
    }

    /// The members of the list `name` (its child elements, whatever their tag); empty when the
    /// list is absent.
    pub fn list(&self, name: &str) -> Vec<Element<'a, 'input>> {
        self.child(name)
            .map(|list| {
                list.0
                    .children()
                    .filter(roxmltree::Node::is_element)
                    .map(Element)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The members of the string list `name`.
    pub fn strings(&self, name: &str) -> Vec<&'a str> {
        self.list(name)
            .iter()
            .map(|member| member.0.text().unwrap_or(""))
            .collect()
    }

    /// A boolean member (`true`/`false`); `None` when absent or not a boolean.
    pub fn bool(&self, name: &str) -> Option<bool> {
        match self.text(name)?.trim() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        }
    }

    /// An integer member; `None` when absent or not an integer.
    pub fn int(&self, name: &str) -> Option<i64> {
        self.text(name)?.trim().parse().ok()
    }

    /// A timestamp member (ISO 8601, as Query services send them) in the CLI's format;
    /// `None` when absent or not a timestamp.
    pub fn time(&self, name: &str) -> Option<String> {
        let text = self.text(name)?.trim();
        let parsed = DateTime::parse_from_rfc3339(text).ok()?;
        let utc = parsed.with_timezone(&Utc);
        // The CLI prints microseconds at most (the SDK's DateTime is truncated the same way).
        let micros = utc.timestamp_subsec_micros();
        let truncated = DateTime::<Utc>::from_timestamp(utc.timestamp(), micros * 1_000)?;
        Some(format_utc(&truncated))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_smithy_types::error::metadata::ProvideErrorMetadata;

    #[test]
    fn form_values_are_percent_encoded() {
        assert_eq!(
            form_body(
                "DescribeDBClusters",
                "2014-10-31",
                &[("Marker", "a b/+=&é~"), ("MaxRecords", "100")]
            ),
            "Action=DescribeDBClusters&Version=2014-10-31&Marker=a%20b%2F%2B%3D%26%C3%A9~&MaxRecords=100"
        );
    }

    /// The error document of the IAM and RDS API references (`ErrorResponse`).
    #[test]
    fn error_responses_give_code_and_message() {
        let body = r#"<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <Error>
    <Type>Sender</Type>
    <Code>AccessDenied</Code>
    <Message>User: arn:aws:iam::123456789012:user/auditor is not authorized to perform: iam:GetAccountAuthorizationDetails</Message>
  </Error>
  <RequestId>4c3fd0fe-0d9a-11e4-8e2d-EXAMPLE</RequestId>
</ErrorResponse>"#;
        let error = parse_error(403, None, body);
        assert_eq!(error.code(), Some("AccessDenied"));
        assert!(error.message().unwrap().contains("is not authorized"));
        let page = parse_error(502, None, "<html><body>Bad Gateway</body></html>");
        assert_eq!((page.code(), page.status), (None, 502));
        assert_eq!(parse_error(500, None, "").code(), None);
    }

    #[test]
    fn members_lists_and_scalars() {
        let xml = r#"<R xmlns="x"><Result>
            <Flag>true</Flag><Count>12</Count><Bad>x</Bad><Empty/>
            <When>2014-10-01T18:05:41Z</When><Frac>2025-11-01T12:26:40.489123999Z</Frac>
            <Groups><member>a</member><member>b</member></Groups>
            <Tags><Tag><Key>k</Key><Value>v</Value></Tag></Tags>
        </Result></R>"#;
        let document = roxmltree::Document::parse(xml).unwrap();
        let result = result_element(&document, "").unwrap();
        assert_eq!(result.bool("Flag"), Some(true));
        assert_eq!(result.int("Count"), Some(12));
        assert_eq!(result.int("Bad"), None);
        assert_eq!(result.text("Empty"), Some(""));
        assert_eq!(result.text("Missing"), None);
        assert_eq!(
            result.time("When").as_deref(),
            Some("2014-10-01T18:05:41+00:00")
        );
        assert_eq!(
            result.time("Frac").as_deref(),
            Some("2025-11-01T12:26:40.489123+00:00")
        );
        assert_eq!(result.strings("Groups"), ["a", "b"]);
        assert_eq!(result.list("Tags")[0].text("Key"), Some("k"));
        assert!(result.list("Missing").is_empty());
        assert!(result_element(&document, "Other").is_err());
    }
}
