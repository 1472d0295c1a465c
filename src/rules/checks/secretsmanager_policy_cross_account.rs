//! `secretsmanager-policy-cross-account`: a secret's resource policy must allow Secrets Manager
//! actions only to principals of the audited account and of trusted accounts and organizations.
//! Decided by the IAM evaluator over representative principals (an arbitrary account, each
//! account, principal and organization the policy names; `crate::rules::policy_probe`). High
//! severity when `GetSecretValue` is among the actions allowed. No policy: NOT_APPLICABLE.

use std::collections::BTreeSet;

use serde_json::json;

use crate::findings::Severity;
use crate::rules::context::{RuleContext, Scope, Verdict};
use crate::rules::error::RuleError;
use crate::rules::policy_probe::{PolicyState, ProbeKind, Prober};

pub(crate) fn check(context: &RuleContext<'_>) -> Result<Vec<Verdict>, RuleError> {
    let trusted_accounts = context.params.strings("trustedAccountIds")?;
    let trusted_orgs = context.params.strings("trustedOrgIds")?;
    let mut prober = Prober::new(context, trusted_accounts.clone(), trusted_orgs.clone());
    context.each_secret(Scope::PRIMARIES_IN_USE, |subject| {
        let policy = match prober.resource_policy(context, subject) {
            PolicyState::NoPolicy => return Ok(subject.not_applicable("no resource policy")),
            PolicyState::NotCollected(reason) => {
                return Ok(subject.insufficient(format!("resource policy not collected: {reason}")));
            }
            PolicyState::Invalid(reason) => {
                return Ok(subject.insufficient(format!("resource policy cannot be evaluated: {reason}")));
            }
            PolicyState::Parsed(policy) => policy,
        };
        let outcomes = prober.probe(subject, &policy, true);
        let untrusted: Vec<_> = outcomes
            .iter()
            .filter(|outcome| outcome.kind != ProbeKind::Anonymous && !outcome.granted.is_empty())
            .collect();
        let evidence = json!(
            outcomes
                .iter()
                .filter(|outcome| outcome.kind != ProbeKind::Anonymous)
                .map(|outcome| json!({
                    "principal": outcome.kind.describe(),
                    "probe_arn": outcome.principal,
                    "allowed_actions": outcome.granted_actions(),
                    "restricted_actions": outcome.restricted.iter().map(|(a, _)| a.clone()).collect::<Vec<_>>(),
                    "restricted_by": outcome.restricting_keys(),
                }))
                .collect::<Vec<_>>()
        );
        let trust = format!(
            "trusted: {} account(s), {} organization(s)",
            trusted_accounts.len(),
            trusted_orgs.len()
        );
        let restricted: Vec<String> = outcomes
            .iter()
            .filter(|outcome| outcome.kind != ProbeKind::Anonymous && !outcome.restricted.is_empty())
            .map(|outcome| {
                format!(
                    "{} only with {}",
                    outcome.kind.describe(),
                    outcome
                        .restricting_keys()
                        .into_iter()
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
            .collect();
        let verdict = if untrusted.is_empty() {
            let restricted = if restricted.is_empty() {
                String::new()
            } else {
                format!("restricted: {}; ", restricted.join("; "))
            };
            subject.compliant(format!(
                "resource policy allows no untrusted account ({restricted}{trust})"
            ))
        } else {
            let reads = untrusted.iter().any(|outcome| {
                outcome.granted_actions().contains(&"GetSecretValue")
            });
            let parts: Vec<String> = untrusted
                .iter()
                .map(|outcome| {
                    format!(
                        "{}: {}",
                        outcome.kind.describe(),
                        outcome.granted_actions().join(", ")
                    )
                })
                .collect();
            let hint = if untrusted
                .iter()
                .any(|outcome| matches!(outcome.kind, ProbeKind::Organization(_)))
            {
                " (if it is the account's own organization, set `organization_id` in snapshot.json or add it to trustedOrgIds)"
            } else {
                ""
            };
            let verdict = subject.non_compliant(format!(
                "untrusted cross-account access: {}{hint}",
                parts.join("; ")
            ));
            let accounts: BTreeSet<String> = untrusted
                .iter()
                .map(|outcome| outcome.kind.describe())
                .collect();
            let verdict = verdict.evidence("untrusted", accounts.into_iter().collect::<Vec<_>>());
            if reads {
                verdict.severity(Severity::High)
            } else {
                verdict
            }
        };
        let note = prober.rcp_note.clone();
        let verdict = match note {
            Some(note) => {
                let detail = format!("{}; {note}", verdict.annotation);
                verdict.detail(detail)
            }
            None => verdict,
        };
        Ok(verdict.evidence("probes", evidence))
    })
}
