//! The OCSF report: a JSON array of Compliance Finding events (class 2003 in the Findings
//! category 2, activity 1 "Create", type 200301) with the `cloud` profile, one per finding
//! except NOT_APPLICABLE, in the OCSF version [`OCSF_VERSION`] pinned in `metadata.version`.
//!
//! `compliance.status_id` is 1 (Pass) for COMPLIANT, 3 (Fail) for NON_COMPLIANT and 2 (Warning:
//! "did not yield a result due to missing information") for INSUFFICIENT_DATA; the rule is the
//! `finding_info.analytic`, the Security Hub control and its related requirements fill
//! `compliance.control`, `standards` and `requirements`, the resource ARN is `resources[].uid`,
//! and the account and region are `cloud.account.uid` and `cloud.region`. A muted finding has the
//! finding status Suppressed (3) with the mute's reason as `comment`; a baseline's `change` goes
//! in `unmapped`.

use serde_json::{Map, Value, json};

use super::baseline::Change;
use super::mutes::MuteNote;
use super::{Report, RuleDoc, finding_uid};
use crate::findings::{ComplianceType, Finding, Severity};

/// The OCSF schema version the events follow.
pub const OCSF_VERSION: &str = "1.5.0";

/// OCSF `severity_id` and caption of a severity.
fn severity(severity: Severity) -> (u8, &'static str) {
    match severity {
        Severity::Informational => (1, "Informational"),
        Severity::Low => (2, "Low"),
        Severity::Medium => (3, "Medium"),
        Severity::High => (4, "High"),
        Severity::Critical => (5, "Critical"),
    }
}

/// The compliance `status_id` and caption, or `None` for NOT_APPLICABLE (no event).
pub fn compliance_status(compliance: ComplianceType) -> Option<(u8, &'static str)> {
    match compliance {
        ComplianceType::Compliant => Some((1, "Pass")),
        ComplianceType::InsufficientData => Some((2, "Warning")),
        ComplianceType::NonCompliant => Some((3, "Fail")),
        ComplianceType::NotApplicable => None,
    }
}

/// The events of the report, in report order.
pub fn events(report: &Report) -> Vec<Value> {
    events_iter(report).collect()
}

/// The events of the report, made one at a time.
pub fn events_iter(report: &Report) -> impl Iterator<Item = Value> + '_ {
    report
        .findings
        .iter()
        .enumerate()
        .filter_map(|(index, finding)| {
            event(
                finding,
                report.rule_docs.get(&finding.rule),
                report.muted(index),
                report.change(index),
            )
        })
}

/// The event of one finding (`None` for NOT_APPLICABLE) with its rule's text, mute and baseline
/// change.
pub fn event(
    finding: &Finding,
    doc: Option<&RuleDoc>,
    muted: Option<&MuteNote>,
    change: Option<Change>,
) -> Option<Value> {
    let (status_id, status) = compliance_status(finding.compliance_type)?;
    let (severity_id, severity_name) = severity(finding.severity);
    let doc = doc.cloned().unwrap_or_default();
    let time = finding.ordering_timestamp.timestamp_millis();

    let mut compliance = json!({
        "status_id": status_id,
        "status": status,
        "status_detail": finding.annotation,
    });
    if let Some(control) = &finding.mappings.security_hub {
        compliance["control"] = json!(control);
    }
    if !finding.mappings.related_requirements.is_empty() {
        compliance["standards"] = json!(finding.mappings.standards());
        compliance["requirements"] = json!(finding.mappings.related_requirements);
    }

    let mut analytic = json!({
        "uid": finding.rule,
        "name": finding.rule,
        "type_id": 1,
        "type": "Rule",
    });
    if !doc.description.is_empty() {
        analytic["desc"] = json!(doc.description);
    }
    let title = if doc.title.is_empty() {
        finding.rule.clone()
    } else {
        doc.title.clone()
    };

    let mut resource = json!({
        "uid": finding.resource.id,
        "name": finding.resource.name,
        "type": finding.resource.resource_type,
        "cloud_partition": partition_of(&finding.resource.id),
        "region": finding.resource.region,
    });
    if !finding.evidence.is_empty() {
        resource["data"] = Value::Object(finding.evidence.clone());
    }

    let mut event = json!({
        "activity_id": 1,
        "activity_name": "Create",
        "category_uid": 2,
        "category_name": "Findings",
        "class_uid": 2003,
        "class_name": "Compliance Finding",
        "type_uid": 200301,
        "type_name": "Compliance Finding: Create",
        "time": time,
        "severity_id": severity_id,
        "severity": severity_name,
        "status_id": 1,
        "status": "New",
        "message": finding.annotation,
        "metadata": {
            "version": OCSF_VERSION,
            "profiles": ["cloud"],
            "product": {
                "name": env!("CARGO_PKG_NAME"),
                "vendor_name": env!("CARGO_PKG_NAME"),
                "version": env!("CARGO_PKG_VERSION"),
            },
            "event_code": finding.rule,
        },
        "finding_info": {
            "uid": finding_uid(&finding.rule, &finding.resource.id),
            "title": title,
            "desc": finding.detail,
            "analytic": analytic,
            "created_time": time,
        },
        "compliance": compliance,
        "resources": [resource],
        "cloud": {
            "provider": "AWS",
            "account": {"uid": finding.resource.account_id, "type_id": 10, "type": "AWS Account"},
            "region": finding.resource.region,
        },
    });
    if !doc.remediation.is_empty() {
        event["remediation"] = json!({"desc": doc.remediation});
    }
    if let Some(note) = muted {
        event["status_id"] = json!(3);
        event["status"] = json!("Suppressed");
        event["comment"] = json!(format!(
            "muted by {} until {}: {}",
            note.owner, note.expires, note.reason
        ));
    }
    if let Some(change) = change {
        let mut unmapped = Map::new();
        unmapped.insert("change".to_string(), json!(change.as_str()));
        event["unmapped"] = Value::Object(unmapped);
    }
    Some(event)
}

/// The partition of an ARN (`aws`, `aws-cn`, `aws-us-gov`), `aws` when it is not an ARN.
fn partition_of(arn: &str) -> &str {
    arn.strip_prefix("arn:")
        .and_then(|rest| rest.split(':').next())
        .filter(|partition| !partition.is_empty())
        .unwrap_or("aws")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample::{finding, report};

    #[test]
    fn one_event_per_finding_except_not_applicable() {
        let report = report(vec![
            finding("r", Severity::High, ComplianceType::NonCompliant, "a"),
            finding("r", Severity::High, ComplianceType::NotApplicable, "b"),
            finding("r", Severity::High, ComplianceType::InsufficientData, "c"),
            finding("r", Severity::High, ComplianceType::Compliant, "d"),
        ]);
        let events = events(&report);
        let statuses: Vec<u64> = events
            .iter()
            .map(|e| e["compliance"]["status_id"].as_u64().unwrap())
            .collect();
        assert_eq!(statuses, [3, 2, 1]);
        let first = &events[0];
        assert_eq!(first["class_uid"], 2003);
        assert_eq!(first["type_uid"], 200301);
        assert_eq!(first["metadata"]["version"], OCSF_VERSION);
        assert_eq!(first["cloud"]["account"]["uid"], "111111111111");
        assert_eq!(
            first["compliance"]["standards"],
            json!(["NIST.800-53.r5", "PCI DSS v4.0.1"])
        );
        assert_eq!(first["time"], 1_793_491_200_000_i64);
    }
}
