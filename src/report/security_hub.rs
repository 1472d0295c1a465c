//! Sending ASFF findings to AWS Security Hub with `BatchImportFindings`: each [`AsffFinding`] is
//! built into the SDK's `AwsSecurityFinding` (and checked for the fields the API requires, since
//! the SDK's builders do not), then sent in batches of at most [`BATCH_SIZE`] (the API's limit).
//! A batch whose call fails counts all its findings as failed; a batch that succeeds counts the
//! findings the API lists in `FailedFindings`. The caller groups findings by account and region:
//! Security Hub takes a finding only from the account it belongs to, in its `ProductArn`'s region.

use aws_sdk_securityhub::Client;
use aws_sdk_securityhub::types::{
    AwsSecurityFinding, Compliance, ComplianceStatus, Note, Partition, Recommendation, RecordState,
    Remediation, Resource, Severity, SeverityLabel, Workflow, WorkflowStatus,
};

use super::asff::AsffFinding;

/// At most this many findings per BatchImportFindings call.
pub const BATCH_SIZE: usize = 100;

/// What sending one account-region's findings gave.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Findings Security Hub accepted.
    pub imported: usize,
    /// BatchImportFindings calls made.
    pub batches: usize,
    /// Each finding not imported: its `Id` and why.
    pub failed: Vec<(String, String)>,
}

/// The SDK finding for `finding`, or why it lacks a field the API requires.
pub fn to_sdk(finding: &AsffFinding) -> Result<AwsSecurityFinding, String> {
    let resources = finding
        .resources
        .iter()
        .map(|resource| {
            Resource::builder()
                .r#type(resource.resource_type)
                .id(&resource.id)
                .partition(Partition::from(resource.partition.as_str()))
                .region(&resource.region)
                .build()
        })
        .collect::<Vec<_>>();
    let mut builder = AwsSecurityFinding::builder()
        .schema_version(finding.schema_version)
        .id(&finding.id)
        .product_arn(&finding.product_arn)
        .generator_id(&finding.generator_id)
        .aws_account_id(&finding.aws_account_id)
        .set_types(Some(
            finding.types.iter().map(|t| (*t).to_string()).collect(),
        ))
        .created_at(&finding.created_at)
        .updated_at(&finding.updated_at)
        .severity(
            Severity::builder()
                .label(SeverityLabel::from(finding.severity.label))
                .original(finding.severity.original)
                .build(),
        )
        .title(&finding.title)
        .description(&finding.description)
        .set_product_fields(Some(finding.product_fields.clone().into_iter().collect()))
        .set_resources(Some(resources))
        .compliance(
            Compliance::builder()
                .status(ComplianceStatus::from(finding.compliance.status))
                .set_related_requirements(
                    (!finding.compliance.related_requirements.is_empty())
                        .then(|| finding.compliance.related_requirements.clone()),
                )
                .build(),
        )
        .workflow(
            Workflow::builder()
                .status(WorkflowStatus::from(finding.workflow.status))
                .build(),
        )
        .record_state(RecordState::from(finding.record_state));
    if let Some(remediation) = &finding.remediation {
        builder = builder.remediation(
            Remediation::builder()
                .recommendation(
                    Recommendation::builder()
                        .text(&remediation.recommendation.text)
                        .build(),
                )
                .build(),
        );
    }
    if let Some(note) = &finding.note {
        builder = builder.note(
            Note::builder()
                .text(&note.text)
                .updated_by(&note.updated_by)
                .updated_at(&note.updated_at)
                .build(),
        );
    }
    let built = builder.build();
    check_required(&built)?;
    Ok(built)
}

/// The members BatchImportFindings requires (the SDK builders leave them optional).
fn check_required(finding: &AwsSecurityFinding) -> Result<(), String> {
    let present = |value: Option<&str>| value.is_some_and(|text| !text.is_empty());
    let missing = [
        ("SchemaVersion", present(finding.schema_version())),
        ("Id", present(finding.id())),
        ("ProductArn", present(finding.product_arn())),
        ("GeneratorId", present(finding.generator_id())),
        ("AwsAccountId", present(finding.aws_account_id())),
        ("CreatedAt", present(finding.created_at())),
        ("UpdatedAt", present(finding.updated_at())),
        ("Title", present(finding.title())),
        ("Description", present(finding.description())),
        (
            "Severity.Label",
            finding.severity().and_then(|s| s.label()).is_some(),
        ),
        ("Types", !finding.types().is_empty()),
        (
            "Resources",
            !finding.resources().is_empty()
                && finding
                    .resources()
                    .iter()
                    .all(|r| present(r.r#type()) && present(r.id())),
        ),
    ]
    .into_iter()
    .filter(|(_, ok)| !ok)
    .map(|(name, _)| name)
    .collect::<Vec<_>>();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!("missing required field(s) {}", missing.join(", ")))
    }
}

/// Sends findings (all of one account and region) in batches of at most [`BATCH_SIZE`].
pub async fn import(client: &Client, findings: &[AsffFinding]) -> ImportSummary {
    let mut summary = ImportSummary::default();
    let mut ready = Vec::with_capacity(findings.len());
    for finding in findings {
        match to_sdk(finding) {
            Ok(built) => ready.push(built),
            Err(why) => summary.failed.push((finding.id.clone(), why)),
        }
    }
    for batch in ready.chunks(BATCH_SIZE) {
        summary.batches += 1;
        let result = client
            .batch_import_findings()
            .set_findings(Some(batch.to_vec()))
            .send()
            .await;
        match result {
            Ok(output) => {
                let failed = output.failed_findings();
                summary.imported += batch.len().saturating_sub(failed.len());
                for error in failed {
                    summary.failed.push((
                        error.id().unwrap_or_default().to_string(),
                        format!(
                            "{}: {}",
                            error.error_code().unwrap_or("error"),
                            error.error_message().unwrap_or_default()
                        ),
                    ));
                }
            }
            Err(error) => {
                let why = format!(
                    "BatchImportFindings failed: {}",
                    aws_sdk_securityhub::error::DisplayErrorContext(&error)
                );
                for finding in batch {
                    summary
                        .failed
                        .push((finding.id().unwrap_or_default().to_string(), why.clone()));
                }
            }
        }
    }
    summary
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{ComplianceType, Severity as FindingSeverity};
    use crate::report::asff::findings;
    use crate::report::sample::{finding, report};

    #[test]
    fn every_asff_finding_builds_into_the_sdk_type_with_its_required_fields() {
        let report = report(vec![
            finding(
                "r",
                FindingSeverity::High,
                ComplianceType::NonCompliant,
                "a",
            ),
            finding(
                "r",
                FindingSeverity::Low,
                ComplianceType::NotApplicable,
                "b",
            ),
        ]);
        for asff in findings(&report) {
            let built = to_sdk(&asff).unwrap();
            assert_eq!(built.id(), Some(asff.id.as_str()));
            assert_eq!(
                built
                    .compliance()
                    .and_then(|c| c.status())
                    .map(|s| s.as_str()),
                Some(asff.compliance.status)
            );
        }
        let mut broken = findings(&report).remove(0);
        broken.title.clear();
        broken.resources.clear();
        let error = to_sdk(&broken).unwrap_err();
        assert!(
            error.contains("Title") && error.contains("Resources"),
            "{error}"
        );
    }
}
