//! `secretsmanager-secret-tagged`: a secret needs at least one user tag (`aws:` tags do not
//! count) and every key of `requiredTagKeys` (case-sensitive).

use serde_json::Value;

use crate::rules::context::{RuleContext, Scope, Verdict};
use crate::rules::error::RuleError;

pub(crate) fn check(context: &RuleContext<'_>) -> Result<Vec<Verdict>, RuleError> {
    let required = context.params.strings("requiredTagKeys")?;
    context.each_secret(Scope::PRIMARIES_IN_USE, |subject| {
        let keys: Vec<&str> = subject
            .secret
            .user_tags()
            .map(|tag| tag.key.as_str())
            .collect();
        let missing: Vec<&str> = required
            .iter()
            .map(String::as_str)
            .filter(|key| !keys.contains(key))
            .collect();
        let evidence_keys = Value::from(keys.clone());
        let verdict = if keys.is_empty() {
            subject.non_compliant(if required.is_empty() {
                "no user tags (tags starting with `aws:` do not count)".to_string()
            } else {
                format!(
                    "no user tags; required: {}",
                    quoted_list(&required.iter().map(String::as_str).collect::<Vec<_>>())
                )
            })
        } else if !missing.is_empty() {
            subject.non_compliant(format!(
                "missing required tag keys {} (has {})",
                quoted_list(&missing),
                quoted_list(&keys)
            ))
        } else if required.is_empty() {
            subject.compliant(format!("{} user tags: {}", keys.len(), quoted_list(&keys)))
        } else {
            subject.compliant(format!(
                "has every required tag key ({})",
                quoted_list(&required.iter().map(String::as_str).collect::<Vec<_>>())
            ))
        };
        Ok(verdict
            .evidence("user_tag_keys", evidence_keys)
            .evidence("missing_tag_keys", Value::from(missing)))
    })
}

fn quoted_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|item| format!("`{item}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
