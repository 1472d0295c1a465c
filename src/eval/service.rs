//! The service rules that change the evaluation flow for some requests (`docs/semantics.md`,
//! "Service rules"): which role the resource policy plays (an ordinary resource policy, a KMS
//! key policy, a role trust policy), the one action that needs no permission
//! (`sts:GetCallerIdentity`), and when the organization's RCPs and SCPs do not apply
//! (services RCPs do not cover, AWS managed KMS keys, service-linked roles, `kms:RetireGrant`).
//! Pure functions of the request; the flow (`flow.rs`) applies them.

use super::principal::{Principal, PrincipalArn, PrincipalType};
use super::{Context, ContextValue};
use crate::arn::ArnParts;

/// How the flow treats the request's resource-based policy (`PolicySet::resource`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResourcePolicyRole {
    /// An ordinary resource-based policy (a secret's, a bucket's…): in the caller's account an
    /// `Allow` naming the caller is enough on its own.
    Ordinary,
    /// The key policy of a KMS key: a `kms:` action on `arn:…:kms:…:key/…`. Without an `Allow`
    /// in the key policy nothing is allowed; identity policies count only through a key-policy
    /// statement naming the account. A missing key policy denies (implicitly).
    KeyPolicy,
    /// The trust policy of a role: `sts:AssumeRole`, `sts:TagSession`, `sts:SetSourceIdentity`
    /// or `sts:SetContext` on `arn:…:iam::…:role/…`. It must allow the caller, directly or by
    /// naming the caller's account (then the caller's identity policies must allow too).
    TrustPolicy,
    /// The trust policy of a role for `sts:AssumeRoleWithSAML` or
    /// `sts:AssumeRoleWithWebIdentity`: calls not signed with AWS credentials, so the trust
    /// policy alone decides (RCP denies still apply).
    FederatedTrustPolicy,
}

/// The role of the resource policy for `action` on `resource`.
pub fn resource_policy_role(action: &str, resource: &str) -> ResourcePolicyRole {
    let Some((service, name)) = action.split_once(':') else {
        return ResourcePolicyRole::Ordinary;
    };
    // Cheap test first: every other service keeps the ordinary flow.
    let kms = service.eq_ignore_ascii_case("kms");
    if !kms && !service.eq_ignore_ascii_case("sts") {
        return ResourcePolicyRole::Ordinary;
    }
    let Some(parts) = ArnParts::split(resource) else {
        return ResourcePolicyRole::Ordinary;
    };
    if kms {
        return if parts.service == "kms" && parts.resource.starts_with("key/") {
            ResourcePolicyRole::KeyPolicy
        } else {
            ResourcePolicyRole::Ordinary
        };
    }
    if parts.service != "iam" || !parts.resource.starts_with("role/") {
        return ResourcePolicyRole::Ordinary;
    }
    let is = |wanted: &str| name.eq_ignore_ascii_case(wanted);
    if is("AssumeRoleWithSAML") || is("AssumeRoleWithWebIdentity") {
        ResourcePolicyRole::FederatedTrustPolicy
    } else if is("AssumeRole") || is("TagSession") || is("SetSourceIdentity") || is("SetContext") {
        ResourcePolicyRole::TrustPolicy
    } else {
        ResourcePolicyRole::Ordinary
    }
}

/// `sts:GetCallerIdentity`: "No permissions are required to perform this operation", and an
/// explicit deny does not stop it (STS API Reference).
pub fn needs_no_permission(action: &str) -> bool {
    action.eq_ignore_ascii_case("sts:GetCallerIdentity")
}

/// Why the organization's RCPs do not take part in a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RcpExemption {
    /// The action's service is not one RCPs apply to.
    UnsupportedService,
    /// The caller is a service-linked role, or a service assumes a service-linked role.
    ServiceLinkedRole,
    /// The resource is an AWS managed KMS key (the request context's `kms:ResourceAliases`
    /// holds an `alias/aws/…` alias).
    AwsManagedKey,
    /// `kms:RetireGrant`, which RCPs do not impact.
    RetireGrant,
}

impl RcpExemption {
    /// A short explanation for the trace.
    pub fn as_str(self) -> &'static str {
        match self {
            RcpExemption::UnsupportedService => "RCPs do not apply to this service's actions",
            RcpExemption::ServiceLinkedRole => {
                "RCPs do not apply to service-linked roles or to assuming one"
            }
            RcpExemption::AwsManagedKey => {
                "RCPs do not apply to AWS managed keys (kms:ResourceAliases holds alias/aws/…)"
            }
            RcpExemption::RetireGrant => "RCPs do not impact kms:RetireGrant",
        }
    }
}

/// The service prefixes RCPs apply to, sorted (AWS Organizations User Guide, "Resource control
/// policies (RCPs)", "List of AWS services that support RCPs").
const RCP_SERVICES: &[&str] = &[
    "aoss",
    "appconfig",
    "appstream",
    "autoscaling",
    "autoscaling-plans",
    "budgets",
    "clouddirectory",
    "cloudfront",
    "cloudsearch",
    "cloudtrail-data",
    "codeartifact",
    "codebuild",
    "codecommit",
    "codepipeline",
    "cognito-identity",
    "cognito-idp",
    "comprehend",
    "comprehendmedical",
    "compute-optimizer",
    "cost-optimization-hub",
    "dax",
    "dsql",
    "dynamodb",
    "ecr",
    "ecr-public",
    "events",
    "firehose",
    "fis",
    "fms",
    "gamelift",
    "health",
    "inspector-scan",
    "kendra",
    "kinesisvideo",
    "kms",
    "logs",
    "memorydb",
    "networkmonitor",
    "notifications",
    "opensearch",
    "pca-connector-ad",
    "personalize",
    "polly",
    "pricing",
    "resource-groups",
    "rolesanywhere",
    "s3",
    "secretsmanager",
    "servicediscovery",
    "signin",
    "sqs",
    "sts",
    "support",
    "swf",
    "textract",
    "timestream-influxdb",
    "transcribe",
    "transfer",
    "translate",
    "wafv2",
    "workspaces",
    "xray",
];

/// Whether RCPs apply to actions of `service` (any case).
pub fn rcps_cover_service(service: &str) -> bool {
    RCP_SERVICES
        .binary_search_by(|probe| {
            probe
                .bytes()
                .cmp(service.bytes().map(|b| b.to_ascii_lowercase()))
        })
        .is_ok()
}

/// Why the RCPs of the resource's organization do not apply to the request, if they do not.
pub fn rcp_exemption(
    action: &str,
    resource: &str,
    principal: &Principal,
    context: &Context,
) -> Option<RcpExemption> {
    let (service, name) = action.split_once(':').unwrap_or((action, ""));
    if !rcps_cover_service(service) {
        return Some(RcpExemption::UnsupportedService);
    }
    if let Principal::Arn(caller) = principal
        && is_service_linked_role(caller)
    {
        return Some(RcpExemption::ServiceLinkedRole);
    }
    let role = resource_policy_role(action, resource);
    if role == ResourcePolicyRole::TrustPolicy && is_service_linked_role_arn(resource) {
        return Some(RcpExemption::ServiceLinkedRole);
    }
    if role == ResourcePolicyRole::KeyPolicy {
        if name.eq_ignore_ascii_case("RetireGrant") {
            return Some(RcpExemption::RetireGrant);
        }
        if is_aws_managed_key(context) {
            return Some(RcpExemption::AwsManagedKey);
        }
    }
    None
}

/// Whether SCPs do not apply because the caller is a service-linked role ("SCPs do not affect
/// service-linked roles", AWS Organizations User Guide, "Service control policies").
pub fn scp_exempt(principal: &Principal) -> bool {
    matches!(principal, Principal::Arn(caller) if is_service_linked_role(caller))
}

/// A KMS key whose aliases (the request's `kms:ResourceAliases`) include one in the
/// `alias/aws/` namespace, which AWS reserves for AWS managed keys.
pub fn is_aws_managed_key(context: &Context) -> bool {
    let is_reserved = |value: &ContextValue| match value {
        ContextValue::String(alias) => alias.starts_with("alias/aws/"),
        _ => false,
    };
    match context.get("kms:ResourceAliases") {
        Some(ContextValue::List(values)) => values.iter().any(is_reserved),
        Some(value) => is_reserved(value),
        None => false,
    }
}

/// A service-linked role or one of its sessions: roles under the path `/aws-service-role/`,
/// whose names start with `AWSServiceRoleFor` (a session ARN carries no path, so for sessions
/// the name decides).
fn is_service_linked_role(caller: &PrincipalArn) -> bool {
    match caller.kind() {
        PrincipalType::Role => is_service_linked_role_arn(caller.arn()),
        PrincipalType::AssumedRole => caller.name().starts_with("AWSServiceRoleFor"),
        _ => false,
    }
}

fn is_service_linked_role_arn(arn: &str) -> bool {
    ArnParts::split(arn).is_some_and(|parts| {
        parts.service == "iam" && parts.resource.starts_with("role/aws-service-role/")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rcp_services_are_sorted() {
        assert!(RCP_SERVICES.windows(2).all(|w| w[0] < w[1]));
        assert!(rcps_cover_service("SecretsManager"));
        assert!(!rcps_cover_service("iam"));
    }

    #[test]
    fn roles_of_the_resource_policy() {
        let key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        let role = "arn:aws:iam::111122223333:role/app";
        assert_eq!(
            resource_policy_role("kms:Decrypt", key),
            ResourcePolicyRole::KeyPolicy
        );
        assert_eq!(
            resource_policy_role("kms:Decrypt", "arn:aws:kms:us-east-1:111122223333:alias/x"),
            ResourcePolicyRole::Ordinary
        );
        assert_eq!(
            resource_policy_role("STS:assumerole", role),
            ResourcePolicyRole::TrustPolicy
        );
        assert_eq!(
            resource_policy_role("sts:AssumeRoleWithSAML", role),
            ResourcePolicyRole::FederatedTrustPolicy
        );
        assert_eq!(
            resource_policy_role("sts:AssumeRole", "arn:aws:iam::111122223333:user/u"),
            ResourcePolicyRole::Ordinary
        );
        assert_eq!(
            resource_policy_role("secretsmanager:GetSecretValue", key),
            ResourcePolicyRole::Ordinary
        );
    }
}
