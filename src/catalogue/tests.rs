use super::*;

#[test]
fn knows_secrets_manager_actions_resources_and_keys() {
    let catalogue = catalogue();
    let (service, action) = catalogue
        .action("SecretsManager:getsecretvalue")
        .expect("GetSecretValue is in the catalogue");
    assert_eq!(action.name, "GetSecretValue");
    let formats: Vec<_> = service.resource_types(action).map(|r| r.format).collect();
    assert_eq!(
        formats,
        ["arn:${Partition}:secretsmanager:${Region}:${Account}:secret:${SecretId}"]
    );
    let stage = catalogue
        .key_for_action(service, action, "secretsmanager:versionstage")
        .expect("VersionStage applies to GetSecretValue");
    assert_eq!(stage.kind, KeyType::String);
    assert!(
        catalogue
            .key_for_action(service, action, "secretsmanager:BlockPublicPolicy")
            .is_none()
    );
    assert!(
        catalogue
            .key_for_action(service, action, "aws:ResourceTag/team")
            .is_some()
    );
    assert!(catalogue.action("secretsmanager:GetSecretValu").is_none());
    assert!(catalogue.action("secretsmanagr:GetSecretValue").is_none());
}

#[test]
fn global_keys_have_types() {
    let catalogue = catalogue();
    let ip = catalogue.global_key("AWS:SourceIp").expect("global key");
    assert_eq!(ip.kind, KeyType::IpAddress);
    let paths = catalogue.global_key("aws:PrincipalOrgPaths").expect("key");
    assert!(paths.multivalued);
    assert!(catalogue.global_key("aws:SourceIpp").is_none());
    assert!(catalogue.any_key("sts:ExternalId").is_some());
    assert!(catalogue.any_key("accounts.google.com:aud").is_some());
    assert!(catalogue.any_key("kms:ViaService").is_some());
    assert!(catalogue.any_key("kms:ViaServices").is_none());
}

#[test]
fn action_patterns_expand() {
    let catalogue = catalogue();
    let reads = catalogue.actions_matching("secretsmanager:Get*");
    let names: Vec<_> = reads.iter().map(|(_, a)| a.name).collect();
    assert!(names.contains(&"GetSecretValue") && names.contains(&"GetResourcePolicy"));
    assert!(!names.contains(&"DescribeSecret"));
    assert!(catalogue.actions_matching("*").len() > 10_000);
    assert!(catalogue.actions_matching("secretsmanager:Gte*").is_empty());
    assert!(catalogue.actions_matching("iam:*AccessKey*").len() >= 4);
    assert!(catalogue.actions_matching("SecretsManager:*Secret*").len() > 10);
    assert!(
        catalogue
            .actions_matching("secretsmanager:???SecretValue")
            .len()
            == 2
    );
    assert!(catalogue.global_key("aws:PrincipalTag/Team-Name").is_some());
    assert!(catalogue.provenance[1].contains("licence MIT"));
}

#[test]
fn concrete_arns_against_formats() {
    let secret = "arn:${Partition}:secretsmanager:${Region}:${Account}:secret:${SecretId}";
    assert!(arn_has_format(
        "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbC123",
        secret
    ));
    for wrong in [
        "arn:aws:secretsmanagr:us-east-1:111122223333:secret:prod/db-AbC123",
        "arn:aws:secretsmanager:us-east-1:11112222333:secret:prod/db-AbC123",
        "arn:awz:secretsmanager:us-east-1:111122223333:secret:prod/db-AbC123",
        "arn:aws:secretsmanager:us-east-1:111122223333:secrets:prod/db-AbC123",
        "arn:aws:secretsmanager:us-east-1:111122223333:secret:",
        "arn:aws:secretsmanager::111122223333:secret:x",
    ] {
        assert!(!arn_has_format(wrong, secret), "{wrong}");
    }
    let user = "arn:${Partition}:iam::${Account}:user/${UserNameWithPath}";
    assert!(arn_has_format(
        "arn:aws:iam::111122223333:user/ops/alice",
        user
    ));
    assert!(!arn_has_format(
        "arn:aws:iam:us-east-1:111122223333:user/alice",
        user
    ));
}

#[test]
fn patterns_against_formats() {
    let secret = "arn:${Partition}:secretsmanager:${Region}:${Account}:secret:${SecretId}";
    for ok in [
        "*",
        "arn:aws:secretsmanager:*:*:secret:*",
        "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/*",
        "arn:aws:secretsmanager:*:${aws:PrincipalAccount}:secret:${aws:username}-??????",
        "arn:*:secretsmanager:*",
        "arn:aws:secretsmanager:us-east-1:111122223333:*",
    ] {
        assert!(pattern_may_have_format(ok, secret), "{ok}");
    }
    for wrong in [
        "arn:aws:secretsmanger:*:*:secret:*",
        "arn:aws:secretsmanager:us-east-1:111122223333:secrets/prod-*",
        "arn:aws:s3:::bucket/*",
        "arn:aws:kms:us-east-1:111122223333:key/*",
    ] {
        assert!(!pattern_may_have_format(wrong, secret), "{wrong}");
    }
}

#[test]
fn resource_type_keys_apply_to_the_actions_on_that_type() {
    let catalogue = catalogue();
    let (service, decrypt) = catalogue.action("kms:Decrypt").expect("kms:Decrypt");
    for key in ["kms:ResourceAliases", "kms:KeyOrigin", "kms:ViaService"] {
        assert!(
            catalogue.key_for_action(service, decrypt, key).is_some(),
            "{key} on kms:Decrypt"
        );
    }
    let (service, get) = catalogue
        .action("secretsmanager:GetSecretValue")
        .expect("GetSecretValue");
    assert!(
        catalogue
            .key_for_action(service, get, "kms:ResourceAliases")
            .is_none()
    );
}

#[test]
fn oidc_provider_claims_are_keys_of_web_identity_calls_only() {
    let catalogue = catalogue();
    let (sts, web) = catalogue
        .action("sts:AssumeRoleWithWebIdentity")
        .expect("AssumeRoleWithWebIdentity");
    for key in [
        "token.actions.githubusercontent.com:sub",
        "token.actions.githubusercontent.com:aud",
        "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:sub",
    ] {
        assert!(catalogue.key_for_action(sts, web, key).is_some(), "{key}");
    }
    for key in ["token.actions.githubusercontent.com:subb", "nodot:sub"] {
        assert!(catalogue.key_for_action(sts, web, key).is_none(), "{key}");
    }
    let (sts, assume) = catalogue.action("sts:AssumeRole").expect("AssumeRole");
    assert!(
        catalogue
            .key_for_action(sts, assume, "token.actions.githubusercontent.com:sub")
            .is_none()
    );
}
