//! `secretsmanager-using-cmk`: a secret must be encrypted with a customer managed KMS key (and
//! one of `kmsKeyArns` when given). No `KmsKeyId` means the AWS managed key
//! `aws/secretsmanager`. Key ids and aliases are resolved through the region's describe-key and
//! list-aliases data; an unresolvable key is INSUFFICIENT_DATA, or the verdict
//! `crossAccountKeys` names when the key's ARN is in another account.

use crate::findings::ComplianceType;
use crate::rules::context::{RuleContext, Scope, SecretSubject, Verdict};
use crate::rules::error::RuleError;
use crate::snapshot::Api;

const AWS_MANAGED_ALIAS: &str = "alias/aws/secretsmanager";

pub(crate) fn check(context: &RuleContext<'_>) -> Result<Vec<Verdict>, RuleError> {
    let allowed = context.params.strings("kmsKeyArns")?;
    let cross_account = match context.params.string("crossAccountKeys")? {
        Some("compliant") => ComplianceType::Compliant,
        Some("non-compliant") => ComplianceType::NonCompliant,
        _ => ComplianceType::InsufficientData,
    };
    context.each_secret(Scope::PRIMARIES_IN_USE, |subject| {
        let Some(key_id) = subject.secret.kms_key_id.as_deref() else {
            return Ok(subject
                .non_compliant(
                    "no KmsKeyId: encrypted with the AWS managed key `aws/secretsmanager`",
                )
                .evidence("kms_key_id", serde_json::Value::Null));
        };
        if key_id == AWS_MANAGED_ALIAS || key_id.ends_with(":alias/aws/secretsmanager") {
            return Ok(subject
                .non_compliant(format!("KmsKeyId `{key_id}` is the AWS managed key"))
                .evidence("kms_key_id", key_id));
        }
        match subject.data.resolve_kms_key(key_id) {
            Some(key) => {
                let arn = key.arn.clone().unwrap_or_else(|| key.key_id.clone());
                let manager = key.key_manager.as_deref().unwrap_or("unknown");
                let verdict = if key.is_customer_managed() {
                    if allowed.is_empty()
                        || allowed
                            .iter()
                            .any(|a| a == &arn || a == key_id || a == &key.key_id)
                    {
                        subject.compliant(format!(
                            "customer managed key `{arn}`{}",
                            if allowed.is_empty() {
                                ""
                            } else {
                                " (in kmsKeyArns)"
                            }
                        ))
                    } else {
                        subject.non_compliant(format!(
                            "customer managed key `{arn}` is not in kmsKeyArns ({} allowed)",
                            allowed.len()
                        ))
                    }
                } else if manager == "AWS" {
                    subject
                        .non_compliant(format!("`{key_id}` is an AWS managed key (KeyManager AWS)"))
                } else {
                    subject.insufficient(format!(
                        "key `{arn}` has KeyManager `{manager}`: cannot tell who manages it"
                    ))
                };
                Ok(verdict
                    .evidence("kms_key_id", key_id)
                    .evidence("kms_key_arn", arn)
                    .evidence("key_manager", manager))
            }
            None => Ok(unresolved(context, subject, key_id, cross_account)),
        }
    })
}

fn unresolved(
    context: &RuleContext<'_>,
    subject: &SecretSubject<'_>,
    key_id: &str,
    cross_account: ComplianceType,
) -> Verdict {
    let key_account = crate::arn::account_of(key_id);
    if let Some(account) = key_account
        && account != context.account_id()
    {
        let verdict = subject.verdict(
            cross_account,
            format!(
                "key `{key_id}` is in account {account}, which the snapshot cannot describe: crossAccountKeys is `{}`",
                match cross_account {
                    ComplianceType::Compliant => "compliant",
                    ComplianceType::NonCompliant => "non-compliant",
                    _ => "insufficient-data",
                }
            ),
        );
        return verdict
            .evidence("kms_key_id", key_id)
            .evidence("key_account", account);
    }
    let reason = [Api::DescribeKey, Api::ListAliases]
        .into_iter()
        .filter(|api| *api == Api::DescribeKey || key_id.contains("alias/"))
        .find_map(|api| context.missing(subject.region, api))
        .unwrap_or_else(|| {
            "not found in the snapshot's describe-key / list-aliases output".to_string()
        });
    subject
        .insufficient(format!("cannot resolve key `{key_id}`: {reason}"))
        .evidence("kms_key_id", key_id)
}
