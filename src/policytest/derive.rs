//! `"derive_context": true`: the standard principal keys AWS puts in every signed request,
//! derived from the principal. Only keys whose value the principal's ARN really determines are
//! derived, after the IAM User Guide ("IAM policy elements: Variables and tags", the table of
//! `aws:username` / `aws:userid` / `aws:PrincipalType`; "AWS global condition context keys" for
//! `aws:PrincipalArn` and `aws:PrincipalAccount`): an IAM user's `aws:userid` is its unique id
//! and a role session's starts with the role id, which no ARN carries, so neither is derived.

use crate::eval::{Principal, PrincipalType};

/// The keys derivable from `principal`, in a fixed order.
pub fn derive_principal_keys(principal: &Principal) -> Vec<(&'static str, String)> {
    let arn = match principal {
        // The table's "Anonymous caller" row (AWS sets no ARN or account for it).
        Principal::Anonymous => {
            return vec![
                ("aws:PrincipalType", String::from("Anonymous")),
                ("aws:userid", String::from("anonymous")),
            ];
        }
        Principal::Arn(arn) => arn,
    };
    let account = arn.account().to_owned();
    let common = |principal_arn: String, kind: &str| {
        vec![
            ("aws:PrincipalArn", principal_arn),
            ("aws:PrincipalAccount", account.clone()),
            ("aws:PrincipalType", kind.to_owned()),
        ]
    };
    match arn.kind() {
        PrincipalType::Root => {
            let mut keys = common(arn.arn().to_owned(), "Account");
            keys.push(("aws:userid", account.clone()));
            keys
        }
        PrincipalType::User => {
            let mut keys = common(arn.arn().to_owned(), "User");
            keys.push(("aws:username", arn.name().to_owned()));
            keys
        }
        // A request "by a role" is made by one of its sessions.
        PrincipalType::Role => common(arn.arn().to_owned(), "AssumedRole"),
        // For a role session AWS reports the role's ARN. INVARIANT: a session ARN carries no
        // role path, so the role ARN is derived without one; a case about a role with a path
        // gives `aws:PrincipalArn` itself.
        PrincipalType::AssumedRole => common(
            format!(
                "arn:{}:iam::{}:role/{}",
                arn.partition(),
                account,
                arn.name()
            ),
            "AssumedRole",
        ),
        // A federated call's identity provider is not an IAM principal: AWS sets provider
        // keys (`saml:…`, `<host>:sub`) from the assertion, which no ARN determines.
        PrincipalType::IdentityProvider => Vec::new(),
        // A service principal calling on its own behalf.
        PrincipalType::Service => vec![
            ("aws:PrincipalServiceName", arn.arn().to_owned()),
            ("aws:PrincipalIsAWSService", String::from("true")),
        ],
        PrincipalType::FederatedUser => {
            let mut keys = common(arn.arn().to_owned(), "FederatedUser");
            keys.push(("aws:userid", format!("{account}:{}", arn.name())));
            keys
        }
    }
}
