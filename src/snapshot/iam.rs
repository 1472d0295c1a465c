//! The IAM side of a snapshot: `aws iam get-account-authorization-details` (users, groups, roles,
//! customer and attached AWS managed policies), with every policy document decoded to a JSON
//! value whether the file holds it decoded (AWS CLI v2) or URL-encoded (the API and SDKs).
//!
//! It also answers which documents apply to a user or role (inline, attached managed, through
//! groups, and the permissions boundary), as names and documents; it does not parse policy
//! grammar nor evaluate anything (that is `crate::policy` and `crate::eval`).

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use super::json_path::{FieldError, JsonAt};
use super::policy_document::decode_policy_document;
use super::problem::{Concerns, Reading, record_of};
use super::secrets::{Tag, pages, read_tag};
use crate::policy::PolicyKind;

/// An inline policy of a user, group or role.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InlinePolicy {
    pub policy_name: String,
    pub document: Value,
}

/// A managed policy attached to a user, group or role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttachedPolicy {
    pub policy_name: Option<String>,
    pub policy_arn: String,
}

/// `PermissionsBoundary` of a user or role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PermissionsBoundary {
    /// `Policy`.
    pub boundary_type: Option<String>,
    pub policy_arn: String,
}

/// An entry of `UserDetailList`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IamUser {
    pub user_name: String,
    pub arn: String,
    pub user_id: Option<String>,
    pub path: Option<String>,
    pub create_date: Option<DateTime<Utc>>,
    pub inline_policies: Vec<InlinePolicy>,
    pub attached_managed_policies: Vec<AttachedPolicy>,
    /// Group names.
    pub groups: Vec<String>,
    pub permissions_boundary: Option<PermissionsBoundary>,
    pub tags: Vec<Tag>,
}

/// An entry of `GroupDetailList`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IamGroup {
    pub group_name: String,
    pub arn: String,
    pub group_id: Option<String>,
    pub path: Option<String>,
    pub inline_policies: Vec<InlinePolicy>,
    pub attached_managed_policies: Vec<AttachedPolicy>,
}

/// An entry of `RoleDetailList`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IamRole {
    pub role_name: String,
    pub arn: String,
    pub role_id: Option<String>,
    pub path: Option<String>,
    pub create_date: Option<DateTime<Utc>>,
    /// The trust policy.
    pub assume_role_policy_document: Option<Value>,
    pub inline_policies: Vec<InlinePolicy>,
    pub attached_managed_policies: Vec<AttachedPolicy>,
    pub permissions_boundary: Option<PermissionsBoundary>,
    pub tags: Vec<Tag>,
}

/// An entry of a managed policy's `PolicyVersionList`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyVersion {
    pub version_id: String,
    pub is_default_version: bool,
    pub create_date: Option<DateTime<Utc>>,
    pub document: Value,
}

/// An entry of `Policies` (customer managed, and AWS managed ones in use).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ManagedPolicy {
    pub policy_name: String,
    pub arn: String,
    pub policy_id: Option<String>,
    pub path: Option<String>,
    pub default_version_id: Option<String>,
    pub attachment_count: Option<u64>,
    pub versions: Vec<PolicyVersion>,
}

impl ManagedPolicy {
    /// The document of the default version (`DefaultVersionId`, else the version flagged
    /// `IsDefaultVersion`).
    pub fn default_document(&self) -> Option<&Value> {
        let by_id = self.default_version_id.as_deref().and_then(|id| {
            self.versions
                .iter()
                .find(|version| version.version_id == id)
        });
        by_id
            .or_else(|| {
                self.versions
                    .iter()
                    .find(|version| version.is_default_version)
            })
            .map(|version| &version.document)
    }
}

/// The output of `get-account-authorization-details`, all pages merged.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct IamAuthorizationDetails {
    pub users: Vec<IamUser>,
    pub groups: Vec<IamGroup>,
    pub roles: Vec<IamRole>,
    pub policies: Vec<ManagedPolicy>,
}

/// A policy document that applies to a principal, with a name saying where it comes from:
/// the managed policy ARN, or `user/NAME/POLICY`, `group/NAME/POLICY`, `role/NAME/POLICY` for
/// inline policies.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NamedDocument<'a> {
    pub name: String,
    pub document: &'a Value,
}

/// The documents that apply to a user or role. `unresolved` lists attached managed policy ARNs
/// whose documents the snapshot lacks (an AWS managed policy filtered out of the output).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PrincipalDocuments<'a> {
    pub identity: Vec<NamedDocument<'a>>,
    pub boundary: Option<NamedDocument<'a>>,
    pub unresolved: Vec<String>,
}

impl IamAuthorizationDetails {
    pub fn managed_policy(&self, arn: &str) -> Option<&ManagedPolicy> {
        self.policies.iter().find(|policy| policy.arn == arn)
    }

    pub fn user(&self, arn: &str) -> Option<&IamUser> {
        self.users.iter().find(|user| user.arn == arn)
    }

    pub fn role(&self, arn: &str) -> Option<&IamRole> {
        self.roles.iter().find(|role| role.arn == arn)
    }

    pub fn group_named(&self, name: &str) -> Option<&IamGroup> {
        self.groups.iter().find(|group| group.group_name == name)
    }

    fn add_attached<'a>(&'a self, attached: &[AttachedPolicy], out: &mut PrincipalDocuments<'a>) {
        for policy in attached {
            match self
                .managed_policy(&policy.policy_arn)
                .and_then(ManagedPolicy::default_document)
            {
                Some(document) => out.identity.push(NamedDocument {
                    name: policy.policy_arn.clone(),
                    document,
                }),
                None => out.unresolved.push(policy.policy_arn.clone()),
            }
        }
    }

    fn boundary_of<'a>(
        &'a self,
        boundary: Option<&PermissionsBoundary>,
        out: &mut PrincipalDocuments<'a>,
    ) {
        if let Some(boundary) = boundary {
            match self
                .managed_policy(&boundary.policy_arn)
                .and_then(ManagedPolicy::default_document)
            {
                Some(document) => {
                    out.boundary = Some(NamedDocument {
                        name: boundary.policy_arn.clone(),
                        document,
                    });
                }
                None => out.unresolved.push(boundary.policy_arn.clone()),
            }
        }
    }

    /// The identity policies (own inline and attached, then each group's) and the boundary of a
    /// user.
    pub fn user_documents<'a>(&'a self, user: &'a IamUser) -> PrincipalDocuments<'a> {
        let mut out = PrincipalDocuments::default();
        for inline in &user.inline_policies {
            out.identity.push(NamedDocument {
                name: format!("user/{}/{}", user.user_name, inline.policy_name),
                document: &inline.document,
            });
        }
        self.add_attached(&user.attached_managed_policies, &mut out);
        for group_name in &user.groups {
            let Some(group) = self.group_named(group_name) else {
                continue;
            };
            for inline in &group.inline_policies {
                out.identity.push(NamedDocument {
                    name: format!("group/{}/{}", group.group_name, inline.policy_name),
                    document: &inline.document,
                });
            }
            self.add_attached(&group.attached_managed_policies, &mut out);
        }
        self.boundary_of(user.permissions_boundary.as_ref(), &mut out);
        out
    }

    /// The identity policies (inline and attached) and the boundary of a role.
    pub fn role_documents<'a>(&'a self, role: &'a IamRole) -> PrincipalDocuments<'a> {
        let mut out = PrincipalDocuments::default();
        for inline in &role.inline_policies {
            out.identity.push(NamedDocument {
                name: format!("role/{}/{}", role.role_name, inline.policy_name),
                document: &inline.document,
            });
        }
        self.add_attached(&role.attached_managed_policies, &mut out);
        self.boundary_of(role.permissions_boundary.as_ref(), &mut out);
        out
    }
}

fn read_inline(at: &JsonAt<'_>) -> Result<InlinePolicy, FieldError> {
    Ok(InlinePolicy {
        policy_name: at.required_string("PolicyName")?,
        document: decode_policy_document(&at.required("PolicyDocument")?)?,
    })
}

fn read_attached(at: &JsonAt<'_>) -> Result<AttachedPolicy, FieldError> {
    Ok(AttachedPolicy {
        policy_name: at.opt_string("PolicyName")?,
        policy_arn: at.required_string("PolicyArn")?,
    })
}

fn read_boundary(at: &JsonAt<'_>) -> Result<Option<PermissionsBoundary>, FieldError> {
    at.get("PermissionsBoundary")?
        .map(|boundary| {
            Ok(PermissionsBoundary {
                boundary_type: boundary.opt_string("PermissionsBoundaryType")?,
                policy_arn: boundary.required_string("PermissionsBoundaryArn")?,
            })
        })
        .transpose()
}

fn read_user(at: &JsonAt<'_>) -> Result<IamUser, FieldError> {
    Ok(IamUser {
        user_name: at.required_string("UserName")?,
        arn: at.required_string("Arn")?,
        user_id: at.opt_string("UserId")?,
        path: at.opt_string("Path")?,
        create_date: at.opt_timestamp("CreateDate")?,
        inline_policies: at.list_or_empty("UserPolicyList", read_inline)?,
        attached_managed_policies: at.list_or_empty("AttachedManagedPolicies", read_attached)?,
        groups: at.strings_or_empty("GroupList")?,
        permissions_boundary: read_boundary(at)?,
        tags: at.list_or_empty("Tags", read_tag)?,
    })
}

fn read_group(at: &JsonAt<'_>) -> Result<IamGroup, FieldError> {
    Ok(IamGroup {
        group_name: at.required_string("GroupName")?,
        arn: at.required_string("Arn")?,
        group_id: at.opt_string("GroupId")?,
        path: at.opt_string("Path")?,
        inline_policies: at.list_or_empty("GroupPolicyList", read_inline)?,
        attached_managed_policies: at.list_or_empty("AttachedManagedPolicies", read_attached)?,
    })
}

fn read_role(at: &JsonAt<'_>) -> Result<IamRole, FieldError> {
    Ok(IamRole {
        role_name: at.required_string("RoleName")?,
        arn: at.required_string("Arn")?,
        role_id: at.opt_string("RoleId")?,
        path: at.opt_string("Path")?,
        create_date: at.opt_timestamp("CreateDate")?,
        assume_role_policy_document: at
            .get("AssumeRolePolicyDocument")?
            .map(|document| decode_policy_document(&document))
            .transpose()?,
        inline_policies: at.list_or_empty("RolePolicyList", read_inline)?,
        attached_managed_policies: at.list_or_empty("AttachedManagedPolicies", read_attached)?,
        permissions_boundary: read_boundary(at)?,
        tags: at.list_or_empty("Tags", read_tag)?,
    })
}

fn read_policy_version(at: &JsonAt<'_>) -> Result<PolicyVersion, FieldError> {
    Ok(PolicyVersion {
        version_id: at.required_string("VersionId")?,
        is_default_version: at.opt_bool("IsDefaultVersion")?.unwrap_or(false),
        create_date: at.opt_timestamp("CreateDate")?,
        document: decode_policy_document(&at.required("Document")?)?,
    })
}

fn read_managed_policy(at: &JsonAt<'_>) -> Result<ManagedPolicy, FieldError> {
    Ok(ManagedPolicy {
        policy_name: at.required_string("PolicyName")?,
        arn: at.required_string("Arn")?,
        policy_id: at.opt_string("PolicyId")?,
        path: at.opt_string("Path")?,
        default_version_id: at.opt_string("DefaultVersionId")?,
        attachment_count: at.opt_unsigned("AttachmentCount")?,
        versions: at.list_or_empty("PolicyVersionList", read_policy_version)?,
    })
}

/// Reads `get-account-authorization-details.json` (one merged output, or an array of pages).
/// A bad user, group, role or policy record is skipped; a policy document the evaluator cannot
/// load is kept and recorded, naming the policy.
pub(crate) fn read_authorization_details(
    root: &JsonAt<'_>,
    reading: &mut Reading,
) -> Result<IamAuthorizationDetails, FieldError> {
    let mut details = IamAuthorizationDetails::default();
    for page in pages(root)? {
        details.users.extend(reading.records(
            &page,
            "UserDetailList",
            |at| record_of(USER_TYPE, at),
            |at, reading| {
                let user = read_user(at)?;
                let owner = owner(USER_TYPE, &user.arn);
                check_inline(at, "UserPolicyList", &user.inline_policies, &owner, reading);
                Ok(user)
            },
        )?);
        details.groups.extend(reading.records(
            &page,
            "GroupDetailList",
            |at| record_of(GROUP_TYPE, at),
            |at, reading| {
                let group = read_group(at)?;
                let owner = owner(GROUP_TYPE, &group.arn);
                check_inline(
                    at,
                    "GroupPolicyList",
                    &group.inline_policies,
                    &owner,
                    reading,
                );
                Ok(group)
            },
        )?);
        details.roles.extend(reading.records(
            &page,
            "RoleDetailList",
            |at| record_of(ROLE_TYPE, at),
            |at, reading| {
                let role = read_role(at)?;
                let owner = owner(ROLE_TYPE, &role.arn);
                check_inline(at, "RolePolicyList", &role.inline_policies, &owner, reading);
                if let Some(trust) = &role.assume_role_policy_document {
                    reading.check_policy(
                        format!("{}.AssumeRolePolicyDocument", at.path()),
                        &format!("trust policy of role `{}`", role.arn),
                        trust,
                        PolicyKind::Resource,
                        owner,
                    );
                }
                Ok(role)
            },
        )?);
        details.policies.extend(reading.records(
            &page,
            "Policies",
            |at| record_of(POLICY_TYPE, at),
            |at, reading| {
                let policy = read_managed_policy(at)?;
                let default = policy.default_document();
                for (index, version) in policy.versions.iter().enumerate() {
                    if default.is_some_and(|document| std::ptr::eq(document, &version.document)) {
                        reading.check_policy(
                            format!("{}.PolicyVersionList[{index}].Document", at.path()),
                            &format!("IAM policy `{}`", policy.arn),
                            &version.document,
                            PolicyKind::Identity,
                            owner(POLICY_TYPE, &policy.arn),
                        );
                    }
                }
                Ok(policy)
            },
        )?);
    }
    Ok(details)
}

const USER_TYPE: &str = "AWS::IAM::User";
const GROUP_TYPE: &str = "AWS::IAM::Group";
const ROLE_TYPE: &str = "AWS::IAM::Role";
const POLICY_TYPE: &str = "AWS::IAM::Policy";

fn owner(resource_type: &str, arn: &str) -> Concerns {
    Concerns::Record {
        resource_type: resource_type.to_owned(),
        id: arn.to_owned(),
    }
}

/// Checks the inline policies of a user, group or role (read from `at`'s `key` list).
fn check_inline(
    at: &JsonAt<'_>,
    key: &str,
    policies: &[InlinePolicy],
    owner: &Concerns,
    reading: &mut Reading,
) {
    let owner_id = match owner {
        Concerns::Record { id, .. } => id.as_str(),
        _ => "",
    };
    for (index, inline) in policies.iter().enumerate() {
        reading.check_policy(
            format!("{}.{key}[{index}].PolicyDocument", at.path()),
            &format!("inline policy `{}` of `{owner_id}`", inline.policy_name),
            &inline.document,
            PolicyKind::Identity,
            owner.clone(),
        );
    }
}
