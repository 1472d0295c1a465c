//! What a policy statement can touch, read from the parsed policy: whether its `Action` /
//! `NotAction` can match one of the analysed actions, the context keys its conditions and
//! policy variables read, and its `Resource` / `NotResource` patterns. The analysis uses this to
//! ignore statements that cannot apply and to know which secret attributes can change a
//! decision. It decides nothing; matching resources is `crate::arn`'s job.

use std::collections::BTreeSet;

use crate::arn::wildcard::{self, Case, Colons};
use crate::policy::{Policy, Statement};

/// Whether `statement` can apply to at least one of `actions` (lower-case): an `Action` that
/// matches one of them, or a `NotAction` that leaves one of them out.
pub(crate) fn statement_applies(statement: &Statement, actions_lower: &[String]) -> bool {
    let matches_any = |action: &str| {
        statement.actions.items.iter().any(|pattern| {
            wildcard::matches(
                &pattern.text.to_ascii_lowercase(),
                action,
                Case::Insensitive,
                Colons::Free,
            )
        })
    };
    actions_lower.iter().any(|action| {
        let matched = matches_any(action);
        if statement.actions.negated {
            !matched
        } else {
            matched
        }
    })
}

/// The statements of `policy` that can apply to one of `actions_lower`.
pub(crate) fn relevant_statements<'a>(
    policy: &'a Policy,
    actions_lower: &'a [String],
) -> impl Iterator<Item = &'a Statement> + 'a {
    policy
        .statements()
        .iter()
        .filter(move |statement| statement_applies(statement, actions_lower))
}

/// Adds the context keys (lower case) that `statement` reads: condition keys and the keys of
/// policy variables in condition values and resource patterns.
pub(crate) fn add_statement_keys(statement: &Statement, out: &mut BTreeSet<String>) {
    for condition in &statement.conditions {
        out.insert(condition.key.to_ascii_lowercase());
        for value in &condition.values {
            add_variables(value, out);
        }
    }
    if let Some(resources) = &statement.resources {
        for pattern in &resources.items {
            add_variables(&pattern.text, out);
        }
    }
}

/// Adds the keys of the policy variables (`${aws:username}`, `${aws:PrincipalTag/team, 'x'}`)
/// found in `text`, lower-cased; `${*}`, `${?}` and `${$}` are escapes, not keys.
pub(crate) fn add_variables(text: &str, out: &mut BTreeSet<String>) {
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            break;
        };
        let inner = &after[..end];
        let key = inner.split(',').next().unwrap_or(inner).trim();
        if !matches!(key, "*" | "?" | "$" | "") {
            out.insert(key.to_ascii_lowercase());
        }
        rest = &after[end + 1..];
    }
}

/// Whether `text` holds a policy variable.
pub(crate) fn has_variable(text: &str) -> bool {
    text.contains("${")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::PolicyKind;

    fn policy(text: &str) -> Policy {
        Policy::parse(text, PolicyKind::Identity).unwrap()
    }

    #[test]
    fn statements_apply_by_action_and_not_action() {
        let p = policy(
            r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"s3:*","Resource":"*"},
            {"Effect":"Allow","Action":"SecretsManager:Get*","Resource":"*"},
            {"Effect":"Deny","NotAction":"secretsmanager:GetSecretValue","Resource":"*"},
            {"Effect":"Deny","NotAction":["secretsmanager:*"],"Resource":"*"}]}"#,
        );
        let gsv = vec!["secretsmanager:getsecretvalue".to_owned()];
        let put = vec!["secretsmanager:putsecretvalue".to_owned()];
        let applies: Vec<bool> = p
            .statements()
            .iter()
            .map(|s| statement_applies(s, &gsv))
            .collect();
        assert_eq!(applies, [false, true, false, false]);
        let applies: Vec<bool> = p
            .statements()
            .iter()
            .map(|s| statement_applies(s, &put))
            .collect();
        assert_eq!(applies, [false, false, true, false]);
    }

    #[test]
    fn keys_include_variables_but_not_escapes() {
        let mut out = BTreeSet::new();
        add_variables(
            "${aws:PrincipalTag/Team, 'x'}/${*}/${aws:username}",
            &mut out,
        );
        add_variables("no variables ${", &mut out);
        let keys: Vec<&str> = out.iter().map(String::as_str).collect();
        assert_eq!(keys, ["aws:principaltag/team", "aws:username"]);
        assert!(has_variable(
            "arn:aws:secretsmanager:*:*:secret:${aws:username}/*"
        ));
        assert!(!has_variable("arn:aws:secretsmanager:*:*:secret:prod/*"));
    }
}
