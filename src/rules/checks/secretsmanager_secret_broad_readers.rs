//! `secretsmanager-secret-broad-readers`: the principals that can `GetSecretValue` a secret
//! (AWSCURRENT), decided by the who-can-access analysis (`crate::access`) over the account's IAM
//! data, the secret's resource policy, SCPs and RCPs, must match `allowedReaderPatterns` and be
//! at most `maxReaders`. Conditional readers count; principals of other accounts count (allowed
//! if their own account allows); so do readers whose KMS key policy was not collected
//! (`possible_readers` in the evidence, named in the annotation): reading the value also needs
//! `kms:Decrypt` on the secret's key, which the analysis judges when it can. No IAM data, or no
//! resource policy data for the secret's region: INSUFFICIENT_DATA. Neither parameter set:
//! NOT_APPLICABLE "not configured" (the rule cannot fail without a limit, so it says nothing
//! rather than COMPLIANT).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::access::{AccessQuery, analyse};
use crate::arn::wildcard::{self, Case, Colons};
use crate::rules::context::{RuleContext, Scope, Verdict};
use crate::rules::error::RuleError;
use crate::snapshot::{Api, ResourcePolicyState};

const ACTION: &str = "secretsmanager:GetSecretValue";
const NOT_CONFIGURED: &str = "not configured: set maxReaders or allowedReaderPatterns";

pub(crate) fn check(context: &RuleContext<'_>) -> Result<Vec<Verdict>, RuleError> {
    let max_readers = context.params.integer("maxReaders")?;
    let patterns = context.params.strings("allowedReaderPatterns")?;
    if max_readers.is_none() && patterns.is_empty() {
        return context.each_secret(Scope::PRIMARIES_IN_USE, |subject| {
            Ok(subject.not_applicable(NOT_CONFIGURED))
        });
    }
    // Without IAM data the account's readers are unknown (INSUFFICIENT_DATA below).
    let model = context
        .snapshot
        .iam
        .is_some()
        .then(|| context.access_model());
    let readers: BTreeMap<String, Vec<Value>> = match model {
        Some(model) => {
            let query = AccessQuery {
                actions: vec![ACTION.to_owned()],
                ..AccessQuery::default()
            };
            // INVARIANT: the one action is a valid `service:Action`, so `analyse` cannot fail.
            let analysis = analyse(model, &query).ok();
            analysis
                .iter()
                .flat_map(|analysis| {
                    analysis
                        .secrets
                        .iter()
                        .enumerate()
                        .map(move |(position, index)| (analysis, position, index))
                })
                .map(|(analysis, position, index)| {
                    let entries = analysis
                        .entries(position)
                        .map(|entry| {
                            let grant = entry.grant;
                            let mut reader = json!({
                                "principal": model.principals[entry.principal].arn,
                                "decision": grant.decision.as_str(),
                                "via": grant.via.as_str(),
                                "conditions": grant.conditions,
                            });
                            if grant.external {
                                reader["external"] = json!(true);
                            }
                            if let Some(key) = &grant.key {
                                reader["key"] = json!({"arn": key.arn, "judged": key.judged});
                            }
                            if !grant.reasons.is_empty() {
                                reader["reasons"] = json!(grant.reasons);
                            }
                            reader
                        })
                        .collect();
                    (model.secrets[*index].arn.clone(), entries)
                })
                .collect()
        }
        None => BTreeMap::new(),
    };
    context.each_secret(Scope::PRIMARIES_IN_USE, |subject| {
        if model.is_none() {
            let reason = context
                .missing(subject.region, Api::GetAccountAuthorizationDetails)
                .unwrap_or_else(|| "not collected".to_owned());
            return Ok(subject.insufficient(format!("IAM data not collected: {reason}")));
        }
        if let ResourcePolicyState::NotCollected = subject.data.resource_policy(&subject.secret.arn)
        {
            let reason = context
                .missing_for(subject, Api::GetResourcePolicy)
                .unwrap_or_else(|| "not collected for this secret".to_owned());
            return Ok(subject.insufficient(format!("resource policy not collected: {reason}")));
        }
        let list = readers
            .get(&subject.secret.arn)
            .cloned()
            .unwrap_or_default();
        let principal_of =
            |reader: &Value| reader["principal"].as_str().unwrap_or_default().to_owned();
        let outside: Vec<String> = if patterns.is_empty() {
            Vec::new()
        } else {
            list.iter()
                .map(principal_of)
                .filter(|arn| {
                    !patterns
                        .iter()
                        .any(|p| wildcard::matches(p, arn, Case::Sensitive, Colons::Free))
                })
                .collect()
        };
        let count = list.len();
        // Readers whose KMS key policy was not collected: possible readers, counted.
        let possible = list
            .iter()
            .filter(|reader| reader["key"]["judged"] == json!(false))
            .count();
        let possible_note = if possible == 0 {
            String::new()
        } else {
            format!(" ({possible} possible: key policy not collected)")
        };
        let over = max_readers.filter(|max| i64::try_from(count).unwrap_or(i64::MAX) > *max);
        let verdict = if !outside.is_empty() {
            let shown: Vec<String> = outside.iter().take(3).map(|a| format!("`{a}`")).collect();
            subject.non_compliant(format!(
                "{} of {count} readers outside allowedReaderPatterns: {}{}",
                outside.len(),
                shown.join(", "),
                if outside.len() > 3 { ", …" } else { "" }
            ))
        } else if let Some(max) = over {
            subject.non_compliant(format!(
                "{count} readers{possible_note} > maxReaders {max}"
            ))
        } else {
            let limit = match max_readers {
                Some(max) => format!(" <= maxReaders {max}"),
                None => " (no maxReaders)".to_owned(),
            };
            let patterns_note = if patterns.is_empty() {
                ""
            } else {
                ", all within allowedReaderPatterns"
            };
            subject.compliant(format!(
                "{count} readers{possible_note}{limit}{patterns_note}"
            ))
        };
        Ok(verdict
            .evidence("readers", Value::from(list))
            .evidence("reader_count", json!(count))
            .evidence("possible_readers", json!(possible))
            .evidence("outside_patterns", Value::from(outside)))
    })
}
