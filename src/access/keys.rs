//! What a policy statement can touch, as the analysis asks it: whether its `Action` /
//! `NotAction` can match one of the analysed actions and the context keys its conditions and
//! policy variables read. The answers are the compiled policy's own methods
//! (`Policy::statements_for_any`, `Statement::applies_to`, `Statement::add_keys_read`); these
//! are the analysis's names for them. The analysis uses this to
//! ignore statements that cannot apply and to know which secret attributes can change a
//! decision. It decides nothing; matching resources is `crate::arn`'s job.

use std::collections::BTreeSet;

use crate::policy::{Policy, Statement};

/// Whether `statement` can apply to at least one of `actions` (lower-case): an `Action` that
/// matches one of them, or a `NotAction` that leaves one of them out (`Statement::applies_to`).
pub(crate) fn statement_applies(statement: &Statement, actions_lower: &[String]) -> bool {
    actions_lower
        .iter()
        .any(|action| statement.applies_to(action))
}

/// The statements of `policy` that can apply to one of `actions_lower`
/// (`Policy::statements_for_any`).
pub(crate) fn relevant_statements<'a>(
    policy: &'a Policy,
    actions_lower: &'a [String],
) -> impl Iterator<Item = &'a Statement> + 'a {
    policy.statements_for_any(actions_lower)
}

/// Adds the context keys (lower case) that `statement` reads (`Statement::add_keys_read`).
pub(crate) fn add_statement_keys(statement: &Statement, out: &mut BTreeSet<String>) {
    statement.add_keys_read(out);
}

/// Adds the keys of the policy variables found in `text`, lower-cased
/// (`policy::add_variable_keys`).
pub(crate) fn add_variables(text: &str, out: &mut BTreeSet<String>) {
    crate::policy::add_variable_keys(text, out);
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
