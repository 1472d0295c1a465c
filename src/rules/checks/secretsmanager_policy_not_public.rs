//! `secretsmanager-policy-not-public`: a secret's resource policy must not let anonymous callers
//! or a principal of an arbitrary account use any Secrets Manager action on it. Decided by the
//! IAM evaluator over representative principals (`crate::rules::policy_probe`), never by text
//! patterns: `Principal: "*"` restricted by `aws:PrincipalOrgID`, `aws:PrincipalAccount`,
//! `aws:SourceVpce` or `aws:SourceVpc` is not public. No policy: NOT_APPLICABLE.

use serde_json::json;

use crate::rules::context::{RuleContext, Scope, Verdict};
use crate::rules::error::RuleError;
use crate::rules::policy_probe::{PolicyState, Prober};

pub(crate) fn check(context: &RuleContext<'_>) -> Result<Vec<Verdict>, RuleError> {
    let mut prober = Prober::new(
        context,
        context.params.strings("trustedAccountIds")?,
        context.params.strings("trustedOrgIds")?,
    );
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
        let outcomes = prober.probe(subject, &policy, false);
        let public: Vec<_> = outcomes
            .iter()
            .filter(|outcome| outcome.kind.is_public() && !outcome.granted.is_empty())
            .collect();
        let restricted: Vec<String> = outcomes
            .iter()
            .filter(|outcome| outcome.kind.is_public() && !outcome.restricted.is_empty())
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
        let evidence = json!(
            outcomes
                .iter()
                .filter(|outcome| outcome.kind.is_public())
                .map(|outcome| json!({
                    "principal": outcome.kind.describe(),
                    "allowed_actions": outcome.granted_actions(),
                    "conditions": outcome.granted.iter().flat_map(|(_, keys)| keys.clone()).collect::<std::collections::BTreeSet<_>>(),
                    "restricted_actions": outcome.restricted.iter().map(|(a, _)| a.clone()).collect::<Vec<_>>(),
                    "restricted_by": outcome.restricting_keys(),
                }))
                .collect::<Vec<_>>()
        );
        let note = prober
            .rcp_note
            .as_ref()
            .map(|note| format!("; {note}"))
            .unwrap_or_default();
        let verdict = if public.is_empty() {
            let annotation = if restricted.is_empty() {
                "resource policy allows no anonymous or arbitrary-account access".to_string()
            } else {
                format!(
                    "not public: {} (restricted grants)",
                    restricted.join("; ")
                )
            };
            subject
                .compliant(annotation.clone())
                .detail(format!("{annotation}{note}"))
        } else {
            let parts: Vec<String> = public
                .iter()
                .map(|outcome| {
                    format!(
                        "{}: {}",
                        outcome.kind.describe(),
                        outcome.granted_actions().join(", ")
                    )
                })
                .collect();
            let annotation = format!("resource policy is public: allows {}", parts.join("; "));
            subject
                .non_compliant(annotation.clone())
                .detail(format!("{annotation}{note}"))
        };
        Ok(verdict.evidence("probes", evidence))
    })
}
