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

/// A configuration item of the changed secret, in the shape of the AWS Config developer guide's
/// example events (`configurationItem` of a ConfigurationItemChangeNotification).
fn configuration_item(status: &str) -> serde_json::Value {
    json!({"configurationItemCaptureTime": "2026-11-01T01:36:34.043Z", "awsAccountId": "111111111111",
        "configurationItemStatus": status, "resourceId": SECRET, "resourceName": "app",
        "ARN": SECRET, "awsRegion": "us-east-1", "availabilityZone": "Not Applicable",
        "resourceType": "AWS::SecretsManager::Secret", "tags": {"team": "core"},
        "relationships": [], "configuration": {"name": "app"}})
}

fn change_event(status: &str, left_scope: bool) -> String {
    json!({
        "invokingEvent": json!({
            "configurationItem": configuration_item(status),
            "notificationCreationTime": "2026-11-01T01:36:35.000Z",
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
            arn: Some(SECRET.into()),
            name: Some("app".into()),
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

/// An OversizedConfigurationItemChangeNotification: no item body, a `configurationItemSummary`
/// and where the full item is in S3 (the developer guide's example shape).
fn oversized_event(status: &str) -> String {
    json!({
        "invokingEvent": json!({
            "configurationItemSummary": {"changeType": "UPDATE", "configurationItemVersion": "1.3",
                "configurationItemCaptureTime": "2026-11-01T01:36:34.043Z", "configurationStateId": 0,
                "awsAccountId": "111111111111", "configurationItemStatus": status,
                "resourceType": "AWS::SecretsManager::Secret", "resourceId": SECRET,
                "resourceName": "app", "ARN": SECRET, "awsRegion": "us-east-1",
                "availabilityZone": null, "configurationStateMd5Hash": "",
                "resourceCreationTime": "2026-10-01T00:00:00.000Z"},
            "s3DeliverySummary": {"s3BucketLocation": "bucket/AWSLogs/111111111111/Config/us-east-1/2026/11/1/OversizedChangeNotification/x.json.gz",
                "errorCode": null, "errorMessage": null},
            "notificationCreationTime": "2026-11-01T01:36:35.000Z",
            "messageType": "OversizedConfigurationItemChangeNotification", "recordVersion": "1.0"}).to_string(),
        "ruleParameters": "{}",
        "resultToken": "token-3",
        "eventLeftScope": false,
        "configRuleArn": "arn:aws:config:us-east-1:111111111111:config-rule/config-rule-abc",
        "configRuleName": "secretsmanager-secret-tagged",
        "accountId": "111111111111"
    })
    .to_string()
}

#[test]
fn oversized_events_name_the_secret_in_their_summary() {
    let invocation = parse_event(&oversized_event("OK")).unwrap();
    assert_eq!(
        collection_for(&invocation, SECRET_TYPE),
        Collection::Secret(SECRET.into())
    );
    assert!(answer_from_event(&invocation, SECRET_TYPE, DateTime::UNIX_EPOCH).is_none());
    let deleted = parse_event(&oversized_event("ResourceDeletedNotRecorded")).unwrap();
    assert_eq!(collection_for(&deleted, SECRET_TYPE), Collection::Nothing);
}

#[test]
fn a_change_collects_one_secret_and_a_deleted_one_nothing() {
    let changed = parse_event(&change_event("OK", false)).unwrap();
    assert_eq!(
        collection_for(&changed, SECRET_TYPE),
        Collection::Secret(SECRET.into())
    );
    assert_eq!(
        collection_for(&parse_event(&scheduled_event()).unwrap(), SECRET_TYPE),
        Collection::Region
    );
    // A change of an IAM policy, for the rule that judges IAM policies: the region's secrets.
    assert_eq!(
        collection_for(&changed, "AWS::IAM::Policy"),
        Collection::Nothing,
        "a secret's change is not an IAM policy's"
    );
    for (status, left_scope, why) in [
        ("ResourceDeleted", false, "the resource was deleted"),
        (
            "ResourceDeletedNotRecorded",
            false,
            "the resource was deleted",
        ),
        ("OK", true, "the resource left the rule's scope"),
    ] {
        let invocation = parse_event(&change_event(status, left_scope)).unwrap();
        assert_eq!(
            collection_for(&invocation, SECRET_TYPE),
            Collection::Nothing
        );
        let answer = answer_from_event(&invocation, SECRET_TYPE, DateTime::UNIX_EPOCH).unwrap();
        assert_eq!(answer.compliance_type, ComplianceType::NotApplicable);
        assert_eq!(answer.resource_id, SECRET);
        assert_eq!(answer.annotation.as_deref(), Some(why));
    }
    let other = answer_from_event(&changed, "AWS::IAM::Policy", DateTime::UNIX_EPOCH).unwrap();
    assert_eq!(
        other.annotation.as_deref(),
        Some("the rule judges AWS::IAM::Policy, not AWS::SecretsManager::Secret")
    );
}

#[test]
fn a_change_is_reported_under_the_items_resource_id() {
    // Config names the resource `by-id`, our findings by ARN: the item's ARN joins them.
    let mut event: serde_json::Value = serde_json::from_str(&change_event("OK", false)).unwrap();
    let mut invoking: serde_json::Value =
        serde_json::from_str(event["invokingEvent"].as_str().unwrap()).unwrap();
    invoking["configurationItem"]["resourceId"] = json!("by-id");
    event["invokingEvent"] = json!(invoking.to_string());
    let event = event.to_string();
    let invocation = parse_event(&event).unwrap();
    assert!(
        matches!(&invocation.trigger, Trigger::Change { resource_id, .. } if resource_id == "by-id"),
        "{event}"
    );
    let planned = plan_evaluations(
        &invocation,
        vec![
            evaluation(SECRET, ComplianceType::NonCompliant),
            evaluation("other", ComplianceType::Compliant),
        ],
        &[],
        DateTime::UNIX_EPOCH,
    );
    assert_eq!(planned.len(), 1);
    assert_eq!(planned[0].resource_id, "by-id");
    assert_eq!(planned[0].compliance_type, ComplianceType::NonCompliant);
}

#[test]
fn a_change_that_could_not_be_judged_sends_nothing() {
    let invocation = parse_event(&change_event("OK", false)).unwrap();
    // The secret's data was not collected: the rule judged the region, not the secret.
    let unjudged = vec![evaluation("111111111111", ComplianceType::InsufficientData)];
    assert!(plan_evaluations(&invocation, unjudged, &[], DateTime::UNIX_EPOCH).is_empty());
    let insufficient = vec![evaluation(SECRET, ComplianceType::InsufficientData)];
    assert!(plan_evaluations(&invocation, insufficient, &[], DateTime::UNIX_EPOCH).is_empty());
    // Everything judged and the secret absent: it no longer exists.
    let gone = plan_evaluations(&invocation, Vec::new(), &[], DateTime::UNIX_EPOCH);
    assert_eq!(gone.len(), 1);
    assert_eq!(gone[0].compliance_type, ComplianceType::NotApplicable);
}
