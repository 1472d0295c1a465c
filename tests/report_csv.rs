//! The CSV report through the public API: a secret named like a spreadsheet formula stays text,
//! and a CSV reader gets every other value back unchanged.

#![allow(
    clippy::unwrap_used,
    reason = "test code: a failed unwrap is a failed test"
)]

use chrono::{TimeZone, Utc};
use secaudit::findings::{ComplianceType, Finding, Mappings, ResourceRef, Severity};
use secaudit::report::csv::{COLUMNS, render};

fn secret_finding(name: &str, annotation: &str) -> Finding {
    Finding {
        rule: "secretsmanager-secret-tagged".to_string(),
        severity: Severity::Low,
        compliance_type: ComplianceType::NonCompliant,
        annotation: annotation.to_string(),
        detail: format!("secret `{name}` has no user tags"),
        resource: ResourceRef {
            resource_type: "AWS::SecretsManager::Secret".to_string(),
            id: format!("arn:aws:secretsmanager:us-east-1:111111111111:secret:{name}-AbCdEf"),
            name: name.to_string(),
            account_id: "111111111111".to_string(),
            region: "us-east-1".to_string(),
        },
        evidence: serde_json::Map::new(),
        ordering_timestamp: Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap(),
        mappings: Mappings::default(),
    }
}

fn read_rows(text: &str) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    reader
        .records()
        .map(|record| record.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn a_secret_named_hyperlink_cannot_become_a_formula() {
    let findings = vec![secret_finding("=HYPERLINK(\"x\")", "@SUM(1+1)")];
    let text = render(&findings).unwrap();
    assert!(
        text.contains("\"'=HYPERLINK(\"\"x\"\")\""),
        "the name is quoted and prefixed: {text}"
    );
    let rows = read_rows(&text);
    let name = COLUMNS.iter().position(|c| *c == "RESOURCE_NAME").unwrap();
    let annotation = COLUMNS.iter().position(|c| *c == "ANNOTATION").unwrap();
    assert_eq!(rows[1][name], "'=HYPERLINK(\"x\")");
    assert_eq!(rows[1][annotation], "'@SUM(1+1)");
    for row in &rows {
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "formula cell {cell:?}"
            );
        }
    }
}

#[test]
fn ordinary_values_round_trip_through_a_csv_reader() {
    let findings = vec![secret_finding(
        "prod/db,\"primary\"\nline two",
        "no user tags; required `team` missing",
    )];
    let rows = read_rows(&render(&findings).unwrap());
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0], COLUMNS);
    assert_eq!(
        rows[1],
        [
            "111111111111",
            "us-east-1",
            "secretsmanager-secret-tagged",
            "low",
            "NON_COMPLIANT",
            "AWS::SecretsManager::Secret",
            "arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/db,\"primary\"\nline two-AbCdEf",
            "prod/db,\"primary\"\nline two",
            "no user tags; required `team` missing",
            "2026-11-01T00:00:00Z",
            "",
            "",
            "secret `prod/db,\"primary\"\nline two` has no user tags",
        ]
    );
}
