//! Parser tests: every accepted form, every rejected form with its one-line error, and
//! property tests that no input panics the parser.

use proptest::prelude::*;
use serde_json::json;

use super::*;

fn parse(kind: PolicyKind, text: &str) -> Result<Policy, String> {
    Policy::parse(text, kind).map_err(|e| e.to_string())
}

#[test]
fn accepts_every_documented_form() {
    let doc = r#"{
      "Version": "2012-10-17", "Id": "p1",
      "Statement": [
        {"Sid": "A", "Effect": "Allow", "Principal": "*", "Action": "secretsmanager:GetSecretValue", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": ["111122223333", "arn:aws:iam::111122223333:root",
            "arn:aws:iam::111122223333:user/a", "arn:aws:iam::111122223333:role/path/r",
            "arn:aws:sts::111122223333:assumed-role/r/s", "arn:aws:sts::111122223333:federated-user/f",
            "AIDAJQABLZS4A3QDU576Q"]},
         "Action": ["secretsmanager:Get*", "secretsmanager:Describe*"], "Resource": ["*"]},
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com", "Federated": "accounts.google.com",
            "CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
         "NotAction": "iam:*", "NotResource": "arn:aws:secretsmanager:*:*:secret:x"},
        {"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:user/a"}, "Action": "*", "Resource": "*",
         "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": 3600},
                       "Bool": {"aws:SecureTransport": false},
                       "ForAnyValue:StringLike": {"aws:TagKeys": ["a*", "b?"]},
                       "ForAllValues:StringEqualsIgnoreCase": {"aws:TagKeys": "x"},
                       "StringNotEqualsIfExists": {"secretsmanager:VersionStage": "AWSCURRENT"},
                       "DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"},
                       "DateLessThan": {"aws:EpochTime": 1700000000},
                       "IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:DB8::/32", "198.51.100.7"]},
                       "BinaryEquals": {"k": "QmluYXJ5VmFsdWU="},
                       "ArnLike": {"aws:SourceArn": "arn:aws:lambda:*:111122223333:function:*"},
                       "Null": {"aws:TokenIssueTime": "true"}}}
      ]}"#;
    let policy = parse(PolicyKind::Resource, doc).unwrap();
    assert_eq!(policy.version(), Some("2012-10-17"));
    assert_eq!(policy.id(), Some("p1"));
    let statements = policy.statements();
    assert_eq!(statements.len(), 4);
    assert_eq!(statements[0].sid.as_deref(), Some("A"));
    assert_eq!(
        statements[0].principals.as_ref().unwrap().items,
        vec![PrincipalPattern::Everyone]
    );
    let aws = &statements[1].principals.as_ref().unwrap().items;
    assert_eq!(aws[0], PrincipalPattern::Account("111122223333".to_owned()));
    assert_eq!(aws[1], PrincipalPattern::Account("111122223333".to_owned()));
    assert_eq!(
        aws[2],
        PrincipalPattern::Arn("arn:aws:iam::111122223333:user/a".to_owned())
    );
    assert_eq!(
        aws[6],
        PrincipalPattern::UniqueId("AIDAJQABLZS4A3QDU576Q".to_owned())
    );
    assert!(statements[2].actions.negated);
    assert!(statements[2].resources.as_ref().unwrap().negated);
    assert_eq!(statements[2].principals.as_ref().unwrap().items.len(), 3);
    assert!(statements[3].principals.as_ref().unwrap().negated);
    assert_eq!(statements[3].conditions.len(), 11);
    let numeric = statements[3]
        .conditions
        .iter()
        .find(|c| c.operator.base == BaseOperator::NumericLessThan)
        .unwrap();
    assert_eq!(numeric.values, vec!["3600".to_owned()]);
    let set = statements[3]
        .conditions
        .iter()
        .find(|c| c.operator.set == Some(SetQualifier::ForAnyValue))
        .unwrap();
    assert_eq!(set.operator.to_string(), "ForAnyValue:StringLike");
    assert_eq!(set.values.len(), 2);
}

#[test]
fn statement_object_and_identity_policy() {
    let policy = parse(
        PolicyKind::Identity,
        r#"{"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}}"#,
    )
    .unwrap();
    assert_eq!(policy.statements().len(), 1);
    assert!(policy.statements()[0].principals.is_none());
    // a trust policy has no Resource
    let trust = parse(
        PolicyKind::Resource,
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}"#,
    )
    .unwrap();
    assert!(trust.statements()[0].resources.is_none());
}

#[test]
fn rejects_bad_documents_with_a_path() {
    let identity = PolicyKind::Identity;
    let resource = PolicyKind::Resource;
    let table: &[(PolicyKind, &str, &str)] = &[
        (
            identity,
            r#"{"Version": "2012-10-17", "Statement": ["#,
            "invalid json: EOF while parsing a list at line 1 column 40",
        ),
        (identity, "[]", "$: expected a json object, found an array"),
        (
            identity,
            r#"{"Version": "2012-10-17"}"#,
            "$: missing `Statement`",
        ),
        (
            identity,
            r#"{"Statement": [], "Versoin": "2012-10-17"}"#,
            "$.Versoin: unknown policy element `Versoin`",
        ),
        (
            identity,
            r#"{"Version": "2013-01-01", "Statement": []}"#,
            "$.Version: expected `2012-10-17` or `2008-10-17`, found `2013-01-01`",
        ),
        (
            identity,
            r#"{"Statement": "x"}"#,
            "$.Statement: expected an object or an array of objects, found a string",
        ),
        (
            identity,
            r#"{"Statement": [{"Action": "s3:*", "Resource": "*"}]}"#,
            "$.Statement[0]: missing `Effect`",
        ),
        (
            identity,
            r#"{"Statement": [{"Effect": "allow", "Action": "s3:*", "Resource": "*"}]}"#,
            "$.Statement[0].Effect: expected `Allow` or `Deny`, found `allow`",
        ),
        (
            identity,
            r#"{"Statement": [{"Effect": "Allow", "Resource": "*"}]}"#,
            "$.Statement[0]: missing `Action` or `NotAction`",
        ),
        (
            identity,
            r#"{"Statement": [{"Effect": "Allow", "Action": "s3:*", "NotAction": "s3:x", "Resource": "*"}]}"#,
            "$.Statement[0]: `Action` and `NotAction` cannot both be present",
        ),
        (
            identity,
            r#"{"Statement": [{"Effect": "Allow", "Action": "s3:*"}]}"#,
            "$.Statement[0]: missing `Resource` or `NotResource`",
        ),
        (
            identity,
            r#"{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Principal": "*"}]}"#,
            "$.Statement[0].Principal: `Principal` is not allowed in an identity policy",
        ),
        (
            PolicyKind::Scp,
            r#"{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "NotPrincipal": {"AWS": "111122223333"}}]}"#,
            "$.Statement[0].NotPrincipal: `NotPrincipal` is not allowed in a service control policy",
        ),
        (
            PolicyKind::Boundary,
            r#"{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Principal": "*"}]}"#,
            "$.Statement[0].Principal: `Principal` is not allowed in a permissions boundary",
        ),
        (
            resource,
            r#"{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}"#,
            "$.Statement[0]: missing `Principal` or `NotPrincipal` in a resource policy",
        ),
        (
            resource,
            r#"{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/*"}, "Action": "s3:*", "Resource": "*"}]}"#,
            "$.Statement[0].Principal.AWS: a principal arn cannot contain wildcards, found `arn:aws:iam::111122223333:role/*`; use `\"Principal\": \"*\"` with an `aws:PrincipalArn` condition",
        ),
        (
            resource,
            r#"{"Statement": [{"Effect": "Allow", "Principal": {"AWS": ["111122223333", "bob"]}, "Action": "s3:*", "Resource": "*"}]}"#,
            "$.Statement[0].Principal.AWS[1]: expected `*`, a 12-digit account id or a principal arn, found `bob`",
        ),
        (
            resource,
            r#"{"Statement": [{"Effect": "Allow", "Principal": {"IAM": "x"}, "Action": "s3:*", "Resource": "*"}]}"#,
            "$.Statement[0].Principal.IAM: unknown principal type `IAM`, expected `AWS`, `Service`, `Federated` or `CanonicalUser`",
        ),
        (
            resource,
            r#"{"Statement": [{"Effect": "Allow", "Principal": "everyone", "Action": "s3:*", "Resource": "*"}]}"#,
            "$.Statement[0].Principal: expected `*` or an object such as `{\"AWS\": …}`, found `everyone`",
        ),
        (
            identity,
            r#"{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Foo": 1}]}"#,
            "$.Statement[0].Foo: unknown statement element `Foo`",
        ),
        (
            identity,
            r#"{"Statement": [{"Effect": "Allow", "Action": "getobject", "Resource": "*"}]}"#,
            "$.Statement[0].Action: expected `*` or `service:action`, found `getobject`",
        ),
        (
            identity,
            r#"{"Statement": [{"Effect": "Allow", "Action": ["s3:a", 5], "Resource": "*"}]}"#,
            "$.Statement[0].Action[1]: expected a string, found a number",
        ),
        (
            identity,
            r#"{"Statement": [{"Effect": "Allow", "Action": [], "Resource": "*"}]}"#,
            "$.Statement[0].Action: expected at least one value",
        ),
        (
            identity,
            r#"{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "bucket"}]}"#,
            "$.Statement[0].Resource: expected `*` or an arn, found `bucket`",
        ),
        (
            identity,
            r#"{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}, {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"StringLikee": {"a": "b"}}}]}"#,
            "$.Statement[1].Condition.StringLikee: unknown condition operator `StringLikee`",
        ),
        (
            identity,
            r#"{"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"NullIfExists": {"a": "true"}}}}"#,
            "$.Statement.Condition.NullIfExists: unknown condition operator `NullIfExists`",
        ),
        (
            identity,
            r#"{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"NumericEquals": {"k": "abc"}}}]}"#,
            "$.Statement[0].Condition.NumericEquals.k: expected a number, found `abc`",
        ),
        (
            identity,
            r#"{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "10.0.0.0/99"]}}}]}"#,
            "$.Statement[0].Condition.IpAddress.aws:SourceIp[1]: expected an ip address or cidr block, found `10.0.0.0/99`",
        ),
        (
            identity,
            r#"{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"DateLessThan": {"aws:CurrentTime": "tomorrow"}}}]}"#,
            "$.Statement[0].Condition.DateLessThan.aws:CurrentTime: expected an ISO 8601 date or epoch seconds, found `tomorrow`",
        ),
        (
            identity,
            r#"{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "yes"}}}]}"#,
            "$.Statement[0].Condition.Bool.aws:SecureTransport: expected `true` or `false`, found `yes`",
        ),
        (
            identity,
            r#"{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"BinaryEquals": {"k": "!!"}}}]}"#,
            "$.Statement[0].Condition.BinaryEquals.k: expected base64, found `!!`",
        ),
        (
            identity,
            r#"{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"StringEquals": {"k": null}}}]}"#,
            "$.Statement[0].Condition.StringEquals.k: expected a string, number or boolean, found null",
        ),
        (
            identity,
            r#"{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"StringEquals": {"k": []}}}]}"#,
            "$.Statement[0].Condition.StringEquals.k: expected at least one value",
        ),
        (
            identity,
            r#"{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"StringEquals": "k"}}]}"#,
            "$.Statement[0].Condition.StringEquals: expected an object of condition keys, found a string",
        ),
        (
            identity,
            r#"{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": []}]}"#,
            "$.Statement[0].Condition: expected an object, found an array",
        ),
    ];
    for (kind, text, want) in table {
        assert_eq!(parse(*kind, text).unwrap_err(), *want, "{text}");
    }
}

/// Legacy `Allow` + `NotPrincipal` loads and is reported, never a parse error.
#[test]
fn allow_with_not_principal_loads_and_is_flagged() {
    let policy = Policy::parse(
        r#"{"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "NotPrincipal": {"AWS": "111122223333"}, "Action": "s3:*", "Resource": "*"},
            {"Effect": "Allow", "NotPrincipal": {"AWS": "111122223333"}, "Action": "s3:*", "Resource": "*"}]}"#,
        PolicyKind::Resource,
    )
    .unwrap();
    assert_eq!(policy.allow_not_principal().collect::<Vec<_>>(), vec![1]);
    assert!(policy.statements()[1].is_allow_not_principal());
    assert!(!policy.statements()[0].is_allow_not_principal());
}

#[test]
fn operator_names_round_trip() {
    for name in [
        "StringEquals",
        "ForAllValues:StringNotLikeIfExists",
        "ForAnyValue:ArnLike",
        "NumericGreaterThanEqualsIfExists",
        "Null",
        "BinaryEquals",
        "NotIpAddressIfExists",
    ] {
        assert_eq!(Operator::parse(name).unwrap().to_string(), name);
    }
    for bad in [
        "stringequals",
        "ForAllValues:Null",
        "StringEqualsIfexists",
        "ForSomeValues:StringLike",
        "",
    ] {
        assert!(Operator::parse(bad).is_none(), "{bad}");
    }
}

fn arbitrary_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        prop_oneof![
            Just("*".to_owned()),
            Just("Allow".to_owned()),
            Just("Deny".to_owned()),
            Just("2012-10-17".to_owned()),
            Just("s3:Get*".to_owned()),
            Just("arn:aws:iam::111122223333:root".to_owned()),
            Just("${aws:username}".to_owned()),
            "\\PC{0,12}",
        ]
        .prop_map(serde_json::Value::String),
    ];
    let keys = prop_oneof![
        Just("Version".to_owned()),
        Just("Statement".to_owned()),
        Just("Effect".to_owned()),
        Just("Action".to_owned()),
        Just("NotAction".to_owned()),
        Just("Resource".to_owned()),
        Just("Principal".to_owned()),
        Just("NotPrincipal".to_owned()),
        Just("AWS".to_owned()),
        Just("Condition".to_owned()),
        Just("StringLike".to_owned()),
        Just("ForAllValues:NumericEquals".to_owned()),
        Just("IpAddress".to_owned()),
        Just("Null".to_owned()),
        "[a-zA-Z:]{0,8}",
    ];
    leaf.prop_recursive(5, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
            prop::collection::btree_map(keys.clone(), inner, 0..5)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_json_never_panics(value in arbitrary_json()) {
        for kind in [PolicyKind::Identity, PolicyKind::Resource, PolicyKind::Scp, PolicyKind::Rcp] {
            let _ = Policy::from_value(&value, kind);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = Policy::parse(&text, PolicyKind::Identity);
    }
}

#[test]
fn action_index_lists_matching_statements() {
    let policy = parse(
        PolicyKind::Identity,
        r#"{"Statement": [
          {"Effect": "Allow", "Action": "secretsmanager:Get*", "Resource": "*"},
          {"Effect": "Allow", "Action": "*", "Resource": "*"},
          {"Effect": "Deny", "NotAction": "secretsmanager:GetSecretValue", "Resource": "*"},
          {"Effect": "Allow", "Action": "kms:*", "Resource": "*"},
          {"Effect": "Allow", "Action": ["s3:GetObject", "SecretsManager:getSecretValue"], "Resource": "*"},
          {"Effect": "Allow", "Action": "secrets*:Describe*", "Resource": "*"}]}"#,
    )
    .unwrap();
    let known = |action: &str| {
        let k = index::known_action(action).unwrap();
        policy.index.for_known(k).to_vec()
    };
    assert_eq!(known("secretsmanager:GetSecretValue"), vec![0, 1, 4]);
    assert_eq!(known("SECRETSMANAGER:describesecret"), vec![1, 2, 5]);
    assert_eq!(known("secretsmanager:ListSecrets"), vec![1, 2]);
    assert!(index::known_action("kms:Decrypt").is_none());
    let (by_service, any) = policy.index.candidates("KMS");
    assert_eq!(
        (by_service.to_vec(), any.to_vec()),
        (vec![3], vec![1, 2, 5])
    );
    let (by_service, _) = policy.index.candidates("secretsmanager");
    assert_eq!(by_service.to_vec(), vec![0, 4]);
    for (i, name) in index::KNOWN_ACTIONS.iter().enumerate() {
        assert_eq!(index::known_action(name), Some(i), "sorted: {name}");
    }
}
