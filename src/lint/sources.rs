//! What `secaudit lint` reads: a policy document, a Terraform plan or state as
//! `terraform show -json` prints it, or a CloudFormation template in JSON or YAML. Each file
//! yields the policies it holds, with their kind where the file says it (a Terraform resource
//! type, a CloudFormation property) and the JSON path where each sits.

use serde_json::{Map, Value};

use super::located::{Located, index_path, key_path};

/// What a policy is attached as, for lint (`--kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, clap::ValueEnum)]
pub enum LintKind {
    /// An identity-based policy (user, group, role, managed policy).
    Identity,
    /// A resource-based policy (a Secrets Manager secret policy and others).
    Resource,
    /// A service control policy.
    Scp,
    /// A resource control policy.
    Rcp,
    /// A KMS key policy.
    Key,
    /// A role trust policy.
    Trust,
}

impl LintKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LintKind::Identity => "identity",
            LintKind::Resource => "resource",
            LintKind::Scp => "scp",
            LintKind::Rcp => "rcp",
            LintKind::Key => "key",
            LintKind::Trust => "trust",
        }
    }
}

/// A policy found in a file.
#[derive(Debug, Clone)]
pub struct Embedded {
    /// The document.
    pub value: Value,
    /// The kind the file gives it; `None`: detect from the document.
    pub kind: Option<LintKind>,
    /// The JSON path of the document in the file (empty: the file is the policy).
    pub path: String,
    /// For a policy held as a JSON string (Terraform), the line of that string: every finding
    /// inside it is reported there.
    pub string_line: Option<usize>,
}

/// What kind of file this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Policy,
    Terraform,
    CloudFormation,
}

/// Reads the policies of one file's text; `yaml` when the file is named `.yaml`/`.yml`.
pub fn policies_in(text: &str, yaml: bool) -> Result<(FileKind, Located, Vec<Embedded>), String> {
    let located = if yaml {
        Located::yaml(text)?
    } else {
        match Located::json(text) {
            Ok(located) => located,
            // A CloudFormation template may be YAML whatever its name.
            Err(json_error) => Located::yaml(text)
                .ok()
                .filter(|l| l.value.get("Resources").is_some())
                .ok_or_else(|| format!("not valid JSON: {json_error}"))?,
        }
    };
    let Value::Object(root) = &located.value else {
        return Err(String::from(
            "not a policy, a Terraform plan or a CloudFormation template (expected a JSON object)",
        ));
    };
    let (kind, found) = if root.contains_key("Statement") {
        (
            FileKind::Policy,
            vec![Embedded {
                value: located.value.clone(),
                kind: None,
                path: String::new(),
                string_line: None,
            }],
        )
    } else if root.contains_key("format_version")
        && (root.contains_key("planned_values")
            || root.contains_key("values")
            || root.contains_key("prior_state"))
    {
        (FileKind::Terraform, terraform(root, &located)?)
    } else if let Some(Value::Object(resources)) = root.get("Resources") {
        (FileKind::CloudFormation, cloudformation(resources))
    } else {
        return Err(String::from(
            "not a policy (no `Statement`), a Terraform plan (`terraform show -json`) or a CloudFormation template (`Resources`)",
        ));
    };
    Ok((kind, located, found))
}

/// Terraform: the resources of `planned_values`, `values` (state) and `prior_state` (where data
/// sources read during the plan sit), each module at any depth, each address once.
fn terraform(root: &Map<String, Value>, located: &Located) -> Result<Vec<Embedded>, String> {
    let mut found = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (top, module_path) in [
        ("planned_values", "planned_values.root_module"),
        ("values", "values.root_module"),
        ("prior_state", "prior_state.values.root_module"),
    ] {
        let module = match top {
            "prior_state" => root
                .get("prior_state")
                .and_then(|state| state.get("values"))
                .and_then(|values| values.get("root_module")),
            _ => root.get(top).and_then(|values| values.get("root_module")),
        };
        if let Some(module) = module {
            terraform_module(module, module_path, located, &mut seen, &mut found)?;
        }
    }
    Ok(found)
}

fn terraform_module(
    module: &Value,
    path: &str,
    located: &Located,
    seen: &mut std::collections::BTreeSet<String>,
    found: &mut Vec<Embedded>,
) -> Result<(), String> {
    if let Some(Value::Array(resources)) = module.get("resources") {
        for (index, resource) in resources.iter().enumerate() {
            let at = index_path(&key_path(path, "resources"), index);
            let address = resource
                .get("address")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            if !address.is_empty() && !seen.insert(address) {
                continue;
            }
            let kind = resource.get("type").and_then(Value::as_str).unwrap_or("");
            let Some(values) = resource.get("values") else {
                continue;
            };
            let values_path = key_path(&at, "values");
            let fields: Vec<(String, Option<LintKind>)> = match kind {
                "aws_iam_policy"
                | "aws_iam_role_policy"
                | "aws_iam_user_policy"
                | "aws_iam_group_policy" => {
                    vec![(String::from("policy"), Some(LintKind::Identity))]
                }
                "aws_iam_role" => {
                    let mut fields =
                        vec![(String::from("assume_role_policy"), Some(LintKind::Trust))];
                    if let Some(Value::Array(inline)) = values.get("inline_policy") {
                        for index in 0..inline.len() {
                            fields.push((
                                format!("inline_policy[{index}].policy"),
                                Some(LintKind::Identity),
                            ));
                        }
                    }
                    fields
                }
                "aws_secretsmanager_secret_policy" | "aws_secretsmanager_secret" => {
                    vec![(String::from("policy"), Some(LintKind::Resource))]
                }
                "aws_s3_bucket_policy"
                | "aws_sqs_queue_policy"
                | "aws_sns_topic_policy"
                | "aws_ecr_repository_policy" => {
                    vec![(String::from("policy"), Some(LintKind::Resource))]
                }
                "aws_kms_key"
                | "aws_kms_replica_key"
                | "aws_kms_external_key"
                | "aws_kms_key_policy" => {
                    vec![(String::from("policy"), Some(LintKind::Key))]
                }
                "aws_organizations_policy" => {
                    let kind = match values.get("type").and_then(Value::as_str) {
                        Some("RESOURCE_CONTROL_POLICY") => Some(LintKind::Rcp),
                        Some("SERVICE_CONTROL_POLICY") | None => Some(LintKind::Scp),
                        Some(_) => continue,
                    };
                    vec![(String::from("content"), kind)]
                }
                "aws_iam_policy_document" => vec![(String::from("json"), None)],
                _ => Vec::new(),
            };
            for (field, kind) in fields {
                let field_path = key_path(&values_path, &field);
                let value = pointer(values, &field);
                let Some(Value::String(text)) = value else {
                    continue;
                };
                if text.trim().is_empty() {
                    continue;
                }
                let inner: Value = serde_json::from_str(text).map_err(|error| {
                    format!("{field_path}: the policy is not valid JSON: {error}")
                })?;
                found.push(Embedded {
                    value: inner,
                    kind,
                    string_line: Some(located.line(&field_path)),
                    path: field_path,
                });
            }
        }
    }
    if let Some(Value::Array(children)) = module.get("child_modules") {
        for (index, child) in children.iter().enumerate() {
            let child_path = index_path(&key_path(path, "child_modules"), index);
            terraform_module(child, &child_path, located, seen, found)?;
        }
    }
    Ok(())
}

/// `inline_policy[0].policy` inside `values`.
fn pointer<'a>(values: &'a Value, field: &str) -> Option<&'a Value> {
    let mut current = values;
    for part in field.split('.') {
        current = match part.split_once('[') {
            Some((key, index)) => current
                .get(key)?
                .get(index.trim_end_matches(']').parse::<usize>().ok()?)?,
            None => current.get(part)?,
        };
    }
    Some(current)
}

/// CloudFormation: the policy properties of the IAM, Secrets Manager, KMS and Organizations
/// resource types, intrinsic functions resolved to placeholders (`resolve`).
fn cloudformation(resources: &Map<String, Value>) -> Vec<Embedded> {
    let mut found = Vec::new();
    for (name, resource) in resources {
        let at = key_path("Resources", name);
        let Some(kind) = resource.get("Type").and_then(Value::as_str) else {
            continue;
        };
        let Some(properties) = resource.get("Properties") else {
            continue;
        };
        let props = key_path(&at, "Properties");
        let mut add = |field: String, kind: Option<LintKind>| {
            let Some(value) = pointer(properties, &field).filter(|v| v.is_object()) else {
                return;
            };
            // A document may also be written as a JSON string (`!Sub |` with a JSON body).
            let value = match resolve(value, false) {
                Value::String(text) => match serde_json::from_str::<Value>(&text) {
                    Ok(parsed) => parsed,
                    Err(_) => return,
                },
                resolved => resolved,
            };
            found.push(Embedded {
                value,
                kind,
                path: key_path(&props, &field),
                string_line: None,
            });
        };
        match kind {
            "AWS::IAM::Policy"
            | "AWS::IAM::ManagedPolicy"
            | "AWS::IAM::RolePolicy"
            | "AWS::IAM::UserPolicy"
            | "AWS::IAM::GroupPolicy" => {
                add(String::from("PolicyDocument"), Some(LintKind::Identity));
            }
            "AWS::IAM::Role" | "AWS::IAM::User" | "AWS::IAM::Group" => {
                if kind == "AWS::IAM::Role" {
                    add(
                        String::from("AssumeRolePolicyDocument"),
                        Some(LintKind::Trust),
                    );
                }
                let count = properties
                    .get("Policies")
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len);
                for index in 0..count {
                    add(
                        format!("Policies[{index}].PolicyDocument"),
                        Some(LintKind::Identity),
                    );
                }
            }
            "AWS::SecretsManager::ResourcePolicy" => {
                add(String::from("ResourcePolicy"), Some(LintKind::Resource));
            }
            "AWS::S3::BucketPolicy" | "AWS::SQS::QueuePolicy" | "AWS::SNS::TopicPolicy" => {
                add(String::from("PolicyDocument"), Some(LintKind::Resource));
            }
            "AWS::KMS::Key" | "AWS::KMS::ReplicaKey" => {
                add(String::from("KeyPolicy"), Some(LintKind::Key));
            }
            "AWS::Organizations::Policy" => {
                let kind = match properties.get("Type").and_then(Value::as_str) {
                    Some("RESOURCE_CONTROL_POLICY") => LintKind::Rcp,
                    _ => LintKind::Scp,
                };
                add(String::from("Content"), Some(kind));
            }
            _ => {}
        }
    }
    found
}

/// The account id that stands for the template's own account (`AWS::AccountId`) and for any
/// account a parameter names in a `Principal`: lint treats it as trusted.
pub const TEMPLATE_ACCOUNT: &str = "000000000000";

/// Intrinsic functions replaced by what lint can reason about: `Fn::Sub` strings with
/// `${AWS::AccountId}` as [`TEMPLATE_ACCOUNT`], `${AWS::Partition}` as `aws`, `${AWS::Region}`
/// as `*`, other references as `*` (in a `Principal`: the template account); a whole-value
/// `Ref`/`Fn::GetAtt`/`Fn::ImportValue` as `*` (in a `Principal`: the template account's root);
/// `Fn::Join` joined.
fn resolve(value: &Value, in_principal: bool) -> Value {
    match value {
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| resolve(v, in_principal)).collect())
        }
        Value::Object(map) if map.len() == 1 => {
            let Some((key, inner)) = map.iter().next() else {
                return Value::Null;
            };
            match key.as_str() {
                "Fn::Sub" => {
                    let template = match inner {
                        Value::String(text) => text.as_str(),
                        Value::Array(items) => items.first().and_then(Value::as_str).unwrap_or(""),
                        _ => "",
                    };
                    Value::String(substitute(template, in_principal))
                }
                "Fn::Join" => {
                    let parts = inner.as_array();
                    let separator = parts
                        .and_then(|p| p.first())
                        .and_then(Value::as_str)
                        .unwrap_or("");
                    let items = parts
                        .and_then(|p| p.get(1))
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default();
                    let joined: Vec<String> = items
                        .iter()
                        .map(|item| match resolve(item, in_principal) {
                            Value::String(text) => text,
                            other => other.to_string(),
                        })
                        .collect();
                    Value::String(joined.join(separator))
                }
                "Ref" | "Fn::GetAtt" | "Fn::ImportValue" | "Fn::FindInMap" | "Fn::Select"
                | "Fn::If" | "Fn::GetAZs" | "Fn::Base64" => match inner.as_str() {
                    Some("AWS::AccountId") => Value::String(TEMPLATE_ACCOUNT.to_owned()),
                    Some("AWS::Partition") => Value::String(String::from("aws")),
                    Some("AWS::Region") => Value::String(String::from("*")),
                    _ if in_principal => {
                        Value::String(format!("arn:aws:iam::{TEMPLATE_ACCOUNT}:root"))
                    }
                    _ => Value::String(String::from("*")),
                },
                _ => {
                    let principal = in_principal || key == "Principal" || key == "NotPrincipal";
                    let mut out = Map::new();
                    out.insert(key.clone(), resolve(inner, principal));
                    Value::Object(out)
                }
            }
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, inner)| {
                    let principal = in_principal || key == "Principal" || key == "NotPrincipal";
                    (key.clone(), resolve(inner, principal))
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

fn substitute(template: &str, in_principal: bool) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let name = &after[..end];
        if let Some(literal) = name.strip_prefix('!') {
            out.push_str("${");
            out.push_str(literal);
            out.push('}');
        } else {
            out.push_str(match name {
                "AWS::AccountId" => TEMPLATE_ACCOUNT,
                "AWS::Partition" => "aws",
                "AWS::URLSuffix" => "amazonaws.com",
                _ if in_principal => TEMPLATE_ACCOUNT,
                _ => "*",
            });
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}
