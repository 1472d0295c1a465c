//! The case-file format (`docs/policy-tests.md`), field for field: the model of
//! one scenario (its policies, compiled once, and its requests) and the loader that checks every
//! field and names the JSON path of whatever is wrong.

use std::path::Path;

use serde_json::Value;

use super::catalogue_check::check_request;
use super::context_json::{ContextEntries, check_context_object};
use super::derive::derive_principal_keys;
use super::error::{CaseError, CaseFileError, io_reason, json_text_error};
use super::json_shape::{
    check_fields, expect_array, expect_object, expect_string, json_kind, present, required,
};
use super::load_options::{Expectations, LoadOptions};
use super::policy_source::{PolicyFiles, PolicyLoader};
use crate::eval::{Context, Decision, PolicySet, Principal, Request};
use crate::policy::PolicyKind;

const FILE_FIELDS: [&str; 11] = [
    "name",
    "identity_policies",
    "resource_policy",
    "permission_boundary",
    "session_policy",
    "scps",
    "rcps",
    "requests",
    "derive_context",
    "snapshot",
    "allow_unknown",
];

const REQUEST_FIELDS: [&str; 8] = [
    "name",
    "principal",
    "action",
    "resource",
    "resource_account",
    "context",
    "expect",
    "allow_unknown",
];

/// One scenario: its policies, compiled, and its requests.
#[derive(Debug)]
pub struct CaseFile {
    pub name: String,
    pub policies: PolicySet,
    pub requests: Vec<CaseRequest>,
}

/// One request of a case and the decision it expects.
#[derive(Debug)]
pub struct CaseRequest {
    /// The request's `name`, or `requests[I]` when it has none.
    pub name: String,
    pub request: Request,
    pub expect: Option<Decision>,
    /// This request's own policies (snapshot-backed cases); `None`: the case's `policies`.
    pub policies: Option<PolicySet>,
    /// What the AWS catalogue does not know in this request (`requests[2].action: unknown action
    /// …`), unless it allows unknown names: the request is then an ERROR, not a test.
    pub unknown: Option<String>,
}

impl CaseRequest {
    /// The policies this request is decided against.
    pub fn policies<'a>(&'a self, case: &'a CaseFile) -> &'a PolicySet {
        self.policies.as_ref().unwrap_or(&case.policies)
    }
}

/// Reads and checks the case file at `path`; policies given by path are read relative to it.
pub fn load_case_file(path: &Path, options: &LoadOptions<'_>) -> Result<CaseFile, CaseFileError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|error| CaseFileError::Unreadable {
        file: file.clone(),
        reason: io_reason(&error),
    })?;
    let invalid = |error: CaseError| CaseFileError::Invalid {
        file: file.clone(),
        error,
    };
    let value: Value =
        crate::policy::parse_json_text(&text).map_err(|e| invalid(json_text_error(&e)))?;
    let fallback_name = path
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.clone());
    let mut policy_files = PolicyFiles::default();
    parse_case_with(
        &value,
        base_dir(path),
        options,
        &fallback_name,
        &mut policy_files,
    )
    .map_err(invalid)
}

/// Checks one case document (`value`); relative policy paths are resolved against `base_dir`.
/// A case without a `name` is called `fallback_name`.
pub fn parse_case(
    value: &Value,
    base_dir: &Path,
    options: &LoadOptions<'_>,
    fallback_name: &str,
) -> Result<CaseFile, CaseError> {
    parse_case_with(
        value,
        base_dir,
        options,
        fallback_name,
        &mut PolicyFiles::default(),
    )
}

/// The directory relative policy paths of the file at `path` are resolved against.
pub(crate) fn base_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

pub(crate) fn parse_case_with(
    value: &Value,
    base_dir: &Path,
    options: &LoadOptions<'_>,
    fallback_name: &str,
    policy_files: &mut PolicyFiles,
) -> Result<CaseFile, CaseError> {
    let object = expect_object(value, "")?;
    if object.contains_key("Statement") && !object.contains_key("requests") {
        return Err(CaseError::new(
            "",
            "this is a policy document, not a case file (a case file has `requests`)",
        ));
    }
    check_fields(object, "", &FILE_FIELDS)?;
    let snapshot = match present(object, "snapshot") {
        None => None,
        Some(snapshot) => {
            let snapshot = expect_string(snapshot, "snapshot")?;
            let Some(resolver) = options.snapshot else {
                return Err(CaseError::new(
                    "snapshot",
                    "snapshot-backed case files are not supported yet",
                ));
            };
            for field in [
                "identity_policies",
                "permission_boundary",
                "resource_policy",
            ] {
                if present(object, field).is_some() {
                    return Err(CaseError::new(
                        field,
                        "comes from the snapshot in a snapshot-backed case file",
                    ));
                }
            }
            Some((base_dir.join(snapshot), resolver))
        }
    };
    let name = match present(object, "name") {
        Some(name) => expect_string(name, "name")?.to_owned(),
        None => fallback_name.to_owned(),
    };
    let derive_context = optional_flag(object, "derive_context")?;
    // A case that expects decisions must be able to fail: its requests are checked against the
    // AWS catalogue unless the file (or the request) allows unknown names.
    let check_catalogue =
        options.expectations == Expectations::Required && !optional_flag(object, "allow_unknown")?;
    let mut loader = PolicyLoader {
        base_dir,
        files: policy_files,
    };
    let mut policies = PolicySet::default();
    if let Some(list) = present(object, "identity_policies") {
        for (index, item) in expect_array(list, "identity_policies")?.iter().enumerate() {
            let location = format!("identity_policies[{index}]");
            policies.identity.push(loader.policy(
                item,
                &location,
                PolicyKind::Identity,
                "identity",
            )?);
        }
    }
    policies.resource =
        loader.optional(object, "resource_policy", PolicyKind::Resource, "resource")?;
    policies.boundary = loader.optional(
        object,
        "permission_boundary",
        PolicyKind::Boundary,
        "boundary",
    )?;
    policies.session = loader.optional(object, "session_policy", PolicyKind::Session, "session")?;
    policies.scps = loader.levels(object, "scps", PolicyKind::Scp, "scp")?;
    policies.rcps = loader.levels(object, "rcps", PolicyKind::Rcp, "rcp")?;

    let Some(requests) = present(object, "requests") else {
        return Err(CaseError::new("", "missing field `requests`"));
    };
    let requests = expect_array(requests, "requests")?
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let location = format!("requests[{index}]");
            let mut request = parse_request(
                item,
                index,
                options.expectations,
                derive_context,
                check_catalogue,
            )
            .map_err(|error| error.within(&location))?;
            if let Some((snapshot, resolver)) = &snapshot {
                let resolved = resolver
                    .policies(snapshot, &request.request, &policies)
                    .map_err(|message| CaseError::new(location, message))?;
                request.policies = Some(resolved);
            }
            Ok(request)
        })
        .collect::<Result<Vec<_>, CaseError>>()?;
    Ok(CaseFile {
        name,
        policies,
        requests,
    })
}

/// A boolean field that defaults to `false`.
fn optional_flag(object: &serde_json::Map<String, Value>, field: &str) -> Result<bool, CaseError> {
    match present(object, field) {
        Some(Value::Bool(flag)) => Ok(*flag),
        Some(other) => Err(CaseError::new(
            field,
            format!("expected a boolean, found {}", json_kind(other)),
        )),
        None => Ok(false),
    }
}

fn parse_request(
    value: &Value,
    index: usize,
    expectations: Expectations,
    derive_context: bool,
    check_catalogue: bool,
) -> Result<CaseRequest, CaseError> {
    let object = expect_object(value, "")?;
    check_fields(object, "", &REQUEST_FIELDS)?;
    let name = match present(object, "name") {
        Some(name) => expect_string(name, "name")?.to_owned(),
        None => format!("requests[{index}]"),
    };
    let principal = parse_principal(required(object, "principal")?)?;
    let action = expect_string(required(object, "action")?, "action")?;
    if action.is_empty() {
        return Err(CaseError::new("action", "empty action"));
    }
    let resource = expect_string(required(object, "resource")?, "resource")?;
    if resource.is_empty() {
        return Err(CaseError::new("resource", "empty resource"));
    }
    let resource_account = match present(object, "resource_account") {
        Some(value) => Some(parse_account(value)?),
        None => None,
    };
    let given = match present(object, "context") {
        Some(context) => {
            let given = expect_object(context, "context")?;
            check_context_object(given).map_err(|error| error.within("context"))?;
            Some(given)
        }
        None => None,
    };
    let context = if derive_context {
        let mut entries = ContextEntries::from_checked(given.cloned().unwrap_or_default());
        for (key, value) in derive_principal_keys(&principal) {
            entries.insert_if_absent(key, &value);
        }
        entries.to_context()
    } else {
        // The common case, kept free of copies: the checked object goes to the evaluator as is.
        given.map_or_else(
            || Ok(Context::new()),
            |given| Context::from_json(given).map_err(|error| error.to_string()),
        )
    }
    .map_err(|message| CaseError::new("context", message))?;
    let expect = match (present(object, "expect"), expectations) {
        (Some(value), _) => Some(parse_expect_value(value)?),
        (None, Expectations::Optional) => None,
        (None, Expectations::Required) => {
            return Err(CaseError::new("", "missing field `expect`"));
        }
    };
    let request = Request {
        principal,
        action: action.to_owned(),
        resource: resource.to_owned(),
        resource_account,
        context,
    };
    let unknown = if check_catalogue && !optional_flag(object, "allow_unknown")? {
        check_request(&request)
            .err()
            .map(|error| error.within(format!("requests[{index}]")).to_string())
    } else {
        None
    };
    Ok(CaseRequest {
        name,
        request,
        expect,
        policies: None,
        unknown,
    })
}

/// `principal`: an ARN, or `{"type": "Anonymous"}`.
fn parse_principal(value: &Value) -> Result<Principal, CaseError> {
    match value {
        Value::String(arn) => {
            Principal::parse(arn).map_err(|error| CaseError::new("principal", error.to_string()))
        }
        Value::Object(object) => {
            check_fields(object, "principal", &["type"])?;
            match object.get("type") {
                Some(Value::String(kind)) if kind == "Anonymous" => Ok(Principal::Anonymous),
                Some(Value::String(kind)) => Err(CaseError::new(
                    "principal.type",
                    format!("expected `Anonymous`, found `{kind}`"),
                )),
                Some(other) => Err(CaseError::new(
                    "principal.type",
                    format!("expected `Anonymous`, found {}", json_kind(other)),
                )),
                None => Err(CaseError::new("principal", "missing field `type`")),
            }
        }
        other => Err(CaseError::new(
            "principal",
            format!(
                "expected an ARN or {{\"type\": \"Anonymous\"}}, found {}",
                json_kind(other)
            ),
        )),
    }
}

fn parse_account(value: &Value) -> Result<String, CaseError> {
    let account = expect_string(value, "resource_account")?;
    if crate::arn::is_account_id(account) {
        Ok(account.to_owned())
    } else {
        Err(CaseError::new(
            "resource_account",
            format!("expected a 12-digit account id, found `{account}`"),
        ))
    }
}

fn parse_expect_value(value: &Value) -> Result<Decision, CaseError> {
    const EXPECTED: &str = "expected one of `Allowed`, `ExplicitDeny`, `ImplicitDeny`";
    match value {
        Value::String(text) => Decision::from_name(text)
            .ok_or_else(|| CaseError::new("expect", format!("{EXPECTED}, found `{text}`"))),
        other => Err(CaseError::new(
            "expect",
            format!("{EXPECTED}, found {}", json_kind(other)),
        )),
    }
}
