//! The caller of a request: anonymous, or an IAM/STS principal ARN split into its parts.

use super::RequestError;

/// Who makes the request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Principal {
    /// An unauthenticated caller: only a resource policy naming `"*"` can allow it.
    Anonymous,
    /// An authenticated IAM or STS principal.
    Arn(PrincipalArn),
}

/// What kind of IAM/STS principal an ARN names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PrincipalType {
    /// `arn:aws:iam::A:root`, the account root user.
    Root,
    /// `arn:aws:iam::A:user/path/name`.
    User,
    /// `arn:aws:iam::A:role/path/name` (a request by a role is a request by one of its sessions).
    Role,
    /// `arn:aws:sts::A:assumed-role/role/session`.
    AssumedRole,
    /// `arn:aws:sts::A:federated-user/name` (a `GetFederationToken` session).
    FederatedUser,
    /// `arn:aws:iam::A:saml-provider/NAME` or `arn:aws:iam::A:oidc-provider/HOST`: the
    /// identity provider behind an `sts:AssumeRoleWithSAML` / `…WithWebIdentity` call (not an
    /// IAM principal: it has no policies of its own). A well-known web identity provider
    /// (`accounts.google.com`, `cognito-identity.amazonaws.com`, …) is written as an
    /// `oidc-provider/HOST` ARN.
    IdentityProvider,
    /// An AWS service principal such as `lambda.amazonaws.com` (written without `arn:`): it
    /// has no policies of its own, so only a resource policy naming it (or everyone) allows
    /// it. Its `account()` is empty.
    Service,
}

/// A parsed principal ARN.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PrincipalArn {
    arn: String,
    partition: String,
    account: String,
    kind: PrincipalType,
    /// User or role name (last path component), federated user name; empty for root.
    name: String,
    /// Session name of an assumed-role session; empty otherwise.
    session: String,
    /// A service-linked role (path `/aws-service-role/`) or a session of one (role name
    /// `AWSServiceRoleFor…`; a session ARN carries no path). Computed once here: SCP and RCP
    /// checks ask on every decision.
    service_linked: bool,
}

impl Principal {
    /// Parses a user, role, assumed-role session, federated-user or root ARN.
    pub fn parse(text: &str) -> Result<Principal, RequestError> {
        PrincipalArn::parse(text).map(Principal::Arn)
    }

    /// The principal's account, `None` for anonymous callers.
    pub fn account(&self) -> Option<&str> {
        match self {
            Principal::Anonymous => None,
            Principal::Arn(arn) => Some(arn.account()),
        }
    }
}

impl PrincipalArn {
    /// Parses a user, role, assumed-role session, federated-user, root or identity-provider
    /// ARN, or an AWS service principal (`lambda.amazonaws.com`).
    pub fn parse(text: &str) -> Result<PrincipalArn, RequestError> {
        let bad = |reason: &str| RequestError::Principal {
            principal: text.to_owned(),
            reason: reason.to_owned(),
        };
        if is_service_principal(text) {
            return Ok(PrincipalArn {
                arn: text.to_owned(),
                partition: String::new(),
                account: String::new(),
                kind: PrincipalType::Service,
                name: text.to_owned(),
                session: String::new(),
                service_linked: false,
            });
        }
        let mut parts = text.splitn(6, ':');
        let (Some("arn"), Some(partition), Some(service), Some(region), Some(account), Some(rest)) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(bad("expected `arn:PARTITION:iam|sts::ACCOUNT:…`"));
        };
        if partition.is_empty() {
            return Err(bad("empty partition"));
        }
        if !region.is_empty() {
            return Err(bad("principal arns have no region"));
        }
        if !crate::arn::is_account_id(account) {
            return Err(bad("the account must be 12 digits"));
        }
        if rest.contains('*') || rest.contains('?') {
            return Err(bad("a principal arn cannot contain wildcards"));
        }
        let (kind, name, session) = match service {
            "iam" => {
                if rest == "root" {
                    (PrincipalType::Root, "", "")
                } else if let Some(path_name) = rest.strip_prefix("user/") {
                    (PrincipalType::User, last_component(path_name), "")
                } else if let Some(path_name) = rest.strip_prefix("role/") {
                    (PrincipalType::Role, last_component(path_name), "")
                } else if let Some(name) = rest
                    .strip_prefix("saml-provider/")
                    .or_else(|| rest.strip_prefix("oidc-provider/"))
                {
                    (PrincipalType::IdentityProvider, name, "")
                } else {
                    return Err(bad(
                        "expected `root`, `user/…`, `role/…`, `saml-provider/…` or \
                         `oidc-provider/…` after the account",
                    ));
                }
            }
            "sts" => {
                if let Some(role_session) = rest.strip_prefix("assumed-role/") {
                    match role_session.split_once('/') {
                        Some((role, session))
                            if !role.is_empty()
                                && !session.is_empty()
                                && !session.contains('/') =>
                        {
                            (PrincipalType::AssumedRole, role, session)
                        }
                        _ => return Err(bad("expected `assumed-role/ROLE/SESSION`")),
                    }
                } else if let Some(name) = rest.strip_prefix("federated-user/") {
                    (PrincipalType::FederatedUser, name, "")
                } else {
                    return Err(bad(
                        "expected `assumed-role/…` or `federated-user/…` after the account",
                    ));
                }
            }
            _ => return Err(bad("the service must be `iam` or `sts`")),
        };
        if kind != PrincipalType::Root && name.is_empty() {
            return Err(bad("empty principal name"));
        }
        Ok(PrincipalArn {
            arn: text.to_owned(),
            partition: partition.to_owned(),
            account: account.to_owned(),
            kind,
            name: name.to_owned(),
            session: session.to_owned(),
            service_linked: match kind {
                PrincipalType::Role => rest.starts_with("role/aws-service-role/"),
                PrincipalType::AssumedRole => name.starts_with("AWSServiceRoleFor"),
                _ => false,
            },
        })
    }

    /// The full ARN as given.
    pub fn arn(&self) -> &str {
        &self.arn
    }

    /// `aws`, `aws-cn`, `aws-us-gov`, …
    pub fn partition(&self) -> &str {
        &self.partition
    }

    /// The 12-digit account id.
    pub fn account(&self) -> &str {
        &self.account
    }

    /// What kind of principal this is.
    pub fn kind(&self) -> PrincipalType {
        self.kind
    }

    /// User name, role name (also for an assumed-role session), federated user name or
    /// identity provider name (`oidc-provider/HOST`: the host); empty for root.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A service-linked role or one of its sessions: roles under the path
    /// `/aws-service-role/`, whose names start with `AWSServiceRoleFor` (for a session, whose
    /// ARN carries no path, the name decides).
    pub fn is_service_linked_role(&self) -> bool {
        self.service_linked
    }

    /// The session name of an assumed-role session, empty otherwise.
    pub fn session_name(&self) -> &str {
        &self.session
    }
}

fn last_component(path_name: &str) -> &str {
    path_name.rsplit('/').next().unwrap_or(path_name)
}

/// `SERVICE.amazonaws.com` (also `.amazonaws.com.cn`, `.amazon.com`): how policies name AWS
/// service principals.
pub(crate) fn is_service_principal(text: &str) -> bool {
    let host = text
        .strip_suffix(".amazonaws.com")
        .or_else(|| text.strip_suffix(".amazonaws.com.cn"))
        .or_else(|| text.strip_suffix(".amazon.com"));
    host.is_some_and(|host| {
        !host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
    })
}
