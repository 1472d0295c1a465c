use serde_json::json;

use super::*;

#[test]
fn json_values_know_their_lines() {
    let text = "{\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": [\"a:b\",\n        \"c:d\"]\n    }\n  ],\n  \"k\\\"ey\": 1\n}\n";
    let located = Located::json(text).unwrap();
    assert_eq!(located.line("Statement[0].Effect"), 4);
    assert_eq!(located.line("Statement[0].Action[1]"), 6);
    assert_eq!(located.line("Statement[0].Action[0]"), 5);
    assert_eq!(located.line("k\"ey"), 9);
    // An unknown path falls back to its nearest known ancestor.
    assert_eq!(located.line("Statement[0].Condition.StringEquals"), 3);
    assert!(Located::json("{\"a\": ").is_err());
}

#[test]
fn yaml_short_form_tags_become_intrinsics() {
    let text = "A: !Ref Name\nB: !Sub 'x-${AWS::Region}'\nC: !GetAtt Key.Arn\nD: !Join\n  - ':'\n  - [a, !Ref B]\nE: [1, 2.5, true, null, '7']\n";
    let located = Located::yaml(text).unwrap();
    assert_eq!(
        located.value,
        json!({
            "A": {"Ref": "Name"},
            "B": {"Fn::Sub": "x-${AWS::Region}"},
            "C": {"Fn::GetAtt": ["Key", "Arn"]},
            "D": {"Fn::Join": [":", ["a", {"Ref": "B"}]]},
            "E": [1, 2.5, true, null, "7"],
        })
    );
    assert_eq!(located.line("D[1][1]"), 6);
    assert_eq!(located.line("C"), 3);
    assert!(Located::yaml("a: [b\n").is_err());
}

#[test]
fn kinds_are_detected_from_the_document() {
    let identity =
        json!({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]});
    assert_eq!(detect_kind(&identity), LintKind::Identity);
    let trust = json!({"Statement": {"Effect": "Allow", "Principal": {"Service": "x"}, "Action": "sts:AssumeRole"}});
    assert_eq!(detect_kind(&trust), LintKind::Trust);
    let key = json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}]});
    assert_eq!(detect_kind(&key), LintKind::Key);
    let secret = json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]});
    assert_eq!(detect_kind(&secret), LintKind::Resource);
}

fn lint(document: serde_json::Value) -> Vec<(String, String)> {
    let mut report = LintReport::default();
    lint_text(
        "p.json",
        &document.to_string(),
        &LintOptions::default(),
        &mut report,
    );
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    report
        .findings
        .into_iter()
        .map(|f| (f.id.to_owned(), f.path))
        .collect()
}

#[test]
fn the_checks_fire_only_where_they_should() {
    let clean = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Action": ["secretsmanager:GetSecretValue", "secretsmanager:Describe*"],
        "Resource": "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-??????",
        "Condition": {"StringEquals": {"secretsmanager:VersionStage": "AWSCURRENT", "aws:PrincipalTag/team": "db"},
            "ForAnyValue:StringEquals": {"aws:TagKeys": ["a"]}}}]});
    assert_eq!(lint(clean), Vec::<(String, String)>::new());

    let guarded = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Action": "secretsmanager:TagResource", "Resource": "*",
        "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["a"]}, "Null": {"aws:TagKeys": "false"}}}]});
    assert_eq!(lint(guarded), Vec::<(String, String)>::new());

    let single_valued = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny",
        "Action": "secretsmanager:GetSecretValue", "Resource": "*",
        "Condition": {"ForAnyValue:StringEquals": {"aws:PrincipalOrgID": "o-1"},
            "StringEquals": {"aws:TagKeys": "a"}, "DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}}]});
    let found = lint(single_valued);
    let ids: Vec<&str> = found.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "set-operator-on-single-valued-key",
            "multivalued-key-without-set-operator"
        ],
        "{found:?}"
    );
}

#[test]
fn common_real_policies_are_clean() {
    let github_trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
            "StringLike": {"token.actions.githubusercontent.com:sub": "repo:org/repo:*"}}}]});
    assert_eq!(lint(github_trust), Vec::<(String, String)>::new());
    let cognito = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Federated": "cognito-identity.amazonaws.com"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": "us-east-1:12345678-1234-1234-1234-123456789012"},
            "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"}}}]});
    assert_eq!(lint(cognito), Vec::<(String, String)>::new());
    let logs_key = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"Service": "logs.us-east-1.amazonaws.com"},
         "Action": ["kms:Encrypt*", "kms:Decrypt*"], "Resource": "*",
         "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:111122223333:*"}}}]});
    assert_eq!(lint(logs_key), Vec::<(String, String)>::new());
    let rotation = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue",
            "secretsmanager:UpdateSecretVersionStage", "secretsmanager:DescribeSecret"],
         "Resource": "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbCdEf"},
        {"Effect": "Allow", "Action": "secretsmanager:GetRandomPassword", "Resource": "*"},
        {"Effect": "Deny", "Action": "*", "Resource": "*",
         "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1"]},
            "ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/admin"}}}]});
    assert_eq!(lint(rotation), Vec::<(String, String)>::new());
}

#[test]
fn yaml_anchors_expand_and_alias_bombs_are_refused() {
    let text = "Base: &base\n  Effect: Allow\n  Action: [a:b]\nCopy: *base\n";
    let located = Located::yaml(text).unwrap();
    assert_eq!(
        located.value["Copy"],
        json!({"Effect": "Allow", "Action": ["a:b"]})
    );
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for level in 1..9 {
        let previous = level - 1;
        bomb.push_str(&format!(
            "a{level}: &a{level} [*a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}]\n"
        ));
    }
    let error = Located::yaml(&bomb).unwrap_err();
    assert!(error.contains("more than"), "{error}");
}

proptest::proptest! {
    #[test]
    fn arbitrary_input_never_panics(text in "\\PC{0,200}") {
        let mut report = LintReport::default();
        lint_text("x.json", &text, &LintOptions::default(), &mut report);
        lint_text("x.yaml", &text, &LintOptions::default(), &mut report);
    }

    #[test]
    fn arbitrary_policies_never_panic(
        action in "[a-z*?]{0,8}:[A-Za-z*?]{0,12}",
        resource in "(arn:[a-z*]{0,4}:[a-z*]{0,8}:[a-z0-9*-]{0,10}:[0-9*]{0,12}:[a-z/*?$\\{}:-]{0,20})|\\*",
        key in "[a-zA-Z:/*]{0,20}",
        operator in "(ForAllValues:|ForAnyValue:)?(StringLike|NumericEquals|ArnLike|Bool|IpAddress|Null|DateLessThan)(IfExists)?",
    ) {
        let document = json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": action, "Resource": resource,
             "Condition": {operator: {key: "v"}}},
            {"Effect": "Allow", "Principal": "*", "Action": "secretsmanager:*", "Resource": "*"}]});
        let mut report = LintReport::default();
        lint_text("p.json", &document.to_string(), &LintOptions::default(), &mut report);
    }
}

#[test]
fn bucket_policies_are_probed_with_their_own_actions() {
    let public = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*"},
        {"Sid": "Org", "Effect": "Allow", "Principal": "*", "Action": "s3:*",
         "Resource": ["arn:aws:s3:::my-bucket", "arn:aws:s3:::my-bucket/*"],
         "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}}]});
    assert_eq!(
        lint(public),
        [(
            String::from("principal-star-unrestricted"),
            String::from("Statement[0].Principal")
        )]
    );
}
