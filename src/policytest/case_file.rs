//! The case-file format (DESIGN.md, "Policy test case format"), field for field: the model of
//! one scenario (its policies, compiled once, and its requests) and the loader that checks every
//! field and names the JSON path of whatever is wrong.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Map, Value};

use super::context_json::{ContextEntries, json_kind};
use super::derive::derive_principal_keys;
use super::error::{CaseError, CaseFileError, io_reason, json_syntax_error};
use crate::eval::{Decision, NamedPolicy, PolicySet, Principal, Request};
use crate::policy::{Policy, PolicyError, PolicyKind};

/// Fields that document a case and are never interpreted, allowed at file and request level.
const DOCUMENTATION_FIELDS: [&str; 4] = ["note", "source", "confidence", "confidence_note"];

const FILE_FIELDS: [&str; 10] = [
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
];

const REQUEST_FIELDS: [&str; 7] = [
    "name",
    "principal",
    "action",
    "resource",
    "resource_account",
    "context",
    "expect",
];

/// Whether every request must say what it expects (`secaudit test`) or may leave it out
/// (`secaudit eval --cases`, where the decision is the output).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expectations {
    Required,
    Optional,
}

/// How case files are loaded: whether requests must carry `expect`, and who resolves the
/// policies of snapshot-backed cases (`"snapshot": "path/to/snapshot"`).
#[derive(Clone, Copy)]
pub struct LoadOptions<'a> {
    pub expectations: Expectations,
    /// `None`: a case file with `snapshot` is an error ("not supported yet").
    pub snapshot: Option<&'a dyn SnapshotPolicies>,
}

impl LoadOptions<'static> {
    /// Options without snapshot support.
    pub fn new(expectations: Expectations) -> Self {
        Self {
            expectations,
            snapshot: None,
        }
    }
}

impl std::fmt::Debug for LoadOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadOptions")
            .field("expectations", &self.expectations)
            .field("snapshot", &self.snapshot.is_some())
            .finish()
    }
}

/// Resolves, for a snapshot-backed case, the policies that apply to one request: the
/// principal's identity policies and boundary and the secret's resource policy, taken from the
/// account snapshot. The hook through which snapshot support is wired in (the access analysis
/// owns snapshots; this module only calls it).
pub trait SnapshotPolicies {
    /// `snapshot` is the case's `snapshot` path resolved against the case file's directory;
    /// `inline` holds what the case file itself gives (SCPs, RCPs, a session policy). The
    /// error is one line, lowercase, without the file or the JSON path (the caller adds them).
    fn policies(
        &self,
        snapshot: &Path,
        request: &Request,
        inline: &PolicySet,
    ) -> Result<PolicySet, String>;
}

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
    let value: Value = serde_json::from_str(&text).map_err(|e| invalid(json_syntax_error(&e)))?;
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

/// Policy files already read during one load, so that a policy shared by many cases of a JSON
/// Lines file is parsed once.
#[derive(Debug, Default)]
pub(crate) struct PolicyFiles {
    compiled: BTreeMap<(PathBuf, &'static str), Arc<Policy>>,
}

impl PolicyFiles {
    fn load(
        &mut self,
        path: PathBuf,
        kind: PolicyKind,
        kind_key: &'static str,
    ) -> Result<Arc<Policy>, CaseFileError> {
        let key = (path, kind_key);
        if let Some(policy) = self.compiled.get(&key) {
            return Ok(Arc::clone(policy));
        }
        let policy = Arc::new(load_policy_file(&key.0, kind)?);
        self.compiled.insert(key, Arc::clone(&policy));
        Ok(policy)
    }
}

/// Reads and compiles the policy document at `path` as a policy of `kind`.
pub fn load_policy_file(path: &Path, kind: PolicyKind) -> Result<Policy, CaseFileError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|error| CaseFileError::Unreadable {
        file: file.clone(),
        reason: io_reason(&error),
    })?;
    let invalid = |error: CaseError| CaseFileError::Invalid {
        file: file.clone(),
        error,
    };
    let value: Value = serde_json::from_str(&text).map_err(|e| invalid(json_syntax_error(&e)))?;
    Policy::from_value(&value, kind).map_err(|error| invalid(policy_error(error)))
}

pub(crate) fn parse_case_with(
    value: &Value,
    base_dir: &Path,
    options: &LoadOptions<'_>,
    fallback_name: &str,
    policy_files: &mut PolicyFiles,
) -> Result<CaseFile, CaseError> {
    let object = expect_object(value, "")?;
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
    let derive_context = match present(object, "derive_context") {
        Some(Value::Bool(flag)) => *flag,
        Some(other) => {
            return Err(CaseError::new(
                "derive_context",
                format!("expected a boolean, found {}", json_kind(other)),
            ));
        }
        None => false,
    };
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
            let mut request = parse_request(item, index, options.expectations, derive_context)
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

fn parse_request(
    value: &Value,
    index: usize,
    expectations: Expectations,
    derive_context: bool,
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
    let mut entries = ContextEntries::new();
    if let Some(context) = present(object, "context") {
        for (key, value) in expect_object(context, "context")? {
            entries
                .insert(key, value.clone())
                .map_err(|error| error.within(&format!("context.{key}")))?;
        }
    }
    if derive_context {
        for (key, value) in derive_principal_keys(&principal) {
            entries.insert_if_absent(key, &value);
        }
    }
    let context = entries
        .to_context()
        .map_err(|message| CaseError::new("context", message))?;
    let expect = match (present(object, "expect"), expectations) {
        (Some(value), _) => Some(parse_expect_value(value)?),
        (None, Expectations::Optional) => None,
        (None, Expectations::Required) => {
            return Err(CaseError::new("", "missing field `expect`"));
        }
    };
    Ok(CaseRequest {
        name,
        request: Request {
            principal,
            action: action.to_owned(),
            resource: resource.to_owned(),
            resource_account,
            context,
        },
        expect,
        policies: None,
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
    if account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) {
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

/// Reads the policies of one case: inline documents or paths relative to the case file.
struct PolicyLoader<'a> {
    base_dir: &'a Path,
    files: &'a mut PolicyFiles,
}

impl PolicyLoader<'_> {
    fn policy(
        &mut self,
        value: &Value,
        location: &str,
        kind: PolicyKind,
        kind_key: &'static str,
    ) -> Result<NamedPolicy, CaseError> {
        match value {
            Value::Object(_) => {
                let policy = Policy::from_value(value, kind)
                    .map_err(|error| policy_error(error).within(location))?;
                Ok(NamedPolicy {
                    name: location.to_owned(),
                    policy: Arc::new(policy),
                })
            }
            Value::String(relative) => {
                if relative.is_empty() {
                    return Err(CaseError::new(location, "empty policy path"));
                }
                let policy = self
                    .files
                    .load(self.base_dir.join(relative), kind, kind_key)
                    .map_err(|error| CaseError::new(location, error.to_string()))?;
                Ok(NamedPolicy {
                    name: relative.clone(),
                    policy,
                })
            }
            other => Err(CaseError::new(
                location,
                format!(
                    "expected a policy document or a path, found {}",
                    json_kind(other)
                ),
            )),
        }
    }

    fn optional(
        &mut self,
        object: &Map<String, Value>,
        field: &str,
        kind: PolicyKind,
        kind_key: &'static str,
    ) -> Result<Option<NamedPolicy>, CaseError> {
        present(object, field)
            .map(|value| self.policy(value, field, kind, kind_key))
            .transpose()
    }

    /// `scps` / `rcps`: a flat list is one level; a list of lists is one list per level, root
    /// first; `[]`, `null` or absent is no Organizations.
    fn levels(
        &mut self,
        object: &Map<String, Value>,
        field: &str,
        kind: PolicyKind,
        kind_key: &'static str,
    ) -> Result<Vec<Vec<NamedPolicy>>, CaseError> {
        let Some(value) = present(object, field) else {
            return Ok(Vec::new());
        };
        let items = expect_array(value, field)?;
        if items.is_empty() {
            return Ok(Vec::new());
        }
        let nested = items.iter().filter(|item| item.is_array()).count();
        if nested == 0 {
            let level = items
                .iter()
                .enumerate()
                .map(|(index, item)| {
                    self.policy(item, &format!("{field}[{index}]"), kind, kind_key)
                })
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(vec![level]);
        }
        if nested != items.len() {
            let first_flat = items.iter().position(|item| !item.is_array()).unwrap_or(0);
            return Err(CaseError::new(
                format!("{field}[{first_flat}]"),
                "expected a list of policies for this level: write either a flat list of policies (one level) or a list of levels",
            ));
        }
        let mut levels = Vec::with_capacity(items.len());
        for (level_index, level) in items.iter().enumerate() {
            let level = expect_array(level, &format!("{field}[{level_index}]"))?
                .iter()
                .enumerate()
                .map(|(index, item)| {
                    self.policy(
                        item,
                        &format!("{field}[{level_index}][{index}]"),
                        kind,
                        kind_key,
                    )
                })
                .collect::<Result<Vec<_>, _>>()?;
            levels.push(level);
        }
        Ok(levels)
    }
}

/// A policy's error as a case error (`$`, the whole document, becomes the empty path).
fn policy_error(error: PolicyError) -> CaseError {
    let path = if error.path == "$" {
        String::new()
    } else {
        error.path
    };
    CaseError::new(path, error.message)
}

/// The value of `field` unless it is absent or `null` (omitted keys mean "none").
fn present<'a>(object: &'a Map<String, Value>, field: &str) -> Option<&'a Value> {
    object.get(field).filter(|value| !value.is_null())
}

fn required<'a>(object: &'a Map<String, Value>, field: &str) -> Result<&'a Value, CaseError> {
    present(object, field).ok_or_else(|| CaseError::new("", format!("missing field `{field}`")))
}

fn check_fields(
    object: &Map<String, Value>,
    location: &str,
    known: &[&str],
) -> Result<(), CaseError> {
    match object
        .keys()
        .find(|key| !known.contains(&key.as_str()) && !DOCUMENTATION_FIELDS.contains(&key.as_str()))
    {
        Some(unknown) => Err(CaseError::new(
            location,
            format!("unknown field `{unknown}`"),
        )),
        None => Ok(()),
    }
}

fn expect_object<'a>(
    value: &'a Value,
    location: &str,
) -> Result<&'a Map<String, Value>, CaseError> {
    value.as_object().ok_or_else(|| {
        CaseError::new(
            location,
            format!("expected an object, found {}", json_kind(value)),
        )
    })
}

fn expect_array<'a>(value: &'a Value, location: &str) -> Result<&'a Vec<Value>, CaseError> {
    value.as_array().ok_or_else(|| {
        CaseError::new(
            location,
            format!("expected a list, found {}", json_kind(value)),
        )
    })
}

fn expect_string<'a>(value: &'a Value, location: &str) -> Result<&'a str, CaseError> {
    value.as_str().ok_or_else(|| {
        CaseError::new(
            location,
            format!("expected a string, found {}", json_kind(value)),
        )
    })
}
