//! Hand-built findings and reports for the writers' unit tests.

use chrono::{TimeZone, Utc};

use super::{Report, ReportedRule, RunInfo, SnapshotInfo};
use crate::findings::{ComplianceType, Finding, Mappings, ResourceRef, Severity};

/// A secret finding named `name` in us-east-1 of account 111111111111.
pub fn finding(rule: &str, severity: Severity, compliance: ComplianceType, name: &str) -> Finding {
    let mut evidence = serde_json::Map::new();
    evidence.insert("measured".to_string(), serde_json::json!(120));
    Finding {
        rule: rule.to_string(),
        severity,
        compliance_type: compliance,
        annotation: format!("{name}: {}", compliance.as_str()),
        detail: format!("{name} is {} in full", compliance.as_str()),
        resource: ResourceRef {
            resource_type: "AWS::SecretsManager::Secret".to_string(),
            id: format!("arn:aws:secretsmanager:us-east-1:111111111111:secret:{name}-AbCdEf"),
            name: name.to_string(),
            account_id: "111111111111".to_string(),
            region: "us-east-1".to_string(),
        },
        evidence,
        ordering_timestamp: Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap(),
        mappings: Mappings {
            config_rule: Some("secretsmanager-rotation-enabled-check".to_string()),
            security_hub: Some("SecretsManager.1".to_string()),
            related_requirements: vec![
                "NIST.800-53.r5 AC-2(1)".to_string(),
                "PCI DSS v4.0.1/8.6.3".to_string(),
            ],
        },
    }
}

/// A report over `findings`, with one extra rule (`quiet-rule`) that found nothing.
pub fn report(findings: Vec<Finding>) -> Report {
    let time = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    let run = RunInfo::single(
        time,
        SnapshotInfo {
            account_id: "111111111111".to_string(),
            collected_at: time,
        },
        Default::default(),
        Vec::new(),
    );
    let rules = vec![ReportedRule {
        id: "quiet-rule".to_string(),
        severity: Severity::Low,
    }];
    Report::new(run, rules, findings)
}
