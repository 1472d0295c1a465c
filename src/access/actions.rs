//! The Secrets Manager actions the analysis asks about: the default list and, per action, the
//! request parameters AWS turns into condition keys (Service Authorization Reference, "Actions
//! defined by AWS Secrets Manager"). It decides nothing; `context` uses it to tell a key the
//! caller controls (unknown) from one AWS never sends for that action (absent).

/// The default actions of `secaudit access`: who can read the secret value and who can write
/// it. `GetSecretValue` is the only Read action that returns the value (`BatchGetSecretValue`
/// needs it per secret); `PutSecretValue` and `UpdateSecret` are the Write actions that set a
/// new value (`SecretString` / `SecretBinary`). Other actions (`DescribeSecret`, `DeleteSecret`,
/// `PutResourcePolicy`, `RotateSecret`, …) are one `--action` away.
pub const DEFAULT_ACTIONS: &[&str] = &[
    "secretsmanager:GetSecretValue",
    "secretsmanager:PutSecretValue",
    "secretsmanager:UpdateSecret",
];

/// The stages `GetSecretValue` is judged for besides `AWSCURRENT` (custom stages found on a
/// secret's versions are added per secret).
pub const STANDARD_STAGES: &[&str] = &["AWSCURRENT", "AWSPREVIOUS", "AWSPENDING"];

/// `secretsmanager:GetSecretValue`, compared case-insensitively.
pub fn is_get_secret_value(action: &str) -> bool {
    action.eq_ignore_ascii_case("secretsmanager:GetSecretValue")
}

/// Condition keys (lower case) that come from request parameters of `action`: the caller
/// chooses them, so the snapshot cannot settle them. Keys of other actions' parameters are
/// absent from this action's requests.
pub fn parameter_keys(action: &str) -> &'static [&'static str] {
    let name = action
        .split_once(':')
        .map_or(action, |(_, name)| name)
        .to_ascii_lowercase();
    match name.as_str() {
        // The analysis names the stage itself (`secretsmanager:VersionStage`).
        "getsecretvalue" => &["secretsmanager:versionid"],
        "updatesecretversionstage" => &["secretsmanager:versionstage"],
        "deletesecret" => &[
            "secretsmanager:forcedeletewithoutrecovery",
            "secretsmanager:recoverywindowindays",
        ],
        "putresourcepolicy" => &["secretsmanager:blockpublicpolicy"],
        "createsecret" => &[
            "secretsmanager:name",
            "secretsmanager:description",
            "secretsmanager:kmskeyid",
            "secretsmanager:kmskeyarn",
            "secretsmanager:addreplicaregions",
            "secretsmanager:forceoverwritereplicasecret",
            "secretsmanager:type",
            "aws:requesttag/",
            "aws:tagkeys",
        ],
        "updatesecret" => &[
            "secretsmanager:description",
            "secretsmanager:kmskeyid",
            "secretsmanager:kmskeyarn",
            "secretsmanager:type",
        ],
        "rotatesecret" => &[
            "secretsmanager:rotationlambdaarn",
            "secretsmanager:rotateimmediately",
            "secretsmanager:modifyrotationrules",
            "secretsmanager:externalsecretrotationrolearn",
        ],
        "replicatesecrettoregions" => &[
            "secretsmanager:addreplicaregions",
            "secretsmanager:forceoverwritereplicasecret",
        ],
        "tagresource" => &["aws:requesttag/", "aws:tagkeys"],
        "untagresource" => &["aws:tagkeys"],
        _ => &[],
    }
}

/// Whether the lower-case `key` is a request parameter of `action` (a trailing `/` in the
/// table stands for a key family such as `aws:requesttag/…`).
pub fn is_parameter_of(action: &str, key: &str) -> bool {
    parameter_keys(action).iter().any(|param| {
        if param.ends_with('/') {
            key.starts_with(param)
        } else {
            key == *param
        }
    })
}

/// Whether the lower-case `key` is a request parameter of some Secrets Manager action (so it
/// is absent from the requests of every other action).
pub fn is_any_parameter(key: &str) -> bool {
    const ALL: &[&str] = &[
        "getsecretvalue",
        "updatesecretversionstage",
        "deletesecret",
        "putresourcepolicy",
        "createsecret",
        "updatesecret",
        "rotatesecret",
        "replicatesecrettoregions",
        "tagresource",
        "untagresource",
    ];
    key == "secretsmanager:versionstage" || ALL.iter().any(|action| is_parameter_of(action, key))
}

/// The KMS actions Secrets Manager calls on the secret's key for a caller of `action`
/// (Secrets Manager User Guide, "Permissions for the KMS key"): `kms:Decrypt` to read the
/// value, `kms:GenerateDataKey` and `kms:Decrypt` to write a new one; none for other actions.
pub fn key_actions(action: &str) -> &'static [&'static str] {
    let name = action.split_once(':').map_or(action, |(_, name)| name);
    if !action
        .split_once(':')
        .is_some_and(|(service, _)| service.eq_ignore_ascii_case("secretsmanager"))
    {
        return &[];
    }
    if name.eq_ignore_ascii_case("GetSecretValue") {
        &["kms:Decrypt"]
    } else if name.eq_ignore_ascii_case("PutSecretValue")
        || name.eq_ignore_ascii_case("UpdateSecret")
    {
        &["kms:GenerateDataKey", "kms:Decrypt"]
    } else {
        &[]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_belong_to_their_actions() {
        let table = [
            (
                "secretsmanager:DeleteSecret",
                "secretsmanager:forcedeletewithoutrecovery",
                true,
            ),
            (
                "secretsmanager:GetSecretValue",
                "secretsmanager:forcedeletewithoutrecovery",
                false,
            ),
            ("secretsmanager:TagResource", "aws:requesttag/env", true),
            ("secretsmanager:GetSecretValue", "aws:requesttag/env", false),
            (
                "SecretsManager:getsecretvalue",
                "secretsmanager:versionid",
                true,
            ),
            (
                "secretsmanager:UpdateSecretVersionStage",
                "secretsmanager:versionstage",
                true,
            ),
        ];
        for (action, key, want) in table {
            assert_eq!(is_parameter_of(action, key), want, "{action} {key}");
        }
        assert!(is_any_parameter("secretsmanager:blockpublicpolicy"));
        assert!(is_any_parameter("secretsmanager:versionstage"));
        assert!(!is_any_parameter("aws:sourceip"));
        assert!(is_get_secret_value("secretsmanager:getSecretValue"));
    }
}
