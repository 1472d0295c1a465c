//! `iam-secret-wildcard-overmatch`: an Allow statement that can grant a Secrets Manager action
//! on a secret (`Policy::statements_for_any`, the compiled policy's own action matching) and
//! names secrets as
//! `arn:…:secret:NAME-*` meant the secret NAME, but `-*` also reaches `NAME-admin-…` and every
//! other name starting with `NAME-`. Each customer managed policy (default version) and each
//! inline policy of a user, group or role is one resource; its patterns are matched against the
//! snapshot's secrets with the evaluator's ARN matcher (`crate::arn::resource_matches`), never
//! with text patterns. The evidence names the secrets reached and suggests `NAME-??????`.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use serde_json::{Value, json};

use crate::access::outsiders::SECRET_ACTIONS;
use crate::arn::{self, ArnParts};
use crate::findings::{ComplianceType, ResourceRef};
use crate::arn::wildcard::Piece;
use crate::policy::{Effect, Policy, PolicyKind};
use crate::rules::context::{RuleContext, Verdict};
use crate::rules::error::RuleError;
use crate::snapshot::{Api, GLOBAL_REGION};

/// The secret-level Secrets Manager actions (lower case) a statement must be able to grant.
static SECRET_ACTIONS_LOWER: LazyLock<Vec<String>> = LazyLock::new(|| {
    SECRET_ACTIONS
        .iter()
        .map(|action| action.to_ascii_lowercase())
        .collect()
});

/// One pattern that reaches more than the secret it names.
struct Overmatch {
    pattern: String,
    name: String,
    reached: Vec<String>,
}

/// `NAME` when `pattern` is a secret ARN pattern `arn:…:secretsmanager:…:secret:NAME-*` whose
/// NAME has no wildcard or variable.
fn intended_name(pattern: &str) -> Option<&str> {
    let parts = ArnParts::split(pattern)?;
    if parts.service != "secretsmanager" {
        return None;
    }
    let name = parts.resource.strip_prefix("secret:")?.strip_suffix("-*")?;
    (!name.is_empty() && !name.contains(['*', '?', ':']) && !name.contains("${")).then_some(name)
}

fn overmatches(document: &Value, secrets: &[(String, String)]) -> Option<Vec<Overmatch>> {
    let policy = Policy::from_value(document, PolicyKind::Identity).ok()?;
    let mut found = Vec::new();
    let mut any_pattern = false;
    // Only statements that can grant a Secrets Manager action on a secret reach one.
    for statement in policy.statements_for_any(&SECRET_ACTIONS_LOWER) {
        if statement.effect != Effect::Allow {
            continue;
        }
        let Some(resources) = statement.resources.as_ref().filter(|r| !r.negated) else {
            continue;
        };
        for item in &resources.items {
            let Some(name) = intended_name(&item.text) else {
                continue;
            };
            any_pattern = true;
            let reached: Vec<String> = secrets
                .iter()
                .filter(|(arn, secret_name)| {
                    secret_name != name && arn::resource_matches(&[Piece::Wild(&item.text)], arn)
                })
                .map(|(_, secret_name)| secret_name.clone())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            if !reached.is_empty() {
                found.push(Overmatch {
                    pattern: item.text.clone(),
                    name: name.to_owned(),
                    reached,
                });
            }
        }
    }
    any_pattern.then_some(found)
}

/// The regions whose secrets were not collected, each with why: a pattern that reaches no other
/// secret among those collected may still reach one there.
fn uncollected_regions(context: &RuleContext<'_>) -> Vec<String> {
    let snapshot = context.snapshot;
    let mut regions: BTreeSet<&str> = snapshot.meta.regions.iter().map(String::as_str).collect();
    regions.extend(snapshot.regions.keys().map(String::as_str));
    regions
        .into_iter()
        .filter(|region| {
            snapshot
                .regions
                .get(*region)
                .is_none_or(|data| data.secrets.is_none())
        })
        .map(|region| {
            let reason = context
                .missing(region, Api::ListSecrets)
                .unwrap_or_else(|| "not collected".to_owned());
            format!("`{region}` ({reason})")
        })
        .collect()
}

fn verdict(resource: ResourceRef, found: Option<Vec<Overmatch>>, unseen: &[String]) -> Verdict {
    let Some(found) = found else {
        return Verdict::new(
            resource,
            ComplianceType::NotApplicable,
            "no `NAME-*` secret pattern in an Allow statement",
        );
    };
    if found.is_empty() && !unseen.is_empty() {
        return Verdict::new(
            resource,
            ComplianceType::InsufficientData,
            format!(
                "no `NAME-*` secret pattern reaches another collected secret, but the secrets of {} \
                 were not collected",
                unseen.join(", ")
            ),
        );
    }
    if found.is_empty() {
        return Verdict::new(
            resource,
            ComplianceType::Compliant,
            "every `NAME-*` secret pattern reaches only secrets named NAME",
        );
    }
    let first = &found[0];
    let shown: Vec<String> = first
        .reached
        .iter()
        .take(3)
        .map(|n| format!("`{n}`"))
        .collect();
    let annotation = format!(
        "`{}` also matches {}{} ({} secret(s)); use `{}-??????`",
        first.pattern,
        shown.join(", "),
        if first.reached.len() > 3 { ", …" } else { "" },
        first.reached.len(),
        first.name
    );
    let evidence: Vec<Value> = found
        .iter()
        .map(|o| {
            json!({"pattern": o.pattern, "intended": o.name, "also_matches": o.reached,
                "suggested": o.pattern.replace(&format!("{}-*", o.name), &format!("{}-??????", o.name))})
        })
        .collect();
    Verdict::new(resource, ComplianceType::NonCompliant, annotation)
        .evidence("overmatching_patterns", Value::from(evidence))
}

pub(crate) fn check(context: &RuleContext<'_>) -> Result<Vec<Verdict>, RuleError> {
    let account = context.account_id();
    let resource = |resource_type: &str, id: &str, name: &str| ResourceRef {
        resource_type: resource_type.to_owned(),
        id: id.to_owned(),
        name: name.to_owned(),
        account_id: account.to_owned(),
        region: GLOBAL_REGION.to_owned(),
    };
    let Some(iam) = context.snapshot.iam.as_ref() else {
        let reason = context
            .missing(GLOBAL_REGION, Api::GetAccountAuthorizationDetails)
            .unwrap_or_else(|| "not collected".to_owned());
        return Ok(vec![Verdict::new(
            resource("AWS::::Account", account, "IAM policies"),
            ComplianceType::InsufficientData,
            format!("IAM data not collected: {reason}"),
        )]);
    };
    let secrets: Vec<(String, String)> = context
        .snapshot
        .secrets()
        .map(|(_, secret)| (secret.arn.clone(), secret.name.clone()))
        .collect();
    let unseen = uncollected_regions(context);
    let mut verdicts = Vec::new();
    for policy in &iam.policies {
        if arn::account_of(&policy.arn) != Some(account) {
            continue;
        }
        if let Some(document) = policy.default_document() {
            verdicts.push(verdict(
                resource("AWS::IAM::Policy", &policy.arn, &policy.policy_name),
                overmatches(document, &secrets),
                &unseen,
            ));
        }
    }
    let inline = |resource_type: &str, arn: &str, name: &str, documents: Vec<&Value>| {
        let mut all: Option<Vec<Overmatch>> = None;
        for document in documents {
            if let Some(found) = overmatches(document, &secrets) {
                all.get_or_insert_with(Vec::new).extend(found);
            }
        }
        verdict(resource(resource_type, arn, name), all, &unseen)
    };
    for user in &iam.users {
        let documents = user.inline_policies.iter().map(|p| &p.document).collect();
        verdicts.push(inline(
            "AWS::IAM::User",
            &user.arn,
            &user.user_name,
            documents,
        ));
    }
    for group in &iam.groups {
        let documents = group.inline_policies.iter().map(|p| &p.document).collect();
        verdicts.push(inline(
            "AWS::IAM::Group",
            &group.arn,
            &group.group_name,
            documents,
        ));
    }
    for role in &iam.roles {
        let documents = role.inline_policies.iter().map(|p| &p.document).collect();
        verdicts.push(inline(
            "AWS::IAM::Role",
            &role.arn,
            &role.role_name,
            documents,
        ));
    }
    Ok(verdicts)
}
