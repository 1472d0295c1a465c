//! Sending ASFF findings to AWS Security Hub with `BatchImportFindings` (REST-JSON
//! `POST /findings/import`, through the collector's signed call: no Security Hub SDK crate, which
//! alone was the most expensive crate of a clean build). Each [`AsffFinding`] goes as the ASFF JSON
//! the `asff` format writes, after a check of the fields the API requires; findings are sent in
//! batches of at most [`BATCH_SIZE`] (the API's limit). A batch whose call fails counts all its
//! findings as failed; a batch that succeeds counts the findings the API lists in
//! `FailedFindings`. The caller groups findings by account and region: Security Hub takes a
//! finding only from the account it belongs to, in its `ProductArn`'s region.

use serde_json::json;

use super::asff::AsffFinding;
use crate::collect::aws_api::AwsApi;
use crate::collect::aws_json;

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

/// Why `finding` lacks a member BatchImportFindings requires, if it does.
pub fn check_required(finding: &AsffFinding) -> Result<(), String> {
    let present = |value: &str| !value.is_empty();
    let missing = [
        ("SchemaVersion", present(finding.schema_version)),
        ("Id", present(&finding.id)),
        ("ProductArn", present(&finding.product_arn)),
        ("GeneratorId", present(&finding.generator_id)),
        ("AwsAccountId", present(&finding.aws_account_id)),
        ("CreatedAt", present(&finding.created_at)),
        ("UpdatedAt", present(&finding.updated_at)),
        ("Title", present(&finding.title)),
        ("Description", present(&finding.description)),
        ("Severity.Label", present(finding.severity.label)),
        ("Types", !finding.types.is_empty()),
        (
            "Resources",
            !finding.resources.is_empty()
                && finding
                    .resources
                    .iter()
                    .all(|r| present(r.resource_type) && present(&r.id)),
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
pub async fn import(client: &AwsApi, findings: &[AsffFinding]) -> ImportSummary {
    let mut summary = ImportSummary::default();
    let mut ready = Vec::with_capacity(findings.len());
    for finding in findings {
        match check_required(finding) {
            Ok(()) => ready.push(finding),
            Err(why) => summary.failed.push((finding.id.clone(), why)),
        }
    }
    for batch in ready.chunks(BATCH_SIZE) {
        summary.batches += 1;
        let body = json!({ "Findings": batch });
        let result =
            aws_json::rest_json(client, "BatchImportFindings", "/findings/import", &body).await;
        match result {
            Ok(output) => {
                let failed = output["FailedFindings"]
                    .as_array()
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                summary.imported += batch.len().saturating_sub(failed.len());
                for error in failed {
                    let text = |name: &str| error[name].as_str().unwrap_or_default().to_owned();
                    let code = Some(text("ErrorCode")).filter(|code| !code.is_empty());
                    summary.failed.push((
                        text("Id"),
                        format!(
                            "{}: {}",
                            code.as_deref().unwrap_or("error"),
                            text("ErrorMessage")
                        ),
                    ));
                }
            }
            Err(failure) => {
                let why = format!("BatchImportFindings failed: {}", failure.message);
                for finding in batch {
                    summary.failed.push((finding.id.clone(), why.clone()));
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
    fn every_asff_finding_has_the_required_fields_and_a_broken_one_is_named() {
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
            check_required(&asff).unwrap();
            // What is sent is what the `asff` format writes.
            let wire = json!(asff);
            assert_eq!(wire["Id"], asff.id.as_str());
            assert_eq!(wire["Compliance"]["Status"], asff.compliance.status);
            assert!(wire.get("Region").is_none(), "not an ASFF member");
        }
        let mut broken = findings(&report).remove(0);
        broken.title.clear();
        broken.resources.clear();
        let error = check_required(&broken).unwrap_err();
        assert!(
            error.contains("Title") && error.contains("Resources"),
            "{error}"
        );
    }
}
