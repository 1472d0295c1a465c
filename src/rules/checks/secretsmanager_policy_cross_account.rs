//! `secretsmanager-policy-cross-account`: a secret's resource policy must allow Secrets Manager
//! actions only to principals of the audited account and of trusted accounts and organizations.
//! Decided by the access engine for outsiders (an arbitrary account, each account, principal
//! and organization the policy names; `crate::access::outsiders` through
//! `crate::rules::outside_access`). The annotation says whether the grant reaches the secret's
//! value (`GetSecretValue` and a KMS key that lets the outsider decrypt: never the AWS managed
//! key `aws/secretsmanager`) or only metadata. High severity when an untrusted principal can
//! (or, its key policy not collected, possibly can) read the value. No policy: NOT_APPLICABLE.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::access::outsiders::Outsider;
use crate::findings::Severity;
use crate::rules::context::{RuleContext, Scope, Verdict};
use crate::rules::error::RuleError;
use crate::rules::outside_access::{
    OutsideAccess, PolicyState, evidence, may_read_value, value_note,
};

pub(crate) fn check(context: &RuleContext<'_>) -> Result<Vec<Verdict>, RuleError> {
    let trusted_accounts = context.params.strings("trustedAccountIds")?;
    let trusted_orgs = context.params.strings("trustedOrgIds")?;
    let mut access = OutsideAccess::new(context, trusted_accounts.clone(), trusted_orgs.clone());
    context.each_secret(Scope::PRIMARIES_IN_USE, |subject| {
        let outsiders = match access.judge(context, subject, true) {
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
        let accounts: Vec<_> = outsiders
            .iter()
            .filter(|outsider| outsider.outsider != Outsider::Anonymous)
            .collect();
        let untrusted: Vec<_> = accounts
            .iter()
            .copied()
            .filter(|outsider| outsider.granted().next().is_some())
            .collect();
        let evidence = Value::from(accounts.iter().map(|o| evidence(o)).collect::<Vec<_>>());
        let trust = format!(
            "trusted: {} account(s), {} organization(s)",
            trusted_accounts.len(),
            trusted_orgs.len()
        );
        let restricted: Vec<String> = accounts
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
            let parts: Vec<String> = untrusted
                .iter()
                .map(|outsider| {
                    format!(
                        "{}: {}",
                        outsider.outsider.describe(),
                        outsider.granted_actions().join(", ")
                    )
                })
                .collect();
            let hint = if untrusted
                .iter()
                .any(|outsider| matches!(outsider.outsider, Outsider::Organization(_)))
            {
                " (if it is the account's own organization, set `organization_id` in snapshot.json or add it to trustedOrgIds)"
            } else {
                ""
            };
            let verdict = subject.non_compliant(format!(
                "untrusted cross-account access ({}): {}{hint}",
                value_note(untrusted.iter().copied()),
                parts.join("; ")
            ));
            let names: BTreeSet<String> = untrusted
                .iter()
                .map(|outsider| outsider.outsider.describe())
                .collect();
            let verdict = verdict.evidence("untrusted", names.into_iter().collect::<Vec<_>>());
            if untrusted.iter().any(|outsider| may_read_value(outsider)) {
                verdict.severity(Severity::High)
            } else {
                verdict
            }
        };
        let verdict = match &access.rcp_note {
            Some(note) => {
                let detail = format!("{}; {note}", verdict.annotation);
                verdict.detail(detail)
            }
            None => verdict,
        };
        Ok(verdict.evidence("probes", evidence))
    })
}
