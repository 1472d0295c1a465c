use super::*;
use serde_json::json;

const SECRET: &str = "arn:aws:secretsmanager:us-east-1:111111111111:secret:app-AbCdEf";

fn scheduled_event() -> String {
    json!({
        "version": "1.0",
        "invokingEvent": json!({"awsAccountId": "111111111111", "notificationCreationTime": "2026-11-01T00:00:00.000Z",
            "messageType": "ScheduledNotification", "recordVersion": "1.0"}).to_string(),
        "ruleParameters": json!({"maximumAllowedRotationFrequency": "30"}).to_string(),
        "resultToken": "token-1",
        "eventLeftScope": false,
        "executionRoleArn": "arn:aws:iam::111111111111:role/config-role",
        "configRuleArn": "arn:aws:config:us-east-1:111111111111:config-rule/config-rule-abc",
        "configRuleName": "org-secretsmanager-rotation-enabled-check",
        "configRuleId": "config-rule-abc",
        "accountId": "111111111111"
    })
    .to_string()
}

fn change_event(status: &str, left_scope: bool) -> String {
    json!({
        "invokingEvent": json!({
            "configurationItem": {"configurationItemStatus": status, "resourceType": "AWS::SecretsManager::Secret",
                "resourceId": SECRET, "awsRegion": "us-east-1", "configuration": {}},
            "messageType": "ConfigurationItemChangeNotification", "recordVersion": "1.3"}).to_string(),
        "ruleParameters": "{}",
        "resultToken": "token-2",
        "eventLeftScope": left_scope,
        "configRuleName": "secretsmanager-secret-tagged",
        "accountId": "111111111111"
    })
    .to_string()
}

fn evaluation(id: &str, compliance: ComplianceType) -> Evaluation {
    Evaluation {
        resource_type: "AWS::SecretsManager::Secret".into(),
        resource_id: id.into(),
        compliance_type: compliance,
        annotation: Some("because".into()),
        ordering_timestamp: DateTime::UNIX_EPOCH,
    }
}

#[test]
fn scheduled_events_parse() {
    let invocation = parse_event(&scheduled_event()).unwrap();
    assert_eq!(invocation.trigger, Trigger::Scheduled);
    assert_eq!(invocation.result_token, "token-1");
    assert_eq!(invocation.region.as_deref(), Some("us-east-1"));
    assert_eq!(
        invocation.rule_parameters["maximumAllowedRotationFrequency"],
        "30"
    );
    let ids = vec![
        "secretsmanager-rotation-enabled-check".to_owned(),
        "secretsmanager-secret-tagged".to_owned(),
    ];
    assert_eq!(
        pick_rule(&invocation, None, &ids).as_deref(),
        Some("secretsmanager-rotation-enabled-check")
    );
    assert_eq!(
        pick_rule(&invocation, Some("secretsmanager-secret-tagged"), &ids).as_deref(),
        Some("secretsmanager-secret-tagged")
    );
}

#[test]
fn change_events_parse() {
    let invocation = parse_event(&change_event("OK", false)).unwrap();
    assert_eq!(
        invocation.trigger,
        Trigger::Change {
            resource_type: "AWS::SecretsManager::Secret".into(),
            resource_id: SECRET.into(),
            region: Some("us-east-1".into()),
            deleted: false
        }
    );
    let deleted = parse_event(&change_event("ResourceDeleted", false)).unwrap();
    assert!(matches!(
        deleted.trigger,
        Trigger::Change { deleted: true, .. }
    ));
}

#[test]
fn malformed_events_are_errors() {
    let table: &[(&str, &str)] = &[
        ("not json", "not JSON"),
        (
            r#"{"invokingEvent": "{}", "resultToken": "t", "configRuleName": "r"}"#,
            "messageType",
        ),
        (
            r#"{"invokingEvent": "{nope", "resultToken": "t", "configRuleName": "r"}"#,
            "invokingEvent",
        ),
        (
            r#"{"invokingEvent": "{\"messageType\":\"ScheduledNotification\"}", "configRuleName": "r"}"#,
            "resultToken",
        ),
        (
            r#"{"invokingEvent": "{\"messageType\":\"Weird\"}", "resultToken": "t", "configRuleName": "r"}"#,
            "Weird",
        ),
    ];
    for (text, expected) in table {
        let error = parse_event(text).unwrap_err().to_string();
        assert!(error.contains(expected), "{text}: {error}");
    }
}

#[test]
fn scheduled_runs_send_not_applicable_for_vanished_resources_and_no_insufficient_data() {
    let invocation = parse_event(&scheduled_event()).unwrap();
    let current = vec![
        evaluation("a", ComplianceType::Compliant),
        evaluation("b", ComplianceType::InsufficientData),
        evaluation("c", ComplianceType::NonCompliant),
    ];
    let prior = vec![
        ("AWS::SecretsManager::Secret".to_owned(), "a".to_owned()),
        ("AWS::SecretsManager::Secret".to_owned(), "gone".to_owned()),
    ];
    let planned = plan_evaluations(&invocation, current, &prior, DateTime::UNIX_EPOCH);
    let summary: Vec<(&str, ComplianceType)> = planned
        .iter()
        .map(|e| (e.resource_id.as_str(), e.compliance_type))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("a", ComplianceType::Compliant),
            ("c", ComplianceType::NonCompliant),
            ("gone", ComplianceType::NotApplicable),
        ]
    );
}

#[test]
fn change_runs_evaluate_only_the_changed_resource() {
    let current = vec![
        evaluation(SECRET, ComplianceType::NonCompliant),
        evaluation("other", ComplianceType::Compliant),
    ];
    let ok = parse_event(&change_event("OK", false)).unwrap();
    let planned = plan_evaluations(&ok, current.clone(), &[], DateTime::UNIX_EPOCH);
    assert_eq!(planned.len(), 1);
    assert_eq!(planned[0].compliance_type, ComplianceType::NonCompliant);

    for event in [
        change_event("ResourceDeleted", false),
        change_event("OK", true),
    ] {
        let invocation = parse_event(&event).unwrap();
        let planned = plan_evaluations(&invocation, current.clone(), &[], DateTime::UNIX_EPOCH);
        assert_eq!(planned.len(), 1);
        assert_eq!(planned[0].compliance_type, ComplianceType::NotApplicable);
    }
}
