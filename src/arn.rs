//! ARN text: splitting `arn:partition:service:region:account:resource` into its parts without
//! copying, and matching ARN patterns (the `Resource` element, `ArnLike` values) through
//! [`crate::glob`]. It knows nothing of policies or requests.

use crate::glob::{self, Case, Colons, Piece};

/// The six colon-separated parts of an ARN; `resource` keeps any further colons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArnParts<'a> {
    /// `aws`, `aws-cn`, `aws-us-gov`, …
    pub partition: &'a str,
    /// `secretsmanager`, `iam`, …
    pub service: &'a str,
    /// Empty for global services.
    pub region: &'a str,
    /// Empty for resources without an account (S3 buckets).
    pub account: &'a str,
    /// `secret:prod/db-a1b2c3`, `role/path/name`, …
    pub resource: &'a str,
}

impl<'a> ArnParts<'a> {
    /// Splits `text` when it starts with `arn:` and has all six parts.
    pub fn split(text: &'a str) -> Option<ArnParts<'a>> {
        let mut parts = text.splitn(6, ':');
        if parts.next()? != "arn" {
            return None;
        }
        Some(ArnParts {
            partition: parts.next()?,
            service: parts.next()?,
            region: parts.next()?,
            account: parts.next()?,
            resource: parts.next()?,
        })
    }
}

/// The account of an ARN, when it names one.
pub fn account_of(text: &str) -> Option<&str> {
    ArnParts::split(text)
        .map(|parts| parts.account)
        .filter(|account| !account.is_empty())
}

/// `Resource` element matching: segment-aware wildcards, a segment's trailing `*` may cross
/// `:`, case-sensitive.
pub fn resource_matches(pattern: &[Piece<'_>], resource: &str) -> bool {
    glob::matches_pieces(pattern, resource, Case::Sensitive, Colons::ResourceArn)
}

/// `ArnLike` / `ArnEquals` matching: each of the six parts separately, case-sensitive.
pub fn condition_matches(pattern: &[Piece<'_>], value: &str) -> bool {
    glob::matches_pieces(pattern, value, Case::Sensitive, Colons::ConditionArn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_six_parts() {
        let parts =
            ArnParts::split("arn:aws:secretsmanager:us-east-1:111122223333:secret:a:b").unwrap();
        assert_eq!(parts.partition, "aws");
        assert_eq!(parts.service, "secretsmanager");
        assert_eq!(parts.region, "us-east-1");
        assert_eq!(parts.account, "111122223333");
        assert_eq!(parts.resource, "secret:a:b");
        assert_eq!(ArnParts::split("arn:aws:s3:::bucket").unwrap().account, "");
        assert!(ArnParts::split("arn:aws:s3").is_none());
        assert!(ArnParts::split("*").is_none());
        assert!(ArnParts::split("urn:aws:s3:::b:c").is_none());
    }

    #[test]
    fn account_of_table() {
        let table = [
            (
                "arn:aws:secretsmanager:us-east-1:111122223333:secret:x",
                Some("111122223333"),
            ),
            ("arn:aws:s3:::bucket", None),
            ("*", None),
            ("", None),
        ];
        for (arn, want) in table {
            assert_eq!(account_of(arn), want, "{arn}");
        }
    }

    #[test]
    fn resource_and_condition_matching_differ_on_colons() {
        let pattern = [Piece::Wild("arn:aws:someservice:*:111122223333:finance/*")];
        let text = "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt";
        assert!(!condition_matches(&pattern, text));
        // the region `*` ends its segment, so in a Resource element it may cross `:`
        assert!(resource_matches(&pattern, text));
    }
}
