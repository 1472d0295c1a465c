//! Dangerous grants, decided by the evaluator rather than by reading the text (the way IAM
//! Access Analyzer's `CheckNoPublicAccess` asks "would this request be allowed?"):
//!
//! - a resource, secret or key policy, or a trust policy, that allows a principal of an account
//!   outside the trusted ones (an account the policy does not belong to, plus any account it
//!   names that `--trusted-account` does not list), with no request context — so no condition
//!   restricts it;
//! - an identity policy that allows `secretsmanager:GetSecretValue` on a secret it cannot know
//!   the name of, that is on every secret.
//!
//! Each probe is a real request through `eval::evaluate`; the statements in its trace locate the
//! finding.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde_json::Value;

use super::checks::{element, statements};
use super::finding::Level;
use super::located::key_path;
use super::report::Sink;
use super::sources::{LintKind, TEMPLATE_ACCOUNT};
use crate::eval::{Context, Decision, Layer, NamedPolicy, PolicySet, Principal, Request, evaluate};
use crate::findings::Severity;
use crate::policy::{Policy, PolicyKind};

/// An account no policy names: stands for "any other AWS account".
const OUTSIDER: &str = "999988887777";
/// The name of a secret no policy can know.
const PROBE_SECRET: &str = "secaudit-lint-probe-q7Zx3K";

/// Runs the probes for `policy` (parsed from `document`) of kind `kind`.
pub(crate) fn check_grants(
    policy: &Arc<Policy>,
    document: &Value,
    kind: LintKind,
    trusted: &[String],
    sink: &mut Sink<'_>,
) {
    match kind {
        LintKind::Resource | LintKind::Key | LintKind::Trust => {
            outside_access(policy, document, kind, trusted, sink);
        }
        LintKind::Identity => all_secrets(policy, document, sink),
        LintKind::Scp | LintKind::Rcp => {}
    }
}

/// Literal 12-digit accounts found in `texts` at ARN position 4 or as a whole value.
fn accounts_in<'a>(texts: impl Iterator<Item = &'a str>) -> BTreeSet<String> {
    texts
        .filter_map(|text| {
            let account = if text.starts_with("arn:") {
                text.split(':').nth(4).unwrap_or("")
            } else {
                text
            };
            (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()))
                .then(|| account.to_owned())
        })
        .collect()
}

/// Every string under `Principal`/`NotPrincipal` and `Resource` of every statement.
fn strings_of(document: &Value, names: &[&str]) -> Vec<String> {
    fn collect(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::String(text) => out.push(text.clone()),
            Value::Array(items) => items.iter().for_each(|item| collect(item, out)),
            Value::Object(map) => map.values().for_each(|item| collect(item, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (_, statement) in statements(document) {
        for name in names {
            if let Some(value) = statement.get(*name) {
                collect(value, &mut out);
            }
        }
    }
    out
}

/// A concrete resource for a pattern: wildcards and variables replaced by probe text.
fn concrete(pattern: &str) -> String {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(c) = rest.chars().next() {
        if rest.starts_with("${")
            && let Some(end) = rest.find('}')
        {
            out.push_str("probe");
            rest = &rest[end + 1..];
            continue;
        }
        match c {
            '*' => out.push_str("probe"),
            '?' => out.push('x'),
            c => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

fn named(name: &str, policy: Arc<Policy>) -> NamedPolicy {
    NamedPolicy {
        name: name.to_owned(),
        policy,
    }
}

fn allow_all() -> Option<Arc<Policy>> {
    Policy::parse(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
        PolicyKind::Identity,
    )
    .ok()
    .map(Arc::new)
}

/// The statement path of the statement at `index` (`Statement[2]`, or `Statement`).
fn statement_path(document: &Value, index: usize) -> String {
    statements(document)
        .into_iter()
        .nth(index)
        .map_or_else(|| String::from("Statement"), |(path, _)| path)
}

fn outside_access(
    policy: &Arc<Policy>,
    document: &Value,
    kind: LintKind,
    trusted: &[String],
    sink: &mut Sink<'_>,
) {
    let Some(everything) = allow_all() else {
        return;
    };
    let resources = strings_of(document, &["Resource"]);
    let principals = strings_of(document, &["Principal"]);
    // The policy's own account: the one its resources name, else the template's.
    let owner = accounts_in(resources.iter().map(String::as_str))
        .into_iter()
        .next()
        .unwrap_or_else(|| TEMPLATE_ACCOUNT.to_owned());
    // Who is probed: a principal of an account no policy names, and (with `--trusted-account`)
    // each principal the policy names in an account that is neither the owner nor trusted.
    let mut outsiders = vec![(
        OUTSIDER.to_owned(),
        format!("arn:aws:iam::{OUTSIDER}:role/secaudit-lint-probe"),
    )];
    if !trusted.is_empty() {
        for text in &principals {
            let Some(account) = accounts_in(std::iter::once(text.as_str()))
                .into_iter()
                .next()
            else {
                continue;
            };
            if account == owner || trusted.contains(&account) {
                continue;
            }
            let arn = match Principal::parse(text) {
                Ok(_) if !text.ends_with(":root") => text.clone(),
                _ => format!("arn:aws:iam::{account}:role/secaudit-lint-probe"),
            };
            outsiders.push((account, arn));
        }
    }
    let (actions, default_resource): (Vec<&str>, String) = match kind {
        LintKind::Key => (
            vec![
                "kms:Decrypt",
                "kms:Encrypt",
                "kms:GenerateDataKey",
                "kms:ReEncryptFrom",
                "kms:CreateGrant",
                "kms:PutKeyPolicy",
                "kms:ScheduleKeyDeletion",
            ],
            format!("arn:aws:kms:us-east-1:{owner}:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
        ),
        LintKind::Trust => (
            vec!["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
            format!("arn:aws:iam::{owner}:role/secaudit-lint-probe"),
        ),
        _ => (
            vec![
                "secretsmanager:GetSecretValue",
                "secretsmanager:DescribeSecret",
                "secretsmanager:PutSecretValue",
                "secretsmanager:UpdateSecret",
                "secretsmanager:PutResourcePolicy",
                "secretsmanager:DeleteSecret",
            ],
            format!("arn:aws:secretsmanager:us-east-1:{owner}:secret:{PROBE_SECRET}"),
        ),
    };
    // Other resource policies (a bucket, a queue): the actions their statements name, a few per
    // pattern.
    let named_actions: Vec<String> = strings_of(document, &["Action"])
        .iter()
        .flat_map(|pattern| {
            crate::catalogue::catalogue()
                .actions_matching(pattern)
                .into_iter()
                .take(12)
                .map(|(service, action)| format!("{}:{}", service.prefix, action.name))
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .take(60)
        .collect();
    let mut actions: Vec<&str> = actions;
    if kind == LintKind::Resource {
        actions.extend(named_actions.iter().map(String::as_str));
        actions.sort_unstable();
        actions.dedup();
    }
    let mut targets: Vec<String> = resources
        .iter()
        .filter(|r| r.starts_with("arn:"))
        .map(|r| concrete(r))
        .collect();
    targets.push(default_resource);
    targets.sort();
    targets.dedup();
    // statement index -> (outsider, actions allowed)
    let mut hits: std::collections::BTreeMap<usize, (String, BTreeSet<String>)> =
        std::collections::BTreeMap::new();
    for (outsider, arn) in &outsiders {
        let Ok(principal) = Principal::parse(arn) else {
            continue;
        };
        let set = PolicySet {
            identity: vec![named("outsider-identity", Arc::clone(&everything))],
            resource: Some(named("policy", Arc::clone(policy))),
            ..PolicySet::default()
        };
        for resource in &targets {
            for action in &actions {
                let request = Request {
                    principal: principal.clone(),
                    action: (*action).to_owned(),
                    resource: resource.clone(),
                    resource_account: Some(owner.clone()),
                    context: Context::new(),
                };
                let evaluation = evaluate(&set, &request);
                if evaluation.decision != Decision::Allowed {
                    continue;
                }
                for statement in &evaluation.allowed_by {
                    if statement.layer == Layer::Resource {
                        hits.entry(statement.index)
                            .or_insert_with(|| (outsider.clone(), BTreeSet::new()))
                            .1
                            .insert((*action).to_owned());
                    }
                }
            }
        }
    }
    let documents = statements(document);
    for (index, (outsider, allowed)) in hits {
        let path = statement_path(document, index);
        let everyone = documents
            .get(index)
            .and_then(|(_, s)| s.get("Principal"))
            .is_some_and(|p| {
                p == "*"
                    || p.get("AWS").is_some_and(|aws| {
                        aws == "*" || aws.as_array().is_some_and(|a| a.iter().any(|x| x == "*"))
                    })
            });
        let actions = allowed.into_iter().collect::<Vec<_>>().join("`, `");
        let what = match kind {
            LintKind::Key => "key policy",
            LintKind::Trust => "trust policy",
            _ => "resource policy",
        };
        let (id, message, fix) = if everyone {
            (
                "principal-star-unrestricted",
                format!(
                    "`Principal: \"*\"` with no restricting condition: this {what} lets a principal of any AWS account (probed: {outsider}) call `{actions}`"
                ),
                String::from(
                    "name the trusted principals, or add a condition such as `aws:PrincipalOrgID` or `aws:PrincipalAccount`",
                ),
            )
        } else if outsider == OUTSIDER {
            (
                "untrusted-account-access",
                format!(
                    "this {what} lets a principal of any AWS account (probed: {outsider}) call `{actions}`"
                ),
                String::from(
                    "name only trusted accounts or principals, or add a restricting condition",
                ),
            )
        } else {
            (
                "untrusted-account-access",
                format!(
                    "this {what} lets account {outsider}, which is not in --trusted-account, call `{actions}`"
                ),
                format!(
                    "remove {outsider} from the principals, or pass `--trusted-account {outsider}` if it is trusted"
                ),
            )
        };
        let readable = actions.contains("GetSecretValue") || actions.contains("kms:Decrypt");
        sink.push(
            id,
            Level::Warning,
            if readable {
                Severity::Critical
            } else {
                Severity::High
            },
            &key_path(&path, "Principal"),
            message,
            fix,
        );
    }
}

fn all_secrets(policy: &Arc<Policy>, document: &Value, sink: &mut Sink<'_>) {
    let resources = strings_of(document, &["Resource"]);
    let mut accounts = accounts_in(resources.iter().map(String::as_str));
    if accounts.is_empty() {
        accounts.insert(String::from("111111111111"));
    }
    let mut regions: BTreeSet<String> = resources
        .iter()
        .filter_map(|r| r.split(':').nth(3))
        .filter(|region| !region.is_empty() && !region.contains(['*', '?', '$']))
        .map(str::to_owned)
        .collect();
    regions.insert(String::from("us-east-1"));
    let set = PolicySet {
        identity: vec![named("policy", Arc::clone(policy))],
        ..PolicySet::default()
    };
    let mut reported = BTreeSet::new();
    for account in &accounts {
        let Ok(principal) =
            Principal::parse(&format!("arn:aws:iam::{account}:role/secaudit-lint-probe"))
        else {
            continue;
        };
        for region in &regions {
            let request = Request {
                principal: principal.clone(),
                action: String::from("secretsmanager:GetSecretValue"),
                resource: format!(
                    "arn:aws:secretsmanager:{region}:{account}:secret:{PROBE_SECRET}"
                ),
                resource_account: None,
                context: Context::new(),
            };
            let evaluation = evaluate(&set, &request);
            if evaluation.decision != Decision::Allowed {
                continue;
            }
            for statement in &evaluation.allowed_by {
                if !reported.insert(statement.index) {
                    continue;
                }
                let path = statement_path(document, statement.index);
                let resource_path = statements(document)
                    .into_iter()
                    .nth(statement.index)
                    .and_then(|(p, s)| {
                        element(s, &p, "Resource")
                            .into_iter()
                            .next()
                            .map(|(at, _)| at)
                    })
                    .unwrap_or_else(|| key_path(&path, "Resource"));
                sink.push(
                    "getsecretvalue-on-all-secrets",
                    Level::Warning,
                    Severity::High,
                    &resource_path,
                    format!("this statement allows `secretsmanager:GetSecretValue` on every secret (probed: a secret named `{PROBE_SECRET}` in {account}, {region}), with no restricting condition"),
                    String::from("list the secrets (`arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-??????`) or restrict with a condition such as `aws:ResourceTag/…`"),
                );
            }
        }
    }
}
