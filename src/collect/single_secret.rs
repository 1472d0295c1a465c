//! One secret instead of the region's list (`CollectOptions::secret`, what the AWS Config custom
//! rule does on a configuration change of one secret): DescribeSecret on the secret's ARN or
//! name replaces the paged ListSecrets, so a region of 40,000 secrets costs the same few calls
//! as a region of one. The rest of the region's run is unchanged and sees a region that holds
//! this one secret: its versions and resource policy (`secretsmanager::describe_secrets`), its
//! KMS key's metadata and policy, CloudTrail's events, and RDS only when RDS owns the secret.
//!
//! The snapshot keeps the shape of a full run: `list-secrets.json` holds the secret's one entry,
//! made from the DescribeSecret output (the same members, `VersionIdsToStages` named as
//! ListSecrets names it), and its coverage entry says that ListSecrets was not called. A secret
//! that does not exist gives an empty list (the rules then judge nothing, and the caller knows
//! the secret is gone); a DescribeSecret that fails otherwise leaves the region's secrets not
//! collected, as a failed ListSecrets does.

use super::aws_api::AwsApi;
use serde_json::{Value, json};

use super::RegionFiles;
use super::coverage::CoverageStatus;
use super::region_run::RegionRun;
use super::secretsmanager::{
    DESCRIBE_SECRET, GET_POLICY, LIST_SECRETS, LIST_VERSIONS, ListedSecret, describe_secret,
};

/// Describes the secret `secret_id` (an ARN or a name) and writes it as the region's
/// `list-secrets.json`; `None` when it could not be read (recorded in coverage), an empty list
/// when it does not exist.
pub(crate) async fn list_one(
    run: &RegionRun,
    client: &AwsApi,
    secret_id: &str,
    files: &mut RegionFiles,
) -> Option<Vec<ListedSecret>> {
    let described = describe_secret(run, client, secret_id).await;
    run.call_done();
    let described = match described {
        Ok(described) => described,
        Err(failure) if failure.is_not_found() => {
            files.resource(
                DESCRIBE_SECRET,
                secret_id,
                CoverageStatus::Gone,
                format!("the secret does not exist: {}", failure.message),
            );
            files.ok_with(
                LIST_SECRETS,
                format!("not called: one secret, `{secret_id}`, which does not exist"),
            );
            files.write(
                "secretsmanager/list-secrets.json",
                json!({ "SecretList": [] }),
            );
            return Some(Vec::new());
        }
        Err(failure) => {
            files.failed(DESCRIBE_SECRET, &failure);
            files.skipped(
                LIST_SECRETS,
                &format!("not called: one secret, `{secret_id}`, whose DescribeSecret failed"),
            );
            for api in [LIST_VERSIONS, GET_POLICY] {
                files.skipped(api, "DescribeSecret failed");
            }
            return None;
        }
    };
    let text = |key: &str| described.get(key).and_then(Value::as_str);
    let listed = ListedSecret {
        arn: text("ARN").unwrap_or(secret_id).to_owned(),
        kms_key_id: text("KmsKeyId").map(str::to_owned),
        pending_deletion: described.get("DeletedDate").is_some(),
        replicated: text("PrimaryRegion").is_some_and(|region| !region.is_empty()),
        rds_owned: text("OwningService") == Some("rds"),
    };
    files.ok_with(
        LIST_SECRETS,
        format!(
            "not called: one secret, `{}`, listed from its DescribeSecret",
            listed.arn
        ),
    );
    files.write(
        "secretsmanager/list-secrets.json",
        json!({ "SecretList": [list_entry(described)] }),
    );
    Some(vec![listed])
}

/// A DescribeSecret output as a `SecretList` entry: `VersionIdsToStages` is ListSecrets'
/// `SecretVersionsToStages`, and `ReplicationStatus` (DescribeSecret's alone) is left to the
/// describe-secret file, which a multi-Region secret gets as in a full run.
fn list_entry(described: Value) -> Value {
    let Value::Object(members) = described else {
        return described;
    };
    let entry = members
        .into_iter()
        .filter(|(key, _)| key != "ReplicationStatus")
        .map(|(key, value)| {
            if key == "VersionIdsToStages" {
                ("SecretVersionsToStages".to_owned(), value)
            } else {
                (key, value)
            }
        })
        .collect();
    Value::Object(entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_described_secret_becomes_a_list_entry() {
        let described = json!({"ARN": "arn:aws:secretsmanager:us-east-1:111122223333:secret:a-AbCdEf",
            "Name": "a", "VersionIdsToStages": {"v1": ["AWSCURRENT"]},
            "ReplicationStatus": [{"Region": "eu-west-1"}], "PrimaryRegion": "us-east-1"});
        let entry = list_entry(described);
        assert_eq!(
            entry["SecretVersionsToStages"],
            json!({"v1": ["AWSCURRENT"]})
        );
        assert!(entry.get("VersionIdsToStages").is_none());
        assert!(entry.get("ReplicationStatus").is_none());
        assert_eq!(entry["PrimaryRegion"], "us-east-1");
        assert_eq!(entry["Name"], "a");
    }
}
