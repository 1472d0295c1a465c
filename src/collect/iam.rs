//! The account's IAM authorization details (`iam/get-account-authorization-details.json`):
//! users, groups, roles and managed policies with every page merged, as the CLI prints them
//! (policy documents URL-decoded and parsed). IAM is global: its coverage region is `global`.

use serde_json::{Value, json};

use super::aws_api::AwsApi;
use super::cli_shape::{JsonObject, policy_document};
use super::coverage::CallFailure;
use super::next_page_token;
use super::query::{self, Element};
use super::region_run::RegionRun;

pub(crate) const GET_AUTHORIZATION_DETAILS: &str = "iam:GetAccountAuthorizationDetails";
pub(crate) const FILE: &str = "iam/get-account-authorization-details.json";
const ACTION: &str = "GetAccountAuthorizationDetails";
const VERSION: &str = "2010-05-08";

/// Every page of GetAccountAuthorizationDetails, merged.
pub(crate) async fn authorization_details(
    run: &RegionRun,
    client: &AwsApi,
) -> Result<Value, CallFailure> {
    let mut users = Vec::new();
    let mut groups = Vec::new();
    let mut roles = Vec::new();
    let mut policies = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let mut params = vec![("MaxItems", "1000")];
        if let Some(marker) = &marker {
            params.push(("Marker", marker.as_str()));
        }
        let body = run
            .call(GET_AUTHORIZATION_DETAILS, || {
                query::call(client, ACTION, VERSION, &params)
            })
            .await?;
        let page = parse_page(&body)?;
        users.extend(page.users);
        groups.extend(page.groups);
        roles.extend(page.roles);
        policies.extend(page.policies);
        let next = page.marker.as_deref();
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

/// One page of GetAccountAuthorizationDetails, in the CLI's shapes.
#[derive(Debug, Default)]
struct Page {
    users: Vec<Value>,
    groups: Vec<Value>,
    roles: Vec<Value>,
    policies: Vec<Value>,
    /// The marker of the next page (only when `IsTruncated`).
    marker: Option<String>,
}

fn parse_page(body: &str) -> Result<Page, CallFailure> {
    let document = query::document(body, ACTION)?;
    let page = query::result_element(&document, ACTION)?;
    Ok(Page {
        users: page.list("UserDetailList").iter().map(user).collect(),
        groups: page.list("GroupDetailList").iter().map(group).collect(),
        roles: page.list("RoleDetailList").iter().map(role).collect(),
        policies: page.list("Policies").iter().map(managed_policy).collect(),
        marker: if page.bool("IsTruncated") == Some(true) {
            page.text("Marker").map(str::to_owned)
        } else {
            None
        },
    })
}

fn inline_policies(detail: &Element, name: &str) -> Vec<Value> {
    detail
        .list(name)
        .iter()
        .map(|policy| {
            JsonObject::new()
                .str("PolicyName", policy.text("PolicyName"))
                .opt(
                    "PolicyDocument",
                    policy.text("PolicyDocument").map(policy_document),
                )
                .build()
        })
        .collect()
}

fn attached(detail: &Element) -> Vec<Value> {
    detail
        .list("AttachedManagedPolicies")
        .iter()
        .map(|policy| {
            JsonObject::new()
                .str("PolicyName", policy.text("PolicyName"))
                .str("PolicyArn", policy.text("PolicyArn"))
                .build()
        })
        .collect()
}

fn boundary(value: Element) -> Value {
    JsonObject::new()
        .str(
            "PermissionsBoundaryType",
            value.text("PermissionsBoundaryType"),
        )
        .str(
            "PermissionsBoundaryArn",
            value.text("PermissionsBoundaryArn"),
        )
        .build()
}

fn tags(detail: &Element) -> Vec<Value> {
    detail
        .list("Tags")
        .iter()
        .map(|tag| json!({"Key": tag.text("Key").unwrap_or(""), "Value": tag.text("Value").unwrap_or("")}))
        .collect()
}

fn user(detail: &Element) -> Value {
    JsonObject::new()
        .str("Path", detail.text("Path"))
        .str("UserName", detail.text("UserName"))
        .str("UserId", detail.text("UserId"))
        .str("Arn", detail.text("Arn"))
        .time("CreateDate", detail.time("CreateDate"))
        .list("UserPolicyList", inline_policies(detail, "UserPolicyList"))
        .value("GroupList", json!(detail.strings("GroupList")))
        .value("AttachedManagedPolicies", Value::Array(attached(detail)))
        .opt(
            "PermissionsBoundary",
            detail.child("PermissionsBoundary").map(boundary),
        )
        .list("Tags", tags(detail))
        .build()
}

fn group(detail: &Element) -> Value {
    JsonObject::new()
        .str("Path", detail.text("Path"))
        .str("GroupName", detail.text("GroupName"))
        .str("GroupId", detail.text("GroupId"))
        .str("Arn", detail.text("Arn"))
        .time("CreateDate", detail.time("CreateDate"))
        .value(
            "GroupPolicyList",
            Value::Array(inline_policies(detail, "GroupPolicyList")),
        )
        .value("AttachedManagedPolicies", Value::Array(attached(detail)))
        .build()
}

fn instance_profile(profile: &Element) -> Value {
    // Required members: the SDK read a missing one as empty.
    JsonObject::new()
        .str("Path", Some(profile.text("Path").unwrap_or("")))
        .str(
            "InstanceProfileName",
            Some(profile.text("InstanceProfileName").unwrap_or("")),
        )
        .str(
            "InstanceProfileId",
            Some(profile.text("InstanceProfileId").unwrap_or("")),
        )
        .str("Arn", Some(profile.text("Arn").unwrap_or("")))
        .time(
            "CreateDate",
            Some(profile.time("CreateDate").unwrap_or_else(epoch)),
        )
        .build()
}

/// The SDK's default for a required timestamp it did not receive.
fn epoch() -> String {
    "1970-01-01T00:00:00+00:00".to_owned()
}

fn role(detail: &Element) -> Value {
    let last_used = detail.child("RoleLastUsed").map(|last| {
        JsonObject::new()
            .time("LastUsedDate", last.time("LastUsedDate"))
            .str("Region", last.text("Region"))
            .build()
    });
    JsonObject::new()
        .str("Path", detail.text("Path"))
        .str("RoleName", detail.text("RoleName"))
        .str("RoleId", detail.text("RoleId"))
        .str("Arn", detail.text("Arn"))
        .time("CreateDate", detail.time("CreateDate"))
        .opt(
            "AssumeRolePolicyDocument",
            detail.text("AssumeRolePolicyDocument").map(policy_document),
        )
        .value(
            "InstanceProfileList",
            Value::Array(
                detail
                    .list("InstanceProfileList")
                    .iter()
                    .map(instance_profile)
                    .collect(),
            ),
        )
        .value(
            "RolePolicyList",
            Value::Array(inline_policies(detail, "RolePolicyList")),
        )
        .value("AttachedManagedPolicies", Value::Array(attached(detail)))
        .opt(
            "PermissionsBoundary",
            detail.child("PermissionsBoundary").map(boundary),
        )
        .list("Tags", tags(detail))
        .opt("RoleLastUsed", last_used)
        .build()
}

fn policy_version(version: &Element) -> Value {
    JsonObject::new()
        .opt("Document", version.text("Document").map(policy_document))
        .str("VersionId", version.text("VersionId"))
        .bool(
            "IsDefaultVersion",
            Some(version.bool("IsDefaultVersion").unwrap_or(false)),
        )
        .time("CreateDate", version.time("CreateDate"))
        .build()
}

fn managed_policy(detail: &Element) -> Value {
    let arn = detail.text("Arn");
    JsonObject::new()
        // AWS always sends PolicyName; moto leaves it out, so it is taken from the ARN then.
        .str(
            "PolicyName",
            detail
                .text("PolicyName")
                .or_else(|| arn.and_then(|arn| arn.rsplit('/').next())),
        )
        .str("PolicyId", detail.text("PolicyId"))
        .str("Arn", arn)
        .str("Path", detail.text("Path"))
        .str("DefaultVersionId", detail.text("DefaultVersionId"))
        .int("AttachmentCount", detail.int("AttachmentCount"))
        .int(
            "PermissionsBoundaryUsageCount",
            detail.int("PermissionsBoundaryUsageCount"),
        )
        .bool(
            "IsAttachable",
            Some(detail.bool("IsAttachable").unwrap_or(false)),
        )
        .str("Description", detail.text("Description"))
        .time("CreateDate", detail.time("CreateDate"))
        .time("UpdateDate", detail.time("UpdateDate"))
        .value(
            "PolicyVersionList",
            Value::Array(
                detail
                    .list("PolicyVersionList")
                    .iter()
                    .map(policy_version)
                    .collect(),
            ),
        )
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A first page in the shape of the IAM API reference's example (members wrapped in
    /// `<member>`, documents URL-encoded, `IsTruncated` with a `Marker`).
    const FIRST_PAGE: &str = r#"<GetAccountAuthorizationDetailsResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <GetAccountAuthorizationDetailsResult>
    <IsTruncated>true</IsTruncated>
    <UserDetailList>
      <member>
        <GroupList><member>Admins</member><member>Dev</member></GroupList>
        <AttachedManagedPolicies/>
        <UserId>AIDACKCEVSQ6C2EXAMPLE</UserId>
        <Path>/</Path>
        <UserName>Alice</UserName>
        <Arn>arn:aws:iam::123456789012:user/Alice</Arn>
        <CreateDate>2013-10-14T18:32:24Z</CreateDate>
        <UserPolicyList>
          <member>
            <PolicyName>inline</PolicyName>
            <PolicyDocument>%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D</PolicyDocument>
          </member>
        </UserPolicyList>
        <Tags><member><Key>team</Key><Value>core &amp; data</Value></member></Tags>
      </member>
    </UserDetailList>
    <GroupDetailList>
      <member>
        <GroupId>AIDACKCEVSQ6C7EXAMPLE</GroupId>
        <AttachedManagedPolicies>
          <member>
            <PolicyName>AdministratorAccess</PolicyName>
            <PolicyArn>arn:aws:iam::aws:policy/AdministratorAccess</PolicyArn>
          </member>
        </AttachedManagedPolicies>
        <GroupName>Admins</GroupName>
        <Path>/</Path>
        <Arn>arn:aws:iam::123456789012:group/Admins</Arn>
        <CreateDate>2013-10-14T18:32:24Z</CreateDate>
        <GroupPolicyList/>
      </member>
    </GroupDetailList>
    <RoleDetailList>
      <member>
        <RolePolicyList/>
        <AttachedManagedPolicies/>
        <InstanceProfileList>
          <member>
            <InstanceProfileId>AIPAJNIPHJ2UOKEXAMPLE</InstanceProfileId>
            <Roles><member><RoleName>app</RoleName></member></Roles>
            <InstanceProfileName>app</InstanceProfileName>
            <Path>/</Path>
            <Arn>arn:aws:iam::123456789012:instance-profile/app</Arn>
            <CreateDate>2014-07-30T17:09:20Z</CreateDate>
          </member>
        </InstanceProfileList>
        <RoleId>AROAFP4BKI7Y7TEXAMPLE</RoleId>
        <Path>/</Path>
        <RoleName>app</RoleName>
        <Arn>arn:aws:iam::123456789012:role/app</Arn>
        <CreateDate>2014-07-30T17:09:20.250Z</CreateDate>
        <AssumeRolePolicyDocument>%7B%22Version%22%3A%222012-10-17%22%7D</AssumeRolePolicyDocument>
        <PermissionsBoundary>
          <PermissionsBoundaryType>Policy</PermissionsBoundaryType>
          <PermissionsBoundaryArn>arn:aws:iam::123456789012:policy/Boundary</PermissionsBoundaryArn>
        </PermissionsBoundary>
        <RoleLastUsed><LastUsedDate>2019-11-18T05:08:00Z</LastUsedDate><Region>us-east-1</Region></RoleLastUsed>
      </member>
    </RoleDetailList>
    <Marker>EXAMPLEkakv9BCuUNFDtxWSyfzetYwEx2ADc8dnzfvERF5S6YMvXKx41t6gCl/eeaCX3Jo94/bKqezEAg8TEVS99EKFLxm3jtbpl25FDWEXAMPLE</Marker>
  </GetAccountAuthorizationDetailsResult>
  <ResponseMetadata><RequestId>92e79ae7-7399-11e4-8c85-4b53eEXAMPLE</RequestId></ResponseMetadata>
</GetAccountAuthorizationDetailsResponse>"#;

    const LAST_PAGE: &str = r#"<GetAccountAuthorizationDetailsResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <GetAccountAuthorizationDetailsResult>
    <IsTruncated>false</IsTruncated>
    <Policies>
      <member>
        <PolicyName>Boundary</PolicyName>
        <DefaultVersionId>v2</DefaultVersionId>
        <PolicyId>ANPAJ2UCCR6DPCEXAMPLE</PolicyId>
        <Path>/</Path>
        <PolicyVersionList>
          <member>
            <Document>%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D</Document>
            <IsDefaultVersion>true</IsDefaultVersion>
            <VersionId>v2</VersionId>
            <CreateDate>2014-09-15T20:31:47Z</CreateDate>
          </member>
          <member>
            <Document>%7B%7D</Document>
            <IsDefaultVersion>false</IsDefaultVersion>
            <VersionId>v1</VersionId>
            <CreateDate>2014-09-15T17:36:14Z</CreateDate>
          </member>
        </PolicyVersionList>
        <Arn>arn:aws:iam::123456789012:policy/Boundary</Arn>
        <AttachmentCount>1</AttachmentCount>
        <PermissionsBoundaryUsageCount>1</PermissionsBoundaryUsageCount>
        <IsAttachable>true</IsAttachable>
        <CreateDate>2014-09-15T17:36:14Z</CreateDate>
        <UpdateDate>2014-09-15T20:31:47Z</UpdateDate>
      </member>
    </Policies>
    <Marker>ignored-when-not-truncated</Marker>
  </GetAccountAuthorizationDetailsResult>
</GetAccountAuthorizationDetailsResponse>"#;

    #[test]
    fn a_truncated_page_gives_its_details_and_the_next_marker() {
        let page = parse_page(FIRST_PAGE).unwrap();
        assert!(page.marker.as_deref().unwrap().starts_with("EXAMPLEkakv9"));
        assert_eq!(
            page.users,
            [json!({
                "Path": "/", "UserName": "Alice", "UserId": "AIDACKCEVSQ6C2EXAMPLE",
                "Arn": "arn:aws:iam::123456789012:user/Alice",
                "CreateDate": "2013-10-14T18:32:24+00:00",
                "UserPolicyList": [{"PolicyName": "inline",
                    "PolicyDocument": {"Version": "2012-10-17", "Statement": []}}],
                "GroupList": ["Admins", "Dev"],
                "AttachedManagedPolicies": [],
                "Tags": [{"Key": "team", "Value": "core & data"}],
            })]
        );
        assert_eq!(
            page.groups[0]["AttachedManagedPolicies"],
            json!([{"PolicyName": "AdministratorAccess",
                "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}])
        );
        assert_eq!(page.groups[0]["GroupPolicyList"], json!([]));
        let role = &page.roles[0];
        assert_eq!(role["CreateDate"], "2014-07-30T17:09:20.250000+00:00");
        assert_eq!(role["AssumeRolePolicyDocument"]["Version"], "2012-10-17");
        assert_eq!(
            role["PermissionsBoundary"],
            json!({"PermissionsBoundaryType": "Policy",
                "PermissionsBoundaryArn": "arn:aws:iam::123456789012:policy/Boundary"})
        );
        assert_eq!(role["InstanceProfileList"][0]["InstanceProfileName"], "app");
        assert_eq!(
            role["RoleLastUsed"],
            json!({"LastUsedDate": "2019-11-18T05:08:00+00:00", "Region": "us-east-1"})
        );
        assert!(role.get("Tags").is_none(), "empty lists are left out");
        assert!(page.policies.is_empty());
    }

    #[test]
    fn the_last_page_has_no_marker_and_keeps_managed_policy_versions() {
        let page = parse_page(LAST_PAGE).unwrap();
        assert_eq!(page.marker, None);
        let policy = &page.policies[0];
        assert_eq!(policy["AttachmentCount"], 1);
        assert_eq!(policy["IsAttachable"], true);
        assert_eq!(policy["PolicyVersionList"][0]["IsDefaultVersion"], true);
        assert_eq!(
            policy["PolicyVersionList"][0]["Document"]["Statement"],
            json!([])
        );
        assert_eq!(policy["PolicyVersionList"][1]["IsDefaultVersion"], false);
        assert_eq!(policy["UpdateDate"], "2014-09-15T20:31:47+00:00");
    }

    #[test]
    fn a_response_that_is_not_the_expected_xml_is_an_error_not_an_empty_account() {
        for body in [
            "",
            "<html>oops</html>",
            "<GetAccountAuthorizationDetailsResponse/>",
        ] {
            let failure = parse_page(body).unwrap_err();
            assert!(
                failure
                    .message
                    .starts_with("malformed GetAccountAuthorizationDetails"),
                "{failure:?}"
            );
        }
    }
}
