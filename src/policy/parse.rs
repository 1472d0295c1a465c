//! JSON → `Policy`, with a JSON path on every error. Validates what AWS validates for the
//! policy's kind; never ignores an element it does not understand.

use serde_json::{Map, Value};

use super::condition;
use super::index::ActionIndex;
use super::principal::{self, PrincipalRule};
use super::template::Template;
use super::{
    ActionPattern, Clause, Effect, Operator, Policy, PolicyError, PolicyKind, PrincipalPattern,
    ResourcePattern, Statement,
};

/// The version that turns policy variables on.
const VERSION_2012: &str = "2012-10-17";
const VERSION_2008: &str = "2008-10-17";

pub(super) fn policy(value: &Value, kind: PolicyKind) -> Result<Policy, PolicyError> {
    let Value::Object(document) = value else {
        return Err(PolicyError::new(
            "$",
            format!("expected a json object, found {}", describe(value)),
        ));
    };
    for key in document.keys() {
        if !matches!(key.as_str(), "Version" | "Id" | "Statement") {
            return Err(PolicyError::new(
                key.as_str(),
                format!("unknown policy element `{key}`"),
            ));
        }
    }
    let version = optional_string(document, "Version", "Version")?;
    if let Some(v) = &version
        && v != VERSION_2012
        && v != VERSION_2008
    {
        return Err(PolicyError::new(
            "Version",
            format!("expected `{VERSION_2012}` or `{VERSION_2008}`, found `{v}`"),
        ));
    }
    let id = optional_string(document, "Id", "Id")?;
    let variables = version.as_deref() == Some(VERSION_2012);
    let statements = match document.get("Statement") {
        None => return Err(PolicyError::new("$", "missing `Statement`")),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| statement(item, kind, variables, &format!("Statement[{i}]")))
            .collect::<Result<Vec<_>, _>>()?,
        Some(item @ Value::Object(_)) => vec![statement(item, kind, variables, "Statement")?],
        Some(other) => {
            return Err(PolicyError::new(
                "Statement",
                format!(
                    "expected an object or an array of objects, found {}",
                    describe(other)
                ),
            ));
        }
    };
    let index = ActionIndex::build(&statements);
    Ok(Policy {
        kind,
        version,
        id,
        statements,
        index,
    })
}

fn statement(
    value: &Value,
    kind: PolicyKind,
    variables: bool,
    path: &str,
) -> Result<Statement, PolicyError> {
    let Value::Object(map) = value else {
        return Err(PolicyError::new(
            path,
            format!("expected an object, found {}", describe(value)),
        ));
    };
    for key in map.keys() {
        if !matches!(
            key.as_str(),
            "Sid"
                | "Effect"
                | "Principal"
                | "NotPrincipal"
                | "Action"
                | "NotAction"
                | "Resource"
                | "NotResource"
                | "Condition"
        ) {
            return Err(PolicyError::new(
                format!("{path}.{key}"),
                format!("unknown statement element `{key}`"),
            ));
        }
    }
    let sid = optional_string(map, "Sid", &format!("{path}.Sid"))?;
    let effect = match map.get("Effect") {
        None => return Err(PolicyError::new(path, "missing `Effect`")),
        Some(Value::String(s)) if s == "Allow" => Effect::Allow,
        Some(Value::String(s)) if s == "Deny" => Effect::Deny,
        Some(Value::String(s)) => {
            return Err(PolicyError::new(
                format!("{path}.Effect"),
                format!("expected `Allow` or `Deny`, found `{s}`"),
            ));
        }
        Some(other) => {
            return Err(PolicyError::new(
                format!("{path}.Effect"),
                format!("expected `Allow` or `Deny`, found {}", describe(other)),
            ));
        }
    };

    let actions = match pick(map, "Action", "NotAction", path)? {
        None => return Err(PolicyError::new(path, "missing `Action` or `NotAction`")),
        Some((negated, name, value)) => Clause {
            negated,
            items: strings(value, &format!("{path}.{name}"))?
                .into_iter()
                .map(|(text, p)| action(text, &p))
                .collect::<Result<_, _>>()?,
        },
    };

    let resources = match pick(map, "Resource", "NotResource", path)? {
        None => match kind {
            PolicyKind::Identity | PolicyKind::Boundary | PolicyKind::Session => {
                return Err(PolicyError::new(
                    path,
                    "missing `Resource` or `NotResource`",
                ));
            }
            PolicyKind::Resource | PolicyKind::Scp | PolicyKind::Rcp => None,
        },
        Some((negated, name, value)) => Some(Clause {
            negated,
            items: strings(value, &format!("{path}.{name}"))?
                .into_iter()
                .map(|(text, p)| resource(text, variables, &p))
                .collect::<Result<_, _>>()?,
        }),
    };

    let picked_principal = pick(map, "Principal", "NotPrincipal", path)?;
    let (principals, principal_rules) = match (kind, picked_principal) {
        (PolicyKind::Resource, None) => {
            return Err(PolicyError::new(
                path,
                "missing `Principal` or `NotPrincipal` in a resource policy",
            ));
        }
        (PolicyKind::Rcp, Some((true, _, _))) => {
            return Err(PolicyError::new(
                format!("{path}.NotPrincipal"),
                "`NotPrincipal` is not allowed in a resource control policy",
            ));
        }
        // `Allow` + `NotPrincipal` is no longer supported by AWS but legacy resource policies
        // hold it: it loads (everyone except the listed principals is allowed) and
        // `Policy::allow_not_principal` lets audits flag it.
        (PolicyKind::Resource | PolicyKind::Rcp, Some((negated, name, value))) => {
            let (items, rules) = principals(value, &format!("{path}.{name}"))?;
            (Some(Clause { negated, items }), rules)
        }
        (_, None) => (None, Vec::new()),
        (other, Some((_, name, _))) => {
            return Err(PolicyError::new(
                format!("{path}.{name}"),
                format!("`{name}` is not allowed in {}", kind_name(other)),
            ));
        }
    };

    let conditions = match map.get("Condition") {
        None => Vec::new(),
        Some(value) => conditions(value, variables, &format!("{path}.Condition"))?,
    };

    Ok(Statement {
        sid,
        effect,
        actions,
        resources,
        principals,
        conditions,
        principal_rules,
    })
}

/// The one of `name`/`not_name` present: (negated, element name, value).
fn pick<'a>(
    map: &'a Map<String, Value>,
    name: &'static str,
    not_name: &'static str,
    path: &str,
) -> Result<Option<(bool, &'static str, &'a Value)>, PolicyError> {
    match (map.get(name), map.get(not_name)) {
        (Some(_), Some(_)) => Err(PolicyError::new(
            path,
            format!("`{name}` and `{not_name}` cannot both be present"),
        )),
        (Some(value), None) => Ok(Some((false, name, value))),
        (None, Some(value)) => Ok(Some((true, not_name, value))),
        (None, None) => Ok(None),
    }
}

/// A string or a non-empty array of strings, each with its path.
fn strings<'a>(value: &'a Value, path: &str) -> Result<Vec<(&'a str, String)>, PolicyError> {
    match value {
        Value::String(s) => Ok(vec![(s.as_str(), path.to_owned())]),
        Value::Array(items) if items.is_empty() => {
            Err(PolicyError::new(path, "expected at least one value"))
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::String(s) => Ok((s.as_str(), format!("{path}[{i}]"))),
                other => Err(PolicyError::new(
                    format!("{path}[{i}]"),
                    format!("expected a string, found {}", describe(other)),
                )),
            })
            .collect(),
        other => Err(PolicyError::new(
            path,
            format!(
                "expected a string or an array of strings, found {}",
                describe(other)
            ),
        )),
    }
}

fn action(text: &str, path: &str) -> Result<ActionPattern, PolicyError> {
    let lower = text.to_ascii_lowercase();
    let service = if text == "*" {
        None
    } else {
        match lower.split_once(':') {
            Some((service, name))
                if !service.is_empty()
                    && !name.is_empty()
                    && !name.contains(':')
                    && service
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-_*?.".contains(&b)) =>
            {
                (!service.contains(['*', '?'])).then(|| service.into())
            }
            _ => {
                return Err(PolicyError::new(
                    path,
                    format!("expected `*` or `service:action`, found `{text}`"),
                ));
            }
        }
    };
    Ok(ActionPattern {
        text: text.to_owned(),
        shape: crate::arn::wildcard::Shape::of(&lower),
        lower: lower.into(),
        service,
    })
}

fn resource(text: &str, variables: bool, path: &str) -> Result<ResourcePattern, PolicyError> {
    if text != "*" && !text.starts_with("arn:") && !(variables && text.starts_with("${")) {
        return Err(PolicyError::new(
            path,
            format!("expected `*` or an arn, found `{text}`"),
        ));
    }
    let template = Template::parse(text, variables);
    let arn = template
        .as_plain()
        .map(|(plain, _)| crate::arn::ArnPattern::compile(plain));
    Ok(ResourcePattern {
        text: text.to_owned(),
        any: text == "*",
        template,
        arn,
    })
}

fn principals(
    value: &Value,
    path: &str,
) -> Result<(Vec<PrincipalPattern>, Vec<PrincipalRule>), PolicyError> {
    let mut items = Vec::new();
    let mut rules = Vec::new();
    match value {
        Value::String(s) if s == "*" => {
            items.push(PrincipalPattern::Everyone);
            rules.push(PrincipalRule::Everyone);
        }
        Value::String(s) => {
            return Err(PolicyError::new(
                path,
                format!("expected `*` or an object such as `{{\"AWS\": …}}`, found `{s}`"),
            ));
        }
        Value::Object(map) => {
            if map.is_empty() {
                return Err(PolicyError::new(path, "expected at least one principal"));
            }
            for (key, value) in map {
                let key_path = format!("{path}.{key}");
                for (text, p) in strings(value, &key_path)? {
                    let (item, rule) = match key.as_str() {
                        "AWS" => principal::aws_principal(text, &p)?,
                        "Service" => (
                            PrincipalPattern::Service(text.to_owned()),
                            PrincipalRule::Service(text.into()),
                        ),
                        "Federated" => (
                            PrincipalPattern::Federated(text.to_owned()),
                            PrincipalRule::IdentityProvider(text.into()),
                        ),
                        "CanonicalUser" => (
                            PrincipalPattern::CanonicalUser(text.to_owned()),
                            PrincipalRule::Never,
                        ),
                        _ => {
                            return Err(PolicyError::new(
                                key_path,
                                format!(
                                    "unknown principal type `{key}`, expected `AWS`, `Service`, `Federated` or `CanonicalUser`"
                                ),
                            ));
                        }
                    };
                    items.push(item);
                    rules.push(rule);
                }
            }
        }
        other => {
            return Err(PolicyError::new(
                path,
                format!("expected `*` or an object, found {}", describe(other)),
            ));
        }
    }
    Ok((items, rules))
}

fn conditions(
    value: &Value,
    variables: bool,
    path: &str,
) -> Result<Vec<super::Condition>, PolicyError> {
    let Value::Object(operators) = value else {
        return Err(PolicyError::new(
            path,
            format!("expected an object, found {}", describe(value)),
        ));
    };
    let mut out = Vec::new();
    for (name, block) in operators {
        let op_path = format!("{path}.{name}");
        let Some(operator) = Operator::parse(name) else {
            return Err(PolicyError::new(
                op_path,
                format!("unknown condition operator `{name}`"),
            ));
        };
        let Value::Object(keys) = block else {
            return Err(PolicyError::new(
                op_path,
                format!(
                    "expected an object of condition keys, found {}",
                    describe(block)
                ),
            ));
        };
        if keys.is_empty() {
            return Err(PolicyError::new(
                op_path,
                "expected at least one condition key",
            ));
        }
        for (key, values) in keys {
            if key.is_empty() {
                return Err(PolicyError::new(op_path, "empty condition key"));
            }
            out.push(condition::condition(
                operator,
                key,
                values,
                variables,
                &format!("{op_path}.{key}"),
            )?);
        }
    }
    Ok(out)
}

fn optional_string(
    map: &Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<String>, PolicyError> {
    match map.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(PolicyError::new(
            path,
            format!("expected a string, found {}", describe(other)),
        )),
    }
}

fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn kind_name(kind: PolicyKind) -> &'static str {
    match kind {
        PolicyKind::Identity => "an identity policy",
        PolicyKind::Resource => "a resource policy",
        PolicyKind::Boundary => "a permissions boundary",
        PolicyKind::Session => "a session policy",
        PolicyKind::Scp => "a service control policy",
        PolicyKind::Rcp => "a resource control policy",
    }
}
