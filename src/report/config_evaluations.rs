//! The AWS Config PutEvaluations report: the findings as `Evaluations` entries
//! (`ComplianceResourceType`, `ComplianceResourceId`, `ComplianceType`, `Annotation`,
//! `OrderingTimestamp`), in batches of at most `BATCH_SIZE` (the API's limit), written as a JSON
//! array of arrays: one inner array per PutEvaluations call.
//!
//! INSUFFICIENT_DATA findings are left out, since Config rejects that type from custom rules. An
//! empty annotation is omitted (the API requires at least one character). This module only
//! shapes the data; sending it is the caller's business.
//!
//! [`Evaluation`] is the one evaluation type of the crate: this report, the Config custom-rule
//! mode's planning and its PutEvaluations calls all use it, and it has one JSON rendering (the
//! report's timestamps, [`timestamp_text`]).

use chrono::{DateTime, Utc};
use serde::ser::SerializeStruct as _;
use serde::{Serialize, Serializer};

use super::{ReportError, timestamp_text};
use crate::findings::{ComplianceType, Finding};

/// At most this many evaluations per PutEvaluations call.
pub const BATCH_SIZE: usize = 100;

/// One entry of PutEvaluations' `Evaluations` list. Serialises as the API spells it
/// (`ComplianceResourceType`, `ComplianceResourceId`, `ComplianceType`, `Annotation` when there is
/// one, `OrderingTimestamp` as RFC 3339 UTC).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Evaluation {
    pub resource_type: String,
    pub resource_id: String,
    pub compliance_type: ComplianceType,
    pub annotation: Option<String>,
    pub ordering_timestamp: DateTime<Utc>,
}

impl Evaluation {
    /// The evaluation of a finding (an empty annotation is left out).
    pub fn from_finding(finding: &Finding) -> Evaluation {
        Evaluation {
            resource_type: finding.resource.resource_type.clone(),
            resource_id: finding.resource.id.clone(),
            compliance_type: finding.compliance_type,
            annotation: (!finding.annotation.is_empty()).then(|| finding.annotation.clone()),
            ordering_timestamp: finding.ordering_timestamp,
        }
    }
}

impl Serialize for Evaluation {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let fields = if self.annotation.is_some() { 5 } else { 4 };
        let mut out = serializer.serialize_struct("Evaluation", fields)?;
        out.serialize_field("ComplianceResourceType", &self.resource_type)?;
        out.serialize_field("ComplianceResourceId", &self.resource_id)?;
        out.serialize_field("ComplianceType", self.compliance_type.as_str())?;
        if let Some(annotation) = &self.annotation {
            out.serialize_field("Annotation", annotation)?;
        }
        out.serialize_field(
            "OrderingTimestamp",
            &timestamp_text(&self.ordering_timestamp),
        )?;
        out.end()
    }
}

/// The evaluations for findings (in the order given), split into batches of at most
/// `BATCH_SIZE`, INSUFFICIENT_DATA left out. No findings to send gives no batches.
pub fn batches(findings: &[Finding]) -> Vec<Vec<Evaluation>> {
    let evaluations: Vec<Evaluation> = findings
        .iter()
        .filter(|f| f.compliance_type != ComplianceType::InsufficientData)
        .map(Evaluation::from_finding)
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
