//! The AWS Security Finding Format (ASFF, schema `2018-10-08`) report: a flat JSON array of
//! findings in the shape `BatchImportFindings` takes, one per finding.
//!
//! `Compliance.Status` maps COMPLIANT→PASSED, NON_COMPLIANT→FAILED, INSUFFICIENT_DATA→WARNING and
//! NOT_APPLICABLE→NOT_AVAILABLE; `Id` is stable per rule and resource; `ProductArn` is the
//! account's default product `arn:aws:securityhub:<region>:<account>:product/<account>/default`.
//! Security Hub files a finding in the region of its `ProductArn`, so a global resource (IAM,
//! region `global`) is filed in [`GLOBAL_RESOURCE_REGION`]. As Security Hub does for its own
//! controls, a passed finding's `Severity.Label` is INFORMATIONAL (the rule's severity stays in
//! `Severity.Original`). Muted findings carry `Workflow.Status` SUPPRESSED and a `Note`.
//!
//! [`AsffFinding`] is the one model: serialised here for `--format asff`, and converted into the
//! SDK's types by the Security Hub sender.

use serde::Serialize;

use super::baseline::Change;
use super::mutes::MuteNote;
use super::{Report, RuleDoc, finding_uid, timestamp_text};
use crate::findings::{ComplianceType, Finding, Severity};

/// The ASFF schema version.
pub const SCHEMA_VERSION: &str = "2018-10-08";
/// The region global resources (IAM) are filed in.
pub const GLOBAL_RESOURCE_REGION: &str = "us-east-1";
/// The finding type (ASFF `namespace/category/classifier` taxonomy).
pub const FINDING_TYPE: &str = "Software and Configuration Checks/AWS Security Best Practices";

/// ASFF field limits that apply to text we fill from rules and findings.
const MAX_TITLE: usize = 256;
const MAX_DESCRIPTION: usize = 1024;
const MAX_RECOMMENDATION: usize = 512;
const MAX_NOTE: usize = 512;

/// One ASFF finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AsffFinding {
    pub schema_version: &'static str,
    pub id: String,
    pub product_arn: String,
    pub generator_id: String,
    pub aws_account_id: String,
    pub types: Vec<&'static str>,
    pub created_at: String,
    pub updated_at: String,
    pub severity: AsffSeverity,
    pub title: String,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation: Option<AsffRemediation>,
    pub product_fields: std::collections::BTreeMap<String, String>,
    pub resources: Vec<AsffResource>,
    pub compliance: AsffCompliance,
    pub workflow: AsffWorkflow,
    pub record_state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<AsffNote>,
    /// The region the finding belongs to (not an ASFF field: the `ProductArn`'s region).
    #[serde(skip)]
    pub region: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AsffSeverity {
    pub label: &'static str,
    pub original: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AsffRemediation {
    pub recommendation: AsffRecommendation,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AsffRecommendation {
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AsffResource {
    #[serde(rename = "Type")]
    pub resource_type: &'static str,
    pub id: String,
    pub partition: String,
    pub region: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AsffCompliance {
    pub status: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related_requirements: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AsffWorkflow {
    pub status: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AsffNote {
    pub text: String,
    pub updated_by: String,
    pub updated_at: String,
}

/// The ASFF `Compliance.Status` of a compliance type.
pub fn compliance_status(compliance: ComplianceType) -> &'static str {
    match compliance {
        ComplianceType::Compliant => "PASSED",
        ComplianceType::NonCompliant => "FAILED",
        ComplianceType::InsufficientData => "WARNING",
        ComplianceType::NotApplicable => "NOT_AVAILABLE",
    }
}

fn severity_label(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "CRITICAL",
        Severity::High => "HIGH",
        Severity::Medium => "MEDIUM",
        Severity::Low => "LOW",
        Severity::Informational => "INFORMATIONAL",
    }
}

/// The ASFF resource type of a Config resource type (`Other` when ASFF has no detail type).
pub fn resource_type(config_type: &str) -> &'static str {
    match config_type {
        "AWS::SecretsManager::Secret" => "AwsSecretsManagerSecret",
        "AWS::IAM::Role" => "AwsIamRole",
        "AWS::IAM::User" => "AwsIamUser",
        "AWS::IAM::Group" => "AwsIamGroup",
        "AWS::IAM::Policy" => "AwsIamPolicy",
        "AWS::KMS::Key" => "AwsKmsKey",
        _ => "Other",
    }
}

/// Cuts text to an ASFF field limit on a character boundary.
fn clip(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let mut clipped: String = text.chars().take(limit - 1).collect();
    clipped.push('…');
    clipped
}

/// The findings of the report in ASFF, in report order.
pub fn findings(report: &Report) -> Vec<AsffFinding> {
    findings_iter(report).collect()
}

/// The ASFF findings of the report, made one at a time.
pub fn findings_iter(report: &Report) -> impl Iterator<Item = AsffFinding> + '_ {
    report.findings.iter().enumerate().map(|(index, finding)| {
        asff_finding(
            finding,
            report.rule_docs.get(&finding.rule),
            report.muted(index),
            report.change(index),
        )
    })
}

/// The ASFF finding of one finding with its rule's text, mute and baseline change.
pub fn asff_finding(
    finding: &Finding,
    doc: Option<&RuleDoc>,
    muted: Option<&MuteNote>,
    change: Option<Change>,
) -> AsffFinding {
    let account = &finding.resource.account_id;
    let region = if finding.resource.region.is_empty() || finding.resource.region == "global" {
        GLOBAL_RESOURCE_REGION.to_string()
    } else {
        finding.resource.region.clone()
    };
    let partition = finding
        .resource
        .id
        .strip_prefix("arn:")
        .and_then(|rest| rest.split(':').next())
        .filter(|partition| !partition.is_empty())
        .unwrap_or("aws")
        .to_string();
    let time = timestamp_text(&finding.ordering_timestamp);
    let doc = doc.cloned().unwrap_or_default();
    let title = if doc.title.is_empty() {
        finding.rule.clone()
    } else {
        doc.title.clone()
    };
    let label = if finding.compliance_type == ComplianceType::Compliant {
        "INFORMATIONAL"
    } else {
        severity_label(finding.severity)
    };
    let mut product_fields = std::collections::BTreeMap::new();
    product_fields.insert("secaudit/Rule".to_string(), finding.rule.clone());
    product_fields.insert(
        "secaudit/ComplianceType".to_string(),
        finding.compliance_type.as_str().to_string(),
    );
    product_fields.insert(
        "secaudit/Annotation".to_string(),
        clip(&finding.annotation, 256),
    );
    if let Some(control) = &finding.mappings.security_hub {
        product_fields.insert("secaudit/SecurityHubControl".to_string(), control.clone());
    }
    if let Some(rule) = &finding.mappings.config_rule {
        product_fields.insert("secaudit/ConfigRule".to_string(), rule.clone());
    }
    if let Some(change) = change {
        product_fields.insert("secaudit/Change".to_string(), change.as_str().to_string());
    }
    AsffFinding {
        schema_version: SCHEMA_VERSION,
        id: finding_uid(&finding.rule, &finding.resource.id),
        product_arn: format!(
            "arn:{partition}:securityhub:{region}:{account}:product/{account}/default"
        ),
        generator_id: format!("secaudit/{}", finding.rule),
        aws_account_id: account.clone(),
        types: vec![FINDING_TYPE],
        created_at: time.clone(),
        updated_at: time.clone(),
        severity: AsffSeverity {
            label,
            original: finding.severity.as_str(),
        },
        title: clip(&title, MAX_TITLE),
        description: clip(
            if finding.detail.is_empty() {
                &finding.annotation
            } else {
                &finding.detail
            },
            MAX_DESCRIPTION,
        ),
        remediation: (!doc.remediation.is_empty()).then(|| AsffRemediation {
            recommendation: AsffRecommendation {
                text: clip(&doc.remediation, MAX_RECOMMENDATION),
            },
        }),
        product_fields,
        resources: vec![AsffResource {
            resource_type: resource_type(&finding.resource.resource_type),
            id: finding.resource.id.clone(),
            partition,
            region: region.clone(),
        }],
        compliance: AsffCompliance {
            status: compliance_status(finding.compliance_type),
            related_requirements: finding.mappings.related_requirements.clone(),
        },
        workflow: AsffWorkflow {
            status: if muted.is_some() { "SUPPRESSED" } else { "NEW" },
        },
        record_state: "ACTIVE",
        note: muted.map(|note| AsffNote {
            text: clip(
                &format!("muted until {}: {}", note.expires, note.reason),
                MAX_NOTE,
            ),
            updated_by: clip(&note.owner, 512),
            updated_at: time,
        }),
        region,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample::{finding, report};

    #[test]
    fn a_finding_has_the_batch_import_shape() {
        let mut global = finding("r", Severity::High, ComplianceType::Compliant, "x");
        global.resource.region = "global".to_string();
        global.resource.id = "arn:aws:iam::111111111111:role/x".to_string();
        global.resource.resource_type = "AWS::IAM::Role".to_string();
        let report = report(vec![
            finding("r", Severity::High, ComplianceType::NonCompliant, "a"),
            global,
        ]);
        let all = findings(&report);
        let value = serde_json::to_value(&all).unwrap();
        let by_status = |status: &str| {
            value
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["Compliance"]["Status"] == status)
                .unwrap()
                .clone()
        };
        let failed = &by_status("FAILED");
        assert_eq!(failed["SchemaVersion"], "2018-10-08");
        assert_eq!(
            failed["ProductArn"],
            "arn:aws:securityhub:us-east-1:111111111111:product/111111111111/default"
        );
        assert_eq!(failed["Compliance"]["Status"], "FAILED");
        assert_eq!(failed["Severity"]["Label"], "HIGH");
        assert_eq!(failed["Resources"][0]["Type"], "AwsSecretsManagerSecret");
        assert!(failed.get("Region").is_none());
        let passed = &by_status("PASSED");
        assert_eq!(passed["Severity"]["Label"], "INFORMATIONAL");
        assert_eq!(passed["Resources"][0]["Region"], "us-east-1");
        assert_eq!(passed["Resources"][0]["Type"], "AwsIamRole");
        assert_ne!(failed["Id"], passed["Id"]);
    }
}
