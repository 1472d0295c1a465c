//! The document checks of `secaudit lint`: names checked against the AWS catalogue (service,
//! action, condition key for the statement's actions, resource ARN shape for the actions'
//! resource types), operators against key types, policy variables against `Version`, and the
//! Secrets Manager traps (`NAME-*`, `ForAllValues:` without a `Null` guard, `NotPrincipal`,
//! `NotAction` with `Allow`). The dangerous-grant checks that need the evaluator are in
//! `grants`.

use serde_json::{Map, Value};

use super::located::{index_path, key_path};
use super::report::Sink;
use crate::catalogue::{
    self, Action, Catalogue, KeyType, Service, edit_distance, pattern_may_have_format,
};
use crate::findings::Severity;
use crate::policy::{BaseOperator, Operator, SetQualifier};

use super::finding::Level;

/// A statement as written: its JSON path and object.
pub(crate) fn statements(document: &Value) -> Vec<(String, &Map<String, Value>)> {
    match document.get("Statement") {
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| item.as_object().map(|o| (index_path("Statement", i), o)))
            .collect(),
        Some(Value::Object(object)) => vec![(String::from("Statement"), object)],
        _ => Vec::new(),
    }
}

/// The string values of an element with their paths (`Action` or `Action[2]`).
pub(crate) fn element<'a>(
    statement: &'a Map<String, Value>,
    path: &str,
    name: &str,
) -> Vec<(String, &'a str)> {
    let at = key_path(path, name);
    match statement.get(name) {
        Some(Value::String(text)) => vec![(at, text.as_str())],
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| item.as_str().map(|text| (index_path(&at, i), text)))
            .collect(),
        _ => Vec::new(),
    }
}

/// Runs every document check on `document`.
pub(crate) fn check_document(document: &Value, sink: &mut Sink<'_>) {
    let catalogue = catalogue::catalogue();
    let version = document.get("Version").and_then(Value::as_str);
    if version.is_none() {
        sink.push(
            "missing-version",
            Level::Note,
            Severity::Low,
            "",
            String::from("the policy has no `Version`: AWS reads it as `2008-10-17`, without policy variables"),
            String::from("add `\"Version\": \"2012-10-17\"`"),
        );
    }
    for (path, statement) in statements(document) {
        let allow = statement.get("Effect").and_then(Value::as_str) == Some("Allow");
        let actions = check_actions(catalogue, statement, &path, sink);
        check_resources(statement, &path, actions.as_deref(), sink);
        check_conditions(catalogue, statement, &path, actions.as_deref(), allow, sink);
        if version != Some("2012-10-17") {
            check_variables(statement, &path, sink);
        }
        if statement.contains_key("NotPrincipal") {
            sink.push(
                "not-principal",
                Level::Warning,
                Severity::Medium,
                &key_path(&path, "NotPrincipal"),
                String::from("`NotPrincipal` names who is excluded, so every other principal, anonymous callers included, is covered; AWS advises against it"),
                String::from("use `\"Principal\": \"*\"` with an `ArnNotEquals` condition on `aws:PrincipalArn`"),
            );
        }
        if allow && statement.contains_key("NotAction") {
            sink.push(
                "not-action-with-allow",
                Level::Warning,
                Severity::High,
                &key_path(&path, "NotAction"),
                String::from("`Allow` with `NotAction` allows every action of every service except those listed, including actions AWS adds later"),
                String::from("list the allowed actions in `Action` instead"),
            );
        }
        for (at, resource) in element(statement, &path, "Resource") {
            check_secret_wildcard(&at, resource, sink);
        }
    }
}

/// The actions the statement's `Action` names (wildcards expanded); `None` when it may be any
/// action (`*`, `NotAction`) or names none.
fn check_actions<'c>(
    catalogue: &'c Catalogue,
    statement: &Map<String, Value>,
    path: &str,
    sink: &mut Sink<'_>,
) -> Option<Vec<(&'c Service, &'c Action, bool)>> {
    let mut all = false;
    let mut found = Vec::new();
    for name in ["Action", "NotAction"] {
        for (at, text) in element(statement, path, name) {
            if name == "NotAction" {
                all = true;
            }
            if text == "*" {
                all = true;
                continue;
            }
            let Some((prefix, action)) = text.split_once(':') else {
                continue;
            };
            let literal_prefix = !prefix.contains(['*', '?']);
            if literal_prefix && catalogue.service(prefix).is_none() {
                sink.push(
                    "unknown-service",
                    Level::Error,
                    Severity::High,
                    &at,
                    format!("`{prefix}` is not an AWS service prefix, so `{text}` matches nothing"),
                    suggest(
                        catalogue.services.iter().map(|s| s.prefix.to_owned()),
                        prefix,
                        |best| format!("did you mean `{best}:{action}`?"),
                        "check the service prefix in the Service Authorization Reference",
                    ),
                );
                continue;
            }
            let matched = catalogue.actions_matching(text);
            if matched.is_empty() {
                let service = catalogue.service(prefix);
                sink.push(
                    "unknown-action",
                    Level::Error,
                    Severity::High,
                    &at,
                    format!("`{text}` matches no action of `{prefix}`"),
                    suggest(
                        service
                            .into_iter()
                            .flat_map(|s| s.actions.iter().map(move |a| a.name.to_owned())),
                        action,
                        |best| format!("did you mean `{prefix}:{best}`?"),
                        "check the action name in the Service Authorization Reference",
                    ),
                );
                continue;
            }
            let literal = !text.contains(['*', '?']);
            found.extend(
                matched
                    .into_iter()
                    .map(|(service, action)| (service, action, literal)),
            );
        }
    }
    (!all && !found.is_empty()).then_some(found)
}

/// Resource ARNs that no action of the statement acts on, and literal actions that no resource
/// of the statement can name.
fn check_resources(
    statement: &Map<String, Value>,
    path: &str,
    actions: Option<&[(&Service, &Action, bool)]>,
    sink: &mut Sink<'_>,
) {
    let Some(actions) = actions else {
        return;
    };
    let resources = element(statement, path, "Resource");
    if resources.is_empty() {
        return;
    }
    let any = resources.iter().any(|(_, r)| *r == "*");
    let formats = |service: &Service, action: &Action| -> Vec<&'static str> {
        service
            .resource_types(action)
            .map(|r| r.format)
            .collect::<Vec<_>>()
    };
    for (at, resource) in &resources {
        let with_types = actions.iter().any(|(service, action, _)| {
            !action.resources.is_empty() && !service.resources.is_empty()
        });
        if *resource == "*" || !resource.starts_with("arn:") || !with_types {
            continue;
        }
        let fits = actions.iter().any(|(service, action, _)| {
            formats(service, action)
                .iter()
                .any(|format| pattern_may_have_format(resource, format))
        });
        if !fits {
            let names: Vec<String> = actions
                .iter()
                .filter(|(_, _, literal)| *literal)
                .map(|(s, a, _)| format!("{}:{}", s.prefix, a.name))
                .collect();
            let expected: Vec<&str> = actions
                .iter()
                .flat_map(|(service, action, _)| formats(service, action))
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .take(3)
                .collect();
            sink.push(
                "resource-arn-mismatch",
                Level::Error,
                Severity::High,
                at,
                format!(
                    "`{resource}` is not an ARN that {} acts on, so it never matches",
                    if names.is_empty() {
                        String::from("any action of the statement")
                    } else {
                        format!("`{}`", names.join("`, `"))
                    }
                ),
                if expected.is_empty() {
                    String::from("these actions act on no resource type: use `\"Resource\": \"*\"`")
                } else {
                    format!("write an ARN of the form {}", expected.join(" or "))
                },
            );
        }
    }
    if any {
        return;
    }
    for (service, action, literal) in actions {
        if !literal {
            continue;
        }
        let formats = formats(service, action);
        let reachable = if formats.is_empty() {
            false
        } else {
            resources.iter().any(|(_, resource)| {
                formats
                    .iter()
                    .any(|format| pattern_may_have_format(resource, format))
            })
        };
        if !reachable {
            let at = key_path(path, "Resource");
            let name = format!("{}:{}", service.prefix, action.name);
            sink.push(
                "resource-arn-mismatch",
                Level::Error,
                Severity::High,
                &at,
                format!("no resource of the statement is one `{name}` acts on, so the statement never applies to it"),
                if formats.is_empty() {
                    format!("`{name}` supports no resource-level permissions: give it `\"Resource\": \"*\"` in a statement of its own")
                } else {
                    format!("add a resource of the form {}", formats.join(" or "))
                },
            );
        }
    }
}

fn check_conditions(
    catalogue: &Catalogue,
    statement: &Map<String, Value>,
    path: &str,
    actions: Option<&[(&Service, &Action, bool)]>,
    allow: bool,
    sink: &mut Sink<'_>,
) {
    let Some(Value::Object(block)) = statement.get("Condition") else {
        return;
    };
    let condition_path = key_path(path, "Condition");
    // Keys with a `Null: false` test: the guard that `ForAllValues:` needs.
    let guarded: Vec<String> = block
        .get("Null")
        .and_then(Value::as_object)
        .map(|tests| {
            tests
                .iter()
                .filter(|(_, value)| {
                    matches!(value, Value::String(s) if s == "false")
                        || matches!(value, Value::Bool(false))
                })
                .map(|(key, _)| key.to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default();
    for (operator_name, tests) in block {
        let Some(operator) = Operator::parse(operator_name) else {
            continue;
        };
        let Some(tests) = tests.as_object() else {
            continue;
        };
        let operator_path = key_path(&condition_path, operator_name);
        for key in tests.keys() {
            let at = key_path(&operator_path, key);
            let known = match actions {
                Some(actions) => {
                    let for_action = actions.iter().find_map(|(service, action, _)| {
                        catalogue.key_for_action(service, action, key)
                    });
                    if for_action.is_none() && catalogue.any_key(key).is_some() {
                        let names: Vec<String> = actions
                            .iter()
                            .take(3)
                            .map(|(s, a, _)| format!("{}:{}", s.prefix, a.name))
                            .collect();
                        sink.push(
                                "condition-key-not-for-action",
                                Level::Error,
                                Severity::Medium,
                                &at,
                                format!(
                                    "`{key}` is never present in requests for `{}`{}, so this test {}",
                                    names.join("`, `"),
                                    if actions.len() > 3 { " …" } else { "" },
                                    if operator.base.is_negated() || operator.if_exists || operator.base == BaseOperator::Null { "is always true" } else { "never matches" }
                                ),
                                String::from("use a key that these actions support (Service Authorization Reference), or a global `aws:` key"),
                            );
                    }
                    for_action.or_else(|| catalogue.any_key(key))
                }
                None => catalogue.any_key(key),
            };
            let Some(known) = known else {
                sink.push(
                    "unknown-condition-key",
                    Level::Error,
                    Severity::Medium,
                    &at,
                    format!("`{key}` is not an AWS condition key, so requests never carry it"),
                    suggest(
                        catalogue.globals.iter().map(|k| k.name.to_owned()).chain(
                            key.split_once(':')
                                .and_then(|(prefix, _)| catalogue.service(prefix))
                                .into_iter()
                                .flat_map(|s| s.keys.iter().map(|k| k.name.to_owned())),
                        ),
                        key,
                        |best| format!("did you mean `{best}`?"),
                        "check the key in the Service Authorization Reference",
                    ),
                );
                continue;
            };
            check_operator_type(operator, operator_name, known, &at, sink);
            if allow
                && operator.set == Some(SetQualifier::ForAllValues)
                && !guarded.contains(&key.to_ascii_lowercase())
            {
                sink.push(
                    "forallvalues-without-null-guard",
                    Level::Warning,
                    Severity::Medium,
                    &at,
                    format!("`{operator_name}` is true when the request has no `{key}` at all, so this Allow also applies to requests without it"),
                    format!("add `\"Null\": {{\"{key}\": \"false\"}}` to the statement's conditions"),
                );
            }
        }
    }
}

fn check_operator_type(
    operator: Operator,
    operator_name: &str,
    key: &catalogue::Key,
    at: &str,
    sink: &mut Sink<'_>,
) {
    use BaseOperator as B;
    let base = operator.base;
    let family = match base {
        B::StringEquals
        | B::StringNotEquals
        | B::StringEqualsIgnoreCase
        | B::StringNotEqualsIgnoreCase
        | B::StringLike
        | B::StringNotLike => "string",
        B::NumericEquals
        | B::NumericNotEquals
        | B::NumericLessThan
        | B::NumericLessThanEquals
        | B::NumericGreaterThan
        | B::NumericGreaterThanEquals => "numeric",
        B::DateEquals
        | B::DateNotEquals
        | B::DateLessThan
        | B::DateLessThanEquals
        | B::DateGreaterThan
        | B::DateGreaterThanEquals => "date",
        B::Bool => "bool",
        B::BinaryEquals => "binary",
        B::IpAddress | B::NotIpAddress => "ip",
        B::ArnEquals | B::ArnNotEquals | B::ArnLike | B::ArnNotLike => "arn",
        B::Null => return,
    };
    let level = match (family, key.kind) {
        ("string", KeyType::String | KeyType::Arn) => None,
        ("string", _) => Some(Level::Warning),
        ("numeric", KeyType::Numeric) => None,
        ("date", KeyType::Date | KeyType::Numeric) => None,
        ("bool", KeyType::Bool) => None,
        ("ip", KeyType::IpAddress) => None,
        // ARN operators on string keys that hold ARNs are documented usage
        // (`kms:EncryptionContext:aws:logs:arn`).
        ("arn", KeyType::Arn | KeyType::String) => None,
        _ => Some(Level::Error),
    };
    if let Some(level) = level {
        sink.push(
            "operator-type-mismatch",
            level,
            if level == Level::Error {
                Severity::High
            } else {
                Severity::Low
            },
            at,
            format!(
                "`{operator_name}` compares {family} values but `{}` is of type {}",
                key.name,
                key.type_name()
            ),
            format!("use an operator for {} keys", key.type_name()),
        );
    }
    match (operator.set, key.multivalued) {
        (Some(_), false) => sink.push(
            "set-operator-on-single-valued-key",
            Level::Warning,
            Severity::Medium,
            at,
            format!("`{}` is single-valued; a set operator on it is true when the key is missing (ForAllValues) or reads oddly", key.name),
            format!("drop the `ForAllValues:`/`ForAnyValue:` prefix from `{operator_name}`"),
        ),
        (None, true) if base != B::Null => sink.push(
            "multivalued-key-without-set-operator",
            Level::Warning,
            Severity::Medium,
            at,
            format!("`{}` is multivalued but `{operator_name}` has no `ForAnyValue:`/`ForAllValues:` qualifier", key.name),
            String::from("say whether any or all of the request's values must match (`ForAnyValue:` or `ForAllValues:` with a `Null` guard)"),
        ),
        _ => {}
    }
}

/// Policy variables in a policy whose `Version` is not `2012-10-17`: AWS takes them literally.
fn check_variables(statement: &Map<String, Value>, path: &str, sink: &mut Sink<'_>) {
    let mut found = Vec::new();
    for name in ["Resource", "NotResource"] {
        found.extend(element(statement, path, name));
    }
    if let Some(Value::Object(block)) = statement.get("Condition") {
        let condition_path = key_path(path, "Condition");
        for (operator, tests) in block {
            for (key, values) in tests.as_object().into_iter().flatten() {
                let at = key_path(&key_path(&condition_path, operator), key);
                match values {
                    Value::String(text) => found.push((at, text.as_str())),
                    Value::Array(items) => found.extend(
                        items
                            .iter()
                            .enumerate()
                            .filter_map(|(i, v)| v.as_str().map(|t| (index_path(&at, i), t))),
                    ),
                    _ => {}
                }
            }
        }
    }
    for (at, text) in found {
        if text.contains("${") {
            sink.push(
                "policy-variable-in-2008-policy",
                Level::Error,
                Severity::High,
                &at,
                format!("`{text}` uses a policy variable, but without `\"Version\": \"2012-10-17\"` AWS reads it literally, so it never matches"),
                String::from("set `\"Version\": \"2012-10-17\"`"),
            );
        }
    }
}

/// `…:secret:NAME-*` also matches every secret whose name starts with `NAME-` (`NAME-admin`);
/// the six characters Secrets Manager appends are matched by `NAME-??????`.
fn check_secret_wildcard(at: &str, resource: &str, sink: &mut Sink<'_>) {
    let parts: Vec<&str> = resource.splitn(7, ':').collect();
    let [_, _, "secretsmanager", _, _, "secret", name] = parts.as_slice() else {
        return;
    };
    let Some(stem) = name.strip_suffix("-*") else {
        return;
    };
    if stem.is_empty() || stem.contains(['*', '?']) || stem.starts_with("${") {
        return;
    }
    sink.push(
        "secret-name-wildcard",
        Level::Warning,
        Severity::Medium,
        at,
        format!("`{name}` also matches other secrets whose names start with `{stem}-` (`{stem}-admin`, …), not only `{stem}` with its random suffix"),
        format!("use `{stem}-??????` (Secrets Manager appends `-` and six characters)"),
    );
}

/// `did you mean …` for the closest name, or `fallback`.
fn suggest(
    candidates: impl Iterator<Item = String>,
    wrong: &str,
    phrase: impl Fn(&str) -> String,
    fallback: &str,
) -> String {
    let wrong_lower = wrong.to_ascii_lowercase();
    let best = candidates
        .map(|candidate| {
            // `aws:PrincipalTag/*` is compared with `aws:PrincipalTagg/team` up to the `/`.
            let lower = candidate.to_ascii_lowercase();
            let score = match (lower.strip_suffix("/*"), wrong_lower.split_once('/')) {
                (Some(stem), Some((wrong_stem, _))) => edit_distance(stem, wrong_stem),
                _ => edit_distance(&lower, &wrong_lower),
            };
            let shown = match (candidate.strip_suffix("/*"), wrong.split_once('/')) {
                (Some(stem), Some((_, rest))) => format!("{stem}/{rest}"),
                _ => candidate,
            };
            (score, shown)
        })
        .min();
    match best {
        Some((distance, best)) if distance <= 3.max(wrong.len() / 5) && distance > 0 => {
            phrase(&best)
        }
        _ => fallback.to_owned(),
    }
}
