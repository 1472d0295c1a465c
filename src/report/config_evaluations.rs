//! The AWS Config PutEvaluations report: the findings as `Evaluations` entries
//! (`ComplianceResourceType`, `ComplianceResourceId`, `ComplianceType`, `Annotation`,
//! `OrderingTimestamp`), in batches of at most `BATCH_SIZE` (the API's limit), written as a JSON
//! array of arrays: one inner array per PutEvaluations call.
//!
//! INSUFFICIENT_DATA findings are left out, since Config rejects that type from custom rules. An
//! empty annotation is omitted (the API requires at least one character). This module only
//! shapes the data; sending it is the caller's business.

use serde::Serialize;

use super::{ReportError, timestamp_text};
use crate::findings::{ComplianceType, Finding};

/// At most this many evaluations per PutEvaluations call.
pub const BATCH_SIZE: usize = 100;

/// One entry of PutEvaluations' `Evaluations` list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Evaluation {
    pub compliance_resource_type: String,
    pub compliance_resource_id: String,
    pub compliance_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annotation: Option<String>,
    pub ordering_timestamp: String,
}

/// The evaluations for findings (in the order given), split into batches of at most
/// `BATCH_SIZE`, INSUFFICIENT_DATA left out. No findings to send gives no batches.
pub fn batches(findings: &[Finding]) -> Vec<Vec<Evaluation>> {
    let evaluations: Vec<Evaluation> = findings
        .iter()
        .filter(|f| f.compliance_type != ComplianceType::InsufficientData)
        .map(evaluation)
        .collect();
    evaluations
        .chunks(BATCH_SIZE)
        .map(<[Evaluation]>::to_vec)
        .collect()
}

/// Renders the batches as a pretty-printed JSON array of arrays with a trailing newline.
pub fn render(findings: &[Finding]) -> Result<String, ReportError> {
    let mut text = serde_json::to_string_pretty(&batches(findings))?;
    text.push('\n');
    Ok(text)
}

fn evaluation(finding: &Finding) -> Evaluation {
    Evaluation {
        compliance_resource_type: finding.resource.resource_type.clone(),
        compliance_resource_id: finding.resource.id.clone(),
        compliance_type: finding.compliance_type.as_str(),
        annotation: (!finding.annotation.is_empty()).then(|| finding.annotation.clone()),
        ordering_timestamp: timestamp_text(&finding.ordering_timestamp),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::Severity;
    use crate::report::sample::finding;

    #[test]
    fn an_evaluation_has_the_put_evaluations_shape() {
        let mut one = finding("r", Severity::High, ComplianceType::NonCompliant, "db");
        let text = render(std::slice::from_ref(&one)).unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            value,
            serde_json::json!([[{
                "ComplianceResourceType": "AWS::SecretsManager::Secret",
                "ComplianceResourceId": "arn:aws:secretsmanager:us-east-1:111111111111:secret:db-AbCdEf",
                "ComplianceType": "NON_COMPLIANT",
                "Annotation": "db: NON_COMPLIANT",
                "OrderingTimestamp": "2026-11-01T00:00:00Z"
            }]])
        );
        one.annotation.clear();
        let value: serde_json::Value = serde_json::from_str(&render(&[one]).unwrap()).unwrap();
        assert!(value[0][0].get("Annotation").is_none());
    }

    #[test]
    fn nothing_to_send_is_an_empty_array() {
        let only_insufficient = finding("r", Severity::Low, ComplianceType::InsufficientData, "x");
        assert_eq!(render(&[only_insufficient]).unwrap(), "[]\n");
        assert_eq!(render(&[]).unwrap(), "[]\n");
    }
}
