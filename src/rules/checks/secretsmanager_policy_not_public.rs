//! `secretsmanager-policy-not-public`: a secret's resource policy must not let anonymous callers
//! or a principal of an arbitrary account use any Secrets Manager action on it. Decided by the
//! access engine for those outsiders (`crate::access::outsiders`, through
//! `crate::rules::outside_access`), never by text patterns: `Principal: "*"` restricted by
//! `aws:PrincipalOrgID`, `aws:PrincipalAccount`, `aws:SourceVpce` or `aws:SourceVpc` is not
//! public. The annotation says whether the public grant reaches the secret's value (the KMS key
//! must let the outsider decrypt) or only metadata. No policy: NOT_APPLICABLE.

use serde_json::Value;

use crate::rules::context::{RuleContext, Scope, Verdict};
use crate::rules::error::RuleError;
use crate::rules::outside_access::{OutsideAccess, PolicyState, evidence, value_note};

pub(crate) fn check(context: &RuleContext<'_>) -> Result<Vec<Verdict>, RuleError> {
    let mut access = OutsideAccess::new(
        context,
        context.params.strings("trustedAccountIds")?,
        context.params.strings("trustedOrgIds")?,
    );
    context.each_secret(Scope::PRIMARIES_IN_USE, |subject| {
        let outsiders = match access.judge(context, subject, false) {
            PolicyState::NoPolicy => return Ok(subject.not_applicable("no resource policy")),
            PolicyState::NotCollected(reason) => {
                return Ok(subject.insufficient(format!("resource policy not collected: {reason}")));
            }
            PolicyState::Invalid(reason) => {
                return Ok(
                    subject.insufficient(format!("resource policy cannot be evaluated: {reason}"))
                );
            }
            PolicyState::Judged(outsiders) => outsiders,
        };
        let public: Vec<_> = outsiders
            .iter()
            .filter(|outsider| outsider.outsider.is_public())
            .collect();
        let granted: Vec<_> = public
            .iter()
            .copied()
            .filter(|outsider| outsider.granted().next().is_some())
            .collect();
        let restricted: Vec<String> = public
            .iter()
            .filter(|outsider| outsider.restricted().next().is_some())
            .map(|outsider| {
                format!(
                    "{} only with {}",
                    outsider.outsider.describe(),
                    outsider
                        .restricting_keys()
                        .into_iter()
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
            .collect();
        let evidence = Value::from(public.iter().map(|o| evidence(o)).collect::<Vec<_>>());
        let note = access
            .rcp_note
            .as_ref()
            .map(|note| format!("; {note}"))
            .unwrap_or_default();
        let verdict = if granted.is_empty() {
            let annotation = if restricted.is_empty() {
                "resource policy allows no anonymous or arbitrary-account access".to_string()
            } else {
                format!("not public: {} (restricted grants)", restricted.join("; "))
            };
            subject
                .compliant(annotation.clone())
                .detail(format!("{annotation}{note}"))
        } else {
            let parts: Vec<String> = granted
                .iter()
                .map(|outsider| {
                    format!(
                        "{}: {}",
                        outsider.outsider.describe(),
                        outsider.granted_actions().join(", ")
                    )
                })
                .collect();
            let annotation = format!(
                "resource policy is public ({}): allows {}",
                value_note(granted.iter().copied()),
                parts.join("; ")
            );
            subject
                .non_compliant(annotation.clone())
                .detail(format!("{annotation}{note}"))
        };
        Ok(verdict.evidence("probes", evidence))
    })
}
