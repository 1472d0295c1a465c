//! The account's IAM authorization details (`iam/get-account-authorization-details.json`):
//! users, groups, roles and managed policies with every page merged, as the CLI prints them
//! (policy documents URL-decoded and parsed). IAM is global: its coverage region is `global`.

use aws_sdk_iam::Client;
use aws_sdk_iam::types::{
    AttachedPermissionsBoundary, AttachedPolicy, GroupDetail, InstanceProfile, ManagedPolicyDetail,
    PolicyDetail, PolicyVersion, RoleDetail, Tag, UserDetail,
};
use serde_json::{Value, json};

use super::cli_shape::{JsonObject, policy_document};
use super::coverage::{CallFailure, classify};
use super::next_page_token;
use super::region_run::RegionRun;

pub(crate) const GET_AUTHORIZATION_DETAILS: &str = "iam:GetAccountAuthorizationDetails";
pub(crate) const FILE: &str = "iam/get-account-authorization-details.json";

/// Every page of GetAccountAuthorizationDetails, merged.
pub(crate) async fn authorization_details(
    run: &RegionRun,
    client: &Client,
) -> Result<Value, CallFailure> {
    let mut users = Vec::new();
    let mut groups = Vec::new();
    let mut roles = Vec::new();
    let mut policies = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let page = run
            .call(GET_AUTHORIZATION_DETAILS, || async {
                client
                    .get_account_authorization_details()
                    .max_items(1000)
                    .set_marker(marker.clone())
                    .send()
                    .await
                    .map_err(|e| classify(&e))
            })
            .await?;
        users.extend(page.user_detail_list().iter().map(user));
        groups.extend(page.group_detail_list().iter().map(group));
        roles.extend(page.role_detail_list().iter().map(role));
        policies.extend(page.policies().iter().map(managed_policy));
        let next = if page.is_truncated() {
            page.marker()
        } else {
            None
        };
        match next_page_token(&marker, next) {
            Some(next) => marker = Some(next),
            None => break,
        }
    }
    let by_arn = |a: &Value, b: &Value| a["Arn"].as_str().cmp(&b["Arn"].as_str());
    users.sort_by(by_arn);
    groups.sort_by(by_arn);
    roles.sort_by(by_arn);
    policies.sort_by(by_arn);
    Ok(json!({
        "UserDetailList": users,
        "GroupDetailList": groups,
        "RoleDetailList": roles,
        "Policies": policies,
    }))
}

fn inline_policies(list: &[PolicyDetail]) -> Vec<Value> {
    list.iter()
        .map(|policy| {
            JsonObject::new()
                .str("PolicyName", policy.policy_name())
                .opt(
                    "PolicyDocument",
                    policy.policy_document().map(policy_document),
                )
                .build()
        })
        .collect()
}

fn attached(list: &[AttachedPolicy]) -> Vec<Value> {
    list.iter()
        .map(|policy| {
            JsonObject::new()
                .str("PolicyName", policy.policy_name())
                .str("PolicyArn", policy.policy_arn())
                .build()
        })
        .collect()
}

fn boundary(value: &AttachedPermissionsBoundary) -> Value {
    JsonObject::new()
        .str(
            "PermissionsBoundaryType",
            value.permissions_boundary_type().map(|t| t.as_str()),
        )
        .str("PermissionsBoundaryArn", value.permissions_boundary_arn())
        .build()
}

fn tags(tags: &[Tag]) -> Vec<Value> {
    tags.iter()
        .map(|tag| json!({"Key": tag.key(), "Value": tag.value()}))
        .collect()
}

fn user(detail: &UserDetail) -> Value {
    JsonObject::new()
        .str("Path", detail.path())
        .str("UserName", detail.user_name())
        .str("UserId", detail.user_id())
        .str("Arn", detail.arn())
        .time("CreateDate", detail.create_date())
        .list("UserPolicyList", inline_policies(detail.user_policy_list()))
        .value("GroupList", json!(detail.group_list()))
        .value(
            "AttachedManagedPolicies",
            Value::Array(attached(detail.attached_managed_policies())),
        )
        .opt(
            "PermissionsBoundary",
            detail.permissions_boundary().map(boundary),
        )
        .list("Tags", tags(detail.tags()))
        .build()
}

fn group(detail: &GroupDetail) -> Value {
    JsonObject::new()
        .str("Path", detail.path())
        .str("GroupName", detail.group_name())
        .str("GroupId", detail.group_id())
        .str("Arn", detail.arn())
        .time("CreateDate", detail.create_date())
        .value(
            "GroupPolicyList",
            Value::Array(inline_policies(detail.group_policy_list())),
        )
        .value(
            "AttachedManagedPolicies",
            Value::Array(attached(detail.attached_managed_policies())),
        )
        .build()
}

fn instance_profile(profile: &InstanceProfile) -> Value {
    JsonObject::new()
        .str("Path", Some(profile.path()))
        .str("InstanceProfileName", Some(profile.instance_profile_name()))
        .str("InstanceProfileId", Some(profile.instance_profile_id()))
        .str("Arn", Some(profile.arn()))
        .time("CreateDate", Some(profile.create_date()))
        .build()
}

fn role(detail: &RoleDetail) -> Value {
    let last_used = detail.role_last_used().map(|last| {
        JsonObject::new()
            .time("LastUsedDate", last.last_used_date())
            .str("Region", last.region())
            .build()
    });
    JsonObject::new()
        .str("Path", detail.path())
        .str("RoleName", detail.role_name())
        .str("RoleId", detail.role_id())
        .str("Arn", detail.arn())
        .time("CreateDate", detail.create_date())
        .opt(
            "AssumeRolePolicyDocument",
            detail.assume_role_policy_document().map(policy_document),
        )
        .value(
            "InstanceProfileList",
            Value::Array(
                detail
                    .instance_profile_list()
                    .iter()
                    .map(instance_profile)
                    .collect(),
            ),
        )
        .value(
            "RolePolicyList",
            Value::Array(inline_policies(detail.role_policy_list())),
        )
        .value(
            "AttachedManagedPolicies",
            Value::Array(attached(detail.attached_managed_policies())),
        )
        .opt(
            "PermissionsBoundary",
            detail.permissions_boundary().map(boundary),
        )
        .list("Tags", tags(detail.tags()))
        .opt("RoleLastUsed", last_used)
        .build()
}

fn policy_version(version: &PolicyVersion) -> Value {
    JsonObject::new()
        .opt("Document", version.document().map(policy_document))
        .str("VersionId", version.version_id())
        .bool("IsDefaultVersion", Some(version.is_default_version()))
        .time("CreateDate", version.create_date())
        .build()
}

fn managed_policy(detail: &ManagedPolicyDetail) -> Value {
    JsonObject::new()
        // AWS always sends PolicyName; moto leaves it out, so it is taken from the ARN then.
        .str(
            "PolicyName",
            detail
                .policy_name()
                .or_else(|| detail.arn().and_then(|arn| arn.rsplit('/').next())),
        )
        .str("PolicyId", detail.policy_id())
        .str("Arn", detail.arn())
        .str("Path", detail.path())
        .str("DefaultVersionId", detail.default_version_id())
        .int("AttachmentCount", detail.attachment_count().map(i64::from))
        .int(
            "PermissionsBoundaryUsageCount",
            detail.permissions_boundary_usage_count().map(i64::from),
        )
        .bool("IsAttachable", Some(detail.is_attachable()))
        .str("Description", detail.description())
        .time("CreateDate", detail.create_date())
        .time("UpdateDate", detail.update_date())
        .value(
            "PolicyVersionList",
            Value::Array(
                detail
                    .policy_version_list()
                    .iter()
                    .map(policy_version)
                    .collect(),
            ),
        )
        .build()
}
