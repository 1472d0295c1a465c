//! `Principal` / `NotPrincipal` values: classifying each value and compiling it into a rule the
//! evaluator can match against a caller without parsing text again.

use super::{PolicyError, PrincipalPattern};

/// A compiled principal value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PrincipalRule {
    /// `*`: everyone, anonymous included.
    Everyone,
    /// An account id (`111122223333` or `…:root`).
    Account(Box<str>),
    /// An IAM user ARN (exact).
    User(Box<str>),
    /// An IAM role ARN: its account and name match the role's sessions.
    Role {
        arn: Box<str>,
        account: Box<str>,
        name: Box<str>,
    },
    /// An assumed-role session ARN (exact).
    Session(Box<str>),
    /// A federated-user session ARN (exact).
    FederatedUser(Box<str>),
    /// A `Federated` identity provider: a SAML/OIDC provider ARN or a well-known web identity
    /// provider name (`accounts.google.com`); matches the provider of a federated call.
    IdentityProvider(Box<str>),
    /// `{"Service": "lambda.amazonaws.com"}`: matches that service principal as the caller.
    Service(Box<str>),
    /// Canonical user, unique id: never a caller.
    Never,
}

/// Classifies one `{"AWS": …}` value.
pub(crate) fn aws_principal(
    text: &str,
    path: &str,
) -> Result<(PrincipalPattern, PrincipalRule), PolicyError> {
    if text == "*" {
        return Ok((PrincipalPattern::Everyone, PrincipalRule::Everyone));
    }
    if crate::arn::is_account_id(text) {
        return Ok((
            PrincipalPattern::Account(text.to_owned()),
            PrincipalRule::Account(text.into()),
        ));
    }
    if !text.starts_with("arn:") {
        if is_unique_id(text) {
            return Ok((
                PrincipalPattern::UniqueId(text.to_owned()),
                PrincipalRule::Never,
            ));
        }
        return Err(PolicyError::new(
            path,
            format!("expected `*`, a 12-digit account id or a principal arn, found `{text}`"),
        ));
    }
    if text.contains(['*', '?']) {
        return Err(PolicyError::new(
            path,
            format!(
                "a principal arn cannot contain wildcards, found `{text}`; use `\"Principal\": \"*\"` with an `aws:PrincipalArn` condition"
            ),
        ));
    }
    let bad = || {
        PolicyError::new(
            path,
            format!(
                "expected an account, user, role, assumed-role or federated-user arn, found `{text}`"
            ),
        )
    };
    let Some(crate::arn::ArnParts {
        partition,
        service,
        region,
        account,
        resource: rest,
    }) = crate::arn::ArnParts::split(text)
    else {
        return Err(bad());
    };
    if partition.is_empty() || !region.is_empty() || !crate::arn::is_account_id(account) {
        return Err(bad());
    }
    let rule = match (service, rest) {
        ("iam", "root") => {
            return Ok((
                PrincipalPattern::Account(account.to_owned()),
                PrincipalRule::Account(account.into()),
            ));
        }
        ("iam", rest) if rest.starts_with("user/") && rest.len() > 5 => {
            PrincipalRule::User(text.into())
        }
        ("iam", rest) if rest.starts_with("role/") && rest.len() > 5 => PrincipalRule::Role {
            arn: text.into(),
            account: account.into(),
            name: rest.rsplit('/').next().unwrap_or(rest).into(),
        },
        ("sts", rest) if rest.starts_with("assumed-role/") && rest.matches('/').count() == 2 => {
            PrincipalRule::Session(text.into())
        }
        ("sts", rest) if rest.starts_with("federated-user/") && rest.len() > 15 => {
            PrincipalRule::FederatedUser(text.into())
        }
        // Other IAM principals that resource policies may name (saml-provider, oidc-provider)
        // are never the caller of a request.
        ("iam", _) => PrincipalRule::Never,
        _ => return Err(bad()),
    };
    Ok((PrincipalPattern::Arn(text.to_owned()), rule))
}

/// `AIDA…`, `AROA…`, … as AWS writes a deleted principal.
fn is_unique_id(text: &str) -> bool {
    text.len() >= 16
        && text.starts_with('A')
        && text
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}
