//! The Organizations side of a snapshot: `organizations/policies.json`, the service control
//! policies and resource control policies that apply to the account, by level (root first, then
//! each OU, then the account).
//!
//! Format: `{"scps": [[...root...], [...ou...], [...account...]], "rcps": [...]}`. A flat list
//! is one level; `[]` or an absent key means no policies of that kind (no Organizations). Each
//! policy is a policy document, its JSON text, or the output of
//! `aws organizations describe-policy` (`{"Policy": {"PolicySummary": {"Name"}, "Content"}}`),
//! so the file can be assembled from AWS CLI output alone, or that summary flattened
//! (`{"Id", "Name", "Content"}`). This module reads; it evaluates
//! nothing.

use serde::Serialize;
use serde_json::Value;

use super::json_path::{FieldError, JsonAt};
use super::policy_document::{decode_policy_document, decode_policy_text};

/// One SCP or RCP.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrganizationPolicy {
    /// The policy's name (`PolicySummary.Name`, else `Id`, else its place, e.g. `scps[1][0]`).
    pub name: String,
    pub document: Value,
}

/// The organization policies that apply to the account, one list per level, root first.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OrganizationPolicies {
    pub scps: Vec<Vec<OrganizationPolicy>>,
    pub rcps: Vec<Vec<OrganizationPolicy>>,
}

fn read_policy(at: &JsonAt<'_>, place: String) -> Result<OrganizationPolicy, FieldError> {
    let object = at.value().as_object();
    if let Some(wrapper) = object.and_then(|object| object.get("Policy")) {
        let wrapper = JsonAt::at_path(wrapper, format!("{}.Policy", at.path()));
        let summary = wrapper.get("PolicySummary")?;
        return read_named_content(&wrapper, summary.as_ref(), place);
    }
    // `{"Id", "Name", "Content"}`: a policy summary flattened with its content.
    if object
        .is_some_and(|object| object.contains_key("Content") && !object.contains_key("Statement"))
    {
        return read_named_content(at, Some(at), place);
    }
    Ok(OrganizationPolicy {
        name: place,
        document: decode_policy_document(at)?,
    })
}

/// Reads `Content` of `holder`, named by `summary`'s `Name` (else `Id`, else `place`).
fn read_named_content(
    holder: &JsonAt<'_>,
    summary: Option<&JsonAt<'_>>,
    place: String,
) -> Result<OrganizationPolicy, FieldError> {
    let name = match summary {
        Some(summary) => summary
            .opt_string("Name")?
            .or(summary.opt_string("Id")?)
            .unwrap_or(place),
        None => place,
    };
    let content = holder.required("Content")?;
    let document = match content.value() {
        Value::String(text) => {
            decode_policy_text(text).map_err(|message| content.error(message))?
        }
        _ => decode_policy_document(&content)?,
    };
    Ok(OrganizationPolicy { name, document })
}

fn read_levels(at: &JsonAt<'_>, kind: &str) -> Result<Vec<Vec<OrganizationPolicy>>, FieldError> {
    let items = at.items()?;
    let nested = items.iter().filter(|item| item.value().is_array()).count();
    if nested == 0 {
        if items.is_empty() {
            return Ok(Vec::new());
        }
        let level = items
            .iter()
            .enumerate()
            .map(|(index, item)| read_policy(item, format!("{kind}[{index}]")))
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(vec![level]);
    }
    if nested != items.len() {
        return Err(at.error(
            "expected either a list of policies (one level) or a list of lists (one per level), not a mix",
        ));
    }
    items
        .iter()
        .enumerate()
        .map(|(level, item)| {
            item.items()?
                .iter()
                .enumerate()
                .map(|(index, policy)| read_policy(policy, format!("{kind}[{level}][{index}]")))
                .collect()
        })
        .collect()
}

/// Reads `organizations/policies.json`.
pub(crate) fn read_organization_policies(
    root: &JsonAt<'_>,
) -> Result<OrganizationPolicies, FieldError> {
    root.object()?;
    Ok(OrganizationPolicies {
        scps: match root.get("scps")? {
            Some(at) => read_levels(&at, "scps")?,
            None => Vec::new(),
        },
        rcps: match root.get("rcps")? {
            Some(at) => read_levels(&at, "rcps")?,
            None => Vec::new(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(sid: &str) -> Value {
        json!({"Version": "2012-10-17", "Statement": [{"Sid": sid, "Effect": "Allow", "Action": "*", "Resource": "*"}]})
    }

    #[test]
    fn flat_list_is_one_level_and_nested_lists_are_levels() {
        let flat = json!({"scps": [doc("a"), doc("b")]});
        let read = read_organization_policies(&JsonAt::root(&flat)).unwrap();
        assert_eq!(read.scps.len(), 1);
        assert_eq!(read.scps[0].len(), 2);
        assert_eq!(read.scps[0][1].name, "scps[1]");
        assert!(read.rcps.is_empty());

        let nested = json!({"scps": [[doc("root")], [doc("ou")], []], "rcps": []});
        let read = read_organization_policies(&JsonAt::root(&nested)).unwrap();
        assert_eq!(read.scps.len(), 3);
        assert_eq!(read.scps[1][0].name, "scps[1][0]");
        assert!(read.scps[2].is_empty());
    }

    #[test]
    fn describe_policy_output_and_text_are_accepted() {
        let file = json!({"scps": [{"Policy": {"PolicySummary": {"Id": "p-FullAWSAccess",
            "Name": "FullAWSAccess"}, "Content": doc("full").to_string()}}, doc("x").to_string()]});
        let read = read_organization_policies(&JsonAt::root(&file)).unwrap();
        assert_eq!(read.scps[0][0].name, "FullAWSAccess");
        assert_eq!(read.scps[0][0].document, doc("full"));
        assert_eq!(read.scps[0][1].document, doc("x"));

        let flattened = json!({"rcps": [[{"Id": "p-rcp", "Name": "org-only", "Content": doc("o")},
            {"Id": "p-rcp2", "Content": doc("t").to_string()}]]});
        let read = read_organization_policies(&JsonAt::root(&flattened)).unwrap();
        assert_eq!(read.rcps[0][0].name, "org-only");
        assert_eq!(read.rcps[0][0].document, doc("o"));
        assert_eq!(read.rcps[0][1].name, "p-rcp2");
        assert_eq!(read.rcps[0][1].document, doc("t"));
    }

    #[test]
    fn mixed_levels_are_rejected_with_a_path() {
        let file = json!({"scps": [doc("a"), [doc("b")]]});
        let error = read_organization_policies(&JsonAt::root(&file)).unwrap_err();
        assert!(error.to_string().starts_with("$.scps: expected either"));
        let file = json!({"rcps": [[doc("a"), 3]]});
        let error = read_organization_policies(&JsonAt::root(&file)).unwrap_err();
        assert_eq!(
            error.to_string(),
            "$.rcps[0][1]: expected a policy document (an object or a JSON string), found a number"
        );
    }
}
