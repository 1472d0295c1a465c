//! The organization side of `collect --organization`: which accounts the organization has
//! (`ListAccounts`, ACTIVE ones kept: `State`, else the retiring `Status`), its id and
//! management account (`DescribeOrganization`), which policy types are enabled on the root
//! (`ListRoots` `PolicyTypes`), and for each account the SCPs and RCPs attached at every level
//! from the root through each OU on the account's path down to the account itself
//! (`ListParents`, `ListPoliciesForTarget`, `DescribePolicy`), written as
//! `organizations/policies.json` (`{"scps": [[root…], [ou…], [account…]], "rcps": …}`, each
//! policy the `describe-policy` output).
//!
//! Every Organizations call happens once per run: the root, each OU and each policy are read
//! once and shared by all the accounts below them. A policy type that is not enabled on the root
//! is written as `[]` (no levels: nothing of that kind applies), never as empty levels (an empty
//! SCP level would deny everything). The management account is not subject to SCPs (for its
//! principals) nor RCPs (for its resources): its file is `{"scps": [], "rcps": []}`.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::aws_api::AwsApi;
use super::aws_json::{self, list, text};
use super::cli_shape::JsonObject;
use super::coverage::{CallFailure, CoverageStatus};
use super::next_page_token;
use super::region_run::RegionRun;

pub(crate) const DESCRIBE_ORGANIZATION: &str = "organizations:DescribeOrganization";
pub(crate) const LIST_ACCOUNTS: &str = "organizations:ListAccounts";
pub(crate) const LIST_ROOTS: &str = "organizations:ListRoots";
pub(crate) const LIST_PARENTS: &str = "organizations:ListParents";
pub(crate) const LIST_POLICIES_FOR_TARGET: &str = "organizations:ListPoliciesForTarget";
pub(crate) const DESCRIBE_POLICY: &str = "organizations:DescribePolicy";

const SCP: &str = "SERVICE_CONTROL_POLICY";
const RCP: &str = "RESOURCE_CONTROL_POLICY";

/// One Organizations call (awsJson 1.1).
async fn call(client: &AwsApi, operation: &str, body: Value) -> Result<Value, CallFailure> {
    let target = format!("AWSOrganizationsV20161128.{operation}");
    aws_json::json_1_1(client, &target, &body).await
}

/// `body` with `NextToken` set when there is one.
fn paged(mut body: Value, token: &Option<String>) -> Value {
    if let Some(token) = token {
        body["NextToken"] = json!(token);
    }
    body
}

/// The file of the organization policies, relative to an account's snapshot.
pub(crate) const POLICIES_FILE: &str = "organizations/policies.json";

/// An organization and its accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    /// `o-…`.
    pub id: String,
    pub management_account: String,
    /// The ACTIVE accounts, sorted.
    pub active: Vec<String>,
    /// The other accounts and their state (`SUSPENDED`, `PENDING_CLOSURE`, …), sorted.
    pub inactive: Vec<(String, String)>,
}

/// `DescribeOrganization` then `ListAccounts` (all pages).
pub(crate) async fn discover(
    run: &RegionRun,
    client: &AwsApi,
) -> Result<Organization, CallFailure> {
    let described = run
        .call(DESCRIBE_ORGANIZATION, || {
            call(client, "DescribeOrganization", json!({}))
        })
        .await?;
    let organization = &described["Organization"];
    let id = text(organization, "Id").unwrap_or_default().to_owned();
    let management_account = text(organization, "MasterAccountId")
        .unwrap_or_default()
        .to_owned();
    let mut active = Vec::new();
    let mut inactive = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = run
            .call(LIST_ACCOUNTS, || {
                call(client, "ListAccounts", paged(json!({}), &token))
            })
            .await?;
        for account in list(&page, "Accounts") {
            let Some(account_id) = text(account, "Id") else {
                continue;
            };
            // `State` replaces the retiring `Status`; either says ACTIVE.
            let state = text(account, "State")
                .or_else(|| text(account, "Status"))
                .unwrap_or("UNKNOWN")
                .to_owned();
            if state == "ACTIVE" {
                active.push(account_id.to_owned());
            } else {
                inactive.push((account_id.to_owned(), state));
            }
        }
        match next_page_token(&token, text(&page, "NextToken")) {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    active.sort();
    active.dedup();
    inactive.sort();
    Ok(Organization {
        id,
        management_account,
        active,
        inactive,
    })
}

/// Reads the policy levels of accounts, sharing every answer between them.
#[derive(Debug)]
pub(crate) struct PolicyReader<'a> {
    run: &'a RegionRun,
    client: &'a AwsApi,
    /// `(root id, SCPs enabled, RCPs enabled)`, read once.
    root: Option<(String, bool, bool)>,
    /// Child id → (parent id, parent is the root).
    parents: BTreeMap<String, (String, bool)>,
    /// (target, type) → policy ids attached to it.
    attached: BTreeMap<(String, &'static str), Vec<String>>,
    /// Policy id → describe-policy output.
    described: BTreeMap<String, Value>,
}

impl<'a> PolicyReader<'a> {
    pub(crate) fn new(run: &'a RegionRun, client: &'a AwsApi) -> PolicyReader<'a> {
        PolicyReader {
            run,
            client,
            root: None,
            parents: BTreeMap::new(),
            attached: BTreeMap::new(),
            described: BTreeMap::new(),
        }
    }

    /// The root's id and which of SCPs and RCPs are enabled on it.
    async fn root(&mut self) -> Result<(String, bool, bool), CallFailure> {
        if let Some(root) = &self.root {
            return Ok(root.clone());
        }
        let client = self.client;
        let output = self
            .run
            .call(LIST_ROOTS, || call(client, "ListRoots", json!({})))
            .await?;
        let root = list(&output, "Roots").first().ok_or_else(|| CallFailure {
            status: CoverageStatus::Error,
            code: None,
            message: "ListRoots returned no root".to_owned(),
        })?;
        let enabled = |kind: &str| {
            list(root, "PolicyTypes").iter().any(|summary| {
                text(summary, "Type") == Some(kind) && text(summary, "Status") == Some("ENABLED")
            })
        };
        let read = (
            text(root, "Id").unwrap_or_default().to_owned(),
            enabled(SCP),
            enabled(RCP),
        );
        self.root = Some(read.clone());
        Ok(read)
    }

    /// The parent of an account or OU, and whether it is the root.
    async fn parent(&mut self, child: &str) -> Result<(String, bool), CallFailure> {
        if let Some(parent) = self.parents.get(child) {
            return Ok(parent.clone());
        }
        let client = self.client;
        let output = self
            .run
            .call(LIST_PARENTS, || {
                call(client, "ListParents", json!({"ChildId": child}))
            })
            .await?;
        let parent = list(&output, "Parents")
            .first()
            .ok_or_else(|| CallFailure {
                status: CoverageStatus::Error,
                code: None,
                message: format!("ListParents returned no parent for `{child}`"),
            })?;
        let read = (
            text(parent, "Id").unwrap_or_default().to_owned(),
            text(parent, "Type") == Some("ROOT"),
        );
        self.parents.insert(child.to_owned(), read.clone());
        Ok(read)
    }

    /// The targets from the root down to `account`: root, each OU, the account.
    async fn path(&mut self, account: &str) -> Result<Vec<String>, CallFailure> {
        let mut path = vec![account.to_owned()];
        let mut child = account.to_owned();
        // OUs nest at most five deep under the root; a longer chain is a loop.
        for _ in 0..8 {
            let (parent, is_root) = self.parent(&child).await?;
            path.push(parent.clone());
            if is_root {
                path.reverse();
                return Ok(path);
            }
            child = parent;
        }
        Err(CallFailure {
            status: CoverageStatus::Error,
            code: None,
            message: format!("no root above account {account} after 8 levels of ListParents"),
        })
    }

    /// The describe-policy outputs of the policies of `kind` attached to `target`, by name.
    async fn level(&mut self, target: &str, kind: &'static str) -> Result<Vec<Value>, CallFailure> {
        let key = (target.to_owned(), kind);
        if !self.attached.contains_key(&key) {
            let ids = self.list_attached(target, kind).await?;
            self.attached.insert(key.clone(), ids);
        }
        let ids = self.attached.get(&key).cloned().unwrap_or_default();
        let mut level = Vec::with_capacity(ids.len());
        for id in ids {
            level.push(self.describe(&id).await?);
        }
        Ok(level)
    }

    async fn list_attached(&self, target: &str, kind: &str) -> Result<Vec<String>, CallFailure> {
        let client = self.client;
        let mut ids = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let body = paged(json!({"TargetId": target, "Filter": kind}), &token);
            let page = self
                .run
                .call(LIST_POLICIES_FOR_TARGET, || {
                    call(client, "ListPoliciesForTarget", body.clone())
                })
                .await?;
            ids.extend(
                list(&page, "Policies")
                    .iter()
                    .filter_map(|summary| text(summary, "Id"))
                    .map(str::to_owned),
            );
            match next_page_token(&token, text(&page, "NextToken")) {
                Some(next) => token = Some(next),
                None => break,
            }
        }
        ids.sort();
        ids.dedup();
        Ok(ids)
    }

    async fn describe(&mut self, policy_id: &str) -> Result<Value, CallFailure> {
        if let Some(policy) = self.described.get(policy_id) {
            return Ok(policy.clone());
        }
        let client = self.client;
        let output = self
            .run
            .call(DESCRIBE_POLICY, || {
                call(client, "DescribePolicy", json!({"PolicyId": policy_id}))
            })
            .await?;
        let policy = output.get("Policy");
        let summary = policy.and_then(|p| p.get("PolicySummary"));
        let value = json!({"Policy": JsonObject::new()
            .opt("PolicySummary", summary.map(|s| JsonObject::new()
                .str("Id", text(s, "Id"))
                .str("Arn", text(s, "Arn"))
                .str("Name", text(s, "Name"))
                .str("Description", text(s, "Description"))
                .str("Type", text(s, "Type"))
                .bool("AwsManaged", Some(s.get("AwsManaged").and_then(Value::as_bool).unwrap_or(false)))
                .build()))
            .str("Content", policy.and_then(|p| text(p, "Content")))
            .build()});
        self.described.insert(policy_id.to_owned(), value.clone());
        Ok(value)
    }

    /// `organizations/policies.json` of a member account (or of a delegated administrator's).
    pub(crate) async fn account_policies(&mut self, account: &str) -> Result<Value, CallFailure> {
        let (_, scps_enabled, rcps_enabled) = self.root().await?;
        let path = self.path(account).await?;
        let mut file = serde_json::Map::new();
        for (name, kind, enabled) in [("scps", SCP, scps_enabled), ("rcps", RCP, rcps_enabled)] {
            let mut levels = Vec::new();
            if enabled {
                for target in &path {
                    levels.push(Value::Array(self.level(target, kind).await?));
                }
            }
            file.insert(name.to_owned(), Value::Array(levels));
        }
        Ok(Value::Object(file))
    }
}

/// The file of the management account: SCPs do not restrict its principals, RCPs not its
/// resources.
pub(crate) fn management_policies() -> Value {
    json!({"scps": [], "rcps": []})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_calls_are_the_documented_actions() {
        assert_eq!(
            super::super::actions::ORGANIZATION_ACTIONS,
            [
                DESCRIBE_ORGANIZATION,
                LIST_ACCOUNTS,
                LIST_ROOTS,
                LIST_PARENTS,
                LIST_POLICIES_FOR_TARGET,
                DESCRIBE_POLICY,
            ]
        );
        assert_eq!(management_policies(), json!({"scps": [], "rcps": []}));
    }
}
