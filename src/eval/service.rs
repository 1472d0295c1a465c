//! The service rules that change the evaluation flow for some requests (`docs/semantics.md`,
//! "Service rules"): which role the resource policy plays (an ordinary resource policy, a KMS
//! key policy, a role trust policy), the one action that needs no permission
//! (`sts:GetCallerIdentity`), and when the organization's RCPs and SCPs do not apply
//! (services RCPs do not cover, AWS managed KMS keys, service-linked roles, `kms:RetireGrant`).
//! Pure functions of the request; the flow (`flow.rs`) applies them.

use super::principal::Principal;
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
    role_for(service, name, resource)
}

/// `resource_policy_role` for an action already split into service prefix and name.
pub(crate) fn role_for(service: &str, name: &str, resource: &str) -> ResourcePolicyRole {
    // Cheap test first: every other service keeps the ordinary flow.
    let kms = service.eq_ignore_ascii_case("kms");
    if !kms && !service.eq_ignore_ascii_case("sts") {
        return ResourcePolicyRole::Ordinary;
    }
    let Some(parts) = ArnParts::split(resource) else {
        return ResourcePolicyRole::Ordinary;
    };
    if kms {
        // A key, or an alias standing for its key in a key operation; the alias operations
        // themselves (`CreateAlias`, …) are authorized on the alias by IAM policies alone.
        let key_operation = parts.resource.starts_with("key/")
            || (parts.resource.starts_with("alias/") && !ends_with_ignore_case(name, "Alias"));
        return if parts.service == "kms" && key_operation {
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

fn ends_with_ignore_case(text: &str, suffix: &str) -> bool {
    text.len() >= suffix.len()
        && text.as_bytes()[text.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
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
    /// The action authorizes no resource (`"*"`: `secretsmanager:ListSecrets`, …); RCPs apply
    /// to the resources an operation authorizes.
    NoResource,
    /// The caller is a service-linked role, or a service assumes a service-linked role.
    ServiceLinkedRole,
    /// The resource is an AWS managed KMS key (`is_aws_managed_key`).
    AwsManagedKey,
    /// `kms:RetireGrant`, which RCPs do not impact.
    RetireGrant,
}

impl RcpExemption {
    /// A short explanation for the trace.
    pub fn as_str(self) -> &'static str {
        match self {
            RcpExemption::UnsupportedService => "RCPs do not apply to this service's actions",
            RcpExemption::NoResource => {
                "RCPs apply only to the resources an action authorizes; this one names none"
            }
            RcpExemption::ServiceLinkedRole => {
                "RCPs do not apply to service-linked roles or to assuming one"
            }
            RcpExemption::AwsManagedKey => "RCPs do not apply to AWS managed keys",
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
    // Lower-case into a stack buffer once (every listed prefix is shorter), then compare slices.
    let mut buffer = [0u8; 32];
    let Some(lower) = buffer.get_mut(..service.len()) else {
        return false;
    };
    lower.copy_from_slice(service.as_bytes());
    lower.make_ascii_lowercase();
    let lower = &*lower;
    RCP_SERVICES
        .binary_search_by(|probe| probe.as_bytes().cmp(lower))
        .is_ok()
}

/// Why the RCPs of the resource's organization do not apply to the request, if they do not.
/// `key_policy_id`: the `Id` of the request's resource policy, if any.
pub fn rcp_exemption(
    action: &str,
    resource: &str,
    principal: &Principal,
    context: &Context,
    key_policy_id: Option<&str>,
) -> Option<RcpExemption> {
    let (service, name) = action.split_once(':').unwrap_or((action, ""));
    let role = role_for(service, name, resource);
    rcp_exemption_for(
        service,
        name,
        role,
        resource,
        principal,
        context,
        key_policy_id,
    )
}

/// `rcp_exemption` for an action already split and classified (the hot path).
pub(crate) fn rcp_exemption_for(
    service: &str,
    name: &str,
    role: ResourcePolicyRole,
    resource: &str,
    principal: &Principal,
    context: &Context,
    key_policy_id: Option<&str>,
) -> Option<RcpExemption> {
    if !rcps_cover_service(service) {
        return Some(RcpExemption::UnsupportedService);
    }
    if resource == "*" {
        return Some(RcpExemption::NoResource);
    }
    if let Principal::Arn(caller) = principal
        && caller.is_service_linked_role()
    {
        return Some(RcpExemption::ServiceLinkedRole);
    }
    if role == ResourcePolicyRole::TrustPolicy && is_service_linked_role_arn(resource) {
        return Some(RcpExemption::ServiceLinkedRole);
    }
    if role == ResourcePolicyRole::KeyPolicy {
        if name.eq_ignore_ascii_case("RetireGrant") {
            return Some(RcpExemption::RetireGrant);
        }
        if is_aws_managed_key(resource, context, key_policy_id) {
            return Some(RcpExemption::AwsManagedKey);
        }
    }
    None
}

/// Whether SCPs do not apply because the caller is a service-linked role ("SCPs do not affect
/// service-linked roles", AWS Organizations User Guide, "Service control policies").
pub fn scp_exempt(principal: &Principal) -> bool {
    matches!(principal, Principal::Arn(caller) if caller.is_service_linked_role())
}

/// Whether the KMS key of a request is an AWS managed key. A request cannot see who manages a
/// key; three signs say so: the resource is an alias in the `alias/aws/` namespace, which AWS
/// reserves for AWS managed keys; the key's aliases (the request's `kms:ResourceAliases`)
/// include one; or the key policy's `Id` is one AWS gives the policies of its managed keys
/// (`auto-secretsmanager-2`, `auto-ebs-2`, …: `auto-` followed by the service).
pub fn is_aws_managed_key(resource: &str, context: &Context, key_policy_id: Option<&str>) -> bool {
    if ArnParts::split(resource).is_some_and(|parts| parts.resource.starts_with("alias/aws/")) {
        return true;
    }
    if key_policy_id.is_some_and(|id| id.starts_with("auto-")) {
        return true;
    }
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
    fn aws_managed_keys_are_known_by_alias_or_policy_id() {
        let key = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        assert_eq!(
            resource_policy_role("kms:Decrypt", key),
            ResourcePolicyRole::KeyPolicy
        );
        let mut context = Context::new();
        context.insert(
            "kms:ResourceAliases",
            ContextValue::List(vec![ContextValue::String(
                "alias/aws/secretsmanager".to_owned(),
            )]),
        );
        assert!(is_aws_managed_key(key, &context, None));
        assert!(!is_aws_managed_key(
            key,
            &Context::new(),
            Some("key-default-1")
        ));
        assert!(is_aws_managed_key(
            key,
            &Context::new(),
            Some("auto-secretsmanager-2")
        ));
        let alias = "arn:aws:kms:eu-west-1:111122223333:alias/aws/secretsmanager";
        assert!(is_aws_managed_key(alias, &Context::new(), None));
    }

    #[test]
    fn roles_of_the_resource_policy() {
        let key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        let role = "arn:aws:iam::111122223333:role/app";
        assert_eq!(
            resource_policy_role("kms:Decrypt", key),
            ResourcePolicyRole::KeyPolicy
        );
        let alias = "arn:aws:kms:us-east-1:111122223333:alias/x";
        assert_eq!(
            resource_policy_role("kms:Decrypt", alias),
            ResourcePolicyRole::KeyPolicy
        );
        assert_eq!(
            resource_policy_role("kms:UpdateAlias", alias),
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
