//! PutEvaluations batches through the public API: at most 100 per call, in report order,
//! INSUFFICIENT_DATA never sent.

#![allow(
    clippy::unwrap_used,
    reason = "test code: a failed unwrap is a failed test"
)]

use chrono::{TimeZone, Utc};
use secaudit::findings::{ComplianceType, Finding, Mappings, ResourceRef, Severity};
use secaudit::report::config_evaluations::{BATCH_SIZE, batches, render};

fn finding(index: usize, compliance: ComplianceType) -> Finding {
    Finding {
        rule: "secretsmanager-rotation-enabled-check".to_string(),
        severity: Severity::Medium,
        compliance_type: compliance,
        annotation: format!("secret {index}"),
        detail: String::new(),
        resource: ResourceRef {
            resource_type: "AWS::SecretsManager::Secret".to_string(),
            id: format!("arn:aws:secretsmanager:us-east-1:111111111111:secret:s{index:04}-AbCdEf"),
            name: format!("s{index:04}"),
            account_id: "111111111111".to_string(),
            region: "us-east-1".to_string(),
        },
        evidence: serde_json::Map::new(),
        ordering_timestamp: Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap(),
        mappings: Mappings::default(),
    }
}

#[test]
fn two_hundred_fifty_evaluations_make_batches_of_100_100_50_without_insufficient_data() {
    let kinds = [
        ComplianceType::Compliant,
        ComplianceType::NonCompliant,
        ComplianceType::NotApplicable,
    ];
    let mut findings: Vec<Finding> = (0..250).map(|i| finding(i, kinds[i % 3])).collect();
    // Thirty INSUFFICIENT_DATA findings spread among them must all be left out.
    findings.extend((250..280).map(|i| finding(i, ComplianceType::InsufficientData)));

    let text = render(&findings).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let sizes: Vec<usize> = value
        .as_array()
        .unwrap()
        .iter()
        .map(|batch| batch.as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, [100, 100, 50]);
    assert!(sizes.iter().all(|size| *size <= BATCH_SIZE));

    let sent: Vec<&serde_json::Value> = value
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|batch| batch.as_array().unwrap())
        .collect();
    assert!(
        sent.iter()
            .all(|e| e["ComplianceType"] != "INSUFFICIENT_DATA")
    );
    let ids: Vec<&str> = sent
        .iter()
        .map(|e| e["ComplianceResourceId"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = (0..250)
        .map(|i| format!("arn:aws:secretsmanager:us-east-1:111111111111:secret:s{i:04}-AbCdEf"))
        .collect();
    assert_eq!(ids, expected, "every sendable finding once, in order");
}

#[test]
fn exactly_one_hundred_is_one_batch() {
    let findings: Vec<Finding> = (0..100)
        .map(|i| finding(i, ComplianceType::Compliant))
        .collect();
    assert_eq!(batches(&findings).len(), 1);
    let findings: Vec<Finding> = (0..101)
        .map(|i| finding(i, ComplianceType::Compliant))
        .collect();
    let sizes: Vec<usize> = batches(&findings).iter().map(Vec::len).collect();
    assert_eq!(sizes, [100, 1]);
}
