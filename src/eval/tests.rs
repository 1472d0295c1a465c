//! Table-driven tests of the evaluator: every row of `docs/semantics.md` §1.5, the operator
//! families, principal matching, the layers, and the trace.

use std::sync::Arc;

use serde_json::{Value, json};

use super::*;
use crate::policy::{Policy, PolicyKind};

const SECRET: &str = "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-a1b2c3";
const USER: &str = "arn:aws:iam::111122223333:user/alice";
const ROLE: &str = "arn:aws:iam::111122223333:role/app";
const SESSION: &str = "arn:aws:sts::111122223333:assumed-role/app/s1";
const FEDERATED: &str = "arn:aws:sts::111122223333:federated-user/fed";
const ROOT: &str = "arn:aws:iam::111122223333:root";
const OTHER_USER: &str = "arn:aws:iam::444455556666:user/bob";
const OTHER_ROOT: &str = "arn:aws:iam::444455556666:root";

fn named(kind: PolicyKind, name: &str, doc: &Value) -> NamedPolicy {
    let policy = Policy::from_value(doc, kind).unwrap_or_else(|e| panic!("{name}: {e}"));
    NamedPolicy {
        name: name.to_owned(),
        policy: Arc::new(policy),
    }
}

/// Builds a set from `{"identity": [..], "resource": .., "boundary": .., "session": ..,
/// "scps": [[..]], "rcps": [[..]]}`.
fn set(spec: &Value) -> PolicySet {
    let one = |key: &str, kind| spec.get(key).map(|doc| named(kind, key, doc));
    let levels = |key: &str, kind| -> Vec<Vec<NamedPolicy>> {
        spec.get(key)
            .and_then(Value::as_array)
            .map(|levels| {
                levels
                    .iter()
                    .enumerate()
                    .map(|(i, level)| {
                        level
                            .as_array()
                            .unwrap()
                            .iter()
                            .enumerate()
                            .map(|(j, doc)| named(kind, &format!("{key}[{i}][{j}]"), doc))
                            .collect()
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    PolicySet {
        identity: spec
            .get("identity")
            .and_then(Value::as_array)
            .map(|docs| {
                docs.iter()
                    .enumerate()
                    .map(|(i, doc)| named(PolicyKind::Identity, &format!("identity[{i}]"), doc))
                    .collect()
            })
            .unwrap_or_default(),
        resource: one("resource", PolicyKind::Resource),
        boundary: one("boundary", PolicyKind::Boundary),
        session: one("session", PolicyKind::Session),
        scps: levels("scps", PolicyKind::Scp),
        rcps: levels("rcps", PolicyKind::Rcp),
    }
}

fn request(principal: &str, action: &str, resource: &str, context: &Value) -> Request {
    Request {
        principal: if principal == "anonymous" {
            Principal::Anonymous
        } else {
            Principal::parse(principal).unwrap()
        },
        action: action.to_owned(),
        resource: resource.to_owned(),
        resource_account: None,
        context: Context::from_json(context.as_object().unwrap()).unwrap(),
    }
}

fn allow(action: &str, resource: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]})
}

fn allow_if(condition: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*", "Condition": condition}]})
}

fn deny_if(condition: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "secretsmanager:GetSecretValue", "Resource": "*", "Condition": condition}]})
}

fn resource_policy(principal: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": principal, "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]})
}

fn check(name: &str, spec: &Value, principal: &str, context: &Value, want: Decision) {
    let set = set(spec);
    let req = request(principal, "secretsmanager:GetSecretValue", SECRET, context);
    let evaluation = evaluate(&set, &req);
    assert_eq!(evaluation.decision, want, "{name}: {evaluation:?}");
    assert_eq!(
        decide(&set, &req),
        want,
        "{name}: decide disagrees with evaluate"
    );
}

use Decision::{Allowed, ExplicitDeny, ImplicitDeny};

#[test]
fn condition_operator_table() {
    // (name, identity policy, context, decision)
    let table: Vec<(&str, Value, Value, Decision)> = vec![
        // §1.5 #1: negated operators on a missing key are true (the Deny applies)
        (
            "1 StringNotEquals missing",
            deny_if(json!({"StringNotEquals": {"aws:PrincipalTag/team": "a"}})),
            json!({}),
            ExplicitDeny,
        ),
        (
            "1 StringNotLike missing",
            deny_if(json!({"StringNotLike": {"aws:PrincipalTag/team": "a*"}})),
            json!({}),
            ExplicitDeny,
        ),
        (
            "1 ArnNotLike missing",
            deny_if(json!({"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/x"}})),
            json!({}),
            ExplicitDeny,
        ),
        (
            "1 NumericNotEquals missing",
            deny_if(json!({"NumericNotEquals": {"aws:MultiFactorAuthAge": 5}})),
            json!({}),
            ExplicitDeny,
        ),
        (
            "1 NotIpAddress missing",
            deny_if(json!({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}})),
            json!({}),
            ExplicitDeny,
        ),
        (
            "1 DateNotEquals missing",
            deny_if(json!({"DateNotEquals": {"aws:CurrentTime": "2020-01-01"}})),
            json!({}),
            ExplicitDeny,
        ),
        // §1.5 #2: positive operators on a missing key are false
        (
            "2 StringEquals missing",
            allow_if(json!({"StringEquals": {"aws:PrincipalTag/team": "a"}})),
            json!({}),
            ImplicitDeny,
        ),
        (
            "2 Bool missing",
            allow_if(json!({"Bool": {"aws:SecureTransport": "true"}})),
            json!({}),
            ImplicitDeny,
        ),
        (
            "2 IpAddress missing",
            allow_if(json!({"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}})),
            json!({}),
            ImplicitDeny,
        ),
        (
            "2 DateLessThan missing",
            allow_if(json!({"DateLessThan": {"aws:CurrentTime": "2100-01-01"}})),
            json!({}),
            ImplicitDeny,
        ),
        // §1.5 #3/#4: set operators on missing or empty keys
        (
            "3 ForAllValues missing",
            allow_if(json!({"ForAllValues:StringEquals": {"aws:TagKeys": ["a"]}})),
            json!({}),
            Allowed,
        ),
        (
            "3 ForAllValues empty",
            allow_if(json!({"ForAllValues:StringEquals": {"aws:TagKeys": ["a"]}})),
            json!({"aws:TagKeys": []}),
            Allowed,
        ),
        (
            "3 ForAllValues subset",
            allow_if(json!({"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}})),
            json!({"aws:TagKeys": ["a"]}),
            Allowed,
        ),
        (
            "3 ForAllValues not subset",
            allow_if(json!({"ForAllValues:StringEquals": {"aws:TagKeys": ["a"]}})),
            json!({"aws:TagKeys": ["a", "c"]}),
            ImplicitDeny,
        ),
        (
            "4 ForAnyValue missing",
            allow_if(json!({"ForAnyValue:StringEquals": {"aws:TagKeys": ["a"]}})),
            json!({}),
            ImplicitDeny,
        ),
        (
            "4 ForAnyValue empty",
            allow_if(json!({"ForAnyValue:StringEquals": {"aws:TagKeys": ["a"]}})),
            json!({"aws:TagKeys": []}),
            ImplicitDeny,
        ),
        (
            "4 ForAnyValue overlap",
            allow_if(json!({"ForAnyValue:StringEquals": {"aws:TagKeys": ["a"]}})),
            json!({"aws:TagKeys": ["c", "a"]}),
            Allowed,
        ),
        (
            "negated set: ForAllValues:StringNotLike missing denies",
            deny_if(json!({"ForAllValues:StringNotLike": {"aws:TagKeys": "key1*"}})),
            json!({}),
            ExplicitDeny,
        ),
        (
            "negated set: ForAllValues:StringNotLike all outside",
            deny_if(json!({"ForAllValues:StringNotLike": {"aws:TagKeys": "key1*"}})),
            json!({"aws:TagKeys": ["x", "y"]}),
            ExplicitDeny,
        ),
        (
            "negated set: ForAllValues:StringNotLike one inside",
            deny_if(json!({"ForAllValues:StringNotLike": {"aws:TagKeys": "key1*"}})),
            json!({"aws:TagKeys": ["x", "key1a"]}),
            Allowed,
        ),
        (
            "negated set: ForAnyValue:StringNotEquals one outside",
            deny_if(json!({"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["a"]}})),
            json!({"aws:TagKeys": ["a", "b"]}),
            ExplicitDeny,
        ),
        (
            "negated set: ForAnyValue:StringNotEquals all inside",
            deny_if(json!({"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["a"]}})),
            json!({"aws:TagKeys": ["a"]}),
            Allowed,
        ),
        // §1.5 #5: IfExists
        (
            "5 StringEqualsIfExists missing",
            allow_if(
                json!({"StringEqualsIfExists": {"secretsmanager:VersionStage": "AWSCURRENT"}}),
            ),
            json!({}),
            Allowed,
        ),
        (
            "5 StringEqualsIfExists present other",
            allow_if(
                json!({"StringEqualsIfExists": {"secretsmanager:VersionStage": "AWSCURRENT"}}),
            ),
            json!({"secretsmanager:VersionStage": "AWSPREVIOUS"}),
            ImplicitDeny,
        ),
        (
            "5 Deny StringNotEqualsIfExists missing",
            deny_if(
                json!({"StringNotEqualsIfExists": {"secretsmanager:VersionStage": "AWSCURRENT"}}),
            ),
            json!({}),
            ExplicitDeny,
        ),
        (
            "5 Deny StringNotEqualsIfExists equal",
            deny_if(
                json!({"StringNotEqualsIfExists": {"secretsmanager:VersionStage": "AWSCURRENT"}}),
            ),
            json!({"secretsmanager:VersionStage": "AWSCURRENT"}),
            Allowed,
        ),
        (
            "5 BoolIfExists missing",
            allow_if(json!({"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}})),
            json!({}),
            Allowed,
        ),
        // §1.5 #6: Null
        (
            "6 Null true absent",
            allow_if(json!({"Null": {"aws:TagKeys": "true"}})),
            json!({}),
            Allowed,
        ),
        (
            "6 Null true present",
            allow_if(json!({"Null": {"aws:TagKeys": "true"}})),
            json!({"aws:TagKeys": ["a"]}),
            ImplicitDeny,
        ),
        (
            "6 Null false present",
            allow_if(json!({"Null": {"aws:TagKeys": false}})),
            json!({"aws:TagKeys": ["a"]}),
            Allowed,
        ),
        (
            "6 Null false absent",
            allow_if(json!({"Null": {"aws:TagKeys": "false"}})),
            json!({}),
            ImplicitDeny,
        ),
        // §1.5 #7: Bool with JSON true
        (
            "7 Bool json true",
            allow_if(json!({"Bool": {"aws:SecureTransport": true}})),
            json!({"aws:SecureTransport": "true"}),
            Allowed,
        ),
        (
            "7 Bool string true vs json bool",
            allow_if(json!({"Bool": {"aws:SecureTransport": "true"}})),
            json!({"aws:SecureTransport": true}),
            Allowed,
        ),
        (
            "7 Bool false",
            allow_if(json!({"Bool": {"aws:SecureTransport": "true"}})),
            json!({"aws:SecureTransport": "false"}),
            ImplicitDeny,
        ),
        // §1.5 #8: negated operator with several values is NOR
        (
            "8 NOR matches one",
            allow_if(json!({"StringNotEquals": {"aws:PrincipalTag/team": ["a", "b"]}})),
            json!({"aws:PrincipalTag/team": "b"}),
            ImplicitDeny,
        ),
        (
            "8 NOR matches none",
            allow_if(json!({"StringNotEquals": {"aws:PrincipalTag/team": ["a", "b"]}})),
            json!({"aws:PrincipalTag/team": "c"}),
            Allowed,
        ),
        // §1.5 #9 / #10: ArnLike segment by segment, ArnEquals takes wildcards
        (
            "9 ArnLike no cross",
            allow_if(
                json!({"ArnLike": {"aws:SourceArn": "arn:aws:someservice:*:111122223333:finance/*"}}),
            ),
            json!({"aws:SourceArn": "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"}),
            ImplicitDeny,
        ),
        (
            "9 StringLike crosses",
            allow_if(
                json!({"StringLike": {"aws:SourceArn": "arn:aws:someservice:*:111122223333:finance/*"}}),
            ),
            json!({"aws:SourceArn": "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"}),
            Allowed,
        ),
        (
            "10 ArnEquals wildcard",
            allow_if(json!({"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::*:role/app"}})),
            json!({"aws:PrincipalArn": ROLE}),
            Allowed,
        ),
        (
            "ArnNotLike match",
            deny_if(json!({"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Admin-*"}})),
            json!({"aws:PrincipalArn": "arn:aws:iam::111122223333:role/Admin-x"}),
            Allowed,
        ),
        // §1.5 #11: StringEquals takes `*` literally
        (
            "11 StringEquals star literal",
            allow_if(json!({"StringEquals": {"aws:PrincipalTag/team": "prod*"}})),
            json!({"aws:PrincipalTag/team": "production"}),
            ImplicitDeny,
        ),
        (
            "11 StringEquals star exact",
            allow_if(json!({"StringEquals": {"aws:PrincipalTag/team": "prod*"}})),
            json!({"aws:PrincipalTag/team": "prod*"}),
            Allowed,
        ),
        // §1.5 #12: key names case-insensitive (tag key part too), values case-sensitive
        (
            "12 key case",
            allow_if(json!({"StringEquals": {"AWS:PrincipalTag/TEAM": "a"}})),
            json!({"aws:principaltag/team": "a"}),
            Allowed,
        ),
        (
            "12 value case",
            allow_if(json!({"StringEquals": {"aws:PrincipalTag/team": "A"}})),
            json!({"aws:PrincipalTag/team": "a"}),
            ImplicitDeny,
        ),
        (
            "StringEqualsIgnoreCase",
            allow_if(json!({"StringEqualsIgnoreCase": {"aws:PrincipalTag/team": "A"}})),
            json!({"aws:PrincipalTag/team": "a"}),
            Allowed,
        ),
        (
            "StringNotEqualsIgnoreCase",
            allow_if(json!({"StringNotEqualsIgnoreCase": {"aws:PrincipalTag/team": "A"}})),
            json!({"aws:PrincipalTag/team": "a"}),
            ImplicitDeny,
        ),
        (
            "StringLike ?",
            allow_if(json!({"StringLike": {"aws:PrincipalTag/team": "t?am"}})),
            json!({"aws:PrincipalTag/team": "team"}),
            Allowed,
        ),
        // numeric
        (
            "NumericLessThan",
            allow_if(json!({"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}})),
            json!({"aws:MultiFactorAuthAge": 100}),
            Allowed,
        ),
        (
            "NumericLessThan equal",
            allow_if(json!({"NumericLessThan": {"aws:MultiFactorAuthAge": 3600}})),
            json!({"aws:MultiFactorAuthAge": "3600"}),
            ImplicitDeny,
        ),
        (
            "NumericLessThanEquals equal",
            allow_if(json!({"NumericLessThanEquals": {"aws:MultiFactorAuthAge": 3600}})),
            json!({"aws:MultiFactorAuthAge": "3600"}),
            Allowed,
        ),
        (
            "NumericGreaterThan",
            allow_if(json!({"NumericGreaterThan": {"secretsmanager:RecoveryWindowInDays": 7}})),
            json!({"secretsmanager:RecoveryWindowInDays": 30}),
            Allowed,
        ),
        (
            "NumericGreaterThanEquals",
            allow_if(
                json!({"NumericGreaterThanEquals": {"secretsmanager:RecoveryWindowInDays": 7.5}}),
            ),
            json!({"secretsmanager:RecoveryWindowInDays": 7}),
            ImplicitDeny,
        ),
        (
            "NumericEquals decimal",
            allow_if(json!({"NumericEquals": {"k": "1.50"}})),
            json!({"k": 1.5}),
            Allowed,
        ),
        (
            "NumericEquals text value",
            allow_if(json!({"NumericEquals": {"k": "1"}})),
            json!({"k": "one"}),
            ImplicitDeny,
        ),
        // dates
        (
            "DateGreaterThan iso",
            allow_if(json!({"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}})),
            json!({"aws:CurrentTime": "2020-06-01T12:00:00Z"}),
            Allowed,
        ),
        (
            "DateLessThan epoch",
            allow_if(json!({"DateLessThan": {"aws:EpochTime": "1600000000"}})),
            json!({"aws:EpochTime": 1500000000}),
            Allowed,
        ),
        (
            "DateEquals zones",
            allow_if(json!({"DateEquals": {"aws:CurrentTime": "2020-01-01T01:00:00+01:00"}})),
            json!({"aws:CurrentTime": "2020-01-01T00:00:00Z"}),
            Allowed,
        ),
        (
            "DateLessThanEquals later",
            allow_if(json!({"DateLessThanEquals": {"aws:CurrentTime": "2020-01-01"}})),
            json!({"aws:CurrentTime": "2020-01-02"}),
            ImplicitDeny,
        ),
        // binary, ip
        (
            "BinaryEquals",
            allow_if(json!({"BinaryEquals": {"k": "QmluYXJ5VmFsdWU="}})),
            json!({"k": "QmluYXJ5VmFsdWU="}),
            Allowed,
        ),
        (
            "BinaryEquals differs",
            allow_if(json!({"BinaryEquals": {"k": "QmluYXJ5VmFsdWU="}})),
            json!({"k": "QmluYXJ5"}),
            ImplicitDeny,
        ),
        (
            "IpAddress in",
            allow_if(json!({"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:DB8::/32"]}})),
            json!({"aws:SourceIp": "2001:db8::5"}),
            Allowed,
        ),
        (
            "IpAddress out",
            allow_if(json!({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})),
            json!({"aws:SourceIp": "198.51.100.1"}),
            ImplicitDeny,
        ),
        (
            "NotIpAddress out",
            deny_if(json!({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}})),
            json!({"aws:SourceIp": "198.51.100.1"}),
            ExplicitDeny,
        ),
        // several operators AND, several keys AND
        (
            "AND keys",
            allow_if(json!({"StringEquals": {"a": "1", "b": "2"}})),
            json!({"a": "1", "b": "3"}),
            ImplicitDeny,
        ),
        (
            "AND operators",
            allow_if(json!({"StringEquals": {"a": "1"}, "Bool": {"b": "true"}})),
            json!({"a": "1", "b": "true"}),
            Allowed,
        ),
        // a multivalued key without a set operator: any request value
        (
            "multi without qualifier",
            allow_if(json!({"StringEquals": {"secretsmanager:VersionStage": "AWSCURRENT"}})),
            json!({"secretsmanager:VersionStage": ["AWSPENDING", "AWSCURRENT"]}),
            Allowed,
        ),
    ];
    for (name, identity, context, want) in table {
        check(name, &json!({"identity": [identity]}), ROLE, &context, want);
    }
}

#[test]
fn action_and_resource_table() {
    let table: Vec<(&str, Value, &str, &str, Decision)> = vec![
        // §1.5 #13: action case-insensitive
        (
            "13 action case",
            allow("SecretsManager:getsecretVALUE", SECRET),
            "secretsmanager:GetSecretValue",
            SECRET,
            Allowed,
        ),
        (
            "action wildcard",
            allow("secretsmanager:Get*", SECRET),
            "secretsmanager:GetSecretValue",
            SECRET,
            Allowed,
        ),
        (
            "action wildcard other",
            allow("secretsmanager:Get*", SECRET),
            "secretsmanager:PutSecretValue",
            SECRET,
            ImplicitDeny,
        ),
        (
            "action star",
            allow("*", SECRET),
            "kms:Decrypt",
            SECRET,
            Allowed,
        ),
        (
            "action middle wildcard",
            allow("iam:*AccessKey*", "*"),
            "iam:ListAccessKeys",
            "*",
            Allowed,
        ),
        (
            "action service wildcard",
            allow("secrets*:Describe*", "*"),
            "secretsmanager:DescribeSecret",
            "*",
            Allowed,
        ),
        // §1.5 #14: resource case-sensitive
        (
            "14 resource case",
            allow(
                "*",
                "arn:aws:secretsmanager:us-east-1:111122223333:secret:Prod/db-a1b2c3",
            ),
            "secretsmanager:GetSecretValue",
            SECRET,
            ImplicitDeny,
        ),
        // §1.5 #15: the six-character suffix
        (
            "15 ??????",
            allow(
                "*",
                "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-??????",
            ),
            "secretsmanager:GetSecretValue",
            SECRET,
            Allowed,
        ),
        (
            "15 ?????? longer name",
            allow(
                "*",
                "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-??????",
            ),
            "secretsmanager:GetSecretValue",
            "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-admin-a1b2c3",
            ImplicitDeny,
        ),
        (
            "15 * longer name",
            allow(
                "*",
                "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-*",
            ),
            "secretsmanager:GetSecretValue",
            "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-admin-a1b2c3",
            Allowed,
        ),
        // §1.5 #16: a segment's trailing `*` crosses `:`
        (
            "16 trailing star crosses",
            allow("*", "arn:aws:secretsmanager:*"),
            "secretsmanager:GetSecretValue",
            SECRET,
            Allowed,
        ),
        (
            "16 account star",
            allow("*", "arn:aws:secretsmanager:us-east-1:111122223333:*"),
            "secretsmanager:GetSecretValue",
            SECRET,
            Allowed,
        ),
        (
            "inner star does not cross",
            allow(
                "*",
                "arn:aws:secretsmanager:us-*-1:111122223333:secret:prod/db-a1b2c3",
            ),
            "secretsmanager:GetSecretValue",
            SECRET,
            Allowed,
        ),
        (
            "other region",
            allow(
                "*",
                "arn:aws:secretsmanager:eu-west-1:111122223333:secret:*",
            ),
            "secretsmanager:GetSecretValue",
            SECRET,
            ImplicitDeny,
        ),
        (
            "list needs *",
            allow(
                "secretsmanager:ListSecrets",
                "arn:aws:secretsmanager:*:111122223333:secret:*",
            ),
            "secretsmanager:ListSecrets",
            "*",
            ImplicitDeny,
        ),
        (
            "list with *",
            allow("secretsmanager:ListSecrets", "*"),
            "secretsmanager:ListSecrets",
            "*",
            Allowed,
        ),
    ];
    for (name, identity, action, resource, want) in table {
        let set = set(&json!({"identity": [identity]}));
        let req = request(ROLE, action, resource, &json!({}));
        assert_eq!(evaluate(&set, &req).decision, want, "{name}");
        assert_eq!(decide(&set, &req), want, "{name} (decide)");
    }
}

#[test]
fn not_action_and_not_resource() {
    let doc = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "NotAction": ["secretsmanager:DeleteSecret", "iam:*"], "Resource": "*"}]});
    let s = set(&json!({"identity": [doc]}));
    let d = |action: &str| decide(&s, &request(ROLE, action, SECRET, &json!({})));
    assert_eq!(d("secretsmanager:GetSecretValue"), Allowed);
    assert_eq!(
        d("s3:GetObject"),
        Allowed,
        "NotAction + Allow also allows other services"
    );
    assert_eq!(d("secretsmanager:deletesecret"), ImplicitDeny);
    assert_eq!(d("iam:CreateUser"), ImplicitDeny);

    let doc = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "secretsmanager:*", "NotResource": "arn:aws:secretsmanager:*:*:secret:prod/*"}]});
    let s = set(&json!({"identity": [doc]}));
    let d = |resource: &str| {
        decide(
            &s,
            &request(ROLE, "secretsmanager:GetSecretValue", resource, &json!({})),
        )
    };
    assert_eq!(d(SECRET), Allowed);
    assert_eq!(
        d("arn:aws:secretsmanager:us-east-1:111122223333:secret:dev/x-a1b2c3"),
        ExplicitDeny
    );
}

#[test]
fn variables_table() {
    let with_resource = |version: &str, resource: &str| json!({"Version": version, "Statement": [{"Effect": "Allow", "Action": "*", "Resource": resource}]});
    let home = "arn:aws:secretsmanager:us-east-1:111122223333:secret:home/alice/x-a1b2c3";
    let table: Vec<(&str, Value, &str, Value, Decision)> = vec![
        (
            "variable in resource",
            with_resource(
                "2012-10-17",
                "arn:aws:secretsmanager:*:*:secret:home/${aws:username}/*",
            ),
            home,
            json!({"aws:username": "alice"}),
            Allowed,
        ),
        (
            "variable other user",
            with_resource(
                "2012-10-17",
                "arn:aws:secretsmanager:*:*:secret:home/${aws:username}/*",
            ),
            home,
            json!({"aws:username": "bob"}),
            ImplicitDeny,
        ),
        // §1.5 #26: no value: the Resource matches nothing
        (
            "26 missing variable",
            with_resource(
                "2012-10-17",
                "arn:aws:secretsmanager:*:*:secret:home/${aws:username}*",
            ),
            home,
            json!({}),
            ImplicitDeny,
        ),
        // §1.5 #28: default, escapes
        (
            "28 default",
            with_resource(
                "2012-10-17",
                "arn:aws:secretsmanager:*:*:secret:home/${aws:username, 'alice'}/*",
            ),
            home,
            json!({}),
            Allowed,
        ),
        (
            "28 ${*} is literal",
            with_resource("2012-10-17", "arn:aws:secretsmanager:*:*:secret:home/${*}"),
            "arn:aws:secretsmanager:us-east-1:111122223333:secret:home/*",
            json!({}),
            Allowed,
        ),
        (
            "28 ${*} is not a wildcard",
            with_resource("2012-10-17", "arn:aws:secretsmanager:*:*:secret:home/${*}"),
            home,
            json!({}),
            ImplicitDeny,
        ),
        // §1.5 #29: 2008-10-17 or no Version: literal text
        (
            "29 old version literal",
            with_resource(
                "2008-10-17",
                "arn:aws:secretsmanager:*:*:secret:home/${aws:username}/*",
            ),
            home,
            json!({"aws:username": "alice"}),
            ImplicitDeny,
        ),
        (
            "29 old version literal matches itself",
            with_resource(
                "2008-10-17",
                "arn:aws:secretsmanager:*:*:secret:home/${aws:username}/*",
            ),
            "arn:aws:secretsmanager:us-east-1:111122223333:secret:home/${aws:username}/x",
            json!({"aws:username": "alice"}),
            Allowed,
        ),
        (
            "variable is not multivalued",
            with_resource(
                "2012-10-17",
                "arn:aws:secretsmanager:*:*:secret:home/${aws:username}/*",
            ),
            home,
            json!({"aws:username": ["alice"]}),
            ImplicitDeny,
        ),
    ];
    for (name, identity, resource, context, want) in table {
        let set = set(&json!({"identity": [identity]}));
        let req = request(USER, "secretsmanager:GetSecretValue", resource, &context);
        assert_eq!(evaluate(&set, &req).decision, want, "{name}");
        assert_eq!(decide(&set, &req), want, "{name} (decide)");
    }
    // in condition values
    let team = json!({"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}});
    check(
        "variable in condition",
        &json!({"identity": [allow_if(team.clone())]}),
        ROLE,
        &json!({"aws:ResourceTag/team": "a", "aws:PrincipalTag/team": "a"}),
        Allowed,
    );
    check(
        "variable in condition differs",
        &json!({"identity": [allow_if(team.clone())]}),
        ROLE,
        &json!({"aws:ResourceTag/team": "a", "aws:PrincipalTag/team": "b"}),
        ImplicitDeny,
    );
    check(
        "variable missing positive",
        &json!({"identity": [allow_if(team)]}),
        ROLE,
        &json!({"aws:ResourceTag/team": "a"}),
        ImplicitDeny,
    );
    // §1.5 #27: negated operator against a variable with no value is true
    let not_team = json!({"StringNotEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}});
    check(
        "27 negated missing variable",
        &json!({"identity": [deny_if(not_team)]}),
        ROLE,
        &json!({"aws:ResourceTag/team": "a"}),
        ExplicitDeny,
    );
    let like = json!({"StringLike": {"k": "${aws:PrincipalTag/x}*"}});
    check(
        "variable value is literal in Like",
        &json!({"identity": [allow_if(like)]}),
        ROLE,
        &json!({"k": "a?b-suffix", "aws:PrincipalTag/x": "a?b"}),
        Allowed,
    );
    let like = json!({"StringLike": {"k": "${aws:PrincipalTag/x}*"}});
    check(
        "variable ? is not a wildcard",
        &json!({"identity": [allow_if(like)]}),
        ROLE,
        &json!({"k": "axb-suffix", "aws:PrincipalTag/x": "a?b"}),
        ImplicitDeny,
    );
}

#[test]
fn same_account_resource_policy_grants() {
    let boundary_other = allow("s3:*", "*");
    let session_other = allow("s3:*", "*");
    let rp = resource_policy;
    // (name, spec, principal, decision)
    let table: Vec<(&str, Value, &str, Decision)> = vec![
        (
            "user named, identity silent",
            json!({"resource": rp(json!({"AWS": USER}))}),
            USER,
            Allowed,
        ),
        // §1.5 #19
        (
            "19 user named, boundary silent",
            json!({"resource": rp(json!({"AWS": USER})), "boundary": boundary_other}),
            USER,
            Allowed,
        ),
        (
            "19 session named, boundary silent",
            json!({"resource": rp(json!({"AWS": SESSION})), "boundary": boundary_other}),
            SESSION,
            Allowed,
        ),
        (
            "role named, identity silent",
            json!({"resource": rp(json!({"AWS": ROLE}))}),
            SESSION,
            Allowed,
        ),
        // §1.5 #20
        (
            "20 role named, boundary silent",
            json!({"resource": rp(json!({"AWS": ROLE})), "boundary": boundary_other}),
            SESSION,
            ImplicitDeny,
        ),
        (
            "20 role named, session policy silent",
            json!({"resource": rp(json!({"AWS": ROLE})), "session": session_other}),
            SESSION,
            ImplicitDeny,
        ),
        (
            "role named, boundary allows",
            json!({"resource": rp(json!({"AWS": ROLE})), "boundary": allow("secretsmanager:*", "*")}),
            SESSION,
            Allowed,
        ),
        (
            "role named, role caller",
            json!({"resource": rp(json!({"AWS": ROLE}))}),
            ROLE,
            Allowed,
        ),
        (
            "role named, other role's session",
            json!({"resource": rp(json!({"AWS": ROLE}))}),
            "arn:aws:sts::111122223333:assumed-role/other/s1",
            ImplicitDeny,
        ),
        // §1.5 #21
        (
            "21 session named, session policy silent",
            json!({"resource": rp(json!({"AWS": SESSION})), "session": session_other}),
            SESSION,
            Allowed,
        ),
        (
            "session named, other session",
            json!({"resource": rp(json!({"AWS": SESSION}))}),
            "arn:aws:sts::111122223333:assumed-role/app/s2",
            ImplicitDeny,
        ),
        (
            "federated named, no session policy",
            json!({"resource": rp(json!({"AWS": FEDERATED}))}),
            FEDERATED,
            Allowed,
        ),
        (
            "federated named, session policy silent",
            json!({"resource": rp(json!({"AWS": FEDERATED})), "session": session_other}),
            FEDERATED,
            Allowed,
        ),
        // §1.5 #22
        (
            "star, AWS star form",
            json!({"resource": rp(json!({"AWS": "*"}))}),
            USER,
            Allowed,
        ),
        // the account delegates to IAM
        (
            "account named, identity silent",
            json!({"resource": rp(json!({"AWS": "111122223333"}))}),
            USER,
            ImplicitDeny,
        ),
        (
            "account root arn named, identity silent",
            json!({"resource": rp(json!({"AWS": ROOT}))}),
            USER,
            ImplicitDeny,
        ),
        (
            "account named, identity allows",
            json!({"resource": rp(json!({"AWS": "111122223333"})), "identity": [allow("secretsmanager:*", "*")]}),
            USER,
            Allowed,
        ),
        (
            "identity only",
            json!({"identity": [allow("secretsmanager:*", "*")]}),
            USER,
            Allowed,
        ),
        (
            "identity, boundary silent",
            json!({"identity": [allow("secretsmanager:*", "*")], "boundary": boundary_other}),
            USER,
            ImplicitDeny,
        ),
        (
            "identity, boundary allows",
            json!({"identity": [allow("secretsmanager:*", "*")], "boundary": allow("*", "*")}),
            USER,
            Allowed,
        ),
        (
            "identity, session policy silent",
            json!({"identity": [allow("secretsmanager:*", "*")], "session": session_other}),
            SESSION,
            ImplicitDeny,
        ),
        (
            "identity, session policy allows",
            json!({"identity": [allow("secretsmanager:*", "*")], "session": allow("*", "*")}),
            SESSION,
            Allowed,
        ),
        // §1.5 #30
        (
            "30 federated without session policy",
            json!({"identity": [allow("secretsmanager:*", "*")]}),
            FEDERATED,
            ImplicitDeny,
        ),
        (
            "federated with session policy",
            json!({"identity": [allow("secretsmanager:*", "*")], "session": allow("*", "*")}),
            FEDERATED,
            Allowed,
        ),
        ("nothing", json!({}), USER, ImplicitDeny),
        (
            "service principal is not a caller",
            json!({"resource": rp(json!({"Service": "lambda.amazonaws.com"}))}),
            USER,
            ImplicitDeny,
        ),
        (
            "user arn is exact",
            json!({"resource": rp(json!({"AWS": "arn:aws:iam::111122223333:user/Alice"}))}),
            USER,
            ImplicitDeny,
        ),
        // §1.5 #31: Resource "*" in a secret's policy is the secret
        (
            "31 resource star",
            json!({"resource": rp(json!({"AWS": USER}))}),
            USER,
            Allowed,
        ),
        // root
        ("root, nothing attached", json!({}), ROOT, Allowed),
        (
            "root, explicit deny",
            json!({"resource": {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}]}}),
            ROOT,
            ExplicitDeny,
        ),
        (
            "root, scp without allow",
            json!({"scps": [[allow("s3:*", "*")]]}),
            ROOT,
            ImplicitDeny,
        ),
    ];
    for (name, spec, principal, want) in table {
        check(name, &spec, principal, &json!({}), want);
    }
    // §1.5 #22
    let spec = json!({"resource": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "secretsmanager:GetSecretValue", "Resource": "*", "Condition": {"ArnEquals": {"aws:PrincipalArn": ROLE}}}]}, "boundary": boundary_other, "session": session_other});
    check(
        "22 star with PrincipalArn",
        &spec,
        SESSION,
        &json!({"aws:PrincipalArn": ROLE}),
        Allowed,
    );
    check(
        "22 star with PrincipalArn, other",
        &spec,
        SESSION,
        &json!({"aws:PrincipalArn": USER}),
        ImplicitDeny,
    );
}

#[test]
fn cross_account_and_anonymous() {
    let rp = resource_policy;
    let identity = allow("secretsmanager:*", "*");
    let table: Vec<(&str, Value, &str, Decision)> = vec![
        // §1.5 #18
        (
            "18 resource side only",
            json!({"resource": rp(json!({"AWS": OTHER_USER}))}),
            OTHER_USER,
            ImplicitDeny,
        ),
        (
            "18 identity side only",
            json!({"identity": [identity.clone()]}),
            OTHER_USER,
            ImplicitDeny,
        ),
        (
            "both sides",
            json!({"resource": rp(json!({"AWS": OTHER_USER})), "identity": [identity.clone()]}),
            OTHER_USER,
            Allowed,
        ),
        (
            "both sides via account",
            json!({"resource": rp(json!({"AWS": "444455556666"})), "identity": [identity.clone()]}),
            OTHER_USER,
            Allowed,
        ),
        (
            "both sides via star",
            json!({"resource": rp(json!("*")), "identity": [identity.clone()]}),
            OTHER_USER,
            Allowed,
        ),
        (
            "other account named",
            json!({"resource": rp(json!({"AWS": "999999999999"})), "identity": [identity.clone()]}),
            OTHER_USER,
            ImplicitDeny,
        ),
        (
            "boundary still applies",
            json!({"resource": rp(json!({"AWS": OTHER_USER})), "identity": [identity.clone()], "boundary": allow("s3:*", "*")}),
            OTHER_USER,
            ImplicitDeny,
        ),
        (
            "other root, account named",
            json!({"resource": rp(json!({"AWS": "444455556666"}))}),
            OTHER_ROOT,
            Allowed,
        ),
        ("other root, not named", json!({}), OTHER_ROOT, ImplicitDeny),
        (
            "anonymous, star",
            json!({"resource": rp(json!("*"))}),
            "anonymous",
            Allowed,
        ),
        (
            "anonymous, account",
            json!({"resource": rp(json!({"AWS": "111122223333"}))}),
            "anonymous",
            ImplicitDeny,
        ),
        (
            "anonymous, identity ignored",
            json!({"identity": [identity]}),
            "anonymous",
            ImplicitDeny,
        ),
    ];
    for (name, spec, principal, want) in table {
        check(name, &spec, principal, &json!({}), want);
    }
    // resource_account overrides the ARN's account
    let s = set(&json!({"resource": rp(json!({"AWS": USER}))}));
    let mut req = request(USER, "secretsmanager:GetSecretValue", SECRET, &json!({}));
    req.resource_account = Some("444455556666".to_owned());
    assert_eq!(decide(&s, &req), ImplicitDeny);
}

#[test]
fn explicit_deny_in_every_layer() {
    let deny_all = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]});
    let deny_all_principal = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}]});
    let allow_all = allow("*", "*");
    let allow_all_principal = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]});
    let base = |key: &str, value: Value| {
        let mut spec = json!({
            "identity": [allow_all.clone()],
            "resource": allow_all_principal.clone(),
            "boundary": allow_all.clone(),
            "session": allow_all.clone(),
            "scps": [[allow_all.clone()]],
            "rcps": [[allow_all_principal.clone()]],
        });
        spec[key] = value;
        spec
    };
    check(
        "17 all allow",
        &base("identity", json!([allow_all.clone()])),
        SESSION,
        &json!({}),
        Allowed,
    );
    // §1.5 #17
    for (key, value) in [
        ("identity", json!([allow_all.clone(), deny_all.clone()])),
        ("resource", deny_all_principal.clone()),
        ("boundary", deny_all.clone()),
        ("session", deny_all.clone()),
        (
            "scps",
            json!([[allow_all.clone()], [allow_all.clone(), deny_all.clone()]]),
        ),
        ("rcps", json!([[deny_all_principal.clone()]])),
    ] {
        let spec = base(key, value);
        check(
            &format!("17 deny in {key}"),
            &spec,
            SESSION,
            &json!({}),
            ExplicitDeny,
        );
        let e = evaluate(
            &set(&spec),
            &request(SESSION, "secretsmanager:GetSecretValue", SECRET, &json!({})),
        );
        assert_eq!(e.denied_by.len(), 1, "{key}: {e:?}");
    }
    // §1.5 #25: an SCP level without an Allow
    let spec = base("scps", json!([[allow_all.clone()], [allow("s3:*", "*")]]));
    check(
        "25 scp level without allow",
        &spec,
        SESSION,
        &json!({}),
        ImplicitDeny,
    );
    let e = evaluate(
        &set(&spec),
        &request(SESSION, "secretsmanager:GetSecretValue", SECRET, &json!({})),
    );
    assert_eq!(e.blocked_by, Some(Layer::Scp));
    let spec = base("rcps", json!([[allow_all_principal.clone()], []]));
    // Every RCP level holds RCPFullAWSAccess: a level without an Allow does not deny.
    check("rcp level empty", &spec, SESSION, &json!({}), Allowed);
    // an SCP also limits a resource-policy grant
    check(
        "scp limits resource grant",
        &json!({"resource": resource_policy(json!({"AWS": USER})), "scps": [[allow("s3:*", "*")]]}),
        USER,
        &json!({}),
        ImplicitDeny,
    );
}

#[test]
fn not_principal_corners() {
    let deny_except = |list: Value| {
        json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "NotPrincipal": {"AWS": list}, "Action": "*", "Resource": "*"}]})
    };
    let bob = "arn:aws:iam::111122223333:user/bob";
    let table: Vec<(&str, Value, &str, Decision)> = vec![
        (
            "listed user with account",
            json!({"resource": deny_except(json!([bob, ROOT]))}),
            bob,
            Allowed,
        ),
        // §1.5 #24
        (
            "24 other user of the listed account",
            json!({"resource": deny_except(json!([bob, ROOT]))}),
            USER,
            ExplicitDeny,
        ),
        (
            "listed user without account",
            json!({"resource": deny_except(json!([bob]))}),
            bob,
            ExplicitDeny,
        ),
        // §1.5 #23
        (
            "23 listed, but with a boundary",
            json!({"resource": deny_except(json!([bob, ROOT])), "boundary": allow("*", "*")}),
            bob,
            ExplicitDeny,
        ),
        (
            "session: session, role, account listed",
            json!({"resource": deny_except(json!([SESSION, ROLE, ROOT]))}),
            SESSION,
            Allowed,
        ),
        (
            "session: role and account only",
            json!({"resource": deny_except(json!([ROLE, ROOT]))}),
            SESSION,
            ExplicitDeny,
        ),
        (
            "session: session and account only",
            json!({"resource": deny_except(json!([SESSION, ROOT]))}),
            SESSION,
            ExplicitDeny,
        ),
        (
            "root: account listed",
            json!({"resource": deny_except(json!([ROOT]))}),
            ROOT,
            Allowed,
        ),
        (
            "anonymous never listed",
            json!({"resource": deny_except(json!([ROOT]))}),
            "anonymous",
            ExplicitDeny,
        ),
    ];
    for (name, spec, principal, want) in table {
        check(name, &spec, principal, &json!({}), want);
    }
}

#[test]
fn trace_names_statements_layers_and_missing_keys() {
    let identity = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "Read", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*",
         "Condition": {"StringEquals": {"aws:ResourceTag/Env": "prod"}}},
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Sid": "Mfa", "Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*",
         "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]});
    let s = set(&json!({"identity": [identity], "boundary": allow("s3:*", "*")}));
    let req = request(
        ROLE,
        "secretsmanager:GetSecretValue",
        SECRET,
        &json!({"aws:resourcetag/env": "prod"}),
    );
    let e = evaluate(&s, &req);
    assert_eq!(e.decision, ImplicitDeny);
    assert_eq!(e.blocked_by, Some(Layer::Boundary));
    assert_eq!(
        e.allowed_by,
        vec![StatementRef {
            layer: Layer::Identity,
            policy: "identity[0]".to_owned(),
            index: 0,
            sid: Some("Read".to_owned()),
        }]
    );
    assert_eq!(
        e.missing_keys,
        vec!["aws:MultiFactorAuthPresent".to_owned()]
    );
    assert!(e.denied_by.is_empty());
    assert!(e.unsettled_keys.is_empty());
}

#[test]
fn unknown_values_give_the_most_permissive_outcome() {
    let identity = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]});
    let s = set(&json!({"identity": [identity]}));
    let mut req = request(ROLE, "secretsmanager:GetSecretValue", SECRET, &json!({}));
    req.context.insert("aws:SourceIp", ContextValue::Unknown);
    let e = evaluate(&s, &req);
    assert_eq!(e.decision, Allowed);
    assert_eq!(e.unsettled_keys, vec!["aws:SourceIp".to_owned()]);
    assert_eq!(decide(&s, &req), Allowed);

    // an unknown key that cannot change the outcome is settled
    let s = set(
        &json!({"identity": [allow_if(json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}}))], "boundary": allow("s3:*", "*")}),
    );
    let mut req = request(ROLE, "secretsmanager:GetSecretValue", SECRET, &json!({}));
    req.context
        .insert("aws:MultiFactorAuthPresent", ContextValue::Unknown);
    let e = evaluate(&s, &req);
    assert_eq!(e.decision, ImplicitDeny);
    assert!(e.unsettled_keys.is_empty());

    // unknown in an Allow
    let s = set(
        &json!({"identity": [allow_if(json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}}))]}),
    );
    let e = evaluate(&s, &req);
    assert_eq!(e.decision, Allowed);
    assert_eq!(
        e.unsettled_keys,
        vec!["aws:MultiFactorAuthPresent".to_owned()]
    );
}

#[test]
fn principals_parse() {
    for (text, kind) in [
        (USER, PrincipalType::User),
        (
            "arn:aws:iam::111122223333:user/path/to/alice",
            PrincipalType::User,
        ),
        (ROLE, PrincipalType::Role),
        (SESSION, PrincipalType::AssumedRole),
        (FEDERATED, PrincipalType::FederatedUser),
        (ROOT, PrincipalType::Root),
        ("arn:aws-cn:iam::111122223333:root", PrincipalType::Root),
    ] {
        let Principal::Arn(arn) = Principal::parse(text).unwrap() else {
            panic!("{text}");
        };
        assert_eq!(arn.kind(), kind, "{text}");
        assert_eq!(arn.account(), "111122223333");
    }
    let Principal::Arn(path_user) =
        Principal::parse("arn:aws:iam::111122223333:user/path/to/alice").unwrap()
    else {
        panic!()
    };
    assert_eq!(path_user.name(), "alice");
    for bad in [
        "",
        "alice",
        "arn:aws:iam::1111:user/alice",
        "arn:aws:iam::111122223333:group/g",
        "arn:aws:iam::111122223333:user/",
        "arn:aws:sts::111122223333:assumed-role/app",
        "arn:aws:iam:us-east-1:111122223333:user/alice",
        "arn:aws:s3:::bucket",
        "arn:aws:iam::111122223333:user/*",
    ] {
        let err = Principal::parse(bad).unwrap_err();
        assert!(
            err.to_string().starts_with("invalid principal `"),
            "{bad}: {err}"
        );
    }
}

#[test]
fn context_from_json() {
    let ctx = Context::from_json(
        json!({"A:B": "x", "n": 1, "b": true, "l": ["a", 2]})
            .as_object()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(ctx.get("a:b"), Some(&ContextValue::String("x".to_owned())));
    assert_eq!(ctx.get("N"), Some(&ContextValue::Number(1.0)));
    assert_eq!(ctx.len(), 4);
    for bad in [
        json!({"k": null}),
        json!({"k": {"x": 1}}),
        json!({"k": [[1]]}),
    ] {
        let err = Context::from_json(bad.as_object().unwrap()).unwrap_err();
        assert!(err.to_string().starts_with("context key `k`: "), "{err}");
    }
}

/// `decide` (short-circuits, skips settled allows) and `evaluate` (full trace) agree on every
/// combination of a pool of policies and requests.
#[test]
fn decide_agrees_with_evaluate() {
    let identities = [
        allow("secretsmanager:*", "*"),
        allow(
            "secretsmanager:Get*",
            "arn:aws:secretsmanager:*:111122223333:secret:prod/*",
        ),
        deny_if(json!({"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}})),
        allow_if(
            json!({"ForAnyValue:StringEquals": {"secretsmanager:VersionStage": ["AWSCURRENT"]}}),
        ),
        json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}},
            {"Effect": "Deny", "Action": "secretsmanager:Delete*", "Resource": "*"}]}),
        json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "arn:aws:secretsmanager:*:111122223333:secret:${aws:PrincipalTag/team}/*"},
            {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"StringNotEqualsIfExists": {"aws:ResourceTag/owner": "${aws:PrincipalTag/team}"}}}]}),
    ];
    const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const TARGET_ROLE: &str = "arn:aws:iam::111122223333:role/Target";
    const SAML: &str = "arn:aws:iam::111122223333:saml-provider/ExampleOrgSSO";
    let resources = [
        None,
        Some(resource_policy(json!({"AWS": ROLE}))),
        Some(resource_policy(json!("*"))),
        Some(
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:PrincipalAccount": "111122223333"}}}]}),
        ),
        // A default key policy with a key-user statement and a conditional Deny.
        Some(json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
            {"Effect": "Allow", "Principal": {"AWS": [USER, OTHER_USER]}, "Action": ["kms:Decrypt", "sts:AssumeRole"], "Resource": "*"},
            {"Effect": "Deny", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*",
             "Condition": {"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}}}]})),
        // A trust policy: a role, another account, a SAML provider; legacy Allow + NotPrincipal.
        Some(json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": [ROLE, "444455556666"]}, "Action": ["sts:AssumeRole", "sts:TagSession"]},
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"},
            {"Effect": "Allow", "Principal": {"Federated": SAML}, "Action": "sts:AssumeRoleWithSAML",
             "Condition": {"Bool": {"aws:SecureTransport": "true"}}},
            {"Effect": "Allow", "NotPrincipal": {"AWS": [USER, "111122223333"]}, "Action": "secretsmanager:Get*", "Resource": "*"}]})),
    ];
    let boundaries = [
        None,
        Some(allow("secretsmanager:Describe*", "*")),
        Some(allow("*", "*")),
    ];
    let scps = [
        json!([]),
        json!([[allow("*", "*")], [allow("secretsmanager:*", "*")]]),
        json!([[allow("s3:*", "*")]]),
    ];
    let rcps = [
        json!([]),
        json!([[{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": ["kms:*", "sts:*", "secretsmanager:*"],
            "Resource": "*", "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalAccount": "111122223333"}}}]}]]),
    ];
    let contexts = [
        json!({}),
        json!({"aws:RequestedRegion": "us-east-1", "aws:SecureTransport": "true", "aws:PrincipalAccount": "111122223333"}),
        json!({"aws:RequestedRegion": "eu-west-1", "secretsmanager:VersionStage": ["AWSCURRENT"], "aws:SecureTransport": true,
               "kms:ResourceAliases": ["alias/aws/secretsmanager"]}),
        json!({"aws:RequestedRegion": "us-east-1", "aws:PrincipalTag/team": "prod", "aws:ResourceTag/owner": "prod", "AWS:SecureTransport": "true"}),
    ];
    let principals = [
        ROLE,
        SESSION,
        USER,
        OTHER_USER,
        ROOT,
        "anonymous",
        SAML,
        "lambda.amazonaws.com",
    ];
    let requests = [
        ("secretsmanager:GetSecretValue", SECRET),
        ("secretsmanager:DeleteSecret", SECRET),
        ("secretsmanager:ListSecrets", SECRET),
        ("kms:Decrypt", SECRET),
        ("kms:Decrypt", KEY),
        ("kms:ScheduleKeyDeletion", KEY),
        ("sts:AssumeRole", TARGET_ROLE),
        ("sts:AssumeRoleWithSAML", TARGET_ROLE),
        ("sts:GetCallerIdentity", "*"),
    ];
    let mut checked = 0;
    for (i, identity) in identities.iter().enumerate() {
        for resource in &resources {
            for boundary in &boundaries {
                for (k, scp) in scps.iter().enumerate() {
                    let rcp = &rcps[(i + k) % rcps.len()];
                    let mut spec = json!({"identity": [identity, identities[(i + 1) % identities.len()]], "scps": scp, "rcps": rcp});
                    if let Some(r) = resource {
                        spec["resource"] = r.clone();
                    }
                    if let Some(b) = boundary {
                        spec["boundary"] = b.clone();
                    }
                    let s = set(&spec);
                    for context in &contexts {
                        for principal in principals {
                            for (action, target) in requests {
                                let req = request(principal, action, target, context);
                                let e = evaluate(&s, &req);
                                assert_eq!(
                                    decide(&s, &req),
                                    e.decision,
                                    "{spec} {principal} {action} {target} {context}"
                                );
                                assert_eq!(e.denied_by.is_empty(), e.decision != ExplicitDeny);
                                assert_eq!(e.blocked_by.is_some(), e.decision == ImplicitDeny);
                                checked += 1;
                            }
                        }
                    }
                }
            }
        }
    }
    assert_eq!(checked, 6 * 6 * 3 * 3 * 4 * 8 * 9);
}

const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const TARGET: &str = "arn:aws:iam::111122223333:role/Target";

/// Decides `action` on `resource` both ways and returns the traced evaluation.
fn both(
    spec: &Value,
    principal: &str,
    action: &str,
    resource: &str,
    context: &Value,
) -> Evaluation {
    let s = set(spec);
    let req = request(principal, action, resource, context);
    let e = evaluate(&s, &req);
    assert_eq!(decide(&s, &req), e.decision, "{spec} {principal} {action}");
    e
}

fn key_policy(principal: Value, action: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": principal, "Action": action, "Resource": "*"}]})
}

#[test]
fn kms_key_policy_rules() {
    let iam = allow("kms:*", "*");
    let none = json!({});
    // No key policy: the IAM allow has no effect, the root user has no access.
    let e = both(&json!({"identity": [iam]}), USER, "kms:Decrypt", KEY, &none);
    assert_eq!(
        (e.decision, e.blocked_by),
        (ImplicitDeny, Some(Layer::Resource))
    );
    assert_eq!(
        e.diagnostics,
        vec![Diagnostic::NoKeyPolicy, Diagnostic::GrantsNotModelled]
    );
    let e = both(&json!({}), ROOT, "kms:Decrypt", KEY, &none);
    assert_eq!(e.decision, ImplicitDeny);
    // The account statement enables IAM policies (and the root user), for its actions only.
    let enable = key_policy(json!({"AWS": "111122223333"}), "kms:Decrypt");
    let spec = json!({"identity": [iam], "resource": enable});
    assert_eq!(
        both(&spec, USER, "kms:Decrypt", KEY, &none).decision,
        Allowed
    );
    assert_eq!(
        both(&spec, ROOT, "kms:Decrypt", KEY, &none).decision,
        Allowed
    );
    let e = both(&spec, USER, "kms:Encrypt", KEY, &none);
    assert_eq!(
        (e.decision, e.blocked_by),
        (ImplicitDeny, Some(Layer::Resource))
    );
    // Enabled but the identity policy is silent.
    let spec = json!({"resource": enable});
    let e = both(&spec, USER, "kms:Decrypt", KEY, &none);
    assert_eq!(
        (e.decision, e.blocked_by),
        (ImplicitDeny, Some(Layer::Identity))
    );
    // A named principal needs no IAM policy in the key's account; another account does.
    let named = key_policy(json!({"AWS": [USER, OTHER_USER]}), "kms:Decrypt");
    let spec = json!({"resource": named});
    assert_eq!(
        both(&spec, USER, "kms:Decrypt", KEY, &none).decision,
        Allowed
    );
    assert_eq!(
        both(&spec, OTHER_USER, "kms:Decrypt", KEY, &none).decision,
        ImplicitDeny
    );
    assert_eq!(
        both(&spec, ROOT, "kms:Decrypt", KEY, &none).decision,
        ImplicitDeny
    );
    let spec = json!({"resource": named, "identity": [iam]});
    assert_eq!(
        both(&spec, OTHER_USER, "kms:Decrypt", KEY, &none).decision,
        Allowed
    );
    // A named role: its session's boundary still applies.
    let spec = json!({"resource": key_policy(json!({"AWS": ROLE}), "kms:Decrypt"), "boundary": allow("s3:*", "*")});
    let e = both(&spec, SESSION, "kms:Decrypt", KEY, &none);
    assert_eq!(
        (e.decision, e.blocked_by),
        (ImplicitDeny, Some(Layer::Boundary))
    );
    // An IAM deny needs no key-policy permission.
    let spec = json!({"resource": enable, "identity": [iam, json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"}]})]});
    assert_eq!(
        both(&spec, USER, "kms:Decrypt", KEY, &none).decision,
        ExplicitDeny
    );
}

#[test]
fn rcps_skip_aws_managed_keys_service_linked_roles_and_other_services() {
    let rcp = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}]});
    let spec = json!({"identity": [allow("*", "*")], "resource": key_policy(json!({"AWS": "111122223333"}), "kms:*"), "rcps": [[rcp]]});
    let managed = json!({"kms:ResourceAliases": ["alias/aws/secretsmanager"]});
    let customer = json!({"kms:ResourceAliases": ["alias/app"]});
    let e = both(&spec, USER, "kms:Decrypt", KEY, &managed);
    assert_eq!(e.decision, Allowed);
    assert!(e.diagnostics.contains(&Diagnostic::RcpNotApplicable {
        reason: RcpExemption::AwsManagedKey
    }));
    assert_eq!(
        both(&spec, USER, "kms:Decrypt", KEY, &customer).decision,
        ExplicitDeny
    );
    assert_eq!(
        both(&spec, USER, "kms:RetireGrant", KEY, &customer).decision,
        Allowed
    );
    let slr = "arn:aws:iam::111122223333:role/aws-service-role/ops.apigateway.amazonaws.com/AWSServiceRoleForAPIGateway";
    assert_eq!(
        both(&spec, slr, "kms:Decrypt", KEY, &customer).decision,
        Allowed
    );
    let e = both(&spec, USER, "iam:GetUser", USER, &json!({}));
    assert_eq!(e.decision, Allowed);
    assert!(e.diagnostics.contains(&Diagnostic::RcpNotApplicable {
        reason: RcpExemption::UnsupportedService
    }));
    // SCPs skip service-linked roles too.
    let spec = json!({"identity": [allow("*", "*")], "scps": [[allow("s3:*", "*")]]});
    assert_eq!(
        both(
            &spec,
            slr,
            "secretsmanager:GetSecretValue",
            SECRET,
            &json!({})
        )
        .decision,
        Allowed
    );
    assert_eq!(
        both(
            &spec,
            ROLE,
            "secretsmanager:GetSecretValue",
            SECRET,
            &json!({})
        )
        .decision,
        ImplicitDeny
    );
}

#[test]
fn trust_policy_rules() {
    let none = json!({});
    let trust = |principal: Value| json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}]});
    // Named user: no identity policy needed; a boundary still applies.
    let spec = json!({"resource": trust(json!({"AWS": USER}))});
    let e = both(&spec, USER, "sts:AssumeRole", TARGET, &none);
    assert_eq!(e.decision, Allowed);
    assert_eq!(e.diagnostics, vec![Diagnostic::TrustPolicy]);
    let spec = json!({"resource": trust(json!({"AWS": USER})), "boundary": allow("s3:*", "*")});
    let e = both(&spec, USER, "sts:AssumeRole", TARGET, &none);
    assert_eq!(
        (e.decision, e.blocked_by),
        (ImplicitDeny, Some(Layer::Boundary))
    );
    // The account: delegates to the identity policy.
    let spec = json!({"resource": trust(json!({"AWS": ROOT}))});
    let e = both(&spec, USER, "sts:AssumeRole", TARGET, &none);
    assert_eq!(
        (e.decision, e.blocked_by),
        (ImplicitDeny, Some(Layer::Identity))
    );
    let spec = json!({"resource": trust(json!({"AWS": ROOT})), "identity": [allow("sts:AssumeRole", TARGET)]});
    assert_eq!(
        both(&spec, USER, "sts:AssumeRole", TARGET, &none).decision,
        Allowed
    );
    // The root user cannot assume roles.
    let e = both(&spec, ROOT, "sts:AssumeRole", TARGET, &none);
    assert_eq!(e.decision, ImplicitDeny);
    assert!(e.diagnostics.contains(&Diagnostic::RootCannotAssumeRole));
    // Identity allow without trust; no trust policy at all.
    let spec =
        json!({"resource": trust(json!({"AWS": OTHER_ROOT})), "identity": [allow("sts:*", "*")]});
    let e = both(&spec, USER, "sts:AssumeRole", TARGET, &none);
    assert_eq!(
        (e.decision, e.blocked_by),
        (ImplicitDeny, Some(Layer::Resource))
    );
    assert_eq!(
        both(&spec, OTHER_USER, "sts:AssumeRole", TARGET, &none).decision,
        Allowed
    );
    let e = both(
        &json!({"identity": [allow("sts:*", "*")]}),
        USER,
        "sts:TagSession",
        TARGET,
        &none,
    );
    assert_eq!(e.decision, ImplicitDeny);
    assert_eq!(e.diagnostics, vec![Diagnostic::NoTrustPolicy]);
    // Other STS actions on a role, and sts:AssumeRole on a non-role, are ordinary.
    let spec = json!({"identity": [allow("sts:*", "*")]});
    assert_eq!(
        both(&spec, USER, "sts:AssumeRole", "*", &none).decision,
        Allowed
    );
}

#[test]
fn federated_trust_is_decided_by_the_trust_policy_alone() {
    let saml = "arn:aws:iam::111122223333:saml-provider/ExampleOrgSSO";
    let google = "arn:aws:iam::111122223333:oidc-provider/accounts.google.com";
    let trust = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Federated": saml}, "Action": "sts:AssumeRoleWithSAML"},
        {"Effect": "Allow", "Principal": {"Federated": "accounts.google.com"}, "Action": "sts:AssumeRoleWithWebIdentity"}]});
    let deny_all = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]});
    let spec = json!({"resource": trust, "identity": [deny_all], "scps": [[deny_all]]});
    let none = json!({});
    let e = both(&spec, saml, "sts:AssumeRoleWithSAML", TARGET, &none);
    assert_eq!(e.decision, Allowed);
    assert!(e.diagnostics.contains(&Diagnostic::FederatedTrustOnly));
    assert_eq!(
        both(
            &spec,
            google,
            "sts:AssumeRoleWithWebIdentity",
            TARGET,
            &none
        )
        .decision,
        Allowed
    );
    assert_eq!(
        both(&spec, google, "sts:AssumeRoleWithSAML", TARGET, &none).decision,
        ImplicitDeny
    );
    // An identity provider is nobody outside a trust policy.
    let open = json!({"resource": resource_policy(json!("*"))});
    assert_eq!(
        both(&open, saml, "secretsmanager:GetSecretValue", SECRET, &none).decision,
        ImplicitDeny
    );
}

#[test]
fn get_caller_identity_needs_no_permission() {
    let deny_all = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]});
    let spec = json!({"identity": [deny_all], "scps": [[deny_all]]});
    for principal in [USER, SESSION, ROOT, FEDERATED] {
        let e = both(&spec, principal, "sts:GetCallerIdentity", "*", &json!({}));
        assert_eq!(e.decision, Allowed, "{principal}");
        assert_eq!(e.diagnostics, vec![Diagnostic::NoPermissionNeeded]);
    }
    assert_eq!(
        both(&spec, "anonymous", "sts:GetCallerIdentity", "*", &json!({})).decision,
        ImplicitDeny
    );
    assert_eq!(
        both(&spec, USER, "sts:GetSessionToken", "*", &json!({})).decision,
        ExplicitDeny
    );
}

#[test]
fn allow_with_not_principal_allows_everyone_not_exempt() {
    let policy = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "NotPrincipal": {"AWS": [OTHER_USER, "444455556666"]}, "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]});
    let spec = json!({"resource": policy, "boundary": allow("s3:*", "*")});
    let e = both(
        &spec,
        USER,
        "secretsmanager:GetSecretValue",
        SECRET,
        &json!({}),
    );
    // A user granted directly: its boundary does not limit it, and the Deny-only boundary rule
    // of NotPrincipal does not turn this Allow into anything else.
    assert_eq!(e.decision, Allowed);
    assert_eq!(
        e.diagnostics,
        vec![Diagnostic::AllowNotPrincipal {
            policy: "resource".to_owned(),
            index: 0
        }]
    );
    let spec = json!({"resource": policy, "identity": [allow("*", "*")]});
    assert_eq!(
        both(
            &spec,
            OTHER_USER,
            "secretsmanager:GetSecretValue",
            SECRET,
            &json!({})
        )
        .decision,
        ImplicitDeny
    );
    assert_eq!(
        both(
            &spec,
            "anonymous",
            "secretsmanager:GetSecretValue",
            SECRET,
            &json!({})
        )
        .decision,
        Allowed
    );
}

#[test]
fn deny_not_principal_diagnostics_say_why() {
    let deny = |listed: Value| {
        json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "secretsmanager:GetSecretValue", "Resource": "*"},
            {"Effect": "Deny", "NotPrincipal": {"AWS": listed}, "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]})
    };
    let get = "secretsmanager:GetSecretValue";
    let partly = Diagnostic::NotPrincipalPartlyListed {
        policy: "resource".to_owned(),
        index: 1,
    };
    // The user is listed without its account: denied, with the reason.
    let e = both(
        &json!({"resource": deny(json!([USER]))}),
        USER,
        get,
        SECRET,
        &json!({}),
    );
    assert_eq!(e.decision, ExplicitDeny);
    assert_eq!(e.diagnostics, vec![partly.clone()]);
    // Another user is simply not listed: no diagnostic.
    let e = both(
        &json!({"resource": deny(json!([USER]))}),
        OTHER_USER,
        get,
        SECRET,
        &json!({}),
    );
    assert_eq!(e.decision, ExplicitDeny);
    assert!(e.diagnostics.is_empty());
    // Fully listed, but with a boundary.
    let spec =
        json!({"resource": deny(json!([USER, "111122223333"])), "boundary": allow("*", "*")});
    let e = both(&spec, USER, get, SECRET, &json!({}));
    assert_eq!(e.decision, ExplicitDeny);
    assert_eq!(
        e.diagnostics,
        vec![Diagnostic::NotPrincipalWithBoundary {
            policy: "resource".to_owned(),
            index: 1
        }]
    );
    let spec = json!({"resource": deny(json!([USER, "111122223333"]))});
    assert_eq!(both(&spec, USER, get, SECRET, &json!({})).decision, Allowed);
}

#[test]
fn service_principals_are_allowed_by_resource_policies_only() {
    let trust = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
    let deny_all = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]});
    let spec = json!({"resource": trust, "identity": [allow("*", "*")], "scps": [[deny_all]]});
    let none = json!({});
    // SCPs and identity policies are not the service's.
    assert_eq!(
        both(
            &spec,
            "lambda.amazonaws.com",
            "sts:AssumeRole",
            TARGET,
            &none
        )
        .decision,
        Allowed
    );
    assert_eq!(
        both(&spec, "ec2.amazonaws.com", "sts:AssumeRole", TARGET, &none).decision,
        ImplicitDeny
    );
    // RCPs apply to services.
    let rcp = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "sts:*", "Resource": "*",
        "Condition": {"Bool": {"aws:PrincipalIsAWSService": "true"}}}]});
    let spec = json!({"resource": trust, "rcps": [[rcp]]});
    let e = both(
        &spec,
        "lambda.amazonaws.com",
        "sts:AssumeRole",
        TARGET,
        &json!({"aws:PrincipalIsAWSService": true}),
    );
    assert_eq!(e.decision, ExplicitDeny);
    // Nothing without a resource policy naming it.
    assert_eq!(
        both(
            &json!({"identity": [allow("*", "*")]}),
            "lambda.amazonaws.com",
            "secretsmanager:GetSecretValue",
            SECRET,
            &none
        )
        .decision,
        ImplicitDeny
    );
    assert!(Principal::parse("lambda.amazonaws.com").is_ok());
    assert!(Principal::parse("Lambda.amazonaws.com").is_err());
    assert!(Principal::parse("example.com").is_err());
}
