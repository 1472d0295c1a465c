//! The SARIF 2.1.0 report, for code-scanning dashboards: one run of the `secaudit` tool whose
//! driver lists one reporting descriptor per rule that ran (its title, description, and
//! remediation as help, with `properties["security-severity"]` as a string score), and one
//! result per NON_COMPLIANT finding. A resource is not a file, so each result names its ARN as a
//! logical location; muted findings carry an accepted external suppression with the mute's
//! reason, and the stable finding id is the result's partial fingerprint.

use serde_json::{Value, json};

use super::{Report, finding_uid};
use crate::findings::{ComplianceType, Severity};

/// The SARIF version written.
pub const SARIF_VERSION: &str = "2.1.0";
const SARIF_SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The `security-severity` score of a severity (GitHub's bands: critical above 9.0, high from
/// 7.0, medium from 4.0, low from 0.1).
pub fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "2.0",
        Severity::Informational => "0.0",
    }
}

/// The SARIF `level` of a severity.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Informational => "note",
    }
}

/// The SARIF log of the report.
pub fn log(report: &Report) -> Value {
    let rules: Vec<Value> = report
        .rules
        .iter()
        .map(|rule| {
            let doc = report.rule_docs.get(&rule.id).cloned().unwrap_or_default();
            let title = if doc.title.is_empty() {
                rule.id.clone()
            } else {
                doc.title
            };
            let mut descriptor = json!({
                "id": rule.id,
                "name": rule.id,
                "shortDescription": {"text": title},
                "defaultConfiguration": {"level": level(rule.severity)},
                "properties": {
                    "security-severity": security_severity(rule.severity),
                    "severity": rule.severity.as_str(),
                    "tags": ["security", "aws", "secretsmanager"],
                },
            });
            if !doc.description.is_empty() {
                descriptor["fullDescription"] = json!({"text": doc.description});
            }
            if !doc.remediation.is_empty() {
                descriptor["help"] = json!({"text": doc.remediation});
            }
            descriptor
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .enumerate()
        .filter(|(_, finding)| finding.compliance_type == ComplianceType::NonCompliant)
        .map(|(index, finding)| {
            let rule_index = report.rules.iter().position(|rule| rule.id == finding.rule);
            let mut result = json!({
                "ruleId": finding.rule,
                "level": level(finding.severity),
                "message": {"text": finding.annotation},
                "locations": [{
                    "logicalLocations": [{
                        "name": finding.resource.name,
                        "fullyQualifiedName": finding.resource.id,
                        "kind": "resource",
                    }],
                }],
                "partialFingerprints": {
                    "secauditFindingId/v1": finding_uid(&finding.rule, &finding.resource.id),
                },
                "properties": {
                    "severity": finding.severity.as_str(),
                    "security-severity": security_severity(finding.severity),
                    "resourceType": finding.resource.resource_type,
                    "accountId": finding.resource.account_id,
                    "region": finding.resource.region,
                    "detail": finding.detail,
                    "evidence": Value::Object(finding.evidence.clone()),
                },
            });
            if let Some(rule_index) = rule_index {
                result["ruleIndex"] = json!(rule_index);
            }
            if let Some(change) = report.change(index) {
                result["baselineState"] = json!(match change {
                    super::baseline::Change::New => "new",
                    super::baseline::Change::Changed => "updated",
                    super::baseline::Change::Unchanged => "unchanged",
                });
            }
            if let Some(note) = report.muted(index) {
                result["suppressions"] = json!([{
                    "kind": "external",
                    "status": "accepted",
                    "justification": format!(
                        "{} (owner {}, until {})", note.reason, note.owner, note.expires
                    ),
                }]);
            }
            result
        })
        .collect();
    json!({
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{
            "tool": {"driver": {
                "name": env!("CARGO_PKG_NAME"),
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample::{finding, report};

    #[test]
    fn one_result_per_non_compliant_finding_with_its_rule() {
        let report = report(vec![
            finding("r", Severity::High, ComplianceType::NonCompliant, "a"),
            finding("r", Severity::High, ComplianceType::Compliant, "b"),
            finding("r", Severity::High, ComplianceType::InsufficientData, "c"),
        ]);
        let log = log(&report);
        assert_eq!(log["version"], "2.1.0");
        let run = &log["runs"][0];
        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), 1);
        let index = results[0]["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(run["tool"]["driver"]["rules"][index]["id"], "r");
        assert_eq!(
            run["tool"]["driver"]["rules"][index]["properties"]["security-severity"],
            "8.0"
        );
        assert!(results[0].get("suppressions").is_none());
        assert_eq!(
            results[0]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
            "arn:aws:secretsmanager:us-east-1:111111111111:secret:a-AbCdEf"
        );
    }
}
