//! The one SARIF 2.1.0 writer, for code-scanning dashboards. [`log_of_run`] builds the log, its
//! single run and the `secaudit` driver; [`rule_descriptor`] and [`result`] build the parts every
//! SARIF output has; [`security_severity`] and [`level`] map our severities the one way. The audit
//! report ([`log`]) and `secaudit lint` (`lint::render_sarif`) only say which rules, results and
//! locations they have.
//!
//! The audit report: the driver lists one reporting descriptor per rule that ran (its title,
//! description, and remediation as help, with `properties["security-severity"]` as a string
//! score), and one result per NON_COMPLIANT finding. A resource is not a file, so each result
//! names its ARN as a logical location; muted findings carry an accepted external suppression
//! with the mute's reason, and the stable finding id is the result's partial fingerprint.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::baseline::Change;
use super::mutes::MuteNote;
use super::spill::FindingSpill;
use super::{Report, ReportError, ReportedRule, RuleDoc, finding_uid};
use crate::findings::{ComplianceType, Finding, Severity};

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
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Informational => "note",
    }
}

/// A SARIF log with one run of `secaudit`: the driver's reporting descriptors (`rules`, from
/// [`rule_descriptor`]) and the `results` (from [`result`]), columns in Unicode code points.
pub fn log_of_run(rules: Vec<Value>, results: Vec<Value>) -> Value {
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

/// A reporting descriptor: `id` (also its name), a short description, the default `level`, and
/// a full description and help when there is text for them. The caller may add `properties`.
pub fn rule_descriptor(
    id: &str,
    short: &str,
    full: Option<&str>,
    help: Option<&str>,
    level: &str,
) -> Value {
    let mut descriptor = json!({
        "id": id,
        "name": id,
        "shortDescription": {"text": short},
        "defaultConfiguration": {"level": level},
    });
    if let Some(full) = full.filter(|text| !text.is_empty()) {
        descriptor["fullDescription"] = json!({"text": full});
    }
    if let Some(help) = help.filter(|text| !text.is_empty()) {
        descriptor["help"] = json!({"text": help});
    }
    descriptor
}

/// A result of rule `rule_id` (at `rule_index` in the driver's rules, when it is there) with
/// its level, message and `locations`, and `properties` (left out when empty). The caller may add fingerprints,
/// suppressions or a baseline state.
pub fn result(
    rule_id: &str,
    rule_index: Option<usize>,
    level: &str,
    message: &str,
    locations: Value,
    properties: Value,
) -> Value {
    let mut result = json!({
        "ruleId": rule_id,
        "level": level,
        "message": {"text": message},
        "locations": locations,
    });
    if properties.as_object().is_none_or(|bag| !bag.is_empty()) {
        result["properties"] = properties;
    }
    if let Some(rule_index) = rule_index {
        result["ruleIndex"] = json!(rule_index);
    }
    result
}

/// The SARIF log of the audit report.
pub fn log(report: &Report) -> Value {
    let results: Vec<Value> = report
        .findings
        .iter()
        .enumerate()
        .filter_map(|(index, finding)| {
            audit_result(
                finding,
                rule_index(&report.rules, &finding.rule),
                report.muted(index),
                report.change(index),
            )
        })
        .collect();
    log_of_run(audit_rules(&report.rules, &report.rule_docs), results)
}

/// The reporting descriptors of the rules that ran, in their order.
pub fn audit_rules(rules: &[ReportedRule], docs: &BTreeMap<String, RuleDoc>) -> Vec<Value> {
    rules
        .iter()
        .map(|rule| {
            let doc = docs.get(&rule.id).cloned().unwrap_or_default();
            let title = if doc.title.is_empty() {
                rule.id.as_str()
            } else {
                doc.title.as_str()
            };
            let mut descriptor = rule_descriptor(
                &rule.id,
                title,
                Some(&doc.description),
                Some(&doc.remediation),
                level(rule.severity),
            );
            descriptor["properties"] = json!({
                "security-severity": security_severity(rule.severity),
                "severity": rule.severity.as_str(),
                "tags": ["security", "aws", "secretsmanager"],
            });
            descriptor
        })
        .collect()
}

/// Where `rule` is among the driver's rules (the rules that ran, by id).
pub fn rule_index(rules: &[ReportedRule], rule: &str) -> Option<usize> {
    rules.iter().position(|reported| reported.id == rule)
}

/// The result of one finding (`None` unless NON_COMPLIANT), with its mute and baseline change.
pub fn audit_result(
    finding: &Finding,
    rule_index: Option<usize>,
    muted: Option<&MuteNote>,
    change: Option<Change>,
) -> Option<Value> {
    if finding.compliance_type != ComplianceType::NonCompliant {
        return None;
    }
    let mut result = result(
        &finding.rule,
        rule_index,
        level(finding.severity),
        &finding.annotation,
        json!([{
            "logicalLocations": [{
                "name": finding.resource.name,
                "fullyQualifiedName": finding.resource.id,
                "kind": "resource",
            }],
        }]),
        json!({
            "severity": finding.severity.as_str(),
            "security-severity": security_severity(finding.severity),
            "resourceType": finding.resource.resource_type,
            "accountId": finding.resource.account_id,
            "region": finding.resource.region,
            "detail": finding.detail,
            "evidence": Value::Object(finding.evidence.clone()),
        }),
    );
    result["partialFingerprints"] = json!({
        "secauditFindingId/v1": finding_uid(&finding.rule, &finding.resource.id),
    });
    if let Some(change) = change {
        result["baselineState"] = json!(match change {
            Change::New => "new",
            Change::Changed => "updated",
            Change::Unchanged => "unchanged",
        });
    }
    if let Some(note) = muted {
        result["suppressions"] = json!([{
            "kind": "external",
            "status": "accepted",
            "justification": format!(
                "{} (owner {}, until {})", note.reason, note.owner, note.expires
            ),
        }]);
    }
    Some(result)
}

/// How deep the log nests a result (`runs[0].results[i]`): the indentation of its lines.
pub const RESULT_INDENT: &[u8] = b"        ";

/// Writes the log of a run without a baseline whose results are in `spill` (each rendered by
/// [`audit_result`] as pretty JSON, indented by [`RESULT_INDENT`]): the bytes `log` gives for a
/// report holding those findings.
pub fn write_spilled(
    rules: &[ReportedRule],
    docs: &BTreeMap<String, RuleDoc>,
    spill: FindingSpill,
    out: &mut dyn std::io::Write,
) -> Result<(), ReportError> {
    let mut frame = Vec::new();
    super::write_json(
        &mut frame,
        &log_of_run(audit_rules(rules, docs), Vec::new()),
    )?;
    // The run's keys are six spaces deep; the rules' keys are deeper.
    spill.write_into_array(&frame, b"\n      \"results\": []", RESULT_INDENT, out)?;
    Ok(())
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
